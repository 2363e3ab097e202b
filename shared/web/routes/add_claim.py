"""The add-claim journey: /schools/{school_id}/claims/new/{journey_id}/{step}.

Every step validates with GOV.UK errors and works without JavaScript; the answers live server-side
in the journey, keyed by the random id in the URL, so two claims in two tabs do not mix. The steps are
`shared.journeys.add_claim.FLOW` (ADR 0018); each route opens its step, lets the step model parse the post,
saves and redirects.

A draft DfE support prepared (ADR 0022) is changed and submitted through the same journey: "Change" and
"Submit claim" on the draft's page start it with the draft's answers (/schools/{school_id}/claims/{reference}/
change), and its submission turns that draft into the submitted claim.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.claim import MAX_MENTORS_PER_CLAIM
from shared.claims.drafts import DraftChanged
from shared.claims.errors import AllowanceExceeded, WindowClosed, WindowClosedDuringSubmission
from shared.claims.provider_search import describe
from shared.journeys import add_claim as journey
from shared.journeys.add_claim import FLOW, Answers, StepName, at
from shared.journeys.flow import Location
from shared.journeys.forms import Errors
from shared.usecases import add_claim
from shared.usecases.journeys import Opened
from shared.web.journeys import back_href, continue_to, open_step
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request
from shared.web.school import SchoolPage, school_page

router = Router()

CLOSED_BEFORE_SUBMISSION_H1 = "The claim window closed before your claim was submitted"
CANNOT_CLAIM_H1 = "You cannot add a claim at the moment"
CANNOT_SUBMIT_DRAFT_H1 = "You cannot submit this draft claim"
DRAFT_CHANGED_H1 = "This draft claim has changed since you opened it"


def _base(school_id: str, journey_id: str) -> str:
    return f"/schools/{school_id}/claims/new/{journey_id}"


def _open(school_id: str, journey_id: str, here: Location) -> tuple[Request, SchoolPage, Opened[Answers], str]:
    """The school, the journey at `here` (404 for anyone else's) and its base URL; a finished journey goes to
    its claim, a step not reached yet to the first unanswered one."""
    request = current_request(router)
    school = school_page(request, school_id)
    base = _base(school_id, journey_id)
    opened = open_step(
        FLOW,
        Answers,
        journey_id,
        here,
        base,
        owner=school.user.user_id,
        organisation_id=school_id,
        now=request.now,
        finished=lambda reference: f"/schools/{school_id}/claims/{reference}/submitted",
    )
    return request, school, opened, base


def _step_page(
    request: Request,
    school: SchoolPage,
    answers: Answers,
    base: str,
    here: Location,
    template: str,
    h1: str,
    **context: Any,
) -> Response[Any]:
    caption = f"Draft claim {answers.draft_reference}" if answers.draft_reference else "Add claim"
    values: dict[str, Any] = {
        "caption": f"{caption} - {school.school.name}",
        "back_href": back_href(FLOW, answers, here, base, f"/schools/{school.school.organisation_id}/claims"),
        "action": here.path(base),
        **school.context("Claims"),
        **context,
    }
    return page(request, f"schools/add-claim/{template}", h1=h1, **values)


def _guard(handler: Any) -> Any:
    """Closed windows and mentors changed under the journey, the same way for every step."""

    def wrapped(*args: Any, **kwargs: Any) -> Response[Any]:
        try:
            response: Response[Any] = handler(*args, **kwargs)
        except WindowClosedDuringSubmission:
            return page(
                current_request(router),
                "schools/add-claim/closed-before-submission.html",
                status=409,
                h1=CLOSED_BEFORE_SUBMISSION_H1,
                claims_href=f"/schools/{kwargs.get('school_id', '')}/claims",
            )
        except WindowClosed as closed:
            reason = str(closed)
            return page(
                current_request(router),
                "schools/add-claim/cannot-claim.html",
                h1=CANNOT_SUBMIT_DRAFT_H1 if reason == add_claim.DRAFT_WINDOW_CLOSED else CANNOT_CLAIM_H1,
                reason=reason,
                claims_href=f"/schools/{kwargs.get('school_id', '')}/claims",
            )
        except AllowanceExceeded:  # a chosen mentor left the school's list (or their allowance went) since
            return _recently_changed(current_request(router), str(kwargs.get("school_id", "")))
        except DraftChanged as changed:
            return page(
                current_request(router),
                "schools/add-claim/draft-changed.html",
                status=409,
                h1=DRAFT_CHANGED_H1,
                claim_href=f"/schools/{kwargs.get('school_id', '')}/claims/{changed}",
            )
        return response

    wrapped.__name__ = handler.__name__
    return wrapped


@router.post("/schools/<school_id>/claims/new")
@_guard
def start(school_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    journey_id = add_claim.start(school.user, school.school, request.now)
    return redirect(at(StepName.PROVIDER).path(_base(school_id, journey_id)))


# -- accredited provider -----------------------------------------------------------------------------
PROVIDER = at(StepName.PROVIDER)
OPTIONS = at(StepName.PROVIDER_OPTIONS)


# -- a draft prepared by DfE support: change it, or go on to submit it --------------------------------------
CHANGES = {"provider": PROVIDER, "mentors": at(StepName.MENTORS)}


@router.get("/schools/<school_id>/claims/<reference>/change")
@_guard
def change_draft(school_id: str, reference: str) -> Response[Any]:
    """A "Change" link on the draft's page: the journey over the draft, at the step asked for
    (`?step=provider`, `?step=mentors` or `?step=hours&trn=…`). Nothing of the claim changes until it is
    submitted."""
    request = current_request(router)
    school = school_page(request, school_id)
    journey_id = add_claim.start_from_draft(school.user, school.school, reference, request.now)
    step, trn = request.arg("step"), request.arg("trn")
    here = at(StepName.HOURS, trn) if step == "hours" and trn else CHANGES.get(step, at(StepName.CHECK))
    return redirect(here.path(_base(school_id, journey_id)))


@router.post("/schools/<school_id>/claims/<reference>/change")
@_guard
def submit_draft(school_id: str, reference: str) -> Response[Any]:
    """The "Submit claim" button on the draft's page: the journey over the draft, on to confirming the hours
    with the provider, check your answers and the declaration."""
    request = current_request(router)
    school = school_page(request, school_id)
    journey_id = add_claim.start_from_draft(school.user, school.school, reference, request.now)
    answers, _ = add_claim.load(journey_id, school.user, school.school, request.now)
    return redirect(FLOW.next_after(answers).path(_base(school_id, journey_id)))


@router.get("/schools/<school_id>/claims/new/<journey_id>/provider")
@_guard
def provider(school_id: str, journey_id: str) -> Response[Any]:
    request, school, opened, base = _open(school_id, journey_id, PROVIDER)
    query = request.arg("query") or add_claim.chosen_provider_name(opened.answers)
    return _provider_page(request, school, opened.answers, base, Errors(), query)


def _provider_page(
    request: Request, school: SchoolPage, answers: Answers, base: str, errors: Errors, query: str
) -> Response[Any]:
    return _step_page(
        request, school, answers, base, PROVIDER, "provider.html", "Accredited provider",
        errors=errors, query=query, suggestions_href=f"{base}/provider-suggestions",
    )  # fmt: skip


@router.post("/schools/<school_id>/claims/new/<journey_id>/provider")
@_guard
def choose_provider(school_id: str, journey_id: str) -> Response[Any]:
    request, school, opened, base = _open(school_id, journey_id, PROVIDER)
    posted = journey.parse_provider(request.form, add_claim.is_accredited)
    if isinstance(posted, Errors):
        return _provider_page(request, school, opened.answers, base, posted, "")
    if isinstance(posted, journey.ProviderSearch):
        return redirect(f"{OPTIONS.path(base)}?query={quote(posted.query)}")
    opened.answers.choose_provider(posted.code)
    return redirect(continue_to(FLOW, opened, base, request.now))


@router.get("/schools/<school_id>/claims/new/<journey_id>/provider-options")
@_guard
def provider_options(school_id: str, journey_id: str) -> Response[Any]:
    request, school, opened, base = _open(school_id, journey_id, OPTIONS)
    return _options_page(request, school, opened.answers, base, request.arg("query").strip(), Errors())


def _options_page(
    request: Request, school: SchoolPage, answers: Answers, base: str, query: str, errors: Errors
) -> Response[Any]:
    results = add_claim.find_providers(query)
    count = len(results)
    return _step_page(
        request,
        school,
        answers,
        base,
        OPTIONS,
        "provider-options.html",
        f"{count} {'result' if count == 1 else 'results'} found for ‘{query}’",
        errors=errors,
        query=query,
        options=[{"value": p.code, "text": describe(p), "checked": p.code == answers.provider_code} for p in results],
        change_href=f"{PROVIDER.path(base)}?query={quote(query)}",
    )


@router.post("/schools/<school_id>/claims/new/<journey_id>/provider-options")
@_guard
def choose_provider_option(school_id: str, journey_id: str) -> Response[Any]:
    request, school, opened, base = _open(school_id, journey_id, OPTIONS)
    posted = journey.parse_provider_option(request.form, add_claim.is_accredited)
    if isinstance(posted, Errors):
        return _options_page(request, school, opened.answers, base, request.field("query").strip(), posted)
    opened.answers.choose_provider(posted.code)
    return redirect(continue_to(FLOW, opened, base, request.now))


@router.get("/schools/<school_id>/claims/new/<journey_id>/provider-suggestions")
@_guard
def provider_suggestions(school_id: str, journey_id: str) -> Response[Any]:
    request, _, _, _ = _open(school_id, journey_id, OPTIONS)
    results = [
        {"code": p.code, "name": p.name, "ukprn": p.ukprn, "urn": p.urn, "postcode": p.postcode}
        for p in add_claim.find_providers(request.arg("query"))
    ]
    return Response(status_code=200, content_type="application/json", body=json.dumps(results))


# -- mentors ---------------------------------------------------------------------------------------
MENTORS = at(StepName.MENTORS)


@router.get("/schools/<school_id>/claims/new/<journey_id>/mentors")
@_guard
def mentors(school_id: str, journey_id: str) -> Response[Any]:
    request, school, opened, base = _open(school_id, journey_id, MENTORS)
    return _mentors_page(request, school, opened.answers, base, Errors(), opened.answers.mentor_trns)


def _mentors_page(
    request: Request, school: SchoolPage, answers: Answers, base: str, errors: Errors, selected: list[str]
) -> Response[Any]:
    offer = add_claim.mentors_offered(school.school, answers, request.now)
    if not offer.available:
        return _step_page(
            request, school, answers, base, MENTORS, "no-mentors.html",
            "There are no mentors you can include in a claim", provider=offer.provider, used_up=offer.used_up,
        )  # fmt: skip
    return _step_page(
        request,
        school,
        answers,
        base,
        MENTORS,
        "mentors.html",
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


@router.post("/schools/<school_id>/claims/new/<journey_id>/mentors")
@_guard
def choose_mentors(school_id: str, journey_id: str) -> Response[Any]:
    request, school, opened, base = _open(school_id, journey_id, MENTORS)
    offered = [m.mentor.trn for m in add_claim.mentors_offered(school.school, opened.answers, request.now).available]
    chosen = journey.parse_mentors(request.form, offered, MAX_MENTORS_PER_CLAIM)
    if isinstance(chosen, Errors):
        kept = [trn for trn in offered if trn in request.fields("mentor_trns")]
        return _mentors_page(request, school, opened.answers, base, chosen, kept)
    opened.answers.choose_mentors(chosen)
    return redirect(continue_to(FLOW, opened, base, request.now))


# -- hours -----------------------------------------------------------------------------------------
def _hours_page(
    request: Request,
    school: SchoolPage,
    answers: Answers,
    base: str,
    trn: str,
    errors: Errors,
    typed: journey.HoursTyped,
) -> Response[Any]:
    offer = add_claim.hours_offered(school.school, answers, trn, request.now)
    return _step_page(
        request,
        school,
        answers,
        base,
        at(StepName.HOURS, trn),
        "hours.html",
        f"Hours of training for {offer.mentor.mentor.full_name}",
        errors=errors,
        provider=offer.provider,
        mentor=offer.mentor.mentor,
        allowance=offer.mentor.allowance,
        choice=typed.choice,
        custom=typed.custom,
    )


@router.get("/schools/<school_id>/claims/new/<journey_id>/hours/<trn>")
@_guard
def hours(school_id: str, journey_id: str, trn: str) -> Response[Any]:
    request, school, opened, base = _open(school_id, journey_id, at(StepName.HOURS, trn))
    remaining = add_claim.hours_offered(school.school, opened.answers, trn, request.now).mentor.allowance.remaining
    shown = journey.shown_hours(opened.answers.hours.get(trn), remaining)
    return _hours_page(request, school, opened.answers, base, trn, Errors(), shown)


@router.post("/schools/<school_id>/claims/new/<journey_id>/hours/<trn>")
@_guard
def set_hours(school_id: str, journey_id: str, trn: str) -> Response[Any]:
    request, school, opened, base = _open(school_id, journey_id, at(StepName.HOURS, trn))
    remaining = add_claim.hours_offered(school.school, opened.answers, trn, request.now).mentor.allowance.remaining
    hours_given = journey.parse_hours(request.form, remaining)
    if isinstance(hours_given, Errors):
        return _hours_page(request, school, opened.answers, base, trn, hours_given, journey.typed_hours(request.form))
    opened.answers.set_hours(trn, hours_given)
    return redirect(continue_to(FLOW, opened, base, request.now))


# -- confirm hours with the provider ------------------------------------------------------------------
CONFIRM = at(StepName.CONFIRM)


@router.get("/schools/<school_id>/claims/new/<journey_id>/confirm")
@_guard
def confirm(school_id: str, journey_id: str) -> Response[Any]:
    request, school, opened, base = _open(school_id, journey_id, CONFIRM)
    return _confirm_page(request, school, opened.answers, base, Errors())


def _confirm_page(request: Request, school: SchoolPage, answers: Answers, base: str, errors: Errors) -> Response[Any]:
    return _step_page(
        request, school, answers, base, CONFIRM, "confirm.html", "Confirm the training hours",
        errors=errors, provider=add_claim.chosen_provider(answers), confirmed=answers.hours_confirmed,
    )  # fmt: skip


@router.post("/schools/<school_id>/claims/new/<journey_id>/confirm")
@_guard
def confirm_hours(school_id: str, journey_id: str) -> Response[Any]:
    request, school, opened, base = _open(school_id, journey_id, CONFIRM)
    confirmed = journey.parse_confirm(request.form, add_claim.chosen_provider(opened.answers).name)
    if isinstance(confirmed, Errors):
        return _confirm_page(request, school, opened.answers, base, confirmed)
    opened.answers.hours_confirmed = True
    return redirect(continue_to(FLOW, opened, base, request.now))


# -- check your answers and submit ----------------------------------------------------------------
CHECK = at(StepName.CHECK)


@router.get("/schools/<school_id>/claims/new/<journey_id>/check")
@_guard
def check(school_id: str, journey_id: str) -> Response[Any]:
    request, school, opened, base = _open(school_id, journey_id, CHECK)
    if not opened.answers.seen_check:
        opened.answers.seen_check = True
        continue_to(FLOW, opened, base, request.now)
    try:
        summary = add_claim.summary(school.school, opened.answers, request.now)
    except AllowanceExceeded:
        return _recently_changed(request, school_id)
    return _step_page(
        request, school, opened.answers, base, CHECK, "check.html", "Check your answers",
        summary=summary, action=f"{base}/submit",
    )  # fmt: skip


@router.post("/schools/<school_id>/claims/new/<journey_id>/submit")
@_guard
def submit(school_id: str, journey_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    try:
        reference = add_claim.submit(journey_id, school.user, school.school, request.now)
    except AllowanceExceeded:
        return _recently_changed(request, school_id)
    return redirect(f"/schools/{school_id}/claims/{reference}/submitted")


def _recently_changed(request: Request, school_id: str) -> Response[Any]:
    return page(
        request,
        "schools/add-claim/recently-changed.html",
        status=409,
        h1="You cannot submit the claim because your mentors’ information has recently changed",
        claims_href=f"/schools/{school_id}/claims",
    )
