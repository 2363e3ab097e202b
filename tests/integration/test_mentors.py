"""A school's mentors: list, find a teacher in the Teaching Record, add, remove.

The real handlers and repositories under moto, and the fake Teaching Record System (the local
stack's) on loopback, so the real HTTP client is what runs. Each test has its own throwaway school
and school user (signed in by a session written directly), so no test depends on another's mentors.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from infrastructure.local.fakes import API_KEY, teaching_record_server
from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, MARY_LAWSON_SCHOOL_URNS, build_seed_data
from tests.support import NOW, SESSION_COOKIE, Client, Page

FIND = "Find teacher"


# -- fixtures --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def teaching_record_url() -> Iterator[str]:
    server = teaching_record_server(build_seed_data(NOW.date()).teachers)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def teaching_record(teaching_record_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The web function pointed at the fake Teaching Record System for this test only."""
    from shared.config import settings

    monkeypatch.setenv("TEACHING_RECORD_BASE_URL", teaching_record_url)
    monkeypatch.setenv("TEACHING_RECORD_API_KEY", API_KEY)
    settings.cache_clear()
    yield teaching_record_url
    settings.cache_clear()


@dataclass
class SchoolUser:
    client: Client
    school_id: str
    school_name: str
    user_id: str
    csrf: str  # the session's CSRF token, for posts from a page that has no form

    @property
    def base(self) -> str:
        return f"/schools/{self.school_id}/mentors"


def make_school_user(apps: dict[str, Any]) -> SchoolUser:
    """A new school (grant conditions accepted) and a member of it, signed in."""
    import secrets

    from shared.claims.organisations import OrganisationType, School
    from shared.claims.people import Membership, Role, User
    from shared.data.organisations import Organisations
    from shared.data.sessions import Sessions, StoredSession
    from shared.data.users import Users

    suffix = uuid.uuid4().hex[:8]
    school = School(
        organisation_id=f"test-{suffix}",
        urn=None,
        name=f"Mentor Test School {suffix}",
        grant_conditions_accepted_at=NOW,
        grant_conditions_accepted_by=f"user-{suffix}",
    )
    user = User(
        user_id=f"user-{suffix}", first_name="Tess", last_name="Ting", email=f"{suffix}@example.com", role=Role.SCHOOL
    )
    Organisations().put_school(school)
    Users().put(user)
    Users().add_membership(
        Membership(
            user_id=user.user_id,
            organisation_id=school.organisation_id,
            organisation_type=OrganisationType.SCHOOL,
            organisation_name=school.name,
        )
    )
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    Sessions(dt.timedelta(minutes=120)).save(StoredSession(token, csrf, user.user_id, NOW), NOW)
    client = Client(web=apps["web"], support=apps["support"], cookies={SESSION_COOKIE: token})
    return SchoolUser(client, school.organisation_id, school.name, user.user_id, csrf)


def remove_school_user(school: SchoolUser) -> None:
    from shared.data.items import ClaimItem, MembershipItem, OrganisationItem, SchoolMentorItem, UserItem

    for item in SchoolMentorItem.query(school.school_id):
        item.delete()
    for claim in ClaimItem.by_school.query(school.school_id):
        ClaimItem(claim_id=claim.claim_id).delete()
    MembershipItem(user_id=school.user_id, organisation_id=school.school_id).delete()
    UserItem(user_id=school.user_id).delete()
    OrganisationItem(organisation_id=school.school_id).delete()


@pytest.fixture
def school(apps: dict[str, Any]) -> Iterator[SchoolUser]:
    found = make_school_user(apps)
    yield found
    remove_school_user(found)


def put_mentor(school_id: str, trn: str, first_name: str, last_name: str, added_by: str = "user-someone") -> None:
    from shared.data.items import SchoolMentorItem

    SchoolMentorItem(
        school_id=school_id, trn=trn, first_name=first_name, last_name=last_name, added_at=NOW, added_by=added_by
    ).save()


def put_claim(school_id: str, trns: list[str], status: str) -> str:
    from shared.data.items import ClaimItem

    claim_id = f"TEST{uuid.uuid4().hex[:6].upper()}"
    ClaimItem(
        claim_id=claim_id,
        reference=claim_id,
        school_id=school_id,
        provider_code="1TZ",
        window_id="test-window",
        academic_year="2026 to 2027",
        status=status,
        window_status=f"test-window#{status}",
        created_at=NOW.isoformat(),
        mentors=[{"trn": trn, "first_name": "A", "last_name": "B", "hours": 6} for trn in trns],
    ).save()
    return claim_id


def find(school: SchoolUser, trn: str, day: str, month: str, year: str) -> Page:
    client = school.client
    client.get(f"{school.base}/new")
    return client.post(
        f"{school.base}/new",
        {"trn": trn, "date_of_birth-day": day, "date_of_birth-month": month, "date_of_birth-year": year},
    )


def rows(page: Page) -> list[list[str]]:
    return [
        [" ".join(cell.get_text().split()) for cell in row.find_all(["th", "td"])]
        for row in page.soup.select("tbody tr")
    ]


