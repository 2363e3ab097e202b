"""The support console's Organisations: the list of organisations added to the service (search, filters, pages),
adding one (a school with its vendor number, or an accredited provider), and an organisation's page (details,
vendor number, users, eligibility, grant conditions and their reset). ADR 0024.

An establishment the GIAS import holds is not in the list until support adds it (the directory, with
`added_at` on the school); the add journey finds the held ones not yet added.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from shared.claims import provider_search
from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.claim_search import typed_search
from shared.claims.errors import DomainError, NotFound, OrganisationNotFound
from shared.claims.money import format_pounds
from shared.claims.organisation_entry import (
    KIND_LABELS,
    PROVIDER_FIELDS,
    SCHOOL_FIELDS,
    VENDOR_NUMBER,
    DirectoryEntry,
    OrganisationKind,
    check_provider,
    check_school,
    check_vendor_number,
    classify_search,
)
from shared.claims.organisations import OrganisationRef, OrganisationType, Provider, School
from shared.claims.people import User
from shared.claims.regions import Region
from shared.data.activity import Activity
from shared.data.directory import AlreadyAdded, Directory, provider_key, school_key
from shared.data.funding_rates import FundingRates
from shared.data.organisations import Organisations, Providers
from shared.data.school_search import schools_named
from shared.data.users import Members, Users
from shared.journeys import add_organisation as journey
from shared.journeys.add_organisation import PROVIDER, SCHOOL, OrganisationAnswers, TypedForm
from shared.journeys.add_user import NewUserAnswers, UserForm
from shared.journeys.forms import Errors, Form
from shared.observability import logger, metrics
from shared.usecases import users

PER_PAGE = 25
LONDON = ZoneInfo("Europe/London")
REGIONS = (Region.INNER_LONDON, Region.OUTER_LONDON, Region.FRINGE, Region.REST_OF_ENGLAND)
KINDS = (OrganisationKind.SCHOOL, OrganisationKind.ACCREDITED_PROVIDER, OrganisationKind.OTHER_PROVIDER)
# What a URN, provider code or user id in a URL can be: anything else is 404 before any read (a key DynamoDB
# would refuse, such as one over 2 KB, would otherwise be its error, a 5xx).
ORGANISATION_ID = re.compile(r"[A-Za-z0-9]{1,20}")
USER_ID = re.compile(r"[A-Za-z0-9-]{1,100}")


def _checked(value: str, pattern: re.Pattern[str]) -> str:
    if not pattern.fullmatch(value):
        raise NotFound
    return value


__all__ = ["AlreadyAdded", "OrganisationAnswers", "TypedForm"]


class OrganisationAlreadyAdded(DomainError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


# -- the list -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrganisationList:
    entries: list[DirectoryEntry]
    count: int
    page: int
    pages: int
    search: str
    kinds: frozenset[OrganisationKind]
    regions: frozenset[Region]
    search_error: str | None = None  # the search was not run (too long): said on the search box
    typed: str = ""  # what was typed, when it was not searched for

    @property
    def filtered(self) -> bool:
        return bool(self.kinds or self.regions)

    @property
    def chosen(self) -> list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]]:
        """The filters in use, for the panel's "Selected filters": (heading, [(text, the query without it)])."""
        chosen = []
        if self.kinds:
            without = [(KIND_LABELS[k], self._without("type", k.value)) for k in KINDS if k in self.kinds]
            chosen.append(("Type", without))
        if self.regions:
            without = [(r.value, self._without("region", r.value)) for r in REGIONS if r in self.regions]
            chosen.append(("Funding region", without))
        return chosen

    def _without(self, name: str, value: str) -> list[tuple[str, str]]:
        return [pair for pair in self.query() if pair != (name, value)]

    def query(self, page: int | None = None) -> list[tuple[str, str]]:
        """The query string's pairs for this list (another page of it)."""
        pairs = [("search", self.search)] if self.search else []
        pairs += [("type", kind.value) for kind in KINDS if kind in self.kinds]
        pairs += [("region", region.value) for region in REGIONS if region in self.regions]
        if page and page > 1:
            pairs.append(("page", str(page)))
        return pairs


