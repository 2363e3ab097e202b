"""School mentors pages: /schools/{school_id}/mentors/...

List → find teacher (TRN and date of birth) → check your answers → list with a banner;
find teacher → no results → change your search; list → remove (confirm, or "you cannot") → list.
After too many failed lookups (ADR 14) find teacher answers "You have tried to find too many teachers" (429).

What a lookup found (TRN and names, never the date of birth) waits in the session under a random id
in the URL, so two tabs adding two mentors do not mix. The date of birth exists only in the POST
that looks the teacher up: it is never stored, logged, or put in a URL.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.academic_years import london_today
from shared.claims.errors import NotFound
from shared.journeys.forms import DateAnswer, Errors, parse_past_date
from shared.usecases import mentors
from shared.web.flash import set_flash, take_flash
from shared.web.pages import page, redirect
from shared.web.request import Request
from shared.web.school import SchoolPage, school_page

router = Router()

NAV = "Mentors"
LOOKUPS = "mentor_lookups"  # session key: lookup id → {"school_id", "trn", "first_name"?, "last_name"?}
KEEP = 10  # how many lookups a session remembers

FIND_TEACHER = "Find teacher"
CHECK_YOUR_ANSWERS = "Check your answers"
REMOVE_MENTOR = "Are you sure you want to remove this mentor?"
CANNOT_REMOVE = "You cannot remove this mentor"
LOOKUP_PROBLEM = "Sorry, there is a problem with the service"
TOO_MANY_LOOKUPS = "You have tried to find too many teachers"

TRN_FIELD = "trn"
DATE_FIELD = "date_of_birth"
PRIVACY_FIELD = "privacy_notice"

_TRN_IN_PATH = re.compile(r"\d{7}")
_PAGE_NUMBER = re.compile(r"[1-9]\d{0,5}")


def _request() -> Request:
    request: Request = router.context["request"]
    return request


def _base(school_id: str) -> str:
    return f"/schools/{school_id}/mentors"


# -- the session: lookups ---------------------------------------------------------------
def _lookups(request: Request) -> dict[str, Any]:
    session = request.ensure_session()
    lookups = session.data.get(LOOKUPS)
    if not isinstance(lookups, dict):
        lookups = session.data[LOOKUPS] = {}
    return lookups


def _remember(request: Request, school_id: str, trn: str, teacher: mentors.TeacherRecord | None) -> str:
    """Keep what a lookup found (never the date of birth) under a new random id."""
    lookups = _lookups(request)
    for old in sorted(lookups, key=lambda key: str(lookups[key].get("at", "")))[: max(0, len(lookups) - KEEP + 1)]:
        del lookups[old]
    lookup_id = secrets.token_urlsafe(16)
    found: dict[str, str] = {"school_id": school_id, "at": request.now.isoformat(), "trn": trn}
    if teacher is not None:
        found.update(first_name=teacher.first_name, last_name=teacher.last_name)
    lookups[lookup_id] = found
    request.session_dirty = True
    return lookup_id


def _recall(request: Request, school_id: str, lookup_id: str) -> dict[str, Any] | None:
    if request.session is None:
        return None
    lookups = request.session.data.get(LOOKUPS)
    found = lookups.get(lookup_id) if isinstance(lookups, dict) else None
    if not isinstance(found, dict) or found.get("school_id") != school_id:
        return None
    return found


def _teacher(found: dict[str, Any] | None) -> mentors.TeacherRecord | None:
    if not found or not found.get("first_name") or not found.get("last_name"):
        return None
    return mentors.TeacherRecord(
        trn=str(found["trn"]), first_name=str(found["first_name"]), last_name=str(found["last_name"])
    )


def _forget(request: Request, lookup_id: str) -> None:
    if request.session is not None and isinstance(request.session.data.get(LOOKUPS), dict):
        request.session.data[LOOKUPS].pop(lookup_id, None)
        request.session_dirty = True


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
    request = _request()
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
def _find_page(
    request: Request,
    school: SchoolPage,
    trn: str = "",
    birth: DateAnswer | None = None,
    errors: Errors | None = None,
    bad_parts: tuple[str, ...] = (),
    status: int = 200,
) -> Response[Any]:
    base = _base(school.school.organisation_id)
    errors = errors or Errors()
    birth = birth or DateAnswer("", "", "")
    date_items = [{**item, "autocomplete": "off"} for item in birth.items(DATE_FIELD, DATE_FIELD in errors, bad_parts)]
    return page(
        request,
        "schools/mentors/find.html",
        h1=FIND_TEACHER,
        status=status,
        **school.context(NAV),
        action=f"{base}/new",
        cancel=base,
        trn=trn,
        date_items=date_items,
        errors=errors,
    )


@router.get("/schools/<school_id>/mentors/new")
def find_teacher_form(school_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    found = _recall(request, school_id, request.arg("search")) if request.arg("search") else None
    return _find_page(request, school, trn=str(found["trn"]) if found else "")


@router.post("/schools/<school_id>/mentors/new")
def find_teacher(school_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    typed_trn = request.field(TRN_FIELD)
    trn = mentors.clean_trn(typed_trn)
    birth = DateAnswer.from_form(request.form, DATE_FIELD)
    errors = Errors()
    trn_problem = mentors.trn_error(trn)
    if trn_problem:
        errors.add(TRN_FIELD, trn_problem)
    date_of_birth, date_problem, bad_parts = parse_past_date(
        birth, "Date of birth", london_today(request.now), empty_message=mentors.ENTER_DATE_OF_BIRTH
    )
    if date_problem:
        errors.add(DATE_FIELD, date_problem, target=f"{DATE_FIELD}-{(bad_parts or ('day',))[0]}")
    if errors or date_of_birth is None:
        return _find_page(request, school, typed_trn, birth, errors, bad_parts)
    try:
        search = mentors.find_teacher(school.school, school.user, trn, date_of_birth, request.now)
    except mentors.TeachingRecordUnavailable:
        return _lookup_problem(request, school)
    if search.outcome is mentors.SearchOutcome.TOO_MANY and search.lockout is not None:
        return _too_many_lookups(request, school, search.lockout)
    if search.outcome is mentors.SearchOutcome.ALREADY_ADDED and search.existing is not None:
        errors.add(TRN_FIELD, mentors.already_added_message(search.existing))
        return _find_page(request, school, typed_trn, birth, errors)
    lookup_id = _remember(request, school_id, trn, search.teacher)
    if search.teacher is None:
        return redirect(f"{_base(school_id)}/no-results/{lookup_id}")
    return redirect(f"{_base(school_id)}/check/{lookup_id}")


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
    request = _request()
    school = school_page(request, school_id)
    found = _recall(request, school_id, lookup_id)
    if found is None:
        return redirect(f"{_base(school_id)}/new")
    trn = str(found["trn"])
    return page(
        request,
        "schools/mentors/no-results.html",
        h1=f"No results found for ‘{trn}’",
        **school.context(NAV),
        change=f"{_base(school_id)}/new?search={lookup_id}",
    )


# -- check your answers ----------------------------------------------------------------------------
def _check_page(
    request: Request, school: SchoolPage, lookup_id: str, teacher: mentors.TeacherRecord, errors: Errors | None = None
) -> Response[Any]:
    base = _base(school.school.organisation_id)
    return page(
        request,
        "schools/mentors/check.html",
        h1=CHECK_YOUR_ANSWERS,
        **school.context(NAV),
        teacher=teacher,
        action=f"{base}/check/{lookup_id}",
        change=f"{base}/new?search={lookup_id}",
        cancel=base,
        errors=errors or Errors(),
    )


@router.get("/schools/<school_id>/mentors/check/<lookup_id>")
def check_mentor(school_id: str, lookup_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    teacher = _teacher(_recall(request, school_id, lookup_id))
    if teacher is None:
        return redirect(_base(school_id))
    return _check_page(request, school, lookup_id, teacher)


@router.post("/schools/<school_id>/mentors/check/<lookup_id>")
def add_mentor(school_id: str, lookup_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    teacher = _teacher(_recall(request, school_id, lookup_id))
    if teacher is None:  # already added from this page (a repeated submission), or an old link
        return redirect(_base(school_id))
    if request.field(PRIVACY_FIELD) != "yes":
        errors = Errors()
        errors.add(PRIVACY_FIELD, f"Confirm that {teacher.full_name} has been told about the privacy notice")
        return _check_page(request, school, lookup_id, teacher, errors)
    outcome, mentor = mentors.add_mentor(school.school, teacher, school.user, request.now)
    _forget(request, lookup_id)
    if outcome is mentors.AddOutcome.ADDED_BEFORE:
        errors = Errors()
        errors.add(TRN_FIELD, mentors.already_added_message(mentor))
        return _find_page(request, school, teacher.trn, errors=errors)
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
    request = _request()
    school = school_page(request, school_id)
    return _remove_page(request, school, _removal(school, trn))


@router.post("/schools/<school_id>/mentors/<trn>/remove")
def remove_mentor(school_id: str, trn: str) -> Response[Any]:
    request = _request()
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
