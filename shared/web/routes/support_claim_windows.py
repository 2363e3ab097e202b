"""Support console: claim windows, /support/claim-windows/...

List → add (dates and academic year, check your answers, "Save claim window") → list with a banner;
window → change (the same two pages) / remove (confirm) / "Close window now" (confirm). The answers of
an add or change live in the session under a random id in the URL, so two tabs do not mix, and once
saved the id is marked done, so a repeated "Save claim window" saves nothing more.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.errors import NotFound
from shared.claims.window_rules import (
    ACADEMIC_YEAR,
    CLOSES_LABEL,
    CLOSES_ON,
    OPENS_LABEL,
    OPENS_ON,
    ClaimWindowNotFound,
    WindowNotChangeable,
    parse_academic_year,
)
from shared.claims.windows import ClaimWindow
from shared.journeys.forms import DateAnswer, Errors, parse_date
from shared.usecases import claim_windows
from shared.web.flash import set_flash, take_flash
from shared.web.pages import page, redirect
from shared.web.request import Request
from shared.web.support import SupportPage, support_page

router = Router()

BASE = "/support/claim-windows"
NAV = "Claim windows"
JOURNEYS = "claim_windows"  # session key: journey id → answers, and whether they were saved
KEEP = 10

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


def _request() -> Request:
    request: Request = router.context["request"]
    return request


# -- the session: journeys --------------------------------------------------------------------------
def _journeys(request: Request) -> dict[str, Any]:
    session = request.ensure_session()
    journeys = session.data.get(JOURNEYS)
    if not isinstance(journeys, dict):
        journeys = session.data[JOURNEYS] = {}
    return journeys


def _start_journey(request: Request, answers: claim_windows.WindowAnswers) -> str:
    journeys = _journeys(request)
    for old in sorted(journeys, key=lambda key: str(journeys[key].get("at", "")))[: max(0, len(journeys) - KEEP + 1)]:
        del journeys[old]
    journey_id = secrets.token_hex(16)
    _save_journey(request, journey_id, answers)
    return journey_id


def _save_journey(request: Request, journey_id: str, answers: claim_windows.WindowAnswers) -> None:
    _journeys(request)[journey_id] = {"at": request.now.isoformat(), "done": False, **answers.as_session()}
    request.session_dirty = True


def _journey(request: Request, journey_id: str) -> claim_windows.WindowAnswers | Response[Any]:
    """The journey's answers; the list once they are saved; 404 for an id this session does not know."""
    journey = _journeys(request).get(journey_id)
    if not isinstance(journey, dict):
        raise NotFound
    if journey.get("done"):
        return redirect(BASE)
    return claim_windows.WindowAnswers.model_validate(journey)


def _finish_journey(request: Request, journey_id: str) -> None:
    _journeys(request)[journey_id] = {"at": request.now.isoformat(), "done": True}
    request.session_dirty = True


# -- the form -----------------------------------------------------------------------------------------
def _date_answer(day: dt.date) -> DateAnswer:
    return DateAnswer(str(day.day), str(day.month), str(day.year))


class _Form:
    """The add/change form as posted: typed values, parsed values and errors (in page order)."""

    def __init__(self, request: Request, window_id: str, choices: list[AcademicYear]) -> None:
        self.opens = DateAnswer.from_form(request.form, OPENS_ON)
        self.closes = DateAnswer.from_form(request.form, CLOSES_ON)
        self.year_value = request.field(ACADEMIC_YEAR)
        self.errors = Errors()
        self.bad_parts: dict[str, tuple[str, ...]] = {}
        opens_on, opens_problem, opens_bad = parse_date(self.opens, OPENS_LABEL)
        closes_on, closes_problem, closes_bad = parse_date(self.closes, CLOSES_LABEL)
        year = parse_academic_year(self.year_value, choices)
        rules = claim_windows.check_answers(opens_on, closes_on, year, window_id or None)
        for name, problem, bad in ((OPENS_ON, opens_problem, opens_bad), (CLOSES_ON, closes_problem, closes_bad)):
            text = problem or rules.get(name)
            if text:
                self.bad_parts[name] = bad
                self.errors.add(name, text, target=f"{name}-{(bad or ('day',))[0]}")
        if ACADEMIC_YEAR in rules:
            self.errors.add(ACADEMIC_YEAR, rules[ACADEMIC_YEAR])
        self.answers = (
            claim_windows.WindowAnswers(
                window_id=window_id, opens_on=opens_on, closes_on=closes_on, academic_year=year.start_year
            )
            if not self.errors and opens_on and closes_on and year
            else None
        )


