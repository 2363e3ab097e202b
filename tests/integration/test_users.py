"""A school's users: the list, adding a user (with check your answers), removing one, and who may."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from infrastructure.local.seed_data import (
    ANNE_WILSON_SCHOOL_URN,
    ANNE_WILSON_USER_ID,
    MARY_LAWSON_SCHOOL_URNS,
    MARY_LAWSON_USER_ID,
)
from shared.claims.people import Role, User
from shared.data.items import MembershipItem, UserItem
from shared.data.users import Users
from tests.support import Client, Page, queued_emails

BASE = f"/schools/{ANNE_WILSON_SCHOOL_URN}/users"
MARY_BASE = f"/schools/{MARY_LAWSON_SCHOOL_URNS[0]}/users"
SCHOOLS = (ANNE_WILSON_SCHOOL_URN, *MARY_LAWSON_SCHOOL_URNS)
INVITATION = "Invitation to join Claim funding for mentor training"
REMOVAL = "You have been removed from Claim funding for mentor training"


@pytest.fixture(autouse=True)
def _memberships_and_emails_restored(client: Client) -> Iterator[None]:
    """Each test starts with an empty email queue and leaves the persona schools' members as it found them."""
    queued_emails()
    before = {urn: {item.user_id: item for item in MembershipItem.by_organisation.query(urn)} for urn in SCHOOLS}
    yield
    for urn, members in before.items():
        now = {item.user_id: item for item in MembershipItem.by_organisation.query(urn)}
        for user_id, item in now.items():
            if user_id not in members:
                item.delete()
        for user_id, item in members.items():
            if user_id not in now:
                item.save()
    queued_emails()


def _email(label: str) -> str:
    """A throwaway address, so no test depends on another."""
    return f"{label}.{uuid.uuid4().hex[:10]}@example.org"


def _rows(page: Page) -> list[list[str]]:
    return [
        [" ".join(cell.get_text().split()) for cell in row.select("td")] for row in page.soup.select("table tbody tr")
    ]


def _error_messages(page: Page) -> list[str]:
    return [" ".join(a.get_text().split()) for a in page.soup.select(".govuk-error-summary a")]


def _banner(page: Page) -> str | None:
    banner = page.soup.select_one(".govuk-notification-banner--success")
    return " ".join(banner.select_one(".govuk-notification-banner__content").get_text().split()) if banner else None


def _details(first: str, last: str, email: str) -> dict[str, str]:
    return {"first_name": first, "last_name": last, "email": email}


def _start(client: Client, base: str, first: str, last: str, email: str) -> str:
    """Fill in the add user form; the check your answers URL."""
    client.get(f"{base}/new")
    page = client.post(f"{base}/new", _details(first, last, email))
    assert page.status == 303, _error_messages(page)
    assert re.fullmatch(rf"{base}/new/[0-9a-f]{{32}}/check", page.location)
    return page.location


def _add(client: Client, base: str, first: str, last: str, email: str) -> Page:
    check = _start(client, base, first, last, email)
    client.get(check)
    return client.post(check)


def _members(urn: str) -> set[str]:
    return {item.user_id for item in MembershipItem.by_organisation.query(urn)}


def _sent(to: str | None = None) -> list[dict[str, Any]]:
    return [message for message in queued_emails() if to is None or message["to"] == to]


