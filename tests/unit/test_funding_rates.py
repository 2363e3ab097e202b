"""The funding-rate rules: pounds and pence read exactly, each rate's checks, and who may decide a proposal."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.academic_years import AcademicYear
from shared.claims.funding_rates import (
    OwnProposal,
    ProposalDecided,
    ProposalPending,
    ProposalStatus,
    RateProposal,
    check_can_decide,
    check_can_propose,
    may_decide,
    parse_pounds,
    rate_problem,
    rate_years,
    reason_problem,
    with_defaults,
)
from shared.claims.regions import DEFAULT_HOURLY_RATES_PENCE, Region

NOW = dt.datetime(2026, 11, 28, 10, 30, tzinfo=dt.UTC)


def _proposal(status: ProposalStatus = ProposalStatus.PENDING, by: str = "user-colin") -> RateProposal:
    return RateProposal(
        proposal_id="p1",
        academic_year=AcademicYear(2027),
        rates=dict(DEFAULT_HOURLY_RATES_PENCE),
        previous_rates=dict(DEFAULT_HOURLY_RATES_PENCE),
        reason="New rates",
        proposed_by_id=by,
        proposed_by_name="Colin Chapman",
        proposed_at=NOW,
        status=status,
    )


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("53.60", 5360),
        ("53.6", 5360),
        ("53", 5300),
        ("£53.60", 5360),
        (" 53.60 ", 5360),
        ("0.01", 1),
        ("1,000.00", 100_000),
        ("1000", 100_000),
        ("0.29", 29),  # a float would make 28.999…
        ("4.35", 435),
    ],
)
def test_pounds_and_pence_are_read_exactly(typed: str, pence: int) -> None:
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize(
    "typed", ["", "fifty", "53.605", "53.", ".60", "-1", "1e3", "53,60", "1,00.00", "٥٣", "£", "9" * 10_000]
)
def test_what_is_not_pounds_and_pence_is_not_read(typed: str) -> None:
    assert parse_pounds(typed) is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "Enter the hourly rate for Fringe"),
        ("abc", "Enter an hourly rate in pounds and pence, like 53.60"),
        ("0.00", "The hourly rate for Fringe must be more than £0"),
        ("1000.01", "The hourly rate for Fringe must be £1,000.00 or less"),
        ("45.105", "The hourly rate for Fringe must have no more than 2 decimal places"),
        ("1000.00", None),
        ("1" * 10_000, "Enter an hourly rate in pounds and pence, like 53.60"),
        ("0.01", None),
    ],
)
def test_each_rate_is_checked(typed: str, problem: str | None) -> None:
    assert rate_problem(Region.FRINGE, typed) == problem


def test_a_reason_is_needed_and_at_most_500_characters() -> None:
    assert reason_problem("") == "Enter a reason for the change"
    assert reason_problem("x" * 501) == "Reason must be 500 characters or less"
    assert reason_problem("x" * 500) is None


def test_a_region_with_no_approved_rate_has_the_published_one() -> None:
    rates = with_defaults(AcademicYear(2026), {Region.INNER_LONDON: 6000})
    assert rates.rates[Region.INNER_LONDON] == 6000
    assert rates.rates[Region.FRINGE] == 4510
    assert rates.published == frozenset({Region.OUTER_LONDON, Region.FRINGE, Region.REST_OF_ENGLAND})


def test_the_years_shown_run_from_2023_to_2024_to_next_year_and_include_any_other_known_year() -> None:
    years = rate_years(dt.date(2026, 11, 28), {AcademicYear(2022)})
    assert [year.start_year for year in years] == [2027, 2026, 2025, 2024, 2023, 2022]


def test_a_year_with_a_pending_proposal_takes_no_other() -> None:
    check_can_propose(None)
    check_can_propose(_proposal(ProposalStatus.APPROVED))
    with pytest.raises(ProposalPending):
        check_can_propose(_proposal())


def test_only_someone_else_may_decide_a_pending_proposal() -> None:
    check_can_decide(_proposal(), "user-sam")
    assert may_decide(_proposal(), "user-sam")
    assert not may_decide(_proposal(), "user-colin")
    with pytest.raises(OwnProposal):
        check_can_decide(_proposal(), "user-colin")


@pytest.mark.parametrize("status", [ProposalStatus.APPROVED, ProposalStatus.REJECTED])
def test_a_decided_proposal_is_not_decided_again(status: ProposalStatus) -> None:
    assert not may_decide(_proposal(status), "user-sam")
    with pytest.raises(ProposalDecided):
        check_can_decide(_proposal(status), "user-sam")
