"""The clawback run executed in moto (ADR 0034): the claims waiting for a clawback are taken, written to one
reconciled file, moved to clawback_in_progress and the payer emailed one link; a run with nothing waiting ends
without a file or an email; a second start of a run, or a run while another is in flight, does nothing; a
failing task is retried, then recorded, the claims given back; a retried task takes, writes and moves once; a
file that does not reconcile stops the run before anything leaves."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from shared.claims.academic_years import london_today
from shared.claims.clawback_runs import ClawbackTrigger
from tests.support import REGION, queued_emails
from tests.workflows.conftest import Workflow

NOW = dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)
SERVICE_URL = "https://claim-funding.example.gov.uk"
PAYER = "payments@payer.example.gov.uk"
RATE = 4380


@pytest.fixture
def clawbacks(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> Workflow:
    """The workflow with what template.yaml gives the run's tasks: the email queue, the URL, the payer."""
    from shared.config import settings

    monkeypatch.setenv("EMAIL_QUEUE_URL", workflow.provisioned.environment["EMAIL_QUEUE_URL"])
    monkeypatch.setenv("SERVICE_URL", SERVICE_URL)
    monkeypatch.setenv("PAYER_EMAIL_ADDRESSES", PAYER)
    monkeypatch.setenv(
        "CLAWBACK_RUN_STATE_MACHINE_ARN", workflow.provisioned.state_machine_arns["ClawbackRunStateMachine"]
    )
    settings.cache_clear()
    return workflow


def _start(workflow: Workflow, run_id: str) -> str:
    from shared.usecases.clawback_run import run_input

    arn = workflow.provisioned.state_machine_arns["ClawbackRunStateMachine"]
    payload = run_input(run_id, ClawbackTrigger.PERSON, "user-colin-chapman", "Colin Chapman")
    return str(
        workflow.sfn.start_execution(stateMachineArn=arn, name=run_id, input=json.dumps(payload))["executionArn"]
    )


