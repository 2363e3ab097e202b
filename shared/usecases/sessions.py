"""A visitor's session and who is signed in: what the web shell reads and writes on every request.

Sessions live in DynamoDB, keyed by the SHA-256 of the cookie's random token (`shared.data.sessions`).
"""

from __future__ import annotations

import datetime as dt

from shared.claims.people import User
from shared.data.sessions import Sessions, StoredSession
from shared.data.users import Users

__all__ = ["SessionStore", "StoredSession"]


class SessionStore:
    """Load, save and end sessions that expire after `idle` without a request, and `lifetime` after sign-in
    however active (ADR 0040)."""

    def __init__(self, idle: dt.timedelta, lifetime: dt.timedelta) -> None:
        self._sessions = Sessions(idle, lifetime)
        self._users = Users()

    def load(self, token: str, now: dt.datetime) -> tuple[StoredSession, User | None] | None:
        """The live session for a cookie token and its signed-in user, or None when unknown, idle too long or
        past its lifetime."""
        session = self._sessions.load(token, now)
        if session is None:
            return None
        return session, self._users.get(session.user_id) if session.user_id else None

    def save(self, session: StoredSession, now: dt.datetime) -> None:
        self._sessions.save(session, now)

    def end(self, token: str) -> None:
        self._sessions.delete(token)
