"""Batch records: payment runs and payer-response uploads (and later audits and clawbacks).

A payment run's record says who or what started it, where it is (`RunStatus`), when each of its steps started
and finished, its counts, its file (key, SHA-256, rows, total: recorded once, on condition that it has none),
how the file reconciled, files set aside before any claim moved, and its retries. Status changes are
conditional, so two attempts (or two people) cannot both move a run on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist

from shared.claims.payer_response import BatchStatus, PayerResponseBatch, ResponseCounts
from shared.claims.payment_runs import (
    PaymentRun,
    Reconciliation,
    RecordedReconciliation,
    RunFailure,
    RunStatus,
    VoidFile,
)
from shared.claims.statuses import ClaimStatus
from shared.data.claim_windows import ClaimWindows
from shared.data.files import put_stream, read
from shared.data.items import BatchItem, ClaimItem, map_as_dict
from shared.data.transactions import conditional


def _run(item: BatchItem) -> PaymentRun:
    failure = map_as_dict(item.failure)
    reconciliation = map_as_dict(item.reconciliation)
    return PaymentRun(
        run_id=item.batch_id,
        window_id=item.window_id,
        created_at=item.created_at,
        status=item.status,
        trigger=item.trigger,
        started_by=item.started_by,
        started_by_name=item.started_by_name,
        file_key=item.file_key,
        file_sha256=item.file_sha256,
        row_count=int(item.row_count or 0),
        total_pence=int(item.total_pence or 0),
        failure=RunFailure(str(failure.get("error", "")), str(failure.get("cause", ""))) if failure else None,
        counts={name: int(value) for name, value in map_as_dict(item.counts).items()},
        payer_notified_at=item.payer_notified_at,
        payer_notice=item.payer_notice,
        payer_emails=int(item.payer_emails) if item.payer_emails is not None else None,
        link_resent_at=item.link_resent_at,
        link_resent_by=item.link_resent_by,
        owned=int(item.owned or 0),
        owned_pence=int(item.owned_pence or 0),
        reconciliation=RecordedReconciliation(
            passed=bool(reconciliation["passed"]),
            rows=int(reconciliation["rows"]),
            file_total_pence=int(reconciliation["file_total_pence"]),
            owned=int(reconciliation["owned"]),
            owned_total_pence=int(reconciliation["owned_total_pence"]),
            moved=int(reconciliation["moved"]),
            sha256_verified=bool(reconciliation["sha256_verified"]),
            examples=tuple(str(e) for e in reconciliation.get("examples") or ()),
        )
        if reconciliation
        else None,
        included_key=item.included_key,
        void_files=tuple(
            VoidFile(str(entry["key"]), str(entry["reason"]))
            for entry in (map_as_dict(v) for v in item.void_files or [])
        ),
        attempts=int(item.attempts or 0),
        retried_by=item.retried_by,
        retried_at=item.retried_at,
        finished_at=item.finished_at,
        not_started_reason=item.not_started_reason,
    )


def _step_times(item: BatchItem) -> dict[str, dt.datetime]:
    times: dict[str, dt.datetime] = {}
    for name, value in map_as_dict(item.steps).items():
        try:
            times[str(name)] = dt.datetime.fromisoformat(str(value))
        except ValueError:
            continue
    return times


class PaymentRuns:
    KIND = "payment_run"

    def start(
        self,
        run_id: str,
        window_id: str | None,
        trigger: str,
        started_by: str,
        at: dt.datetime,
        started_by_name: str = "",
    ) -> bool:
        """Record a run once; a second start of the same run id leaves the first record alone (False)."""
        return conditional(
            lambda: BatchItem(
                batch_id=run_id,
                kind=self.KIND,
                created_at=at.isoformat(),
                status=RunStatus.RUNNING.value,
                window_id=window_id,
                trigger=trigger,
                started_by=started_by,
                started_by_name=started_by_name or None,
            ).save(condition=BatchItem.batch_id.does_not_exist())
        )

    def all(self) -> list[PaymentRun]:
        """Every payment run, newest first: one Query on the batches' kind index."""
        return [_run(item) for item in BatchItem.by_kind.query(self.KIND, scan_index_forward=False)]

    def get(self, run_id: str) -> PaymentRun | None:
        try:
            item = BatchItem.get(run_id, consistent_read=True)
        except DoesNotExist:
            return None
        return _run(item) if item.kind == self.KIND else None

    def exists(self, run_id: str) -> bool:
        return self.get(run_id) is not None

    def get_with_step_times(self, run_id: str) -> tuple[PaymentRun, dict[str, dt.datetime]] | None:
        """A run and when each of its steps started and finished (`shared.claims.run_steps`), in one read."""
        try:
            item = BatchItem.get(run_id, consistent_read=True)
        except DoesNotExist:
            return None
        if item.kind != self.KIND:
            return None
        return _run(item), _step_times(item)

    # -- when each step started and finished (shared.claims.run_steps) -------------------------------
    def begin_steps(self, run_id: str, name: str, at: dt.datetime) -> None:
        """The run's first step has begun: its step times start afresh (a retry's attempt forgets the last's)."""
        BatchItem(batch_id=run_id).update(
            actions=[BatchItem.steps.set({name: at.isoformat()})], condition=BatchItem.batch_id.exists()
        )

    def stamp_step(self, run_id: str, name: str, at: dt.datetime, *, keep_earlier: bool = False) -> None:
        """Record a step time, `name` being `<step>_started_at` or the like. With `keep_earlier` a time already
        recorded stays (a task retried by Step Functions began when its first try did). Nothing for a run that
        has no record."""
        value = at.isoformat()
        path = BatchItem.steps[name]
        action = path.set(path | value) if keep_earlier else path.set(value)
        for _ in range(2):
            if conditional(
                lambda: BatchItem(batch_id=run_id).update(actions=[action], condition=BatchItem.steps.exists())
            ):
                return
            # The record has no step times yet (recorded before they were): start them with this one
            if conditional(
                lambda: BatchItem(batch_id=run_id).update(
                    actions=[BatchItem.steps.set({name: value})],
                    condition=BatchItem.batch_id.exists() & BatchItem.steps.does_not_exist(),
                )
            ):
                return

    def add_counts_and_read(self, run_id: str, **counts: int) -> dict[str, int]:
        """`add_counts`, returning every count of the run as it is after the addition (the same request)."""
        item = BatchItem(batch_id=run_id)
        item.update(
            actions=[BatchItem.counts[name].set((BatchItem.counts[name] | 0) + value) for name, value in counts.items()]
        )
        return {name: int(value) for name, value in map_as_dict(item.counts).items()}

    # -- counts ----------------------------------------------------------------------------------
    def add_counts(self, run_id: str, **counts: int) -> None:
        """Add to running counts (pages of one run may finish in any order, several at once)."""
        BatchItem(batch_id=run_id).update(
            actions=[BatchItem.counts[name].set((BatchItem.counts[name] | 0) + value) for name, value in counts.items()]
        )

    def record_counts(self, run_id: str, **counts: int) -> None:
        item = BatchItem(batch_id=run_id)
        item.update(actions=[BatchItem.counts[name].set(value) for name, value in counts.items()])

    def start_counts(self, run_id: str, **counts: int) -> None:
        """Counts that start at these values unless an earlier attempt of the run already set them."""
        BatchItem(batch_id=run_id).update(
            actions=[BatchItem.counts[name].set(BatchItem.counts[name] | value) for name, value in counts.items()]
        )

    # -- the file --------------------------------------------------------------------------------
    def record_file(self, run_id: str, key: str, sha256: str, row_count: int, total_pence: int) -> bool:
        """The run's file, once: False when an attempt of the run recorded one first (use that one)."""
        return conditional(
            lambda: BatchItem(batch_id=run_id).update(
                actions=[
                    BatchItem.file_key.set(key),
                    BatchItem.file_sha256.set(sha256),
                    BatchItem.row_count.set(row_count),
                    BatchItem.total_pence.set(total_pence),
                    BatchItem.status.set(RunStatus.FILE_GENERATED.value),
                ],
                condition=BatchItem.batch_id.exists() & BatchItem.file_key.does_not_exist(),
            )
        )

    def void_file(self, run_id: str, key: str, reason: str) -> bool:
        """Set aside a file that did not reconcile, before any of its claims moved: the run has no file again,
        so a retry writes a fresh one from the claims it owns. False when the run's file is not `key`."""
        entry = [{"key": key, "reason": reason[:2000]}]
        return conditional(
            lambda: BatchItem(batch_id=run_id).update(
                actions=[
                    BatchItem.void_files.set((BatchItem.void_files | []).append(entry)),
                    BatchItem.file_key.remove(),
                    BatchItem.file_sha256.remove(),
                    BatchItem.row_count.set(0),
                    BatchItem.total_pence.set(0),
                    BatchItem.reconciliation.remove(),
                ],
                condition=BatchItem.file_key == key,
            )
        )

    def record_reconciliation(
        self, run_id: str, result: Reconciliation, sha256_verified: bool, at: dt.datetime, included_key: str | None
    ) -> None:
        actions: list[Any] = [
            BatchItem.reconciliation.set(
                {
                    "passed": result.passed and sha256_verified,
                    "rows": result.rows,
                    "file_total_pence": result.file_total_pence,
                    "owned": result.owned,
                    "owned_total_pence": result.owned_total_pence,
                    "moved": result.moved,
                    "sha256_verified": sha256_verified,
                    "examples": list(result.examples),
                    "checked_at": at.isoformat(),
                }
            )
        ]
        if included_key:
            actions.append(BatchItem.included_key.set(included_key))
        BatchItem(batch_id=run_id).update(actions=actions, condition=BatchItem.batch_id.exists())

    # -- how a run ends, and starts again ---------------------------------------------------------
    def finish(self, run_id: str, at: dt.datetime) -> None:
        BatchItem(batch_id=run_id).update(
            actions=[BatchItem.status.set(RunStatus.COMPLETED.value), BatchItem.finished_at.set(at)],
            condition=BatchItem.batch_id.exists(),
        )

    def mark_not_started(self, run_id: str, reason: str, at: dt.datetime) -> bool:
        """The run found another run of its window active and did nothing (False if it had done something)."""
        return conditional(
            lambda: BatchItem(batch_id=run_id).update(
                actions=[
                    BatchItem.status.set(RunStatus.NOT_STARTED.value),
                    BatchItem.not_started_reason.set(reason),
                    BatchItem.finished_at.set(at),
                ],
                condition=(BatchItem.status == RunStatus.RUNNING.value) & BatchItem.file_key.does_not_exist(),
            )
        )

    def record_failure(self, run_id: str, error: str, cause: str) -> None:
        BatchItem(batch_id=run_id).update(
            actions=[
                BatchItem.status.set(RunStatus.FAILED.value),
                BatchItem.failure.set({"error": error, "cause": cause[:2000]}),
            ]
        )

    def start_retry(self, run_id: str, by: str, at: dt.datetime) -> int | None:
        """Move a failed run to retrying, once: the retry's attempt number, or None when the run is not failed
        (someone else pressed "Retry run" first, or it is not failed)."""
        run = self.get(run_id)
        if run is None or run.status != RunStatus.FAILED:
            return None
        attempt = run.attempts + 1
        written = conditional(
            lambda: BatchItem(batch_id=run_id).update(
                actions=[
                    BatchItem.status.set(RunStatus.RETRYING.value),
                    BatchItem.attempts.set(attempt),
                    BatchItem.retried_by.set(by),
                    BatchItem.retried_at.set(at),
                ],
                condition=(BatchItem.status == RunStatus.FAILED.value)
                & (BatchItem.attempts.does_not_exist() | (BatchItem.attempts == run.attempts)),
            )
        )
        return attempt if written else None

    def resume(self, run_id: str) -> bool:
        """A retry's execution has started: retrying → running (False when the run was not retrying)."""
        return conditional(
            lambda: BatchItem(batch_id=run_id).update(
                actions=[BatchItem.status.set(RunStatus.RUNNING.value), BatchItem.failure.remove()],
                condition=BatchItem.status == RunStatus.RETRYING.value,
            )
        )

    # -- the payer -------------------------------------------------------------------------------
    def record_payer_notified(self, run_id: str, at: dt.datetime, *, notice: str, emails: int) -> bool:
        """Record, once, what the payer was told about the run's file: `notice` is "emailed" (with the number
        of emails queued), "no_claims" or "no_payer_address" (nobody emailed). False if already recorded.
        """
        return conditional(
            lambda: BatchItem(batch_id=run_id).update(
                actions=[
                    BatchItem.payer_notified_at.set(at),
                    BatchItem.payer_notice.set(notice),
                    BatchItem.payer_emails.set(emails),
                ],
                condition=BatchItem.batch_id.exists() & BatchItem.payer_notified_at.does_not_exist(),
            )
        )

    def record_link_resent(self, run_id: str, at: dt.datetime, by: str, emails: int) -> None:
        """Support sent the payer a new link to the run's file (the payer is now known to be emailed)."""
        BatchItem(batch_id=run_id).update(
            actions=[
                BatchItem.link_resent_at.set(at),
                BatchItem.link_resent_by.set(by),
                BatchItem.payer_notice.set("emailed"),
                BatchItem.payer_emails.set(emails),
                BatchItem.payer_notified_at.set(BatchItem.payer_notified_at | at),
            ],
            condition=BatchItem.batch_id.exists(),
        )


