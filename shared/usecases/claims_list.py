"""The school's Claims page and claim page: the current window, whether a claim can be started,
claims grouped by academic year (newest first), withdrawing a submitted claim, and whether a draft DfE
support prepared can still be changed and submitted (ADR 0022)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.claim import Claim
from shared.claims.drafts import can_submit_draft
from shared.claims.eligibility import CannotClaim, cannot_claim
from shared.claims.errors import ClaimNotFound, WindowClosed
from shared.claims.organisations import School
from shared.claims.people import User
from shared.claims.school_emails import claim_withdrawn_email
from shared.claims.statuses import ClaimStatus
from shared.claims.windows import ClaimWindow, Countdown, countdown, current_window
from shared.config import settings
from shared.data.claim_windows import ClaimWindows
from shared.data.claims import ClaimsStore
from shared.data.mentors import Mentors
from shared.observability import logger, metrics
from shared.usecases.school_emails import tell_school_users


@dataclass(frozen=True)
class YearGroup:
    name: str
    current: bool
    claims: list[Claim]


@dataclass(frozen=True)
class ClaimsPage:
    window: ClaimWindow | None
    countdown: Countdown | None
    cannot_claim: CannotClaim | None
    eligible: bool
    years: list[YearGroup]


def claims_page(school: School, now: dt.datetime) -> ClaimsPage:
    """Three Queries whatever the number of claims: windows, the school's mentors, the school's claims."""
    windows = ClaimWindows().all()
    window = current_window(windows, now)
    this_year = window.academic_year if window else AcademicYear.for_date(london_today(now))
    claims = ClaimsStore().for_school(school.organisation_id)
    years = sorted(
        {w.academic_year for w in windows if w.academic_year <= this_year}
        | {this_year}
        | {c.academic_year for c in claims},
        reverse=True,
    )
    reason = cannot_claim(school, window, len(Mentors().of_school(school.organisation_id)), now)
    return ClaimsPage(
        window=window,
        countdown=countdown(window, now) if window else None,
        cannot_claim=reason,
        eligible=window is not None and window.academic_year.name in school.eligible_years,
        years=[
            YearGroup(year.name, year == this_year, [c for c in claims if c.academic_year == year]) for year in years
        ],
    )


def school_claim(school: School, reference: str) -> Claim:
    """A claim of this school; any other reference is "not found" (never another school's claim)."""
    claim = ClaimsStore().get(reference)
    if claim.school_id != school.organisation_id:
        raise ClaimNotFound(reference)
    return claim


@dataclass(frozen=True)
class DraftState:
    """A draft's page: whether the school can still change and submit it, and its window (for the date)."""

    can_submit: bool
    window: ClaimWindow | None


def draft_state(school: School, claim: Claim, now: dt.datetime) -> DraftState | None:
    """None for a claim that is not a draft. A draft can be changed and submitted while its window is open
    and the school can claim (eligible, with mentors)."""
    if claim.status is not ClaimStatus.DRAFT:
        return None
    window = ClaimWindows().get(claim.window_id)
    allowed = can_submit_draft(claim, window, now) and (
        cannot_claim(school, window, len(Mentors().of_school(school.organisation_id)), now) is None
    )
    return DraftState(allowed, window)


def can_withdraw(claim: Claim, now: dt.datetime) -> bool:
    if claim.status is not ClaimStatus.SUBMITTED:
        return False
    window = ClaimWindows().get(claim.window_id)
    return window is not None and window.is_open(now)


def withdraw(school: School, user: User, reference: str, now: dt.datetime) -> Claim:
    """Withdraw a submitted claim while its window is open; its hours are released in the same write."""
    claim = school_claim(school, reference)
    if not can_withdraw(claim, now):
        raise WindowClosed(claim.reference)
    withdrawn = ClaimsStore().change_status(claim, ClaimStatus.WITHDRAWN, user.user_id, now, "Withdrawn by the school")
    logger.info("claim withdrawn", extra={"reference": reference, "school_id": school.organisation_id})
    service_url = settings().service_url
    tell_school_users(
        withdrawn.school_id,
        lambda address: claim_withdrawn_email(withdrawn, address, withdrawn_by=user.full_name, service_url=service_url),
        reference,
    )
    metrics.add_metric(name="ClaimWithdrawn", unit="Count", value=1)
    return withdrawn
