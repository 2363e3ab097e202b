"""Sending one queued email through GOV.UK Notify (the email queue's consumer calls this)."""

from __future__ import annotations

from shared.claims.emails import EmailMessage
from shared.integrations import notify


def send(message: EmailMessage) -> str:
    """Send the message; Notify's id for it. Raises what Notify raises (the queue retries the message)."""
    return notify.send(message)
