"""Funding rates: the hourly rate per funding region per academic year, and how a change is made.

A change of rates is proposed by one support user and takes effect only when a different support user approves
it (money-changing actions need a second person, ADR 0027). An academic year has at most one pending proposal;
a proposal is decided once (approved or rejected). Amounts are integer pence: "53.60" is read as 5360 from its
digits, never through a float.

Pure: no storage, no web.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from shared.claims.academic_years import AcademicYear
from shared.claims.domain import Domain
from shared.claims.errors import DomainError
from shared.claims.regions import DEFAULT_HOURLY_RATES_PENCE, Region

MAX_RATE_PENCE = 100_000  # £1,000.00 an hour: anything above is a typing slip
MAX_REASON_LENGTH = 500
FIRST_RATED_YEAR = AcademicYear(2023)  # the published rates apply from 2023 to 2024 (docs/domain.md)

RATE_FORMAT = "Enter an hourly rate in pounds and pence, like 53.60"
REASON_MISSING = "Enter a reason for the change"
REASON_TOO_LONG = f"Reason must be {MAX_REASON_LENGTH} characters or less"
REJECTION_MISSING = "Enter a reason for rejecting the rates"
REJECTION_TOO_LONG = f"Reason for rejecting must be {MAX_REASON_LENGTH} characters or less"

# Digits with an optional decimal part: "53.60", "53.6", "53", "1,000.00". The decimal part is read as typed, so
# "53.605" is refused as more than two decimal places rather than rounded.
# At most nine digits of pounds: more is no rate, and Python will not read a number of thousands of digits.
_POUNDS = re.compile(r"^(?P<pounds>\d{1,3}(?:,\d{3}){1,2}|\d{1,9})(?:\.(?P<pence>\d+))?$")


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


STATUS_LABELS = {
    ProposalStatus.PENDING: "Waiting for approval",
    ProposalStatus.APPROVED: "Approved",
    ProposalStatus.REJECTED: "Rejected",
}


class ProposalPending(DomainError):
    """The academic year already has proposed rates waiting for a decision."""


class OwnProposal(DomainError):
    """A support user may not approve (or reject) rates they proposed themselves."""


class ProposalDecided(DomainError):
    """The proposal has already been approved or rejected (by someone else, or by a second click)."""


class RateProposal(Domain):
    """Rates proposed for an academic year: the new and the then current rate of every region, and its decision."""

    proposal_id: str
    academic_year: AcademicYear
    rates: dict[Region, int]
    previous_rates: dict[Region, int]
    reason: str
    proposed_by_id: str
    proposed_by_name: str
    proposed_at: dt.datetime
    status: ProposalStatus = ProposalStatus.PENDING
    decided_by_id: str | None = None
    decided_by_name: str | None = None
    decided_at: dt.datetime | None = None
    rejection_reason: str | None = None

    @property
    def pending(self) -> bool:
        return self.status is ProposalStatus.PENDING

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def changes(self) -> list[tuple[Region, int, int]]:
        """Every region in order, with its rate before and as proposed."""
        return [(region, self.previous_rates.get(region, 0), self.rates[region]) for region in Region]


class YearRates(Domain):
    """An academic year's rate for every region; `published` names the regions on the published default."""

    academic_year: AcademicYear
    rates: dict[Region, int]
    published: frozenset[Region] = frozenset()


def with_defaults(year: AcademicYear, approved: dict[Region, int]) -> YearRates:
    """The year's approved rates, with the published default for any region that has none (a new deployment)."""
    rates = {region: approved.get(region, DEFAULT_HOURLY_RATES_PENCE[region]) for region in Region}
    return YearRates(
        academic_year=year, rates=rates, published=frozenset(region for region in Region if region not in approved)
    )


def rate_years(today: dt.date, known: set[AcademicYear]) -> list[AcademicYear]:
    """The academic years the rates page shows, newest first: from 2023 to 2024 to the year after today's, and any
    other year the service knows (a claim window's, a year with rates)."""
    current = AcademicYear.for_date(today)
    years = {AcademicYear(start) for start in range(FIRST_RATED_YEAR.start_year, current.start_year + 2)}
    return sorted(years | known, reverse=True)


def parse_pounds(text: str) -> int | None:
    """Pounds and pence as typed ("53.60", "£53.60", "1,000", "53.6") → pence; None when it is not an amount of
    pounds with at most two decimal places."""
    cleaned = "".join(text.split()).removeprefix("£")
    found = _POUNDS.match(cleaned)
    if not found or not cleaned.isascii():
        return None
    pence_digits = found.group("pence") or ""
    if len(pence_digits) > 2:
        return None
    pounds = int(found.group("pounds").replace(",", ""))
    return pounds * 100 + int(pence_digits.ljust(2, "0"))


def rate_problem(region: Region, text: str) -> str | None:
    """What is wrong with a region's rate as typed, in GOV.UK wording; None when it is a rate."""
    if not text.strip():
        return f"Enter the hourly rate for {region.value}"
    pence = parse_pounds(text)
    if pence is None:
        cleaned = "".join(text.split()).removeprefix("£")
        if re.fullmatch(r"[\d,]+\.\d{3,}", cleaned):
            return f"The hourly rate for {region.value} must have no more than 2 decimal places"
        return RATE_FORMAT
    if pence <= 0:
        return f"The hourly rate for {region.value} must be more than £0"
    if pence > MAX_RATE_PENCE:
        return f"The hourly rate for {region.value} must be £1,000.00 or less"
    return None


def reason_problem(text: str, *, missing: str = REASON_MISSING, too_long: str = REASON_TOO_LONG) -> str | None:
    if not text.strip():
        return missing
    if len(text.strip()) > MAX_REASON_LENGTH:
        return too_long
    return None


def check_can_propose(pending: RateProposal | None) -> None:
    """ProposalPending while the year has rates waiting for a decision."""
    if pending is not None and pending.pending:
        raise ProposalPending


def check_can_decide(proposal: RateProposal, user_id: str) -> None:
    """ProposalDecided once it is decided; OwnProposal for the user who proposed it."""
    if not proposal.pending:
        raise ProposalDecided
    if proposal.proposed_by_id == user_id:
        raise OwnProposal


def may_decide(proposal: RateProposal, user_id: str) -> bool:
    """Whether the user sees "Approve rates": a pending proposal someone else made."""
    return proposal.pending and proposal.proposed_by_id != user_id
