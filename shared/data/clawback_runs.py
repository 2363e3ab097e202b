"""Clawback runs (ADR 0034): the run's record, the one-run-at-a-time lock, the claims a run takes from the
clawback index, and the payer's clawback responses as uploaded.

The run's record is a batch (`kind` clawback_run) written once per run id; its file is recorded once, on
condition that it has none. The lock is one batch item (`CLAWBACK_LOCK`) naming the run that holds it in
`started_by`; a run takes it on condition that nobody else holds it and frees it on condition that it still does.
A claim waits for a run under CLAWBACK_PENDING in the clawback index; a run takes it by writing its own id there
on condition that the claim still reads CLAWBACK_PENDING, in transactions of TAKE_GROUP_SIZE claims that also
count what the run owns and check that it has no file yet (so nothing is taken once the file is written).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from shared.claims.audit_answers import CLAWBACK_PENDING
from shared.claims.claim import Claim
from shared.claims.clawback_runs import ClawbackRun, ClawbackRunStatus, ClawbackTrigger
from shared.claims.errors import ConcurrentUpdate
from shared.claims.statuses import ClaimStatus
from shared.data.claim_events import new_event
from shared.data.claims import TAKE_GROUP_SIZE, ClaimsStore
from shared.data.files import put_stream, read
from shared.data.items import BatchItem, ClaimItem, map_as_dict
from shared.data.transactions import TransactionTooLarge, conditional, write_transaction

KIND = "clawback_run"
RESPONSE_KIND = "clawback_response"
CLAWBACK_LOCK = "clawback-run-lock"
ACTOR = "clawback-run"


def _run(item: BatchItem) -> ClawbackRun:
    failure = map_as_dict(item.failure)
    reconciliation = map_as_dict(item.reconciliation)
    counts = map_as_dict(item.counts)
    return ClawbackRun(
        run_id=item.batch_id,
        created_at=dt.datetime.fromisoformat(item.created_at),
        status=ClawbackRunStatus(item.status),
        trigger=ClawbackTrigger(item.trigger or ClawbackTrigger.SCHEDULE),
        started_by=item.started_by or "",
        started_by_name=item.started_by_name or "",
        owned=int(item.owned or 0),
        owned_pence=int(item.owned_pence or 0),
        file_key=item.file_key,
        file_sha256=item.file_sha256,
        row_count=int(item.row_count or 0),
        total_pence=int(item.total_pence or 0),
        moved=int(counts.get("moved", 0)),
        reconciled=bool(reconciliation.get("passed", False)),
        reconciliation_examples=tuple(str(e) for e in reconciliation.get("examples") or ()),
        payer_notified_at=item.payer_notified_at,
        payer_emails=int(item.payer_emails or 0),
        finished_at=item.finished_at,
        failure=f"{failure.get('error', '')}: {failure.get('cause', '')}" if failure else "",
        not_started_reason=item.not_started_reason or "",
        attempts=int(item.attempts or 0),
        retried_by=item.retried_by or "",
    )


class ClawbackRuns:
    # -- the record --------------------------------------------------------------------------------------------
    def start(
        self, run_id: str, trigger: ClawbackTrigger, started_by: str, started_by_name: str, at: dt.datetime
    ) -> bool:
        """Record a run once; a second start of the same run id leaves the first record alone (False)."""
        return conditional(
            lambda: BatchItem(
                batch_id=run_id,
                kind=KIND,
                created_at=at.isoformat(),
                status=ClawbackRunStatus.RUNNING.value,
                trigger=trigger.value,
                started_by=started_by,
                started_by_name=started_by_name or None,
                owned=0,
                owned_pence=0,
            ).save(condition=BatchItem.batch_id.does_not_exist())
        )

    def get(self, run_id: str) -> ClawbackRun | None:
        try:
            item = BatchItem.get(run_id, consistent_read=True)
        except DoesNotExist:
            return None
        return _run(item) if item.kind == KIND else None

    def all(self) -> list[ClawbackRun]:
        """Every clawback run, newest first: one Query on the batches' kind index (a run a week at most)."""
        return [_run(item) for item in BatchItem.by_kind.query(KIND, scan_index_forward=False)]

    def record_file(self, run_id: str, key: str, sha256: str, row_count: int, total_pence: int) -> bool:
        """The run's file, once: False when an attempt of the run recorded one first (use that one)."""
        return conditional(
            lambda: BatchItem(batch_id=run_id).update(
                actions=[
                    BatchItem.file_key.set(key),
                    BatchItem.file_sha256.set(sha256),
                    BatchItem.row_count.set(row_count),
                    BatchItem.total_pence.set(total_pence),
                ],
                condition=BatchItem.batch_id.exists() & BatchItem.file_key.does_not_exist(),
            )
        )

    def record_reconciliation(self, run_id: str, passed: bool, examples: Sequence[str], at: dt.datetime) -> None:
        BatchItem(batch_id=run_id).update(
            actions=[
                BatchItem.reconciliation.set(
                    {"passed": passed, "examples": list(examples)[:10], "checked_at": at.isoformat()}
                )
            ],
            condition=BatchItem.batch_id.exists(),
        )

    def record_moved(self, run_id: str, moved: int) -> None:
        BatchItem(batch_id=run_id).update(
            actions=[BatchItem.counts["moved"].set(moved)], condition=BatchItem.batch_id.exists()
        )

    def record_payer_notified(self, run_id: str, at: dt.datetime, emails: int) -> bool:
        """Once: False when an attempt of the run recorded it first."""
        return conditional(
            lambda: BatchItem(batch_id=run_id).update(
                actions=[
                    BatchItem.payer_notified_at.set(at),
                    BatchItem.payer_notice.set("emailed" if emails else "no_payer_address"),
                    BatchItem.payer_emails.set(emails),
                ],
                condition=BatchItem.batch_id.exists() & BatchItem.payer_notified_at.does_not_exist(),
            )
        )

    def finish(self, run_id: str, status: ClawbackRunStatus, at: dt.datetime, reason: str = "") -> bool:
        """running → completed, no_claims or not_started, once (False when the run had already ended)."""
        actions: list[Any] = [BatchItem.status.set(status.value), BatchItem.finished_at.set(at)]
        if reason:
            actions.append(BatchItem.not_started_reason.set(reason))
        return conditional(
            lambda: BatchItem(batch_id=run_id).update(
                actions=actions, condition=BatchItem.status == ClawbackRunStatus.RUNNING.value
            )
        )

    def record_failure(self, run_id: str, error: str, cause: str, at: dt.datetime) -> None:
        BatchItem(batch_id=run_id).update(
            actions=[
                BatchItem.status.set(ClawbackRunStatus.FAILED.value),
                BatchItem.failure.set({"error": error, "cause": cause[:2000]}),
                BatchItem.finished_at.set(at),
            ],
            condition=BatchItem.batch_id.exists(),
        )

    def start_retry(self, run_id: str, by: str, at: dt.datetime) -> int | None:
        """failed → running, once, for support's "Retry run": the retry's attempt number, or None when the run is
        not failed (a colleague retried it a moment ago)."""
        run = self.get(run_id)
        if run is None or run.status is not ClawbackRunStatus.FAILED:
            return None
        attempt = run.attempts + 1
        written = conditional(
            lambda: BatchItem(batch_id=run_id).update(
                actions=[
                    BatchItem.status.set(ClawbackRunStatus.RUNNING.value),
                    BatchItem.failure.remove(),
                    BatchItem.finished_at.remove(),
                    BatchItem.attempts.set(attempt),
                    BatchItem.retried_by.set(by),
                    BatchItem.retried_at.set(at),
                ],
                condition=(BatchItem.status == ClawbackRunStatus.FAILED.value)
                & (BatchItem.attempts.does_not_exist() | (BatchItem.attempts == run.attempts)),
            )
        )
        return attempt if written else None

    # -- one run at a time ---------------------------------------------------------------------------------------
    def take_lock(self, run_id: str, at: dt.datetime) -> bool:
        """Make `run_id` the one run in flight: False when another RUNNING run holds the lock (taking it again is
        True). A lock left by a run that is no longer running (its failure could not be recorded) is taken over, on
        condition that it still names that run, so two runs taking it over at once cannot both win."""
        holder = self._holder()
        if holder and holder != run_id:
            found = self.get(holder)
            if found is not None and found.status is ClawbackRunStatus.RUNNING:
                return False
        condition = BatchItem.started_by.does_not_exist() | (BatchItem.started_by == run_id)
        if holder:
            condition = condition | (BatchItem.started_by == holder)
        return conditional(
            lambda: BatchItem(batch_id=CLAWBACK_LOCK).update(
                actions=[
                    BatchItem.kind.set("clawback_run_lock"),
                    BatchItem.created_at.set(BatchItem.created_at | at.isoformat()),
                    BatchItem.status.set("held"),
                    BatchItem.started_by.set(run_id),
                ],
                condition=condition,
            )
        )

    def release_lock(self, run_id: str) -> bool:
        """Free the lock, only if `run_id` holds it."""
        return conditional(
            lambda: BatchItem(batch_id=CLAWBACK_LOCK).update(
                actions=[BatchItem.started_by.remove(), BatchItem.status.set("free")],
                condition=BatchItem.started_by == run_id,
            )
        )

    def _holder(self) -> str | None:
        try:
            item = BatchItem.get(CLAWBACK_LOCK, consistent_read=True)
        except DoesNotExist:
            return None
        return item.started_by or None

    def in_flight(self) -> str | None:
        """The run holding the lock, if it is still running (a lock a failed run left is no run in flight)."""
        holder = self._holder()
        if holder is None:
            return None
        found = self.get(holder)
        return holder if found is not None and found.status is ClawbackRunStatus.RUNNING else None


