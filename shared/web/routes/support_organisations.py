"""Support console: Organisations, /support/organisations/... (ADR 0024).

The list (search by name, URN, UKPRN or postcode; filters by type and funding region; 25 a page) → "Add
organisation" (a journey: School or Accredited provider → find it, or "I cannot find the organisation" → type it
in → a school's vendor number → check answers) → the organisation's page with a banner. A school's page
(/support/organisations/schools/{urn}): details with its funding region and rate, vendor number (Change),
users (Add user, Remove), claims, eligibility and grant conditions (Reset grant conditions). A provider's page
(/support/organisations/providers/{code}): details and users (Add user, Remove).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.errors import NotFound
from shared.claims.organisation_entry import KIND_LABELS
from shared.claims.organisations import OrganisationRef
from shared.claims.regions import Region
from shared.config import settings
from shared.journeys import add_organisation as journey
from shared.journeys import add_user
from shared.journeys.add_organisation import (
    CHECK_ANSWERS,
    DETAILS,
    FIND,
    RESULTS,
    TYPE,
    OrganisationAnswers,
)
from shared.journeys.flow import Location
from shared.journeys.forms import Errors
from shared.usecases import journeys
from shared.usecases import support_organisations as organisations
from shared.usecases.journeys import Opened
from shared.web.flash import set_flash, take_flash
from shared.web.journeys import open_step
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request
from shared.web.routes.support_claims import page_numbers, search_errors
from shared.web.support import SupportPage, support_page

router = Router()

BASE = "/support/organisations"
NAV = "Organisations"
SCHOOLS = f"{BASE}/schools"
PROVIDERS = f"{BASE}/providers"

LIST_H1 = "Organisations"
SEARCH_LABEL = "Search by name, URN, UKPRN or postcode"
TYPE_H1 = "What type of organisation do you want to add?"
ADD_CAPTION = "Add organisation"
FIND_SCHOOL_H1 = "Enter a school name or URN"
FIND_PROVIDER_H1 = "Enter a provider name, UKPRN or provider code"
RESULTS_H1 = "Select the organisation"
NO_RESULTS_H1 = "No organisations found"
DETAILS_SCHOOL_H1 = "Enter the school's details"
DETAILS_PROVIDER_H1 = "Enter the accredited provider's details"
VENDOR_H1 = "Enter the school's vendor number"
CHANGE_VENDOR_H1 = "Change vendor number"
CHECK_H1 = "Check your answers"
RESET_H1 = "Are you sure you want to reset the grant conditions for {name}?"
ADD_USER_H1 = "Add user"
REMOVE_USER_H1 = "Are you sure you want to remove {name}?"
SUPPORT = organisations.SUPPORT
JOURNEY_ID = re.compile(r"[0-9a-f]{32}")  # as journeys are started: anything else is 404 before any read


def _journey_id(journey_id: str) -> str:
    if not JOURNEY_ID.fullmatch(journey_id):
        raise NotFound
    return journey_id


def _checkbox_items(values: list[tuple[str, str]], chosen: set[str]) -> list[dict[str, Any]]:
    return [{"value": value, "text": text, "checked": value in chosen} for value, text in values]


# -- the list -----------------------------------------------------------------------------------------------------
@router.get(BASE)
def list_organisations() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = organisations.list_organisations(request.query)
    return page(
        request,
        "support/organisations/index.html",
        h1=LIST_H1,
        **support.context(NAV),
        view=view,
        errors=search_errors(view.search_error),
        search_label=SEARCH_LABEL,
        type_items=_checkbox_items(
            [(kind.value, label) for kind, label in KIND_LABELS.items()], {k.value for k in view.kinds}
        ),
        region_items=_checkbox_items([(r.value, r.value) for r in Region], {r.value for r in view.regions}),
        page_numbers=page_numbers(view.page, view.pages),
        href=lambda number: f"{BASE}?{urlencode(view.query(number))}",
        chosen=[
            (heading, [(text, f"{BASE}?{urlencode(query)}") for text, query in picked])
            for heading, picked in view.chosen
        ],
        banner=take_flash(request),
    )


# -- the add organisation journey --------------------------------------------------------------------------------
def _journey_base(journey_id: str) -> str:
    return f"{BASE}/new/{journey_id}"


def _open(request: Request, support: SupportPage, journey_id: str, here: Location) -> Opened[OrganisationAnswers]:
    """The journey at `here` (404 for one that is not this user's); once added, the organisation's page."""
    return open_step(
        journey.FLOW,
        OrganisationAnswers,
        _journey_id(journey_id),
        here,
        _journey_base(journey_id),
        owner=support.user.user_id,
        organisation_id=SUPPORT,
        now=request.now,
        finished=lambda path: path,
    )


def _back(opened: Opened[OrganisationAnswers], here: Location) -> str:
    back = journey.back_from(opened.answers, here)
    return back.path(_journey_base(opened.journey_id)) if back else BASE


def _next(opened: Opened[OrganisationAnswers], answers: OrganisationAnswers, request: Request) -> Response[Any]:
    journeys.save(opened.journey_id, answers, request.now)
    return redirect(journey.FLOW.next_after(answers).path(_journey_base(opened.journey_id)))


def _type_page(
    request: Request, support: SupportPage, chosen: str, errors: Errors, *, action: str, back: str
) -> Response[Any]:
    return page(
        request,
        "support/organisations/type.html",
        h1=TYPE_H1,
        **support.context(NAV),
        caption=ADD_CAPTION,
        action=action,
        back=back,
        items=[
            {"value": journey.SCHOOL, "text": "School", "checked": chosen == journey.SCHOOL},
            {"value": journey.PROVIDER, "text": "Accredited provider", "checked": chosen == journey.PROVIDER},
        ],
        errors=errors,
    )


@router.get(f"{BASE}/new")
def new_organisation() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return _type_page(request, support, "", Errors(), action=f"{BASE}/new", back=BASE)


@router.post(f"{BASE}/new")
def submit_new_organisation() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    chosen, errors = journey.read_type(request.form)
    if chosen is None:
        return _type_page(request, support, "", errors, action=f"{BASE}/new", back=BASE)
    answers = OrganisationAnswers(organisation_type=chosen)
    journey_id = journeys.start(journey.FLOW, support.user.user_id, SUPPORT, answers, request.now)
    return redirect(FIND.path(_journey_base(journey_id)))


@router.get(f"{BASE}/new/<journey_id>/type")
def change_type(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, TYPE)
    return _type_page(
        request,
        support,
        opened.answers.organisation_type,
        Errors(),
        action=TYPE.path(_journey_base(journey_id)),
        back=_back(opened, TYPE),
    )


@router.post(f"{BASE}/new/<journey_id>/type")
def submit_type(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, TYPE)
    chosen, errors = journey.read_type(request.form)
    if chosen is None:
        action = TYPE.path(_journey_base(journey_id))
        return _type_page(request, support, "", errors, action=action, back=_back(opened, TYPE))
    return _next(opened, journey.with_type(opened.answers, chosen), request)


def _find_page(
    request: Request, support: SupportPage, opened: Opened[OrganisationAnswers], typed: str, errors: Errors
) -> Response[Any]:
    base = _journey_base(opened.journey_id)
    return page(
        request,
        "support/organisations/find.html",
        h1=FIND_SCHOOL_H1 if opened.answers.is_school else FIND_PROVIDER_H1,
        **support.context(NAV),
        caption=ADD_CAPTION,
        action=FIND.path(base),
        back=_back(opened, FIND),
        typed=typed,
        cannot_find=DETAILS.path(base),
        hint="For example, 100000 or Meadowbank" if opened.answers.is_school else "For example, 10012345 or 1TZ",
        errors=errors,
    )


@router.get(f"{BASE}/new/<journey_id>/find")
def find(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, FIND)
    return _find_page(request, support, opened, opened.answers.search, Errors())


@router.post(f"{BASE}/new/<journey_id>/find")
def submit_find(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, FIND)
    text, errors = journey.read_search(request.form, opened.answers)
    if text is None:
        return _find_page(request, support, opened, request.field("search"), errors)
    journeys.save(journey_id, opened.answers.model_copy(update={"search": text}), request.now)
    return redirect(RESULTS.path(_journey_base(journey_id)))


def _results_page(
    request: Request, support: SupportPage, opened: Opened[OrganisationAnswers], errors: Errors
) -> Response[Any]:
    base = _journey_base(opened.journey_id)
    found = organisations.matches(opened.answers)
    choosable = [m for m in found if not m.added]
    return page(
        request,
        "support/organisations/results.html",
        h1=RESULTS_H1 if choosable else NO_RESULTS_H1,
        **support.context(NAV),
        caption=ADD_CAPTION,
        action=RESULTS.path(base),
        back=FIND.path(base),
        search=opened.answers.search,
        items=[
            {
                "value": m.organisation_id,
                "text": m.name,
                "hint": {"text": m.hint},
                "checked": m.organisation_id == opened.answers.chosen_id,
            }
            for m in choosable
        ],
        already=[m for m in found if m.added],
        cannot_find=DETAILS.path(base),
        search_again=FIND.path(base),
        errors=errors,
    )


@router.get(f"{BASE}/new/<journey_id>/results")
def results(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, RESULTS)
    if not opened.answers.search:
        return redirect(FIND.path(_journey_base(journey_id)))
    return _results_page(request, support, opened, Errors())


@router.post(f"{BASE}/new/<journey_id>/results")
def submit_results(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, RESULTS)
    offered = organisations.offered(opened.answers)
    if not offered:  # nothing to choose (added meanwhile, or never found): the page says so
        return redirect(RESULTS.path(_journey_base(journey_id)))
    chosen, errors = journey.read_choice(request.form, offered)
    if chosen is None:
        return _results_page(request, support, opened, errors)
    return _next(opened, journey.chosen(opened.answers, chosen, offered[chosen]), request)


def _details_page(
    request: Request, support: SupportPage, opened: Opened[OrganisationAnswers], values: dict[str, str], errors: Errors
) -> Response[Any]:
    school = opened.answers.is_school
    return page(
        request,
        "support/organisations/details.html",
        h1=DETAILS_SCHOOL_H1 if school else DETAILS_PROVIDER_H1,
        **support.context(NAV),
        caption=ADD_CAPTION,
        action=DETAILS.path(_journey_base(opened.journey_id)),
        back=FIND.path(_journey_base(opened.journey_id)) if not opened.answers.seen_check else _back(opened, DETAILS),
        school=school,
        values=values,
        errors=errors,
    )


@router.get(f"{BASE}/new/<journey_id>/details")
def details(journey_id: str) -> Response[Any]:
    """Typing the organisation in ("I cannot find the organisation" leads here from the search)."""
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, FIND)  # reachable once the type is chosen
    if not opened.answers.manual:
        answers = journey.cannot_find(opened.answers)
        journeys.save(journey_id, answers, request.now)
        opened = Opened(journey_id, answers, None)
    return _details_page(request, support, opened, dict(opened.answers.typed), Errors())


@router.post(f"{BASE}/new/<journey_id>/details")
def submit_details(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, FIND)
    answers = journey.cannot_find(opened.answers)
    read = organisations.read_typed(request.form, answers)
    if read.answers is None:
        return _details_page(request, support, Opened(journey_id, answers, None), read.values, read.errors)
    return _next(opened, answers.model_copy(update={"typed": read.answers}), request)


def _vendor_page(
    request: Request, support: SupportPage, opened: Opened[OrganisationAnswers], typed: str, errors: Errors
) -> Response[Any]:
    return page(
        request,
        "support/organisations/vendor-number.html",
        h1=VENDOR_H1,
        **support.context(NAV),
        caption=ADD_CAPTION,
        action=journey.VENDOR_NUMBER.path(_journey_base(opened.journey_id)),
        back=_back(opened, journey.VENDOR_NUMBER),
        typed=typed,
        button="Continue",
        errors=errors,
    )


@router.get(f"{BASE}/new/<journey_id>/vendor-number")
def vendor_number(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, journey.VENDOR_NUMBER)
    if not opened.answers.is_school:
        return redirect(journey.FLOW.next_after(opened.answers).path(_journey_base(journey_id)))
    return _vendor_page(request, support, opened, opened.answers.vendor_number, Errors())


@router.post(f"{BASE}/new/<journey_id>/vendor-number")
def submit_vendor_number(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, journey.VENDOR_NUMBER)
    typed, vendor, errors = organisations.read_vendor_number(request.form)
    if vendor is None:
        return _vendor_page(request, support, opened, typed, errors)
    return _next(opened, opened.answers.model_copy(update={"vendor_number": vendor}), request)


@router.get(f"{BASE}/new/<journey_id>/check")
def check_answers(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, CHECK_ANSWERS)
    if not opened.answers.seen_check:
        opened = Opened(journey_id, opened.answers.model_copy(update={"seen_check": True}), None)
        journeys.save(journey_id, opened.answers, request.now)
    adding = organisations.to_add(opened.answers)
    base = _journey_base(journey_id)
    return page(
        request,
        "support/organisations/check.html",
        h1=CHECK_H1,
        **support.context(NAV),
        caption=ADD_CAPTION,
        adding=adding,
        answers=opened.answers,
        change_type=TYPE.path(base),
        change_organisation=DETAILS.path(base) if opened.answers.manual else FIND.path(base),
        change_vendor=journey.VENDOR_NUMBER.path(base),
        action=CHECK_ANSWERS.path(base),
        cancel=BASE,
        back=_back(opened, CHECK_ANSWERS),
    )


@router.post(f"{BASE}/new/<journey_id>/check")
def add(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, CHECK_ANSWERS)
    try:
        path = organisations.add_organisation(opened.answers, support.user, request.now)
    except organisations.OrganisationAlreadyAdded as refused:
        return page(
            request,
            "support/organisations/already-added.html",
            h1=f"{refused.name} has already been added",
            status=409,
            **support.context(NAV),
            back=CHECK_ANSWERS.path(_journey_base(journey_id)),
        )
    journeys.finish(journey_id, path)
    set_flash(request, "Organisation added", path)
    return redirect(path)


# -- a school's page ----------------------------------------------------------------------------------------------
@router.get(f"{SCHOOLS}/<urn>")
def show_school(urn: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = organisations.school_view(urn, request.now)
    return page(
        request,
        "support/organisations/school.html",
        h1=view.school.name,
        **support.context(NAV),
        view=view,
        claims_href=f"/support/claims?{urlencode({'school': urn})}",
        back=BASE,
        banner=take_flash(request),
    )


def _change_vendor_page(request: Request, support: SupportPage, urn: str, typed: str, errors: Errors) -> Response[Any]:
    school = organisations.held_school(urn)
    return page(
        request,
        "support/organisations/vendor-number.html",
        h1=CHANGE_VENDOR_H1,
        **support.context(NAV),
        caption=school.name,
        action=f"{SCHOOLS}/{urn}/vendor-number",
        back=f"{SCHOOLS}/{urn}",
        typed=typed,
        button="Save vendor number",
        errors=errors,
    )


@router.get(f"{SCHOOLS}/<urn>/vendor-number")
def change_vendor_number(urn: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    school = organisations.held_school(urn)
    return _change_vendor_page(request, support, urn, school.vendor_number or "", Errors())


@router.post(f"{SCHOOLS}/<urn>/vendor-number")
def submit_vendor_number_change(urn: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    typed, errors = organisations.change_vendor_number(urn, request.form, support.user)
    if errors:
        return _change_vendor_page(request, support, urn, typed, errors)
    set_flash(request, "Vendor number changed", f"{SCHOOLS}/{urn}")
    return redirect(f"{SCHOOLS}/{urn}")


@router.get(f"{SCHOOLS}/<urn>/grant-conditions/reset")
def confirm_reset(urn: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    school = organisations.held_school(urn)
    return page(
        request,
        "support/organisations/reset-grant-conditions.html",
        h1=RESET_H1.format(name=school.name),
        **support.context(NAV),
        accepted=school.grant_conditions_accepted_at is not None,
        action=f"{SCHOOLS}/{urn}/grant-conditions/reset",
        cancel=f"{SCHOOLS}/{urn}",
    )


@router.post(f"{SCHOOLS}/<urn>/grant-conditions/reset")
def reset(urn: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    if organisations.reset_grant_conditions(urn, support.user, request.now):
        set_flash(request, "Grant conditions reset", f"{SCHOOLS}/{urn}")
    return redirect(f"{SCHOOLS}/{urn}")


# -- an organisation's users: add (the add user journey and use case schools use) and remove ----------------------
# The same pages for a school (/schools/<urn>/users/...) and a provider (/providers/<code>/users/...).
def _members_base(kind: str, organisation_id: str) -> str:
    return f"{BASE}/{kind}/{organisation_id}"


def _user_base(kind: str, organisation_id: str, journey_id: str) -> str:
    return f"{_members_base(kind, organisation_id)}/users/new/{journey_id}"


def _user_form_page(
    request: Request,
    support: SupportPage,
    organisation: OrganisationRef,
    form: add_user.UserForm,
    *,
    action: str,
    back: str,
    cancel: str,
) -> Response[Any]:
    return page(
        request,
        "users/details.html",
        h1=ADD_USER_H1,
        **support.context(NAV),
        caption=organisation.name,
        intro="We will email them an invitation to the service.",
        action=action,
        back=back,
        cancel=cancel,
        answers=form.typed,
        errors=form.errors,
    )


def _open_user(
    request: Request, support: SupportPage, kind: str, organisation_id: str, journey_id: str, here: Location
) -> Opened[add_user.NewUserAnswers]:
    return open_step(
        add_user.FLOW,
        add_user.NewUserAnswers,
        _journey_id(journey_id),
        here,
        _user_base(kind, organisation_id, journey_id),
        owner=support.user.user_id,
        organisation_id=organisation_id,
        now=request.now,
        finished=lambda _: _members_base(kind, organisation_id),
    )


def _new_user(kind: str, organisation_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    organisation = organisations.member_organisation(kind, organisation_id)
    home = _members_base(kind, organisation_id)
    if request.method == "GET":
        blank = add_user.UserForm(dict.fromkeys(add_user.FIELDS, ""))
        return _user_form_page(
            request, support, organisation, blank, action=f"{home}/users/new", back=home, cancel=home
        )
    form = organisations.read_member_form(organisation, request.form)
    if form.answers is None:
        return _user_form_page(request, support, organisation, form, action=f"{home}/users/new", back=home, cancel=home)
    journey_id = journeys.start(add_user.FLOW, support.user.user_id, organisation_id, form.answers, request.now)
    return redirect(add_user.CHECK_ANSWERS.path(_user_base(kind, organisation_id, journey_id)))


def _change_user(kind: str, organisation_id: str, journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open_user(request, support, kind, organisation_id, journey_id, add_user.DETAILS)
    organisation = organisations.member_organisation(kind, organisation_id)
    base = _user_base(kind, organisation_id, journey_id)
    back = add_user.CHECK_ANSWERS.path(base)
    if request.method == "GET":
        return _user_form_page(
            request,
            support,
            organisation,
            add_user.form_for(opened.answers),
            action=base,
            back=back,
            cancel=_members_base(kind, organisation_id),
        )
    form = organisations.read_member_form(organisation, request.form, opened.answers.new_user_id)
    if form.answers is None:
        return _user_form_page(
            request, support, organisation, form, action=base, back=back, cancel=_members_base(kind, organisation_id)
        )
    journeys.save(journey_id, form.answers, request.now)
    return redirect(back)


def _check_user(kind: str, organisation_id: str, journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open_user(request, support, kind, organisation_id, journey_id, add_user.CHECK_ANSWERS)
    organisation = organisations.member_organisation(kind, organisation_id)
    base = _user_base(kind, organisation_id, journey_id)
    home = _members_base(kind, organisation_id)
    if request.method == "GET":
        return page(
            request,
            "support/organisations/user-check.html",
            h1=CHECK_H1,
            **support.context(NAV),
            caption=f"{ADD_USER_H1} - {organisation.name}",
            answers=opened.answers,
            change=base,
            action=add_user.CHECK_ANSWERS.path(base),
            cancel=home,
        )
    try:
        added = organisations.add_member(
            organisation, opened.answers, support.user, settings().service_url, request.now
        )
    except organisations.MemberProblems as refused:  # the email address was taken meanwhile
        form = add_user.form_for(opened.answers, refused.problems)
        back = add_user.CHECK_ANSWERS.path(base)
        return _user_form_page(
            request, support, organisation, form, action=base, back=back, cancel=_members_base(kind, organisation_id)
        )
    journeys.finish(journey_id, added.user_id)
    set_flash(request, f"{added.full_name} has been added", home)
    return redirect(home)


def _remove_user(kind: str, organisation_id: str, user_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    organisation = organisations.member_organisation(kind, organisation_id)
    home = _members_base(kind, organisation_id)
    if request.method == "GET":
        user = organisations.member_to_remove(organisation, support.user, user_id)
        return page(
            request,
            "support/organisations/user-remove.html",
            h1=REMOVE_USER_H1.format(name=user.full_name),
            **support.context(NAV),
            caption=organisation.name,
            user=user,
            organisation=organisation,
            action=f"{home}/users/{user_id}/remove",
            cancel=home,
        )
    removed = organisations.remove_member(organisation, support.user, user_id, request.now)
    if removed is not None:
        set_flash(request, f"{removed.full_name} has been removed", home)
    return redirect(home)


@router.route(f"{SCHOOLS}/<urn>/users/new", method=["GET", "POST"])
def new_school_user(urn: str) -> Response[Any]:
    return _new_user("schools", urn)


@router.route(f"{SCHOOLS}/<urn>/users/new/<journey_id>", method=["GET", "POST"])
def change_school_user(urn: str, journey_id: str) -> Response[Any]:
    return _change_user("schools", urn, journey_id)


@router.route(f"{SCHOOLS}/<urn>/users/new/<journey_id>/check", method=["GET", "POST"])
def check_school_user(urn: str, journey_id: str) -> Response[Any]:
    return _check_user("schools", urn, journey_id)


@router.route(f"{SCHOOLS}/<urn>/users/<user_id>/remove", method=["GET", "POST"])
def remove_school_user(urn: str, user_id: str) -> Response[Any]:
    return _remove_user("schools", urn, user_id)


@router.route(f"{PROVIDERS}/<code>/users/new", method=["GET", "POST"])
def new_provider_user(code: str) -> Response[Any]:
    return _new_user("providers", code)


@router.route(f"{PROVIDERS}/<code>/users/new/<journey_id>", method=["GET", "POST"])
def change_provider_user(code: str, journey_id: str) -> Response[Any]:
    return _change_user("providers", code, journey_id)


@router.route(f"{PROVIDERS}/<code>/users/new/<journey_id>/check", method=["GET", "POST"])
def check_provider_user(code: str, journey_id: str) -> Response[Any]:
    return _check_user("providers", code, journey_id)


@router.route(f"{PROVIDERS}/<code>/users/<user_id>/remove", method=["GET", "POST"])
def remove_provider_user(code: str, user_id: str) -> Response[Any]:
    return _remove_user("providers", code, user_id)


# -- a provider's page --------------------------------------------------------------------------------------------
@router.get(f"{PROVIDERS}/<code>")
def show_provider(code: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = organisations.provider_view(code)
    return page(
        request,
        "support/organisations/provider.html",
        h1=view.provider.name,
        **support.context(NAV),
        view=view,
        back=BASE,
        banner=take_flash(request),
    )