def summary(page: Page) -> list[tuple[str, str]]:
    return [(a.get_text(strip=True), str(a["href"])) for a in page.soup.select(".govuk-error-summary a")]


def banner(page: Page) -> str | None:
    found = page.soup.select_one(".govuk-notification-banner--success .govuk-notification-banner__heading")
    return " ".join(found.get_text().split()) if found else None


# -- the list --------------------------------------------------------------------------------------
def test_a_school_with_no_mentors_sees_how_to_add_one(school: SchoolUser) -> None:
    # Given a school with no mentors
    # When its user opens Mentors
    page = school.client.get(school.base)
    # Then the page says there are none and offers "Add mentor"
    assert page.status == 200
    assert page.h1 == "Mentors"
    assert f"There are no mentors for {school.school_name}." in page.text()
    assert page.soup.select_one("a.govuk-button").get_text(strip=True) == "Add mentor"
    assert page.soup.select_one("a.govuk-button")["href"] == f"{school.base}/new"
    assert not page.soup.select("table")
    # And "Mentors" is the current navigation item
    current = page.soup.select_one(".govuk-service-navigation__item--active")
    assert current is not None
    assert current.get_text(strip=True) == "Mentors"


def test_mentors_are_listed_by_first_name_then_last_name_with_a_remove_link(school: SchoolUser) -> None:
    # Given three mentors added in no particular order
    put_mentor(school.school_id, "2000003", "Zoe", "Adams")
    put_mentor(school.school_id, "2000001", "Adam", "Zed")
    put_mentor(school.school_id, "2000002", "adam", "Brown")
    # When the list is opened
    page = school.client.get(school.base)
    # Then they are ordered by first name, then last name (ignoring case), with name and TRN
    assert rows(page) == [
        ["adam Brown", "2000002", "Remove adam Brown"],
        ["Adam Zed", "2000001", "Remove Adam Zed"],
        ["Zoe Adams", "2000003", "Remove Zoe Adams"],
    ]
    # And each Remove link has the mentor's name as visually hidden text and goes to their remove page
    link = page.soup.select("tbody a")[1]
    assert link.select_one(".govuk-visually-hidden").get_text() == " Adam Zed"
    assert link["href"] == f"{school.base}/2000001/remove"
    assert not page.soup.select(".govuk-pagination")


def test_more_than_25_mentors_are_paginated(school: SchoolUser) -> None:
    # Given 26 mentors
    for number in range(26):
        put_mentor(school.school_id, f"{3000000 + number}", f"Mentor{number:02d}", "Page")
    # When the first page is opened
    first = school.client.get(school.base)
    # Then it lists 25, with GOV.UK pagination to page 2
    assert len(rows(first)) == 25
    assert rows(first)[0][0] == "Mentor00 Page"
    pagination = first.soup.select_one("nav.govuk-pagination")
    assert pagination is not None
    assert [a["href"] for a in pagination.select(".govuk-pagination__item a")] == [
        f"{school.base}?page=1",
        f"{school.base}?page=2",
    ]
    assert pagination.select_one(".govuk-pagination__item--current a")["aria-current"] == "page"
    assert pagination.select_one(".govuk-pagination__next a")["href"] == f"{school.base}?page=2"
    assert "Showing 1 to 25 of 26 mentors" in first.text()
    # When the second page is opened
    second = school.client.get(f"{school.base}?page=2")
    # Then it lists the 26th, with a link back
    assert rows(second) == [["Mentor25 Page", "3000025", "Remove Mentor25 Page"]]
    assert second.soup.select_one(".govuk-pagination__prev a")["href"] == f"{school.base}?page=1"
    assert "Showing 26 to 26 of 26 mentors" in second.text()
    # And a page that does not exist is "Page not found"
    for bad in ("3", "0", "-1", "abc", "", "1.5"):
        page = school.client.get(f"{school.base}?page={bad}")
        assert (page.status, page.h1) == (404, "Page not found"), bad
    assert school.client.get(f"{school.base}?page=1").status == 200


def test_an_empty_list_has_only_page_1(school: SchoolUser) -> None:
    assert school.client.get(f"{school.base}?page=1").status == 200
    assert school.client.get(f"{school.base}?page=2").status == 404


# -- find teacher ----------------------------------------------------------------------------------
def test_the_find_teacher_form(school: SchoolUser) -> None:
    # When the user selects "Add mentor"
    page = school.client.get(f"{school.base}/new")
    # Then they are asked for the TRN and date of birth
    assert page.status == 200
    assert page.h1 == FIND
    assert page.soup.select_one(".govuk-caption-l").get_text(strip=True) == f"Add mentor - {school.school_name}"
    assert page.soup.select_one("label[for=trn]").get_text(strip=True) == "Teacher reference number (TRN)"
    assert "A TRN is a 7 digit number" in page.soup.select_one("#trn-hint").get_text()
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("main a")}
    assert links["Find a lost TRN"] == "https://www.gov.uk/find-a-lost-trn"
    assert page.soup.select_one("legend").get_text(strip=True) == "Date of birth"
    assert [i["name"] for i in page.soup.select(".govuk-date-input input")] == [
        "date_of_birth-day",
        "date_of_birth-month",
        "date_of_birth-year",
    ]
    assert page.soup.select_one("form button").get_text(strip=True) == "Continue"
    assert page.soup.select_one(".govuk-back-link")["href"] == school.base


