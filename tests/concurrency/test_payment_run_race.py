"""Payment runs of one window started at the same moment, their tasks interleaved, against a moto server on
loopback (real HTTP, real threads): every claim is in exactly one payment file, the files' totals add up to
the window's ready total, and only one file is sent.

The tasks are called as Step Functions calls them (each task's function, in order), one thread per run, with
a barrier before each task so that the runs' steps happen together.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import os
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import boto3
import pytest

CLAIMS = 60
HOURS = 2
_WINDOWS = itertools.count(1)
RATE = 4380
NOW = dt.datetime.now(dt.UTC)


@dataclass
class Outcome:
    run_id: str
    skipped: bool = False
    file_key: str | None = None
    rows: int = 0
    total_pence: int = 0
    notified: bool = False
    error: str | None = None
    steps: list[str] = field(default_factory=list)


@pytest.fixture
def window(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A window that closed yesterday with CLAIMS ready claims (checked, approved), each for its own mentor."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.organisations import School
    from shared.claims.statuses import ClaimStatus
    from shared.claims.windows import ClaimWindow
    from shared.config import settings
    from shared.data.claim_windows import ClaimWindows
    from shared.data.claims import _to_item
    from shared.data.items import ClaimItem
    from shared.data.organisations import Organisations

    monkeypatch.setenv("PAYER_EMAIL_ADDRESSES", "payments@payer.example.gov.uk")
    settings.cache_clear()
    window_id = f"race-{next(_WINDOWS)}"
    closed = NOW.date() - dt.timedelta(days=1)
    year = AcademicYear.for_date(closed)
    ClaimWindows().put(
        ClaimWindow(window_id=window_id, academic_year=year, opens_on=closed - dt.timedelta(days=60), closes_on=closed)
    )
    # The claims' school, with the vendor number a payment run needs before it takes a school's claims
    Organisations().put_school(
        School(organisation_id="999999", urn="999999", name="Race School", vendor_number="V999999")
    )
    base = 60_000_000 + int(window_id.rsplit("-", 1)[1]) * 1000
    with ClaimItem.batch_write() as batch:
        for n in range(CLAIMS):
            batch.save(
                _to_item(
                    Claim(
                        reference=str(base + n),
                        school_id="999999",
                        school_name="Race School",
                        provider_code="N97",
                        provider_name="Sheffield Hallam University",
                        window_id=window_id,
                        academic_year=year,
                        status=ClaimStatus.SUBMITTED,
                        mentors=(
                            ClaimMentor(
                                trn=str(3_000_000 + n),
                                first_name="M",
                                last_name=str(n),
                                hours=HOURS,
                                training_type=TrainingType.INITIAL,
                            ),
                        ),
                        region="Rest of England",
                        hourly_rate_pence=RATE,
                        amount_pence=HOURS * RATE,
                        created_at=NOW,
                        submitted_at=NOW,
                        validated_run="approved-by-user-colin-chapman",  # ready: checked and approved
                    )
                )
            )
    yield window_id
    settings.cache_clear()


def _run_tasks(window_id: str, run_id: str, barrier: threading.Barrier, outcome: Outcome) -> None:
    """One run's tasks in the state machine's order, each after every run has reached it."""
    from shared.usecases.payer_links import notify_payer
    from shared.usecases.payment_run_tasks import (
        RunInput,
        RunState,
        ValidationPage,
        close_window,
        generate_payment_file,
        plan_validation,
        reconcile_payment_file,
        validate_page,
    )

    def step(name: str) -> None:
        outcome.steps.append(name)
        barrier.wait(timeout=120)

    try:
        step("CloseWindow")
        state = close_window(
            RunInput(window_id=window_id, run_id=run_id, trigger="person", started_by="user-colin-chapman"), NOW
        )
        step("PlanValidation")
        outcome.skipped = state.skipped
        pages: list[dict[str, str]] = []
        if not state.skipped:
            planned = plan_validation(state)["validation_pages"]
            assert isinstance(planned, list)
            pages = planned
        step("ValidateClaims")
        for page in pages:
            validate_page(ValidationPage(window_id=window_id, run_id=run_id, **page), NOW)
        step("GeneratePaymentFile")
        state = generate_payment_file(state, NOW)
        step("ReconcilePaymentFile")
        state = reconcile_payment_file(state, NOW)
        step("NotifyPayer")
        notified = notify_payer(RunState.model_validate(state.model_dump()), NOW)
        outcome.file_key, outcome.rows, outcome.total_pence = state.file_key, state.row_count, state.total_pence
        outcome.notified = notified.payer_notified
    except Exception as error:  # noqa: BLE001 - reported by the test
        outcome.error = f"{type(error).__name__}: {error}"
        barrier.abort()


def _race(window_id: str, run_ids: list[str]) -> list[Outcome]:
    barrier = threading.Barrier(len(run_ids))
    outcomes = [Outcome(run_id) for run_id in run_ids]
    threads = [
        threading.Thread(target=_run_tasks, args=(window_id, run_id, barrier, outcome))
        for run_id, outcome in zip(run_ids, outcomes, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    errors = [o.error for o in outcomes if o.error and "BrokenBarrierError" not in o.error]
    assert not errors, errors
    return outcomes


def _rows(key: str) -> list[dict[str, str]]:
    from shared.config import settings

    body = boto3.client("s3", region_name=settings().aws_region).get_object(Bucket=os.environ["FILES_BUCKET"], Key=key)
    return list(csv.DictReader(io.StringIO(body["Body"].read().decode("utf-8"))))


def _paid_exactly_once(window_id: str, outcomes: list[Outcome]) -> Counter[str]:
    """Every ready claim is in exactly one file, the files' totals add up, and each claim names its file."""
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore

    in_files: Counter[str] = Counter()
    total = 0
    for outcome in outcomes:
        if outcome.file_key and outcome.rows:
            rows = _rows(outcome.file_key)
            in_files.update(row["claim_reference"] for row in rows)
            total += outcome.total_pence
    claims = [c for page in ClaimsStore().pages_in_window(window_id, ClaimStatus.PAYMENT_IN_PROGRESS) for c in page]
    assert len(claims) == CLAIMS
    assert set(in_files) == {c.reference for c in claims}
    assert set(in_files.values()) == {1}, [r for r, n in in_files.items() if n > 1]
    assert total == CLAIMS * HOURS * RATE
    by_run = {o.run_id: o.file_key for o in outcomes}
    for claim in claims:
        assert claim.payment_file_key == by_run[claim.payment_run_id or ""]
    return in_files


