"""The Payments page's runs: what each run did so far, "Run payment now" for a window, a run's page with its
steps, reconciliation and included claims, and "Retry run" for a failed run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from shared.claims.errors import DomainError, NotFound
from shared.claims.money import format_pounds
from shared.claims.payer_response import PayerResponseBatch
from shared.claims.payment_runs import (
    NIGHTLY_CHECK,
    PaymentRun,
    RecordedReconciliation,
    RunStatus,
    RunTrigger,
    can_retry,
    can_send_link,
    first_run_id,
    retry_execution_name,
    run_input,
    run_name,
    run_number,
    started_label,
    status_label,
)
from shared.claims.people import User
from shared.claims.run_steps import RunStep, Step, StepState, run_steps
from shared.claims.statuses import ClaimStatus
from shared.claims.windows import ClaimWindow
from shared.data import executions
from shared.data.batches import FollowUpClaim, PaymentRuns
from shared.data.claim_windows import ClaimWindows
from shared.data.claims import ClaimsStore
from shared.data.files import read
from shared.observability import logger, metrics
from shared.usecases.payer_links import PayerNotice
from shared.usecases.payer_response import awaiting_follow_up, unfinished_uploads
from shared.usecases.support_activity import record_run_retried


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@dataclass(frozen=True)
class StepView:
    """One step of a run on its page: its state and times, and what it counted (empty when nothing yet)."""

    step: RunStep
    result: str

    @property
    def key(self) -> str:
        return self.step.step.value

    @property
    def label(self) -> str:
        return self.step.label

    @property
    def state_label(self) -> str:
        return self.step.state_label

    @property
    def colour(self) -> str:
        return self.step.colour

    @property
    def started_at(self) -> dt.datetime | None:
        return self.step.started_at

    @property
    def finished_at(self) -> dt.datetime | None:
        return self.step.finished_at


def step_result(step: RunStep, run: PaymentRun) -> str:
    """What a step counted, from the run's record: nothing for a step the run has not reached."""
    if not step.reached:
        return ""
    counts = run.counts
    if step.step is Step.CHECK and ("validated" in counts or "flagged" in counts):
        text = f"{_plural(counts.get('validated', 0), 'claim', 'claims')} checked, {counts.get('flagged', 0)} flagged"
        pages, done = counts.get("pages", 0), counts.get("pages_done", 0)
        return text + (f" (page {done} of {pages} done)" if step.state is StepState.IN_PROGRESS and pages else "")
    if step.step is Step.REVIEW:
        flagged = counts.get("flagged", 0)
        return _plural(flagged, "flagged claim", "flagged claims") if flagged else "No claims flagged"
    if step.step is Step.FILE:
        if run.file_key:
            return f"{_plural(run.row_count, 'claim', 'claims')} in the file, {format_pounds(run.total_pence)}"
        return f"{_plural(run.owned, 'claim', 'claims')} taken for the file" if run.owned else ""
    if step.step is Step.RECONCILE and run.reconciliation is not None:
        rec = run.reconciliation
        return (
            f"{'Passed' if rec.passed else 'Failed'}: {_plural(rec.rows, 'row', 'rows')} in the file, "
            f"{_plural(rec.owned, 'claim', 'claims')} owned by the run, {rec.moved} moved to payment"
        )
    if step.step is Step.NOTIFY and run.payer_notice:
        if run.payer_notice == PayerNotice.EMAILED:
            return f"Payer emailed a link ({_plural(run.payer_emails or 0, 'email', 'emails')})"
        if run.payer_notice == PayerNotice.NO_CLAIMS:
            return "No claims in the file, so the payer was not emailed"
        if run.payer_notice == PayerNotice.NO_PAYER_ADDRESS:
            return "No payer email address is set up, so the payer was not emailed"
    return ""


