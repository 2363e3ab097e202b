"""GOV.UK Notify's delivery receipts (ADR 0038): the callback's token checked, its JSON read, and the status
recorded on the users with the address (a permanent failure marks them for support; a delivery clears the mark).
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass

from pydantic import ValidationError

from shared.claims.email_delivery import DeliveryReceipt, bearer_token
from shared.data.users import Users
from shared.integrations.secrets import secret


@dataclass(frozen=True)
class Answer:
    """What the callback route answers Notify."""

    status_code: int
    message: str
    receipt: DeliveryReceipt | None = None
    users: tuple[str, ...] = ()


def _token_matches(authorization: str | None) -> bool:
    given = bearer_token(authorization)
    if given is None:
        return False
    expected = secret("notify_callback_token")
    return hmac.compare_digest(given.encode(), expected.encode())


def receive(authorization: str | None, body: str | None) -> Answer:
    """401 without the right bearer token (compared in constant time), 400 for a body that is not a receipt,
    else 200 with the users whose status was recorded (none when no user has the address)."""
    if not _token_matches(authorization):
        return Answer(401, "Unauthorized")
    try:
        receipt = DeliveryReceipt.model_validate(json.loads(body or ""))
    except (ValueError, ValidationError):
        return Answer(400, "Not a delivery receipt")
    users = Users().record_email_status(receipt.to, receipt.status, receipt.at, failure=receipt.failure)
    return Answer(200, "Recorded", receipt, tuple(users))