# -- the list ---------------------------------------------------------------------------------------
def test_the_list_shows_every_member_by_first_name_then_last_name(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Mary Lawson's school has colleagues whose names sort by first name, then last name
    client.sign_in("Mary Lawson")
    for first, last in (("Zainab", "Ali"), ("Aaron", "Young"), ("Aaron", "Baker")):
        assert _add(client, MARY_BASE, first, last, _email(first.lower())).status == 303
    # And nothing on the page may Scan a table
    for item in (UserItem, MembershipItem):
        monkeypatch.setattr(item, "scan", lambda *_, **__: pytest.fail("the users list must not Scan"))
    # When she opens Users
    page = client.get(MARY_BASE)
    # Then she sees the heading, the button, and everyone's name and email, ordered by first then last name
    assert page.status == 200
    assert page.h1 == "Users"
    assert page.soup.select_one("main a.govuk-button").get_text(strip=True) == "Add user"
    assert page.soup.select_one("main a.govuk-button")["href"] == f"{MARY_BASE}/new"
    assert page.soup.select_one(".govuk-service-navigation__item--active").get_text(strip=True) == "Users"
    rows = _rows(page)
    names = [row[0] for row in rows]
    assert names == sorted(names, key=lambda name: (name.split()[0].casefold(), name.split()[-1].casefold()))
    assert names.index("Aaron Baker") < names.index("Aaron Young") < names.index("Fatima Hussain")
    assert names.index("Fatima Hussain") < names.index("Mary Lawson") < names.index("Zainab Ali")
    assert ["Mary Lawson", "mary.lawson@thamesbridge.org.uk", ""] in rows
    # And each colleague has a Remove link whose text names them
    fatima = next(row for row in page.soup.select("table tbody tr") if "Fatima Hussain" in row.get_text())
    link = fatima.select_one("a")
    assert " ".join(link.get_text().split()) == "Remove Fatima Hussain"
    assert link.select_one(".govuk-visually-hidden").get_text(strip=True) == "Fatima Hussain"
    assert link["href"] == f"{MARY_BASE}/user-fatima-hussain/remove"


# -- adding a user ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("details", "messages"),
    [
        (
            _details("", " ", ""),
            ["Enter a first name", "Enter a last name", "Enter an email address"],
        ),
        (
            _details("G" * 101, "H" * 101, "grace.hopper@example.org"),
            ["First name must be 100 characters or less", "Last name must be 100 characters or less"],
        ),
        (
            _details("Grace", "Hopper", "grace.hopper@"),
            ["Enter an email address in the correct format, like name@example.com"],
        ),
        (
            _details("Grace", "Hopper", "grace hopper@example.org"),
            ["Enter an email address in the correct format, like name@example.com"],
        ),
        (
            _details("Anne", "Wilson", "  ANNE.WILSON@{domain} "),
            ["Email address already in use"],
        ),
        (
            _details("Colin", "Chapman", "colin.chapman@education.gov.uk"),
            ["Enter an email address that is not used by a support or accredited provider account"],
        ),
    ],
)
def test_each_problem_with_the_details_is_shown_against_its_field(
    anne: Client, details: dict[str, str], messages: list[str]
) -> None:
    anne_user = Users().get(ANNE_WILSON_USER_ID)
    assert anne_user is not None
    details = {**details, "email": details["email"].replace("{domain}", anne_user.email.split("@")[1])}
    # Given Anne is adding a user
    form = anne.get(f"{BASE}/new")
    assert form.h1 == "Add user"
    # When she continues with details that cannot be used
    page = anne.post(f"{BASE}/new", details)
    # Then the form is shown again (200) with each problem in the summary and at its field
    assert page.status == 200
    assert _error_messages(page) == messages
    for message in messages:
        assert f"Error: {message}" in page.text()
    # And what she typed is kept
    for name, value in details.items():
        assert page.soup.find("input", attrs={"name": name})["value"] == value
    # And nobody was added or emailed
    assert _sent() == []


def test_a_provider_users_email_cannot_be_added_to_a_school(anne: Client) -> None:
    # Given Patricia Adeyemi is an accredited provider user
    patricia = Users().get("user-patricia-adeyemi")
    assert patricia is not None
    # When Anne tries to add her email address to her school
    anne.get(f"{BASE}/new")
    page = anne.post(f"{BASE}/new", _details("Patricia", "Adeyemi", patricia.email))
    # Then she is told to use a different email address
    assert page.status == 200
    assert _error_messages(page) == [
        "Enter an email address that is not used by a support or accredited provider account"
    ]


