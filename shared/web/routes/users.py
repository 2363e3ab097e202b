"""School users pages: /schools/{school_id}/users/...

List → add user (details, check your answers) → list with a banner; list → remove (confirm) → list.
Adding a user is a journey (`shared.journeys.add_user`, ADR 0018): its answers are stored server-side
under a random id in the URL, so two tabs adding two people do not mix; once added it is finished, so a
repeated "Add user" adds and emails nothing more.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.errors import NotFound
from shared.claims.people import User
from shared.config import settings
from shared.journeys.add_user import CHECK_ANSWERS, DETAILS, FLOW, NewUserAnswers, UserForm, form_for
from shared.journeys.flow import Location
from shared.usecases import journeys, users
from shared.usecases.journeys import Opened
from shared.web.flash import set_flash, take_flash
from shared.web.journeys import open_step
from shared.web.pages import ShowInstead, page, redirect
from shared.web.request import Request, current_request
from shared.web.school import SchoolPage, school_page

router = Router()

REMOVED = "users_removed"  # session key: "<school id>#<user id>" of recent removals, for repeated posts
KEEP = 10  # how many removals a session remembers

ADD_USER = "Add user"
CHECK_YOUR_ANSWERS = "Check your answers"
REMOVE_USER = "Are you sure you want to remove this user?"
CANNOT_REMOVE_YOURSELF = "You cannot remove yourself"


def _base(school_id: str) -> str:
    return f"/schools/{school_id}/users"


# -- the session: banner, removals --------------------------------------------------------------------
def _set_flash(request: Request, school_id: str, text: str) -> None:
    set_flash(request, text, _base(school_id))


def _remember_removal(request: Request, school_id: str, user_id: str) -> None:
    session = request.ensure_session()
    removed = [key for key in session.data.get(REMOVED) or [] if isinstance(key, str)]
    session.data[REMOVED] = [*removed, f"{school_id}#{user_id}"][-KEEP:]
    request.session_dirty = True


def _recently_removed(request: Request, school_id: str, user_id: str) -> bool:
    if request.session is None:
        return False
    return f"{school_id}#{user_id}" in (request.session.data.get(REMOVED) or [])


# -- the add user journey -----------------------------------------------------------------------------
def _journey_base(school_id: str, journey_id: str) -> str:
    return f"{_base(school_id)}/new/{journey_id}"


def _open(request: Request, school: SchoolPage, journey_id: str, here: Location) -> Opened[NewUserAnswers]:
    """The journey at `here` (404 for one that is not this user's at this school); once added, the list."""
    school_id = school.school.organisation_id
    return open_step(
        FLOW,
        NewUserAnswers,
        journey_id,
        here,
        _journey_base(school_id, journey_id),
        owner=school.user.user_id,
        organisation_id=school_id,
        now=request.now,
        finished=lambda _: _base(school_id),
    )


def _details_page(request: Request, school: SchoolPage, form: UserForm, journey_id: str | None) -> Response[Any]:
    base = _base(school.school.organisation_id)
    action = _journey_base(school.school.organisation_id, journey_id) if journey_id else f"{base}/new"
    return page(
        request,
        "users/details.html",
        h1=ADD_USER,
        **school.context("Users"),
        caption=school.school.name,
        intro="We will email them to say they have been added and how to sign in.",
        answers=form.typed,
        action=action,
        back=CHECK_ANSWERS.path(action) if journey_id else base,
        cancel=base,
        errors=form.errors,
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


def _removable(request: Request, school: SchoolPage, user_id: str) -> User:
    """The member the user may remove; NotFound if not a member here; their own account is refused."""
    try:
        return users.user_to_remove(school.school, school.user, user_id)
    except users.CannotRemoveYourself:
        raise ShowInstead(_cannot_remove_yourself(request, school)) from None


@router.get("/schools/<school_id>/users")
def list_users(school_id: str) -> Response[Any]:
    request = current_request(router)
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
    request = current_request(router)
    school = school_page(request, school_id)
    return _details_page(request, school, form_for(NewUserAnswers()), None)


@router.post("/schools/<school_id>/users/new")
def submit_new_user(school_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    form = users.read_form(request.form, school.school)
    if form.answers is None:
        return _details_page(request, school, form, None)
    journey_id = journeys.start(FLOW, school.user.user_id, school_id, form.answers, request.now)
    return redirect(CHECK_ANSWERS.path(_journey_base(school_id, journey_id)))


@router.get("/schools/<school_id>/users/new/<journey_id>")
def change_new_user(school_id: str, journey_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    opened = _open(request, school, journey_id, DETAILS)
    return _details_page(request, school, form_for(opened.answers), journey_id)


@router.post("/schools/<school_id>/users/new/<journey_id>")
def submit_changed_user(school_id: str, journey_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    opened = _open(request, school, journey_id, DETAILS)
    form = users.read_form(request.form, school.school, opened.answers.new_user_id)
    if form.answers is None:
        return _details_page(request, school, form, journey_id)
    journeys.save(journey_id, form.answers, request.now)
    return redirect(CHECK_ANSWERS.path(_journey_base(school_id, journey_id)))


@router.get("/schools/<school_id>/users/new/<journey_id>/check")
def check_new_user(school_id: str, journey_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    opened = _open(request, school, journey_id, CHECK_ANSWERS)
    base = _journey_base(school_id, journey_id)
    return page(
        request,
        "schools/users/check.html",
        h1=CHECK_YOUR_ANSWERS,
        **school.context("Users"),
        answers=opened.answers,
        change=base,
        action=CHECK_ANSWERS.path(base),
        cancel=_base(school_id),
    )


@router.post("/schools/<school_id>/users/new/<journey_id>/check")
def add_user(school_id: str, journey_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    opened = _open(request, school, journey_id, CHECK_ANSWERS)
    answers = opened.answers
    try:
        added: User = users.add_user(school.school, answers, answers.new_user_id, school.user, settings().service_url)
    except users.EmailBelongsToAnotherKindOfAccount:
        refused = form_for(answers, {users.EMAIL: users.EMAIL_OTHER_ACCOUNT})
        return _details_page(request, school, refused, journey_id)
    journeys.finish(journey_id, added.user_id)
    _set_flash(request, school_id, f"{added.full_name} has been added")
    return redirect(_base(school_id))


@router.get("/schools/<school_id>/users/<user_id>/remove")
def confirm_remove_user(school_id: str, user_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    member = _removable(request, school, user_id)
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
    request = current_request(router)
    school = school_page(request, school_id)
    try:
        member = _removable(request, school, user_id)
    except NotFound:
        if _recently_removed(request, school_id, user_id):  # a second click on "Remove user"
            return redirect(_base(school_id))
        raise
    users.remove_user(school.school, school.user, member)
    _remember_removal(request, school_id, user_id)
    _set_flash(request, school_id, f"{member.full_name} has been removed")
    return redirect(_base(school_id))
