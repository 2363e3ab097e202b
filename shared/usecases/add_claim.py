"""Adding a claim: the journey's answers, what each step offers, and the one submission."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import Allowance, TrainingType, training_type
from shared.claims.claim import MAX_MENTORS_PER_CLAIM, Claim, ClaimMentor, claim_amount_pence, new_reference
from shared.claims.drafts import DraftChanged, can_submit_draft
from shared.claims.eligibility import CannotClaim, cannot_claim
from shared.claims.errors import (
    AllowanceExceeded,
    ClaimNotFound,
    ConcurrentUpdate,
    DuplicateReference,
    JourneyFinished,
    MentorListChanged,
    NotFound,
    WindowClosed,
)
from shared.claims.money import format_pounds
from shared.claims.organisations import Provider, School
from shared.claims.people import User
from shared.claims.provider_search import search
from shared.claims.school_emails import claim_submitted_email
from shared.claims.statuses import ClaimStatus
from shared.claims.windows import ClaimWindow, current_window
from shared.config import settings
from shared.data.allowances import hours_used
from shared.data.claim_windows import ClaimWindows
from shared.data.claims import ClaimsStore
from shared.data.emails import enqueue
from shared.data.funding_rates import FundingRates
from shared.data.mentors import Mentor, Mentors
from shared.data.organisations import Providers
from shared.data.users import member_emails
from shared.journeys.add_claim import FLOW, Answers
from shared.observability import logger, metrics
from shared.usecases import journeys

REFRESHER_LOOKBACK_YEARS = 5
# WindowClosed's reason when a draft's own claim window has closed (it can no longer be submitted).
DRAFT_WINDOW_CLOSED = "draft_window_closed"


@dataclass(frozen=True)
class Context:
    """The window and the school's mentors: what every step needs."""

    window: ClaimWindow
    mentors: list[Mentor]


def context(school: School, now: dt.datetime, consistent: bool = False) -> Context:
    window = current_window(ClaimWindows().all(), now)
    mentors = Mentors().of_school(school.organisation_id, consistent=consistent)
    reason = cannot_claim(school, window, len(mentors), now)
    if reason is not None or window is None:
        raise WindowClosed(reason.value if reason else CannotClaim.WINDOW_CLOSED.value)
    return Context(window, mentors)


def start(user: User, school: School, now: dt.datetime) -> str:
    """A new add-claim journey for the user at this school (WindowClosed when no claim can be added)."""
    context(school, now)
    return journeys.start(FLOW, user.user_id, school.organisation_id, Answers(), now)


def load(journey_id: str, user: User, school: School, now: dt.datetime) -> tuple[Answers, str | None]:
    opened = journeys.open_journey(FLOW, Answers, journey_id, user.user_id, school.organisation_id, now)
    return opened.answers, opened.result


# -- providers -------------------------------------------------------------------------------------
def find_providers(query: str) -> list[Provider]:
    return search(Providers().accredited(), query)


def accredited_provider(code: str) -> Provider | None:
    try:
        provider = Providers().get(code)
    except NotFound:
        return None
    return provider if provider.accredited else None


def is_accredited(code: str) -> bool:
    return accredited_provider(code) is not None


def chosen_provider(answers: Answers) -> Provider:
    """The accredited provider the journey chose; NotFound if none (or it is no longer accredited)."""
    provider = accredited_provider(answers.provider_code or "")
    if provider is None:
        raise NotFound
    return provider


def chosen_provider_name(answers: Answers) -> str:
    """What the provider page's search box shows again: the provider chosen, if any."""
    provider = accredited_provider(answers.provider_code) if answers.provider_code else None
    return provider.name if provider else ""


# -- mentors and hours ----------------------------------------------------------------------------
@dataclass(frozen=True)
class MentorAllowance:
    mentor: Mentor
    allowance: Allowance


def allowances(mentors: list[Mentor], provider_code: str, year: AcademicYear) -> list[MentorAllowance]:
    """Each mentor's hours left with this provider this year, and whether it is refresher training:
    one BatchGet covering this year and earlier years."""
    years = [AcademicYear(year.start_year - back) for back in range(REFRESHER_LOOKBACK_YEARS + 1)]
    used = hours_used((m.trn, provider_code, y) for m in mentors for y in years)
    result = []
    for mentor in mentors:
        earlier = [y for y in years[1:] if used[(mentor.trn, provider_code, y.start_year)] > 0]
        kind = training_type(year, earlier)
        allowance = Allowance(mentor.trn, provider_code, year, kind, used[(mentor.trn, provider_code, year.start_year)])
        result.append(MentorAllowance(mentor, allowance))
    return result


@dataclass(frozen=True)
class MentorOffer:
    """The mentors page: the provider, the school's mentors with hours left with it, and those with none."""

    provider: Provider
    available: list[MentorAllowance]
    used_up: list[MentorAllowance]


