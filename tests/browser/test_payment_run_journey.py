"""Colin Chapman runs a payment in Chromium: add a claim window, close the open one now, watch the run,
review the flagged claims, the payer downloads the payment file once from its link's page (a mail scanner's
fetch first changes nothing; a second use is refused), upload the payer's response and see the claim paid.
Zero axe-core violations on every page."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_good_page, notify_url


def _sign_in(page: Page, name: str) -> None:
    """Sign out whoever is signed in (the header's "Sign out" button: a POST), then sign in as `name`."""
    page.goto("/")
    sign_out = page.locator("header").get_by_role("button", name="Sign out")
    if sign_out.count():
        sign_out.click()
    page.goto("/sign-in")
    page.get_by_role("button", name=f"Sign in as {name}").click()


def _claim_for_emily_carter(page: Page, school_link: str | None, hours: str) -> str:
    """As the signed-in school user: accept conditions if asked, add mentor 1000001, claim with Sheffield Hallam."""
    if school_link:
        page.get_by_role("link", name=school_link).click()
    if page.get_by_role("heading", level=1).inner_text() == "Grant conditions":
        page.get_by_role("button", name="Accept grant conditions").click()
    page.get_by_role("link", name="Mentors").first.click()
    page.get_by_role("button", name="Add mentor").click()
    page.get_by_label("Teacher reference number (TRN)").fill("1000001")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("1980")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Confirm and add mentor").click()
    page.get_by_role("link", name="Claims").first.click()
    page.get_by_role("button", name="Add claim").click()
    page.get_by_role("combobox").fill("Sheffield Hal")
    page.get_by_role("option", name=re.compile("Sheffield Hallam University")).click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Emily Carter").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Another amount").check()
    page.get_by_label("Number of hours").fill(hours)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Accept and submit").click()
    return page.locator(".govuk-panel__body strong").inner_text()