# -- the claims ----------------------------------------------------------------------------------------------------
def claims_under(key: str, page_size: int = 500) -> Iterator[list[Claim]]:
    """The claims under one key of the clawback index (CLAWBACK_PENDING, or a run's id), by reference, a page at a
    time: the index gives the references (one Query a page), the claims are read themselves (strongly consistent
    BatchGets), and only those still under `key` are given: the index can lag behind a take a moment ago."""
    store = ClaimsStore()
    last_key: dict[str, Any] | None = None
    while True:
        result = ClaimItem.by_clawback.query(
            key, limit=page_size, last_evaluated_key=last_key, attributes_to_get=["claim_id", "clawback_run_id"]
        )
        references = [item.claim_id for item in result]
        claims = [claim for claim in store.get_many(references, consistent=True) if claim.clawback_run_id == key]
        if claims:
            yield claims
        last_key = result.last_evaluated_key
        if not last_key:
            return


def pending_claims(page_size: int = 500) -> Iterator[list[Claim]]:
    return claims_under(CLAWBACK_PENDING, page_size)


def count_under(key: str) -> int:
    return int(ClaimItem.by_clawback.count(key))


def get_claims(references: Iterable[str]) -> list[Claim]:
    """The claims themselves (strongly consistent BatchGets): what an index said a moment ago, checked."""
    keys = sorted(set(references))
    return ClaimsStore().get_many(keys, consistent=True) if keys else []