@dataclass(frozen=True)
class RunView:
    """A run as the Payments page and the run's own page show it (the page with its step times)."""

    run: PaymentRun
    window: ClaimWindow | None
    times: Mapping[str, dt.datetime] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        return self.run.run_id

    @property
    def trigger(self) -> str:
        return started_label(self.run.trigger, self.run.started_by_name)

    @property
    def started_at(self) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(self.run.created_at)
        except ValueError:
            return None

    @property
    def status(self) -> str:
        return status_label(self.run.status)

    @property
    def failed(self) -> bool:
        return self.run.status == RunStatus.FAILED

    @property
    def failure(self) -> str | None:
        if self.run.status == RunStatus.NOT_STARTED:
            return self.run.not_started_reason
        return self.run.failure.error if self.run.failure and self.failed else None

    @property
    def validated(self) -> int:
        return self.run.counts.get("validated", 0)

    @property
    def flagged(self) -> int:
        return self.run.counts.get("flagged", 0)

    @property
    def in_file(self) -> int:
        return self.run.row_count

    @property
    def total_pence(self) -> int:
        return self.run.total_pence

    @property
    def file_key(self) -> str | None:
        return self.run.file_key

    @property
    def has_file(self) -> bool:
        return bool(self.run.file_key)

    @property
    def reconciliation(self) -> RecordedReconciliation | None:
        return self.run.reconciliation

    @property
    def can_send_link(self) -> bool:
        """A reconciled file with claims in it, of a run that did not fail: the payer may get a new link."""
        return can_send_link(self.run.status, self.run.reconciled, self.run.file_key, self.run.row_count)

    @property
    def can_retry(self) -> bool:
        return can_retry(self.run.status)

    @property
    def in_progress(self) -> bool:
        """Still going (running, file written, or being retried): its page keeps refreshing its progress."""
        return self.run.active

    @property
    def steps(self) -> list[StepView]:
        return [StepView(step, step_result(step, self.run)) for step in run_steps(self.run, self.times)]

    @property
    def link_resent_at(self) -> dt.datetime | None:
        return self.run.link_resent_at

    @property
    def link_resent_by(self) -> str | None:
        return self.run.link_resent_by


def runs() -> list[RunView]:
    """Every run, newest first, with its progress (one Query for runs, one for windows)."""
    windows = {w.window_id: w for w in ClaimWindows().all()}
    return [RunView(run, windows.get(run.window_id or "")) for run in PaymentRuns().all()]


def run_page(run_id: str) -> RunView:
    """One run for its page, with when each step started and finished; NotFound for a run that does not exist."""
    found = PaymentRuns().get_with_step_times(run_id)
    if found is None:
        raise NotFound
    run, times = found
    return RunView(run, ClaimWindows().get(run.window_id) if run.window_id else None, times)


def run_exists(run_id: str) -> bool:
    return PaymentRuns().exists(run_id)


def windows_ready_to_run(now: dt.datetime) -> list[ClaimWindow]:
    """Windows whose claims "Run payment now" can pay: those that have opened and are no longer open."""
    return [w for w in ClaimWindows().all() if not w.is_open(now) and w.opens_at <= now]


@dataclass(frozen=True)
class RunPlan:
    window: ClaimWindow
    number: int
    ready: int  # validated or approved, no run owns them yet: waiting to be paid
    to_check: int  # submitted and not yet through the checks
    in_review: int
    held: int = 0  # on hold: no run takes them until the hold is removed
    active_run: str | None = None  # another run of the window in progress: nothing can start now


def plan(window_id: str, now: dt.datetime) -> RunPlan | None:
    """What "Run payment now" would do for a window that has closed (None for an unknown or open one)."""
    window = ClaimWindows().get(window_id)
    if window is None or window.is_open(now):
        return None
    store = ClaimsStore()
    ready = to_check = in_review = held = 0
    for status in (ClaimStatus.SUBMITTED, ClaimStatus.SUPPORT_REVIEW):
        for claims in store.pages_in_window(window_id, status):
            for claim in claims:
                if status is ClaimStatus.SUPPORT_REVIEW:
                    in_review += 1
                elif claim.payment_run_id is not None:
                    continue  # owned by a run: paid there
                elif claim.hold_reason:
                    held += 1
                elif claim.validated_run is not None:
                    ready += 1
                else:
                    to_check += 1
    numbers = [n for r in PaymentRuns().all() if r.window_id == window_id and (n := run_number(r.run_id))]
    number = max(numbers, default=0) + 1
    while executions.describe(run_name(window_id, number)) is not None:  # started but not yet recorded
        number += 1
    return RunPlan(window, number, ready, to_check, in_review, held, active_run=window.active_run)


