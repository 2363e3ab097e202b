"""Session storage in DynamoDB. The cookie holds a random token; the table holds only its SHA-256.

A session ends after `idle` without a request, and `lifetime` after it started (sign-in starts a new one)
however active it is (ADR 0040). The item's TTL is the earlier of the two: DynamoDB removes it, and until
then `load` refuses it and ends it in place. Signing out ends the item in place too (no user, no data, no
CSRF token, idle since 1970) rather than deleting it, so the web functions need no DeleteItem on sessions
(ADR 0047).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import DoesNotExist

from shared.data.items import SessionItem
from shared.data.journeys import kept
from shared.data.transactions import conditional

# When the session started, kept in the item's data map beside what the pages keep, and never shown to them.
_STARTED_AT = "__session_started_at"
_ENDED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # an ended session's last request: idle past any limit


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class StoredSession:
    token: str
    csrf_token: str
    user_id: str | None
    last_seen_at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)
    started_at: dt.datetime | None = None  # set when first saved


def _started_at(data: dict[str, Any]) -> dt.datetime | None:
    value = data.pop(_STARTED_AT, None)
    if not isinstance(value, str):
        return None
    try:
        started = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return started if started.tzinfo is not None else None


class Sessions:
    def __init__(self, idle: dt.timedelta, lifetime: dt.timedelta = dt.timedelta(hours=12)) -> None:
        self.idle = idle
        self.lifetime = lifetime

    def load(self, token: str, now: dt.datetime) -> StoredSession | None:
        """The live session for a cookie token, or None when unknown, idle too long or past its lifetime.

        A session with no start time (saved before sessions had a lifetime) counts as past it."""
        key = _key(token)
        try:
            item = SessionItem.get(key)
        except DoesNotExist:
            return None
        data = item.data.as_dict() if hasattr(item.data, "as_dict") else dict(item.data or {})
        started_at = _started_at(data)
        if started_at is None or started_at + self.lifetime <= now or item.last_seen_at + self.idle < now:
            self.delete(token)  # ended in place: never taken up again, whatever a clock says later
            return None
        return StoredSession(token, item.csrf_token, item.user_id, item.last_seen_at, data, started_at)

    def save(self, session: StoredSession, now: dt.datetime) -> None:
        if session.started_at is None:
            session.started_at = now
        ends_at = min(now + self.idle, session.started_at + self.lifetime)
        kept(session.data)  # TooMuchToKeep rather than a failed write: a session item never passes 400 KB
        SessionItem(
            session_id=_key(session.token),
            csrf_token=session.csrf_token,
            user_id=session.user_id,
            data={**session.data, _STARTED_AT: session.started_at.isoformat()},
            last_seen_at=now,
            expires_at=int(ends_at.timestamp()),
        ).save()
        session.last_seen_at = now

    def delete(self, token: str) -> None:
        """End the session now: what it held is wiped and it counts as idle since 1970, so `load` refuses it
        whatever its times said; TTL removes the item. Nothing is written for a token with no session."""
        item = SessionItem(session_id=_key(token))
        conditional(
            lambda: item.update(
                actions=[
                    SessionItem.user_id.remove(),
                    SessionItem.data.set({}),
                    SessionItem.csrf_token.set(""),
                    SessionItem.last_seen_at.set(_ENDED),
                    SessionItem.expires_at.set(int(dt.datetime.now(dt.UTC).timestamp())),
                ],
                condition=SessionItem.session_id.exists(),
            )
        )
