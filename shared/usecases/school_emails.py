"""Telling every user of a school something (`shared.claims.school_emails`): one message per address, queued
together. A failure to read the addresses or to queue is logged and left: what the email reports stands."""

from __future__ import annotations

from collections.abc import Callable

from shared.claims.emails import EmailMessage
from shared.data.emails import enqueue
from shared.data.users import member_emails
from shared.observability import logger, metrics


def tell_school_users(school_id: str, build: Callable[[str], EmailMessage], reference: str) -> int:
    """Queue `build(address)` for each user of the school; the number queued (0 when it failed)."""
    try:
        messages = [build(address) for address in member_emails(school_id)]
        if messages:
            enqueue(messages)
    except Exception:  # noqa: BLE001 - the change the email reports is made; the failure is reported
        logger.exception("school email not queued", extra={"reference": reference})
        return 0
    if messages:
        metrics.add_metric(name="SchoolEmailsQueued", unit="Count", value=len(messages))
    return len(messages)