@pytest.mark.parametrize(
    ("trn", "day", "month", "year", "expected"),
    [
        (
            "",
            "",
            "",
            "",
            [("Enter a teacher reference number (TRN)", "#trn"), ("Enter a date of birth", "#date_of_birth-day")],
        ),
        ("12345", "1", "1", "1980", [("Enter a valid teacher reference number (TRN)", "#trn")]),
        ("12345678", "1", "1", "1980", [("Enter a valid teacher reference number (TRN)", "#trn")]),
        ("1OOOOO1", "1", "1", "1980", [("Enter a valid teacher reference number (TRN)", "#trn")]),
        ("1000001", "1", "", "1980", [("Date of birth must include a month", "#date_of_birth-month")]),
        ("1000001", "", "", "1980", [("Date of birth must include a day and month", "#date_of_birth-day")]),
        ("1000001", "31", "2", "1980", [("Date of birth must be a real date", "#date_of_birth-day")]),
        ("1000001", "1", "1", "80", [("Date of birth must be a real date", "#date_of_birth-day")]),
        ("1000001", "28", "11", "2026", [("Date of birth must be in the past", "#date_of_birth-day")]),
    ],
)
def test_find_teacher_errors(
    school: SchoolUser, trn: str, day: str, month: str, year: str, expected: list[tuple[str, str]]
) -> None:
    # When the form is sent with a missing or wrong answer
    page = find(school, trn, day, month, year)
    # Then it comes back (200) with the GOV.UK errors, linked to the fields, and what was typed
    assert page.status == 200
    assert page.h1 == FIND
    assert page.soup.title.get_text().startswith("Error: Find teacher - ")
    assert summary(page) == expected
    messages = [" ".join(m.get_text().split()) for m in page.soup.select(".govuk-error-message")]
    assert messages == [f"Error: {text}" for text, _ in expected]
    assert page.soup.select_one("#trn")["value"] == trn
    assert [i.get("value", "") for i in page.soup.select(".govuk-date-input input")] == [day, month, year]


def test_spaces_in_a_trn_are_ignored(school: SchoolUser) -> None:
    # Given dictation software put spaces (and a tab) in the TRN
    page = find(school, " 100 00\t01 ", "1", "1", "1980")
    # Then the teacher is still found
    assert page.status == 303
    assert page.location.startswith(f"{school.base}/check/")


@pytest.mark.parametrize(
    ("trn", "day", "month", "year"),
    [("9999999", "1", "1", "1980"), ("1000001", "2", "1", "1980")],
    ids=["unknown TRN", "date of birth does not match"],
)
def test_no_results(school: SchoolUser, trn: str, day: str, month: str, year: str) -> None:
    # When the Teaching Record has no teacher with that TRN and date of birth
    sent = find(school, trn, day, month, year)
    # Then the user is sent to a "No results" page
    assert sent.status == 303
    assert sent.location.startswith(f"{school.base}/no-results/")
    assert "1980" not in sent.location
    page = school.client.get(sent.location)
    assert page.h1 == f"No results found for ‘{trn}’"
    assert "Check that you typed in the teacher reference number (TRN) and date of birth correctly." in page.text()
    change = page.soup.find("a", string="Change your search")
    assert change is not None
    # And "Change your search" shows the form again with the TRN filled in (the date of birth was not kept)
    form = school.client.get(change["href"])
    assert form.h1 == FIND
    assert form.soup.select_one("#trn")["value"] == trn
    assert [i.get("value", "") for i in form.soup.select(".govuk-date-input input")] == ["", "", ""]


def test_an_unknown_no_results_page_goes_back_to_the_form(school: SchoolUser) -> None:
    page = school.client.get(f"{school.base}/no-results/not-a-lookup")
    assert (page.status, page.location) == (303, f"{school.base}/new")


def test_a_mentor_already_on_the_list_cannot_be_added_twice(school: SchoolUser) -> None:
    # Given Emily Carter is already a mentor of the school
    put_mentor(school.school_id, "1000001", "Emily", "Carter")
    # When the user looks her up again
    page = find(school, "1000001", "1", "1", "1980")
    # Then the form says so, on the TRN
    assert page.status == 200
    assert summary(page) == [("Emily Carter has already been added", "#trn")]


