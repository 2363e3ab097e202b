"""How many failed Teaching Record lookups a school user, and a school, may make (ADR 14).

A failed lookup is a "not found" answer: no teacher has that TRN, or the date of birth does not match.
Without a limit the lookup is a date-of-birth oracle. Each user may have `USER_LIMIT` and each school
`SCHOOL_LIMIT` failed lookups in a window; a window is one clock hour in UTC (an hour is an hour in UTC,
and England's offset is a whole number of hours, so a window also starts and ends on the hour in London).

Pure: keys, limits and wording from an aware instant. The counters live in `shared.data.rate_limits`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from shared.claims.academic_years import LONDON

USER_LIMIT = 10  # failed lookups per user per window
SCHOOL_LIMIT = 30  # failed lookups per school per window, whoever makes them
WINDOW = dt.timedelta(hours=1)
KEEP_FOR = dt.timedelta(days=1)  # DynamoDB TTL removes a window's counter this long after the window ends
KEY_PREFIX = "mentor-lookup"


class Scope(StrEnum):
    USER = "user"
    SCHOOL = "school"


@dataclass(frozen=True)
class Limit:
    """One counter of failed lookups: whose, in which window, and how many it allows."""

    scope: Scope
    key: str
    limit: int
    window_ends_at: dt.datetime
    expires_at: dt.datetime  # for DynamoDB TTL


def _utc(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("an aware instant is needed")
    return now.astimezone(dt.UTC)


def window_start(now: dt.datetime) -> dt.datetime:
    """The start of the window `now` is in: the start of its clock hour, in UTC."""
    return _utc(now).replace(minute=0, second=0, microsecond=0)


def window_end(now: dt.datetime) -> dt.datetime:
    """When the window `now` is in ends, and a locked-out user or school may try again."""
    return window_start(now) + WINDOW


def window_key(scope: Scope, subject_id: str, now: dt.datetime) -> str:
    """`mentor-lookup#user#<user id>#2026-12-02T14`: one counter per user (or school) per window."""
    if not subject_id:
        raise ValueError("a user or school id is needed")
    return f"{KEY_PREFIX}#{scope.value}#{subject_id}#{window_start(now):%Y-%m-%dT%H}"


def limits(user_id: str, school_id: str, now: dt.datetime) -> tuple[Limit, Limit]:
    """The user's and the school's counters for the window `now` is in (in that order)."""
    ends = window_end(now)
    return (
        Limit(Scope.USER, window_key(Scope.USER, user_id, now), USER_LIMIT, ends, ends + KEEP_FOR),
        Limit(Scope.SCHOOL, window_key(Scope.SCHOOL, school_id, now), SCHOOL_LIMIT, ends, ends + KEEP_FOR),
    )


def reached(failed: int, limit: int) -> bool:
    """No more lookups in this window: the failed lookups have reached the limit."""
    return failed >= limit


def reached_by_this_one(failed_after: int, limit: int) -> bool:
    """This failed lookup is the one that made the count equal the limit (alert once, not on every refusal)."""
    return failed_after == limit


def clock_time(at: dt.datetime) -> str:
    """A time of day in England, GOV.UK style: `3:00pm`, `9:00am`, `midday`, `midnight`."""
    local = _utc(at).astimezone(LONDON)
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}:{local.minute:02d}{suffix}"


def try_again_after(now: dt.datetime) -> str:
    """`Try again after 3:00pm`: the end of the window, in England's time."""
    return f"Try again after {clock_time(window_end(now))}"