def mentors_offered(school: School, answers: Answers, now: dt.datetime) -> MentorOffer:
    ctx = context(school, now)
    provider = chosen_provider(answers)
    everyone = allowances(ctx.mentors, provider.code, ctx.window.academic_year)
    return MentorOffer(
        provider,
        [m for m in everyone if m.allowance.remaining > 0],
        [m for m in everyone if m.allowance.remaining == 0],
    )


@dataclass(frozen=True)
class HoursOffer:
    """One mentor's hours page: the provider, the mentor and their allowance with it this year."""

    provider: Provider
    mentor: MentorAllowance


def hours_offered(school: School, answers: Answers, trn: str, now: dt.datetime) -> HoursOffer:
    """AllowanceExceeded when the mentor is no longer one of the school's (removed since they were chosen)."""
    ctx = context(school, now)
    provider = chosen_provider(answers)
    found = [m for m in allowances(ctx.mentors, provider.code, ctx.window.academic_year) if m.mentor.trn == trn]
    if not found:
        raise AllowanceExceeded(trn)
    return HoursOffer(provider, found[0])


@dataclass(frozen=True)
class ClaimSummary:
    provider: Provider
    academic_year: AcademicYear
    mentors: list[tuple[Mentor, int, TrainingType]]
    hourly_rate_pence: int

    @property
    def total_hours(self) -> int:
        return sum(hours for _, hours, _ in self.mentors)

    @property
    def amount_pence(self) -> int:
        return claim_amount_pence(self.total_hours, self.hourly_rate_pence)

    @property
    def hourly_rate(self) -> str:
        return format_pounds(self.hourly_rate_pence)

    @property
    def amount(self) -> str:
        return format_pounds(self.amount_pence)


def summary(school: School, answers: Answers, now: dt.datetime) -> ClaimSummary:
    """Check your answers: the claim as it would be submitted. AllowanceExceeded when a mentor has gone."""
    ctx = context(school, now)
    provider = chosen_provider(answers)
    by_trn = {m.mentor.trn: m for m in allowances(_chosen(ctx, answers), provider.code, ctx.window.academic_year)}
    rows = [(by_trn[trn].mentor, answers.hours[trn], by_trn[trn].allowance.kind) for trn in answers.mentor_trns]
    rate = FundingRates().rate_pence(ctx.window.academic_year, school.region)
    return ClaimSummary(provider, ctx.window.academic_year, rows, rate)


def _chosen(ctx: Context, answers: Answers) -> list[Mentor]:
    by_trn = {m.trn: m for m in ctx.mentors}
    missing = [trn for trn in answers.mentor_trns if trn not in by_trn]
    if missing:
        raise AllowanceExceeded(",".join(missing))  # a mentor was removed since they were chosen
    return [by_trn[trn] for trn in answers.mentor_trns]


# -- the claim as the answers make it ------------------------------------------------------------------
@dataclass(frozen=True)
class Priced:
    """What the answers come to once checked against the stored data: the claim's own fields and each
    mentor's allowance (for the caps the submission writes within)."""

    fields: dict[str, object]
    mentor_allowances: dict[str, MentorAllowance]

    @property
    def caps(self) -> dict[str, int]:
        return {trn: m.allowance.total for trn, m in self.mentor_allowances.items()}


def priced(school: School, answers: Answers, ctx: Context) -> Priced:
    """The claim the answers describe, priced at the school's rate for the window's year (the rate and
    amount snapshotted as at submission). AllowanceExceeded when a mentor has gone or has too few hours
    left; NotFound when the answers are not complete."""
    provider = accredited_provider(answers.provider_code or "")
    if provider is None or not answers.mentor_trns or len(answers.mentor_trns) > MAX_MENTORS_PER_CLAIM:
        raise AllowanceExceeded("answers")
    if any(trn not in answers.hours for trn in answers.mentor_trns):
        raise NotFound
    mentor_allowances = {
        m.mentor.trn: m for m in allowances(_chosen(ctx, answers), provider.code, ctx.window.academic_year)
    }
    for trn in answers.mentor_trns:
        if not mentor_allowances[trn].allowance.allows(answers.hours[trn]):
            raise AllowanceExceeded(trn)
    rate = FundingRates().rate_pence(ctx.window.academic_year, school.region)
    fields: dict[str, object] = {
        "school_id": school.organisation_id,
        "school_name": school.name,
        "provider_code": provider.code,
        "provider_name": provider.name,
        "window_id": ctx.window.window_id,
        "academic_year": ctx.window.academic_year,
        "mentors": tuple(
            ClaimMentor(
                trn=trn,
                first_name=mentor_allowances[trn].mentor.first_name,
                last_name=mentor_allowances[trn].mentor.last_name,
                hours=answers.hours[trn],
                training_type=mentor_allowances[trn].allowance.kind,
            )
            for trn in answers.mentor_trns
        ),
        "region": school.region.value,
        "hourly_rate_pence": rate,
        "amount_pence": claim_amount_pence(sum(answers.hours[trn] for trn in answers.mentor_trns), rate),
    }
    return Priced(fields, mentor_allowances)


