"""The first pages, through the real handlers and repositories under moto."""

from __future__ import annotations

import re

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, MARY_LAWSON_SCHOOL_URNS
from tests.support import SESSION_COOKIE, Client, set_grant_conditions


def test_start_page(client: Client) -> None:
    # When anyone opens the start page
    page = client.get("/")
    # Then it is the GOV.UK start page with the open window's dates and a start button
    assert page.status == 200
    assert page.h1 == "Claim funding for mentor training"
    assert page.soup.select_one("a.govuk-button--start").get_text(strip=True) == "Start now"
    assert "until 11:59pm on 12 January 2027" in page.text()
    # And an anonymous page view starts no session
    assert "Set-Cookie" not in page.headers


def test_sign_in_page_lists_a_button_per_persona(client: Client) -> None:
    page = client.get("/sign-in")
    buttons = [b.get_text(strip=True) for b in page.soup.select("form button")]
    assert page.h1 == "Sign in"
    assert buttons == [
        "Sign in as Anne Wilson",
        "Sign in as Mary Lawson",
        "Sign in as Colin Chapman",
        "Sign in as Sam Brooks",
        "Sign in as Patricia Adeyemi",
    ]


def test_single_school_user_lands_on_claims(client: Client) -> None:
    # Given Anne Wilson belongs to one school, which has accepted the grant conditions
    set_grant_conditions(ANNE_WILSON_SCHOOL_URN, accepted=True)
    # When she signs in
    page = client.sign_in("Anne Wilson")
    # Then she is redirected (303) straight to her school's claims page
    assert page.status == 303
    assert page.location == f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims"
    claims = client.follow(page)
    assert claims.h1 == "Claims"
    assert "Meadowbank Primary School" in claims.text()
    assert claims.soup.find("h2", string="2026 to 2027 (current)")
    # And there is no organisation switcher for a one-school user
    assert "Change organisation" not in claims.text()


def test_multi_school_user_chooses_an_organisation(client: Client) -> None:
    page = client.follow(client.sign_in("Mary Lawson"))
    assert page.h1 == "Choose an organisation"
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("main a")}
    assert links == {
        "Coombe Wood Academy": f"/schools/{MARY_LAWSON_SCHOOL_URNS[1]}/claims",
        "Riverside Bridge Primary Academy": f"/schools/{MARY_LAWSON_SCHOOL_URNS[0]}/claims",
    }
    claims = client.get(links["Coombe Wood Academy"])
    assert claims.h1 == "Claims"
    # A school with no claims says so for each academic year
    assert "There are no claims for Coombe Wood Academy in academic year 2026 to 2027." in claims.text()
    assert "There were no claims for Coombe Wood Academy in academic year 2025 to 2026." in claims.text()
    assert claims.soup.find("a", string="Change organisation")["href"] == "/organisations"
    assert client.get("/organisations").h1 == "Choose an organisation"


def test_school_user_cannot_see_another_school(client: Client) -> None:
    client.sign_in("Anne Wilson")
    page = client.get(f"/schools/{MARY_LAWSON_SCHOOL_URNS[0]}/claims")
    assert page.status == 404
    assert page.h1 == "Page not found"


def test_pages_that_need_sign_in_redirect_to_it(client: Client) -> None:
    for path in (f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims", "/organisations", "/support"):
        page = client.get(path)
        assert (page.status, page.location) == (303, "/sign-in"), path


def test_support_user_lands_on_the_support_console(client: Client) -> None:
    page = client.follow(client.sign_in("Colin Chapman"))
    assert page.h1 == "Support console"
    # The demo's 240 schools, and any a test has added since (tests share the tables)
    schools = re.search(r"Schools ([\d,]+)", page.text())
    assert schools is not None
    assert int(schools.group(1).replace(",", "")) >= 240


def test_school_user_is_not_authorised_for_support(client: Client) -> None:
    client.sign_in("Anne Wilson")
    page = client.get("/support")
    assert page.status == 403
    assert page.h1 == "Your account is not authorised"


def test_provider_user_lands_on_provider_claims(client: Client) -> None:
    page = client.follow(client.sign_in("Patricia Adeyemi"))
    assert page.h1 == "Claims"
    assert "Sheffield Hallam University" in page.text()


def test_sign_out_ends_the_session(client: Client) -> None:
    client.sign_in("Anne Wilson")
    page = client.sign_out()
    assert (page.status, page.location) == (303, "/")
    assert SESSION_COOKIE not in client.cookies
    assert client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").location == "/sign-in"


def test_unknown_pages_are_govuk_404s(client: Client) -> None:
    for path in ("/no-such-page", "/support/no-such-page"):
        client.sign_in("Colin Chapman") if path.startswith("/support") else None
        page = client.get(path)
        assert page.status == 404
        assert page.h1 == "Page not found"


def test_content_pages(client: Client) -> None:
    for path, h1 in (
        ("/cookies", "Cookies"),
        ("/accessibility", "Accessibility statement"),
        ("/privacy", "Privacy notice"),
    ):
        assert client.get(path).h1 == h1


def test_an_unexpected_error_is_a_govuk_500_page(anne: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    import shared.web.routes.schools as schools

    def broken(*_: object) -> None:
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr(schools, "claims_page", broken)
    client = anne
    page = client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims")
    assert page.status == 500
    assert page.h1 == "Sorry, there is a problem with the service"
    assert "DynamoDB" not in page.body


def test_service_unavailable_is_a_503_without_navigation(client: Client) -> None:
    import functions.web.app as web

    original = web.app.config
    web.app.config = original.model_copy(update={"service_unavailable": True})
    try:
        page = client.get("/")
    finally:
        web.app.config = original
    assert page.status == 503
    assert page.h1 == "Sorry, the service is unavailable"
    assert page.soup.select(".govuk-service-navigation") == []
