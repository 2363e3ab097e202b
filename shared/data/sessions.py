"""Session storage in DynamoDB. The cookie holds a random token; the table holds only its SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import DoesNotExist

from shared.data.items import SessionItem


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class StoredSession:
    token: str
    csrf_token: str
    user_id: str | None
    last_seen_at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)


class Sessions:
    def __init__(self, idle: dt.timedelta) -> None:
        self.idle = idle

    def load(self, token: str, now: dt.datetime) -> StoredSession | None:
        """The live session for a cookie token, or None when unknown or idle too long."""
        try:
            item = SessionItem.get(_key(token))
        except DoesNotExist:
            return None
        if item.last_seen_at + self.idle < now:
            return None
        data = item.data.as_dict() if hasattr(item.data, "as_dict") else dict(item.data or {})
        return StoredSession(token, item.csrf_token, item.user_id, item.last_seen_at, data)

    def save(self, session: StoredSession, now: dt.datetime) -> None:
        SessionItem(
            session_id=_key(session.token),
            csrf_token=session.csrf_token,
            user_id=session.user_id,
            data=session.data,
            last_seen_at=now,
            expires_at=int((now + self.idle).timestamp()),
        ).save()
        session.last_seen_at = now

    def delete(self, token: str) -> None:
        SessionItem(session_id=_key(token)).delete()
