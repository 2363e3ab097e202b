"""Multi-page journeys' answers in DynamoDB, keyed by a random id, for the user and organisation that
started them, for 24 hours (ADR 0018)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist

from shared.claims.errors import MAX_KEPT_BYTES, TooMuchToKeep
from shared.data.items import JourneyItem
from shared.data.transactions import conditional

JOURNEY_LIFETIME = dt.timedelta(hours=24)


def kept(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers, if one item can hold them; TooMuchToKeep (nothing written) if not."""
    if len(json.dumps(answers, default=str, ensure_ascii=False).encode("utf-8")) > MAX_KEPT_BYTES:
        raise TooMuchToKeep("journey answers")
    return answers


@dataclass(frozen=True)
class Journey:
    journey_id: str
    organisation_id: str
    answers: dict[str, Any]
    result: str | None


class Journeys:
    """Multi-page journeys' answers, server-side, for one user and organisation, for 24 hours (ADR 0018)."""

    def start(
        self, kind: str, owner: str, organisation_id: str, now: dt.datetime, answers: dict[str, Any] | None = None
    ) -> str:
        journey_id = secrets.token_hex(16)
        JourneyItem(
            journey_id=journey_id,
            kind=kind,
            owner=owner,
            organisation_id=organisation_id,
            answers=kept(answers or {}),
            expires_at=int((now + JOURNEY_LIFETIME).timestamp()),
        ).save(condition=JourneyItem.journey_id.does_not_exist())
        return journey_id

    def get(self, journey_id: str, kind: str, owner: str, organisation_id: str, now: dt.datetime) -> Journey | None:
        """The journey, only for the user and organisation that started it, and only while alive."""
        try:
            item = JourneyItem.get(journey_id)
        except DoesNotExist:
            return None
        if (item.kind, item.owner, item.organisation_id) != (kind, owner, organisation_id):
            return None
        if item.expires_at < now.timestamp():
            return None
        answers = item.answers.as_dict() if hasattr(item.answers, "as_dict") else dict(item.answers or {})
        return Journey(journey_id, item.organisation_id, answers, item.result)

    def save(self, journey_id: str, answers: dict[str, Any], now: dt.datetime) -> bool:
        """New answers (and 24 more hours); False when the journey has finished meanwhile."""
        return conditional(
            lambda: JourneyItem(journey_id=journey_id).update(
                actions=[
                    JourneyItem.answers.set(kept(answers)),
                    JourneyItem.expires_at.set(int((now + JOURNEY_LIFETIME).timestamp())),
                ],
                condition=JourneyItem.journey_id.exists() & JourneyItem.result.does_not_exist(),
            )
        )

    def finish(self, journey_id: str, result: str) -> bool:
        """Record what the journey made, once: False when it had already finished (a repeated submission)."""
        return conditional(
            lambda: JourneyItem(journey_id=journey_id).update(
                actions=[JourneyItem.result.set(result)],
                condition=JourneyItem.journey_id.exists() & JourneyItem.result.does_not_exist(),
            )
        )