def test_the_details_form_works_as_gov_uk_forms_do(anne: Client) -> None:
    page = anne.get(f"{BASE}/new")
    inputs = {tag["name"]: tag for tag in page.soup.select("form input:not([type=hidden])")}
    assert [label.get_text(strip=True) for label in page.soup.select("form label")] == [
        "First name",
        "Last name",
        "Email address",
    ]
    assert inputs["email"]["type"] == "email"
    assert inputs["email"]["spellcheck"] == "false"
    # They are a colleague's details, so the browser must not offer Anne's own
    assert all(tag["autocomplete"] == "off" for tag in inputs.values())
    assert page.soup.select_one("form button").get_text(strip=True) == "Continue"
    assert page.soup.select_one("a.govuk-back-link")["href"] == BASE


def test_check_your_answers_with_change_links_that_keep_the_answers(anne: Client) -> None:
    email = _email("grace.hopper")
    # Given Anne has filled in the details of a new user
    check = _start(anne, BASE, " Grace ", "Hopper", email.upper())
    # When she reaches check your answers
    page = anne.get(check)
    # Then she sees what she typed, tidied, each with a Change link
    assert page.h1 == "Check your answers"
    rows = {
        " ".join(row.select_one("dt").get_text().split()): " ".join(row.select_one("dd").get_text().split())
        for row in page.soup.select(".govuk-summary-list__row")
    }
    assert rows == {"First name": "Grace", "Last name": "Hopper", "Email address": email}
    changes = [" ".join(a.get_text().split()) for a in page.soup.select(".govuk-summary-list__actions a")]
    assert changes == ["Change first name", "Change last name", "Change email address"]
    change = page.soup.select_one(".govuk-summary-list__actions a")["href"]
    assert change == check.removesuffix("/check")
    assert page.soup.select_one("form button").get_text(strip=True) == "Add user"
    # When she follows Change, the form has her answers and Back returns to check your answers
    form = anne.get(change)
    assert form.soup.find("input", attrs={"name": "last_name"})["value"] == "Hopper"
    assert form.soup.find("input", attrs={"name": "email"})["value"] == email
    assert form.soup.select_one("a.govuk-back-link")["href"] == check
    # And a mistake there is shown on that form, which keeps posting to the same journey
    wrong = anne.post(change, _details("Grace", "", email))
    assert _error_messages(wrong) == ["Enter a last name"]
    assert wrong.soup.select_one("form[method=post]")["action"] == change
    # When she changes the last name, she is back at check your answers with the new answer
    changed = anne.post(change, _details("Grace", "Brewster Hopper", email))
    assert (changed.status, changed.location) == (303, check)
    assert "Brewster Hopper" in anne.get(check).text()
    # And nothing has been added yet
    assert Users().by_email(email) is None


def test_two_tabs_keep_two_sets_of_answers(anne: Client) -> None:
    # Given Anne starts adding two people in two tabs
    first = _start(anne, BASE, "Ada", "Lovelace", _email("ada"))
    second = _start(anne, BASE, "Alan", "Turing", _email("alan"))
    # Then each check your answers page shows its own person
    assert first != second
    first_page, second_page = anne.get(first).text(), anne.get(second).text()
    assert "Lovelace" in first_page
    assert "Turing" not in first_page
    assert "Turing" in second_page
    assert "Lovelace" not in second_page


def test_adding_a_new_person_creates_them_adds_them_and_invites_them(anne: Client) -> None:
    email = _email("grace.hopper")
    # Given Anne has checked her answers
    check = _start(anne, BASE, "Grace", "Hopper", email)
    anne.get(check)
    # When she adds the user
    added = anne.post(check)
    # Then she is back on the list (303) with a success banner, shown once
    assert (added.status, added.location) == (303, BASE)
    page = anne.follow(added)
    assert _banner(page) == "Grace Hopper has been added"
    assert ["Grace Hopper", email, "Remove Grace Hopper"] in _rows(page)
    assert _banner(anne.get(BASE)) is None
    # And a school user with a random id exists and is a member of her school
    user = Users().by_email(email)
    assert user is not None
    assert re.fullmatch(r"user-[0-9a-f]{32}", user.user_id)
    assert (user.first_name, user.last_name, user.role) == ("Grace", "Hopper", Role.SCHOOL)
    assert user.user_id in _members(ANNE_WILSON_SCHOOL_URN)
    # And exactly one invitation was queued, to her, filed under her id
    [message] = _sent()
    assert message["to"] == email
    assert message["subject"] == INVITATION
    assert message["kind"] == "user_invited"
    assert message["reference"] == user.user_id
    assert "for Meadowbank Primary School" in message["body"]
    assert "/sign-in" in message["body"]
    # And going back to the finished journey leads to the list, not a second add
    assert (anne.get(check).status, anne.get(check).location) == (303, BASE)