def _waiting(reference: str, clawed_back_hours: int = 4, status: str = "clawback_requested") -> None:
    """A paid, audited claim whose clawback a second support user approved: it waits for a clawback run."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.audit_answers import CLAWBACK_PENDING, ClawbackRequest, MentorClawback
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import _to_item

    claim = Claim(
        reference=reference,
        school_id="100001",
        school_name="Alpha Primary School",
        provider_code="N97",
        provider_name="Provider N97",
        window_id="w1",
        academic_year=AcademicYear(2025),
        status=ClaimStatus(status),
        mentors=(
            ClaimMentor(
                trn="1000001", first_name="Emily", last_name="Carter", hours=6, training_type=TrainingType.INITIAL
            ),
        ),
        region="Rest of England",
        hourly_rate_pence=RATE,
        amount_pence=6 * RATE,
        created_at=NOW - dt.timedelta(days=200),
        submitted_at=NOW - dt.timedelta(days=200),
        clawback=ClawbackRequest(
            mentors=(
                MentorClawback(
                    trn="1000001",
                    hours_claimed=6,
                    hours_completed=6 - clawed_back_hours,
                    hours_clawed_back=clawed_back_hours,
                    hourly_rate_pence=RATE,
                ),
            ),
            requested_by="user-colin-chapman",
            requested_by_name="Colin Chapman",
            requested_at=NOW - dt.timedelta(days=3),
            decided_by="user-sam-brooks",
            decided_by_name="Sam Brooks",
            decided_at=NOW - dt.timedelta(days=2),
        ),
        clawback_run_id=CLAWBACK_PENDING,
    )
    _to_item(claim).save()


def _claim(reference: str) -> Any:
    from shared.data.claims import ClaimsStore

    return ClaimsStore().get(reference)


def _events(reference: str) -> list[str]:
    from shared.data.claims import ClaimsStore

    return [event["action"] for event in ClaimsStore().events(reference)]


def _files(run_id: str) -> list[str]:
    from shared.config import settings

    listed = boto3.client("s3", region_name=REGION).list_objects_v2(
        Bucket=settings().files_bucket, Prefix=f"clawback-runs/{run_id}/"
    )
    return [item["Key"] for item in listed.get("Contents", [])]


def _run(run_id: str) -> Any:
    from shared.data.clawback_runs import ClawbackRuns

    return ClawbackRuns().get(run_id)


def _in_flight() -> str | None:
    from shared.data.clawback_runs import ClawbackRuns

    return ClawbackRuns().in_flight()


def test_a_run_sends_every_waiting_claim_in_one_reconciled_file_and_emails_the_payer_one_link(
    clawbacks: Workflow,
) -> None:
    # Given two claims waiting for a clawback (4 and 2 hours at £43.80) and one still waiting for approval
    from shared.claims.clawback_file import CLAWBACK_FILE_HEADERS
    from shared.claims.clawback_runs import ClawbackRunStatus
    from shared.claims.statuses import ClaimStatus
    from shared.data.files import read

    _waiting("20000001", 4)
    _waiting("20000002", 2)
    _waiting("20000003", 1, status="clawback_requires_approval")
    run_id = "clawback-20261207T070000Z-0a0b0c0d"
    # When the run is executed
    result = clawbacks.wait(_start(clawbacks, run_id))
    # Then it succeeds: both claims are with the payer, each with its events, owned by the run
    assert result["status"] == "SUCCEEDED", result
    for reference in ("20000001", "20000002"):
        claim = _claim(reference)
        assert claim.status is ClaimStatus.CLAWBACK_IN_PROGRESS
        assert claim.clawback_run_id == run_id
        assert _events(reference)[-2:] == ["taken_for_clawback_run", "sent_to_payer_for_clawback"]
    assert _claim("20000003").status is ClaimStatus.CLAWBACK_REQUIRES_APPROVAL
    # And one file holds exactly them, each with its clawback, its SHA-256 recorded
    (key,) = _files(run_id)
    assert key.startswith(f"clawback-runs/{run_id}/clawbacks-claims-")
    assert key.endswith(".csv")
    lines = read(key).decode().splitlines()
    assert lines[0].split(",") == list(CLAWBACK_FILE_HEADERS)
    assert [line.split(",")[0] for line in lines[1:]] == ["20000001", "20000002"]
    assert [line.split(",")[7] for line in lines[1:]] == ["175.20", "87.60"]
    run = _run(run_id)
    assert run.status is ClawbackRunStatus.COMPLETED
    assert (run.owned, run.row_count, run.total_pence, run.moved) == (2, 2, 6 * RATE, 2)
    assert run.reconciled
    assert run.file_key == key
    assert run.file_sha256
    # And the payer was emailed one single-use link (no personal data), and the lock is free
    (email,) = queued_emails()
    assert email["to"] == PAYER
    assert email["kind"] == "clawback_file_ready"
    assert f"{SERVICE_URL}/downloads/" in email["body"]
    assert "2 claims" in email["body"]
    assert "£262.80" in email["body"]
    assert "Alpha Primary School" not in email["body"]
    assert _in_flight() is None
    # And the link opens the file as clawbacks-claims-<date>.csv, once
    from shared.usecases.payer_links import DownloadOutcome, download_page, open_download

    token = email["body"].split(f"{SERVICE_URL}/downloads/", 1)[1].split()[0]
    shown = download_page(token, NOW)
    assert (shown.filename, shown.claims, shown.clawback) == (run.file_name, 2, True)
    assert run.file_name == f"clawbacks-claims-{london_today(run.created_at).isoformat()}.csv"
    file = open_download(token, NOW)
    assert file.outcome is DownloadOutcome.FILE
    assert file.content.splitlines()[1].startswith("20000001,")
    assert open_download(token, NOW).outcome is DownloadOutcome.USED
    # And the run is on the Activity page
    from shared.data.activity import Activity

    entry = Activity().get(f"clawback-run-{run_id}")
    assert entry is not None
    assert entry.counts == {"claims": 2}
    assert entry.actor_name == "Colin Chapman"


def test_a_run_with_nothing_waiting_ends_without_a_file_or_an_email(clawbacks: Workflow) -> None:
    from shared.claims.clawback_runs import ClawbackRunStatus

    run_id = "clawback-20261207T070000Z-00000001"
    result = clawbacks.wait(_start(clawbacks, run_id))
    assert result["status"] == "SUCCEEDED", result
    assert _run(run_id).status is ClawbackRunStatus.NO_CLAIMS
    assert _files(run_id) == []
    assert queued_emails() == []
    assert _in_flight() is None


def test_a_second_start_of_a_run_is_refused_and_a_run_while_another_is_in_flight_does_nothing(
    clawbacks: Workflow,
) -> None:
    from shared.claims.clawback_runs import ClawbackRunStatus
    from shared.claims.statuses import ClaimStatus
    from shared.data.clawback_runs import ClawbackRuns
    from shared.usecases.clawback_run import run_input, start

    _waiting("20000011")
    # Given another run, still running, holds the lock
    ClawbackRuns().start("clawback-20261207T060000Z-ffffffff", ClawbackTrigger.SCHEDULE, "scheduler", "", NOW)
    assert ClawbackRuns().take_lock("clawback-20261207T060000Z-ffffffff", NOW)
    run_id = "clawback-20261207T070000Z-00000002"
    # When a run starts, and support's start of the same run is pressed again
    first = _start(clawbacks, run_id)
    assert not start(run_id, run_input(run_id, ClawbackTrigger.PERSON))
    arn = clawbacks.provisioned.state_machine_arns["ClawbackRunStateMachine"]
    with pytest.raises(ClientError):
        clawbacks.sfn.start_execution(stateMachineArn=arn, name=run_id, input=json.dumps({"run_id": run_id}))
    result = clawbacks.wait(first)
    # Then the run did nothing: recorded as not started, the claim still waiting, no file, no email
    assert result["status"] == "SUCCEEDED", result
    run = _run(run_id)
    assert run.status is ClawbackRunStatus.NOT_STARTED
    assert "clawback-20261207T060000Z-ffffffff" in run.not_started_reason
    assert _claim("20000011").status is ClaimStatus.CLAWBACK_REQUESTED
    assert _claim("20000011").clawback_run_id == "pending"
    assert _files(run_id) == []
    assert queued_emails() == []
    # And the lock is still the other run's
    assert _in_flight() == "clawback-20261207T060000Z-ffffffff"


def test_a_failing_task_is_recorded_the_claims_given_back_and_the_lock_freed(
    clawbacks: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.claims.clawback_runs import ClawbackRunStatus
    from shared.claims.statuses import ClaimStatus
    from shared.usecases import clawback_run

    _waiting("20000021")

    def broken(claims: Any) -> Any:
        raise RuntimeError("S3 is down")

    monkeypatch.setattr(clawback_run, "file_content", broken)
    run_id = "clawback-20261207T070000Z-00000003"
    result = clawbacks.wait(_start(clawbacks, run_id))
    # Then the execution fails, recorded on the run with the error
    assert result["status"] == "FAILED", result
    run = _run(run_id)
    assert run.status is ClawbackRunStatus.FAILED
    assert "RuntimeError" in run.failure
    # And the claim waits for the next run again (with its events), nothing was sent, the lock is free
    claim = _claim("20000021")
    assert (claim.status, claim.clawback_run_id) == (ClaimStatus.CLAWBACK_REQUESTED, "pending")
    assert _events("20000021")[-2:] == ["taken_for_clawback_run", "released_from_clawback_run"]
    assert _files(run_id) == []
    assert queued_emails() == []
    assert _in_flight() is None


def test_a_retried_task_takes_writes_and_moves_once(clawbacks: Workflow, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the file task and the move task each fail once, after doing their work (a timeout, say)
    from shared.claims.clawback_runs import ClawbackRunStatus
    from shared.usecases import clawback_run
    from shared.usecases.payment_run_tasks import TransientError

    _waiting("20000031")
    _waiting("20000032")
    calls = {"write_file": 0, "move": 0, "take": 0}
    for name in ("write_file", "move", "take"):
        original = clawback_run.TASKS[name]

        def flaky(state: Any, now: dt.datetime, name: str = name, original: Any = original) -> Any:
            result = original(state, now)
            calls[name] += 1
            if calls[name] == 1:
                raise TransientError(f"{name} timed out after its work")
            return result

        monkeypatch.setitem(clawback_run.TASKS, name, flaky)
    run_id = "clawback-20261207T070000Z-00000004"
    result = clawbacks.wait(_start(clawbacks, run_id), timeout=60)
    # Then each retried, and the run still wrote one file and moved each claim once
    assert result["status"] == "SUCCEEDED", result
    assert calls == {"write_file": 2, "move": 2, "take": 2}
    assert len(_files(run_id)) == 1
    for reference in ("20000031", "20000032"):
        events = _events(reference)
        assert events.count("taken_for_clawback_run") == 1
        assert events.count("sent_to_payer_for_clawback") == 1
    run = _run(run_id)
    assert run.status is ClawbackRunStatus.COMPLETED
    assert (run.owned, run.row_count) == (2, 2)
    assert len(queued_emails()) == 1


def test_a_file_that_does_not_reconcile_stops_the_run_before_anything_leaves(
    clawbacks: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the file loses a row on its way to S3
    from shared.claims.clawback_runs import ClawbackRunStatus
    from shared.claims.statuses import ClaimStatus
    from shared.usecases import clawback_run

    _waiting("20000041")
    _waiting("20000042")
    original = clawback_run.file_content

    def short(claims: Any) -> Any:
        content, rows, total, _ = original(claims)
        lines = content.decode().splitlines(keepends=True)
        dropped = "".join(lines[:-1]).encode()
        from shared.claims.clawback_file import file_sha256

        return dropped, rows, total, file_sha256(dropped)

    monkeypatch.setattr(clawback_run, "file_content", short)
    run_id = "clawback-20261207T070000Z-00000005"
    result = clawbacks.wait(_start(clawbacks, run_id))
    # Then the run fails at reconciliation: no claim moved, no email, the claims wait for the next run
    assert result["status"] == "FAILED", result
    run = _run(run_id)
    assert run.status is ClawbackRunStatus.FAILED
    assert not run.reconciled
    assert "ReconciliationFailed" in run.failure
    assert any("20000042" in example for example in run.reconciliation_examples)
    for reference in ("20000041", "20000042"):
        claim = _claim(reference)
        assert (claim.status, claim.clawback_run_id) == (ClaimStatus.CLAWBACK_REQUESTED, "pending")
        assert "sent_to_payer_for_clawback" not in _events(reference)
    assert queued_emails() == []
    states = [
        e["stateEnteredEventDetails"]["name"]
        for e in clawbacks.history(_execution(clawbacks, run_id))
        if e["type"] == "TaskStateEntered"
    ]
    assert "MoveClaims" not in states
    assert "NotifyPayer" not in states


def _execution(workflow: Workflow, run_id: str) -> str:
    arn = workflow.provisioned.state_machine_arns["ClawbackRunStateMachine"]
    return f"{arn.replace(':stateMachine:', ':execution:', 1)}:{run_id}"


def test_the_weekly_start_names_the_run_by_its_day_and_starts_it_once(clawbacks: Workflow) -> None:
    from shared.usecases.clawback_run import start_weekly

    # Given nothing is waiting: the schedule starts nothing
    assert start_weekly({"scheduled_time": "2026-12-07T07:00:00Z"}, NOW)["started"] is False
    # Given a claim waits: the schedule's delivery starts the day's run, and a second delivery does not
    _waiting("20000051")
    first = start_weekly({"scheduled_time": "2026-12-07T07:00:00Z"}, NOW)
    again = start_weekly({"scheduled_time": "2026-12-07T07:00:00Z"}, NOW)
    assert first == {"run_id": "clawback-weekly-2026-12-07", "started": True}
    assert again["started"] is False
    result = clawbacks.wait(_execution(clawbacks, "clawback-weekly-2026-12-07"))
    assert result["status"] == "SUCCEEDED", result
    assert _claim("20000051").clawback_run_id == "clawback-weekly-2026-12-07"


def test_the_local_stack_runs_the_weekly_schedule_as_aws_would(clawbacks: Workflow) -> None:
    # Given the local stack's provisioning (tests name its resources "test-<logical id>")
    from infrastructure.local.schedules import fire

    arn = clawbacks.provisioned.state_machine_arns["ClawbackRunStateMachine"]
    assert clawbacks.provisioned.environment["CLAWBACK_RUN_STATE_MACHINE_ARN"] == arn
    _waiting("20000061")
    # When its weekly schedule is fired by hand (schedules never fire in moto)
    fired = fire("test-WeeklyClawbackRunSchedule", clawbacks.provisioned.environment["SCHEDULE_GROUP_NAME"])
    # Then the start function started the day's run, which sent the claim to the payer
    assert fired.outcome == "invoked", fired
    assert fired.result is not None
    assert fired.result["started"] is True
    run_id = fired.result["run_id"]
    result = clawbacks.wait(_execution(clawbacks, run_id))
    assert result["status"] == "SUCCEEDED", result
    assert _claim("20000061").clawback_run_id == run_id
    assert run_id.startswith("clawback-weekly-")


def test_an_attempt_that_wrote_the_file_but_did_not_record_it_leaves_one_file(
    clawbacks: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the file task stops once between writing the file and recording it (the Lambda timed out, say)
    from shared.data.clawback_runs import ClawbackRuns
    from shared.usecases.payment_run_tasks import TransientError

    _waiting("20000071")
    original = ClawbackRuns.record_file
    calls = {"n": 0}

    def stopped_once(self: Any, *args: Any, **kwargs: Any) -> bool:
        calls["n"] += 1
        if calls["n"] == 1:
            raise TransientError("timed out after writing the file")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ClawbackRuns, "record_file", stopped_once)
    run_id = "clawback-20261207T070000Z-00000007"
    result = clawbacks.wait(_start(clawbacks, run_id), timeout=60)
    # Then the retry wrote the same file again, not a second one, and that is the file the payer gets
    assert result["status"] == "SUCCEEDED", result
    assert calls["n"] == 2
    (key,) = _files(run_id)
    assert _run(run_id).file_key == key


def test_a_lock_left_by_a_run_that_is_no_longer_running_is_taken_over(clawbacks: Workflow) -> None:
    # Given a run failed and its failure could not free the lock
    from shared.claims.clawback_runs import ClawbackRunStatus
    from shared.data.clawback_runs import ClawbackRuns

    stale = "clawback-20261207T050000Z-eeeeeeee"
    runs = ClawbackRuns()
    runs.start(stale, ClawbackTrigger.SCHEDULE, "scheduler", "", NOW)
    assert runs.take_lock(stale, NOW)
    runs.record_failure(stale, "States.Timeout", "", NOW)
    assert _in_flight() is None  # support's button is not refused for it
    _waiting("20000081")
    # When a run starts / Then it takes the lock over and sends the claim
    run_id = "clawback-20261207T070000Z-00000008"
    result = clawbacks.wait(_start(clawbacks, run_id))
    assert result["status"] == "SUCCEEDED", result
    assert _run(run_id).status is ClawbackRunStatus.COMPLETED
    assert _claim("20000081").clawback_run_id == run_id
    assert _in_flight() is None


def test_a_run_that_failed_after_its_claims_moved_is_finished_by_retrying_it(
    clawbacks: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the email queue refuses the payer's email once the claims have moved to the payer
    from shared.claims.clawback_runs import ClawbackRunStatus
    from shared.claims.people import Role, User
    from shared.claims.statuses import ClaimStatus
    from shared.usecases import clawback_run
    from shared.usecases.support_clawbacks import retry_run, run_view

    _waiting("20000091")
    _waiting("20000092")
    real_enqueue = clawback_run.enqueue  # type: ignore[attr-defined]  # patched where the use case looks it up

    def refused(messages: Any) -> None:
        raise RuntimeError("the queue is not there")

    monkeypatch.setattr(clawback_run, "enqueue", refused)
    run_id = "clawback-20261207T070000Z-00000009"
    failed = clawbacks.wait(_start(clawbacks, run_id), timeout=60)
    # Then the run failed, its claims stay with it (they had moved), nothing reached the payer
    assert failed["status"] == "FAILED", failed
    assert _run(run_id).status is ClawbackRunStatus.FAILED
    assert {_claim(r).clawback_run_id for r in ("20000091", "20000092")} == {run_id}
    assert queued_emails() == []
    assert run_view(run_id).retryable
    # When the queue is back and support retries the run, twice
    monkeypatch.setattr(clawback_run, "enqueue", real_enqueue)
    colin = User(
        user_id="user-colin-chapman", first_name="Colin", last_name="Chapman", email="c@x.gov.uk", role=Role.SUPPORT
    )
    assert retry_run(run_id, colin, NOW)
    assert not retry_run(run_id, colin, NOW)
    result = clawbacks.wait(_execution(clawbacks, f"{run_id}-retry-1"), timeout=60)
    # Then the run completes with the same file, each claim moved once, and the payer emailed once
    assert result["status"] == "SUCCEEDED", result
    run = _run(run_id)
    assert run.status is ClawbackRunStatus.COMPLETED
    assert (run.attempts, run.retried_by) == (1, "Colin Chapman")
    assert len(_files(run_id)) == 1
    for reference in ("20000091", "20000092"):
        assert _claim(reference).status is ClaimStatus.CLAWBACK_IN_PROGRESS
        assert _events(reference).count("sent_to_payer_for_clawback") == 1
    assert len(queued_emails()) == 1
    assert not run_view(run_id).retryable
