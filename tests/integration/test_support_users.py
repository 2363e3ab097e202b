"""Support → Users through the support handler under moto: the list, adding a support user (a DfE address, not
taken) and removing one (never yourself; they are signed out and emailed).

The demo data's support users are Colin Chapman and Sam Brooks. Users added here are removed again after each
test, with their email-address items.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import NOW, SESSION_COOKIE, Client, queued_emails

BASE = "/support/users"


@pytest.fixture(autouse=True)
def tidy(seed: Any) -> Iterator[None]:
    """Support users added by a test are deleted afterwards (the demo's two stay)."""
    from shared.claims.people import Role
    from shared.data.items import SupportUserEmailItem, UserItem
    from shared.data.users import Users

    before = {user.user_id for user in Users().with_role(Role.SUPPORT)}
    queued_emails()
    yield
    for user in Users().with_role(Role.SUPPORT):
        if user.user_id not in before:
            UserItem(user_id=user.user_id).delete()
            SupportUserEmailItem(user_id=f"email#{user.email}").delete()


@pytest.fixture
def colin(client: Client) -> Client:
    client.sign_in("Colin Chapman")
    client.get(f"{BASE}/new")  # a page with a form: his CSRF token
    return client


def _details(first: str = "Tess", last: str = "Tester", email: str = "tess.tester@education.gov.uk") -> dict[str, str]:
    return {"first_name": first, "last_name": last, "email": email}


def _errors(page: Any) -> list[str]:
    return [" ".join(a.get_text().split()) for a in page.soup.select(".govuk-error-summary a")]


def _rows(page: Any) -> list[list[str]]:
    return [[" ".join(c.get_text().split()) for c in row.find_all("td")] for row in page.soup.select("tbody tr")]


def _add(client: Client, details: dict[str, str] | None = None) -> str:
    """Add a support user through the pages; their user id."""
    check = client.post(f"{BASE}/new", details or _details())
    assert check.status == 303, check.text()
    client.follow(check)
    added = client.post(check.location)
    assert (added.status, added.location) == (303, BASE)
    from shared.data.users import Users

    user = Users().by_email((details or _details())["email"])
    assert user is not None
    return user.user_id


def _signed_in_as(apps: dict[str, Any], user_id: str) -> Client:
    """A browser with a live session for the user (as DfE Sign-in would leave it)."""
    from shared.data.sessions import Sessions, StoredSession

    token = secrets.token_urlsafe(32)
    Sessions(idle=NOW - NOW.replace(hour=0)).save(StoredSession(token, "csrf", user_id, NOW), NOW)
    other = Client(web=apps["web"], support=apps["support"])
    other.cookies[SESSION_COOKIE] = token
    return other


def _activity(kind: str) -> list[Any]:
    from shared.data.activity import Activity

    return [entry for entry in Activity().newest(["2026-11"], 500) if entry.kind.value == kind]


# -- the list -------------------------------------------------------------------------------------------
def test_the_list_shows_the_support_users_by_name_with_remove_on_everyone_but_yourself(colin: Client) -> None:
    page = colin.get(BASE)
    assert page.status == 200
    assert page.h1 == "Support users"
    rows = _rows(page)
    assert [row[0] for row in rows] == ["Colin Chapman", "Sam Brooks"]
    assert all(row[1].endswith("@education.gov.uk") for row in rows)
    assert rows[0][2] == ""  # no Remove for himself
    assert rows[1][2] == "Remove Sam Brooks"
    assert page.soup.find("a", string=re.compile("Add support user"))["href"] == f"{BASE}/new"
    nav = [a.get_text(strip=True) for a in page.soup.select(".govuk-service-navigation__link")]
    console = nav[nav.index("Overview") :]
    assert console[:5] == ["Overview", "Claims", "Organisations", "Users", "Settings"]
    assert page.soup.select_one(".govuk-service-navigation__item--active").get_text(strip=True) == "Users"


def _routes() -> list[tuple[str, str]]:
    import functions.support.app as support

    resolver = support.app.resolver
    found = [(r.method, r.path) for r in resolver._static_routes + resolver._dynamic_routes if r.path.startswith(BASE)]
    urls = {"journey_id": "0" * 32, "user_id": "user-sam-brooks"}
    return [(method, re.sub(r"<(\w+)>", lambda m: urls[m.group(1)], path)) for method, path in found]


def test_every_page_is_for_support_users_only(anne: Client) -> None:
    from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
    from shared.data.users import Users

    anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/users/new")  # a page with a form: Anne's CSRF token
    routes = _routes()
    assert len(routes) >= 9, routes  # every support-users route is in the loop
    for method, path in routes:
        page = anne.request(method, path, {"csrf_token": anne.csrf_token(), **_details()} if method == "POST" else None)
        assert (page.status, page.h1) == (403, "Your account is not authorised"), f"{method} {path}"
    assert Users().get("user-sam-brooks") is not None


def test_a_visitor_is_sent_to_sign_in(client: Client) -> None:
    for method, path in _routes():
        if method == "GET":
            assert client.get(path).location == "/sign-in", path


# -- adding ---------------------------------------------------------------------------------------------
def test_adding_a_support_user(colin: Client, apps: dict[str, Any]) -> None:
    # Given Colin enters Tess's details
    assert colin.get(f"{BASE}/new").h1 == "Add support user"
    check = colin.post(f"{BASE}/new", _details(email=" Tess.Tester@Education.gov.uk "))
    page = colin.follow(check)
    # Then check your answers shows them tidied
    assert page.h1 == "Check your answers"
    rows = [" ".join(r.get_text(" ", strip=True).split()) for r in page.soup.select(".govuk-summary-list__row")]
    assert rows[2].startswith("Email address tess.tester@education.gov.uk")
    # When he adds her
    added = colin.post(check.location)
    assert (added.status, added.location) == (303, BASE)
    listed = colin.follow(added)
    assert "Tess Tester has been added" in listed.soup.select_one(".govuk-notification-banner").get_text()
    assert [row[0] for row in _rows(listed)] == ["Colin Chapman", "Sam Brooks", "Tess Tester"]
    # And a second click adds and emails nothing more
    assert colin.post(check.location).location == BASE
    # Then she is emailed once, and the addition is in Activity
    emails = queued_emails()
    assert [(e["to"], e["subject"]) for e in emails] == [
        ("tess.tester@education.gov.uk", "You have been added as a support user")
    ]
    assert "/sign-in" in emails[0]["body"]
    entries = [e for e in _activity("support_user_added") if "tess.tester@education.gov.uk" in e.summary]
    assert [(e.actor_name, e.summary) for e in entries] == [
        ("Colin Chapman", "Tess Tester (tess.tester@education.gov.uk)")
    ]
    # And she can use the console
    from shared.data.users import Users

    tess = Users().by_email("tess.tester@education.gov.uk")
    assert tess is not None
    assert tess.role.value == "support"
    assert _signed_in_as(apps, tess.user_id).get(BASE).status == 200


@pytest.mark.parametrize(
    ("details", "errors"),
    [
        (_details(first="", last="", email=""), ["Enter a first name", "Enter a last name", "Enter an email address"]),
        (
            _details(first="T" * 101, last="T" * 101),
            ["First name must be 100 characters or less", "Last name must be 100 characters or less"],
        ),
        (
            _details(email="t" * 250 + "@education.gov.uk"),
            ["Enter an email address in the correct format, like name@education.gov.uk"],
        ),
        (_details(email="tess"), ["Enter an email address in the correct format, like name@education.gov.uk"]),
        (_details(email="tess@gmail.com"), ["Enter an email address on a DfE domain, like name@education.gov.uk"]),
        (
            _details(email="tess@education.gov.uk.example.com"),
            ["Enter an email address on a DfE domain, like name@education.gov.uk"],
        ),
        (
            _details(email="tess@noteducation.gov.uk"),
            ["Enter an email address on a DfE domain, like name@education.gov.uk"],
        ),
        (_details(email="colin.chapman@education.gov.uk"), ["A support user with this email address already exists"]),
        (
            _details(email="Colin.Chapman@EDUCATION.gov.uk"),
            ["A support user with this email address already exists"],
        ),
    ],
)
def test_the_details_are_checked(colin: Client, details: dict[str, str], errors: list[str]) -> None:
    page = colin.post(f"{BASE}/new", details)
    assert page.status == 200
    assert page.soup.title.get_text().startswith("Error: ")
    assert _errors(page) == errors
    assert page.soup.find("input", attrs={"name": "email"})["value"] == details["email"]


def test_an_address_taken_between_check_answers_and_add_is_refused(colin: Client, apps: dict[str, Any]) -> None:
    # Given Colin and Sam both reach check your answers for the same address
    sam = Client(web=apps["web"], support=apps["support"])
    sam.sign_in("Sam Brooks")
    sam.get(f"{BASE}/new")
    colin_check = colin.post(f"{BASE}/new", _details())
    sam_check = sam.post(f"{BASE}/new", _details(first="Tessa"))
    # When Sam adds first
    assert sam.post(sam_check.location).location == BASE
    # Then Colin's add is refused on the details page, and there is one Tess
    refused = colin.post(colin_check.location)
    assert refused.status == 200
    assert _errors(refused) == ["A support user with this email address already exists"]
    from shared.claims.people import Role
    from shared.data.users import Users

    tesses = [u for u in Users().with_role(Role.SUPPORT) if u.email == "tess.tester@education.gov.uk"]
    assert [u.first_name for u in tesses] == ["Tessa"]


def test_two_adds_of_one_address_at_once_add_one_user(colin: Client) -> None:
    from shared.claims.people import Role, User
    from shared.claims.support_users import EmailTaken
    from shared.data.users import Users
    from shared.journeys.add_user import NewUserAnswers
    from shared.usecases import support_users

    actor = Users().by_email("colin.chapman@education.gov.uk")
    assert actor is not None
    answers = [
        NewUserAnswers(
            first_name="Tess", last_name=str(n), email="tess.race@education.gov.uk", new_user_id=f"user-r{n}"
        )
        for n in (1, 2)
    ]
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def add(answer: NewUserAnswers) -> None:
        start.wait()
        try:
            support_users.add(actor, answer, NOW)
            outcomes.append("added")
        except EmailTaken:
            outcomes.append("refused")

    threads = [threading.Thread(target=add, args=(answer,)) for answer in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["added", "refused"]
    assert len([u for u in Users().with_role(Role.SUPPORT) if u.email == "tess.race@education.gov.uk"]) == 1
    assert isinstance(actor, User)


def test_the_address_is_taken_in_the_same_write_as_the_user(seed: Any) -> None:
    """Past the email-index check (both adds read it before either wrote), the write itself refuses the second."""
    from shared.claims.activity import ActivityEntry, ActivityKind
    from shared.claims.people import Role, User
    from shared.claims.support_users import EmailTaken
    from shared.data.support_users import SupportUsers
    from shared.data.users import Users

    def user(n: int) -> User:
        return User(
            user_id=f"user-w{n}", first_name="W", last_name=str(n), email="w@education.gov.uk", role=Role.SUPPORT
        )

    def entry(n: int) -> ActivityEntry:
        kind = ActivityKind.SUPPORT_USER_ADDED
        return ActivityEntry(activity_id=f"w{n}", kind=kind, at=NOW, actor_id="user-colin-chapman", actor_name="C")

    assert SupportUsers().add(user(1), entry(1))
    with pytest.raises(EmailTaken):
        SupportUsers().add(user(2), entry(2))
    assert not SupportUsers().add(user(1), entry(3))  # the same user again: nothing written
    assert Users().get("user-w2") is None


# -- removing -------------------------------------------------------------------------------------------
def test_removing_a_support_user_signs_them_out_and_emails_them(colin: Client, apps: dict[str, Any]) -> None:
    # Given Tess is a support user, signed in in another browser
    tess_id = _add(colin)
    tess = _signed_in_as(apps, tess_id)
    assert tess.get("/support").status == 200
    queued_emails()
    # When Colin removes her
    listed = colin.get(BASE)
    link = listed.soup.find("a", href=f"{BASE}/{tess_id}/remove")
    assert link is not None
    page = colin.get(link["href"])
    assert page.h1 == "Are you sure you want to remove Tess Tester?"
    done = colin.post(link["href"])
    assert (done.status, done.location) == (303, BASE)
    listed = colin.follow(done)
    assert "Tess Tester has been removed" in listed.soup.select_one(".govuk-notification-banner").get_text()
    assert [row[0] for row in _rows(listed)] == ["Colin Chapman", "Sam Brooks"]
    # Then her session no longer reaches the console
    for path in ("/support", BASE, "/support/claims"):
        assert tess.get(path).location == "/sign-in", path
    # And she is emailed, once, and the removal is in Activity
    assert colin.post(link["href"]).location == BASE  # a second click
    assert [(e["to"], e["subject"]) for e in queued_emails()] == [
        ("tess.tester@education.gov.uk", "You have been removed as a support user")
    ]
    entries = [e for e in _activity("support_user_removed") if "tess.tester@education.gov.uk" in e.summary]
    assert [e.actor_name for e in entries] == ["Colin Chapman"]
    # And her address can be added again
    assert _add(colin) != tess_id


def test_you_cannot_remove_yourself(colin: Client) -> None:
    from shared.data.users import Users

    me = Users().by_email("colin.chapman@education.gov.uk")
    assert me is not None
    page = colin.get(f"{BASE}/{me.user_id}/remove")
    assert (page.status, page.h1) == (403, "You cannot remove yourself")
    refused = colin.post(f"{BASE}/{me.user_id}/remove")
    assert (refused.status, refused.h1) == (403, "You cannot remove yourself")
    assert Users().get(me.user_id) is not None
    assert colin.get(BASE).status == 200


def test_only_support_users_can_be_removed_here(colin: Client) -> None:
    from shared.data.users import Users

    anne = Users().by_email("anne.wilson@meadowbankprimary.leeds.sch.uk")
    assert anne is not None
    assert colin.get(f"{BASE}/{anne.user_id}/remove").status == 404
    assert colin.post(f"{BASE}/{anne.user_id}/remove").location == BASE
    assert Users().get(anne.user_id) is not None
    assert colin.get(f"{BASE}/user-nobody/remove").status == 404
    assert colin.get(f"{BASE}/user-{'x' * 3000}/remove").status == 404  # never a key DynamoDB refuses


def test_a_finished_or_unknown_journey(colin: Client) -> None:
    assert colin.get(f"{BASE}/new/{'0' * 32}/check").status == 404
    check = colin.post(f"{BASE}/new", _details())
    colin.post(check.location)
    assert colin.get(check.location).location == BASE
    assert re.match(rf"{BASE}/new/[^/]+/check$", check.location)


def test_the_first_support_user_of_a_fresh_deployment_is_added_from_the_command_line(
    apps: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from infrastructure.add_support_user import main
    from shared.claims.people import Role
    from shared.data.users import Users

    # When the deployer adds the first support user
    status = main(["Alex", "First", "alex.first@education.gov.uk"])
    # Then they are a support user who can sign in and reach the console, emailed once
    assert status == 0, capsys.readouterr().err
    alex = Users().by_email("alex.first@education.gov.uk")
    assert alex is not None
    assert alex.role is Role.SUPPORT
    assert [email["kind"] for email in queued_emails()] == ["support_user_added"]
    client = _signed_in_as(apps, alex.user_id)  # DfE Sign-in finds a user by their email address
    assert client.get(BASE).status == 200
    # And the console's Activity says who added them (the command runs at the real time, not the tests' clock)
    import datetime as dt

    from shared.data.activity import Activity, month_of

    entries = Activity().newest([month_of(dt.datetime.now(dt.UTC))], 500)
    assert [(e.actor_name, e.summary) for e in entries if e.kind.value == "support_user_added"] == [
        ("Deployment (command line)", "Alex First (alex.first@education.gov.uk)")
    ]


def test_the_command_line_refuses_what_the_console_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    from infrastructure.add_support_user import main

    # When the address is not on a DfE domain, or already belongs to a support user
    assert main(["Alex", "First", "alex@example.com"]) == 2
    assert "Enter an email address on a DfE domain" in capsys.readouterr().err
    assert main(["Colin", "Again", "colin.chapman@education.gov.uk"]) == 2
    # Then it says why, as the console's form does, and adds nobody
    assert "A support user with this email address already exists" in capsys.readouterr().err
