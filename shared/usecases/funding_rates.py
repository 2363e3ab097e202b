"""Support → Settings → Funding rates: see each year's rates and their history, propose new ones, approve or
reject another support user's proposal (ADR 0027).

Rates change only when a second support user approves: proposing stores a pending proposal and nothing else;
approving writes the rates and the proposal's new status in one transaction. A claim keeps the rate written on
it when it was submitted; a claim submitted after the approval is priced at the new rate
(`shared.data.funding_rates.FundingRates.rate_pence`, which the add claim journey reads).

Reads per page: the rates page is, per academic year shown, one BatchGetItem (the rates) and one Query (the
proposals), plus the claim windows' one Query for the years they name.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.errors import NotFound
from shared.claims.funding_rates import (
    REJECTION_MISSING,
    REJECTION_TOO_LONG,
    RateProposal,
    YearRates,
    check_can_decide,
    check_can_propose,
    parse_pounds,
    rate_problem,
    rate_years,
    reason_problem,
    with_defaults,
)
from shared.claims.money import format_csv_amount
from shared.claims.people import User
from shared.claims.regions import Region
from shared.data.claim_windows import ClaimWindows
from shared.data.funding_rates import FundingRates
from shared.journeys.forms import Errors, Form, value
from shared.journeys.funding_rates import REASON, RateAnswers, RatesForm, field_name
from shared.journeys.funding_rates import form_for as form_for_answers
from shared.journeys.funding_rates import read_form as read_rates_form
from shared.observability import logger, metrics

BASE = "/support/settings/funding-rates"
REGION_NAMES = [region.value for region in Region]

__all__ = [
    "BASE",
    "REASON",
    "REGION_NAMES",
    "RateAnswers",
    "RatesForm",
    "YearView",
    "approve",
    "change_form",
    "field_name",
    "form_for",
    "proposal",
    "propose",
    "read_form",
    "read_rejection",
    "reject",
    "year_of",
    "years",
]


@dataclass(frozen=True)
class YearView:
    """One academic year on the rates page: its rates, any pending proposal, and every proposal, newest first."""

    rates: YearRates
    pending: RateProposal | None
    history: list[RateProposal]

    @property
    def academic_year(self) -> AcademicYear:
        return self.rates.academic_year


def _known_years(now: dt.datetime) -> list[AcademicYear]:
    windows = {window.academic_year for window in ClaimWindows().all()}
    return rate_years(london_today(now), windows)


def year_of(start_year: str, now: dt.datetime) -> AcademicYear:
    """The academic year named by a URL's start year; NotFound for one the page does not offer."""
    if not (start_year.isascii() and start_year.isdigit() and len(start_year) == 4):
        raise NotFound
    year = AcademicYear(int(start_year))
    if year not in _known_years(now):
        raise NotFound
    return year


def _view(year: AcademicYear) -> YearView:
    repository = FundingRates()
    history = repository.proposals(year)
    pending = next((proposal for proposal in history if proposal.pending), None)
    return YearView(with_defaults(year, repository.approved(year)), pending, history)


def years(now: dt.datetime) -> list[YearView]:
    """Every academic year the service knows, newest first, with its rates and proposals."""
    return [_view(year) for year in _known_years(now)]


def year(academic_year: AcademicYear) -> YearView:
    return _view(academic_year)


# -- proposing ----------------------------------------------------------------------------------------------
def change_form(academic_year: AcademicYear) -> RatesForm:
    """The change form filled with the year's current rates; ProposalPending while a proposal waits."""
    view = _view(academic_year)
    check_can_propose(view.pending)
    typed = {field_name(region.value): format_csv_amount(pence) for region, pence in view.rates.rates.items()}
    return RatesForm({**typed, REASON: ""})


def form_for(answers: RateAnswers) -> RatesForm:
    return form_for_answers(answers, {region: format_csv_amount(pence) for region, pence in answers.rates.items()})


def read_form(form: Form, academic_year: AcademicYear) -> RatesForm:
    """The posted rates and reason: answers, or the problems by field in GOV.UK wording."""
    problems: dict[str, str] = {}
    pence: dict[str, int] = {}
    for region in Region:
        name = field_name(region.value)
        text = value(form, name)
        problem = rate_problem(region, text)
        if problem:
            problems[name] = problem
        else:
            pence[region.value] = parse_pounds(text) or 0
    reason = reason_problem(value(form, REASON))
    if reason:
        problems[REASON] = reason
    return read_rates_form(form, academic_year.start_year, REGION_NAMES, problems, pence)