# -- check your answers and adding -----------------------------------------------------------------
def test_adding_a_mentor(school: SchoolUser) -> None:
    from shared.data.items import MentorItem, SchoolMentorItem

    client = school.client
    # Given the user found Emily Carter (TRN 1000001, born 1 January 1980)
    found = find(school, "1000001", "1", "1", "1980")
    assert found.status == 303
    check = client.get(found.location)
    # Then check your answers shows her names and TRN from the Teaching Record, with a Change link
    assert check.h1 == "Check your answers"
    assert check.soup.select_one(".govuk-caption-l").get_text(strip=True) == f"Add mentor - {school.school_name}"
    keys = [" ".join(k.get_text().split()) for k in check.soup.select(".govuk-summary-list__key")]
    values = [" ".join(v.get_text().split()) for v in check.soup.select(".govuk-summary-list__value")]
    assert list(zip(keys, values, strict=True)) == [
        ("First name", "Emily"),
        ("Last name", "Carter"),
        ("Teacher reference number (TRN)", "1000001"),
    ]
    change = check.soup.select_one(".govuk-summary-list__actions a")
    assert " ".join(change.get_text().split()) == "Change teacher reference number (TRN)"
    assert "1980" not in check.text()
    assert check.soup.find("a", string="privacy notice")["href"] == "/privacy"
    assert check.soup.select_one("form button").get_text(strip=True) == "Confirm and add mentor"
    # When she confirms without ticking the privacy notice box
    unticked = client.post(found.location, {})
    # Then she is asked to
    assert unticked.status == 200
    assert summary(unticked) == [
        ("Confirm that Emily Carter has been told about the privacy notice", "#privacy_notice")
    ]
    assert not SchoolMentorItem.count(school.school_id)
    # When she ticks it and confirms
    added = client.post(found.location, {"privacy_notice": "yes"})
    # Then Emily Carter is a mentor of the school, added by this user now, and the teacher record is kept
    assert (added.status, added.location) == (303, school.base)
    entry = SchoolMentorItem.get(school.school_id, "1000001")
    assert (entry.first_name, entry.last_name, entry.added_by, entry.added_at) == (
        "Emily",
        "Carter",
        school.user_id,
        NOW,
    )
    teacher = MentorItem.get("1000001")
    assert (teacher.first_name, teacher.last_name) == ("Emily", "Carter")
    # And the list shows a success banner, once
    listed = client.get(school.base)
    assert banner(listed) == "Emily Carter has been added"
    assert rows(listed) == [["Emily Carter", "1000001", "Remove Emily Carter"]]
    assert banner(client.get(school.base)) is None


def test_confirming_twice_adds_once_and_shows_no_error(school: SchoolUser) -> None:
    from shared.data.items import SchoolMentorItem

    client = school.client
    found = find(school, "1000003", "3", "3", "1982")
    client.get(found.location)
    token = client.csrf_token()
    # When the user submits the confirmation twice
    first = client.request("POST", found.location, {"csrf_token": token, "privacy_notice": "yes"})
    second = client.request("POST", found.location, {"csrf_token": token, "privacy_notice": "yes"})
    # Then both end on the list and the mentor is there once
    assert (first.status, first.location) == (303, school.base)
    assert (second.status, second.location) == (303, school.base)
    assert [item.trn for item in SchoolMentorItem.query(school.school_id)] == ["1000003"]


def test_the_same_mentor_confirmed_in_two_tabs_is_added_once(school: SchoolUser) -> None:
    from shared.data.items import SchoolMentorItem

    client = school.client
    # Given the user looked the same teacher up in two tabs
    tab_1 = find(school, "1000003", "3", "3", "1982").location
    tab_2 = find(school, "1000003", "3", "3", "1982").location
    assert tab_1 != tab_2
    # When she confirms in both
    client.get(tab_1)
    client.post(tab_1, {"privacy_notice": "yes"})
    client.get(school.base)
    client.get(tab_2)
    again = client.post(tab_2, {"privacy_notice": "yes"})
    # Then the second is not an error: the mentor she wanted is on the list, once
    assert (again.status, again.location) == (303, school.base)
    assert banner(client.get(school.base)) == "Priya Shah has been added"
    assert [item.trn for item in SchoolMentorItem.query(school.school_id)] == ["1000003"]


def test_a_mentor_added_by_someone_else_meanwhile_is_not_added_again(school: SchoolUser) -> None:
    from shared.data.items import SchoolMentorItem

    client = school.client
    # Given the user has found Priya Shah
    found = find(school, "1000003", "3", "3", "1982")
    client.get(found.location)
    # And a colleague adds her before the user confirms
    put_mentor(school.school_id, "1000003", "Priya", "Shah", added_by="user-colleague")
    # When the user confirms
    page = client.post(found.location, {"privacy_notice": "yes"})
    # Then she is told Priya Shah has already been added, and nothing is written over the colleague's entry
    assert page.status == 200
    assert page.h1 == FIND
    assert summary(page) == [("Priya Shah has already been added", "#trn")]
    assert SchoolMentorItem.get(school.school_id, "1000003").added_by == "user-colleague"


def test_change_on_check_your_answers_keeps_the_trn(school: SchoolUser) -> None:
    found = find(school, "1000001", "1", "1", "1980")
    check = school.client.get(found.location)
    change = check.soup.select_one(".govuk-summary-list__actions a")["href"]
    form = school.client.get(change)
    assert form.h1 == FIND
    assert form.soup.select_one("#trn")["value"] == "1000001"


def test_an_unknown_check_page_goes_to_the_list(school: SchoolUser) -> None:
    page = school.client.get(f"{school.base}/check/not-a-lookup")
    assert (page.status, page.location) == (303, school.base)


