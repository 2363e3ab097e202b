"""Support runs the service from its own console, in Chromium, with JavaScript on and off: Colin Chapman imports
GIAS's establishment data, adds a school it holds by URN with a vendor number, makes it eligible by uploading
DfE's CSV, proposes new funding rates; Sam Brooks approves them; Activity lists each action and the Overview
shows its charts and tables. Zero axe-core violations on every page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Journey, assert_good_page, assert_good_static_page
from tests.browser.test_payment_run_journey import _sign_in
from tests.browser.test_support_claims_journey import _anne_submits_a_claim
from tests.support import ROOT

GIAS_EXTRACT = ROOT / "tests/fixtures/gias/edubasealldata-small.csv"
YEAR = "2026 to 2027"
URN = "980002"  # Thames Bridge Academy in the extract: open, Camden (Inner London)
SCHOOL = "Thames Bridge Academy"


def _wait_for_import(page: Page, good: Callable[[], None], timeout: float = 60) -> None:
    """The import is a task: the page says it is running until it has finished (refresh, no JavaScript)."""
    deadline = time.monotonic() + timeout
    while "The school data is being imported" in page.locator("main").inner_text():
        good()
        assert time.monotonic() < deadline, "the school data import did not finish"
        time.sleep(0.5)
        page.reload()


@pytest.mark.parametrize("journey", [True, False], ids=["javascript", "no-javascript"], indirect=True)
def test_support_fills_the_service_and_sam_approves_the_rates(
    journey: Journey, checker: Page, browser: Browser, fresh_base_url: str, tmp_path: Path
) -> None:
    reference = _anne_submits_a_claim(browser, fresh_base_url)
    page = journey.page
    good: Callable[[], None] = (
        (lambda: assert_good_page(page)) if journey.javascript else (lambda: assert_good_static_page(page, checker))
    )
    main = page.locator("main")
    banner = page.locator(".govuk-notification-banner")

    # Given Colin signs in: the header reads as the console's sections
    _sign_in(page, "Colin Chapman")
    navigation = page.locator(".govuk-service-navigation__list .govuk-service-navigation__link")
    sections = ["Overview", "Claims", "Organisations", "Users", "Settings", "Activity", "Sign out"]
    expect(navigation).to_have_text(sections)

    # When he uploads GIAS's establishment data on Settings → School data and imports it
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    good()
    page.get_by_role("link", name="School data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("School data")
    good()
    page.get_by_label("Upload a CSV file").set_input_files(str(GIAS_EXTRACT))
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import school data")
    good()
    page.get_by_role("button", name="Import school data").click()
    _wait_for_import(page, good)
    # Then the page shows what the import did, skipped rows with their reasons
    expect(main).to_contain_text(re.compile(r"Rows read\s+10"))
    expect(main).to_contain_text(re.compile(r"Schools added\s+4"))
    expect(main).to_contain_text("British school overseas")
    good()

    # When he adds the school by URN with its vendor number
    page.get_by_role("link", name="Organisations", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")
    good()
    page.get_by_role("button", name="Add organisation").click()
    page.get_by_label("School", exact=True).check()
    good()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Enter a school name or URN").fill(URN)
    good()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Select the organisation")
    good()
    page.get_by_label(SCHOOL).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Vendor number").fill("V980002")
    good()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(main).to_contain_text("V980002")
    good()
    page.get_by_role("button", name="Add organisation").click()
    # Then its page shows it, with the funding region its district gives and that region's rate
    expect(page.get_by_role("heading", level=1)).to_have_text(SCHOOL)
    expect(banner).to_contain_text("Organisation added")
    expect(main).to_contain_text(re.compile(r"Funding region\s+Inner London"))
    expect(main).to_contain_text(re.compile(r"Vendor number\s+V980002"))
    good()

    # When he uploads DfE's eligible schools file (a name column and a blank last line) for the year
    eligible = tmp_path / "eligible-schools.csv"
    eligible.write_bytes(f"name,urn\r\n{SCHOOL},{URN}\r\n\r\n".encode())
    page.get_by_role("link", name="Organisations", exact=True).click()
    page.get_by_role("button", name="Upload eligible schools").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload eligible schools")
    good()
    page.get_by_label(YEAR).check()
    page.get_by_label("Upload a CSV file").set_input_files(str(eligible))
    page.get_by_role("button", name="Upload CSV file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the eligible schools")
    expect(main).to_contain_text(re.compile(r"Newly eligible\s+1 school"))
    good()
    page.get_by_role("button", name="Confirm upload").click()
    # Then the school is eligible for the year
    expect(page.get_by_role("heading", level=1)).to_have_text("Eligible schools uploaded")
    good()
    page.goto(f"/support/organisations/schools/{URN}")
    expect(main).to_contain_text(YEAR)
    expect(main).not_to_contain_text("The school is not eligible to claim in any academic year")

    # When he proposes a new Inner London rate for the year
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name="Funding rates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Funding rates")
    good()
    page.get_by_role("link", name=f"Change rates for {YEAR}").click()
    page.get_by_label("Inner London").fill("55.00")
    page.get_by_label("Reason for the change").fill("DfE published new rates for the year")
    good()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(main).to_contain_text("£53.60 → £55.00 an hour")
    good()
    page.get_by_role("button", name="Propose rates").click()
    # Then the rates have not changed: they wait for another support user
    expect(banner).to_contain_text("Waiting for approval by another support user")
    expect(page.get_by_role("link", name=f"Review proposed rates for {YEAR}")).to_have_count(0)
    good()

    # When Sam signs in and approves them
    _sign_in(page, "Sam Brooks")
    page.goto("/support/settings/funding-rates")
    page.get_by_role("link", name=f"Review proposed rates for {YEAR}").click()
    expect(main).to_contain_text("Colin Chapman")
    expect(main).to_contain_text("DfE published new rates for the year")
    good()
    page.get_by_role("button", name="Approve rates").click()
    # Then the year's Inner London rate is the new one, and the school's page prices at it
    expect(banner).to_be_visible()
    expect(main).to_contain_text("£55.00 an hour")
    good()
    page.goto(f"/support/organisations/schools/{URN}")
    expect(main).to_contain_text(re.compile(rf"Hourly rate \({YEAR}\)\s+£55.00"))

    # And Activity lists every action, newest first
    page.get_by_role("link", name="Activity", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity")
    for label in (
        "Funding rates approved",
        "Funding rates proposed",
        "Eligible schools uploaded",
        "Organisation added",
        "School data imported",
    ):
        expect(main).to_contain_text(label)
    rows = main.locator("tbody tr")
    expect(rows.first).to_contain_text("Funding rates approved")
    good()

    # And the Overview shows the year's claims as charts with their tables
    page.get_by_role("link", name="Overview", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support console")
    charts = main.locator("svg[role='img']")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 4
    expect(main.locator("table").filter(has_text="Submitted").first).to_be_visible()
    expect(main).to_contain_text("Sheffield Hallam University")
    good()
    assert reference
