"""A search longer than any name or reference is refused on the list's own page, in Chromium: the GOV.UK error
summary and the error on the search box (what was typed is kept), "Error:" in the title, and zero axe-core
violations. Then a search within the limit is run as before."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_good_page
from tests.browser.test_payment_run_journey import _sign_in

TOO_LONG = "Riverside " * 11  # 110 characters


@pytest.mark.parametrize(
    ("path", "heading"), [("/support/claims", "Claims"), ("/support/organisations", "Organisations")]
)
def test_a_search_past_the_limit_is_a_govuk_error_on_the_search_box(page: Page, path: str, heading: str) -> None:
    _sign_in(page, "Colin Chapman")
    page.goto(path)
    page.get_by_label(page.locator("label[for=search]").inner_text()).fill(TOO_LONG)
    page.get_by_role("button", name="Search", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Search must be 100 characters or fewer")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#search")
    expect(page.locator("#search-error")).to_contain_text("Search must be 100 characters or fewer")
    expect(page.locator("#search")).to_have_value(TOO_LONG.strip())
    assert page.title().startswith(f"Error: {heading}")
    assert_good_page(page)
    page.locator("#search").fill("Riverside")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert_good_page(page)
