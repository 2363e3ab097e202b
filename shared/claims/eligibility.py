"""Whether a school can start a claim now, and why not."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from shared.claims.organisations import School
from shared.claims.windows import ClaimWindow


class CannotClaim(StrEnum):
    WINDOW_CLOSED = "window_closed"
    NOT_ELIGIBLE = "not_eligible"
    NO_MENTORS = "no_mentors"


def cannot_claim(school: School, window: ClaimWindow | None, mentor_count: int, now: dt.datetime) -> CannotClaim | None:
    """None when the school may start (and submit) a claim; otherwise the first reason it may not."""
    if window is None or not window.is_open(now):
        return CannotClaim.WINDOW_CLOSED
    if window.academic_year.name not in school.eligible_years:
        return CannotClaim.NOT_ELIGIBLE
    if mentor_count == 0:
        return CannotClaim.NO_MENTORS
    return None
