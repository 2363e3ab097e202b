"""The hours allowance: initial or refresher, 20 or 16 hours by academic year."""

from __future__ import annotations

import pytest

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import Allowance, TrainingType, allowance_id, cap, initial_hours, training_type


@pytest.mark.parametrize(("start", "hours"), [(2023, 20), (2024, 20), (2025, 16), (2026, 16)])
def test_initial_hours_by_academic_year(start: int, hours: int) -> None:
    assert initial_hours(AcademicYear(start)) == hours


def test_refresher_only_after_an_earlier_year_with_the_same_provider() -> None:
    this_year = AcademicYear(2026)
    assert training_type(this_year, []) is TrainingType.INITIAL
    assert training_type(this_year, [AcademicYear(2026)]) is TrainingType.INITIAL  # same year is not earlier
    assert training_type(this_year, [AcademicYear(2027)]) is TrainingType.INITIAL
    assert training_type(this_year, [AcademicYear(2024)]) is TrainingType.REFRESHER
    assert cap(this_year, TrainingType.REFRESHER) == 6


def test_remaining_hours() -> None:
    allowance = Allowance("1000001", "N97", AcademicYear(2026), TrainingType.INITIAL, used=10)
    assert (allowance.total, allowance.remaining, allowance.partly_used) == (16, 6, True)
    assert allowance.allows(6)
    assert not allowance.allows(7)
    assert not allowance.allows(0)
    spent = Allowance("1000001", "N97", AcademicYear(2026), TrainingType.INITIAL, used=16)
    assert (spent.remaining, spent.partly_used) == (0, False)


def test_allowance_ids_are_per_mentor_provider_and_year() -> None:
    assert allowance_id("1000001", "N97", AcademicYear(2026)) == "1000001#N97#2026"


def test_a_claim_of_exactly_one_hour_is_allowed() -> None:
    # Given a mentor with hours left, and one with a single hour left
    fresh = Allowance("1000001", "N97", AcademicYear(2026), TrainingType.INITIAL, used=0)
    last_hour = Allowance("1000001", "N97", AcademicYear(2026), TrainingType.INITIAL, used=15)
    # Then one hour, the smallest claim, is allowed for both, and no hours at all is not
    assert fresh.allows(1)
    assert last_hour.allows(1)
    assert not last_hour.allows(2)
    assert not fresh.allows(0)
