"""A payment run's page in Chromium while the run moves on: with JavaScript its progress brings itself up to date
in place (no reload) and stops once the run has finished; without, the Refresh link shows the same. Zero axe-core
violations either way.

The run moves on by writing its record in the stack's own DynamoDB (moto), as the run's tasks would: what the
page does with a record is the point here, and tests/integration checks the tasks write those records.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from playwright.sync_api import Page, expect

from infrastructure.local.stack import REGION, resource_name
from tests.browser.conftest import STACK_LOGS, Journey, assert_good_page, assert_good_static_page

RUN_ID = "window-browser-refresh-run-1"
STARTED = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=10)


def _moto_url(base_url: str, timeout: float = 10) -> str:
    """The local AWS (moto) of the stack at `base_url`, from what `make run` prints."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in STACK_LOGS[base_url].read_text().splitlines():
            if line.startswith("Local AWS (moto): "):
                return line.split(": ", 1)[1].strip()
        time.sleep(0.2)
    raise AssertionError("the stack did not say where its moto is")


def _at(minutes: int) -> str:
    return (STARTED + dt.timedelta(minutes=minutes)).isoformat()


def _record(base_url: str) -> Callable[[dict[str, Any]], None]:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=_moto_url(base_url),
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )

    def put(item: dict[str, Any]) -> None:
        dynamodb.put_item(TableName=resource_name("BatchesTable"), Item=item)

    return put


def _run(status: str, steps: dict[str, str], **more: Any) -> dict[str, Any]:
    return {
        "batch_id": {"S": RUN_ID},
        "kind": {"S": "payment_run"},
        "created_at": {"S": STARTED.isoformat()},
        "status": {"S": status},
        "trigger": {"S": "person"},
        "started_by": {"S": "user-colin-chapman"},
        "started_by_name": {"S": "Colin Chapman"},
        "row_count": {"N": "0"},
        "total_pence": {"N": "0"},
        "counts": {"M": {"validated": {"N": "3"}, "flagged": {"N": "1"}}},
        "steps": {"M": {name: {"S": at} for name, at in steps.items()}},
        **more,
    }


CHECKED = {
    "close_window_started_at": _at(0),
    "close_window_finished_at": _at(0),
    "check_claims_started_at": _at(1),
    "check_claims_finished_at": _at(2),
}
WAITING_ON_REVIEW = _run("running", CHECKED)
COMPLETE = _run(
    "completed",
    {
        **CHECKED,
        "payment_file_started_at": _at(5),
        "payment_file_finished_at": _at(6),
        "reconcile_file_started_at": _at(6),
        "reconcile_file_finished_at": _at(7),
    },
    finished_at={"S": (STARTED + dt.timedelta(minutes=8)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")},
)


def _states(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("#run-steps tbody tr td:nth-child(2)").all_inner_texts()]


@pytest.mark.parametrize("journey", [True, False], ids=["javascript", "no-javascript"], indirect=True)
def test_a_run_s_page_follows_the_run_to_its_end(journey: Journey, checker: Page, fresh_base_url: str) -> None:
    page = journey.page
    good: Callable[[], None] = (
        (lambda: assert_good_page(page)) if journey.javascript else (lambda: assert_good_static_page(page, checker))
    )
    record = _record(fresh_base_url)  # the stack the journey's page is on
    # Given a run waiting on support review
    record(WAITING_ON_REVIEW)
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in as Colin Chapman").click()
    # When Colin opens its page
    page.goto(f"/support/payments/{RUN_ID}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Payment run {RUN_ID}")
    assert _states(page) == ["Done", "Done", "In progress", "Not started", "Not started", "Not started"]
    progress = page.locator("#run-progress")
    expect(progress).to_have_attribute("aria-live", "polite")
    expect(progress.get_by_role("link", name="Refresh")).to_be_visible()
    good()
    if journey.javascript:
        page.evaluate("() => { window.notReloaded = true; document.getElementById('run-progress').same = true; }")

    # And the run finishes
    record(COMPLETE)

    if journey.javascript:
        # Then, with JavaScript, the page shows it within a few seconds, without a reload, in the same live region
        expect(progress).to_contain_text("Complete", timeout=15_000)
        assert _states(page) == ["Done"] * 6
        assert page.evaluate("() => window.notReloaded === true && document.getElementById('run-progress').same")
        # And stops refreshing: no Refresh link, no more requests for the page
        expect(progress.get_by_role("link", name="Refresh")).to_have_count(0)
        expect(progress).not_to_have_attribute("data-app-refresh-seconds", "5")
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url) if RUN_ID in request.url else None)
        page.wait_for_timeout(6_000)
        assert fetched == []
    else:
        # Then, without, the page stays as it was until Colin presses Refresh
        page.wait_for_timeout(6_000)
        assert _states(page)[2] == "In progress"
        progress.get_by_role("link", name="Refresh").click()
        expect(page.locator("#run-progress")).to_contain_text("Complete")
        assert _states(page) == ["Done"] * 6
        expect(page.locator("#run-progress").get_by_role("link", name="Refresh")).to_have_count(0)
    good()
