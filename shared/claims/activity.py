"""Activity: what support users did in the console, newest first (exports now; other actions later).

Pure. Each entry names who did what and when, and what it concerned; the Activity page lists them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from shared.claims.domain import Domain


class ActivityKind(StrEnum):
    CLAIMS_EXPORT = "claims_export"


LABELS: dict[ActivityKind, str] = {
    ActivityKind.CLAIMS_EXPORT: "Exported claims",
}


class ActivityEntry(Domain):
    activity_id: str
    kind: ActivityKind
    at: dt.datetime
    actor_id: str
    actor_name: str
    query: str | None = None  # an export: the claims list's filters (query string)
    row_count: int | None = None  # an export: how many claims it holds, once it is ready
    status: str | None = None  # an export: preparing, ready or failed

    @property
    def label(self) -> str:
        return LABELS[self.kind]