# -- payer responses: the uploaded file in S3, its batch record, and the claim facts the checks need ----------
PAYER_RESPONSE = "payer_response"


def _batch(item: BatchItem) -> PayerResponseBatch:
    counts = item.counts.as_dict() if item.counts is not None else {}
    return PayerResponseBatch(
        batch_id=item.batch_id,
        status=BatchStatus(item.status),
        created_at=dt.datetime.fromisoformat(item.created_at),
        uploaded_by=item.started_by or "",
        file_key=item.file_key or "",
        file_sha256=item.file_sha256 or "",
        row_count=int(item.row_count),
        counts=ResponseCounts(
            paid=int(counts.get("paid", 0)), information_requested=int(counts.get("information_requested", 0))
        ),
        failed=int(counts.get("failed", 0)),
    )


def file_key(batch_id: str) -> str:
    return f"payer-responses/{batch_id}.csv"


@dataclass(frozen=True)
class FollowUpClaim:
    """A claim waiting for support after the payer's response (for the payments page)."""

    reference: str
    school_name: str
    provider_name: str
    status: ClaimStatus
    unpaid_reason: str


class PayerResponses:
    def store(
        self, batch_id: str, content: bytes, uploaded_by: str, at: dt.datetime, counts: ResponseCounts
    ) -> PayerResponseBatch:
        """The file exactly as uploaded, then its pending batch record (SHA-256 and counts with it)."""
        stored = put_stream(file_key(batch_id), [content])
        item = BatchItem(
            batch_id=batch_id,
            kind=PAYER_RESPONSE,
            created_at=at.isoformat(),
            status=BatchStatus.PENDING.value,
            trigger="upload",
            started_by=uploaded_by,
            file_key=stored.key,
            file_sha256=stored.sha256,
            row_count=counts.total,
            counts={"paid": counts.paid, "information_requested": counts.information_requested},
        )
        item.save(condition=BatchItem.batch_id.does_not_exist())
        return _batch(item)

    def get(self, batch_id: str) -> PayerResponseBatch | None:
        try:
            item = BatchItem.get(batch_id)
        except DoesNotExist:
            return None
        return _batch(item) if item.kind == PAYER_RESPONSE else None

    def unfinished(self, uploaded_by: str) -> list[PayerResponseBatch]:
        """This user's confirmed uploads whose claims were not all changed (one Query on the kind index;
        payer responses are a few a year)."""
        query = BatchItem.by_kind.query(
            PAYER_RESPONSE,
            filter_condition=(BatchItem.status == BatchStatus.APPLYING.value) & (BatchItem.started_by == uploaded_by),
        )
        return [_batch(item) for item in query]

    def pending(self) -> list[PayerResponseBatch]:
        """Every upload checked and stored but not yet confirmed, oldest first (one Query on the kind index)."""
        query = BatchItem.by_kind.query(PAYER_RESPONSE, filter_condition=BatchItem.status == BatchStatus.PENDING.value)
        return [_batch(item) for item in query]

    def read_file(self, batch: PayerResponseBatch) -> bytes:
        return read(batch.file_key)

    def start_applying(self, batch_id: str) -> bool:
        """Pending → applying, once: False when it was already confirmed (a second click, another tab)."""
        return conditional(
            lambda: BatchItem(batch_id=batch_id).update(
                actions=[BatchItem.status.set(BatchStatus.APPLYING.value)],
                condition=(BatchItem.kind == PAYER_RESPONSE) & (BatchItem.status == BatchStatus.PENDING.value),
            )
        )

    def record_outcome(self, batch_id: str, counts: ResponseCounts, failed: int) -> None:
        """Applying → confirmed, with what happened to the rows."""
        BatchItem(batch_id=batch_id).update(
            actions=[
                BatchItem.status.set(BatchStatus.CONFIRMED.value),
                BatchItem.counts.set(
                    {"paid": counts.paid, "information_requested": counts.information_requested, "failed": failed}
                ),
            ]
        )

    @staticmethod
    def claim_statuses(references: Iterable[str]) -> dict[str, ClaimStatus]:
        """The current status of each claim that exists: BatchGets of 100, two attributes each."""
        keys = sorted(set(references))
        if not keys:
            return {}
        items = ClaimItem.batch_get(keys, attributes_to_get=["claim_id", "status"])
        return {item.claim_id: ClaimStatus(item.status) for item in items}

    @staticmethod
    def unpaid_reason(reference: str) -> str | None:
        try:
            item = ClaimItem.get(reference, attributes_to_get=["unpaid_reason"])
        except DoesNotExist:
            return None
        return item.unpaid_reason

    @staticmethod
    def awaiting_follow_up() -> list[FollowUpClaim]:
        """Claims whose payer needs information or has been sent it, oldest window first: a Query per
        window and status on the window-status index (windows are a few a year)."""
        found: list[FollowUpClaim] = []
        wanted = (ClaimStatus.PAYMENT_INFORMATION_REQUESTED, ClaimStatus.PAYMENT_INFORMATION_SENT)
        for window in reversed(ClaimWindows().all()):
            for status in wanted:
                for item in ClaimItem.by_window_status.query(f"{window.window_id}#{status.value}"):
                    found.append(
                        FollowUpClaim(
                            reference=item.reference,
                            school_name=item.school_name,
                            provider_name=item.provider_name,
                            status=status,
                            unpaid_reason=item.unpaid_reason or "",
                        )
                    )
        return found
