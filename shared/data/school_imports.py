"""School data imports' records, in the activity table (ADR 26).

An import's record is its Activity entry ("School data imported", kind school_data_import): who asked, when, the
uploaded file, how far it has got and, once finished, what it did. One more item, "school-data-imports", in no
month (so never listed), names the latest import and the one running now: starting an import is one transaction
that writes the record and takes that item only if no import is running, so two imports never run at once.
While a delivery of the import's message runs it, it holds the record (`worker`, `lease_until`), as a claims
export's delivery does, so a redelivered message cannot import the file a second time.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from shared.claims.activity import ActivityKind
from shared.claims.gias import LEASE, STALE_AFTER, ImportReport, ImportStatus, SchoolImport
from shared.data.activity import month_of
from shared.data.items import ActivityItem
from shared.data.transactions import conditional, write_transaction

IMPORTS = "school-data-imports"  # the item naming the latest import and the running one
KIND = ActivityKind.SCHOOL_DATA_IMPORT.value
SUMMARY = "GIAS establishment data"
LINK = "/support/settings/school-data"


class Begun(StrEnum):
    STARTED = "started"
    EXISTS = "exists"  # this import was recorded before (a second press of the button)
    BUSY = "busy"  # another import is running


def _epoch(at: dt.datetime) -> int:
    return int(at.timestamp())


def _import(item: ActivityItem) -> SchoolImport:
    return SchoolImport(
        import_id=item.activity_id,
        requested_by=item.actor_id,
        requested_by_name=item.actor_name,
        requested_at=item.at,
        file_key=item.file_key or "",
        status=ImportStatus(item.status or ImportStatus.IMPORTING.value),
        rows_read=int(item.row_count or 0),
        report=ImportReport.model_validate_json(item.report) if item.report else None,
        finished_at=item.prepared_at,
        failure=item.failure,
        attempts=int(item.attempts or 0),
    )


class SchoolImports:
    def start(self, record: SchoolImport) -> Begun:
        """Record the import and make it the running one, in one transaction (nothing written unless both)."""
        item = ActivityItem(
            activity_id=record.import_id,
            kind=KIND,
            month=month_of(record.requested_at),
            at_id=f"{record.requested_at.astimezone(dt.UTC).isoformat()}#{record.import_id}",
            at=record.requested_at,
            actor_id=record.requested_by,
            actor_name=record.requested_by_name,
            status=record.status.value,
            file_key=record.file_key,
            summary=SUMMARY,
            link=LINK,
            attempts=0,
        )
        free: Condition = ActivityItem.running_import.does_not_exist() | (
            ActivityItem.lease_until < _epoch(record.requested_at)
        )
        try:
            with write_transaction() as transaction:
                transaction.save(item, condition=ActivityItem.activity_id.does_not_exist(), label="record")
                transaction.update(
                    ActivityItem(activity_id=IMPORTS),
                    actions=[
                        ActivityItem.latest_import.set(record.import_id),
                        ActivityItem.running_import.set(record.import_id),
                        ActivityItem.lease_until.set(_epoch(record.requested_at + STALE_AFTER)),
                    ],
                    condition=free,
                    label="running",
                )
        except TransactWriteError as error:
            failed = transaction.failed_labels(error)
            if "record" in failed:
                return Begun.EXISTS
            if failed == ["running"]:
                return Begun.BUSY
            raise
        return Begun.STARTED

    def get(self, import_id: str) -> SchoolImport | None:
        try:
            item = ActivityItem.get(import_id, consistent_read=True)
        except DoesNotExist:
            return None
        return _import(item) if item.kind == KIND else None

    def latest(self) -> SchoolImport | None:
        """The latest import (running or not): two GetItems."""
        try:
            pointer = ActivityItem.get(IMPORTS, consistent_read=True)
        except DoesNotExist:
            return None
        return self.get(pointer.latest_import) if pointer.latest_import else None

    # -- the import task ---------------------------------------------------------------------------------------
    def take(self, import_id: str, worker: str, now: dt.datetime) -> bool:
        """Hold a running import for one delivery; False when it has finished or another delivery holds it."""
        return conditional(
            lambda: ActivityItem(activity_id=import_id).update(
                actions=[
                    ActivityItem.worker.set(worker),
                    ActivityItem.lease_until.set(_epoch(now + LEASE)),
                    ActivityItem.attempts.set((ActivityItem.attempts | 0) + 1),
                    ActivityItem.row_count.set(0),
                ],
                condition=(ActivityItem.kind == KIND)
                & (ActivityItem.status == ImportStatus.IMPORTING.value)
                & (ActivityItem.lease_until.does_not_exist() | (ActivityItem.lease_until < _epoch(now))),
            )
        )

    def progress(self, import_id: str, worker: str, rows_read: int) -> bool:
        """Note how many rows the holder has read (the page shows it); False if it no longer holds the import."""
        return conditional(
            lambda: ActivityItem(activity_id=import_id).update(
                actions=[ActivityItem.row_count.set(rows_read)], condition=self._held_by(worker)
            )
        )

    def finish(self, import_id: str, worker: str, report: ImportReport, now: dt.datetime) -> bool:
        """Finished with what it did (its Activity entry's counts), and no longer running: once, by the holder."""
        return self._end(
            import_id,
            worker,
            [
                ActivityItem.status.set(ImportStatus.FINISHED.value),
                ActivityItem.report.set(report.model_dump_json()),
                ActivityItem.counts.set(report.counts()),
                ActivityItem.row_count.set(report.rows_read),
                ActivityItem.prepared_at.set(now),
            ],
        )

    def fail(self, import_id: str, worker: str, reason: str, now: dt.datetime) -> bool:
        return self._end(
            import_id,
            worker,
            [
                ActivityItem.status.set(ImportStatus.FAILED.value),
                ActivityItem.failure.set(reason),
                ActivityItem.prepared_at.set(now),
            ],
        )

    def fail_unqueued(self, import_id: str, now: dt.datetime) -> None:
        """The request could not queue the import: failed, and no longer running (no delivery holds it)."""
        self._end(
            import_id,
            None,
            [
                ActivityItem.status.set(ImportStatus.FAILED.value),
                ActivityItem.failure.set("it could not be started"),
                ActivityItem.prepared_at.set(now),
            ],
        )

    def _end(self, import_id: str, worker: str | None, actions: list[Action]) -> bool:
        condition = (
            self._held_by(worker)
            if worker
            else (ActivityItem.kind == KIND) & (ActivityItem.status == ImportStatus.IMPORTING.value)
        )
        try:
            with write_transaction() as transaction:
                transaction.update(
                    ActivityItem(activity_id=import_id),
                    actions=[*actions, ActivityItem.worker.remove(), ActivityItem.lease_until.remove()],
                    condition=condition,
                    label="record",
                )
                transaction.update(
                    ActivityItem(activity_id=IMPORTS),
                    actions=[ActivityItem.running_import.remove(), ActivityItem.lease_until.remove()],
                    condition=ActivityItem.running_import == import_id,
                    label="running",
                )
        except TransactWriteError as error:
            if transaction.failed_labels(error) == ["running"]:
                # A stale import was overtaken by a newer one: end the record alone.
                return conditional(
                    lambda: ActivityItem(activity_id=import_id).update(
                        actions=[*actions, ActivityItem.worker.remove(), ActivityItem.lease_until.remove()],
                        condition=condition,
                    )
                )
            if "record" in transaction.failed_labels(error):
                return False
            raise
        return True

    def _held_by(self, worker: str) -> Condition:
        held: Condition = (
            (ActivityItem.kind == KIND)
            & (ActivityItem.status == ImportStatus.IMPORTING.value)
            & (ActivityItem.worker == worker)
        )
        return held