def take_for_clawback_run(claims: Sequence[Claim], run_id: str, at: dt.datetime) -> list[Claim]:
    """Make `run_id` the owner of up to TAKE_GROUP_SIZE claims waiting for a clawback in ONE transaction: each
    only if it still waits (clawback_requested, CLAWBACK_PENDING) and is unchanged since it was read, each with
    its event; and only while the run has no file, counting what the run owns and its total in the same write.
    ConcurrentUpdate (nothing written) when any condition fails."""
    if len(claims) > TAKE_GROUP_SIZE:
        raise TransactionTooLarge(f"{len(claims)} claims do not fit one transaction")
    if not claims:
        return []
    taken = [c.model_copy(update={"clawback_run_id": run_id, "version": c.version + 1}) for c in claims]
    pence = sum(claim.clawback.total_pence if claim.clawback else 0 for claim in claims)
    try:
        with write_transaction() as transaction:
            transaction.update(
                BatchItem(batch_id=run_id),
                actions=[BatchItem.owned.add(len(claims)), BatchItem.owned_pence.add(pence)],
                condition=BatchItem.batch_id.exists()
                & BatchItem.file_key.does_not_exist()
                & (BatchItem.status == ClawbackRunStatus.RUNNING.value),
            )
            for claim, updated in zip(claims, taken, strict=True):
                transaction.update(
                    ClaimItem(claim_id=claim.reference),
                    actions=[ClaimItem.clawback_run_id.set(run_id), ClaimItem.version.set(updated.version)],
                    condition=(ClaimItem.clawback_run_id == CLAWBACK_PENDING)
                    & (ClaimItem.status == ClaimStatus.CLAWBACK_REQUESTED.value)
                    & (ClaimItem.version == claim.version),
                )
                transaction.save(new_event(updated, "taken_for_clawback_run", claim.status, ACTOR, at, f"In {run_id}"))
    except TransactWriteError as error:
        raise ConcurrentUpdate(claims[0].reference) from error
    return taken


