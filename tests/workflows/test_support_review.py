"""SupportReview in the running workflow: each flagged claim waits (a task token stored with it) for a
support decision; approve puts it in this run's file, reject keeps it out, a timeout is recorded."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.workflows.conftest import Workflow, add_window
from tests.workflows.test_payment_run import CLOSED, _claim, _file, _setup, _status


def _wait_for_token(reference: str, timeout: float = 20) -> None:
    from shared.data.items import ClaimItem

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ClaimItem.get(reference).review_token:
            return
        time.sleep(0.1)
    raise AssertionError(f"the run never waited for a review of {reference}")


def _colin() -> object:
    from shared.claims.people import Role, User

    return User(
        user_id="user-colin-chapman",
        first_name="Colin",
        last_name="Chapman",
        email="colin.chapman@education.gov.uk",
        role=Role.SUPPORT,
    )


def _start(workflow: Workflow) -> str:
    return workflow.start("window-w5-run-1", {"window_id": "w5", "run_id": "window-w5-run-1", "trigger": "person"})


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reviews wait long enough for the test to answer them."""
    from shared.config import settings

    monkeypatch.setenv("REVIEW_TIMEOUT_SECONDS", "60")
    settings.cache_clear()


def test_a_claim_approved_during_the_run_is_in_its_file(workflow: Workflow, patient: None) -> None:
    _setup()
    add_window("w5", CLOSED)
    _claim("40000001", "100001", "1000001", 10)
    _claim("40000002", "100002", "1000003", 3, submitted_by="Priya Shah")  # flagged: submitted by its mentor
    execution = _start(workflow)
    # Given the run is waiting for the flagged claim's review
    _wait_for_token("40000002")
    assert workflow.sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    # When support approves it
    from shared.data.claims import ClaimsStore
    from shared.usecases import support_review as review

    review.approve(ClaimsStore().get("40000002"), _colin(), dt.datetime.now(dt.UTC))
    # Then the run goes on and pays both claims
    result = workflow.wait(execution)
    assert result["status"] == "SUCCEEDED", result
    from shared.data.batches import PaymentRuns

    run = PaymentRuns().get("window-w5-run-1")
    assert run is not None
    assert sorted(r["claim_reference"] for r in _file(run.file_key)) == ["40000001", "40000002"]
    assert _status("40000002") == "payment_in_progress"


def test_a_claim_rejected_during_the_run_is_not_paid_and_its_hours_are_released(
    workflow: Workflow, patient: None
) -> None:
    _setup()
    add_window("w5", CLOSED)
    _claim("41000001", "100001", "1000001", 10)
    _claim("41000002", "100002", "1000003", 3, submitted_by="Priya Shah")
    execution = _start(workflow)
    _wait_for_token("41000002")
    from shared.claims.claim_actions import Rejection, RejectReason
    from shared.data.claims import ClaimsStore
    from shared.usecases import support_review as review

    disputed = Rejection((RejectReason.PROVIDER_DISPUTES_TRAINING,), "")
    review.reject(ClaimsStore().get("41000002"), _colin(), disputed, dt.datetime.now(dt.UTC))
    result = workflow.wait(execution)
    assert result["status"] == "SUCCEEDED", result
    from shared.data.batches import PaymentRuns

    run = PaymentRuns().get("window-w5-run-1")
    assert run is not None
    assert [r["claim_reference"] for r in _file(run.file_key)] == ["41000001"]
    assert _status("41000002") == "rejected"


def test_a_review_left_too_long_times_out_and_stays_out_of_the_run(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.config import settings

    monkeypatch.setenv("REVIEW_TIMEOUT_SECONDS", "1")
    settings.cache_clear()
    _setup()
    add_window("w5", CLOSED)
    _claim("42000001", "100001", "1000001", 10)
    _claim("42000002", "100002", "1000003", 3, submitted_by="Priya Shah")
    result = workflow.wait(_start(workflow), timeout=40)
    assert result["status"] == "SUCCEEDED", result
    from shared.data.batches import PaymentRuns
    from shared.data.claims import ClaimsStore

    run = PaymentRuns().get("window-w5-run-1")
    assert run is not None
    assert [r["claim_reference"] for r in _file(run.file_key)] == ["42000001"]
    assert _status("42000002") == "support_review"
    assert ClaimsStore().events("42000002")[-1]["action"] == "review_timed_out"
