"""School users pages: /schools/{school_id}/users/...

List → add user (details, check your answers) → list with a banner; list → remove (confirm) → list.
The add user answers live in the session under a random id in the URL, so two tabs adding two people
do not mix; once added, the id is marked done, so a repeated "Add user" adds and emails nothing more.
"""

from __future__ import annotations

import secrets
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.errors import NotFound
from shared.claims.models import User
from shared.config import settings
from shared.journeys.forms import Errors
from shared.usecases import users
from shared.web.flash import set_flash, take_flash
from shared.web.pages import page, redirect
from shared.web.request import Request
from shared.web.school import SchoolPage, school_page

router = Router()

JOURNEYS = "add_user"  # session key: journey id → answers, school and whether it is done
REMOVED = "users_removed"  # session key: "<school id>#<user id>" of recent removals, for repeated posts
KEEP = 10  # how many journeys and removals a session remembers

ADD_USER = "Add user"
CHECK_YOUR_ANSWERS = "Check your answers"
REMOVE_USER = "Are you sure you want to remove this user?"
CANNOT_REMOVE_YOURSELF = "You cannot remove yourself"


def _request() -> Request:
    request: Request = router.context["request"]
    return request


def _base(school_id: str) -> str:
    return f"/schools/{school_id}/users"


# -- the session: banner, journeys, removals ----------------------------------------------------------
def _set_flash(request: Request, school_id: str, text: str) -> None:
    set_flash(request, text, _base(school_id))


def _journeys(request: Request) -> dict[str, Any]:
    session = request.ensure_session()
    journeys = session.data.get(JOURNEYS)
    if not isinstance(journeys, dict):
        journeys = session.data[JOURNEYS] = {}
    return journeys


def _journey(request: Request, school_id: str, journey_id: str) -> dict[str, Any] | None:
    journey = _journeys(request).get(journey_id)
    if not isinstance(journey, dict) or journey.get("school_id") != school_id:
        return None
    return journey


def _save_journey(request: Request, school_id: str, journey_id: str, answers: users.NewUserAnswers) -> None:
    journeys = _journeys(request)
    previous = journeys.pop(journey_id, None) or {}
    for old in sorted(journeys, key=lambda key: str(journeys[key].get("at", "")))[: max(0, len(journeys) - KEEP + 1)]:
        del journeys[old]
    journeys[journey_id] = {
        "school_id": school_id,
        "at": request.now.isoformat(),
        # The id a new user will get, chosen once: two clicks on "Add user" cannot make two users.
        "new_user_id": previous.get("new_user_id") or users.new_user_id(),
        **answers.model_dump(),
    }
    request.session_dirty = True


def _finish_journey(request: Request, school_id: str, journey_id: str) -> None:
    _journeys(request)[journey_id] = {"school_id": school_id, "at": request.now.isoformat(), "done": True}
    request.session_dirty = True


def _remember_removal(request: Request, school_id: str, user_id: str) -> None:
    session = request.ensure_session()
    removed = [key for key in session.data.get(REMOVED) or [] if isinstance(key, str)]
    session.data[REMOVED] = [*removed, f"{school_id}#{user_id}"][-KEEP:]
    request.session_dirty = True


def _recently_removed(request: Request, school_id: str, user_id: str) -> bool:
    if request.session is None:
        return False
    return f"{school_id}#{user_id}" in (request.session.data.get(REMOVED) or [])


# -- pages --------------------------------------------------------------------------------------------
def _answers(request: Request) -> users.NewUserAnswers:
    return users.NewUserAnswers(
        first_name=request.field("first_name"),
        last_name=request.field("last_name"),
        email=request.field("email"),
    )


def _errors(problems: dict[str, str]) -> Errors:
    errors = Errors()
    for name, text in problems.items():
        errors.add(name, text)
    return errors


def _typed(request: Request) -> dict[str, str]:
    """The fields exactly as typed, to show them back when something is wrong."""
    return {name: request.field(name) for name in (users.FIRST_NAME, users.LAST_NAME, users.EMAIL)}


def _details_page(
    request: Request,
    school: SchoolPage,
    answers: users.NewUserAnswers | dict[str, str],
    journey_id: str | None,
    errors: Errors | None = None,
) -> Response[Any]:
    base = _base(school.school.organisation_id)
    action = f"{base}/new/{journey_id}" if journey_id else f"{base}/new"
    return page(
        request,
        "schools/users/details.html",
        h1=ADD_USER,
        **school.context("Users"),
        answers=answers,
        action=action,
        back=f"{action}/check" if journey_id else base,
        cancel=base,
        errors=errors or Errors(),
    )


