"""The Payments page's runs: progress, the file for support users, and "Run payment now"."""

from __future__ import annotations

import json
import re
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
    from shared.data.claim_windows import ClaimWindows

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
    from shared.data.claim_windows import ClaimWindows

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
    from shared.data.claim_windows import ClaimWindows

    open_window = next(w.window_id for w in ClaimWindows().all() if w.closed_at is None)
    assert colin.get(f"/support/payments/run/{open_window}").status == 404
    assert colin.get("/support/payments/run/no-such-window").status == 404


def _failed_run(run_id: str, window_id: str) -> None:
    """A run that wrote its file, then failed (as RecordFailure leaves it)."""
    from shared.data.batches import PaymentRuns

    _run(run_id, window_id, 3, 131400, b"claim_reference,school_urn\r\n12345678,100001\r\n")
    PaymentRuns().record_failure(run_id, "Crash", "GeneratePaymentFile stopped after writing the file")


def test_a_failed_run_offers_retry_and_never_its_file_to_the_payer(colin: Client, configured: dict[str, str]) -> None:
    window = _closed_window()
    run_id = f"{window}-run-7"
    _failed_run(run_id, window)
    # Given a run that failed after writing its file
    page = colin.get("/support/payments")
    row = page.soup.find("a", string=run_id).find_parent("tr")
    text = row.get_text(" ", strip=True)
    # Then Payments shows it failed and offers "Retry run", and no new link for the payer
    assert "Failed" in text
    assert "Crash" in text
    assert row.find("a", href=f"/support/payments/runs/{run_id}/retry")
    assert not row.find("a", href=f"/support/payments/runs/{run_id}/new-link")
    # And the new-link page (a stale bookmark) refuses, and sends nothing
    refused = colin.get(f"/support/payments/runs/{run_id}/new-link")
    assert "its file has not been checked against its claims. A link to it cannot be sent." in refused.text()
    assert not refused.soup.find("button", string=re.compile("Send new link"))
    colin.post(f"/support/payments/runs/{run_id}/new-link")
    from shared.data.download_tokens import DownloadTokens

    assert DownloadTokens().run_link(run_id) is None
    # And its own page says why, what the run owns, and offers the retry
    view = colin.get(f"/support/payments/{run_id}")
    assert view.h1 == f"Payment run {run_id}"
    assert "This payment run failed: Crash." in view.text()
    assert "Nothing from a failed run is sent to the payer." in view.text()
    assert view.soup.find("a", string=re.compile("Retry run"))
    # When Colin retries it
    confirm = colin.get(f"/support/payments/runs/{run_id}/retry")
    assert confirm.h1 == "Retry this payment run"
    assert "No claim will be in two payment files." in confirm.text()
    done = colin.post(f"/support/payments/runs/{run_id}/retry")
    assert done.location == f"/support/payments/{run_id}"
    assert f"Payment run {run_id} is being retried" in colin.follow(done).text()
    # Then one execution retries it, with the run's own input and its attempt
    sfn = boto3.client("stepfunctions", region_name=REGION)
    executions = sfn.list_executions(stateMachineArn=configured["CLAIM_WINDOW_STATE_MACHINE_ARN"])["executions"]
    (retry,) = [e for e in executions if e["name"].startswith(f"{run_id}-retry-")]
    assert retry["name"] == f"{run_id}-retry-1"
    started = json.loads(sfn.describe_execution(executionArn=retry["executionArn"])["input"])
    assert started == {
        "window_id": window,
        "run_id": run_id,
        "trigger": "schedule",
        "started_by": "scheduler",
        "attempt": 1,
    }
    # And pressing it again (a colleague, at the same moment) starts nothing more
    again = colin.post(f"/support/payments/runs/{run_id}/retry")
    assert "nothing more was started" in colin.follow(again).text()
    executions = sfn.list_executions(stateMachineArn=configured["CLAIM_WINDOW_STATE_MACHINE_ARN"])["executions"]
    assert len([e for e in executions if e["name"].startswith(f"{run_id}-retry-")]) == 1