def list_organisations(query: Mapping[str, Sequence[str]]) -> OrganisationList:
    """The page of the list the query string asks for (unknown filter values are ignored, a page past the end
    shows the last)."""
    typed, refused = typed_search(query)
    search = "" if refused else typed
    kinds = frozenset(OrganisationKind(v) for v in query.get("type", []) if v in set(OrganisationKind))
    regions = frozenset(Region(v) for v in query.get("region", []) if v in set(Region))
    page_text = (query.get("page") or ["1"])[0]
    page = int(page_text) if page_text.isascii() and page_text.isdigit() and 0 < len(page_text) < 6 else 1
    page = max(page, 1)
    directory = Directory()
    found = directory.find(classify_search(search), kinds, regions, page, PER_PAGE)
    pages = max(1, math.ceil(found.count / PER_PAGE))
    if page > pages:
        page = pages
        found = directory.find(classify_search(search), kinds, regions, page, PER_PAGE)
    return OrganisationList(
        found.entries, found.count, page, pages, search, kinds, regions, refused, typed if refused else ""
    )


# -- the add organisation journey -----------------------------------------------------------------------------------
SUPPORT = "support"  # the organisation a support user's journeys belong to


@dataclass(frozen=True)
class Match:
    organisation_id: str
    name: str
    hint: str
    added: bool


def matches(answers: OrganisationAnswers) -> list[Match]:
    """What the search found among the organisations the service holds, those already added marked."""
    if answers.is_school:
        return _school_matches(answers.search)
    return _provider_matches(answers.search)


def _school_matches(text: str) -> list[Match]:
    compact = "".join(text.split())
    schools: list[School]
    if compact.isascii() and compact.isdigit():
        try:
            schools = [Organisations().get_school(compact)]
        except OrganisationNotFound:
            schools = []
    else:
        schools = schools_named(text)
    added = Directory().added(school_key(s.organisation_id) for s in schools)
    return [Match(s.organisation_id, s.name, _school_hint(s), school_key(s.organisation_id) in added) for s in schools]


def _school_hint(school: School) -> str:
    place = ", ".join(part for part in (school.town, school.postcode) if part)
    return f"URN {school.urn}" + (f", {place}" if place else "") + (" (closed)" if school.closed else "")


def _provider_matches(text: str) -> list[Match]:
    providers = provider_search.search(Providers().accredited(), text)
    added = Directory().added(provider_key(p.code) for p in providers)
    return [Match(p.code, p.name, f"UKPRN {p.ukprn}, code {p.code}", provider_key(p.code) in added) for p in providers]


def offered(answers: OrganisationAnswers) -> dict[str, str]:
    """The matches that may be chosen (not yet added): id → name."""
    return {match.organisation_id: match.name for match in matches(answers) if not match.added}


def read_typed(form: Form, answers: OrganisationAnswers) -> TypedForm:
    if answers.is_school:
        return journey.read_typed(form, SCHOOL_FIELDS, check_school)
    return journey.read_typed(form, PROVIDER_FIELDS, check_provider)


def read_vendor_number(form: Form) -> tuple[str, str | None, Errors]:
    return journey.read_vendor_number(form, VENDOR_NUMBER, check_vendor_number)


@dataclass(frozen=True)
class ToAdd:
    """What check answers shows, and what "Add organisation" adds."""

    type_label: str
    name: str
    rows: list[tuple[str, str]]  # label, value: the organisation's details
    school: School | None
    provider: Provider | None
    held: bool


def to_add(answers: OrganisationAnswers) -> ToAdd:
    """The organisation the answers describe (NotFound if a chosen one is no longer held)."""
    if answers.is_school:
        school = _school_to_add(answers)
        rows = [
            ("Name", school.name),
            ("URN", school.urn or ""),
            ("Address", ", ".join(p for p in (school.address1, school.town, school.postcode) if p)),
            ("Local authority", school.local_authority_name),
            ("Establishment type", school.type_of_establishment),
            ("Establishment group", school.group),
            ("Phase", school.phase),
            ("District code", school.district_admin_code or ""),
            ("Funding region", school.region.value),
        ]
        return ToAdd("School", school.name, rows, school, None, held=not answers.manual)
    provider = _provider_to_add(answers)
    rows = [
        ("Name", provider.name),
        ("UKPRN", provider.ukprn),
        ("Provider code", provider.code),
        ("Postcode", provider.postcode),
    ]
    return ToAdd("Accredited provider", provider.name, rows, None, provider, held=not answers.manual)


def _school_to_add(answers: OrganisationAnswers) -> School:
    if answers.manual:
        typed = answers.typed
        return School(
            organisation_id=typed["urn"],
            urn=typed["urn"],
            name=typed["name"],
            address1=typed["address1"],
            town=typed["town"],
            postcode=typed["postcode"],
            local_authority_name=typed["local_authority_name"],
            type_of_establishment=typed["type_of_establishment"],
            group=typed["group"],
            phase=typed["phase"],
            district_admin_code=typed["district_admin_code"],
            vendor_number=answers.vendor_number,
        )
    try:
        school = Organisations().get_school(answers.chosen_id)
    except OrganisationNotFound:
        raise NotFound from None
    return school.model_copy(update={"vendor_number": answers.vendor_number})


