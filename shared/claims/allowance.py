"""Hours allowance per mentor × accredited provider × academic year (docs/domain.md).

Initial training: 20 hours for academic years starting before 1 January 2025, 16 hours from 2025 to 2026
on. Refresher training: 6 hours, when the mentor had a submitted-or-later claim with the same provider in
an earlier academic year. Hours used count every claim except withdrawn and rejected ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from shared.claims.academic_years import AcademicYear

REFRESHER_HOURS = 6
# Typed hours longer than this are refused before they are read as a number: no allowance comes near, and
# Python will not read a number of more than 4,300 digits at all (ValueError).
MAX_HOURS_DIGITS = 9
_SIXTEEN_HOURS_FROM = dt.date(2025, 1, 1)


class TrainingType(StrEnum):
    INITIAL = "initial"
    REFRESHER = "refresher"


def initial_hours(year: AcademicYear) -> int:
    return 20 if year.starts_on < _SIXTEEN_HOURS_FROM else 16


def training_type(year: AcademicYear, earlier_years_with_provider: Iterable[AcademicYear]) -> TrainingType:
    """Refresher if the mentor was claimed with this provider in an earlier academic year."""
    return (
        TrainingType.REFRESHER if any(other < year for other in earlier_years_with_provider) else TrainingType.INITIAL
    )


def cap(year: AcademicYear, kind: TrainingType) -> int:
    return REFRESHER_HOURS if kind is TrainingType.REFRESHER else initial_hours(year)


def allowance_id(trn: str, provider_code: str, year: AcademicYear) -> str:
    return f"{trn}#{provider_code}#{year.start_year}"


@dataclass(frozen=True)
class Allowance:
    """What is left for one mentor with one provider in one academic year."""

    trn: str
    provider_code: str
    year: AcademicYear
    kind: TrainingType
    used: int

    @property
    def total(self) -> int:
        return cap(self.year, self.kind)

    @property
    def remaining(self) -> int:
        return max(self.total - self.used, 0)

    @property
    def partly_used(self) -> bool:
        return 0 < self.used < self.total

    def allows(self, hours: int) -> bool:
        return 1 <= hours <= self.remaining
