"""Colin Chapman works on a claim in the support console, in Chromium, with JavaScript on and off: finds it by
reference, filters the list by status, opens it, assigns it to himself, adds a note, puts it on hold, sees it
stay out of "Run payment now", removes the hold, exports the filtered list and opens the CSV. Zero axe-core
violations on every page."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AXE, Journey, assert_good_page, assert_good_static_page
from tests.browser.test_payment_run_journey import _claim_for_emily_carter, _sign_in

WINDOW = "window-2026-to-2027-1"


def _anne_submits_a_claim(browser: Browser, base_url: str) -> str:
    """Anne Wilson claims 10 hours for Emily Carter (with JavaScript: the provider autocomplete)."""
    context = browser.new_context(base_url=base_url)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    try:
        _sign_in(page, "Anne Wilson")
        return _claim_for_emily_carter(page, None, "10")
    finally:
        context.close()


@pytest.mark.parametrize("journey", [True, False], ids=["javascript", "no-javascript"], indirect=True)
def test_colin_chapman_finds_holds_and_exports_a_claim(
    journey: Journey, checker: Page, browser: Browser, fresh_base_url: str
) -> None:
    reference = _anne_submits_a_claim(browser, fresh_base_url)
    page = journey.page
    good: Callable[[], None] = (
        (lambda: assert_good_page(page)) if journey.javascript else (lambda: assert_good_static_page(page, checker))
    )
    main = page.locator("main")

    # Given Colin signs in and opens All claims
    _sign_in(page, "Colin Chapman")
    page.get_by_role("link", name="Claims", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims")
    good()

    # When he searches by the claim's reference
    page.get_by_label("Search by claim reference, school name or URN").fill(reference)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#claims-count")).to_have_text("1 claim")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    good()

    # And filters the list by status instead
    page.get_by_role("link", name="Clear filters").click()
    page.get_by_role("checkbox", name="Submitted", exact=True).check()
    page.get_by_role("button", name="Apply filters").first.click()
    expect(main).to_contain_text("Remove filter Submitted")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    good()

    # And opens the claim: its summary and its history, with a back link to the filtered list
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Claim {reference}")
    expect(main).to_contain_text("Meadowbank Primary School")
    expect(main).to_contain_text("Emily Carter")
    expect(page.locator(".app-history")).to_contain_text("Claim submitted")
    expect(page.get_by_role("link", name="Back", exact=True)).to_have_attribute(
        "href", re.compile(r"/support/claims\?.*status=")
    )
    good()

    # And assigns it to himself
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Claim assigned to you")
    expect(main).to_contain_text(re.compile(r"Assigned to\s+Colin Chapman"))
    good()

    # And adds a note (an error first)
    page.get_by_role("button", name="Add a note").click()
    good()
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a note")
    good()
    page.get_by_label("Add a note").fill("The school rang: the provider is checking the hours")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Note added")
    expect(page.locator(".app-history__item").first).to_contain_text("the provider is checking the hours")
    expect(page.locator(".app-history__item").first).to_contain_text("Colin Chapman (DfE support)")
    good()

    # And puts it on hold
    page.get_by_role("button", name="Put claim on hold").click()
    good()
    page.get_by_label("Why is the claim on hold?").fill("Waiting for the provider to confirm the hours")
    page.get_by_role("button", name="Put claim on hold").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Claim put on hold")
    expect(page.locator("main .govuk-tag", has_text="On hold")).to_be_visible()
    good()

    # When the window closes and its payment run has finished
    page.goto(f"/support/claim-windows/{WINDOW}/close")
    page.get_by_role("button", name="Close window now").click()
    for _ in range(120):
        page.goto(f"/support/payments/{WINDOW}-run-1")
        if page.get_by_role("heading", level=1).count() and "Complete" in main.inner_text():
            break
        time.sleep(0.5)
    expect(main).to_contain_text("Complete")
    good()
    # Then the claim stayed out of the run: still submitted, on hold, and Run payment now says so
    page.goto(f"/support/claims/{reference}")
    expect(page.locator("main .govuk-tag").first).to_have_text("Submitted")
    expect(page.locator("main .govuk-tag", has_text="On hold")).to_be_visible()
    page.goto(f"/support/payments/run/{WINDOW}")
    expect(main).to_contain_text("1 claim is on hold and will not be included until the hold is removed")
    expect(main).to_contain_text("put the 0 claims ready for payment")
    good()

    # When he removes the hold
    page.goto(f"/support/claims/{reference}")
    page.get_by_role("button", name="Remove hold").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove the hold")
    good()
    page.get_by_role("button", name="Remove hold").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Hold removed")
    good()
    # Then Run payment now would pay it
    page.goto(f"/support/payments/run/{WINDOW}")
    expect(main).to_contain_text("put the 1 claim ready for payment")
    expect(main).not_to_contain_text("on hold")
    good()

    # When he exports the list filtered by Submitted
    page.goto("/support/claims?filtered=yes&status=submitted&year=")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    page.get_by_role("button", name="Download claims (CSV)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your export is being prepared")
    good()
    for _ in range(60):
        if page.get_by_role("link", name="Download the claims (CSV)").count():
            break
        time.sleep(0.5)
        if journey.javascript:
            page.reload()
        else:
            page.get_by_role("link", name="Refresh this page").click()
    expect(page.get_by_role("link", name="Download the claims (CSV)")).to_be_visible()
    expect(page.locator("#export-count")).to_have_text("1 claim")
    good()
    # Then the CSV holds the claim, in the claims-export columns
    with page.expect_download() as started:
        page.get_by_role("link", name="Download the claims (CSV)").click()
    download = started.value
    assert re.fullmatch(r"claims-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "claim_reference",
        "school_urn",
        "school_name",
        "school_local_authority",
        "school_type_of_establishment",
        "school_group",
        "provider_name",
        "provider_code",
        "claim_amount",
        "claim_submission_date",
        "claim_status",
    ]
    assert [(row["claim_reference"], row["school_name"], row["claim_status"]) for row in rows] == [
        (reference, "Meadowbank Primary School", "submitted")
    ]