def _provider_to_add(answers: OrganisationAnswers) -> Provider:
    if answers.manual:
        typed = answers.typed
        return Provider(
            code=typed["code"],
            name=typed["name"],
            provider_type="Accredited provider",
            accredited=True,
            ukprn=typed["ukprn"],
            postcode=typed["postcode"],
        )
    try:
        return Providers().get(answers.chosen_id)
    except OrganisationNotFound:
        raise NotFound from None


def add_organisation(answers: OrganisationAnswers, actor: User, now: dt.datetime) -> str:
    """Add the organisation, recorded in Activity; its page's path. `OrganisationAlreadyAdded` if it was."""
    adding = to_add(answers)
    entry = _activity(ActivityKind.ORGANISATION_ADDED, actor, now, "", "")
    try:
        if adding.school is not None:
            school = adding.school
            path = f"/support/organisations/schools/{school.organisation_id}"
            summary = f"{school.name} (URN {school.urn})"
            Directory().add_school(
                school, entry.model_copy(update={"summary": summary, "link": path}), held=adding.held
            )
        else:
            assert adding.provider is not None
            provider = adding.provider
            path = f"/support/organisations/providers/{provider.code}"
            summary = f"{provider.name} (UKPRN {provider.ukprn})"
            Directory().add_provider(
                provider, entry.model_copy(update={"summary": summary, "link": path}), held=adding.held
            )
    except AlreadyAdded:
        raise OrganisationAlreadyAdded(adding.name) from None
    metrics.add_metric(name="OrganisationAdded", unit="Count", value=1)
    logger.info("organisation added", extra={"path": path, "added_by": actor.user_id, "typed_in": not adding.held})
    return path


def _activity(kind: ActivityKind, actor: User, now: dt.datetime, summary: str, link: str) -> ActivityEntry:
    return ActivityEntry(
        activity_id=f"{kind.value}-{uuid.uuid4().hex}",
        kind=kind,
        at=now,
        actor_id=actor.user_id,
        actor_name=actor.full_name,
        summary=summary,
        link=link or None,
    )


# -- an organisation's page ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SchoolView:
    school: School
    region: str
    hourly_rate: str
    academic_year: str
    users: list[User]
    eligible_years: list[str]  # academic years' names, newest first
    accepted_by: str | None
    accepted_at: dt.datetime | None  # Europe/London
    path: str


@dataclass(frozen=True)
class ProviderView:
    provider: Provider
    type_label: str
    users: list[User]
    path: str


def _held_school(urn: str) -> School:
    """The school (any the service holds: one with claims from before the directory, a link from a claim's
    page, has a page too); NotFound for a URN the service does not hold."""
    return Organisations().get_school(_checked(urn, ORGANISATION_ID))


def school_view(urn: str, now: dt.datetime) -> SchoolView:
    """A school's page (NotFound for a URN the service does not hold)."""
    school = _held_school(urn)
    year = AcademicYear.for_date(london_today(now))
    accepted_by = None
    if school.grant_conditions_accepted_by:
        user = Users().get(school.grant_conditions_accepted_by)
        accepted_by = user.full_name if user else "A former user"
    accepted_at = school.grant_conditions_accepted_at
    return SchoolView(
        school=school,
        region=school.region.value,
        hourly_rate=format_pounds(FundingRates().rate_pence(year, school.region)),
        academic_year=year.name,
        users=Members().of(school.organisation_id),
        eligible_years=[AcademicYear.parse(y).name for y in sorted(school.eligible_years, reverse=True)],
        accepted_by=accepted_by,
        accepted_at=accepted_at.astimezone(LONDON) if accepted_at else None,
        path=f"/support/organisations/schools/{urn}",
    )


def provider_view(code: str) -> ProviderView:
    """A provider's page (NotFound for a code the service does not hold)."""
    provider = Providers().get(_checked(code, ORGANISATION_ID))
    kind = OrganisationKind.ACCREDITED_PROVIDER if provider.accredited else OrganisationKind.OTHER_PROVIDER
    return ProviderView(
        provider=provider,
        type_label=KIND_LABELS[kind],
        users=Members().of(code),
        path=f"/support/organisations/providers/{code}",
    )


def held_school(urn: str) -> School:
    """The school, for its page's forms (NotFound for a URN the service does not hold)."""
    return _held_school(urn)