def release_from_clawback_run(claims: Sequence[Claim], run_id: str, at: dt.datetime, reason: str) -> list[Claim]:
    """A failed run gives back claims it took and never sent (still clawback_requested, owned by it): they wait
    for the next run again. Up to TAKE_GROUP_SIZE in ONE transaction, each with its event; ConcurrentUpdate
    when any condition fails."""
    if len(claims) > TAKE_GROUP_SIZE:
        raise TransactionTooLarge(f"{len(claims)} claims do not fit one transaction")
    if not claims:
        return []
    released = [c.model_copy(update={"clawback_run_id": CLAWBACK_PENDING, "version": c.version + 1}) for c in claims]
    try:
        with write_transaction() as transaction:
            for claim, updated in zip(claims, released, strict=True):
                transaction.update(
                    ClaimItem(claim_id=claim.reference),
                    actions=[ClaimItem.clawback_run_id.set(CLAWBACK_PENDING), ClaimItem.version.set(updated.version)],
                    condition=(ClaimItem.clawback_run_id == run_id)
                    & (ClaimItem.status == ClaimStatus.CLAWBACK_REQUESTED.value)
                    & (ClaimItem.version == claim.version),
                )
                transaction.save(new_event(updated, "released_from_clawback_run", claim.status, ACTOR, at, reason))
    except TransactWriteError as error:
        raise ConcurrentUpdate(claims[0].reference) from error
    return released


def claim_statuses(references: Iterable[str]) -> dict[str, ClaimStatus]:
    """The current status of each claim that exists: BatchGets of 100, two attributes each."""
    keys = sorted(set(references))
    if not keys:
        return {}
    items = ClaimItem.batch_get(keys, attributes_to_get=["claim_id", "status"])
    return {item.claim_id: ClaimStatus(item.status) for item in items}


# -- the payer's clawback responses ----------------------------------------------------------------------------------
def response_key(batch_id: str) -> str:
    return f"clawback-responses/{batch_id}.csv"


@dataclass(frozen=True)
class ClawbackUpload:
    """An upload of the payer's clawback response as recorded."""

    batch_id: str
    run_id: str  # the clawback run it answers
    uploaded_by: str
    created_at: dt.datetime
    status: str  # pending, applying, confirmed
    file_key: str
    row_count: int
    completed: int
    failed: int


class ClawbackResponses:
    """An upload of the payer's clawback response: the file as uploaded in S3 and its batch record (pending until
    a support user confirms it, then applying, then confirmed)."""

    def store(self, batch_id: str, run_id: str, content: bytes, uploaded_by: str, at: dt.datetime, rows: int) -> None:
        stored = put_stream(response_key(batch_id), [content])
        BatchItem(
            batch_id=batch_id,
            kind=RESPONSE_KIND,
            created_at=at.isoformat(),
            status="pending",
            trigger="upload",
            started_by=uploaded_by,
            file_key=stored.key,
            file_sha256=stored.sha256,
            row_count=rows,
            included_key=run_id,  # the clawback run the response answers
        ).save(condition=BatchItem.batch_id.does_not_exist())

    def get(self, batch_id: str) -> ClawbackUpload | None:
        try:
            item = BatchItem.get(batch_id, consistent_read=True)
        except DoesNotExist:
            return None
        if item.kind != RESPONSE_KIND:
            return None
        counts = map_as_dict(item.counts)
        return ClawbackUpload(
            batch_id=item.batch_id,
            run_id=item.included_key or "",
            uploaded_by=item.started_by or "",
            created_at=dt.datetime.fromisoformat(item.created_at),
            status=item.status,
            file_key=item.file_key or "",
            row_count=int(item.row_count or 0),
            completed=int(counts.get("completed", 0)),
            failed=int(counts.get("failed", 0)),
        )

    def read_file(self, file_key: str) -> bytes:
        return read(file_key)

    def start_applying(self, batch_id: str) -> bool:
        """pending → applying, once: False when it was already confirmed (a second click, another tab)."""
        return conditional(
            lambda: BatchItem(batch_id=batch_id).update(
                actions=[BatchItem.status.set("applying")],
                condition=(BatchItem.kind == RESPONSE_KIND) & (BatchItem.status == "pending"),
            )
        )

    def record_outcome(self, batch_id: str, completed: int, failed: int) -> None:
        BatchItem(batch_id=batch_id).update(
            actions=[
                BatchItem.status.set("confirmed"),
                BatchItem.counts.set({"completed": completed, "failed": failed}),
            ]
        )
