"""Support console: "Create a draft claim" for a school, /support/claims/drafts/new/... (ADR 0022).

The school (its URN, or a search by name), then the school journey's own provider, mentors and hours steps
and templates (`shared.journeys.add_claim.DRAFT_FLOW`, ADR 0018), check answers and "Save draft". The
draft is saved once (the journey finishes with its reference) and the school's users are emailed; the school
submits it. There is no submit here: support cannot submit a claim for a school.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.claim import MAX_MENTORS_PER_CLAIM
from shared.claims.drafts import closes_text
from shared.claims.errors import AllowanceExceeded, WindowClosed, WindowClosedDuringSubmission
from shared.claims.provider_search import describe
from shared.journeys import add_claim as journey
from shared.journeys.add_claim import DRAFT_FLOW, DraftAnswers, StepName, at
from shared.journeys.flow import Location
from shared.journeys.forms import Errors
from shared.usecases import add_claim, support_drafts
from shared.usecases.journeys import Opened
from shared.web.journeys import back_href, continue_to, open_step
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request
from shared.web.support import SupportPage, support_page

router = Router()

BASE = "/support/claims/drafts/new"
CLAIMS = "/support/claims"
NAV = "All claims"
CREATE = "Create a draft claim"
SCHOOL_H1 = "Which school is the claim for?"
SAVED_H1 = "Draft claim saved"
CANNOT_CREATE_H1 = "You cannot create a draft claim at the moment"
CLOSED_BEFORE_SAVE_H1 = "The claim window closed before the draft claim was saved"
RECENTLY_CHANGED_H1 = "You cannot save the draft claim because the mentors’ information has recently changed"

SCHOOL = at(StepName.SCHOOL)
SCHOOL_OPTIONS = at(StepName.SCHOOL_OPTIONS)
PROVIDER = at(StepName.PROVIDER)
OPTIONS = at(StepName.PROVIDER_OPTIONS)
MENTORS = at(StepName.MENTORS)
CHECK = at(StepName.CHECK)


def _base(journey_id: str) -> str:
    return f"{BASE}/{journey_id}"


def _saved(reference: str) -> str:
    return f"/support/claims/drafts/{reference}/saved"


def _open(journey_id: str, here: Location) -> tuple[Request, SupportPage, Opened[DraftAnswers], str]:
    """The support user, their journey at `here` (404 for anyone else's) and its base URL; a saved draft
    goes to its confirmation, a step not reached yet to the first unanswered one."""
    request = current_request(router)
    support = support_page(request)
    support_drafts.open_window(request.now)  # every step: a draft is only prepared while a window is open
    base = _base(journey_id)
    opened = open_step(
        DRAFT_FLOW,
        DraftAnswers,
        journey_id,
        here,
        base,
        owner=support.user.user_id,
        organisation_id=support_drafts.SUPPORT,
        now=request.now,
        finished=_saved,
    )
    return request, support, opened, base


def _step_page(
    request: Request,
    support: SupportPage,
    answers: DraftAnswers | None,
    base: str,
    here: Location,
    template: str,
    h1: str,
    **context: Any,
) -> Response[Any]:
    school = support_drafts.school_name(answers.school_id) if answers else ""
    values: dict[str, Any] = {
        "caption": f"{CREATE} - {school}" if school else CREATE,
        "back_href": back_href(DRAFT_FLOW, answers, here, base, CLAIMS) if answers else CLAIMS,
        "action": here.path(base),
        "for_support": True,
        **support.context(NAV),
        **context,
    }
    return page(request, template, h1=h1, **values)


def _guard(handler: Any) -> Any:
    """No open window, or a school that can no longer claim, the same way for every step."""

    def wrapped(*args: Any, **kwargs: Any) -> Response[Any]:
        request = current_request(router)
        try:
            response: Response[Any] = handler(*args, **kwargs)
        except WindowClosedDuringSubmission:
            return page(
                request,
                "support/drafts/cannot-create.html",
                status=409,
                h1=CLOSED_BEFORE_SAVE_H1,
                **SupportPage.context(NAV),
                reason="closed_before_save",
                claims_href=CLAIMS,
            )
        except WindowClosed as closed:
            return page(
                request,
                "support/drafts/cannot-create.html",
                status=409 if request.method == "POST" else 200,
                h1=CANNOT_CREATE_H1,
                **SupportPage.context(NAV),
                reason=str(closed),
                claims_href=CLAIMS,
            )
        except AllowanceExceeded:
            return page(
                request,
                "schools/add-claim/recently-changed.html",
                status=409,
                h1=RECENTLY_CHANGED_H1,
                **SupportPage.context(NAV),
                for_support=True,
                claims_href=CLAIMS,
            )
        return response

    wrapped.__name__ = handler.__name__
    return wrapped


# -- the school ----------------------------------------------------------------------------------------
def _school_page(
    request: Request,
    support: SupportPage,
    answers: DraftAnswers | None,
    base: str | None,
    errors: Errors,
    query: str,
) -> Response[Any]:
    context: dict[str, Any] = {"errors": errors, "query": query}
    if base is None:  # the first question, before there is a journey
        return _step_page(
            request, support, None, "", SCHOOL, "support/drafts/school.html", SCHOOL_H1, **context, action=BASE
        )
    return _step_page(request, support, answers, base, SCHOOL, "support/drafts/school.html", SCHOOL_H1, **context)


def _refusal(request: Request) -> Any:
    return lambda school_id: support_drafts.refusal(school_id, request.now)


@router.get(BASE)
@_guard
def new_draft() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    support_drafts.open_window(request.now)
    return _school_page(request, support, None, None, Errors(), request.arg("query"))


@router.post(BASE)
@_guard
def choose_first_school() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    posted = journey.parse_school(request.form, _refusal(request))
    if isinstance(posted, Errors):
        return _school_page(request, support, None, None, posted, request.field("school_search"))
    if isinstance(posted, journey.SchoolSearch):
        journey_id = support_drafts.start(support.user, request.now)
        return redirect(f"{SCHOOL_OPTIONS.path(_base(journey_id))}?query={quote(posted.query)}")
    journey_id = support_drafts.start(support.user, request.now, posted.school_id)
    return redirect(DRAFT_FLOW.next_after(DraftAnswers(school_id=posted.school_id)).path(_base(journey_id)))


@router.get(f"{BASE}/<journey_id>/school")
@_guard
def school(journey_id: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, SCHOOL)
    query = request.arg("query") or support_drafts.school_name(opened.answers.school_id)
    return _school_page(request, support, opened.answers, base, Errors(), query)


@router.post(f"{BASE}/<journey_id>/school")
@_guard
def choose_school(journey_id: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, SCHOOL)
    posted = journey.parse_school(request.form, _refusal(request))
    if isinstance(posted, Errors):
        return _school_page(request, support, opened.answers, base, posted, request.field("school_search"))
    if isinstance(posted, journey.SchoolSearch):
        return redirect(f"{SCHOOL_OPTIONS.path(base)}?query={quote(posted.query)}")
    opened.answers.choose_school(posted.school_id)
    return redirect(continue_to(DRAFT_FLOW, opened, base, request.now))


def _school_options_page(
    request: Request, support: SupportPage, answers: DraftAnswers, base: str, query: str, errors: Errors
) -> Response[Any]:
    results = support_drafts.find_schools(query)
    count = len(results)
    return _step_page(
        request,
        support,
        answers,
        base,
        SCHOOL_OPTIONS,
        "support/drafts/school-options.html",
        f"{count} {'result' if count == 1 else 'results'} found for ‘{query}’",
        errors=errors,
        query=query,
        options=[
            {
                "value": s.organisation_id,
                "text": s.name,
                "hint": {"text": ", ".join(part for part in (f"URN {s.urn or s.organisation_id}", s.town) if part)},
                "checked": s.organisation_id == answers.school_id,
            }
            for s in results
        ],
        change_href=f"{SCHOOL.path(base)}?query={quote(query)}",
    )


@router.get(f"{BASE}/<journey_id>/school-options")
@_guard
def school_options(journey_id: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, SCHOOL_OPTIONS)
    return _school_options_page(request, support, opened.answers, base, request.arg("query").strip(), Errors())


@router.post(f"{BASE}/<journey_id>/school-options")
@_guard
def choose_school_option(journey_id: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, SCHOOL_OPTIONS)
    posted = journey.parse_school_option(request.form, _refusal(request))
    if isinstance(posted, Errors):
        query = request.field("query").strip()
        return _school_options_page(request, support, opened.answers, base, query, posted)
    opened.answers.choose_school(posted.school_id)
    return redirect(continue_to(DRAFT_FLOW, opened, base, request.now))


# -- accredited provider (the school journey's step and pages) -------------------------------------------
@router.get(f"{BASE}/<journey_id>/provider")
@_guard
def provider(journey_id: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, PROVIDER)
    query = request.arg("query") or add_claim.chosen_provider_name(opened.answers)
    return _provider_page(request, support, opened.answers, base, Errors(), query)


def _provider_page(
    request: Request, support: SupportPage, answers: DraftAnswers, base: str, errors: Errors, query: str
) -> Response[Any]:
    return _step_page(
        request, support, answers, base, PROVIDER, "schools/add-claim/provider.html", "Accredited provider",
        errors=errors, query=query, suggestions_href=f"{base}/provider-suggestions",
    )  # fmt: skip


@router.post(f"{BASE}/<journey_id>/provider")
@_guard
def choose_provider(journey_id: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, PROVIDER)
    posted = journey.parse_provider(request.form, add_claim.is_accredited)
    if isinstance(posted, Errors):
        return _provider_page(request, support, opened.answers, base, posted, "")
    if isinstance(posted, journey.ProviderSearch):
        return redirect(f"{OPTIONS.path(base)}?query={quote(posted.query)}")
    opened.answers.choose_provider(posted.code)
    return redirect(continue_to(DRAFT_FLOW, opened, base, request.now))


def _options_page(
    request: Request, support: SupportPage, answers: DraftAnswers, base: str, query: str, errors: Errors
) -> Response[Any]:
    results = add_claim.find_providers(query)
    count = len(results)
    return _step_page(
        request,
        support,
        answers,
        base,
        OPTIONS,
        "schools/add-claim/provider-options.html",
        f"{count} {'result' if count == 1 else 'results'} found for ‘{query}’",
        errors=errors,
        query=query,
        options=[{"value": p.code, "text": describe(p), "checked": p.code == answers.provider_code} for p in results],
        change_href=f"{PROVIDER.path(base)}?query={quote(query)}",
    )


@router.get(f"{BASE}/<journey_id>/provider-options")
@_guard
def provider_options(journey_id: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, OPTIONS)
    return _options_page(request, support, opened.answers, base, request.arg("query").strip(), Errors())


@router.post(f"{BASE}/<journey_id>/provider-options")
@_guard
def choose_provider_option(journey_id: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, OPTIONS)
    posted = journey.parse_provider_option(request.form, add_claim.is_accredited)
    if isinstance(posted, Errors):
        return _options_page(request, support, opened.answers, base, request.field("query").strip(), posted)
    opened.answers.choose_provider(posted.code)
    return redirect(continue_to(DRAFT_FLOW, opened, base, request.now))


@router.get(f"{BASE}/<journey_id>/provider-suggestions")
@_guard
def provider_suggestions(journey_id: str) -> Response[Any]:
    request, _, _, _ = _open(journey_id, OPTIONS)
    results = [
        {"code": p.code, "name": p.name, "ukprn": p.ukprn, "urn": p.urn, "postcode": p.postcode}
        for p in add_claim.find_providers(request.arg("query"))
    ]
    return Response(status_code=200, content_type="application/json", body=json.dumps(results))


# -- mentors ---------------------------------------------------------------------------------------
@router.get(f"{BASE}/<journey_id>/mentors")
@_guard
def mentors(journey_id: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, MENTORS)
    return _mentors_page(request, support, opened.answers, base, Errors(), opened.answers.mentor_trns)


def _mentors_page(
    request: Request, support: SupportPage, answers: DraftAnswers, base: str, errors: Errors, selected: list[str]
) -> Response[Any]:
    offer = add_claim.mentors_offered(support_drafts.chosen_school(answers), answers, request.now)
    if not offer.available:
        return _step_page(
            request, support, answers, base, MENTORS, "schools/add-claim/no-mentors.html",
            "There are no mentors you can include in a claim", provider=offer.provider, used_up=offer.used_up,
        )  # fmt: skip
    return _step_page(
        request,
        support,
        answers,
        base,
        MENTORS,
        "schools/add-claim/mentors.html",
        "Mentors you are claiming for",
        errors=errors,
        provider=offer.provider,
        options=[
            {
                "value": m.mentor.trn,
                "text": m.mentor.full_name,
                "hint": {"text": f"TRN {m.mentor.trn}"},
                "checked": m.mentor.trn in selected,
            }
            for m in offer.available
        ],
        used_up=offer.used_up,
    )


@router.post(f"{BASE}/<journey_id>/mentors")
@_guard
def choose_mentors(journey_id: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, MENTORS)
    school = support_drafts.chosen_school(opened.answers)
    offered = [m.mentor.trn for m in add_claim.mentors_offered(school, opened.answers, request.now).available]
    chosen = journey.parse_mentors(request.form, offered, MAX_MENTORS_PER_CLAIM)
    if isinstance(chosen, Errors):
        kept = [trn for trn in offered if trn in request.fields("mentor_trns")]
        return _mentors_page(request, support, opened.answers, base, chosen, kept)
    opened.answers.choose_mentors(chosen)
    return redirect(continue_to(DRAFT_FLOW, opened, base, request.now))


# -- hours -----------------------------------------------------------------------------------------
def _hours_page(
    request: Request,
    support: SupportPage,
    answers: DraftAnswers,
    base: str,
    offer: add_claim.HoursOffer,
    errors: Errors,
    typed: journey.HoursTyped,
) -> Response[Any]:
    return _step_page(
        request,
        support,
        answers,
        base,
        at(StepName.HOURS, offer.mentor.mentor.trn),
        "schools/add-claim/hours.html",
        f"Hours of training for {offer.mentor.mentor.full_name}",
        errors=errors,
        provider=offer.provider,
        mentor=offer.mentor.mentor,
        allowance=offer.mentor.allowance,
        choice=typed.choice,
        custom=typed.custom,
    )


@router.get(f"{BASE}/<journey_id>/hours/<trn>")
@_guard
def hours(journey_id: str, trn: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, at(StepName.HOURS, trn))
    offer = add_claim.hours_offered(support_drafts.chosen_school(opened.answers), opened.answers, trn, request.now)
    shown = journey.shown_hours(opened.answers.hours.get(trn), offer.mentor.allowance.remaining)
    return _hours_page(request, support, opened.answers, base, offer, Errors(), shown)


@router.post(f"{BASE}/<journey_id>/hours/<trn>")
@_guard
def set_hours(journey_id: str, trn: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, at(StepName.HOURS, trn))
    offer = add_claim.hours_offered(support_drafts.chosen_school(opened.answers), opened.answers, trn, request.now)
    hours_given = journey.parse_hours(request.form, offer.mentor.allowance.remaining)
    if isinstance(hours_given, Errors):
        typed = journey.typed_hours(request.form)
        return _hours_page(request, support, opened.answers, base, offer, hours_given, typed)
    opened.answers.set_hours(trn, hours_given)
    return redirect(continue_to(DRAFT_FLOW, opened, base, request.now))


# -- check your answers and save -------------------------------------------------------------------
@router.get(f"{BASE}/<journey_id>/check")
@_guard
def check(journey_id: str) -> Response[Any]:
    request, support, opened, base = _open(journey_id, CHECK)
    if not opened.answers.seen_check:
        opened.answers.seen_check = True
        continue_to(DRAFT_FLOW, opened, base, request.now)
    school, summary = support_drafts.summary(opened.answers, request.now)
    return _step_page(
        request, support, opened.answers, base, CHECK, "support/drafts/check.html", "Check your answers",
        school=school, summary=summary, journey_base=base, action=f"{base}/save",
    )  # fmt: skip


@router.post(f"{BASE}/<journey_id>/save")
@_guard
def save(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    reference = support_drafts.save(journey_id, support.user, request.now)
    return redirect(_saved(reference))


@router.get("/support/claims/drafts/<reference>/saved")
def saved(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    draft = support_drafts.saved_draft(reference)
    window = support_drafts.draft_window(draft)
    return page(
        request,
        "support/drafts/saved.html",
        h1=SAVED_H1,
        **support.context(NAV),
        claim=draft,
        closes=closes_text(window) if window else "",
    )
