"""DfE support preparing a draft claim for a school (ADR 0022): the school, then the school journey's
provider, mentors and hours steps (`shared.journeys.add_claim.DRAFT_FLOW`), check answers, "Save draft".

The draft is a claim item in status `draft`, `prepared_by` the support user, priced as the school's
journey prices a claim, holding no hours. The school's users are emailed; they check it, change it and
submit it themselves with the declaration (`shared.usecases.add_claim.start_from_draft`). Support cannot
submit it: the school's pages are for the school's members only (`shared.usecases.access.school_for`).
"""

from __future__ import annotations

import datetime as dt

from shared.claims.claim import Claim, new_reference
from shared.claims.drafts import draft_prepared_email
from shared.claims.eligibility import CannotClaim, cannot_claim
from shared.claims.errors import (
    ConcurrentUpdate,
    DuplicateReference,
    JourneyFinished,
    NotFound,
    OrganisationNotFound,
    WindowClosed,
)
from shared.claims.organisations import School
from shared.claims.people import User
from shared.claims.statuses import ClaimStatus
from shared.claims.windows import ClaimWindow, current_window
from shared.config import settings
from shared.data.claim_windows import ClaimWindows
from shared.data.claims import ClaimsStore
from shared.data.emails import enqueue
from shared.data.mentors import Mentors
from shared.data.organisations import Organisations
from shared.data.school_search import schools_named
from shared.data.users import member_emails
from shared.journeys import add_claim as journey
from shared.journeys.add_claim import DRAFT_FLOW, DraftAnswers
from shared.observability import logger, metrics
from shared.usecases import add_claim, journeys
from shared.usecases.journeys import Opened

SUPPORT = "support"  # the organisation a support user's journeys belong to


def open_window(now: dt.datetime) -> ClaimWindow:
    """The claim window open now; WindowClosed when there is none (a draft can only be prepared in one)."""
    window = current_window(ClaimWindows().all(), now)
    if window is None:
        raise WindowClosed(CannotClaim.WINDOW_CLOSED.value)
    return window


def refusal(school_id: str, now: dt.datetime) -> str | None:
    """Why this school cannot have a draft prepared now (an error message for the school question), or None:
    it must exist, be eligible for the open window's academic year and have at least one mentor."""
    window = open_window(now)
    try:
        school = Organisations().get_school(school_id)
    except OrganisationNotFound:
        return journey.unknown_school(school_id)
    reason = cannot_claim(school, window, len(Mentors().of_school(school.organisation_id)), now)
    if reason is CannotClaim.NOT_ELIGIBLE:
        return journey.school_not_eligible(school.name, window.academic_year.name)
    if reason is CannotClaim.NO_MENTORS:
        return journey.school_without_mentors(school.name)
    if reason is CannotClaim.WINDOW_CLOSED:
        raise WindowClosed(reason.value)
    return None


def find_schools(query: str) -> list[School]:
    return schools_named(query)


def start(user: User, now: dt.datetime, school_id: str | None = None) -> str:
    """A new draft journey for the support user, the school already chosen or not (a search first)."""
    open_window(now)
    answers = DraftAnswers()
    if school_id is not None:
        answers.choose_school(school_id)
    return journeys.start(DRAFT_FLOW, user.user_id, SUPPORT, answers, now)


def chosen_school(answers: DraftAnswers) -> School:
    """The school the journey chose; NotFound if none."""
    if not answers.school_id:
        raise NotFound
    return Organisations().get_school(answers.school_id)


def school_name(school_id: str | None) -> str:
    """What the school question shows again: the school chosen, if any."""
    if not school_id:
        return ""
    try:
        return Organisations().get_school(school_id).name
    except OrganisationNotFound:
        return ""


def summary(answers: DraftAnswers, now: dt.datetime) -> tuple[School, add_claim.ClaimSummary]:
    school = chosen_school(answers)
    return school, add_claim.summary(school, answers, now)


def save(journey_id: str, user: User, now: dt.datetime) -> str:
    """Save the draft once; its reference (the same one on a repeated click).

    Raises WindowClosed when the window has closed or the school can no longer claim, AllowanceExceeded when
    a mentor has gone or has fewer hours left than the answers give them.
    """
    opened: Opened[DraftAnswers] = journeys.open_journey(
        DRAFT_FLOW, DraftAnswers, journey_id, user.user_id, SUPPORT, now
    )
    if opened.result is not None:
        return opened.result
    answers = opened.answers
    school = chosen_school(answers)
    ctx = add_claim.context(school, now, consistent=True)
    made = add_claim.priced(school, answers, ctx)
    claim = Claim.model_validate(
        {
            **made.fields,
            "reference": new_reference(),
            "status": ClaimStatus.DRAFT,
            "created_at": now,
            "prepared_by": user.user_id,
        }
    )
    store = ClaimsStore()
    for _ in range(5):
        try:
            store.save_draft(claim, journey_id, user.user_id, now)
        except JourneyFinished:
            again = journeys.open_journey(DRAFT_FLOW, DraftAnswers, journey_id, user.user_id, SUPPORT, now)
            if again.result is not None:
                return again.result  # a second click: the first one's draft
            continue
        except DuplicateReference:
            claim = claim.model_copy(update={"reference": new_reference()})
            continue
        except ConcurrentUpdate:
            continue
        _after_save(claim, ctx.window)
        return claim.reference
    raise ConcurrentUpdate(claim.reference)


def _after_save(claim: Claim, window: ClaimWindow) -> None:
    logger.info(
        "draft claim prepared by support",
        extra={"reference": claim.reference, "school_id": claim.school_id, "mentors": len(claim.mentors)},
    )
    metrics.add_metric(name="DraftClaimPrepared", unit="Count", value=1)
    try:
        service_url = settings().service_url
        enqueue(
            [
                draft_prepared_email(claim, address, window=window, service_url=service_url)
                for address in member_emails(claim.school_id)
            ]
        )
    except Exception:  # noqa: BLE001 - the draft stands; the email is reported, not the draft lost
        logger.exception("draft prepared email not queued", extra={"reference": claim.reference})
        metrics.add_metric(name="EmailNotQueued", unit="Count", value=1)


def saved_draft(reference: str) -> Claim:
    """A draft support prepared (the confirmation page); NotFound for anything else."""
    claim = ClaimsStore().get(reference)
    if claim.prepared_by is None:
        raise NotFound
    return claim


def draft_window(draft: Claim) -> ClaimWindow | None:
    return ClaimWindows().get(draft.window_id)
