"""The claim-window state machine from template.yaml, executed by moto with the project's task code."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import Any

import boto3
import pytest

from tests.support import REGION
from tests.workflows.conftest import Workflow, add_window

CLOSED_LAST_WEEK = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=7)


def _files() -> list[str]:
    listing = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=os.environ["FILES_BUCKET"])
    return [item["Key"] for item in listing.get("Contents", [])]


def _run(run_id: str) -> Any:
    from shared.data.batches import PaymentRuns

    run = PaymentRuns().get(run_id)
    assert run is not None
    return run


def test_a_due_window_is_closed_and_a_payment_file_written(workflow: Workflow) -> None:
    # Given a window that closed last week
    add_window("w1", CLOSED_LAST_WEEK)
    # When the run starts with the input the schedule or a person would send
    execution = workflow.start(
        "window-w1-run-1",
        {"window_id": "w1", "run_id": "window-w1-run-1", "trigger": "person", "started_by": "user-colin"},
    )
    result = workflow.wait(execution)
    # Then it succeeds, the window is marked closed and the file is in S3 with its SHA-256 recorded
    assert result["status"] == "SUCCEEDED", result
    from shared.data.claim_windows import ClaimWindows

    window = ClaimWindows().get("w1")
    assert window is not None
    assert window.closed_at is not None
    run = _run("window-w1-run-1")
    assert run.status == "completed"
    assert run.trigger == "person"
    body = (
        boto3.client("s3", region_name=REGION)
        .get_object(Bucket=os.environ["FILES_BUCKET"], Key=run.file_key)["Body"]
        .read()
    )
    assert body.startswith(b"claim_reference,school_urn,vendor_number,school_name,")
    assert hashlib.sha256(body).hexdigest() == run.file_sha256


def test_a_run_with_no_window_does_nothing(workflow: Workflow) -> None:
    # Given an execution started without a window (the nightly check no longer starts the workflow itself)
    result = workflow.wait(workflow.start("no-window", {"trigger": "schedule"}))
    # Then it ends at once, without a run record or a file
    assert result["status"] == "SUCCEEDED"
    from shared.data.batches import PaymentRuns

    assert PaymentRuns().all() == []
    assert _files() == []


def test_the_same_run_cannot_start_twice(workflow: Workflow) -> None:
    add_window("w2", CLOSED_LAST_WEEK)
    payload = {"window_id": "w2", "run_id": "window-w2-run-1", "trigger": "person", "started_by": "user-colin"}
    workflow.wait(workflow.start("window-w2-run-1", payload))
    with pytest.raises(workflow.sfn.exceptions.ExecutionAlreadyExists):
        workflow.start("window-w2-run-1", payload)


def test_a_transient_failure_is_retried_then_succeeds(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the validation task fails twice with a transient error, then works
    import functions.validate_claims.app as task
    from shared.usecases.payment_run_tasks import TransientError, plan_validation

    calls = {"n": 0}

    def flaky(state: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise TransientError("throttled")
        return plan_validation(state)

    monkeypatch.setattr(task, "plan_validation", flaky)
    add_window("w3", CLOSED_LAST_WEEK)
    execution = workflow.start("window-w3-run-1", {"window_id": "w3", "run_id": "window-w3-run-1"})
    # When the run executes
    result = workflow.wait(execution)
    # Then Retry absorbed both failures and the file was written
    assert result["status"] == "SUCCEEDED", result
    assert calls["n"] == 3
    failures = [e for e in workflow.history(execution) if e["type"] == "TaskFailed"]
    assert len(failures) == 2
    assert _run("window-w3-run-1").status == "completed"


def test_a_task_that_always_fails_is_caught_and_recorded(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the payment-file task always fails
    import functions.generate_payment_file.app as task
    from shared.usecases.payment_run_tasks import TransientError

    def broken(*_: Any) -> Any:
        raise TransientError("S3 unavailable")

    monkeypatch.setattr(task, "generate_payment_file", broken)
    add_window("w4", CLOSED_LAST_WEEK)
    execution = workflow.start("window-w4-run-1", {"window_id": "w4", "run_id": "window-w4-run-1"})
    # When the run executes
    result = workflow.wait(execution)
    # Then Retry gave up, Catch sent it to RecordFailure, the run is recorded as failed and no file exists
    assert result["status"] == "FAILED"
    history = workflow.history(execution)
    assert len([e for e in history if e["type"] == "TaskFailed"]) == 3  # the first try and two retries
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]
    assert entered[-2:] == ["RecordFailure", "RunFailed"]
    run = _run("window-w4-run-1")
    assert run.status == "failed"
    assert run.failure.error == "TransientError"
    assert _files() == []