def _form_page(
    request: Request,
    support: SupportPage,
    *,
    window: ClaimWindow | None,
    action: str,
    back: str,
    opens: DateAnswer,
    closes: DateAnswer,
    year_value: str,
    errors: Errors | None = None,
    bad_parts: dict[str, tuple[str, ...]] | None = None,
) -> Response[Any]:
    errors = errors or Errors()
    bad_parts = bad_parts or {}
    choices = claim_windows.year_choices(request.now, window)
    return page(
        request,
        "support/claim-windows/form.html",
        h1=CHANGE if window else ADD,
        **support.context(NAV),
        action=action,
        back=back,
        opens_items=opens.items(OPENS_ON, OPENS_ON in errors, bad_parts.get(OPENS_ON, ())),
        closes_items=closes.items(CLOSES_ON, CLOSES_ON in errors, bad_parts.get(CLOSES_ON, ())),
        year_items=[
            {"value": str(year.start_year), "text": year.name, "checked": year_value == str(year.start_year)}
            for year in choices
        ],
        errors=errors,
    )


def _answers_form(
    request: Request,
    support: SupportPage,
    journey_id: str,
    answers: claim_windows.WindowAnswers,
    problems: dict[str, str] | None = None,
) -> Response[Any]:
    """The form again for a journey's answers (Change from check your answers, or a save refused)."""
    errors = Errors()
    for name in (OPENS_ON, CLOSES_ON, ACADEMIC_YEAR):
        if problems and name in problems:
            errors.add(name, problems[name], target=f"{name}-day" if name != ACADEMIC_YEAR else None)
    window = claim_windows.get_window(answers.window_id) if answers.window_id else None
    return _form_page(
        request,
        support,
        window=window,
        action=f"{BASE}/answers/{journey_id}",
        back=f"{BASE}/answers/{journey_id}/check",
        opens=_date_answer(answers.opens_on),
        closes=_date_answer(answers.closes_on),
        year_value=str(answers.academic_year),
        errors=errors,
    )


def _cannot_change(request: Request, support: SupportPage, window_id: str, reason: str) -> Response[Any]:
    return page(
        request,
        "support/claim-windows/refused.html",
        h1=CANNOT_CHANGE,
        status=409 if request.method == "POST" else 200,
        **support.context(NAV),
        reasons=[f"{reason}."],
        back=f"{BASE}/{window_id}",
    )


# -- list and details ---------------------------------------------------------------------------------
@router.get(BASE)
def list_windows() -> Response[Any]:
    request = _request()
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
    request = _request()
    support = support_page(request)
    empty = DateAnswer("", "", "")
    return _form_page(
        request, support, window=None, action=f"{BASE}/new", back=BASE, opens=empty, closes=empty, year_value=""
    )


@router.post(f"{BASE}/new")
def submit_new_window() -> Response[Any]:
    request = _request()
    support = support_page(request)
    form = _Form(request, "", claim_windows.year_choices(request.now))
    if form.answers is None:
        return _form_page(
            request,
            support,
            window=None,
            action=f"{BASE}/new",
            back=BASE,
            opens=form.opens,
            closes=form.closes,
            year_value=form.year_value,
            errors=form.errors,
            bad_parts=form.bad_parts,
        )
    return redirect(f"{BASE}/answers/{_start_journey(request, form.answers)}/check")


# Journey routes are registered before the /<window_id>/... ones, so "answers" is never read as an id.
@router.get(f"{BASE}/answers/<journey_id>")
def change_answers(journey_id: str) -> Response[Any]:
    request = _request()
    support = support_page(request)
    answers = _journey(request, journey_id)
    if isinstance(answers, Response):
        return answers
    return _answers_form(request, support, journey_id, answers)


@router.post(f"{BASE}/answers/<journey_id>")
def submit_changed_answers(journey_id: str) -> Response[Any]:
    request = _request()
    support = support_page(request)
    answers = _journey(request, journey_id)
    if isinstance(answers, Response):
        return answers
    window = claim_windows.get_window(answers.window_id) if answers.window_id else None
    form = _Form(request, answers.window_id, claim_windows.year_choices(request.now, window))
    if form.answers is None:
        return _form_page(
            request,
            support,
            window=window,
            action=f"{BASE}/answers/{journey_id}",
            back=f"{BASE}/answers/{journey_id}/check",
            opens=form.opens,
            closes=form.closes,
            year_value=form.year_value,
            errors=form.errors,
            bad_parts=form.bad_parts,
        )
    _save_journey(request, journey_id, form.answers)
    return redirect(f"{BASE}/answers/{journey_id}/check")


