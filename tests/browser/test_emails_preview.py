"""Support previews the service's emails (Settings → Emails) in Chromium: the list and an email as its recipient
reads it, zero axe-core violations."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_good_page
from tests.browser.test_payment_run_journey import _sign_in


def test_colin_previews_the_claim_window_closing_email(page: Page) -> None:
    _sign_in(page, "Colin Chapman")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emails")
    assert_good_page(page)
    page.get_by_role("link", name="Claim window closing in 7 days").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim window closing in 7 days")
    body = page.locator("#email-body")
    expect(body).to_contain_text("closes in 7 days")
    expect(body.get_by_role("link", name="Start a claim")).to_have_attribute(
        "href", "https://claim-funding-for-mentors.education.gov.uk/schools/100000/claims"
    )
    assert_good_page(page)
    page.get_by_text("The message as it is sent to GOV.UK Notify").click()
    expect(page.locator(".app-email-source")).to_contain_text("[Start a claim](")
    assert_good_page(page)
