"""A claim is paid exactly once, whatever fails and whoever retries: the template's state machine executed by
moto, with faults injected into its tasks.

Each case ends the same way: every ready claim is in exactly one payment file, that file reconciled
(rows = claims owned = claims moved, totals equal), and the payer has exactly one working link to it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from shared.claims.people import Role, User
from tests.support import REGION, queued_emails
from tests.workflows.conftest import Workflow, add_window

CLOSED = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)
WINDOW = "wx"
RUN = f"{WINDOW}-run-1"
PAYERS = ["payments@payer.example.gov.uk"]
SERVICE_URL = "https://claim-funding.example.gov.uk"
LINK = re.compile(re.escape(SERVICE_URL) + r"/downloads/([A-Za-z0-9_-]{43})")
READY = {"80000001": ("1000001", 10), "80000002": ("1000002", 6), "80000003": ("1000003", 4)}
COLIN = User(
    user_id="user-colin-chapman",
    first_name="Colin",
    last_name="Chapman",
    email="colin.chapman@education.gov.uk",
    role=Role.SUPPORT,
)


class Crash(Exception):
    """Not a transient error: the task is not retried, the run fails (as a bug or a lost Lambda would)."""


@pytest.fixture
def runs(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> Workflow:
    """The workflow as template.yaml configures the support console and NotifyPayer."""
    from shared.config import settings

    for name, value in workflow.provisioned.environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PAYER_EMAIL_ADDRESSES", ", ".join(PAYERS))
    monkeypatch.setenv("SERVICE_URL", SERVICE_URL)
    settings.cache_clear()
    _window_with_ready_claims()
    return workflow


def _window_with_ready_claims() -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.organisations import Provider, School
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import _to_item
    from shared.data.organisations import Organisations, Providers

    year = AcademicYear.for_date(CLOSED)
    Organisations().put_school(
        School(
            organisation_id="100001",
            urn="100001",
            name="Alpha Primary School",
            district_admin_code="E08000035",
            local_authority_name="Leeds",
            vendor_number="V100001",
            eligible_years=frozenset({year.name}),
        )
    )
    Providers().put(
        Provider(code="N97", name="Sheffield Hallam University", provider_type="university", accredited=True, ukprn="1")
    )
    add_window(WINDOW, CLOSED)
    submitted = dt.datetime.combine(CLOSED, dt.time(10), dt.UTC)
    for reference, (trn, hours) in READY.items():
        _to_item(
            Claim(
                reference=reference,
                school_id="100001",
                school_name="Alpha Primary School",
                provider_code="N97",
                provider_name="Sheffield Hallam University",
                window_id=WINDOW,
                academic_year=year,
                status=ClaimStatus.SUBMITTED,
                mentors=(
                    ClaimMentor(
                        trn=trn, first_name="A", last_name="B", hours=hours, training_type=TrainingType.INITIAL
                    ),
                ),
                region="Rest of England",
                hourly_rate_pence=4380,
                amount_pence=hours * 4380,
                created_at=submitted,
                submitted_at=submitted,
                submitted_by="user-anne-wilson",
                submitted_by_name="Anne Wilson",
            )
        ).save()


def _start(workflow: Workflow, run_id: str = RUN) -> dict[str, Any]:
    payload = {"window_id": WINDOW, "run_id": run_id, "trigger": "person", "started_by": COLIN.user_id}
    return workflow.wait(workflow.start(run_id, payload))


def _retry(workflow: Workflow, run_id: str = RUN) -> dict[str, Any]:
    """Support presses "Retry run" (the console's use case), and the retry's execution finishes."""
    from shared.data import executions
    from shared.usecases.payment_runs import retry

    name = retry(run_id, COLIN, dt.datetime.now(dt.UTC))
    assert name is not None
    found = executions.describe(name)
    assert found is not None
    return workflow.wait(found.execution_arn)


def _file_rows(key: str) -> list[dict[str, str]]:
    body = boto3.client("s3", region_name=REGION).get_object(Bucket=os.environ["FILES_BUCKET"], Key=key)["Body"]
    return list(csv.DictReader(io.StringIO(body.read().decode("utf-8"))))


def _all_payment_files() -> list[str]:
    listing = boto3.client("s3", region_name=REGION).list_objects_v2(
        Bucket=os.environ["FILES_BUCKET"], Prefix="payment-runs/"
    )
    return [item["Key"] for item in listing.get("Contents", []) if "payments-claims-" in item["Key"]]


def _live_links() -> list[dict[str, Any]]:
    from shared.config import settings

    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=settings().download_tokens_table)["Items"]
    return [item for item in items if "file_key" in item and "replaced_at" not in item]


def _assert_paid_exactly_once(run_id: str = RUN) -> None:
    """Every ready claim in exactly one file (the run's reconciled one), moved, and one working payer link."""
    from shared.data.batches import PaymentRuns
    from shared.data.claims import ClaimsStore

    run = PaymentRuns().get(run_id)
    assert run is not None
    assert run.status == "completed", (run.status, run.failure)
    assert run.reconciliation is not None
    assert run.reconciliation.passed
    assert (run.reconciliation.rows, run.reconciliation.owned, run.reconciliation.moved) == (3, 3, 3)
    sent = _file_rows(run.file_key or "")
    assert sorted(row["claim_reference"] for row in sent) == sorted(READY)
    # No other payment file holds any of these claims (files set aside before any move were never sent)
    voided = {void.key for void in run.void_files}
    for key in _all_payment_files():
        if key != run.file_key:
            assert key in voided, key
    for reference in READY:
        claim = ClaimsStore().get(reference)
        assert (claim.status.value, claim.payment_run_id, claim.payment_file_key) == (
            "payment_in_progress",
            run_id,
            run.file_key,
        )
    (link,) = _live_links()
    assert link["file_key"]["S"] == run.file_key
    tokens = {LINK.findall(email["body"])[0] for email in queued_emails()}
    assert [hashlib.sha256(t.encode()).hexdigest() for t in tokens].count(link["token_hash"]["S"]) == 1


def _fail_once(monkeypatch: pytest.MonkeyPatch, target: str, crash_after: Callable[..., Any] | None = None) -> None:
    """The first call of `target` ("module:name" or "module:Class.name") raises Crash, before doing anything or
    after `crash_after` did its part."""
    import importlib

    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, attribute = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    real = getattr(owner, attribute)
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            if crash_after is not None:
                crash_after(real, *args, **kwargs)
            raise Crash(f"{attribute} crashed")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, attribute, failing)


# -- a failure at every task, then "Retry run" -----------------------------------------------------------------
TASKS = {
    "CloseWindow": "functions.close_window.app:close_window",
    "PlanValidation": "functions.validate_claims.app:plan_validation",
    "ValidatePage": "functions.validate_claims.app:validate_page",
    "ListReviews": "functions.await_review.app:flagged_in_run",
    "GeneratePaymentFile": "functions.generate_payment_file.app:generate_payment_file",
    "ReconcilePaymentFile": "functions.reconcile_payment_file.app:reconcile_payment_file",
    "NotifyPayer": "functions.notify_payer.app:notify_payer",
}


@pytest.mark.parametrize("task", sorted(TASKS))
def test_a_run_that_fails_at_any_task_is_retried_and_pays_each_claim_once(
    runs: Workflow, monkeypatch: pytest.MonkeyPatch, task: str
) -> None:
    from shared.data.batches import PaymentRuns
    from shared.data.claim_windows import ClaimWindows
    from shared.usecases.payment_runs import run_page

    # Given the task fails once, in a way no Retry absorbs
    _fail_once(monkeypatch, TASKS[task])
    # When the run executes
    result = _start(runs)
    # Then it failed, was recorded as failed, freed its window, and nothing reached the payer
    assert result["status"] == "FAILED"
    run = PaymentRuns().get(RUN)
    assert run is not None
    assert run.status == "failed"
    assert ClaimWindows().get(WINDOW).active_run is None
    if task != "NotifyPayer":
        assert _live_links() == []
        assert queued_emails() == []
    view = run_page(RUN)
    assert view.can_retry
    assert not view.can_send_link
    # When support retries it
    retried = _retry(runs)
    # Then the retry finished the run: each claim paid once, one working link
    assert retried["status"] == "SUCCEEDED", retried
    _assert_paid_exactly_once()
    assert PaymentRuns().get(RUN).attempts == 1


# -- faults inside the file task and NotifyPayer ----------------------------------------------------------------
def test_a_crash_after_the_file_is_written_and_before_any_move_then_retry_run(
    runs: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.data.batches import PaymentRuns
    from shared.data.claims import ClaimsStore

    # Given the file task stops after writing and recording the file, before moving any claim
    _fail_once(monkeypatch, "shared.usecases.payment_run_tasks:_move_owned_claims")
    assert _start(runs)["status"] == "FAILED"
    run = PaymentRuns().get(RUN)
    assert run is not None
    assert run.file_key
    written = run.file_key
    assert {ClaimsStore().get(r).status.value for r in READY} == {"submitted"}
    assert {ClaimsStore().get(r).payment_run_id for r in READY} == {RUN}  # owned, so no other run can take them
    # When support retries the run
    assert _retry(runs)["status"] == "SUCCEEDED"
    # Then it used the file it had written (no second file), and paid each claim once
    assert PaymentRuns().get(RUN).file_key == written
    assert _all_payment_files() == [written]
    _assert_paid_exactly_once()


def test_a_crash_half_way_through_the_moves_then_retry_run(runs: Workflow, monkeypatch: pytest.MonkeyPatch) -> None:
    import shared.usecases.payment_run_tasks as payment_run
    from shared.data.claims import ClaimsStore

    # Given claims move one to a transaction, and the task stops after the first
    monkeypatch.setattr(payment_run, "GROUP_SIZE", 1)

    def first_only(real: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)

    _fail_once(monkeypatch, "shared.usecases.payment_run_tasks:apply_group", crash_after=first_only)
    assert _start(runs)["status"] == "FAILED"
    statuses = sorted(ClaimsStore().get(r).status.value for r in READY)
    assert statuses == ["payment_in_progress", "submitted", "submitted"]
    # When support retries the run
    assert _retry(runs)["status"] == "SUCCEEDED"
    # Then the rest moved, into the same file, and the payer got one link
    assert len(_all_payment_files()) == 1
    _assert_paid_exactly_once()


def test_a_transient_failure_half_way_through_the_moves_is_retried_by_the_workflow(
    runs: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.usecases.payment_run_tasks as payment_run
    from shared.usecases.bulk import apply_group as real
    from shared.usecases.payment_run_tasks import TransientError

    monkeypatch.setattr(payment_run, "GROUP_SIZE", 1)
    calls = {"n": 0}

    def throttled(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise TransientError("throttled")
        return real(*args, **kwargs)

    monkeypatch.setattr("shared.usecases.payment_run_tasks.apply_group", throttled)
    # When the run executes (the file task fails once and its Retry runs it again in the same execution)
    assert _start(runs)["status"] == "SUCCEEDED"
    _assert_paid_exactly_once()


def test_a_crash_inside_notify_payer_after_its_emails_were_queued_then_retry_run(
    runs: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given NotifyPayer queues the emails and then stops before noting that it did
    _fail_once(monkeypatch, "shared.data.download_tokens:DownloadTokens.mark_queued")
    assert _start(runs)["status"] == "FAILED"
    # When support retries the run
    assert _retry(runs)["status"] == "SUCCEEDED"
    # Then the payer was sent the link again (the retry cannot know the first emails went), and only the
    # latest link works: each claim in one file, one working link to it
    _assert_paid_exactly_once()


# -- reconciliation -------------------------------------------------------------------------------------------
def test_a_file_that_leaves_out_an_owned_claim_is_set_aside_and_nothing_is_sent(
    runs: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.usecases.payment_run_tasks as payment_run
    from shared.data.batches import PaymentRuns

    # Given the first file written leaves out one of the claims the run owns (a bug in the writer)
    real_row = payment_run.payment_row
    calls = {"n": 0}

    def dropping(claim: Any, school: Any) -> Any:
        calls["n"] += 1
        row = real_row(claim, school)
        return (row[0].replace("80000002", "89999999"), *row[1:]) if calls["n"] == 2 else row

    monkeypatch.setattr(payment_run, "payment_row", dropping)
    from shared.observability import metrics

    metrics_seen: list[str] = []
    real_metric = metrics.add_metric

    def recording(name: str, unit: str, value: float) -> None:
        metrics_seen.append(name)
        real_metric(name=name, unit=unit, value=value)

    monkeypatch.setattr(metrics, "add_metric", recording)
    # When the run executes
    result = _start(runs)
    # Then the run failed before moving anything, the alarm's metric was emitted, nothing reached the payer
    assert result["status"] == "FAILED"
    assert "PaymentRunReconciliationFailed" in metrics_seen
    run = PaymentRuns().get(RUN)
    assert run is not None
    assert run.failure is not None
    assert run.failure.error == "ReconciliationFailed"
    assert run.file_key is None  # set aside: a retry writes a fresh one
    (void,) = run.void_files
    assert "89999999 is in the file but not owned by the run" in void.reason
    assert _live_links() == []
    assert queued_emails() == []
    # When support retries it (the writer is right again)
    assert _retry(runs)["status"] == "SUCCEEDED"
    # Then a fresh file reconciled and was sent; the bad one never was
    _assert_paid_exactly_once()
    assert len(_all_payment_files()) == 2


def test_claims_that_did_not_all_move_fail_the_reconciliation_before_the_payer_is_told(
    runs: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.usecases.payment_run_tasks as payment_run
    from shared.data.batches import PaymentRuns

    # Given the moves skip one claim without saying so (a bug)
    real_move = payment_run._move_owned_claims
    calls = {"n": 0}

    def skipping(run_id: str, key: str, now: dt.datetime) -> int:
        calls["n"] += 1
        if calls["n"] > 1:
            return real_move(run_id, key, now)
        from shared.claims.statuses import ClaimStatus
        from shared.data.claims import ClaimsStore, StatusChange

        store = ClaimsStore()
        for reference in ("80000001", "80000002"):
            claim = store.get(reference)
            store.apply(StatusChange(claim, ClaimStatus.PAYMENT_IN_PROGRESS, owned_by=run_id, file_key=key), "t", now)
        return 2

    monkeypatch.setattr(payment_run, "_move_owned_claims", skipping)
    # When the run executes
    result = _start(runs)
    # Then ReconcilePaymentFile failed the run: the reconciliation is recorded, and no link was issued
    assert result["status"] == "FAILED"
    run = PaymentRuns().get(RUN)
    assert run is not None
    assert run.reconciliation is not None
    assert not run.reconciliation.passed
    assert (run.reconciliation.rows, run.reconciliation.owned, run.reconciliation.moved) == (3, 3, 2)
    assert "80000003 did not move to payment" in run.reconciliation.examples
    assert _live_links() == []
    assert queued_emails() == []
    # When support retries it, the last claim moves and the file reconciles and is sent
    assert _retry(runs)["status"] == "SUCCEEDED"
    _assert_paid_exactly_once()


# -- one active run per window --------------------------------------------------------------------------------
def test_a_second_run_of_a_window_while_one_is_in_review_does_nothing_and_says_so(
    runs: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from shared.data.batches import PaymentRuns
    from shared.usecases.payment_runs import RunInProgress, run_now

    # Given run 1 waits for a support review of a flagged claim (submitted by its own mentor)
    monkeypatch.setenv("REVIEW_TIMEOUT_SECONDS", "60")
    from shared.config import settings

    settings.cache_clear()
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore
    from shared.data.items import ClaimItem

    ClaimItem(claim_id="80000003").update(actions=[ClaimItem.submitted_by_name.set("A B")])
    first = runs.start(RUN, {"window_id": WINDOW, "run_id": RUN, "trigger": "schedule"})
    waiting = threading.Event()
    for _ in range(400):
        if ClaimsStore().review_holder("80000003")[1]:
            waiting.set()
            break
        threading.Event().wait(0.05)
    assert waiting.is_set(), "run 1 never waited for the review"
    # When "Run payment now" is pressed for the window
    with pytest.raises(RunInProgress) as refused:
        run_now(WINDOW, 2, COLIN)
    assert refused.value.run_id == RUN
    # And a second run of the window starts anyway (a stale page, or the schedule): it does nothing
    second = runs.wait(runs.start(f"{WINDOW}-run-2", {"window_id": WINDOW, "run_id": f"{WINDOW}-run-2"}))
    assert second["status"] == "SUCCEEDED"
    recorded = PaymentRuns().get(f"{WINDOW}-run-2")
    assert recorded is not None
    assert recorded.status == "not_started"
    assert recorded.not_started_reason == f"Payment run {RUN} of this window was in progress"
    assert recorded.file_key is None
    # When support approves the claim, run 1 goes on and pays all three, once
    from shared.usecases.support_review import approve

    approve(ClaimsStore().get("80000003"), COLIN, dt.datetime.now(dt.UTC))
    assert runs.wait(first, timeout=60)["status"] == "SUCCEEDED"
    assert ClaimsStore().get("80000003").status is ClaimStatus.PAYMENT_IN_PROGRESS
    _assert_paid_exactly_once()
    # And the window is free for the next run
    from shared.data.claim_windows import ClaimWindows

    assert ClaimWindows().get(WINDOW).active_run is None
    assert json.loads(second["output"])["skipped"] is True
