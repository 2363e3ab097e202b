"""Persona journeys in Debian's Chromium against `make run`'s stack, axe-core on every page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_good_page


def test_start_page_sign_in_as_anne_wilson_to_claims(page: Page) -> None:
    # Given the start page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim funding for mentor training")
    assert_good_page(page)
    # When Anne starts and signs in with her persona
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_good_page(page)
    page.get_by_role("button", name="Sign in as Anne Wilson").click()
    # Then, as the first user of her school, she accepts the grant conditions
    expect(page.get_by_role("heading", level=1)).to_have_text("Grant conditions")
    assert_good_page(page)
    page.get_by_role("button", name="Accept grant conditions").click()
    # And sees her school's claims
    expect(page).to_have_url(re.compile(r"/schools/\d+/claims$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims")
    expect(page.get_by_text("Meadowbank Primary School").first).to_be_visible()
    assert_good_page(page)
    # And signing out ends the session
    page.locator("header").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim funding for mentor training")


def test_sign_in_as_mary_lawson_and_choose_an_organisation(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in as Mary Lawson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose an organisation")
    assert_good_page(page)
    page.get_by_role("link", name="Riverside Bridge Primary Academy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims")
    assert_good_page(page)
    # The switcher takes her back to the list
    page.get_by_role("link", name="Change organisation").click()
    page.get_by_role("link", name="Coombe Wood Academy").click()
    expect(page.get_by_text("Coombe Wood Academy").first).to_be_visible()


def test_support_console_and_error_pages(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in as Colin Chapman").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support console")
    assert_good_page(page)
    page.goto("/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_good_page(page)


def test_pages_are_served_with_the_govuk_frontend_assets(page: Page) -> None:
    response = page.goto("/")
    assert response is not None
    assert response.ok
    # GOV.UK Frontend's JavaScript ran (it marks the body) and its stylesheet applied (the header is blue)
    expect(page.locator("body")).to_have_class(re.compile("govuk-frontend-supported"))
    colour = page.locator(".govuk-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(29, 112, 184)"
