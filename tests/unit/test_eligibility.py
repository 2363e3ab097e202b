"""Whether a school may start a claim now: an open window, an eligible school, and mentors to claim for."""

from __future__ import annotations

import datetime as dt

from shared.claims.academic_years import LONDON, AcademicYear
from shared.claims.eligibility import CannotClaim, cannot_claim
from shared.claims.organisations import School
from shared.claims.windows import ClaimWindow

SCHOOL = School(organisation_id="108125", urn="108125", name="Meadowbank", eligible_years=frozenset({"2026 to 2027"}))
WINDOW = ClaimWindow(
    window_id="window-2026-to-2027-1",
    academic_year=AcademicYear(2026),
    opens_on=dt.date(2026, 11, 1),
    closes_on=dt.date(2027, 1, 12),
)
OPEN = dt.datetime(2026, 11, 28, 10, 30, tzinfo=LONDON)


def test_an_eligible_school_with_mentors_in_an_open_window_may_claim() -> None:
    # Given an eligible school with one mentor, while the window is open / Then nothing stops it
    assert cannot_claim(SCHOOL, WINDOW, mentor_count=1, now=OPEN) is None


def test_without_a_window_or_outside_it_the_window_is_closed() -> None:
    # Given no window, a window not yet open, one past its close, and one the workflow closed
    before = dt.datetime(2026, 10, 31, 23, 59, tzinfo=LONDON)
    after = dt.datetime(2027, 1, 13, 0, 0, tzinfo=LONDON)
    closed = WINDOW.model_copy(update={"closed_at": OPEN - dt.timedelta(hours=1)})
    # Then each is a closed window, even for an eligible school with mentors
    assert cannot_claim(SCHOOL, None, 1, OPEN) is CannotClaim.WINDOW_CLOSED
    assert cannot_claim(SCHOOL, WINDOW, 1, before) is CannotClaim.WINDOW_CLOSED
    assert cannot_claim(SCHOOL, WINDOW, 1, after) is CannotClaim.WINDOW_CLOSED
    assert cannot_claim(SCHOOL, closed, 1, OPEN) is CannotClaim.WINDOW_CLOSED
    # And the window is checked at the moment asked: it opened at midnight in London
    assert cannot_claim(SCHOOL, WINDOW, 1, dt.datetime(2026, 11, 1, 0, 0, tzinfo=LONDON)) is None


def test_a_school_not_eligible_for_the_window_s_year_may_not_claim() -> None:
    # Given a school eligible only for another academic year
    other_year = SCHOOL.model_copy(update={"eligible_years": frozenset({"2025 to 2026"})})
    # Then it is not eligible, whatever its mentors
    assert cannot_claim(other_year, WINDOW, 3, OPEN) is CannotClaim.NOT_ELIGIBLE


def test_a_school_with_no_mentors_has_no_one_to_claim_for() -> None:
    # Given an eligible school with no mentors, then with one
    assert cannot_claim(SCHOOL, WINDOW, 0, OPEN) is CannotClaim.NO_MENTORS
    assert cannot_claim(SCHOOL, WINDOW, 1, OPEN) is None
    assert cannot_claim(SCHOOL, WINDOW, 2, OPEN) is None


def test_the_first_reason_is_given_when_there_are_several() -> None:
    # Given a closed window and an ineligible school with no mentors / Then the window is the reason
    nowhere = SCHOOL.model_copy(update={"eligible_years": frozenset()})
    assert cannot_claim(nowhere, None, 0, OPEN) is CannotClaim.WINDOW_CLOSED
    assert cannot_claim(nowhere, WINDOW, 0, OPEN) is CannotClaim.NOT_ELIGIBLE
