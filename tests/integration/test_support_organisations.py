"""The support console's Organisations: the list (search, filters, pages), adding a school or an accredited
provider (found among those held, or typed in), an organisation's page, its vendor number, users and grant
conditions (ADR 0024)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from botocore.client import BaseClient

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, SeedData
from tests.support import Client, Page, queued_emails, set_grant_conditions

BASE = "/support/organisations"
ANNE_SCHOOL = f"{BASE}/schools/{ANNE_WILSON_SCHOOL_URN}"


@pytest.fixture
def colin(client: Client) -> Client:
    client.sign_in("Colin Chapman")
    client.get(f"{BASE}/new")  # a page with a form: his CSRF token
    return client


@contextmanager
def dynamodb_operations() -> Iterator[list[str]]:
    """Every DynamoDB operation made inside the block, by name."""
    made: list[str] = []
    original = BaseClient._make_api_call

    def recording(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            made.append(operation)
        return original(self, operation, params)

    with mock.patch.object(BaseClient, "_make_api_call", recording):
        yield made


def _rows(page: Page) -> list[list[str]]:
    return [[" ".join(td.get_text().split()) for td in tr.find_all("td")] for tr in page.soup.select("tbody tr")]


def _names(page: Page) -> list[str]:
    return [row[0] for row in _rows(page)]


def _count(page: Page) -> str:
    tag = page.soup.find(id="organisations-count")
    return " ".join(tag.get_text().split()) if tag else ""


def _errors(page: Page) -> list[str]:
    return [" ".join(a.get_text().split()) for a in page.soup.select(".govuk-error-summary a")]


_held_counter = iter(range(990700, 990800))


def _held_school(name: str, district: str = "E09000002", postcode: str = "SE1 7PB") -> str:
    """A GIAS establishment the service holds but support has not added."""
    from shared.claims.organisations import School
    from shared.data.organisations import Organisations

    urn = str(next(_held_counter))
    Organisations().put_school(
        School(
            organisation_id=urn,
            urn=urn,
            name=name,
            address1="1 High Street",
            town="London",
            postcode=postcode,
            local_authority_name="Southwark",
            district_admin_code=district,
            type_of_establishment="Community school",
            group="Local authority maintained schools",
            phase="Primary",
        )
    )
    return urn


def _journey(colin: Client, organisation_type: str) -> str:
    started = colin.post(f"{BASE}/new", {"organisation_type": organisation_type})
    assert started.status == 303
    assert started.location.endswith("/find"), started.location
    return started.location.removesuffix("/find")


def _add_held_school(colin: Client, search: str, urn: str, vendor: str = "V12345") -> Page:
    base = _journey(colin, "school")
    found = colin.post(f"{base}/find", {"search": search})
    assert found.location == f"{base}/results"
    chosen = colin.post(f"{base}/results", {"organisation": urn})
    assert chosen.location == f"{base}/vendor-number"
    assert colin.follow(chosen).h1 == "Enter the school's vendor number"
    to_check = colin.post(f"{base}/vendor-number", {"vendor_number": vendor})
    assert to_check.location == f"{base}/check"
    check = colin.follow(to_check)
    assert check.h1 == "Check your answers"
    # the type, the school (found again to change it) and the vendor number can be changed
    assert len(check.soup.select(".govuk-summary-list__actions a")) == 3
    return colin.post(f"{base}/check")


# -- the list -----------------------------------------------------------------------------------------------------
def test_the_list_shows_added_organisations_25_a_page_with_a_count(colin: Client, seed: SeedData) -> None:
    # Given the demo schools and providers are added / When Colin opens Organisations
    with dynamodb_operations() as made:
        page = colin.get(BASE)
    # Then it lists them by name, 25 a page, with the count and GOV.UK pagination, and no Scan was made
    assert page.status == 200
    assert page.h1 == "Organisations"
    assert "Scan" not in made
    total = len(seed.schools) + len(seed.providers)
    assert _count(page).endswith(" organisations")
    assert int(_count(page).split()[0].replace(",", "")) >= total  # and those added by other tests
    assert len(_rows(page)) == 25
    assert page.soup.select_one(".govuk-pagination")
    assert page.soup.find("label", attrs={"for": "search"}).get_text(strip=True) == (
        "Search by name, URN, UKPRN or postcode"
    )
    link = page.soup.select_one("tbody tr a")
    assert link["href"].startswith(f"{BASE}/schools/") or link["href"].startswith(f"{BASE}/providers/")
    second = colin.get(f"{BASE}?page=2")
    assert set(_names(second)).isdisjoint(_names(page))
    # the navigation has Organisations right after Claims
    nav = [a.get_text(strip=True) for a in page.soup.select(".govuk-service-navigation__link")]
    assert nav[nav.index("Claims") + 1] == "Organisations"


def test_search_by_name_urn_ukprn_and_postcode(colin: Client, seed: SeedData) -> None:
    school = next(s for s in seed.schools if s.urn == ANNE_WILSON_SCHOOL_URN)
    provider = seed.providers[0]
    with dynamodb_operations() as made:
        by_urn = colin.get(f"{BASE}?search={school.urn}")
        by_name = colin.get(f"{BASE}?search={school.name[:9].lower()}")
        by_ukprn = colin.get(f"{BASE}?search={provider.ukprn}")
        by_postcode = colin.get(f"{BASE}?search={school.postcode.replace(' ', '').lower()}")
        by_outward = colin.get(f"{BASE}?search={school.postcode.split(' ')[0]}")
    assert "Scan" not in made
    assert _names(by_urn) == [school.name]
    assert _count(by_urn) == "1 organisation"
    assert school.name in _names(by_name)
    assert all(name.casefold().removeprefix("the ").startswith(school.name[:9].casefold()) for name in _names(by_name))
    assert provider.name in _names(by_ukprn)
    assert school.name in _names(by_postcode)
    assert school.name in _names(by_outward)
    nothing = colin.get(f"{BASE}?search=zzzz+no+such+name")
    assert _count(nothing) == "0 organisations"
    assert "There are no organisations that match your search and filters." in nothing.text()


def test_filters_by_type_and_funding_region(colin: Client, seed: SeedData) -> None:
    accredited = sum(1 for p in seed.providers if p.accredited)
    with dynamodb_operations() as made:
        providers = colin.get(f"{BASE}?type=accredited_provider")
        inner = colin.get(f"{BASE}?region=Inner+London")
        both = colin.get(f"{BASE}?region=Inner+London&region=Fringe&type=school")
        providers_in_region = colin.get(f"{BASE}?region=Inner+London&type=other_provider")
    assert "Scan" not in made
    assert _count(providers) == f"{accredited:,} {'organisation' if accredited == 1 else 'organisations'}"
    assert {row[1] for row in _rows(providers)} == {"Accredited provider"}
    assert {row[4] for row in _rows(inner)} == {"Inner London"}
    inner_count = int(_count(inner).split()[0].replace(",", ""))
    both_count = int(_count(both).split()[0].replace(",", ""))
    assert both_count > inner_count
    assert {row[4] for row in _rows(both)} <= {"Inner London", "Fringe"}
    assert _count(providers_in_region) == "0 organisations"
    # the filter panel keeps what was chosen
    assert inner.soup.find("input", attrs={"name": "region", "value": "Inner London"}).has_attr("checked")
    removes = {a.get_text(" ", strip=True): a["href"] for a in both.soup.select(".app-filter__selected a")}
    assert removes["Remove filter Fringe"] == f"{BASE}?type=school&region=Inner+London"
    assert removes["Remove filter School"] == f"{BASE}?region=Inner+London&region=Fringe"
    # a page of a filtered list keeps its filters in the pagination links
    if inner_count > 25:
        assert "region=Inner+London" in inner.soup.select_one(".govuk-pagination__next a")["href"]
    # bad values are ignored, never a 500
    assert colin.get(f"{BASE}?type=nonsense&region=Mars&page=abc").status == 200
    assert colin.get(f"{BASE}?page=9999").status == 200


def test_visitors_are_sent_to_sign_in_and_school_users_refused(client: Client) -> None:
    visitor = client.get(BASE)
    assert visitor.status in (302, 303)
    assert "sign-in" in visitor.location
    client.sign_in("Anne Wilson")
    for path in (BASE, f"{BASE}/new", ANNE_SCHOOL, f"{ANNE_SCHOOL}/grant-conditions/reset"):
        assert client.get(path).status == 403, path


# -- adding a school ---------------------------------------------------------------------------------------------
def test_add_a_held_school_by_urn_with_its_vendor_number(colin: Client) -> None:
    from shared.claims.activity import ActivityKind
    from shared.data.activity import Activity, month_of
    from tests.support import NOW

    urn = _held_school("Kestrel Way Primary School")
    # Given the school is held but not added: it is not in the list (its page, linked from a claim, exists)
    assert _count(colin.get(f"{BASE}?search={urn}")) == "0 organisations"
    assert colin.get(f"{BASE}/schools/{urn}").status == 200
    # When Colin adds it by URN with a vendor number
    added = _add_held_school(colin, urn, urn, vendor="ab12CD34")
    # Then he reaches its page with a banner, and it is listed
    assert added.status == 303
    assert added.location == f"{BASE}/schools/{urn}"
    page = colin.follow(added)
    assert page.h1 == "Kestrel Way Primary School"
    assert page.soup.select_one(".govuk-notification-banner").get_text(" ", strip=True).endswith("Organisation added")
    assert "ab12CD34" in page.text()
    assert "Inner London" in page.text()
    assert "£53.60" in page.text()
    assert _names(colin.get(f"{BASE}?search={urn}")) == ["Kestrel Way Primary School"]
    # and it is in Activity
    entries = Activity().newest([month_of(NOW)], 50)
    assert any(e.kind is ActivityKind.ORGANISATION_ADDED and urn in e.summary for e in entries)


def test_the_search_finds_by_name_and_marks_those_already_added(colin: Client) -> None:
    urn = _held_school("Larkspur Lane Primary School")
    base = _journey(colin, "school")
    found = colin.follow(colin.post(f"{base}/find", {"search": "larkspur lane"}))
    assert found.h1 == "Select the organisation"
    assert [i["value"] for i in found.soup.select("input[name=organisation]")] == [urn]
    _add_held_school(colin, urn, urn)
    again = _journey(colin, "school")
    found = colin.follow(colin.post(f"{again}/find", {"search": "larkspur lane"}))
    assert found.h1 == "No organisations found"
    assert "Already added" in found.text()


def test_adding_the_same_school_twice_is_refused(colin: Client) -> None:
    urn = _held_school("Nightjar Close Primary School")
    # Given two journeys for the same school, both at check answers
    first = _journey(colin, "school")
    second = _journey(colin, "school")
    for base in (first, second):
        colin.post(f"{base}/find", {"search": urn})
        colin.post(f"{base}/results", {"organisation": urn})
        colin.post(f"{base}/vendor-number", {"vendor_number": "12345"})
        assert colin.get(f"{base}/check").h1 == "Check your answers"
    # When both are confirmed
    assert colin.post(f"{first}/check").status == 303
    refused = colin.post(f"{second}/check")
    # Then the second is refused with a clear message
    assert refused.status == 409
    assert refused.h1 == "Nightjar Close Primary School has already been added"
    # and a finished journey's check page leads to the organisation
    assert colin.get(f"{first}/check").location == f"{BASE}/schools/{urn}"


def test_journey_steps_are_validated(colin: Client) -> None:
    no_type = colin.post(f"{BASE}/new", {})
    assert no_type.status == 200
    assert _errors(no_type) == ["Select the type of organisation"]
    assert no_type.soup.title.get_text().startswith("Error: ")
    base = _journey(colin, "school")
    empty = colin.post(f"{base}/find", {"search": " "})
    assert _errors(empty) == ["Enter a school name or URN"]
    colin.post(f"{base}/find", {"search": "a name nobody has"})
    no_choice = colin.post(f"{base}/results", {"organisation": "999999"})
    assert no_choice.location == f"{base}/results"  # nothing found to choose: the page says so
    assert colin.follow(no_choice).h1 == "No organisations found"
    # skipping ahead by URL goes to the first unanswered step
    assert colin.get(f"{base}/check").location == f"{base}/find"
    urn = _held_school("Osprey Road Primary School")
    colin.post(f"{base}/find", {"search": urn})
    colin.post(f"{base}/results", {"organisation": urn})
    for typed, message in (
        ("", "Enter a vendor number"),
        ("abc-123", "Enter a vendor number of up to 20 letters or numbers"),
        ("1" * 21, "Enter a vendor number of up to 20 letters or numbers"),
    ):
        bad = colin.post(f"{base}/vendor-number", {"vendor_number": typed})
        assert (bad.status, _errors(bad)) == (200, [message]), typed
    # another user's journey is not found
    colin.cookies.clear()
    colin.sign_in("Sam Brooks")
    assert colin.get(f"{base}/vendor-number").status == 404


def test_add_a_school_typed_in_by_hand_with_every_field_checked(colin: Client) -> None:
    base = _journey(colin, "school")
    form = colin.get(f"{base}/details")
    assert form.h1 == "Enter the school's details"
    empty = colin.post(f"{base}/details", {})
    assert _errors(empty) == [
        "Enter the school's name",
        "Enter a URN",
        "Enter address line 1",
        "Enter the town or city",
        "Enter a postcode",
        "Enter the local authority",
        "Enter the establishment type",
        "Enter the establishment group",
        "Enter the phase of education",
        "Enter a district code",
    ]
    wrong = colin.post(
        f"{base}/details",
        {
            "name": "x" * 101,
            "urn": "12345",
            "address1": "y" * 101,
            "town": "z" * 61,
            "postcode": "NOT A POSTCODE",
            "local_authority_name": "Camden",
            "type_of_establishment": "Community school",
            "group": "Local authority maintained schools",
            "phase": "Primary",
            "district_admin_code": "E0900002",
        },
    )
    assert _errors(wrong) == [
        "School name must be 100 characters or fewer",
        "Enter a URN with 6 digits, like 100000",
        "Address line 1 must be 100 characters or fewer",
        "Town or city must be 60 characters or fewer",
        "Enter a real postcode, like SW1A 1AA",
        "Enter a district code in the correct format, like E09000002",
    ]
    assert wrong.soup.find(id="urn")["value"] == "12345"  # shown back as typed
    good = {
        "name": "Plover Street School",
        "urn": "990950",
        "address1": "2 Plover Street",
        "town": "London",
        "postcode": "nw1 2db",
        "local_authority_name": "Camden",
        "type_of_establishment": "Community school",
        "group": "Local authority maintained schools",
        "phase": "Primary",
        "district_admin_code": "e09000007",
    }
    typed = colin.post(f"{base}/details", good)
    assert typed.location == f"{base}/vendor-number"
    colin.post(f"{base}/vendor-number", {"vendor_number": "PLOVER1"})
    check = colin.get(f"{base}/check")
    assert "NW1 2DB" in check.text()
    assert "E09000007" in check.text()
    assert "Inner London" in check.text()
    assert len(check.soup.select(".govuk-summary-list__actions a")) == 1 + 8 + 1  # type, each typed row, vendor
    added = colin.post(f"{base}/check")
    assert added.location == f"{BASE}/schools/990950"
    page = colin.follow(added)
    assert page.h1 == "Plover Street School"
    assert "PLOVER1" in page.text()


# -- adding a provider ---------------------------------------------------------------------------------------------
def test_add_a_held_provider_and_one_typed_in(colin: Client) -> None:
    from shared.claims.organisations import Provider
    from shared.data.organisations import Providers

    Providers().put(
        Provider(code="9QX", name="Quayside Teacher Training", provider_type="SCITT", accredited=True, ukprn="10099901")
    )
    base = _journey(colin, "provider")
    assert colin.post(f"{base}/find", {"search": ""}).soup.select(".govuk-error-summary a")[0].get_text(strip=True) == (
        "Enter a provider name, UKPRN or provider code"
    )
    colin.post(f"{base}/find", {"search": "10099901"})
    chosen = colin.post(f"{base}/results", {"organisation": "9QX"})
    assert chosen.location == f"{base}/check"  # a provider has no vendor number
    assert "Vendor number" not in colin.get(f"{base}/check").text()
    added = colin.post(f"{base}/check")
    assert added.location == f"{BASE}/providers/9QX"
    page = colin.follow(added)
    assert page.h1 == "Quayside Teacher Training"
    assert "10099901" in page.text()
    assert _names(colin.get(f"{BASE}?search=10099901")) == ["Quayside Teacher Training"]

    typed_in = _journey(colin, "provider")
    empty = colin.post(f"{typed_in}/details", {})
    assert _errors(empty) == ["Enter the provider's name", "Enter a UKPRN", "Enter a provider code", "Enter a postcode"]
    wrong = colin.post(f"{typed_in}/details", {"name": "P", "ukprn": "20012345", "code": "TOOLONG", "postcode": "X"})
    assert _errors(wrong) == [
        "Enter a UKPRN with 8 digits starting with 1, like 10012345",
        "Enter a provider code of 3 letters or numbers, like 1TZ",
        "Enter a real postcode, like SW1A 1AA",
    ]
    done = colin.post(
        f"{typed_in}/details", {"name": "Heron Institute", "ukprn": "10099902", "code": "9hx", "postcode": "LS1 4AP"}
    )
    assert done.location == f"{typed_in}/check"
    assert colin.post(f"{typed_in}/check").location == f"{BASE}/providers/9HX"
    assert _names(colin.get(f"{BASE}?search=LS1+4AP")) == ["Heron Institute"]


# -- a school's page -------------------------------------------------------------------------------------------------
def test_a_school_page_shows_details_users_claims_eligibility_and_grant_conditions(colin: Client) -> None:
    set_grant_conditions(ANNE_WILSON_SCHOOL_URN, accepted=True)
    page = colin.get(ANNE_SCHOOL)
    assert page.status == 200
    text = page.text()
    for expected in ("Status Open", "Funding region", "Hourly rate", "Vendor number", "Anne Wilson", "Accepted by"):
        assert expected in text, expected
    view_claims = next(a for a in page.soup.select("a") if a.get_text(" ", strip=True).startswith("View claims"))
    assert view_claims["href"] == f"/support/claims?school={ANNE_WILSON_SCHOOL_URN}"
    assert colin.get(f"{BASE}/schools/000001").status == 404
    assert colin.get(f"{BASE}/providers/NOPE").status == 404


def test_change_the_vendor_number(colin: Client) -> None:
    form = colin.get(f"{ANNE_SCHOOL}/vendor-number")
    assert form.h1 == "Change vendor number"
    bad = colin.post(f"{ANNE_SCHOOL}/vendor-number", {"vendor_number": "no spaces!"})
    assert (bad.status, _errors(bad)) == (200, ["Enter a vendor number of up to 20 letters or numbers"])
    saved = colin.post(f"{ANNE_SCHOOL}/vendor-number", {"vendor_number": "NEW999"})
    assert saved.location == ANNE_SCHOOL
    page = colin.follow(saved)
    assert "NEW999" in page.text()
    assert "Vendor number changed" in page.text()


def test_reset_grant_conditions_makes_the_next_school_user_accept_again(client: Client) -> None:
    from shared.claims.activity import ActivityKind
    from shared.data.activity import Activity, month_of
    from tests.support import NOW

    set_grant_conditions(ANNE_WILSON_SCHOOL_URN, accepted=True)
    client.sign_in("Colin Chapman")
    confirm = client.get(f"{ANNE_SCHOOL}/grant-conditions/reset")
    assert confirm.h1 == "Are you sure you want to reset the grant conditions for Meadowbank Primary School?"
    reset = client.post(f"{ANNE_SCHOOL}/grant-conditions/reset")
    assert reset.location == ANNE_SCHOOL
    page = client.follow(reset)
    assert "Grant conditions reset" in page.soup.select_one(".govuk-notification-banner").get_text()
    assert "Nobody has accepted the grant conditions yet" in page.text()
    assert any(
        e.kind is ActivityKind.GRANT_CONDITIONS_RESET and ANNE_WILSON_SCHOOL_URN in e.summary
        for e in Activity().newest([month_of(NOW)], 50)
    )
    # a second reset finds nothing to reset
    again = client.post(f"{ANNE_SCHOOL}/grant-conditions/reset")
    assert "Grant conditions reset" not in client.follow(again).text()
    # Then Anne must accept them again
    client.cookies.clear()
    client.sign_in("Anne Wilson")
    gated = client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims")
    assert gated.location == f"/schools/{ANNE_WILSON_SCHOOL_URN}/grant-conditions"
    set_grant_conditions(ANNE_WILSON_SCHOOL_URN, accepted=True)


def test_add_and_remove_a_school_user(colin: Client) -> None:
    queued_emails()  # emails queued by earlier tests are read and gone
    form = colin.get(f"{ANNE_SCHOOL}/users/new")
    assert form.h1 == "Add user"
    empty = colin.post(f"{ANNE_SCHOOL}/users/new", {})
    assert _errors(empty) == ["Enter a first name", "Enter a last name", "Enter an email address"]
    check = colin.post(
        f"{ANNE_SCHOOL}/users/new", {"first_name": "Rita", "last_name": "Okafor", "email": "rita.okafor@example.com"}
    )
    assert check.location.endswith("/check")
    assert colin.follow(check).h1 == "Check your answers"
    added = colin.post(check.location)
    assert added.location == ANNE_SCHOOL
    page = colin.follow(added)
    assert "Rita Okafor has been added" in page.text()
    assert "rita.okafor@example.com" in page.text()
    assert [(e["kind"], e["to"]) for e in queued_emails()] == [("user_invited", "rita.okafor@example.com")]
    rita = next(a["href"] for a in page.soup.select("a[href$='/remove']") if "Rita Okafor" in a.get_text())
    confirm = colin.get(rita)
    assert confirm.h1 == "Are you sure you want to remove Rita Okafor?"
    removed = colin.post(rita)
    assert removed.location == ANNE_SCHOOL
    after = colin.follow(removed)
    assert "Rita Okafor has been removed" in after.text()
    assert "rita.okafor@example.com" not in after.text()
    assert [(e["kind"], e["to"]) for e in queued_emails()] == [("user_removed", "rita.okafor@example.com")]
    from shared.claims.activity import ActivityKind
    from shared.data.activity import Activity, month_of
    from tests.support import NOW

    recorded = [(e.kind, e.summary) for e in Activity().newest([month_of(NOW)], 100) if "Rita Okafor" in e.summary]
    assert sorted(recorded) == [
        (ActivityKind.USER_ADDED, "Rita Okafor to Meadowbank Primary School"),
        (ActivityKind.USER_REMOVED, "Rita Okafor from Meadowbank Primary School"),
    ]
    assert colin.post(rita).location == ANNE_SCHOOL  # a second click removes nothing more


def test_add_and_remove_a_provider_user(colin: Client, seed: SeedData) -> None:
    provider = next(p for p in seed.providers if p.accredited)
    home = f"{BASE}/providers/{provider.code}"
    queued_emails()
    page = colin.get(home)
    assert page.h1 == provider.name
    # a school user's address cannot be a provider user's
    anne = next(u for u in seed.users if u.first_name == "Anne" and u.last_name == "Wilson")
    taken = colin.post(f"{home}/users/new", {"first_name": "Anne", "last_name": "Wilson", "email": anne.email})
    assert _errors(taken) == ["Enter an email address that is not used by a support or school account"]
    check = colin.post(
        f"{home}/users/new", {"first_name": "Tom", "last_name": "Reyes", "email": "tom.reyes@example.com"}
    )
    assert colin.follow(check).h1 == "Check your answers"
    added = colin.post(check.location)
    assert added.location == home
    page = colin.follow(added)
    assert "Tom Reyes has been added" in page.text()
    assert [(e["kind"], e["to"]) for e in queued_emails()] == [("user_invited", "tom.reyes@example.com")]
    remove = next(a["href"] for a in page.soup.select("a[href$='/remove']") if "Tom Reyes" in a.get_text())
    assert colin.get(remove).h1 == "Are you sure you want to remove Tom Reyes?"
    removed = colin.post(remove)
    assert "Tom Reyes has been removed" in colin.follow(removed).text()
    assert [(e["kind"], e["to"]) for e in queued_emails()] == [("user_removed", "tom.reyes@example.com")]


def test_ids_no_organisation_or_journey_could_have_are_not_found(colin: Client) -> None:
    long = "9" * 3000  # over DynamoDB's key size: a read would be its error, not a 404
    for path in (
        f"{BASE}/schools/{long}",
        f"{BASE}/providers/{long}",
        f"{BASE}/schools/{long}/vendor-number",
        f"{BASE}/new/{long}/find",
        f"{ANNE_SCHOOL}/users/{long}/remove",
        f"{ANNE_SCHOOL}/users/new/{long}/check",
    ):
        assert colin.get(path).status == 404, path[:60]
    assert colin.post(f"{BASE}/schools/{long}/vendor-number", {"vendor_number": "V1"}).status == 404


def test_a_listed_school_changed_by_gias_is_relisted_with_its_new_details(colin: Client) -> None:
    from shared.data.directory import Directory
    from shared.data.organisations import Organisations

    urn = _held_school("Curlew Primary School")
    _add_held_school(colin, urn, urn)
    # Given GIAS renames and moves the school (its record updated, as an import does)
    school = (
        Organisations()
        .get_school(urn)
        .model_copy(update={"name": "Curlew Academy", "postcode": "M1 1AE", "district_admin_code": "E08000003"})
    )
    # When its entry is refreshed (and an unlisted school's is not written)
    assert Directory().refresh_schools([school, Organisations().get_school(_held_school("Unlisted School"))]) == 1
    # Then the list finds it by its new name and postcode, in its new region
    assert _names(colin.get(f"{BASE}?search=curlew")) == ["Curlew Academy"]
    assert _rows(colin.get(f"{BASE}?search=M1+1AE"))[0][4] == "Rest of England"
    assert Directory().refresh_schools([school]) == 0  # nothing changed: nothing written
