"""School mentors pages: /schools/{school_id}/mentors/...

List → find teacher (TRN and date of birth) → check your answers → list with a banner;
find teacher → no results → change your search; list → remove (confirm, or "you cannot") → list.
After too many failed lookups (ADR 14) find teacher answers "You have tried to find too many teachers" (429).

A lookup starts the add mentor journey (`shared.journeys.add_mentor`, ADR 0018): what it found (TRN and
names, never the date of birth) is stored server-side under a random id in the URL, so two tabs adding
two mentors do not mix. The date of birth exists only in the POST that looks the teacher up: it is never
stored, logged, or put in a URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.academic_years import london_today
from shared.claims.errors import NotFound
from shared.journeys.add_mentor import (
    CHECK_ANSWERS,
    DATE_FIELD,
    FLOW,
    NO_RESULTS,
    TRN_FIELD,
    FindForm,
    LookupAnswers,
    already_added,
    privacy_confirmed,
    read_find_form,
)
from shared.journeys.flow import Location
from shared.journeys.forms import Errors
from shared.usecases import journeys, mentors
from shared.web.flash import set_flash, take_flash
from shared.web.journeys import GoTo, open_step
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request
from shared.web.school import SchoolPage, school_page

router = Router()

NAV = "Mentors"

FIND_TEACHER = "Find teacher"
CHECK_YOUR_ANSWERS = "Check your answers"
REMOVE_MENTOR = "Are you sure you want to remove this mentor?"
CANNOT_REMOVE = "You cannot remove this mentor"
LOOKUP_PROBLEM = "Sorry, there is a problem with the service"
TOO_MANY_LOOKUPS = "You have tried to find too many teachers"


_TRN_IN_PATH = re.compile(r"\d{7}")
_PAGE_NUMBER = re.compile(r"[1-9]\d{0,5}")


def _base(school_id: str) -> str:
    return f"/schools/{school_id}/mentors"


# -- the add mentor journey ---------------------------------------------------------------------------
def _step_url(school_id: str, lookup_id: str) -> Callable[[Location], str]:
    return lambda place: f"{_base(school_id)}/{place.step}/{lookup_id}"


def _open(request: Request, school: SchoolPage, lookup_id: str, here: Location, unknown: str) -> LookupAnswers:
    """What the lookup found, at `here`; an unknown or finished lookup (an old link, another school's, a
    repeated "Confirm and add mentor") goes to `unknown` or the list."""
    school_id = school.school.organisation_id
    try:
        opened = open_step(
            FLOW,
            LookupAnswers,
            lookup_id,
            here,
            _step_url(school_id, lookup_id),
            owner=school.user.user_id,
            organisation_id=school_id,
            now=request.now,
            finished=lambda _: _base(school_id),
        )
    except NotFound:
        raise GoTo(unknown) from None
    return opened.answers


def _searched_trn(request: Request, school: SchoolPage, lookup_id: str) -> str:
    """The TRN an earlier lookup was for ("Change" from its page), or nothing for one not known here."""
    try:
        opened = journeys.open_journey(
            FLOW, LookupAnswers, lookup_id, school.user.user_id, school.school.organisation_id, request.now
        )
    except NotFound:
        return ""
    return opened.answers.trn


# -- the list --------------------------------------------------------------------------------------
def _page_number(request: Request) -> int:
    if "page" not in request.query:
        return 1
    raw = request.arg("page")
    if not _PAGE_NUMBER.fullmatch(raw):
        raise NotFound
    return int(raw)


def _pagination(base: str, current: int, pages: int) -> dict[str, Any] | None:
    """The GOV.UK pagination component: first, last, the current page and its neighbours."""
    if pages <= 1:
        return None
    items: list[dict[str, Any]] = []
    previous_number = 0
    for number in range(1, pages + 1):
        if number in (1, pages) or abs(number - current) <= 1:
            if number - previous_number > 1:
                items.append({"ellipsis": True})
            items.append({"number": number, "href": f"{base}?page={number}", "current": number == current})
            previous_number = number
    pagination: dict[str, Any] = {"items": items}
    if current > 1:
        pagination["previous"] = {"href": f"{base}?page={current - 1}"}
    if current < pages:
        pagination["next"] = {"href": f"{base}?page={current + 1}"}
    return pagination


@router.get("/schools/<school_id>/mentors")
def list_mentors(school_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    view = mentors.mentors_page(school.school, _page_number(request))
    base = _base(school_id)
    return page(
        request,
        "schools/mentors/index.html",
        h1="Mentors",
        **school.context(NAV),
        view=view,
        base=base,
        pagination=_pagination(base, view.page, view.pages),
        banner=take_flash(request),
    )


# -- find teacher ----------------------------------------------------------------------------------
def _find_page(request: Request, school: SchoolPage, form: FindForm, status: int = 200) -> Response[Any]:
    base = _base(school.school.organisation_id)
    date_items = [
        {**item, "autocomplete": "off"}
        for item in form.birth.items(DATE_FIELD, DATE_FIELD in form.errors, form.bad_parts)
    ]
    return page(
        request,
        "schools/mentors/find.html",
        h1=FIND_TEACHER,
        status=status,
        **school.context(NAV),
        action=f"{base}/new",
        cancel=base,
        trn=form.trn,
        date_items=date_items,
        errors=form.errors,
    )


@router.get("/schools/<school_id>/mentors/new")
def find_teacher_form(school_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    search = request.arg("search")
    return _find_page(request, school, FindForm(trn=_searched_trn(request, school, search) if search else ""))


@router.post("/schools/<school_id>/mentors/new")
def find_teacher(school_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    lookup = read_find_form(request.form, london_today(request.now))
    if isinstance(lookup, FindForm):
        return _find_page(request, school, lookup)
    try:
        search = mentors.find_teacher(school.school, school.user, lookup.trn, lookup.date_of_birth, request.now)
    except mentors.TeachingRecordUnavailable:
        return _lookup_problem(request, school)
    if search.outcome is mentors.SearchOutcome.TOO_MANY and search.lockout is not None:
        return _too_many_lookups(request, school, search.lockout)
    if search.outcome is mentors.SearchOutcome.ALREADY_ADDED and search.existing is not None:
        return _find_page(request, school, already_added(request.form, mentors.already_added_message(search.existing)))
    teacher = search.teacher
    answers = LookupAnswers(
        trn=lookup.trn, first_name=teacher.first_name if teacher else "", last_name=teacher.last_name if teacher else ""
    )
    lookup_id = journeys.start(FLOW, school.user.user_id, school_id, answers, request.now)
    return redirect(_step_url(school_id, lookup_id)(FLOW.next_after(answers)))


def _lookup_problem(request: Request, school: SchoolPage) -> Response[Any]:
    return page(
        request,
        "schools/mentors/lookup-problem.html",
        h1=LOOKUP_PROBLEM,
        status=503,
        **school.context(NAV),
        retry=f"{_base(school.school.organisation_id)}/new",
    )


def _too_many_lookups(request: Request, school: SchoolPage, lockout: mentors.Lockout) -> Response[Any]:
    response = page(
        request,
        "schools/mentors/too-many-lookups.html",
        h1=TOO_MANY_LOOKUPS,
        status=429,
        **school.context(NAV),
        school_wide=lockout.scope is mentors.Scope.SCHOOL,
        try_again=lockout.try_again,
        back=_base(school.school.organisation_id),
    )
    response.headers["Retry-After"] = str(max(1, int((lockout.until - request.now).total_seconds())))
    return response


@router.get("/schools/<school_id>/mentors/no-results/<lookup_id>")
def no_results(school_id: str, lookup_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    answers = _open(request, school, lookup_id, NO_RESULTS, f"{_base(school_id)}/new")
    return page(
        request,
        "schools/mentors/no-results.html",
        h1=f"No results found for ‘{answers.trn}’",
        **school.context(NAV),
        change=f"{_base(school_id)}/new?search={lookup_id}",
    )


# -- check your answers ----------------------------------------------------------------------------
def _check_page(
    request: Request, school: SchoolPage, lookup_id: str, answers: LookupAnswers, errors: Errors | None = None
) -> Response[Any]:
    base = _base(school.school.organisation_id)
    return page(
        request,
        "schools/mentors/check.html",
        h1=CHECK_YOUR_ANSWERS,
        **school.context(NAV),
        teacher=answers,
        action=f"{base}/check/{lookup_id}",
        change=f"{base}/new?search={lookup_id}",
        cancel=base,
        errors=errors or Errors(),
    )


@router.get("/schools/<school_id>/mentors/check/<lookup_id>")
def check_mentor(school_id: str, lookup_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    answers = _open(request, school, lookup_id, CHECK_ANSWERS, _base(school_id))
    return _check_page(request, school, lookup_id, answers)


@router.post("/schools/<school_id>/mentors/check/<lookup_id>")
def add_mentor(school_id: str, lookup_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    answers = _open(request, school, lookup_id, CHECK_ANSWERS, _base(school_id))
    confirmed = privacy_confirmed(request.form, answers.full_name)
    if isinstance(confirmed, Errors):
        return _check_page(request, school, lookup_id, answers, confirmed)
    teacher = mentors.TeacherRecord(trn=answers.trn, first_name=answers.first_name, last_name=answers.last_name)
    outcome, mentor = mentors.add_mentor(school.school, teacher, school.user, request.now)
    journeys.finish(lookup_id, answers.trn)
    if outcome is mentors.AddOutcome.ADDED_BEFORE:
        errors = Errors()
        errors.add(TRN_FIELD, mentors.already_added_message(mentor))
        return _find_page(request, school, FindForm(trn=answers.trn, errors=errors))
    set_flash(request, f"{mentor.full_name} has been added", _base(school_id))
    return redirect(_base(school_id))


# -- remove ----------------------------------------------------------------------------------------
def _removal(school: SchoolPage, trn: str) -> mentors.Removal:
    if not _TRN_IN_PATH.fullmatch(trn):
        raise NotFound
    return mentors.removal(school.school, trn)


def _remove_page(request: Request, school: SchoolPage, found: mentors.Removal) -> Response[Any]:
    base = _base(school.school.organisation_id)
    return page(
        request,
        "schools/mentors/remove.html",
        h1=CANNOT_REMOVE if found.on_active_claim else REMOVE_MENTOR,
        **school.context(NAV),
        mentor=found.mentor,
        blocked=found.on_active_claim,
        action=f"{base}/{found.mentor.trn}/remove",
        cancel=base,
    )


@router.get("/schools/<school_id>/mentors/<trn>/remove")
def confirm_remove(school_id: str, trn: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    return _remove_page(request, school, _removal(school, trn))


@router.post("/schools/<school_id>/mentors/<trn>/remove")
def remove_mentor(school_id: str, trn: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    if not _TRN_IN_PATH.fullmatch(trn):
        raise NotFound
    try:
        removed = mentors.remove_mentor(school.school, trn, school.user)
    except mentors.MentorOnActiveClaim:
        return _remove_page(request, school, _removal(school, trn))
    if removed is not None:
        set_flash(request, f"{removed.full_name} has been removed", _base(school_id))
    return redirect(_base(school_id))