# -- a draft DfE support prepared (ADR 0022) ------------------------------------------------------------
def school_draft(school: School, reference: str) -> Claim:
    """A draft of this school; any other reference, or a claim that is not a draft, is "not found"."""
    claim = ClaimsStore().get(reference)
    if claim.school_id != school.organisation_id or claim.status is not ClaimStatus.DRAFT:
        raise ClaimNotFound(reference)
    return claim


def open_draft(school: School, reference: str, now: dt.datetime) -> Claim:
    """A draft the school can still change and submit: WindowClosed (DRAFT_WINDOW_CLOSED) once its window
    has closed, or the usual reasons a school cannot claim now."""
    draft = school_draft(school, reference)
    window = current_window(ClaimWindows().all(), now)
    if not can_submit_draft(draft, window, now):
        raise WindowClosed(DRAFT_WINDOW_CLOSED)
    context(school, now)
    return draft


def start_from_draft(user: User, school: School, reference: str, now: dt.datetime) -> str:
    """The school's add-claim journey over a draft: its answers filled in from the draft, to change what needs
    changing, confirm the hours and submit it with the declaration. The draft itself is unchanged until then."""
    draft = open_draft(school, reference, now)
    answers = Answers.from_draft(draft.reference, draft.provider_code, {m.trn: m.hours for m in draft.mentors})
    return journeys.start(FLOW, user.user_id, school.organisation_id, answers, now)


# -- submission -----------------------------------------------------------------------------------
def submit(journey_id: str, user: User, school: School, now: dt.datetime) -> str:
    """Submit the claim once. Returns its reference (the same one on a repeated click).

    Raises WindowClosed when the window has closed or the school is no longer eligible, and
    AllowanceExceeded when someone else's claim has used hours these mentors needed. A journey over a draft
    submits that draft (the same reference, in one transaction with the hours); DraftChanged when the draft
    changed meanwhile, WindowClosed (DRAFT_WINDOW_CLOSED) when its window has closed.
    """
    answers, result = load(journey_id, user, school, now)
    if result is not None:
        return result
    draft = open_draft(school, answers.draft_reference, now) if answers.draft_reference else None
    # The mentor-list version first, then the list: a mentor removed after the version was read makes the
    # submission's check fail, and one removed before it is not in the list (both strongly consistent).
    mentors_version = Mentors().list_version(school.organisation_id)
    ctx = context(school, now, consistent=True)
    if not answers.hours_confirmed:
        raise NotFound
    made = priced(school, answers, ctx)
    submission: dict[str, object] = {
        **made.fields,
        "status": ClaimStatus.SUBMITTED,
        "submitted_at": now,
        "submitted_by": user.user_id,
        "submitted_by_name": user.full_name,
    }
    if draft is None:
        claim = Claim.model_validate({"reference": new_reference(), "created_at": now, **submission})
    else:
        if draft.window_id != ctx.window.window_id:
            raise WindowClosed(DRAFT_WINDOW_CLOSED)
        claim = draft.model_copy(update={**submission, "version": draft.version + 1})
    caps = made.caps
    store = ClaimsStore()
    for _ in range(5):
        try:
            store.submit(claim, caps, journey_id, user.user_id, now, mentors_version, draft)
        except JourneyFinished:
            _, result = load(journey_id, user, school, now)
            if result is not None:
                return result  # a second click: the first one's claim
            continue
        except DuplicateReference:
            claim = claim.model_copy(update={"reference": new_reference()})
            continue
        except DraftChanged:
            if draft is None:
                raise
            now_stored = store.get(draft.reference)
            if now_stored.status is ClaimStatus.SUBMITTED:
                return now_stored.reference  # submitted meanwhile (another tab, a colleague)
            if now_stored.status is not ClaimStatus.DRAFT or now_stored.window_id != draft.window_id:
                raise WindowClosed(DRAFT_WINDOW_CLOSED) from None  # expired, or moved on at window close
            raise
        except ConcurrentUpdate:
            continue  # collided with another transaction mid-flight: the conditions decide on retry
        except MentorListChanged:
            # A mentor left the school's list since it was read: read it again (a chosen mentor who left
            # ends the submission with AllowanceExceeded), then try again.
            mentors_version = Mentors().list_version(school.organisation_id)
            _chosen(context(school, now, consistent=True), answers)
            continue
        _after_submit(claim)
        return claim.reference
    raise AllowanceExceeded(claim.reference)


def _after_submit(claim: Claim) -> None:
    logger.info(
        "claim submitted",
        extra={"reference": claim.reference, "school_id": claim.school_id, "mentors": len(claim.mentors)},
    )
    metrics.add_metric(name="ClaimSubmitted", unit="Count", value=1)
    try:
        service_url = settings().service_url
        enqueue(
            [
                claim_submitted_email(claim, address, service_url=service_url)
                for address in member_emails(claim.school_id)
            ]
        )
    except Exception:  # noqa: BLE001 - the claim stands; the email is reported, not the claim lost
        logger.exception("claim submitted email not queued", extra={"reference": claim.reference})
        metrics.add_metric(name="EmailNotQueued", unit="Count", value=1)
