"""The Payments page's runs: progress, the file for support users, and "Run payment now"."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.support import NOW, REGION, Client


@pytest.fixture
def colin(client: Client, configured: dict[str, str]) -> Client:
    client.sign_in("Colin Chapman")
    client.get("/support/payments/upload")  # a page with a form: his CSRF token
    return client


def _closed_window() -> str:
    from shared.data.repositories import ClaimWindows

    return next(w.window_id for w in ClaimWindows().all() if w.closed_at is not None)


def _run(run_id: str, window_id: str, rows: int, total: int, file: bytes | None) -> None:
    import os

    from shared.data.batches import PaymentRuns

    runs = PaymentRuns()
    runs.start(run_id, window_id, "schedule", "scheduler", NOW)
    runs.record_counts(run_id, validated=5, flagged=2)
    if file is not None:
        key = f"payment-runs/{run_id}/payments.csv"
        boto3.client("s3", region_name=REGION).put_object(Bucket=os.environ["FILES_BUCKET"], Key=key, Body=file)
        runs.record_file(run_id, key, "sha", rows, total)


def test_runs_show_their_progress_and_files_only_to_support(colin: Client, apps: dict[str, Any]) -> None:
    window = _closed_window()
    _run(f"window-{window}-run-1", window, 3, 131400, b"claim_reference,school_urn\r\n12345678,100001\r\n")
    page = colin.get("/support/payments")
    row = page.soup.find("td", string=f"window-{window}-run-1").find_parent("tr").get_text(" ", strip=True)
    for expected in ("Scheduled", "File ready", "5 checked, 2 flagged, 3 in file", "£1,314.00"):
        assert expected in row, expected
    download = colin.get(f"/support/payments/runs/window-{window}-run-1/file", check=False)
    assert download.status == 200
    assert download.headers["Content-Disposition"] == ['attachment; filename="payments.csv"']
    assert download.body.startswith("claim_reference,school_urn")
    anne = Client(web=apps["web"], support=apps["support"])
    anne.sign_in("Anne Wilson")
    assert anne.get(f"/support/payments/runs/window-{window}-run-1/file").status == 403
    assert colin.get("/support/payments/runs/no-such-run/file").status == 404


def test_run_payment_now_starts_the_next_run_once(colin: Client, configured: dict[str, str]) -> None:
    window = _closed_window()
    page = colin.get(f"/support/payments/run/{window}")
    assert page.h1 == "Run payment now"
    assert "This action cannot be undone." in page.text()
    number = page.soup.find("input", attrs={"name": "run"})["value"]
    done = colin.post(f"/support/payments/run/{window}", {"run": number})
    assert done.location == "/support/payments"
    assert f"Payment run {window}-run-{number} started" in colin.follow(done).text()
    sfn = boto3.client("stepfunctions", region_name=REGION)
    executions = sfn.list_executions(stateMachineArn=configured["CLAIM_WINDOW_STATE_MACHINE_ARN"])["executions"]
    mine = [e for e in executions if e["name"] == f"{window}-run-{number}"]
    assert len(mine) == 1
    started = json.loads(sfn.describe_execution(executionArn=mine[0]["executionArn"])["input"])
    assert started == {
        "window_id": window,
        "run_id": f"{window}-run-{number}",
        "trigger": "person",
        "started_by": "user-colin-chapman",
        "started_by_name": "Colin Chapman",
    }
    # Pressing the same button again (a stale page) starts nothing
    again = colin.post(f"/support/payments/run/{window}", {"run": number})
    assert "nothing more was started" in colin.follow(again).text()
    assert (
        len(
            [
                e
                for e in sfn.list_executions(stateMachineArn=configured["CLAIM_WINDOW_STATE_MACHINE_ARN"])["executions"]
                if e["name"].startswith(f"{window}-run-")
            ]
        )
        == 1
    )


def test_a_window_closed_early_shows_the_day_it_closed(colin: Client) -> None:
    import datetime as dt

    from shared.claims.academic_years import AcademicYear
    from shared.claims.windows import ClaimWindow
    from shared.data.repositories import ClaimWindows

    # Given a window planned to close on 31 March 2027, closed today with "Close window now"
    ClaimWindows().put(
        ClaimWindow(
            window_id="early-close",
            academic_year=AcademicYear.parse("2026 to 2027"),
            opens_on=dt.date(2026, 11, 1),
            closes_on=dt.date(2027, 3, 31),
            closed_at=NOW,
        )
    )
    _run("window-early-close-run-1", "early-close", 0, 0, None)
    row = colin.get("/support/payments").soup.find("td", string="window-early-close-run-1").find_parent("tr")
    # Then its run says the day it closed, not the day it was planned to
    assert "2026 to 2027, closed 28 November 2026" in row.get_text(" ", strip=True)


def test_an_open_or_unknown_window_cannot_be_run(colin: Client) -> None:
    from shared.data.repositories import ClaimWindows

    open_window = next(w.window_id for w in ClaimWindows().all() if w.closed_at is None)
    assert colin.get(f"/support/payments/run/{open_window}").status == 404
    assert colin.get("/support/payments/run/no-such-window").status == 404
