"""Payment runs: their names, who started them, their statuses, and the reconciliation of a file.

A claim is paid once (ADR 0015):
- a run **owns** each claim it pays (a conditional write naming the run, only where no run owns it yet);
- its file is built only from the claims it owns; then exactly those move to payment_in_progress;
- before anything leaves, rows in the file = claims owned = claims moved, and the file's total = the sum of
  their snapshotted amounts (`reconcile`);
- one run of a window is active at a time (a lock on the window), and a failed run's file is never offered.

Names: a window's runs are `<window id>-run-<n>` (`window-2026-to-2027-1-run-1`); the execution that retries
a failed run is `<run id>-retry-<k>`. Step Functions refuses a second execution of a name, so each start
happens once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

MAX_EXECUTION_NAME = 80  # Step Functions' limit on an execution name
MISMATCH_EXAMPLES = 20  # how many differences a failed reconciliation records

_RUN_NUMBER = re.compile(r"-run-(\d+)$")
_AMOUNT = re.compile(r"(-?)(\d+)\.(\d{2})")


class RunTrigger(StrEnum):
    """What started a run."""

    SCHEDULE = "schedule"  # the window's own close schedule
    NIGHTLY = "nightly"  # the nightly check that starts runs a schedule missed
    PERSON = "person"  # "Close window now" or "Run payment now"


class RunStatus(StrEnum):
    RUNNING = "running"
    FILE_GENERATED = "file_generated"  # the file is written; its claims are moving and being reconciled
    COMPLETED = "completed"  # reconciled, and the payer told (or nothing to send)
    FAILED = "failed"
    RETRYING = "retrying"  # support pressed "Retry run"; the retry's execution has not started its work yet
    NOT_STARTED = "not_started"  # another run of the window was active: this one did nothing


ACTIVE_STATUSES = frozenset({RunStatus.RUNNING, RunStatus.FILE_GENERATED, RunStatus.RETRYING})

STATUS_LABELS: dict[RunStatus, str] = {
    RunStatus.RUNNING: "Running",
    RunStatus.FILE_GENERATED: "File ready",
    RunStatus.COMPLETED: "Complete",
    RunStatus.FAILED: "Failed",
    RunStatus.RETRYING: "Retrying",
    RunStatus.NOT_STARTED: "Not started",
}

SCHEDULER = "scheduler"  # `started_by` of a run no person started
NIGHTLY_CHECK = "nightly-check"


def run_name(window_id: str, number: int) -> str:
    """The id of a window's run `number`, which is also its execution's name."""
    if number < 1:
        raise ValueError("runs are numbered from 1")
    return f"{window_id}-run-{number}"


def first_run_id(window_id: str) -> str:
    return run_name(window_id, 1)


def run_number(run_id: str) -> int | None:
    found = _RUN_NUMBER.search(run_id)
    return int(found.group(1)) if found else None


def retry_execution_name(run_id: str, attempt: int) -> str:
    """The execution that retries a failed run, for the `attempt`-th time (from 1)."""
    if attempt < 1:
        raise ValueError("retries are numbered from 1")
    name = f"{run_id}-retry-{attempt}"
    if len(name) > MAX_EXECUTION_NAME:
        raise ValueError(f"{name} is longer than Step Functions allows")
    return name


def run_input(
    window_id: str,
    run_id: str,
    trigger: RunTrigger,
    started_by: str,
    started_by_name: str = "",
    attempt: int = 0,
) -> dict[str, str | int]:
    """The claim-window workflow's input: the window, the run, and who or what started it."""
    payload: dict[str, str | int] = {
        "window_id": window_id,
        "run_id": run_id,
        "trigger": trigger.value,
        "started_by": started_by,
    }
    if started_by_name:
        payload["started_by_name"] = started_by_name
    if attempt:
        payload["attempt"] = attempt
    return payload


def close_run_input(window_id: str) -> dict[str, str | int]:
    """What the window's close schedule sends (ADR 0009): its first run, started by the schedule."""
    return run_input(window_id, first_run_id(window_id), RunTrigger.SCHEDULE, SCHEDULER)


def started_label(trigger: str | None, started_by_name: str | None) -> str:
    """Who or what started a run, as Payments shows it."""
    if trigger == RunTrigger.NIGHTLY:
        return "Nightly check"
    if trigger == RunTrigger.PERSON:
        return started_by_name or "A support user"
    return "Scheduled"


def status_label(status: str | None) -> str:
    try:
        return STATUS_LABELS[RunStatus(status or RunStatus.RUNNING)]
    except ValueError:
        return str(status)


def is_active(status: str | None) -> bool:
    return status in ACTIVE_STATUSES


def can_retry(status: str | None) -> bool:
    return status == RunStatus.FAILED