def _cannot_remove_yourself(request: Request, school: SchoolPage) -> Response[Any]:
    return page(
        request,
        "schools/users/cannot-remove-yourself.html",
        h1=CANNOT_REMOVE_YOURSELF,
        status=403,
        **school.context("Users"),
        base=_base(school.school.organisation_id),
    )


@router.get("/schools/<school_id>/users")
def list_users(school_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    return page(
        request,
        "schools/users/index.html",
        h1="Users",
        **school.context("Users"),
        users=users.users_of(school.school),
        me=school.user.user_id,
        base=_base(school_id),
        banner=take_flash(request),
    )


@router.get("/schools/<school_id>/users/new")
def new_user(school_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    return _details_page(request, school, users.NewUserAnswers(), None)


@router.post("/schools/<school_id>/users/new")
def submit_new_user(school_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    answers = _answers(request)
    problems = users.check_new_user(school.school, answers)
    if problems:
        return _details_page(request, school, _typed(request), None, _errors(problems))
    journey_id = secrets.token_hex(16)
    _save_journey(request, school_id, journey_id, answers)
    return redirect(f"{_base(school_id)}/new/{journey_id}/check")


def _open_journey(request: Request, school_id: str, journey_id: str) -> dict[str, Any] | Response[Any]:
    """The journey's answers; the list if it is done; 404 for an id this session does not know."""
    journey = _journey(request, school_id, journey_id)
    if journey is None:
        raise NotFound
    if journey.get("done"):
        return redirect(_base(school_id))
    return journey


@router.get("/schools/<school_id>/users/new/<journey_id>")
def change_new_user(school_id: str, journey_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    journey = _open_journey(request, school_id, journey_id)
    if isinstance(journey, Response):
        return journey
    return _details_page(request, school, users.NewUserAnswers.model_validate(journey), journey_id)


@router.post("/schools/<school_id>/users/new/<journey_id>")
def submit_changed_user(school_id: str, journey_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    journey = _open_journey(request, school_id, journey_id)
    if isinstance(journey, Response):
        return journey
    answers = _answers(request)
    problems = users.check_new_user(school.school, answers)
    if problems:
        return _details_page(request, school, _typed(request), journey_id, _errors(problems))
    _save_journey(request, school_id, journey_id, answers)
    return redirect(f"{_base(school_id)}/new/{journey_id}/check")


@router.get("/schools/<school_id>/users/new/<journey_id>/check")
def check_new_user(school_id: str, journey_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    journey = _open_journey(request, school_id, journey_id)
    if isinstance(journey, Response):
        return journey
    base = _base(school_id)
    return page(
        request,
        "schools/users/check.html",
        h1=CHECK_YOUR_ANSWERS,
        **school.context("Users"),
        answers=users.NewUserAnswers.model_validate(journey),
        change=f"{base}/new/{journey_id}",
        action=f"{base}/new/{journey_id}/check",
        cancel=base,
    )


@router.post("/schools/<school_id>/users/new/<journey_id>/check")
def add_user(school_id: str, journey_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    journey = _open_journey(request, school_id, journey_id)
    if isinstance(journey, Response):
        return journey
    answers = users.NewUserAnswers.model_validate(journey)
    try:
        added: User = users.add_user(
            school.school, answers, str(journey["new_user_id"]), school.user, settings().service_url
        )
    except users.EmailBelongsToAnotherKindOfAccount:
        problems = {users.EMAIL: users.EMAIL_OTHER_ACCOUNT}
        return _details_page(request, school, answers, journey_id, _errors(problems))
    _finish_journey(request, school_id, journey_id)
    _set_flash(request, school_id, f"{added.full_name} has been added")
    return redirect(_base(school_id))


@router.get("/schools/<school_id>/users/<user_id>/remove")
def confirm_remove_user(school_id: str, user_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    try:
        member = users.user_to_remove(school.school, school.user, user_id)
    except users.CannotRemoveYourself:
        return _cannot_remove_yourself(request, school)
    base = _base(school_id)
    return page(
        request,
        "schools/users/remove.html",
        h1=REMOVE_USER,
        **school.context("Users"),
        member=member,
        action=f"{base}/{user_id}/remove",
        cancel=base,
    )


@router.post("/schools/<school_id>/users/<user_id>/remove")
def remove_user(school_id: str, user_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    try:
        member = users.user_to_remove(school.school, school.user, user_id)
    except users.CannotRemoveYourself:
        return _cannot_remove_yourself(request, school)
    except NotFound:
        if _recently_removed(request, school_id, user_id):  # a second click on "Remove user"
            return redirect(_base(school_id))
        raise
    users.remove_user(school.school, school.user, member)
    _remember_removal(request, school_id, user_id)
    _set_flash(request, school_id, f"{member.full_name} has been removed")
    return redirect(_base(school_id))