def change_vendor_number(urn: str, form: Form, actor: User) -> tuple[str, Errors]:
    """Set the school's vendor number from the form: what was typed and its errors (none: it was set)."""
    typed, vendor_number, errors = read_vendor_number(form)
    if vendor_number is None:
        return typed, errors
    if not Directory().set_vendor_number(_checked(urn, ORGANISATION_ID), vendor_number):
        raise NotFound
    logger.info("vendor number changed", extra={"school_id": urn, "changed_by": actor.user_id})
    return typed, errors


def reset_grant_conditions(urn: str, actor: User, now: dt.datetime) -> bool:
    """Clear the school's grant-conditions acceptance, so its next user must accept them again; recorded in
    Activity. False if nobody had accepted them (nothing to reset, or a colleague reset them first)."""
    school = _held_school(urn)
    accepted_at = school.grant_conditions_accepted_at
    if accepted_at is None:
        return False
    path = f"/support/organisations/schools/{urn}"
    entry = _activity(ActivityKind.GRANT_CONDITIONS_RESET, actor, now, f"{school.name} (URN {urn})", path)
    if not Directory().reset_grant_conditions(urn, accepted_at, entry):
        return False
    logger.info("grant conditions reset", extra={"school_id": urn, "reset_by": actor.user_id})
    return True


# -- an organisation's users ---------------------------------------------------------------------------------------
class MemberProblems(DomainError):
    """The person cannot be added as they are (their email address was taken meanwhile): problems by field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


def member_organisation(kind: str, organisation_id: str) -> OrganisationRef:
    """A school ("schools") or provider ("providers") as its users' pages need it; NotFound otherwise."""
    if kind == "schools":
        school = _held_school(organisation_id)
        return OrganisationRef(
            organisation_id=organisation_id, organisation_type=OrganisationType.SCHOOL, name=school.name
        )
    if kind == "providers":
        provider = Providers().get(_checked(organisation_id, ORGANISATION_ID))
        return OrganisationRef(
            organisation_id=organisation_id, organisation_type=OrganisationType.PROVIDER, name=provider.name
        )
    raise NotFound


def read_member_form(organisation: OrganisationRef, form: Form, new_user: str | None = None) -> UserForm:
    return users.read_member_form(form, organisation, new_user)


def add_member(
    organisation: OrganisationRef, answers: NewUserAnswers, actor: User, service_url: str, now: dt.datetime
) -> User:
    """Add the person (invited by email) once; `MemberProblems` if their address cannot be used now."""
    problems = users.check_new_member(organisation, answers)
    if problems:
        raise MemberProblems(problems)
    added = users.add_member(organisation, answers, answers.new_user_id, actor, service_url)
    # Once per journey (its new user id), however often "Add user" is pressed.
    entry = _activity(ActivityKind.USER_ADDED, actor, now, "", "")
    Activity().record(
        entry.model_copy(
            update={
                "activity_id": f"{ActivityKind.USER_ADDED.value}-{organisation.organisation_id}-{answers.new_user_id}",
                "summary": f"{added.full_name} to {organisation.name}",
                "link": _home(organisation),
            }
        )
    )
    return added


def _home(organisation: OrganisationRef) -> str:
    kind = "schools" if organisation.organisation_type is OrganisationType.SCHOOL else "providers"
    return f"/support/organisations/{kind}/{organisation.organisation_id}"


def member_to_remove(organisation: OrganisationRef, actor: User, user_id: str) -> User:
    return users.member_to_remove(organisation, actor, _checked(user_id, USER_ID))


def remove_member(organisation: OrganisationRef, actor: User, user_id: str, now: dt.datetime) -> User | None:
    """Remove the member (emailed); None if they were no longer a member (a second click)."""
    try:
        user = member_to_remove(organisation, actor, user_id)
    except NotFound:
        return None
    if not users.remove_member(organisation, actor, user):
        return None
    summary = f"{user.full_name} from {organisation.name}"
    Activity().record(_activity(ActivityKind.USER_REMOVED, actor, now, summary, _home(organisation)))
    return user


__all__ += [
    "PROVIDER",
    "SCHOOL",
    "Match",
    "MemberProblems",
    "OrganisationAlreadyAdded",
    "OrganisationList",
    "ProviderView",
    "SchoolView",
    "ToAdd",
    "add_member",
    "add_organisation",
    "change_vendor_number",
    "held_school",
    "list_organisations",
    "matches",
    "member_organisation",
    "member_to_remove",
    "offered",
    "provider_view",
    "read_member_form",
    "read_typed",
    "read_vendor_number",
    "remove_member",
    "reset_grant_conditions",
    "school_view",
    "to_add",
]
