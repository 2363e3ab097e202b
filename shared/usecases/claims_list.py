"""The school's Claims page: the current window, eligibility, and claims grouped by academic year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.models import School
from shared.claims.windows import ClaimWindow, Countdown, countdown, current_window
from shared.data.repositories import ClaimWindows


@dataclass(frozen=True)
class YearGroup:
    name: str
    current: bool


@dataclass(frozen=True)
class ClaimsPage:
    window: ClaimWindow | None
    countdown: Countdown | None
    eligible: bool
    years: list[YearGroup]


def claims_page(school: School, now: dt.datetime) -> ClaimsPage:
    windows = ClaimWindows().all()
    window = current_window(windows, now)
    this_year = window.academic_year if window else AcademicYear.for_date(london_today(now))
    years = sorted({w.academic_year for w in windows if w.academic_year <= this_year} | {this_year}, reverse=True)
    return ClaimsPage(
        window=window,
        countdown=countdown(window, now) if window else None,
        eligible=window is not None and window.academic_year.name in school.eligible_years,
        years=[YearGroup(year.name, year == this_year) for year in years],
    )
