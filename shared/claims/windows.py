"""Claim windows: open and close dates in England, closing at 23:59:59 on the close date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.academic_years import LONDON, AcademicYear
from shared.claims.domain import Domain

COUNTDOWN_DAYS = 30


class ClaimWindow(Domain):
    window_id: str
    academic_year: AcademicYear
    opens_on: dt.date
    closes_on: dt.date
    closed_at: dt.datetime | None = None  # set when the close workflow has run
    active_run: str | None = None  # the window's payment run in progress (one at a time)

    @property
    def opens_at(self) -> dt.datetime:
        return dt.datetime.combine(self.opens_on, dt.time(0, 0), tzinfo=LONDON)

    @property
    def closes_at(self) -> dt.datetime:
        return dt.datetime.combine(self.closes_on, dt.time(23, 59, 59), tzinfo=LONDON)

    def is_open(self, now: dt.datetime) -> bool:
        return self.closed_at is None and self.opens_at <= now <= self.closes_at

    def overlaps(self, other: ClaimWindow) -> bool:
        return self.opens_on <= other.closes_on and other.opens_on <= self.closes_on


@dataclass(frozen=True)
class Countdown:
    """What the deadline banner says: days, or hours and minutes on the last day."""

    days: int
    hours: int
    minutes: int

    @property
    def last_day(self) -> bool:
        return self.days == 0

    @property
    def text(self) -> str:
        if not self.last_day:
            unit = "day" if self.days == 1 else "days"
            return f"There {'is' if self.days == 1 else 'are'} {self.days} {unit} remaining"
        hours = f"{self.hours} hour{'' if self.hours == 1 else 's'}"
        minutes = f"{self.minutes} minute{'' if self.minutes == 1 else 's'}"
        return f"There are {hours} and {minutes} remaining"


def countdown(window: ClaimWindow, now: dt.datetime) -> Countdown | None:
    """The banner from 30 days before close until the window closes; None outside that."""
    if not window.is_open(now):
        return None
    today = now.astimezone(LONDON).date()
    days = (window.closes_on - today).days
    if days > COUNTDOWN_DAYS:
        return None
    left = window.closes_at - now
    total_minutes = int(left.total_seconds() // 60)
    return Countdown(
        days=days, hours=total_minutes // 60 if days == 0 else 0, minutes=total_minutes % 60 if days == 0 else 0
    )


def current_window(windows: list[ClaimWindow], now: dt.datetime) -> ClaimWindow | None:
    return next((w for w in windows if w.is_open(now)), None)
