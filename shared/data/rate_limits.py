"""Counters in fixed windows (ADR 14): how many times something happened, per key, e.g. failed mentor
lookups by one user in one clock hour. The keys and limits are the domain's (`shared.claims.lookup_limits`).

Every change is an atomic ADD. `take` adds one only while the counter is below its limit, so requests at
the same moment cannot between them go past it; `give_back` takes one off again. Reading several
counters is one BatchGetItem. DynamoDB TTL removes a counter after its `expires_at`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from shared.data.items import RateLimitItem
from shared.data.transactions import conditional


def _epoch(at: dt.datetime) -> int:
    return int(at.timestamp())


class RateLimits:
    def counts(self, keys: Iterable[str]) -> dict[str, int]:
        """Each key's count (0 for a counter not started), in one strongly consistent BatchGetItem."""
        wanted = list(dict.fromkeys(keys))
        found = dict.fromkeys(wanted, 0)
        if wanted:
            for item in RateLimitItem.batch_get(wanted, consistent_read=True):
                found[item.limit_key] = int(item.hits or 0)
        return found

    def take(self, key: str, limit: int, expires_at: dt.datetime) -> int | None:
        """Add one to the counter if it is below `limit`: its new count, or None (nothing added) if it
        has reached the limit."""
        item = RateLimitItem(limit_key=key)
        added = conditional(
            lambda: item.update(
                actions=[RateLimitItem.hits.add(1), RateLimitItem.expires_at.set(_epoch(expires_at))],
                condition=RateLimitItem.hits.does_not_exist() | (RateLimitItem.hits < limit),
            )
        )
        return int(item.hits) if added else None

    def give_back(self, key: str) -> None:
        """Take one off a counter that `take` added to (never below 0, and never starting a counter)."""
        conditional(
            lambda: RateLimitItem(limit_key=key).update(
                actions=[RateLimitItem.hits.add(-1)], condition=RateLimitItem.hits > 0
            )
        )
