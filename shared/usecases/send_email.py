"""Sending one queued email through GOV.UK Notify (the email queue's consumer calls this; ADR 0038).

Sent: Notify's id. An address Notify refuses (a 400 about `email_address`) is recorded on the users who have it and
not retried. Anything else (429, 403, 5xx, no answer, another 400) raises `TemporaryFailure`, so the message goes
back to the queue, is retried, and after five receives is dead-lettered (EmailDeadLetterQueueAlarm).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from shared.claims.email_delivery import Refusal, address_refused_reason, refusal
from shared.claims.emails import EmailMessage
from shared.data.users import Users
from shared.integrations import notify

REFUSED = "refused"  # what `send` returns instead of an id when the address was refused


class TemporaryFailure(Exception):
    """Notify did not take the email this time; SQS will deliver the message again."""

    def __init__(self, refused: Refusal, status_code: int) -> None:
        super().__init__(f"GOV.UK Notify answered {status_code} ({refused.value}): the message will be retried")
        self.refusal = refused
        self.status_code = status_code


def send(message: EmailMessage, now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> str:
    """Notify's id for the email, or `REFUSED` when its address can never be sent to (recorded on its users)."""
    try:
        return notify.send(message)
    except notify.NotifyError as error:
        refused = refusal(error.status_code, error.errors)
        if refused is not Refusal.ADDRESS:
            raise TemporaryFailure(refused, error.status_code) from error
        Users().record_email_status(message.to, "refused", now(), failure=address_refused_reason(error.errors))
        return REFUSED