@router.get(f"{BASE}/answers/<journey_id>/check")
def check_answers(journey_id: str) -> Response[Any]:
    request = _request()
    support = support_page(request)
    answers = _journey(request, journey_id)
    if isinstance(answers, Response):
        return answers
    change = f"{BASE}/answers/{journey_id}"
    closes_at = ClaimWindow(
        window_id=answers.window_id or "new",
        academic_year=answers.year,
        opens_on=answers.opens_on,
        closes_on=answers.closes_on,
    ).closes_at
    return page(
        request,
        "support/claim-windows/check.html",
        h1=CHECK,
        **support.context(NAV),
        caption=CHANGE if answers.window_id else ADD,
        answers=answers,
        closes_at=closes_at,
        closes_in_past=closes_at < request.now,
        change=change,
        action=f"{change}/check",
        cancel=f"{BASE}/{answers.window_id}" if answers.window_id else BASE,
    )


@router.post(f"{BASE}/answers/<journey_id>/check")
def save_window(journey_id: str) -> Response[Any]:
    request = _request()
    support = support_page(request)
    answers = _journey(request, journey_id)
    if isinstance(answers, Response):
        return answers
    try:
        _, created = claim_windows.save_window(answers, request.now, support.user)
    except claim_windows.WindowProblems as problems:  # a colleague added or changed a window meanwhile
        return _answers_form(request, support, journey_id, answers, problems.problems)
    except WindowNotChangeable as refused:
        return _cannot_change(request, support, answers.window_id, refused.reason)
    _finish_journey(request, journey_id)
    set_flash(request, "Claim window added" if created else "Claim window changed", BASE)
    return redirect(BASE)


@router.get(f"{BASE}/<window_id>")
def show_window(window_id: str) -> Response[Any]:
    request = _request()
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
    request = _request()
    support = support_page(request)
    try:
        window = claim_windows.changeable_window(window_id, request.now)
    except WindowNotChangeable as refused:
        return _cannot_change(request, support, window_id, refused.reason)
    return _form_page(
        request,
        support,
        window=window,
        action=f"{BASE}/{window_id}/edit",
        back=f"{BASE}/{window_id}",
        opens=_date_answer(window.opens_on),
        closes=_date_answer(window.closes_on),
        year_value=str(window.academic_year.start_year),
    )


@router.post(f"{BASE}/<window_id>/edit")
def submit_edit_window(window_id: str) -> Response[Any]:
    request = _request()
    support = support_page(request)
    try:
        window = claim_windows.changeable_window(window_id, request.now)
    except WindowNotChangeable as refused:
        return _cannot_change(request, support, window_id, refused.reason)
    form = _Form(request, window_id, claim_windows.year_choices(request.now, window))
    if form.answers is None:
        return _form_page(
            request,
            support,
            window=window,
            action=f"{BASE}/{window_id}/edit",
            back=f"{BASE}/{window_id}",
            opens=form.opens,
            closes=form.closes,
            year_value=form.year_value,
            errors=form.errors,
            bad_parts=form.bad_parts,
        )
    return redirect(f"{BASE}/answers/{_start_journey(request, form.answers)}/check")


# -- remove -------------------------------------------------------------------------------------------
def _cannot_remove(request: Request, support: SupportPage, window_id: str, reason: str) -> Response[Any]:
    return page(
        request,
        "support/claim-windows/refused.html",
        h1=CANNOT_REMOVE,
        status=409 if request.method == "POST" else 200,
        **support.context(NAV),
        reasons=[f"{reason}."],
        back=f"{BASE}/{window_id}",
    )


@router.get(f"{BASE}/<window_id>/remove")
def confirm_remove_window(window_id: str) -> Response[Any]:
    request = _request()
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
    request = _request()
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
    request = _request()
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
    request = _request()
    support = support_page(request)
    try:
        claim_windows.close_window_now(window_id, request.now, support.user)
    except claim_windows.CloseRefused as refused:
        return _close_refused(request, support, window_id, refused)
    set_flash(request, "The claim window is closing and its payment run has started", f"{BASE}/{window_id}")
    return redirect(f"{BASE}/{window_id}")
