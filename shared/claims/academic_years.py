"""Academic years run 1 September to 31 August and are named "2025 to 2026"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True, order=True)
class AcademicYear:
    start_year: int

    @classmethod
    def for_date(cls, day: dt.date) -> AcademicYear:
        return cls(day.year if day.month >= 9 else day.year - 1)

    @classmethod
    def parse(cls, name: str) -> AcademicYear:
        first, _, second = name.partition(" to ")
        start = int(first)
        if int(second) != start + 1:
            raise ValueError(f"not an academic year: {name!r}")
        return cls(start)

    @property
    def name(self) -> str:
        return f"{self.start_year} to {self.start_year + 1}"

    @property
    def starts_on(self) -> dt.date:
        return dt.date(self.start_year, 9, 1)

    @property
    def ends_on(self) -> dt.date:
        return dt.date(self.start_year + 1, 8, 31)

    def __str__(self) -> str:
        return self.name


def london_today(now: dt.datetime) -> dt.date:
    """The calendar date in England at an aware instant."""
    return now.astimezone(LONDON).date()
