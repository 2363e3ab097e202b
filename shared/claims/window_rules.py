"""The rules for claim windows that support users set: pure functions, no I/O.

- A window closes after it opens (a later date, not the same day).
- Windows never overlap: neither date may fall inside another window, and a window may not contain one.
- A window has an explicit academic year, because dates alone do not decide it (training starts from
  April, windows close in July, and a September window can still be for the previous year). It may be
  for an academic year its dates fall in, or the one before: any year starting from the year before the
  open date's academic year up to the close date's academic year (a window from 1 September to
  31 October 2026 may be for 2025 to 2026 or 2026 to 2027).
- Status: Upcoming before it opens, Open until 23:59:59 on its close date (Europe/London) unless the
  workflow has closed it, then Closed. Closed windows cannot be changed or removed; windows with claims
  cannot be removed, nor moved to another academic year.
- Window ids are `window-<start year>-to-<end year>-<n>` for the academic year it was added for (the
  seed data uses the same shape). An id never changes, because claims, its close schedule and its
  payment runs refer to it. Its runs are named in `shared.claims.payment_runs`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import StrEnum

from shared.claims.academic_years import AcademicYear
from shared.claims.errors import DomainError, NotFound
from shared.claims.windows import ClaimWindow

OPENS_ON = "opens_on"
CLOSES_ON = "closes_on"
ACADEMIC_YEAR = "academic_year"

OPENS_LABEL = "The date the window opens"
CLOSES_LABEL = "The date the window closes"
CLOSE_BEFORE_OPEN = "The date the window closes must be after the date it opens"
OPENS_WITHIN_ANOTHER = "Select a date the window opens that is not within an existing claim window"
CLOSES_WITHIN_ANOTHER = "Select a date the window closes that is not within an existing claim window"
SELECT_ACADEMIC_YEAR = "Select an academic year"
CONTAINS_CLAIMS = "You cannot remove this claim window because it contains claims"
HAS_CLOSED = "You cannot remove this claim window because it has closed"


class ClaimWindowNotFound(NotFound):
    pass


class WindowNotChangeable(DomainError):
    """A closed window cannot be changed or removed; one with claims cannot be removed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WindowStatus(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def colour(self) -> str:
        return {"upcoming": "blue", "open": "green", "closed": "grey"}[self.value]


def _govuk_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def status_of(window: ClaimWindow, now: dt.datetime) -> WindowStatus:
    if window.closed_at is not None or now > window.closes_at:
        return WindowStatus.CLOSED
    if now < window.opens_at:
        return WindowStatus.UPCOMING
    return WindowStatus.OPEN


def can_change(window: ClaimWindow, now: dt.datetime) -> bool:
    return status_of(window, now) is not WindowStatus.CLOSED


def removal_refusal(window: ClaimWindow, now: dt.datetime, has_claims: bool) -> str | None:
    """Why a window cannot be removed, or None when it can."""
    if has_claims:
        return CONTAINS_CLAIMS
    if status_of(window, now) is WindowStatus.CLOSED:
        return HAS_CLOSED
    return None


def can_close_now(window: ClaimWindow, now: dt.datetime) -> bool:
    """A window that has opened and that the workflow has not closed yet (including one past its close
    time whose schedule has not run): support may close it and start its payment run."""
    return window.closed_at is None and now >= window.opens_at


def academic_year_choices(today: dt.date, keep: AcademicYear | None = None) -> list[AcademicYear]:
    """The previous, the current and the next academic year (plus a changed window's own year)."""
    current = AcademicYear.for_date(today)
    years = {AcademicYear(current.start_year + offset) for offset in (-1, 0, 1)}
    if keep is not None:
        years.add(keep)
    return sorted(years)


def fitting_years(opens_on: dt.date, closes_on: dt.date) -> tuple[AcademicYear, AcademicYear]:
    """The earliest and latest academic year a window with these dates may be for."""
    earliest = AcademicYear(AcademicYear.for_date(opens_on).start_year - 1)
    latest = AcademicYear.for_date(closes_on)
    return earliest, latest


def year_fit_message(opens_on: dt.date, closes_on: dt.date) -> str:
    earliest, latest = fitting_years(opens_on, closes_on)
    return (
        f"Select an academic year that starts between {_govuk_date(earliest.starts_on)} "
        f"and {_govuk_date(latest.starts_on)}"
    )


def year_locked_message(year: AcademicYear) -> str:
    return f"Select {year.name}, because this claim window contains claims for that academic year"


def _within(day: dt.date, window: ClaimWindow) -> bool:
    return window.opens_on <= day <= window.closes_on


def check_window(
    opens_on: dt.date | None,
    closes_on: dt.date | None,
    academic_year: AcademicYear | None,
    others: Iterable[ClaimWindow],
    *,
    window_id: str | None = None,
    locked_year: AcademicYear | None = None,
) -> dict[str, str]:
    """Problems with a window's dates and academic year, field → message (GOV.UK wording).

    `opens_on`/`closes_on` are None when the date inputs were already found wrong (their messages come
    from the date parser); `others` are the existing windows, of which `window_id` (a window being
    changed) is skipped; `locked_year` is the year a window with claims must keep.
    """
    problems: dict[str, str] = {}
    existing = [w for w in others if w.window_id != window_id]
    if opens_on is not None and closes_on is not None and closes_on <= opens_on:
        problems[CLOSES_ON] = CLOSE_BEFORE_OPEN
    if opens_on is not None and any(_within(opens_on, w) for w in existing):
        problems[OPENS_ON] = OPENS_WITHIN_ANOTHER
    if closes_on is not None and CLOSES_ON not in problems and any(_within(closes_on, w) for w in existing):
        problems[CLOSES_ON] = CLOSES_WITHIN_ANOTHER
    if opens_on is not None and closes_on is not None and not problems:
        inside = next((w for w in existing if opens_on < w.opens_on and w.closes_on < closes_on), None)
        if inside is not None:
            problems[OPENS_ON] = (
                "Select dates that do not include an existing claim window "
                f"({_govuk_date(inside.opens_on)} to {_govuk_date(inside.closes_on)})"
            )
    if academic_year is None:
        problems[ACADEMIC_YEAR] = SELECT_ACADEMIC_YEAR
    elif locked_year is not None and academic_year != locked_year:
        problems[ACADEMIC_YEAR] = year_locked_message(locked_year)
    elif opens_on is not None and closes_on is not None and closes_on > opens_on:
        earliest, latest = fitting_years(opens_on, closes_on)
        if not earliest <= academic_year <= latest:
            problems[ACADEMIC_YEAR] = year_fit_message(opens_on, closes_on)
    return problems


def parse_academic_year(value: str, choices: Iterable[AcademicYear]) -> AcademicYear | None:
    """The radio's value (the start year, "2026") as one of the offered years; None otherwise."""
    if not re.fullmatch(r"\d{4}", value):
        return None
    year = AcademicYear(int(value))
    return year if year in set(choices) else None


# -- ids and the payment run ------------------------------------------------------------------------
_WINDOW_ID = re.compile(r"window-(\d{4})-to-(\d{4})-(\d+)")


def next_window_id(year: AcademicYear, existing_ids: Iterable[str]) -> str:
    """`window-2026-to-2027-<n>`, n one more than the highest for that year."""
    numbers = [
        int(found.group(3))
        for window_id in existing_ids
        if (found := _WINDOW_ID.fullmatch(window_id)) and int(found.group(1)) == year.start_year
    ]
    return f"window-{year.start_year}-to-{year.start_year + 1}-{max(numbers, default=0) + 1}"


def window_for_drafts(closing: ClaimWindow, windows: Iterable[ClaimWindow]) -> ClaimWindow | None:
    """Where a closing window's drafts go: the next window of the same academic year (docs/domain.md), or
    None, when they expire."""
    later = [w for w in windows if w.academic_year == closing.academic_year and w.opens_on > closing.closes_on]
    return min(later, key=lambda w: w.opens_on, default=None)