@pytest.mark.parametrize("runs", [2, 5])
def test_runs_of_one_window_started_together_send_one_file(window: str, runs: int) -> None:
    from shared.config import settings
    from shared.data.batches import PaymentRuns
    from shared.data.claim_windows import ClaimWindows

    # Given the schedule, the nightly check and support ("Close window now", "Run payment now") all start a
    # run of the window at the same moment
    run_ids = [f"{window}-run-{n}" for n in range(1, runs + 1)]
    # When their tasks run side by side
    outcomes = _race(window, run_ids)
    # Then one run did the work and every other ended at once, recorded as not started
    working = [o for o in outcomes if not o.skipped]
    assert len(working) == 1
    for outcome in outcomes:
        recorded = PaymentRuns().get(outcome.run_id)
        assert recorded is not None
        assert recorded.status == ("completed" if not outcome.skipped else "not_started"), recorded
    # And every claim is in its one file, and only that file was sent to the payer
    _paid_exactly_once(window, outcomes)
    assert [o.notified for o in outcomes].count(True) == 1
    sqs = boto3.client("sqs", region_name=settings().aws_region)
    sent = sqs.get_queue_attributes(QueueUrl=os.environ["EMAIL_QUEUE_URL"], AttributeNames=["All"])
    assert sent["Attributes"]["ApproximateNumberOfMessages"] != "0"
    assert ClaimWindows().get(window).active_run is None


def test_even_without_the_window_lock_no_claim_is_in_two_files(window: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock is one guard; ownership is the other. With the lock taken away (as a bug would), five runs
    generating at once still split the claims between them: no claim in two files, the totals add up."""
    import shared.usecases.payment_run_tasks as payment_run
    from shared.data.claim_windows import ClaimWindows

    monkeypatch.setattr(ClaimWindows, "take_run_lock", lambda self, window_id, run_id: True)
    monkeypatch.setattr(payment_run, "TAKE_GROUP_SIZE", 4)  # many small transactions: the takes interleave
    outcomes = _race(window, [f"{window}-run-{n}" for n in range(1, 6)])
    assert not [o for o in outcomes if o.skipped]
    in_files = _paid_exactly_once(window, outcomes)
    assert sum(o.rows for o in outcomes) == len(in_files) == CLAIMS


def test_run_payment_now_while_a_run_is_in_review_starts_nothing_and_late_claims_are_paid_once(
    window: str,
) -> None:
    from shared.claims.people import Role, User
    from shared.data.batches import PaymentRuns
    from shared.data.claim_windows import ClaimWindows
    from shared.usecases.payment_run_tasks import RunInput, close_window
    from shared.usecases.payment_runs import RunInProgress, run_now

    colin = User(
        user_id="user-colin-chapman", first_name="Colin", last_name="Chapman", email="c@e.gov.uk", role=Role.SUPPORT
    )
    # Given run 1 of the window has started and is waiting for support review (it holds the window)
    first = close_window(RunInput(window_id=window, run_id=f"{window}-run-1", trigger="schedule"), NOW)
    assert not first.skipped
    assert ClaimWindows().get(window).active_run == f"{window}-run-1"
    # When support presses "Run payment now" for late claims, and (a stale page) its run starts anyway
    with pytest.raises(RunInProgress):
        run_now(window, 2, colin)
    outcomes = _race(window, [f"{window}-run-2"])
    # Then that run did nothing and says why
    assert outcomes[0].skipped
    assert PaymentRuns().get(f"{window}-run-2").status == "not_started"
    # When run 1 carries on to the end, then a third run starts for anything left
    from shared.usecases.payer_links import notify_payer
    from shared.usecases.payment_run_tasks import generate_payment_file, reconcile_payment_file

    state = reconcile_payment_file(generate_payment_file(first, NOW), NOW)
    notify_payer(state, NOW)
    later = _race(window, [f"{window}-run-3"])
    # Then run 1 paid every claim once and run 3 found nothing to pay: one file sent
    run_one = Outcome(f"{window}-run-1", file_key=state.file_key, rows=state.row_count, total_pence=state.total_pence)
    _paid_exactly_once(window, [run_one, *later])
    assert later[0].rows == 0
    assert not later[0].notified
