"""Support console: claim windows, /support/claim-windows/...

List → add (dates and academic year, check your answers, "Save claim window") → list with a banner;
window → change (the same two pages) / remove (confirm) / "Close window now" (confirm). An add or change
is a journey (`shared.journeys.claim_window`, ADR 0018): its answers are stored server-side under a random
id in the URL, so two tabs do not mix, and once saved it is finished, so a repeated "Save claim window"
saves nothing more.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.window_rules import ClaimWindowNotFound, WindowNotChangeable
from shared.journeys.claim_window import (
    CHECK_ANSWERS,
    CLOSES_ON,
    DETAILS,
    FLOW,
    OPENS_ON,
    WindowAnswers,
    WindowForm,
    blank_form,
    form_for,
)
from shared.journeys.flow import Location
from shared.usecases import claim_windows, journeys
from shared.usecases.journeys import Opened
from shared.web.flash import set_flash, take_flash
from shared.web.journeys import open_step
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request
from shared.web.support import SupportPage, support_page

router = Router()

BASE = "/support/claim-windows"
NAV = "Claim windows"

ADD = "Add claim window"
CHANGE = "Change claim window"
CHECK = "Check your answers"
REMOVE = "Are you sure you want to remove this claim window?"
CLOSE = "Are you sure you want to close this claim window now?"
CANNOT_CHANGE = "You cannot change this claim window"
CANNOT_REMOVE = "You cannot remove this claim window"
ALREADY_CLOSED = "This claim window has already been closed"
NOT_OPEN_YET = "You cannot close this claim window yet"

RUN_STATUS = {
    "RUNNING": "Running",
    "SUCCEEDED": "Finished",
    "FAILED": "Failed",
    "TIMED_OUT": "Timed out",
    "ABORTED": "Stopped",
}


# -- the journey and its form ---------------------------------------------------------------------------
SUPPORT = "support"  # the organisation a support user's journeys belong to


def _journey_base(journey_id: str) -> str:
    return f"{BASE}/answers/{journey_id}"


def _open(request: Request, support: SupportPage, journey_id: str, here: Location) -> Opened[WindowAnswers]:
    """The journey at `here` (404 for one that is not this user's); once saved, the list of windows."""
    return open_step(
        FLOW,
        WindowAnswers,
        journey_id,
        here,
        _journey_base(journey_id),
        owner=support.user.user_id,
        organisation_id=SUPPORT,
        now=request.now,
        finished=lambda _: BASE,
    )


def _form_page(request: Request, support: SupportPage, form: WindowForm, *, action: str, back: str) -> Response[Any]:
    """The add or change form: as posted (with its errors), or filled from answers."""
    window = claim_windows.get_window(form.window_id) if form.window_id else None
    choices = claim_windows.year_choices(request.now, window)
    return page(
        request,
        "support/claim-windows/form.html",
        h1=CHANGE if window else ADD,
        **support.context(NAV),
        action=action,
        back=back,
        opens_items=form.opens.items(OPENS_ON, OPENS_ON in form.errors, form.bad_parts.get(OPENS_ON, ())),
        closes_items=form.closes.items(CLOSES_ON, CLOSES_ON in form.errors, form.bad_parts.get(CLOSES_ON, ())),
        year_items=[
            {"value": str(year.start_year), "text": year.name, "checked": form.year_value == str(year.start_year)}
            for year in choices
        ],
        errors=form.errors,
    )


def _start(request: Request, support: SupportPage, answers: WindowAnswers) -> Response[Any]:
    journey_id = journeys.start(FLOW, support.user.user_id, SUPPORT, answers, request.now)
    return redirect(CHECK_ANSWERS.path(_journey_base(journey_id)))


def _cannot_change(request: Request, support: SupportPage, window_id: str, reason: str) -> Response[Any]:
    return _refused(request, support, window_id, CANNOT_CHANGE, reason)


def _cannot_remove(request: Request, support: SupportPage, window_id: str, reason: str) -> Response[Any]:
    return _refused(request, support, window_id, CANNOT_REMOVE, reason)


def _refused(request: Request, support: SupportPage, window_id: str, h1: str, reason: str) -> Response[Any]:
    return page(
        request,
        "support/claim-windows/refused.html",
        h1=h1,
        status=409 if request.method == "POST" else 200,
        **support.context(NAV),
        reasons=[f"{reason}."],
        back=f"{BASE}/{window_id}",
    )


# -- list and details ---------------------------------------------------------------------------------
@router.get(BASE)
def list_windows() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return page(
        request,
        "support/claim-windows/index.html",
        h1="Claim windows",
        **support.context(NAV),
        windows=claim_windows.list_windows(request.now),
        banner=take_flash(request),
        base=BASE,
    )


@router.get(f"{BASE}/new")
def new_window() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return _form_page(request, support, blank_form(), action=f"{BASE}/new", back=BASE)


@router.post(f"{BASE}/new")
def submit_new_window() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    form = claim_windows.read_form(request.form, "", request.now)
    if form.answers is None:
        return _form_page(request, support, form, action=f"{BASE}/new", back=BASE)
    return _start(request, support, form.answers)


# Journey routes are registered before the /<window_id>/... ones, so "answers" is never read as an id.
@router.get(f"{BASE}/answers/<journey_id>")
def change_answers(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, DETAILS)
    base = _journey_base(journey_id)
    return _form_page(request, support, form_for(opened.answers), action=base, back=CHECK_ANSWERS.path(base))


@router.post(f"{BASE}/answers/<journey_id>")
def submit_changed_answers(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, DETAILS)
    base = _journey_base(journey_id)
    form = claim_windows.read_form(request.form, opened.answers.window_id, request.now)
    if form.answers is None:
        return _form_page(request, support, form, action=base, back=CHECK_ANSWERS.path(base))
    journeys.save(journey_id, form.answers, request.now)
    return redirect(CHECK_ANSWERS.path(base))


@router.get(f"{BASE}/answers/<journey_id>/check")
def check_answers(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, CHECK_ANSWERS)
    checked = claim_windows.check_page(opened.answers, request.now)
    change = _journey_base(journey_id)
    return page(
        request,
        "support/claim-windows/check.html",
        h1=CHECK,
        **support.context(NAV),
        caption=CHANGE if opened.answers.window_id else ADD,
        answers=checked.answers,
        year=AcademicYear(checked.answers.academic_year),
        closes_at=checked.closes_at,
        closes_in_past=checked.closes_in_past,
        change=change,
        action=CHECK_ANSWERS.path(change),
        cancel=f"{BASE}/{opened.answers.window_id}" if opened.answers.window_id else BASE,
    )


@router.post(f"{BASE}/answers/<journey_id>/check")
def save_window(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, CHECK_ANSWERS)
    answers = opened.answers
    base = _journey_base(journey_id)
    try:
        _, created = claim_windows.save_window(answers, request.now, support.user)
    except claim_windows.WindowProblems as problems:  # a colleague added or changed a window meanwhile
        form = form_for(answers, problems.problems)
        return _form_page(request, support, form, action=base, back=CHECK_ANSWERS.path(base))
    except WindowNotChangeable as refused:
        return _cannot_change(request, support, answers.window_id, refused.reason)
    journeys.finish(journey_id, answers.window_id or "added")
    set_flash(request, "Claim window added" if created else "Claim window changed", BASE)
    return redirect(BASE)


@router.get(f"{BASE}/<window_id>")
def show_window(window_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    details = claim_windows.window_details(window_id, request.now)
    return page(
        request,
        "support/claim-windows/details.html",
        h1=f"Claim window for {details.window.academic_year.name}",
        **support.context(NAV),
        details=details,
        run_status=_run_status(details.run),
        base=f"{BASE}/{window_id}",
        back=BASE,
        banner=take_flash(request),
    )


def _run_status(run: claim_windows.Run | None) -> str:
    return RUN_STATUS.get(run.status, run.status.capitalize()) if run else ""


# -- change -------------------------------------------------------------------------------------------
@router.get(f"{BASE}/<window_id>/edit")
def edit_window(window_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        window = claim_windows.changeable_window(window_id, request.now)
    except WindowNotChangeable as refused:
        return _cannot_change(request, support, window_id, refused.reason)
    form = form_for(claim_windows.answers_for(window))
    return _form_page(request, support, form, action=f"{BASE}/{window_id}/edit", back=f"{BASE}/{window_id}")


@router.post(f"{BASE}/<window_id>/edit")
def submit_edit_window(window_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        claim_windows.changeable_window(window_id, request.now)
    except WindowNotChangeable as refused:
        return _cannot_change(request, support, window_id, refused.reason)
    form = claim_windows.read_form(request.form, window_id, request.now)
    if form.answers is None:
        return _form_page(request, support, form, action=f"{BASE}/{window_id}/edit", back=f"{BASE}/{window_id}")
    return _start(request, support, form.answers)


# -- remove -------------------------------------------------------------------------------------------
@router.get(f"{BASE}/<window_id>/remove")
def confirm_remove_window(window_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        window = claim_windows.window_to_remove(window_id, request.now)
    except WindowNotChangeable as refused:
        return _cannot_remove(request, support, window_id, refused.reason)
    return page(
        request,
        "support/claim-windows/remove.html",
        h1=REMOVE,
        **support.context(NAV),
        window=window,
        action=f"{BASE}/{window_id}/remove",
        cancel=f"{BASE}/{window_id}",
    )


@router.post(f"{BASE}/<window_id>/remove")
def remove_window(window_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        claim_windows.remove_window(window_id, request.now, support.user)
    except ClaimWindowNotFound:
        return redirect(BASE)  # removed already (a second click on "Remove claim window")
    except WindowNotChangeable as refused:
        return _cannot_remove(request, support, window_id, refused.reason)
    set_flash(request, "Claim window removed", BASE)
    return redirect(BASE)


# -- close now ----------------------------------------------------------------------------------------
def _close_refused(
    request: Request, support: SupportPage, window_id: str, refused: claim_windows.CloseRefused
) -> Response[Any]:
    window = claim_windows.get_window(window_id)
    return page(
        request,
        "support/claim-windows/close-refused.html",
        h1=ALREADY_CLOSED if refused.reason == "already_closed" else NOT_OPEN_YET,
        status=409 if request.method == "POST" else 200,
        **support.context(NAV),
        window=window,
        reason=refused.reason,
        run=refused.run,
        run_status=_run_status(refused.run),
        back=f"{BASE}/{window_id}",
    )


@router.get(f"{BASE}/<window_id>/close")
def confirm_close_window(window_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        window = claim_windows.window_to_close(window_id, request.now)
    except claim_windows.CloseRefused as refused:
        return _close_refused(request, support, window_id, refused)
    return page(
        request,
        "support/claim-windows/close.html",
        h1=CLOSE,
        **support.context(NAV),
        window=window,
        today=london_today(request.now),
        action=f"{BASE}/{window_id}/close",
        cancel=f"{BASE}/{window_id}",
    )


@router.post(f"{BASE}/<window_id>/close")
def close_window(window_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        claim_windows.close_window_now(window_id, request.now, support.user)
    except claim_windows.CloseRefused as refused:
        return _close_refused(request, support, window_id, refused)
    set_flash(request, "The claim window is closing and its payment run has started", f"{BASE}/{window_id}")
    return redirect(f"{BASE}/{window_id}")