def test_a_second_click_on_add_user_adds_and_emails_once(anne: Client) -> None:
    email = _email("katherine.johnson")
    # Given Anne is on check your answers
    check = _start(anne, BASE, "Katherine", "Johnson", email)
    anne.get(check)
    token = anne.csrf_token()
    # When the form is sent twice
    first = anne.post(check, {"csrf_token": token})
    second = anne.post(check, {"csrf_token": token})
    # Then both lead to the list, and there is one user, one membership and one email
    assert (first.status, first.location) == (303, BASE)
    assert (second.status, second.location) == (303, BASE)
    assert len(list(UserItem.by_email.query(email))) == 1
    user = Users().by_email(email)
    assert user is not None
    assert [item.organisation_id for item in MembershipItem.query(user.user_id)] == [ANNE_WILSON_SCHOOL_URN]
    assert [message["to"] for message in _sent()] == [email]


def test_two_requests_racing_for_the_same_journey_add_once(anne: Client) -> None:
    from shared.data.organisations import Organisations
    from shared.usecases import users

    # Given two requests for one journey both got past the checks (same answers, same new user id)
    school = Organisations().get_school(ANNE_WILSON_SCHOOL_URN)
    anne_user = Users().get(ANNE_WILSON_USER_ID)
    assert anne_user is not None
    email = _email("dorothy.vaughan")
    answers = users.NewUserAnswers(first_name="Dorothy", last_name="Vaughan", email=email)
    new_id = users.new_user_id()
    # When both add the user
    first = users.add_user(school, answers, new_id, anne_user, "https://example.gov.uk")
    second = users.add_user(school, answers, new_id, anne_user, "https://example.gov.uk")
    # Then the second writes and sends nothing, and reports the same user
    assert first == second
    assert len(list(UserItem.by_email.query(email))) == 1
    assert [message["to"] for message in _sent()] == [email]


def test_a_school_user_from_another_school_is_reused(anne: Client) -> None:
    # Given Fatima Hussain is a user at Mary Lawson's school
    fatima = Users().get("user-fatima-hussain")
    assert fatima is not None
    # When Anne adds Fatima's email address (typed differently, with another spelling of her name)
    added = _add(anne, BASE, "Fatima", "Hussein", fatima.email.upper())
    # Then the same user is now a member of both schools, with her name as it was
    assert added.status == 303
    assert _banner(anne.follow(added)) == "Fatima Hussain has been added"
    assert [u.user_id for u in [Users().by_email(fatima.email)] if u] == ["user-fatima-hussain"]
    assert "user-fatima-hussain" in _members(ANNE_WILSON_SCHOOL_URN)
    assert "user-fatima-hussain" in _members(MARY_LAWSON_SCHOOL_URNS[0])
    assert len(list(UserItem.by_email.query(fatima.email))) == 1
    # And she is invited to Anne's school
    [message] = _sent()
    assert (message["to"], message["subject"], message["reference"]) == (fatima.email, INVITATION, fatima.user_id)
    assert "for Meadowbank Primary School" in message["body"]


def test_an_email_that_became_a_support_users_is_refused_when_adding(
    anne: Client, request: pytest.FixtureRequest
) -> None:
    email = _email("support.person")
    # Given Anne checked her answers for an email nobody used
    check = _start(anne, BASE, "Sam", "Person", email)
    anne.get(check)
    # And meanwhile that email became a support user's
    user_id = f"user-{uuid.uuid4().hex}"
    Users().put(User(user_id=user_id, first_name="S", last_name="P", email=email, role=Role.SUPPORT))
    request.addfinalizer(UserItem(user_id=user_id).delete)  # tests share the tables: support's list counts its users
    # When she adds the user
    page = anne.post(check)
    # Then the details form is shown with the problem at the email address, and nothing changed
    assert page.status == 200
    assert page.h1 == "Add user"
    assert _error_messages(page) == [
        "Enter an email address that is not used by a support or accredited provider account"
    ]
    assert page.soup.select_one("form[method=post]")["action"] == check.removesuffix("/check")
    assert page.soup.find("input", attrs={"name": "email"})["value"] == email
    assert _sent() == []
    support = Users().by_email(email)
    assert support is not None
    assert list(MembershipItem.query(support.user_id)) == []


