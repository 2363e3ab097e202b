"""Support console: support users, /support/users/...

List → "Add support user" (name and email, check your answers, "Add support user") → list with a banner;
list → "Remove" (confirm) → list with a banner. Adding is the add user journey (`shared.journeys.add_user`,
ADR 0018) kept for the support organisation: once added it is finished, so a repeated "Add support user" adds
and emails nothing more. Nobody can remove themselves: there is no link, and a post is refused.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.errors import NotFound
from shared.claims.people import User
from shared.claims.support_users import EMAIL_TAKEN
from shared.journeys.add_user import CHECK_ANSWERS, DETAILS, EMAIL, FLOW, NewUserAnswers, UserForm, form_for
from shared.journeys.flow import Location
from shared.usecases import journeys, support_users
from shared.usecases.journeys import Opened
from shared.usecases.support_users import BASE, CannotRemoveYourself, EmailTaken
from shared.web.flash import set_flash, take_flash
from shared.web.journeys import open_step
from shared.web.pages import ShowInstead, page, redirect
from shared.web.request import Request, current_request
from shared.web.support import SupportPage, support_page

router = Router()

NAV = "Users"
SUPPORT = "support"  # the organisation a support user's journeys belong to

SUPPORT_USERS = "Support users"
ADD = "Add support user"
CHECK = "Check your answers"
CANNOT_REMOVE_YOURSELF = "You cannot remove yourself"


def _journey_base(journey_id: str) -> str:
    return f"{BASE}/new/{journey_id}"


def _open(request: Request, support: SupportPage, journey_id: str, here: Location) -> Opened[NewUserAnswers]:
    """The journey at `here` (404 for one that is not this user's); once added, the list."""
    return open_step(
        FLOW,
        NewUserAnswers,
        journey_id,
        here,
        _journey_base(journey_id),
        owner=support.user.user_id,
        organisation_id=SUPPORT,
        now=request.now,
        finished=lambda _: BASE,
    )


def _details_page(request: Request, support: SupportPage, form: UserForm, journey_id: str | None) -> Response[Any]:
    action = _journey_base(journey_id) if journey_id else f"{BASE}/new"
    return page(
        request,
        "users/details.html",
        h1=ADD,
        **support.context(NAV),
        caption="Support users",
        intro=(
            "Support users can see and change every claim and organisation. Their email address must be on a DfE "
            "domain. We will email them to say they have been added and how to sign in."
        ),
        answers=form.typed,
        action=action,
        back=CHECK_ANSWERS.path(action) if journey_id else BASE,
        cancel=BASE,
        errors=form.errors,
    )


def _cannot_remove_yourself(request: Request, support: SupportPage) -> Response[Any]:
    return page(
        request,
        "support/users/cannot-remove-yourself.html",
        h1=CANNOT_REMOVE_YOURSELF,
        status=403,
        **support.context(NAV),
        base=BASE,
    )


def _removable(request: Request, support: SupportPage, user_id: str) -> User:
    try:
        return support_users.to_remove(support.user, user_id)
    except CannotRemoveYourself:
        raise ShowInstead(_cannot_remove_yourself(request, support)) from None


@router.get(BASE)
def list_support_users() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return page(
        request,
        "support/users/index.html",
        h1=SUPPORT_USERS,
        **support.context(NAV),
        users=support_users.all_support_users(),
        me=support.user.user_id,
        base=BASE,
        banner=take_flash(request),
    )


@router.get(f"{BASE}/new")
def new_support_user() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return _details_page(request, support, form_for(NewUserAnswers()), None)


@router.post(f"{BASE}/new")
def submit_new_support_user() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    form = support_users.read_form(request.form)
    if form.answers is None:
        return _details_page(request, support, form, None)
    journey_id = journeys.start(FLOW, support.user.user_id, SUPPORT, form.answers, request.now)
    return redirect(CHECK_ANSWERS.path(_journey_base(journey_id)))


@router.get(f"{BASE}/new/<journey_id>")
def change_new_support_user(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, DETAILS)
    return _details_page(request, support, form_for(opened.answers), journey_id)


@router.post(f"{BASE}/new/<journey_id>")
def submit_changed_support_user(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, DETAILS)
    form = support_users.read_form(request.form, opened.answers.new_user_id)
    if form.answers is None:
        return _details_page(request, support, form, journey_id)
    journeys.save(journey_id, form.answers, request.now)
    return redirect(CHECK_ANSWERS.path(_journey_base(journey_id)))


@router.get(f"{BASE}/new/<journey_id>/check")
def check_new_support_user(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, CHECK_ANSWERS)
    base = _journey_base(journey_id)
    return page(
        request,
        "support/users/check.html",
        h1=CHECK,
        **support.context(NAV),
        answers=opened.answers,
        change=base,
        action=CHECK_ANSWERS.path(base),
        cancel=BASE,
    )


@router.post(f"{BASE}/new/<journey_id>/check")
def add_support_user(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, CHECK_ANSWERS)
    try:
        added = support_users.add(support.user, opened.answers, request.now)
    except EmailTaken:
        return _details_page(request, support, form_for(opened.answers, {EMAIL: EMAIL_TAKEN}), journey_id)
    journeys.finish(journey_id, added.user_id)
    set_flash(request, f"{added.full_name} has been added", BASE)
    return redirect(BASE)


@router.get(f"{BASE}/<user_id>/remove")
def confirm_remove_support_user(user_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    user = _removable(request, support, user_id)
    return page(
        request,
        "support/users/remove.html",
        h1=f"Are you sure you want to remove {user.full_name}?",
        **support.context(NAV),
        member=user,
        action=f"{BASE}/{user_id}/remove",
        cancel=BASE,
    )


@router.post(f"{BASE}/<user_id>/remove")
def remove_support_user(user_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        user = _removable(request, support, user_id)
    except NotFound:
        return redirect(BASE)  # removed already (a second click, or a colleague first): nothing more to do
    support_users.remove(support.user, user, request.now)
    set_flash(request, f"{user.full_name} has been removed", BASE)
    return redirect(BASE)