def _payer_link(base_url: str, timeout: float = 60, seen: frozenset[str] = frozenset()) -> str:
    """The link in the payer's emails that is not one of `seen`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(notify_url(base_url) + "/emails.json", timeout=5) as response:
            for email in json.loads(response.read()):
                body = (email.get("personalisation") or {}).get("body", "")
                found = re.search(r"https?://\S+/downloads/[\w-]+", body)
                if found and found.group(0).rstrip(").") not in seen:
                    return found.group(0).rstrip(").")
        time.sleep(0.5)
    raise AssertionError("the payer was never emailed a link")


SCANNER_USER_AGENT = "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)"  # as mail scanners send


def _scan(link: str) -> None:
    """What a mail security scanner does when the email arrives: fetch the link, with no cookies."""
    request = urllib.request.Request(link, headers={"User-Agent": SCANNER_USER_AGENT})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert "claim_reference" not in response.read().decode("utf-8")


def _download_from(page: Page, link: str) -> str:
    """The payer opens the link and presses "Download the file": the file's text (and its page is checked)."""
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Download the payment file")
    expect(page.locator("main")).to_contain_text("This link can only be used once")
    assert_good_page(page)
    with page.expect_download() as started:
        page.get_by_role("button", name="Download the file").click()
    download = started.value
    assert re.fullmatch(r"payments-claims-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    return Path(download.path()).read_text(encoding="utf-8")


def test_colin_chapman_runs_a_payment(browser: Browser, fresh_base_url: str, tmp_path: Path) -> None:
    context = browser.new_context(base_url=fresh_base_url)
    context.add_init_script(path=str(Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"))
    page = context.new_page()

    # Given two schools claim for the same mentor with the same provider (both will be flagged)
    _sign_in(page, "Anne Wilson")
    anne_claim = _claim_for_emily_carter(page, None, "10")
    _sign_in(page, "Mary Lawson")
    mary_claim = _claim_for_emily_carter(page, "Riverside Bridge Primary Academy", "4")

    # When Colin adds a claim window for later in the year
    _sign_in(page, "Colin Chapman")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Claim windows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim windows")
    assert_good_page(page)
    page.get_by_role("button", name="Add claim window").click()
    assert_good_page(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_good_page(page)
    opens, closes = page.get_by_role("group", name="Opens on"), page.get_by_role("group", name="Closes on")
    for group, (day, month, year) in ((opens, ("1", "3", "2027")), (closes, ("31", "3", "2027"))):
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_label("2026 to 2027").check()
    page.get_by_role("button", name="Continue").click()
    assert_good_page(page)
    page.get_by_role("button", name="Save claim window").click()
    expect(page.locator("main")).to_contain_text("31 March 2027")
    assert_good_page(page)

    # And closes the open window now
    page.goto("/support/claim-windows/window-2026-to-2027-1/close")
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to close this claim window now?")
    assert_good_page(page)
    page.get_by_role("button", name="Close window now").click()
    assert_good_page(page)

    # Then the run shows on Payments, waiting on the two flagged claims (Claims → Review)
    page.get_by_role("link", name="Claims", exact=True).click()
    page.get_by_role("link", name="Review").click()
    for _ in range(60):
        if page.get_by_role("link", name=anne_claim).count() and page.get_by_role("link", name=mary_claim).count():
            break
        time.sleep(0.5)
        page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims to review")
    expect(page.locator("main")).to_contain_text("by two or more schools: Emily Carter")
    assert_good_page(page)
    page.get_by_role("link", name="Payments").click()
    expect(page.locator("main")).to_contain_text("window-2026-to-2027-1-run-1")
    expect(page.locator("main")).to_contain_text("Colin Chapman")  # who started it, not "Scheduled"
    assert_good_page(page)

    # When he approves Anne's claim and rejects Mary's (an error first)
    page.goto(f"/support/claims/{anne_claim}")
    assert_good_page(page)
    page.get_by_role("radio", name="Approve").check()
    page.get_by_role("button", name="Save decision").click()
    page.goto(f"/support/claims/{mary_claim}")
    page.get_by_role("radio", name="Reject").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select why the claim is rejected")
    assert_good_page(page)
    page.get_by_role("radio", name="Reject").check()
    page.get_by_role("checkbox", name="Provider disputes the training").check()
    page.get_by_role("checkbox", name="Other").check()
    page.get_by_label("Describe the other reason").fill("Sheffield Hallam University has no record of this training")
    page.get_by_role("button", name="Save decision").click()
    assert_good_page(page)

    # Then the run finishes with Anne's claim in the file, and the payer is emailed a link
    for _ in range(60):
        page.goto("/support/payments")
        if "Complete" in page.locator("main").inner_text():
            break
        time.sleep(0.5)
    expect(page.locator("main")).to_contain_text("Complete")
    assert_good_page(page)
    # And the run's page shows the file reconciled with the claims the run owns, and lists them
    page.get_by_role("link", name="window-2026-to-2027-1-run-1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment run window-2026-to-2027-1-run-1")
    reconciliation = page.locator(".govuk-summary-list").nth(1)
    expect(reconciliation).to_contain_text(re.compile(r"Rows in the file\s+1\b"))
    expect(reconciliation).to_contain_text(re.compile(r"Claims the run owns\s+1\b"))
    expect(reconciliation).to_contain_text(re.compile(r"Claims moved to payment\s+1\b"))
    expect(reconciliation).to_contain_text("Matches the file as stored")
    expect(page.locator("main")).to_contain_text("Passed")
    assert_good_page(page)
    with page.expect_download() as included:
        page.get_by_role("link", name="Download the list of included claims (CSV)").click()
    listed = Path(included.value.path()).read_text(encoding="utf-8")
    assert anne_claim in listed
    assert mary_claim not in listed
    link = _payer_link(fresh_base_url)
    # When the payer's mail system scans the link on arrival, then the payer opens it
    _scan(link)
    page.goto(link)
    # Then the page names the file and says what is in it
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text(re.compile(r"File name\s+payments-claims-\d{4}-\d{2}-\d{2}\.csv"))
    expect(summary).to_contain_text(re.compile(r"Claims\s+1\b"))
    expect(summary).to_contain_text(re.compile(r"Total\s+£\d"))
    expect(summary).to_contain_text(re.compile(r"Link expires\s+\d+ \w+ \d{4} at .+ \(UK time\)"))
    # And pressing "Download the file" gives the file with Anne's claim, not Mary's
    first = _download_from(page, link)
    assert anne_claim in first
    assert mary_claim not in first
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert_good_page(page)

    # When the payer has lost the file and Colin sends them a new link
    page.goto("/support/payments")
    page.get_by_role("link", name="Send the payer a new link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send the payer a new link")
    expect(page.locator("main")).to_contain_text("The link sent before will stop working.")
    assert_good_page(page)
    page.get_by_role("button", name="Send new link").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("New link to the payment file")
    assert_good_page(page)
    # Then the new link gives the file once, and the old one says it was replaced
    new_link = _payer_link(fresh_base_url, seen=frozenset({link}))
    again = _download_from(page, new_link)
    assert anne_claim in again
    page.goto(new_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has been replaced")
    assert_good_page(page)

    # When the payer's response says Anne's claim is paid
    response = tmp_path / "payer-response.csv"
    response.write_text(f"claim_reference,claim_status,claim_unpaid_reason\r\n{anne_claim},Paid,\r\n", encoding="utf-8")
    page.goto("/support/payments/upload")
    assert_good_page(page)
    page.locator("input[type=file]").set_input_files(str(response))
    page.get_by_role("button", name="Upload CSV file").click()
    assert_good_page(page)
    page.get_by_role("button", name="Confirm upload").click()
    assert_good_page(page)

    # Then the claim is paid, and Anne sees it
    page.goto(f"/support/claims/{anne_claim}")
    expect(page.locator("main .govuk-tag").first).to_have_text("Paid")
    _sign_in(page, "Anne Wilson")
    row = page.get_by_role("row").filter(has_text=anne_claim)
    expect(row).to_contain_text("Paid")
    assert_good_page(page)
    context.close()