def test_an_unknown_journey_is_not_found(anne: Client) -> None:
    for path in (f"{BASE}/new/{'0' * 32}", f"{BASE}/new/{'0' * 32}/check"):
        assert anne.get(path).status == 404, path


# -- removing a user --------------------------------------------------------------------------------
def test_removing_a_user_after_confirming(anne: Client) -> None:
    email = _email("mae.jemison")
    # Given Anne's school has a user Mae Jemison
    anne.follow(_add(anne, BASE, "Mae", "Jemison", email))
    mae = Users().by_email(email)
    assert mae is not None
    queued_emails()
    # When Anne follows Remove on Mae's row
    row = next(row for row in anne.get(BASE).soup.select("table tbody tr") if email in row.get_text())
    confirm = anne.get(row.select_one("a")["href"])
    # Then she is asked to confirm, with who it is, a warning button and a way back
    assert confirm.status == 200
    assert confirm.h1 == "Are you sure you want to remove this user?"
    assert confirm.soup.select_one(".govuk-caption-l").get_text(strip=True) == "Mae Jemison"
    assert f"Mae Jemison ({email}) will no longer be able to use" in confirm.text()
    button = confirm.soup.select_one("form button")
    assert button.get_text(strip=True) == "Remove user"
    assert "govuk-button--warning" in button["class"]
    cancel = next(a for a in confirm.soup.select("main a") if a.get_text(strip=True) == "Cancel")
    assert cancel["href"] == BASE
    # When she removes the user
    token = anne.csrf_token()
    removed = anne.post(f"{BASE}/{mae.user_id}/remove", {"csrf_token": token})
    # Then she is back on the list with a banner, and Mae is not on it
    assert (removed.status, removed.location) == (303, BASE)
    page = anne.follow(removed)
    assert _banner(page) == "Mae Jemison has been removed"
    assert email not in page.text()
    assert mae.user_id not in _members(ANNE_WILSON_SCHOOL_URN)
    # And Mae is told, once, even if the button was pressed twice
    again = anne.post(f"{BASE}/{mae.user_id}/remove", {"csrf_token": token})
    assert (again.status, again.location) == (303, BASE)
    [message] = _sent()
    assert (message["to"], message["subject"], message["kind"]) == (email, REMOVAL, "user_removed")
    assert message["reference"] == mae.user_id
    assert "for Meadowbank Primary School" in message["body"]
    # And her user still exists (she may belong to other schools)
    assert Users().get(mae.user_id) is not None


def test_removing_a_user_of_another_school_or_nobody_is_not_found(anne: Client) -> None:
    anne.get(BASE)
    anne.get(f"{BASE}/new")
    for user_id in ("user-fatima-hussain", "user-nobody"):
        path = f"{BASE}/{user_id}/remove"
        assert anne.get(path).status == 404
        anne.get(f"{BASE}/new")
        assert anne.post(path).status == 404
    assert "user-fatima-hussain" in _members(MARY_LAWSON_SCHOOL_URNS[0])
    assert _sent() == []


def test_you_cannot_remove_yourself(anne: Client) -> None:
    # Given Anne is on her school's users list
    page = anne.get(BASE)
    # Then her own row has no Remove link, and her colleague's has one
    mine = next(row for row in page.soup.select("table tbody tr") if "Anne Wilson" in row.get_text())
    assert mine.select("a") == []
    assert "Remove David Okoro" in page.text()
    # When she asks for the remove page for herself anyway, or posts it
    path = f"{BASE}/{ANNE_WILSON_USER_ID}/remove"
    shown = anne.get(path)
    anne.get(f"{BASE}/new")
    posted = anne.post(path)
    # Then she is refused, clearly, and is still a member
    for refused in (shown, posted):
        assert refused.status == 403
        assert refused.h1 == "You cannot remove yourself"
        assert "Ask another user at Meadowbank Primary School to remove you." in refused.text()
    assert ANNE_WILSON_USER_ID in _members(ANNE_WILSON_SCHOOL_URN)
    assert _sent() == []