def test_a_reconciled_run_shows_its_figures_and_lists_its_claims(colin: Client, apps: dict[str, Any]) -> None:
    import os

    from shared.claims.payment_runs import Reconciliation
    from shared.data.batches import PaymentRuns

    window = _closed_window()
    run_id = f"{window}-run-8"
    _run(run_id, window, 2, 87600, b"claim_reference\r\n10000001\r\n10000002\r\n")
    included = f"payment-runs/{run_id}/included-claims.csv"
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=os.environ["FILES_BUCKET"], Key=included, Body=b"claim_reference,claim_amount\r\n10000001,438.00\r\n"
    )
    PaymentRuns().record_reconciliation(
        run_id, Reconciliation(2, 87600, 2, 87600, 2), sha256_verified=True, at=NOW, included_key=included
    )
    PaymentRuns().finish(run_id, NOW)
    view = colin.get(f"/support/payments/{run_id}")
    text = view.text()
    for expected in (
        "Complete",
        "Started by Scheduled",
        "Passed",
        "Rows in the file 2",
        "Claims the run owns 2",
        "Claims moved to payment 2",
        "File total £876.00",
        "Total of the claims £876.00",
        "Matches the file as stored",
    ):
        assert expected in text, expected
    assert not view.soup.find("a", string=re.compile("Retry run"))
    assert view.soup.find("a", string="Send the payer a new link")
    listed = colin.get(f"/support/payments/runs/{run_id}/included-claims", check=False)
    assert listed.status == 200
    assert listed.headers["Content-Disposition"] == [f'attachment; filename="{run_id}-included-claims.csv"']
    assert listed.body.startswith("claim_reference,claim_amount")
    # And only support users see any of it
    anne = Client(web=apps["web"], support=apps["support"])
    anne.sign_in("Anne Wilson")
    for path in (f"/support/payments/runs/{run_id}", f"/support/payments/runs/{run_id}/included-claims"):
        assert anne.get(path, check=False).status == 403, path
    assert colin.get("/support/payments/runs/no-such-run").status == 404
    assert colin.get("/support/payments/runs/no-such-run/included-claims").status == 404


def test_run_payment_now_is_refused_while_a_run_of_the_window_is_in_progress(
    colin: Client, configured: dict[str, str]
) -> None:
    from shared.data.items import ClaimWindowItem

    sfn = boto3.client("stepfunctions", region_name=REGION)

    def executions() -> int:
        return len(sfn.list_executions(stateMachineArn=configured["CLAIM_WINDOW_STATE_MACHINE_ARN"])["executions"])

    window = _closed_window()
    before = executions()
    ClaimWindowItem(window_id=window).update(actions=[ClaimWindowItem.active_run.set(f"{window}-run-1")])
    try:
        page = colin.get(f"/support/payments/run/{window}")
        assert (
            f"You cannot start a payment run for this window while payment run {window}-run-1 is in progress."
            in page.text()
        )
        assert not page.soup.find("button", string=re.compile("Run payment now"))
        done = colin.post(f"/support/payments/run/{window}", {"run": page_number(colin, window)})
        assert (
            f"Payment run {window}-run-1 of this window is in progress: nothing more was started"
            in colin.follow(done).text()
        )
    finally:
        ClaimWindowItem(window_id=window).update(actions=[ClaimWindowItem.active_run.remove()])
    assert executions() == before  # nothing started


def page_number(colin: Client, window: str) -> str:
    """The run number the confirmation page would have carried (it shows no form while a run is active)."""
    from shared.usecases.payment_runs import plan

    planned = plan(window, NOW)
    assert planned is not None
    return str(planned.number)


def test_a_claim_s_page_names_the_run_and_the_file_that_paid_it(colin: Client) -> None:
    import datetime as dt

    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import _to_item

    window = _closed_window()
    _to_item(
        Claim(
            reference="65000001",
            school_id="100001",
            school_name="Alpha Primary School",
            provider_code="N97",
            provider_name="Sheffield Hallam University",
            window_id=window,
            academic_year=AcademicYear.parse("2025 to 2026"),
            status=ClaimStatus.PAYMENT_IN_PROGRESS,
            mentors=(
                ClaimMentor(trn="1000001", first_name="E", last_name="C", hours=2, training_type=TrainingType.INITIAL),
            ),
            region="Rest of England",
            hourly_rate_pence=4380,
            amount_pence=8760,
            created_at=NOW - dt.timedelta(days=30),
            submitted_at=NOW - dt.timedelta(days=30),
            payment_run_id=f"{window}-run-1",
            payment_file_key=f"payment-runs/{window}-run-1/payments-claims-2026-11-28T000500Z.csv",
        )
    ).save()
    text = colin.get("/support/claims/65000001").text()
    assert f"Payment run {window}-run-1" in text
    assert "Payment file payments-claims-2026-11-28T000500Z.csv" in text
