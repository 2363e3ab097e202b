"""Last year's paid claims audited, in Chromium, with JavaScript on and off (issue: audit and clawback): Colin
Chapman samples 2025 to 2026, Patricia Adeyemi answers one claim "No" for a mentor who did 2 of 6 hours, Mary
Lawson disagrees, Colin claws back, Sam Brooks approves the clawback Colin asked for and sends clawbacks to the
payer, the payer downloads the clawback file once, and Colin uploads the payer's response: the clawback is complete.
Zero axe-core violations on every page.

The claims are the local stack's demo data (`infrastructure/local/demo_claims.py`): Mary Lawson's Riverside
Bridge Primary Academy claimed with Sheffield Hallam for more than £5,000, so every sample takes its claims; the
first (25000001) has two mentors of 6 hours each, at Inner London's £53.60 an hour.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AXE, Journey, assert_good_page, assert_good_static_page, notify_url
from tests.browser.test_payment_run_journey import _sign_in

CLAIM = "25000001"
SCHOOL = "Riverside Bridge Primary Academy"
YEAR = "2025 to 2026"


def _colin_samples_last_year(page: Page, good: Callable[[], None]) -> None:
    _sign_in(page, "Colin Chapman")
    page.goto("/support/audits")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audits")
    good()
    page.get_by_role("button", name="Start an audit").click()
    good()
    page.get_by_role("button", name="Continue").click()  # no year chosen: an error, nothing lost
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    good()
    page.get_by_label(YEAR).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the sample")
    main = page.locator("main")
    expect(main).to_contain_text("of 28 paid claims")
    expect(main).to_contain_text("School's paid claims total over £5,000")
    good()
    page.get_by_role("button", name="Confirm sample").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Audit started")
    expect(page.get_by_role("link", name=CLAIM)).to_have_attribute("href", f"/support/claims/{CLAIM}")
    good()


def _patricia_answers_no_for_one_mentor(page: Page, good: Callable[[], None]) -> tuple[str, str]:
    """Her answer for the claim: the first mentor did 2 of 6 hours, the second all 6. Their names."""
    _sign_in(page, "Patricia Adeyemi")
    page.get_by_role("link", name="Audits").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audits")
    expect(page.locator("main")).to_contain_text("24 December 2026")  # 21 days from the request
    good()
    page.get_by_role("link", name=CLAIM).click()
    good()
    page.get_by_role("button", name="Start").click()
    question = page.get_by_role("heading", level=1)
    first = re.fullmatch(r"Did (.+) complete 6 hours of training with you\?", question.inner_text())
    assert first, question.inner_text()
    good()
    page.get_by_role("button", name="Continue").click()  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"Select whether {first.group(1)} completed")
    good()
    page.get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    second = re.fullmatch(r"Did (.+) complete 6 hours of training with you\?", question.inner_text())
    assert second, question.inner_text()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    expect(question).to_have_text(f"How many hours of training did {first.group(1)} complete?")
    page.get_by_label(re.compile("How many hours")).fill("7")  # more than claimed
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Number of hours must be 6 or fewer")
    good()
    page.get_by_label(re.compile("How many hours")).fill("2")
    page.get_by_label("Reason").fill("Attended the first session only.")
    page.get_by_role("button", name="Continue").click()
    expect(question).to_have_text("Check your answers")
    good()
    page.get_by_role("button", name="Submit response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Response submitted for claim {CLAIM}")
    expect(page.get_by_role("link", name=CLAIM)).to_have_count(0)  # answered: no longer waiting
    good()
    return first.group(1), second.group(1)


def _mary_disagrees(page: Page, good: Callable[[], None], mentor: str) -> None:
    _sign_in(page, "Mary Lawson")
    page.get_by_role("link", name=SCHOOL).click()
    page.get_by_role("link", name=CLAIM).click()
    main = page.locator("main")
    expect(main).to_contain_text("Your provider did not confirm all the training")
    expect(main).to_contain_text(f"{mentor}")
    expect(main).to_contain_text("Completed 2 of 6 hours")
    good()
    page.get_by_role("link", name="Respond").or_(page.get_by_role("button", name="Respond")).first.click()
    good()
    page.get_by_label("No, I disagree").check()
    page.get_by_role("button", name="Submit response").click()  # disagreeing needs an explanation
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    good()
    page.get_by_label("No, I disagree").check()
    page.locator("textarea").fill("All three sessions are on our register, which we have sent to DfE.")
    page.get_by_role("button", name="Submit response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your response has been sent")
    good()


def _colin_claws_back(page: Page, good: Callable[[], None], mentor: str) -> None:
    _sign_in(page, "Colin Chapman")
    page.goto(f"/support/claims/{CLAIM}")
    main = page.locator("main")
    expect(main).to_contain_text("All three sessions are on our register")  # the school's answer beside
    expect(main).to_contain_text(f"{mentor}: 2 of 6 hours completed")  # the provider's
    good()
    page.get_by_role("link", name="Claw back").or_(page.get_by_role("button", name="Claw back")).first.click()
    page.get_by_label("Reason").fill("The provider's register shows one session.")
    page.get_by_role("button", name="Claw back").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("its funding is to be clawed back")
    good()
    page.get_by_role("link", name="Request clawback").or_(
        page.get_by_role("button", name="Request clawback")
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the clawback")
    row = page.get_by_role("row").filter(has_text=mentor)
    expect(row).to_contain_text("£214.40")  # 4 hours not completed × £53.60
    expect(main).to_contain_text("Total to claw back")
    good()
    page.get_by_role("button", name="Request clawback").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("another support user must approve it")
    expect(main).to_contain_text("Another support user must approve this clawback")
    expect(page.get_by_role("link", name="Approve clawback")).to_have_count(0)
    expect(page.get_by_role("button", name="Approve clawback")).to_have_count(0)
    good()


def _sam_approves(page: Page, good: Callable[[], None]) -> None:
    _sign_in(page, "Sam Brooks")
    page.goto(f"/support/claims/{CLAIM}")
    expect(page.locator("main")).to_contain_text("Requested by\tColin Chapman")
    good()
    page.get_by_role("link", name="Approve clawback").or_(
        page.get_by_role("button", name="Approve clawback")
    ).first.click()
    good()
    page.get_by_role("button", name="Approve clawback").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Clawback of £214.40 approved for claim {CLAIM}: the school has been told"
    )
    expect(page.locator("main .govuk-tag").first).to_have_text("Ready for clawback")
    good()


def _sam_sends_clawbacks_to_the_payer(page: Page, good: Callable[[], None]) -> None:
    page.get_by_role("link", name="Clawbacks").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clawbacks")
    expect(page.locator("main")).to_contain_text("£214.40")
    good()
    page.get_by_role("button", name="Send clawbacks to the payer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("started")
    good()
    runs = page.locator("main table").last
    for _ in range(60):  # the run is a state machine: it sends the file within seconds
        if "Sent to payer" in runs.inner_text():
            break
        time.sleep(0.5)
        page.reload()
    expect(runs).to_contain_text("Sent to payer")
    expect(runs).to_contain_text("£214.40")
    good()


def _clawback_link(base_url: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(notify_url(base_url) + "/emails.json", timeout=5) as response:
            for email in json.loads(response.read()):
                personalisation = email.get("personalisation") or {}
                if "Claims ready for clawback" in personalisation.get("subject", ""):
                    found = re.search(r"https?://\S+/downloads/[\w-]+", personalisation.get("body", ""))
                    if found:
                        return found.group(0).rstrip(").")
        time.sleep(0.5)
    raise AssertionError("the payer was never emailed the clawback file")


def _the_payer_downloads_the_file_once(browser: Browser, base_url: str) -> str:
    """The payer, in a browser of its own (JavaScript on: it is not the journey's user), uses the link once."""
    context = browser.new_context(base_url=base_url, accept_downloads=True)
    context.add_init_script(path=str(AXE))
    payer = context.new_page()
    try:
        link = _clawback_link(base_url)
        payer.goto(link)
        expect(payer.get_by_role("heading", level=1)).to_have_text("Download the clawback file")
        assert_good_page(payer)
        with payer.expect_download() as started:
            payer.get_by_role("button", name="Download the file").click()
        download = started.value
        assert re.fullmatch(r"clawbacks-claims-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
        text = Path(download.path()).read_text(encoding="utf-8")
        payer.goto(link)  # a second use is refused
        expect(payer.get_by_role("heading", level=1)).to_have_text("This link has already been used")
        assert_good_page(payer)
        return text
    finally:
        context.close()


def _colin_uploads_the_payers_response(page: Page, good: Callable[[], None], tmp_path: Path) -> None:
    _sign_in(page, "Colin Chapman")
    page.goto("/support/clawbacks")
    page.get_by_role("link", name=re.compile("clawback run")).first.click()
    expect(page.locator("main")).to_contain_text("Sent to payer for clawback")
    good()
    page.get_by_role("link", name="Upload clawback response").or_(
        page.get_by_role("button", name="Upload clawback response")
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload clawback response")
    good()
    response = tmp_path / "clawback-response.csv"
    response.write_text(f"claim_reference,claim_status\r\n{CLAIM},clawback_complete\r\n", encoding="utf-8")
    page.get_by_label("Upload a CSV file").set_input_files(str(response))
    page.get_by_role("button", name="Upload CSV file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the clawback response")
    expect(page.locator("main")).to_contain_text(CLAIM)
    good()
    page.get_by_role("button", name="Confirm upload").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 clawback complete")
    good()
    page.goto(f"/support/claims/{CLAIM}")
    expect(page.locator("main .govuk-tag").first).to_have_text("Clawback complete")
    good()


@pytest.mark.parametrize("journey", [True, False], ids=["javascript", "no-javascript"], indirect=True)
def test_a_sampled_claim_is_answered_disputed_and_clawed_back(
    journey: Journey, checker: Page, browser: Browser, fresh_base_url: str, tmp_path: Path
) -> None:
    page = journey.page
    good: Callable[[], None] = (
        (lambda: assert_good_page(page)) if journey.javascript else (lambda: assert_good_static_page(page, checker))
    )
    _colin_samples_last_year(page, good)
    not_completed, _confirmed = _patricia_answers_no_for_one_mentor(page, good)
    _mary_disagrees(page, good, not_completed)
    _colin_claws_back(page, good, not_completed)
    _sam_approves(page, good)
    _sam_sends_clawbacks_to_the_payer(page, good)
    rows = list(csv.DictReader(io.StringIO(_the_payer_downloads_the_file_once(browser, fresh_base_url))))
    assert [(row["claim_reference"], row["clawback_amount"]) for row in rows] == [(CLAIM, "214.40")]
    _colin_uploads_the_payers_response(page, good, tmp_path)
