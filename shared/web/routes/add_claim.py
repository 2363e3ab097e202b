"""The add-claim journey: /schools/{school_id}/claims/new/{journey_id}/{step}.

Every step validates with GOV.UK errors and works without JavaScript; the answers live server-side
in the journey, keyed by the random id in the URL, so two claims in two tabs do not mix.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.claim import MAX_MENTORS_PER_CLAIM
from shared.claims.errors import AllowanceExceeded, NotFound, WindowClosed, WindowClosedDuringSubmission
from shared.claims.provider_search import describe
from shared.journeys.add_claim import Answers, Location, Step, back_from, next_after, reachable
from shared.usecases import add_claim
from shared.web.forms import Errors
from shared.web.pages import page, redirect
from shared.web.request import Request
from shared.web.school import SchoolPage, school_page

router = Router()


def _request() -> Request:
    request: Request = router.context["request"]
    return request


def _base(school_id: str, journey_id: str) -> str:
    return f"/schools/{school_id}/claims/new/{journey_id}"


def _open(school_id: str, journey_id: str, target: Location) -> tuple[Request, SchoolPage, Answers, str]:
    """The school, the journey's answers (404 for anyone else's journey) and the journey's base URL.
    A step whose earlier steps are unanswered is not shown: the user goes to the first missing one."""
    request = _request()
    school = school_page(request, school_id)
    answers, result = add_claim.load(journey_id, school.user, school.school, request.now)
    if result is not None:
        raise _Redirect(f"/schools/{school_id}/claims/{result}/submitted")
    if not reachable(answers, target):
        raise _Redirect(next_after(answers).path(_base(school_id, journey_id)))
    return request, school, answers, _base(school_id, journey_id)


class _Redirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


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
    back = back_from(answers, here)
    values: dict[str, Any] = {
        "caption": f"Add claim - {school.school.name}",
        "back_href": back.path(base) if back else f"/schools/{school.school.organisation_id}/claims",
        "action": here.path(base),
        **school.context("Claims"),
        **context,
    }
    return page(request, f"schools/add-claim/{template}", h1=h1, **values)


CLOSED_BEFORE_SUBMISSION_H1 = "The claim window closed before your claim was submitted"
TOO_MANY_MENTORS = (
    f"Select {MAX_MENTORS_PER_CLAIM} mentors or fewer. You can claim for the other mentors in another claim"
)


def _guard(handler: Any) -> Any:
    """Journey redirects and closed windows, the same way for every step."""

    def wrapped(*args: Any, **kwargs: Any) -> Response[Any]:
        try:
            response: Response[Any] = handler(*args, **kwargs)
        except _Redirect as moved:
            return redirect(moved.location)
        except WindowClosedDuringSubmission:
            return page(
                _request(),
                "schools/add-claim/closed-before-submission.html",
                status=409,
                h1=CLOSED_BEFORE_SUBMISSION_H1,
                claims_href=f"/schools/{kwargs.get('school_id', '')}/claims",
            )
        except WindowClosed as closed:
            request = _request()
            school_id = kwargs.get("school_id", "")
            return page(
                request,
                "schools/add-claim/cannot-claim.html",
                h1="You cannot add a claim at the moment",
                reason=str(closed),
                claims_href=f"/schools/{school_id}/claims",
            )
        return response

    wrapped.__name__ = handler.__name__
    return wrapped


@router.post("/schools/<school_id>/claims/new")
@_guard
def start(school_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    journey_id = add_claim.start(school.user, school.school, request.now)
    return redirect(Location(Step.PROVIDER).path(_base(school_id, journey_id)))


# -- accredited provider -----------------------------------------------------------------------------
@router.get("/schools/<school_id>/claims/new/<journey_id>/provider")
@_guard
def provider(school_id: str, journey_id: str) -> Response[Any]:
    request, school, answers, base = _open(school_id, journey_id, Location(Step.PROVIDER))
    chosen = add_claim.accredited_provider(answers.provider_code) if answers.provider_code else None
    return _provider_page(
        request, school, answers, base, Errors(), request.arg("query") or (chosen.name if chosen else "")
    )


def _provider_page(
    request: Request, school: SchoolPage, answers: Answers, base: str, errors: Errors, query: str
) -> Response[Any]:
    return _step_page(
        request,
        school,
        answers,
        base,
        Location(Step.PROVIDER),
        "provider.html",
        "Accredited provider",
        errors=errors,
        query=query,
        suggestions_href=f"{base}/provider-suggestions",
    )


@router.post("/schools/<school_id>/claims/new/<journey_id>/provider")
@_guard
def choose_provider(school_id: str, journey_id: str) -> Response[Any]:
    request, school, answers, base = _open(school_id, journey_id, Location(Step.PROVIDER))
    code = request.field("provider_code").strip()
    query = request.field("provider_search").strip()
    chosen = add_claim.accredited_provider(code) if code else None
    if chosen is not None:
        answers.choose_provider(chosen.code)
        add_claim.save(journey_id, answers, request.now)
        return redirect(next_after(answers).path(base))
    if not query:
        errors = Errors()
        errors.add("provider_search", "Enter an accredited provider name, UKPRN, URN or postcode", "provider-search")
        return _provider_page(request, school, answers, base, errors, query)
    return redirect(f"{base}/provider-options?query={quote(query)}")


@router.get("/schools/<school_id>/claims/new/<journey_id>/provider-options")
@_guard
def provider_options(school_id: str, journey_id: str) -> Response[Any]:
    request, school, answers, base = _open(school_id, journey_id, Location(Step.PROVIDER_OPTIONS))
    return _options_page(request, school, answers, base, request.arg("query").strip(), Errors())


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
        Location(Step.PROVIDER_OPTIONS),
        "provider-options.html",
        f"{count} {'result' if count == 1 else 'results'} found for ‘{query}’",
        errors=errors,
        query=query,
        options=[{"value": p.code, "text": describe(p), "checked": p.code == answers.provider_code} for p in results],
        change_href=f"{base}/provider?query={quote(query)}",
    )


@router.post("/schools/<school_id>/claims/new/<journey_id>/provider-options")
@_guard
def choose_provider_option(school_id: str, journey_id: str) -> Response[Any]:
    request, school, answers, base = _open(school_id, journey_id, Location(Step.PROVIDER_OPTIONS))
    chosen = add_claim.accredited_provider(request.field("provider_code"))
    if chosen is None:
        errors = Errors()
        errors.add("provider_code", "Select an accredited provider")
        return _options_page(request, school, answers, base, request.field("query").strip(), errors)
    answers.choose_provider(chosen.code)
    add_claim.save(journey_id, answers, request.now)
    return redirect(next_after(answers).path(base))


@router.get("/schools/<school_id>/claims/new/<journey_id>/provider-suggestions")
@_guard
def provider_suggestions(school_id: str, journey_id: str) -> Response[Any]:
    request, _, _, _ = _open(school_id, journey_id, Location(Step.PROVIDER_OPTIONS))
    results = [
        {"code": p.code, "name": p.name, "ukprn": p.ukprn, "urn": p.urn, "postcode": p.postcode}
        for p in add_claim.find_providers(request.arg("query"))
    ]
    return Response(status_code=200, content_type="application/json", body=json.dumps(results))


# -- mentors ---------------------------------------------------------------------------------------
@router.get("/schools/<school_id>/claims/new/<journey_id>/mentors")
@_guard
def mentors(school_id: str, journey_id: str) -> Response[Any]:
    request, school, answers, base = _open(school_id, journey_id, Location(Step.MENTORS))
    return _mentors_page(request, school, answers, base, Errors(), answers.mentor_trns)


def _mentors_page(
    request: Request, school: SchoolPage, answers: Answers, base: str, errors: Errors, selected: list[str]
) -> Response[Any]:
    ctx = add_claim.context(school.school, request.now)
    provider = add_claim.accredited_provider(answers.provider_code or "")
    if provider is None:
        raise NotFound
    everyone = add_claim.allowances(ctx.mentors, provider.code, ctx.window.academic_year)
    available = [m for m in everyone if m.allowance.remaining > 0]
    used_up = [m for m in everyone if m.allowance.remaining == 0]
    if not available:
        return _step_page(
            request, school, answers, base, Location(Step.MENTORS), "no-mentors.html",
            "There are no mentors you can include in a claim", provider=provider, used_up=used_up,
        )  # fmt: skip
    return _step_page(
        request,
        school,
        answers,
        base,
        Location(Step.MENTORS),
        "mentors.html",
        "Mentors you are claiming for",
        errors=errors,
        provider=provider,
        options=[
            {
                "value": m.mentor.trn,
                "text": m.mentor.full_name,
                "hint": {"text": f"TRN {m.mentor.trn}"},
                "checked": m.mentor.trn in selected,
            }
            for m in available
        ],
        used_up=used_up,
    )


@router.post("/schools/<school_id>/claims/new/<journey_id>/mentors")
@_guard
def choose_mentors(school_id: str, journey_id: str) -> Response[Any]:
    request, school, answers, base = _open(school_id, journey_id, Location(Step.MENTORS))
    chosen = [trn for trn in dict.fromkeys(request.fields("mentor_trns")) if trn]
    ctx = add_claim.context(school.school, request.now)
    everyone = add_claim.allowances(ctx.mentors, answers.provider_code or "", ctx.window.academic_year)
    offered = [m.mentor.trn for m in everyone if m.allowance.remaining > 0]
    chosen_in_order = [trn for trn in offered if trn in chosen]
    if not chosen_in_order:
        errors = Errors()
        errors.add("mentor_trns", "Select a mentor")
        return _mentors_page(request, school, answers, base, errors, [])
    if len(chosen_in_order) > MAX_MENTORS_PER_CLAIM:
        errors = Errors()
        errors.add("mentor_trns", TOO_MANY_MENTORS)
        return _mentors_page(request, school, answers, base, errors, chosen_in_order)
    answers.choose_mentors(chosen_in_order)
    add_claim.save(journey_id, answers, request.now)
    return redirect(next_after(answers).path(base))


# -- hours -----------------------------------------------------------------------------------------
def _hours_context(request: Request, school: SchoolPage, answers: Answers, trn: str) -> tuple[Any, Any]:
    ctx = add_claim.context(school.school, request.now)
    provider = add_claim.accredited_provider(answers.provider_code or "")
    if provider is None:
        raise NotFound
    found = [
        m for m in add_claim.allowances(ctx.mentors, provider.code, ctx.window.academic_year) if m.mentor.trn == trn
    ]
    if not found:
        raise AllowanceExceeded(trn)
    return provider, found[0]


def _hours_page(
    request: Request,
    school: SchoolPage,
    answers: Answers,
    base: str,
    trn: str,
    errors: Errors,
    choice: str,
    custom: str,
) -> Response[Any]:
    provider, mentor = _hours_context(request, school, answers, trn)
    return _step_page(
        request,
        school,
        answers,
        base,
        Location(Step.HOURS, trn),
        "hours.html",
        f"Hours of training for {mentor.mentor.full_name}",
        errors=errors,
        provider=provider,
        mentor=mentor.mentor,
        allowance=mentor.allowance,
        choice=choice,
        custom=custom,
    )


@router.get("/schools/<school_id>/claims/new/<journey_id>/hours/<trn>")
@_guard
def hours(school_id: str, journey_id: str, trn: str) -> Response[Any]:
    request, school, answers, base = _open(school_id, journey_id, Location(Step.HOURS, trn))
    previous = answers.hours.get(trn)
    _, mentor = _hours_context(request, school, answers, trn)
    if previous is None:
        choice, custom = "", ""
    elif previous == mentor.allowance.remaining:
        choice, custom = "remaining", ""
    else:
        choice, custom = "custom", str(previous)
    return _hours_page(request, school, answers, base, trn, Errors(), choice, custom)


@router.post("/schools/<school_id>/claims/new/<journey_id>/hours/<trn>")
@_guard
def set_hours(school_id: str, journey_id: str, trn: str) -> Response[Any]:
    request, school, answers, base = _open(school_id, journey_id, Location(Step.HOURS, trn))
    _, mentor = _hours_context(request, school, answers, trn)
    remaining = mentor.allowance.remaining
    choice = request.field("hours_choice")
    custom = "".join(request.field("custom_hours").split())
    errors = Errors()
    value: int | None = None
    if choice == "remaining":
        value = remaining
    elif choice == "custom":
        if not custom:
            errors.add("custom_hours", "Enter the number of hours")
        elif not custom.isdigit() or not 1 <= int(custom) <= remaining:
            errors.add("custom_hours", f"Enter the number of hours between 1 and {remaining}")
        else:
            value = int(custom)
    else:
        errors.add("hours_choice", "Select the number of hours")
    if value is None:
        return _hours_page(request, school, answers, base, trn, errors, choice, custom)
    answers.set_hours(trn, value)
    add_claim.save(journey_id, answers, request.now)
    return redirect(next_after(answers).path(base))


# -- confirm hours with the provider ------------------------------------------------------------------
@router.get("/schools/<school_id>/claims/new/<journey_id>/confirm")
@_guard
def confirm(school_id: str, journey_id: str) -> Response[Any]:
    request, school, answers, base = _open(school_id, journey_id, Location(Step.CONFIRM))
    return _confirm_page(request, school, answers, base, Errors())


def _confirm_page(request: Request, school: SchoolPage, answers: Answers, base: str, errors: Errors) -> Response[Any]:
    provider = add_claim.accredited_provider(answers.provider_code or "")
    if provider is None:
        raise NotFound
    return _step_page(
        request, school, answers, base, Location(Step.CONFIRM), "confirm.html", "Confirm the training hours",
        errors=errors, provider=provider, confirmed=answers.hours_confirmed,
    )  # fmt: skip


@router.post("/schools/<school_id>/claims/new/<journey_id>/confirm")
@_guard
def confirm_hours(school_id: str, journey_id: str) -> Response[Any]:
    request, school, answers, base = _open(school_id, journey_id, Location(Step.CONFIRM))
    if request.field("hours_confirmed") != "yes":
        provider = add_claim.accredited_provider(answers.provider_code or "")
        errors = Errors()
        errors.add(
            "hours_confirmed",
            f"Confirm you have checked the training hours with {provider.name if provider else 'the provider'}",
        )
        return _confirm_page(request, school, answers, base, errors)
    answers.hours_confirmed = True
    add_claim.save(journey_id, answers, request.now)
    return redirect(next_after(answers).path(base))


# -- check your answers and submit ----------------------------------------------------------------
@router.get("/schools/<school_id>/claims/new/<journey_id>/check")
@_guard
def check(school_id: str, journey_id: str) -> Response[Any]:
    request, school, answers, base = _open(school_id, journey_id, Location(Step.CHECK))
    if not answers.seen_check:
        answers.seen_check = True
        add_claim.save(journey_id, answers, request.now)
    ctx = add_claim.context(school.school, request.now)
    try:
        summary = add_claim.summary(school.school, answers, ctx)
    except AllowanceExceeded:
        return _recently_changed(request, school_id)
    return _step_page(
        request, school, answers, base, Location(Step.CHECK), "check.html", "Check your answers",
        summary=summary, action=f"{base}/submit",
    )  # fmt: skip


@router.post("/schools/<school_id>/claims/new/<journey_id>/submit")
@_guard
def submit(school_id: str, journey_id: str) -> Response[Any]:
    request = _request()
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
