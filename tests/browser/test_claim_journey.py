"""The school journey in Chromium: grant conditions, add a mentor, add a claim, see it under Claims.

Once with JavaScript (provider autocomplete) and once without (the provider results page), with zero
axe-core violations on every page, error states included.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Journey, assert_good_page, assert_good_static_page


@pytest.mark.parametrize("journey", [True, False], ids=["javascript", "no-javascript"], indirect=True)
def test_anne_wilson_claims_for_a_mentor(journey: Journey, checker: Page) -> None:
    page = journey.page
    good: Callable[[], None] = (
        (lambda: assert_good_page(page)) if journey.javascript else (lambda: assert_good_static_page(page, checker))
    )

    def heading(text: str | re.Pattern[str]) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_text(text)
        good()

    # Sign in and accept the grant conditions
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in as Anne Wilson").click()
    heading("Grant conditions")
    page.get_by_role("button", name="Accept grant conditions").click()
    heading("Claims")
    expect(page.get_by_text("Before you can start a claim, you will need to add a mentor")).to_be_visible()

    # Add mentor TRN 1000001 born 1 January 1980 (with an error first)
    page.get_by_role("link", name="Mentors").first.click()
    heading("Mentors")
    page.get_by_role("button", name="Add mentor").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a teacher reference number (TRN)")
    good()
    page.get_by_label("Teacher reference number (TRN)").fill("1000001")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("1980")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Emily Carter").first).to_be_visible()
    good()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Confirm and add mentor").click()
    expect(page.get_by_role("table")).to_contain_text("1000001")
    good()

    # Add a claim
    page.get_by_role("link", name="Claims").first.click()
    page.get_by_role("button", name="Add claim").click()
    heading("Accredited provider")
    if journey.javascript:
        page.get_by_role("combobox").fill("Sheffield Hal")
        option = page.get_by_role("option", name=re.compile("Sheffield Hallam University"))
        option.click()
        good()
        page.get_by_role("button", name="Continue").click()
    else:
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter an accredited provider name, UKPRN, URN or postcode"
        )
        good()
        page.get_by_label("Accredited provider").fill("sheffield")
        page.get_by_role("button", name="Continue").click()
        heading("3 results found for ‘sheffield’")
        page.get_by_label(re.compile("Sheffield Hallam University")).check()
        page.get_by_role("button", name="Continue").click()
    heading("Mentors you are claiming for")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a mentor")
    good()
    page.get_by_label("Emily Carter").check()
    page.get_by_role("button", name="Continue").click()
    heading("Hours of training for Emily Carter")
    page.get_by_label("Another amount").check()
    page.get_by_label("Number of hours").fill("17")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the number of hours between 1 and 16")
    good()
    page.get_by_label("Another amount").check()
    page.get_by_label("Number of hours").fill("12")
    page.get_by_role("button", name="Continue").click()
    heading("Confirm the training hours")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Continue").click()
    heading("Check your answers")
    expect(page.locator("main")).to_contain_text("Claim amount")
    expect(page.locator("main")).to_contain_text("£525.60")  # 12 hours at £43.80
    page.get_by_role("button", name="Accept and submit").click()
    heading("Claim submitted")
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert re.fullmatch(r"\d{8}", reference)

    # See it under Claims
    page.get_by_role("link", name="View your claims").click()
    heading("Claims")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Sheffield Hallam University")
    expect(row).to_contain_text("Submitted")
    row.get_by_role("link", name=reference).click()
    heading(f"Claim {reference}")