# -- who may see these pages ------------------------------------------------------------------------
def test_anne_cannot_reach_the_users_pages_of_another_school(anne: Client) -> None:
    # Given Anne has started adding a user at her own school (so she has a real journey id)
    journey = _start(anne, BASE, "Grace", "Hopper", _email("grace")).split("/")[-2]
    for urn in MARY_LAWSON_SCHOOL_URNS:
        other = f"/schools/{urn}/users"
        # When she opens any users page of Mary Lawson's schools, or posts to one
        gets = [other, f"{other}/new", f"{other}/new/{journey}", f"{other}/new/{journey}/check"]
        gets.append(f"{other}/{MARY_LAWSON_USER_ID}/remove")
        for path in gets:
            # Then the page is not found
            assert anne.get(path).status == 404, path
        posts = [f"{other}/new", f"{other}/new/{journey}", f"{other}/new/{journey}/check"]
        posts.append(f"{other}/{MARY_LAWSON_USER_ID}/remove")
        for path in posts:
            anne.get(f"{BASE}/new")
            page = anne.post(path, _details("Eve", "Intruder", _email("eve")))
            assert page.status == 404, path
    # And nothing changed at Mary's schools and nobody was emailed
    assert MARY_LAWSON_USER_ID in _members(MARY_LAWSON_SCHOOL_URNS[0])
    assert _sent() == []


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    for path in (BASE, f"{BASE}/new", f"{BASE}/new/{'0' * 32}/check", f"{BASE}/{ANNE_WILSON_USER_ID}/remove"):
        page = client.get(path)
        assert (page.status, page.location) == (303, "/sign-in"), path


def test_a_support_user_cannot_use_school_users_pages(client: Client) -> None:
    client.sign_in("Colin Chapman")
    assert client.get(BASE).status == 403


def test_two_adds_of_one_new_address_at_once_make_one_user(
    anne: Client, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    from shared.claims.organisations import OrganisationRef, OrganisationType
    from shared.claims.people import Membership
    from shared.data.users import Members
    from shared.usecases.users import NewUserAnswers, add_member, new_user_id

    email = _email("race.person")
    # Given someone else added this new address to Mary Lawson's school a moment ago
    first = User(user_id=new_user_id(), first_name="Ray", last_name="Person", email=email, role=Role.SCHOOL)
    mary_school = MARY_LAWSON_SCHOOL_URNS[0]
    membership = Membership(
        user_id=first.user_id,
        organisation_id=mary_school,
        organisation_type=OrganisationType.SCHOOL,
        organisation_name="Riverside Bridge Primary Academy",
    )
    assert Members().add(first, membership, new_user=True)
    request.addfinalizer(lambda: MembershipItem(user_id=first.user_id, organisation_id=mary_school).delete())
    # And Anne's add read the address's owner before that add was written (the index had not caught up)
    monkeypatch.setattr(Users, "by_email", lambda self, address: None)
    # When Anne adds the same address to her school
    anne_school = OrganisationRef(
        organisation_id=ANNE_WILSON_SCHOOL_URN,
        organisation_type=OrganisationType.SCHOOL,
        name="Meadowbank Primary School",
    )
    answers = NewUserAnswers(first_name="Ray", last_name="Person", email=email)
    added = add_member(anne_school, answers, new_user_id(), first, "https://service.example")
    monkeypatch.undo()
    # Then there is still one user with this address, a member of both schools
    assert added.user_id == first.user_id
    assert [item.user_id for item in UserItem.by_email.query(email)] == [first.user_id]
    assert first.user_id in _members(ANNE_WILSON_SCHOOL_URN)
