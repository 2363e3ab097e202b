"""Sending through GOV.UK Notify (docs/adr/0038-sending-emails-through-notify.md): its rate limit turned into the
sender's settings, what each of its answers means for a message, and its delivery receipts. Pure: no HTTP, no AWS.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import Field

from shared.claims.domain import Domain

# -- The rate limit ---------------------------------------------------------------------------------------------
# A live Notify API key may make 3,000 requests in any 60 seconds; past that Notify answers 429 RateLimitError.
NOTIFY_REQUESTS_PER_MINUTE = 3_000
# What the sender aims at: 80%, so instances that start their batches at the same moment, and a retried batch's
# sends, stay under Notify's count of a rolling minute.
TARGET_SENDS_PER_MINUTE = NOTIFY_REQUESTS_PER_MINUTE * 8 // 10  # 2,400
# SendEmailFunction's reserved concurrency, and its event source's maximum concurrency (template.yaml).
SENDERS = 4
# Each sender, one send at a time, leaves at least this long between two sends: 4 senders x 10 a second = 40 a
# second = 2,400 a minute, however fast Notify answers.
SENDS_PER_SECOND_PER_SENDER = TARGET_SENDS_PER_MINUTE // 60 // SENDERS  # 10
MIN_SECONDS_BETWEEN_SENDS = 1 / SENDS_PER_SECOND_PER_SENDER  # 0.1 s
# Messages in one invocation (the event source's BatchSize; SQS's most for a standard queue).
BATCH_SIZE = 10
# The Notify client's timeouts: to connect, and for the answer.
NOTIFY_CONNECT_TIMEOUT_SECONDS = 3.0
NOTIFY_READ_TIMEOUT_SECONDS = 5.0
# After a 429, this sender sends nothing for this long: the rest of its batch goes back to the queue unsent.
RATE_LIMITED_PAUSE_SECONDS = 60.0


def worst_batch_seconds() -> float:
    """A batch at its slowest: every send waits its full timeouts, and the pause between sends."""
    per_send = NOTIFY_CONNECT_TIMEOUT_SECONDS + NOTIFY_READ_TIMEOUT_SECONDS + MIN_SECONDS_BETWEEN_SENDS
    return BATCH_SIZE * per_send  # 81 s: SendEmailFunction's Timeout is 90 s, the queue's visibility 6 x that


# -- Notify's answers to a send ---------------------------------------------------------------------------------
class Refusal(StrEnum):
    ADDRESS = "address"  # the address can never be sent to: recorded on its user, never retried
    RATE_LIMITED = "rate_limited"  # 429: retried later, and the sender pauses
    TEMPORARY = "temporary"  # 403, 5xx, no answer, other 400s: retried, then dead-lettered (with the alarm)


def refusal(status_code: int, errors: list[tuple[str, str]]) -> Refusal:
    """What Notify's error answer means. `errors` are its (error, message) pairs, e.g.
    ("ValidationError", "email_address Not a valid email address"). Only a 400 about `email_address` is the
    address's fault; other 400s (a template or personalisation Notify refuses, a team-only key) are the service's,
    so they are retried and dead-lettered for someone to look at, and no user is marked."""
    if status_code == 400 and any(message.startswith("email_address") for _error, message in errors):
        return Refusal.ADDRESS
    if status_code == 429:
        return Refusal.RATE_LIMITED
    return Refusal.TEMPORARY


def address_refused_reason(errors: list[tuple[str, str]]) -> str:
    """The reason support reads, in the service's words (Notify's message is for developers)."""
    del errors  # every refusal of an address is one thing to support: the address is not valid
    return "GOV.UK Notify says this is not a valid email address"


# -- Delivery receipts ------------------------------------------------------------------------------------------
ReceiptStatus = Literal["delivered", "permanent-failure", "temporary-failure", "technical-failure"]

# What support reads when a receipt says an address cannot be delivered to.
FAILURE_REASONS: dict[str, str] = {
    "permanent-failure": "the email provider could not deliver to this address (it may not exist)",
}


class DeliveryReceipt(Domain):
    """The JSON Notify POSTs to the callback URL when an email is delivered or has failed."""

    id: str = Field(min_length=1, max_length=100)
    reference: str | None = Field(default=None, max_length=1000)
    to: str = Field(min_length=3, max_length=320)
    status: ReceiptStatus
    created_at: dt.datetime
    completed_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    notification_type: Literal["email"]

    @property
    def at(self) -> dt.datetime:
        """When the receipt's status was reached (a receipt without `completed_at`: when it was created)."""
        moment = self.completed_at or self.sent_at or self.created_at
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

    @property
    def failure(self) -> str | None:
        """Why emails to the address fail for good, or None (delivered, or a failure worth trying again)."""
        return FAILURE_REASONS.get(self.status)


class EmailFailure(Domain):
    """An address Notify said cannot be sent to, as support sees it on the user."""

    reason: str
    failed_at: dt.datetime


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