def _entry(kind: ActivityKind, user: User, now: dt.datetime, proposal: RateProposal) -> ActivityEntry:
    return ActivityEntry(
        activity_id=f"{kind.value}-{proposal.proposal_id}",
        kind=kind,
        at=now,
        actor_id=user.user_id,
        actor_name=user.full_name,
        summary=proposal.academic_year.name,
        counts={"regions": len(proposal.rates)},
        link=f"{BASE}/{proposal.academic_year.start_year}/proposals/{proposal.proposal_id}",
    )


PROPOSAL_ID = re.compile(r"\d{8}T\d{12}-[0-9a-f]{12}")


def _proposal_id(now: dt.datetime) -> str:
    """Sorts by when it was proposed; unique however many are proposed in one instant."""
    return f"{now.astimezone(dt.UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}"


def propose(user: User, answers: RateAnswers, now: dt.datetime) -> RateProposal:
    """Store the proposal (the rates do not change); ProposalPending if the year already has one waiting."""
    academic_year = AcademicYear(answers.academic_year)
    view = _view(academic_year)
    check_can_propose(view.pending)
    proposal = RateProposal(
        proposal_id=_proposal_id(now),
        academic_year=academic_year,
        rates={Region(name): pence for name, pence in answers.rates.items()},
        previous_rates=view.rates.rates,
        reason=answers.reason,
        proposed_by_id=user.user_id,
        proposed_by_name=user.full_name,
        proposed_at=now,
    )
    FundingRates().propose(proposal, _entry(ActivityKind.RATES_PROPOSED, user, now, proposal))
    metrics.add_metric(name="FundingRatesProposed", unit="Count", value=1)
    logger.info(
        "funding rates proposed",
        extra={"academic_year": academic_year.name, "proposal_id": proposal.proposal_id, "user_id": user.user_id},
    )
    return proposal


# -- deciding -----------------------------------------------------------------------------------------------
def proposal(academic_year: AcademicYear, proposal_id: str) -> RateProposal:
    """The proposal; NotFound for no such proposal (or an id that cannot be one, before any read)."""
    if not PROPOSAL_ID.fullmatch(proposal_id):
        raise NotFound
    found = FundingRates().proposal(academic_year, proposal_id)
    if found is None:
        raise NotFound
    return found


def approve(user: User, academic_year: AcademicYear, proposal_id: str, now: dt.datetime) -> RateProposal:
    """Approve another support user's proposal: the new rates apply from now. OwnProposal for the proposer;
    ProposalDecided if it was approved or rejected first (the losing one of two approvals writes nothing);
    ConcurrentUpdate if DynamoDB cancelled it for another transaction on the same items at the same moment."""
    found = proposal(academic_year, proposal_id)
    check_can_decide(found, user.user_id)
    FundingRates().approve(found, user.user_id, user.full_name, _entry(ActivityKind.RATES_APPROVED, user, now, found))
    metrics.add_metric(name="FundingRatesApproved", unit="Count", value=1)
    logger.info(
        "funding rates approved",
        extra={"academic_year": academic_year.name, "proposal_id": proposal_id, "user_id": user.user_id},
    )
    return found


def read_rejection(form: Form) -> tuple[str | None, Errors]:
    """The reason for rejecting, or its error."""
    text = value(form, REASON)
    errors = Errors()
    problem = reason_problem(text, missing=REJECTION_MISSING, too_long=REJECTION_TOO_LONG)
    if problem:
        errors.add(REASON, problem)
        return None, errors
    return text.strip(), errors


def reject(user: User, academic_year: AcademicYear, proposal_id: str, reason: str, now: dt.datetime) -> RateProposal:
    """Reject another support user's proposal, with a reason: the rates stay as they are."""
    found = proposal(academic_year, proposal_id)
    check_can_decide(found, user.user_id)
    FundingRates().reject(
        found, user.user_id, user.full_name, reason, _entry(ActivityKind.RATES_REJECTED, user, now, found)
    )
    metrics.add_metric(name="FundingRatesRejected", unit="Count", value=1)
    logger.info(
        "funding rates rejected",
        extra={"academic_year": academic_year.name, "proposal_id": proposal_id, "user_id": user.user_id},
    )
    return found