def test_a_lookup_from_one_school_cannot_be_used_at_another(school: SchoolUser, apps: dict[str, Any]) -> None:
    from shared.claims.organisations import OrganisationType
    from shared.claims.people import Membership
    from shared.data.items import MembershipItem, OrganisationItem
    from shared.data.organisations import Organisations
    from shared.data.users import Users

    # Given the user belongs to a second school, and found a teacher at the first
    other = Organisations().get_school(school.school_id).model_copy(update={"organisation_id": f"{school.school_id}-b"})
    Organisations().put_school(other)
    Users().add_membership(
        Membership(
            user_id=school.user_id,
            organisation_id=other.organisation_id,
            organisation_type=OrganisationType.SCHOOL,
            organisation_name=other.name,
        )
    )
    try:
        found = find(school, "1000001", "1", "1", "1980")
        lookup_id = found.location.rsplit("/", 1)[1]
        # When the lookup id is used on the other school's check page
        page = school.client.get(f"/schools/{other.organisation_id}/mentors/check/{lookup_id}")
        # Then it is not known there
        assert (page.status, page.location) == (303, f"/schools/{other.organisation_id}/mentors")
    finally:
        MembershipItem(user_id=school.user_id, organisation_id=other.organisation_id).delete()
        OrganisationItem(organisation_id=other.organisation_id).delete()


# -- the Teaching Record System is down ------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "key"),
    [(None, "wrong-key"), ("http://127.0.0.1:9", API_KEY)],
    ids=["refused (401)", "no answer"],
)
def test_when_the_teaching_record_cannot_answer(
    school: SchoolUser, monkeypatch: pytest.MonkeyPatch, url: str | None, key: str
) -> None:
    from shared.config import settings
    from shared.integrations import teaching_record

    # Given the Teaching Record System refuses the key, or does not answer
    monkeypatch.setattr(teaching_record, "BACKOFF_FACTOR", 0)
    teaching_record.reset_session()
    if url:
        monkeypatch.setenv("TEACHING_RECORD_BASE_URL", url)
    monkeypatch.setenv("TEACHING_RECORD_API_KEY", key)
    settings.cache_clear()
    try:
        # When the user looks a teacher up
        page = find(school, "1000001", "1", "1", "1980")
    finally:
        teaching_record.reset_session()
    # Then a GOV.UK problem page says to try again later
    assert page.status == 503
    assert page.h1 == "Sorry, there is a problem with the service"
    assert "Try again later." in page.text()
    assert page.soup.find("a", string="Find teacher again")["href"] == f"{school.base}/new"


# -- too many failed lookups (ADR 14) --------------------------------------------------------------
TOO_MANY = "You have tried to find too many teachers"
LOCKED_OUT = "MentorLookupLockedOut"
UNKNOWN_TRN = "9999999"
# NOW is 10:30am on 28 November 2026 (GMT): the window is 10am to 11am


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The TRN of every request made to the Teaching Record System, in order."""
    from shared.integrations import teaching_record

    made: list[str] = []
    real = teaching_record.find_teacher

    def counted(trn: str, date_of_birth: dt.date | None) -> Any:
        made.append(trn)
        return real(trn, date_of_birth)

    monkeypatch.setattr(teaching_record, "find_teacher", counted)
    return made


@pytest.fixture
def metrics_added(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every business metric the web function adds, in order."""
    from shared.observability import metrics

    added: list[str] = []
    real = metrics.add_metric

    def recorded(name: str, *args: Any, **kwargs: Any) -> None:
        added.append(name)
        real(name, *args, **kwargs)

    monkeypatch.setattr(metrics, "add_metric", recorded)
    return added


def add_colleague(apps: dict[str, Any], school: SchoolUser) -> SchoolUser:
    """Another member of the same school, signed in."""
    import secrets

    from shared.claims.organisations import OrganisationType
    from shared.claims.people import Membership, Role, User
    from shared.data.sessions import Sessions, StoredSession
    from shared.data.users import Users

    suffix = uuid.uuid4().hex[:8]
    user = User(
        user_id=f"user-{suffix}", first_name="Col", last_name="League", email=f"{suffix}@example.com", role=Role.SCHOOL
    )
    Users().put(user)
    Users().add_membership(
        Membership(
            user_id=user.user_id,
            organisation_id=school.school_id,
            organisation_type=OrganisationType.SCHOOL,
            organisation_name=school.school_name,
        )
    )
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    Sessions(dt.timedelta(minutes=120)).save(StoredSession(token, csrf, user.user_id, NOW), NOW)
    client = Client(web=apps["web"], support=apps["support"], cookies={SESSION_COOKIE: token})
    return SchoolUser(client, school.school_id, school.school_name, user.user_id, csrf)


@pytest.fixture
def colleagues(apps: dict[str, Any], school: SchoolUser) -> Iterator[list[SchoolUser]]:
    """Three more members of the school."""
    from shared.data.items import MembershipItem, UserItem

    found = [add_colleague(apps, school) for _ in range(3)]
    yield found
    for colleague in found:
        MembershipItem(user_id=colleague.user_id, organisation_id=school.school_id).delete()
        UserItem(user_id=colleague.user_id).delete()