class RunInProgress(DomainError):
    """Another run of the window is in progress: a second run cannot start until it ends."""

    def __init__(self, run_id: str) -> None:
        super().__init__(run_id)
        self.run_id = run_id


def run_now(window_id: str, number: int, user: User) -> str | None:
    """Start the planned run; None when that run has just been started by someone else. RunInProgress when
    another run of the window is in progress (the workflow would refuse it too, as a recorded no-op)."""
    window = ClaimWindows().get(window_id)
    if window is not None and window.active_run:
        raise RunInProgress(window.active_run)
    name = run_name(window_id, number)
    started = executions.start(name, run_input(window_id, name, RunTrigger.PERSON, user.user_id, user.full_name))
    if not started.started_now:
        return None
    logger.info("payment run started", extra={"window_id": window_id, "run": number, "user_id": user.user_id})
    metrics.add_metric(name="PaymentRunStartedBySupport", unit="Count", value=1)
    return name


def retry(run_id: str, user: User, now: dt.datetime) -> str | None:
    """ "Retry run": start the failed run again from its first step, with the claims it owns and the file it
    recorded (each step repeats safely). None when the run is not failed (a colleague retried it a moment
    ago, or it has not failed); RunInProgress when another run of its window is in progress."""
    run = PaymentRuns().get(run_id)
    if run is None or run.window_id is None:
        raise NotFound
    window = ClaimWindows().get(run.window_id)
    if window is not None and window.active_run and window.active_run != run_id:
        raise RunInProgress(window.active_run)
    attempt = PaymentRuns().start_retry(run_id, user.full_name, now)
    if attempt is None:
        return None
    name = retry_execution_name(run_id, attempt)
    payload = run_input(
        run.window_id,
        run_id,
        RunTrigger(run.trigger or RunTrigger.SCHEDULE),
        run.started_by or "",
        run.started_by_name or "",
        attempt=attempt,
    )
    executions.start(name, payload)
    record_run_retried(run_id, attempt, user, now)
    logger.info("payment run retried", extra={"run_id": run_id, "attempt": attempt, "user_id": user.user_id})
    metrics.add_metric(name="PaymentRunRetried", unit="Count", value=1)
    return name


def file_of(run_id: str) -> tuple[str, bytes] | None:
    """A run's payment file for support users: (file name, bytes)."""
    run = PaymentRuns().get(run_id)
    if run is None or not run.file_key:
        return None
    return run.file_key.rsplit("/", 1)[-1], read(run.file_key)


def included_claims_of(run_id: str) -> tuple[str, bytes] | None:
    """The CSV of the claims a reconciled run paid: (file name, bytes)."""
    run = PaymentRuns().get(run_id)
    if run is None or not run.included_key:
        return None
    return f"{run_id}-included-claims.csv", read(run.included_key)


@dataclass(frozen=True)
class NightlyStart:
    window_id: str
    run_id: str
    started: bool  # False: the run already existed (its schedule, or a person, started it)


def start_due_runs(now: dt.datetime) -> list[NightlyStart]:
    """The nightly check: for every window past its close time that no run has closed, start its first run
    by the run's own name. A run its schedule (or "Close window now") already started is not started again:
    Step Functions refuses a second execution of the name."""
    started: list[NightlyStart] = []
    for window in ClaimWindows().all():
        if window.closed_at is not None or window.closes_at >= now:
            continue
        name = first_run_id(window.window_id)
        found = executions.start(name, run_input(window.window_id, name, RunTrigger.NIGHTLY, NIGHTLY_CHECK))
        started.append(NightlyStart(window.window_id, name, found.started_now))
        if found.started_now:
            metrics.add_metric(name="NightlyCheckStartedRun", unit="Count", value=1)
        logger.info(
            "nightly check", extra={"window_id": window.window_id, "run_id": name, "started": found.started_now}
        )
    return started


@dataclass(frozen=True)
class PaymentsOverview:
    """Everything the Payments page shows, in one call."""

    runs: list[RunView]
    windows_to_run: list[ClaimWindow]
    unfinished_uploads: list[PayerResponseBatch]
    follow_ups: list[FollowUpClaim]


def payments_overview(user: User, now: dt.datetime) -> PaymentsOverview:
    return PaymentsOverview(runs(), windows_ready_to_run(now), unfinished_uploads(user), awaiting_follow_up())