def can_send_link(status: str | None, reconciled: bool, file_key: str | None, row_count: int) -> bool:
    """The payer may be sent a (new) link to a run's file only once the file reconciled, with claims in it,
    and never for a failed run."""
    return status == RunStatus.COMPLETED and reconciled and bool(file_key) and row_count > 0


# -- reconciliation --------------------------------------------------------------------------------
def parse_csv_amount(text: str) -> int:
    """`876.00` → 87600 (the payment file's format); ValueError for anything else."""
    found = _AMOUNT.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"not an amount: {text!r}")
    pence = int(found.group(2)) * 100 + int(found.group(3))
    return -pence if found.group(1) else pence


@dataclass(frozen=True)
class FileRow:
    reference: str
    amount_pence: int


@dataclass(frozen=True)
class OwnedClaim:
    reference: str
    amount_pence: int
    moved: bool  # in payment_in_progress (or later) in this run's file


@dataclass
class Reconciliation:
    """What the file and the run's claims say, and every difference found (the first few named)."""

    rows: int = 0
    file_total_pence: int = 0
    owned: int = 0
    owned_total_pence: int = 0
    moved: int = 0
    problems: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.problems == 0 and self.rows == self.owned and self.file_total_pence == self.owned_total_pence

    def note(self, problem: str) -> None:
        self.problems += 1
        if len(self.examples) < MISMATCH_EXAMPLES:
            self.examples.append(problem)


def reconcile(rows: Iterable[FileRow], owned: Iterable[OwnedClaim], require_moved: bool) -> Reconciliation:
    """Compare the file's rows with the claims the run owns, both in reference order, in constant memory.

    Every row must be a claim the run owns, with that claim's amount; every owned claim must be in the
    file exactly once; with `require_moved`, every owned claim must have moved.
    """
    result = Reconciliation()
    file_rows: Iterator[FileRow] = iter(rows)
    claims: Iterator[OwnedClaim] = iter(owned)
    row = next(file_rows, None)
    claim = next(claims, None)
    previous = ""
    while row is not None or claim is not None:
        if row is not None and row.reference <= previous and result.rows:
            result.note(f"the file is not in reference order at {row.reference}")
        if row is not None and (claim is None or row.reference < claim.reference):
            result.rows += 1
            result.file_total_pence += row.amount_pence
            result.note(f"{row.reference} is in the file but not owned by the run")
            previous, row = row.reference, next(file_rows, None)
            continue
        assert claim is not None
        result.owned += 1
        result.owned_total_pence += claim.amount_pence
        result.moved += claim.moved
        if require_moved and not claim.moved:
            result.note(f"{claim.reference} did not move to payment")
        if row is None or claim.reference < row.reference:
            result.note(f"{claim.reference} is owned by the run but not in the file")
            claim = next(claims, None)
            continue
        result.rows += 1
        result.file_total_pence += row.amount_pence
        if row.amount_pence != claim.amount_pence:
            result.note(f"{row.reference}: the file says {row.amount_pence}p, the claim {claim.amount_pence}p")
        previous, row, claim = row.reference, next(file_rows, None), next(claims, None)
    return result


# -- a run as recorded -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RunFailure:
    error: str
    cause: str


@dataclass(frozen=True)
class RecordedReconciliation:
    """The reconciliation recorded on a run: what the file and its claims said when it was checked."""

    passed: bool
    rows: int
    file_total_pence: int
    owned: int
    owned_total_pence: int
    moved: int
    sha256_verified: bool
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class VoidFile:
    """A file written by a run and set aside before any claim moved, because it did not reconcile."""

    key: str
    reason: str


@dataclass(frozen=True)
class PaymentRun:
    run_id: str
    window_id: str | None
    created_at: str
    status: str
    trigger: str | None = None
    started_by: str | None = None
    started_by_name: str | None = None
    file_key: str | None = None
    file_sha256: str | None = None
    row_count: int = 0
    total_pence: int = 0
    failure: RunFailure | None = None
    counts: dict[str, int] = field(default_factory=dict)
    payer_notified_at: dt.datetime | None = None
    payer_notice: str | None = None
    payer_emails: int | None = None
    link_resent_at: dt.datetime | None = None
    link_resent_by: str | None = None
    owned: int = 0  # claims the run owns, counted in the same transactions that took them
    owned_pence: int = 0
    reconciliation: RecordedReconciliation | None = None
    included_key: str | None = None
    void_files: tuple[VoidFile, ...] = ()
    attempts: int = 0
    retried_by: str | None = None
    retried_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    not_started_reason: str | None = None

    @property
    def reconciled(self) -> bool:
        return self.reconciliation is not None and self.reconciliation.passed

    @property
    def active(self) -> bool:
        return is_active(self.status)