def fail(school: SchoolUser, times: int) -> None:
    """Look up a TRN the Teaching Record does not know, `times` times."""
    for _ in range(times):
        page = find(school, UNKNOWN_TRN, "1", "1", "1980")
        assert page.status == 303, page.h1
        assert page.location.startswith(f"{school.base}/no-results/")


def assert_too_many(page: Page, school: SchoolUser, who: str) -> None:
    assert page.status == 429
    assert page.h1 == TOO_MANY
    assert page.soup.select_one(".govuk-caption-l").get_text(strip=True) == f"Add mentor - {school.school_name}"
    assert f"{who} entered a teacher reference number (TRN) and date of birth that did not match" in page.text()
    assert "Try again after 11:00am." in page.text()
    email = page.soup.find("a", string="ittmentor.funding@education.gov.uk")
    assert email is not None
    assert email["href"] == "mailto:ittmentor.funding@education.gov.uk"
    assert page.soup.find("a", string="Go to your mentors")["href"] == school.base
    assert page.headers["Retry-After"] == ["1800"]  # half an hour to 11am
    assert "1980" not in page.body


def test_ten_failed_lookups_an_hour_lock_a_user_out_without_asking_the_teaching_record(
    school: SchoolUser, lookups: list[str], metrics_added: list[str]
) -> None:
    # Given the user has had 9 failed lookups this hour
    fail(school, 9)
    assert lookups == [UNKNOWN_TRN] * 9
    assert LOCKED_OUT not in metrics_added
    # When the 10th fails too
    fail(school, 1)
    # Then it was looked up, and the lockout is counted for the alarm, once
    assert lookups == [UNKNOWN_TRN] * 10
    assert metrics_added.count(LOCKED_OUT) == 1
    # When she tries an 11th time
    page = find(school, UNKNOWN_TRN, "2", "1", "1980")
    # Then she is told she has tried too many times and when to try again (the page checks ran in the client)
    assert_too_many(page, school, "You have")
    # And no request was made to the Teaching Record System, nor for a teacher it would have found
    assert_too_many(find(school, "1000001", "1", "1", "1980"), school, "You have")
    assert lookups == [UNKNOWN_TRN] * 10
    # And being refused is not another lockout
    assert metrics_added.count(LOCKED_OUT) == 1
    # And a mentor already on the list is still "already added", without a request
    put_mentor(school.school_id, "1000001", "Emily", "Carter")
    already = find(school, "1000001", "1", "1", "1980")
    assert (already.status, summary(already)) == (200, [("Emily Carter has already been added", "#trn")])
    assert lookups == [UNKNOWN_TRN] * 10


def test_the_lockout_ends_with_the_hour(school: SchoolUser, lookups: list[str], apps: dict[str, Any]) -> None:
    import functions.web.app as web

    fail(school, 10)
    assert find(school, UNKNOWN_TRN, "1", "1", "1980").status == 429
    # When the clock reaches 11am, London time
    web.app.clock = lambda: dt.datetime(2026, 11, 28, 11, 0, tzinfo=dt.UTC)
    try:
        page = find(school, "1000001", "1", "1", "1980")
    finally:
        web.app.clock = lambda: NOW
    # Then she can look teachers up again
    assert page.status == 303
    assert page.location.startswith(f"{school.base}/check/")
    assert lookups[-1] == "1000001"


def test_a_schools_users_share_thirty_failed_lookups_an_hour(
    school: SchoolUser, colleagues: list[SchoolUser], lookups: list[str], metrics_added: list[str]
) -> None:
    first, second, third = colleagues
    # Given one user of the school is locked out
    fail(school, 10)
    assert find(school, UNKNOWN_TRN, "1", "1", "1980").status == 429
    # Then a colleague can still look teachers up, and find them
    found = find(first, "1000001", "1", "1", "1980")
    assert found.location.startswith(f"{first.base}/check/")
    # When two colleagues have 10 failed lookups each (the school's 30th is the last of them)
    fail(first, 10)
    fail(second, 9)
    assert metrics_added.count(LOCKED_OUT) == 2
    fail(second, 1)
    # Then that lookup locked out both the colleague and the school: two lockouts for the alarm
    assert metrics_added.count(LOCKED_OUT) == 4
    assert len(lookups) == 31
    # And a colleague with no failed lookups is refused too, told that it is the school, with no request
    assert_too_many(find(third, "1000001", "1", "1", "1980"), third, f"People at {school.school_name} have")
    assert len(lookups) == 31


def test_a_user_locked_out_at_one_school_is_locked_out_at_another(school: SchoolUser, lookups: list[str]) -> None:
    from shared.claims.organisations import OrganisationType
    from shared.claims.people import Membership
    from shared.data.items import MembershipItem, OrganisationItem
    from shared.data.organisations import Organisations
    from shared.data.users import Users

    other = Organisations().get_school(school.school_id).model_copy(update={"organisation_id": f"{school.school_id}-b"})
    Organisations().put_school(other)
    Users().add_membership(
        Membership(
            user_id=school.user_id,
            organisation_id=other.organisation_id,
            organisation_type=OrganisationType.SCHOOL,
            organisation_name=other.name,
        )
    )
    try:
        fail(school, 10)
        at_other = SchoolUser(school.client, other.organisation_id, other.name, school.user_id, school.csrf)
        assert_too_many(find(at_other, "1000001", "1", "1", "1980"), at_other, "You have")
        assert len(lookups) == 10
    finally:
        MembershipItem(user_id=school.user_id, organisation_id=other.organisation_id).delete()
        OrganisationItem(organisation_id=other.organisation_id).delete()


