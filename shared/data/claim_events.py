"""Claim events: the append-only trail of everything that happened to a claim (who, when, from, to, why).

Events are written in the same transaction as the change they record (`shared.data.claims`); reading a
claim's events is one Query on its partition, in the order they happened.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pynamodb.attributes import MapAttribute

from shared.claims.claim import Claim
from shared.claims.statuses import ClaimStatus
from shared.data.items import ClaimEventItem


def new_event(
    claim: Claim, action: str, from_status: ClaimStatus | None, actor: str, at: dt.datetime, reason: str | None = None
) -> ClaimEventItem:
    return ClaimEventItem(
        claim_id=claim.reference,
        # Time, then the claim's version: events of one claim sort in the order they happened.
        event_id=f"{at.isoformat()}#{claim.version:06d}#{uuid.uuid4().hex[:8]}",
        action=action,
        from_status=from_status.value if from_status else None,
        to_status=claim.status.value,
        actor=actor,
        reason=reason,
    )


def _plain(detail: Any) -> dict[str, Any]:
    """An event's detail as a dict (stored as an untyped map)."""
    if isinstance(detail, MapAttribute):
        return dict(detail.as_dict())
    return dict(detail or {})


def events_of(reference: str) -> list[dict[str, Any]]:
    """Every event of a claim, oldest first: one Query."""
    return [
        {
            "action": e.action,
            "from": e.from_status,
            "to": e.to_status,
            "actor": e.actor,
            "reason": e.reason,
            "id": e.event_id,
            "detail": _plain(e.detail),
        }
        for e in ClaimEventItem.query(reference)
    ]