def test_lookups_that_find_a_teacher_do_not_count(
    school: SchoolUser, lookups: list[str], metrics_added: list[str]
) -> None:
    # Given 9 failed lookups
    fail(school, 9)
    # When the user then finds 5 teachers
    for _ in range(5):
        assert find(school, "1000001", "1", "1", "1980").location.startswith(f"{school.base}/check/")
    # Then she may still make one more failed lookup, and that one locks her out
    assert LOCKED_OUT not in metrics_added
    fail(school, 1)
    assert metrics_added.count(LOCKED_OUT) == 1
    assert len(lookups) == 15
    assert find(school, "1000001", "1", "1", "1980").status == 429
    assert len(lookups) == 15


def test_lookups_while_the_teaching_record_is_unavailable_do_not_count(
    school: SchoolUser, lookups: list[str], metrics_added: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.config import settings
    from shared.integrations import teaching_record

    # Given 9 failed lookups
    fail(school, 9)
    # When 3 more are made while the Teaching Record refuses the service's key
    monkeypatch.setattr(teaching_record, "BACKOFF_FACTOR", 0)
    monkeypatch.setenv("TEACHING_RECORD_API_KEY", "wrong-key")
    settings.cache_clear()
    teaching_record.reset_session()
    try:
        for _ in range(3):
            assert find(school, UNKNOWN_TRN, "1", "1", "1980").status == 503
    finally:
        monkeypatch.setenv("TEACHING_RECORD_API_KEY", API_KEY)
        settings.cache_clear()
        teaching_record.reset_session()
    # Then they did not count: the next failed lookup is the 10th
    assert LOCKED_OUT not in metrics_added
    fail(school, 1)
    assert metrics_added.count(LOCKED_OUT) == 1
    assert find(school, UNKNOWN_TRN, "1", "1", "1980").status == 429
    assert len(lookups) == 13


def test_the_counters_hold_no_trn_or_date_of_birth_and_expire_a_day_after_the_hour(school: SchoolUser) -> None:
    from shared.data.items import RateLimitItem

    fail(school, 2)
    user = RateLimitItem.get(f"mentor-lookup#user#{school.user_id}#2026-11-28T10")
    school_counter = RateLimitItem.get(f"mentor-lookup#school#{school.school_id}#2026-11-28T10")
    assert (user.hits, school_counter.hits) == (2, 2)
    assert user.expires_at == school_counter.expires_at == dt.datetime(2026, 11, 29, 11, tzinfo=dt.UTC).timestamp()
    assert set(user.attribute_values) == {"limit_key", "hits", "expires_at"}


def test_a_place_is_taken_only_below_the_limit(apps: dict[str, Any]) -> None:
    """The condition that stops lookups at the same moment going past the limit between them (DynamoDB
    applies each conditional update atomically; tests/concurrency shows the same for transactions)."""
    from shared.data.rate_limits import RateLimits

    # Given a counter one below its limit of 10
    key = f"test-counter#{uuid.uuid4().hex}"
    expires = NOW + dt.timedelta(days=1)
    counters = RateLimits()
    assert [counters.take(key, 10, expires) for _ in range(9)] == list(range(1, 10))
    # When three more lookups each try to take a place
    taken = [counters.take(key, 10, expires) for _ in range(3)]
    # Then only the first gets one, and the counter stays at its limit
    assert taken == [10, None, None]
    assert counters.counts([key, "test-counter#none"]) == {key: 10, "test-counter#none": 0}
    # And giving places back never goes below 0 nor starts a counter
    for _ in range(12):
        counters.give_back(key)
    counters.give_back("test-counter#none")
    assert counters.counts([key, "test-counter#none"]) == {key: 0, "test-counter#none": 0}


# -- removing --------------------------------------------------------------------------------------
def test_removing_a_mentor(school: SchoolUser) -> None:
    from shared.data.items import SchoolMentorItem

    client = school.client
    # Given James Okafor is a mentor of the school
    put_mentor(school.school_id, "1000002", "James", "Okafor")
    listed = client.get(school.base)
    remove = listed.soup.select_one("tbody a")["href"]
    # When the user selects Remove
    page = client.get(remove)
    # Then she is asked to confirm
    assert page.h1 == "Are you sure you want to remove this mentor?"
    assert page.soup.select_one(".govuk-caption-l").get_text(strip=True) == "James Okafor"
    button = page.soup.select_one("form button")
    assert button.get_text(strip=True) == "Remove mentor"
    assert "govuk-button--warning" in button["class"]
    assert page.soup.find("a", string="Cancel")["href"] == school.base
    # When she confirms
    removed = client.post(remove)
    # Then the mentor is off the list, with a banner
    assert (removed.status, removed.location) == (303, school.base)
    after = client.get(school.base)
    assert banner(after) == "James Okafor has been removed"
    assert rows(after) == []
    assert SchoolMentorItem.count(school.school_id) == 0
    # And sending the form again changes nothing and shows no error
    again = client.request("POST", remove, {"csrf_token": school.csrf})
    assert (again.status, again.location) == (303, school.base)
    assert banner(client.get(school.base)) is None
    # And the remove page for someone no longer on the list is "Page not found"
    assert client.get(remove).status == 404


@pytest.mark.parametrize("status", ["draft", "submitted", "support_review"])
def test_a_mentor_on_an_active_claim_cannot_be_removed(school: SchoolUser, status: str) -> None:
    from shared.data.items import SchoolMentorItem

    client = school.client
    # Given James Okafor is on one of the school's active claims
    put_mentor(school.school_id, "1000002", "James", "Okafor")
    put_claim(school.school_id, ["1000001", "1000002"], status)
    # When the user selects Remove
    page = client.get(f"{school.base}/1000002/remove")
    # Then she is told why she cannot, and there is no remove button
    assert page.status == 200
    assert page.h1 == "You cannot remove this mentor"
    assert (
        "You cannot remove this mentor because they are included in an active claim. "
        "You will be able to remove the mentor once we have processed the claim." in page.text()
    )
    assert not page.soup.select("main form")
    # When a remove is posted anyway
    forced = client.request("POST", f"{school.base}/1000002/remove", {"csrf_token": school.csrf})
    # Then it is refused the same way and the mentor stays
    assert forced.status == 200
    assert forced.h1 == "You cannot remove this mentor"
    assert SchoolMentorItem.get(school.school_id, "1000002").trn == "1000002"


@pytest.mark.parametrize("status", ["withdrawn", "paid", "rejected"])
def test_claims_that_are_not_active_do_not_block_removal(school: SchoolUser, status: str) -> None:
    put_mentor(school.school_id, "1000002", "James", "Okafor")
    put_claim(school.school_id, ["1000002"], status)
    page = school.client.get(f"{school.base}/1000002/remove")
    assert page.h1 == "Are you sure you want to remove this mentor?"
    assert school.client.post(f"{school.base}/1000002/remove").status == 303


def test_another_schools_active_claim_does_not_block_removal(school: SchoolUser) -> None:
    put_mentor(school.school_id, "1000002", "James", "Okafor")
    claim_id = put_claim(f"{school.school_id}-elsewhere", ["1000002"], "submitted")
    try:
        page = school.client.get(f"{school.base}/1000002/remove")
        assert page.h1 == "Are you sure you want to remove this mentor?"
    finally:
        from shared.data.items import ClaimItem

        ClaimItem(claim_id=claim_id).delete()


@pytest.mark.parametrize("trn", ["7654321", "123", "abcdefg"])
def test_removing_someone_who_is_not_a_mentor_of_the_school_is_not_found(school: SchoolUser, trn: str) -> None:
    assert school.client.get(f"{school.base}/{trn}/remove").status == 404


# -- access ----------------------------------------------------------------------------------------
MARY_SCHOOL = f"/schools/{MARY_LAWSON_SCHOOL_URNS[0]}/mentors"


def test_another_schools_mentors_are_not_found(anne: Client) -> None:
    # Given Anne Wilson, signed in, is not a member of Mary Lawson's school; and it has a mentor
    put_mentor(MARY_LAWSON_SCHOOL_URNS[0], "1000001", "Emily", "Carter")
    try:
        anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/mentors/new")
        token = anne.csrf_token()
        # When she opens or posts to any of its mentors pages
        for path in ("", "?page=1", "/new", "/no-results/x", "/check/x", "/1000001/remove"):
            page = anne.get(MARY_SCHOOL + path)
            # Then each is "Page not found"
            assert (page.status, page.h1) == (404, "Page not found"), path
        for path in ("/new", "/check/x", "/1000001/remove"):
            page = anne.request(
                "POST",
                MARY_SCHOOL + path,
                {"csrf_token": token, "trn": "1000001", "privacy_notice": "yes", "date_of_birth-day": "1"},
            )
            assert (page.status, page.h1) == (404, "Page not found"), path
    finally:
        from shared.data.items import SchoolMentorItem

        # And the mentor is still there
        assert SchoolMentorItem.get(MARY_LAWSON_SCHOOL_URNS[0], "1000001").trn == "1000001"
        SchoolMentorItem(school_id=MARY_LAWSON_SCHOOL_URNS[0], trn="1000001").delete()


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    for path in ("", "/new", "/check/x", "/1000001/remove"):
        page = client.get(MARY_SCHOOL + path)
        assert (page.status, page.location) == (303, "/sign-in"), path


def test_anne_can_open_her_own_mentors_pages(anne: Client) -> None:
    base = f"/schools/{ANNE_WILSON_SCHOOL_URN}/mentors"
    assert anne.get(base).h1 == "Mentors"
    assert anne.get(f"{base}/new").h1 == FIND
