"""Activity: what support users did, in the activity table, newest first by month (ADR 0021).

An entry is written once, when the thing is done or asked for. A claims export's entry is also the export's
record: its state moves preparing → ready (or failed) only by conditional updates, and while a delivery of the
export's message writes the file it holds a lease on the entry (`worker`, `lease_until`), so two deliveries at
once cannot both write it, and only the holder can mark it ready with its file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.claims_export import LEASE, ClaimsExport, ExportStatus
from shared.data.files import StoredFile
from shared.data.items import ActivityItem
from shared.data.transactions import conditional


def month_of(at: dt.datetime) -> str:
    """The index partition an instant falls in: "YYYY-MM", UTC."""
    return f"{at.astimezone(dt.UTC):%Y-%m}"


def _at_id(at: dt.datetime, activity_id: str) -> str:
    return f"{at.astimezone(dt.UTC).isoformat()}#{activity_id}"


def at_id_of(entry: ActivityEntry) -> str:
    """Where an entry sits in its month's index: the Activity page's cursor (ADR 0028)."""
    return _at_id(entry.at, entry.activity_id)


def _export(item: ActivityItem) -> ClaimsExport:
    return ClaimsExport(
        export_id=item.activity_id,
        requested_by=item.actor_id,
        requested_by_name=item.actor_name,
        requested_at=item.at,
        query=item.filters or "",
        years=tuple(item.years or ()),
        status=ExportStatus(item.status or ExportStatus.PREPARING.value),
        row_count=int(item.row_count) if item.row_count is not None else None,
        file_key=item.file_key,
        file_sha256=item.file_sha256,
        file_size=int(item.file_size) if item.file_size is not None else None,
        prepared_at=item.prepared_at,
        failure=item.failure,
        attempts=int(item.attempts or 0),
    )


def _entry(item: ActivityItem) -> ActivityEntry:
    return ActivityEntry(
        activity_id=item.activity_id,
        kind=ActivityKind(item.kind),
        at=item.at,
        actor_id=item.actor_id,
        actor_name=item.actor_name,
        query=item.filters,
        row_count=int(item.row_count) if item.row_count is not None else None,
        status=item.status,
        summary=item.summary or "",
        counts={str(k): int(v) for k, v in _plain(item.counts).items()},
        link=item.link,
    )


def _plain(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)


def activity_item(entry: ActivityEntry) -> ActivityItem:
    """The item for an entry: to save alone (`Activity.record`) or inside the transaction of the change it records."""
    return ActivityItem(
        activity_id=entry.activity_id,
        kind=entry.kind.value,
        month=month_of(entry.at),
        at_id=_at_id(entry.at, entry.activity_id),
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        status=entry.status,
        row_count=entry.row_count,
        summary=entry.summary or None,
        counts=dict(entry.counts) or None,
        link=entry.link,
    )


class Activity:
    EXPORT = ActivityKind.CLAIMS_EXPORT.value

    # -- the Activity page -------------------------------------------------------------------------------------
    def newest(self, months: Iterable[str], limit: int, before: str | None = None) -> list[ActivityEntry]:
        """Up to `limit` entries, newest first, from these months (newest month first): one Query a month.
        With `before` (an entry's `at_id_of`), only entries older than it."""
        found: list[ActivityEntry] = []
        for month in months:
            remaining = limit - len(found)
            if remaining <= 0:
                break
            older = ActivityItem.at_id < before if before else None
            items = ActivityItem.by_month.query(
                month, range_key_condition=older, scan_index_forward=False, limit=remaining
            )
            found += [_entry(item) for item in items]
        return found

    def newer(self, months: Iterable[str], limit: int, after: str) -> list[ActivityEntry]:
        """Up to `limit` entries newer than `after` (an entry's `at_id_of`), OLDEST first, from these months
        (oldest month first): one Query a month."""
        found: list[ActivityEntry] = []
        for month in months:
            remaining = limit - len(found)
            if remaining <= 0:
                break
            items = ActivityItem.by_month.query(
                month, range_key_condition=ActivityItem.at_id > after, scan_index_forward=True, limit=remaining
            )
            found += [_entry(item) for item in items]
        return found

    def record(self, entry: ActivityEntry) -> bool:
        """Write an entry once (False if an entry with its id exists: a retried task records nothing twice).
        To record a change in the same transaction as the change, add `activity_item(entry)` to it instead."""
        return conditional(lambda: activity_item(entry).save(condition=ActivityItem.activity_id.does_not_exist()))

    def set_counts(self, activity_id: str, counts: dict[str, int]) -> bool:
        """An entry's counts once they are known (a payment run's, when it finishes): False if there is no entry."""
        return conditional(
            lambda: ActivityItem(activity_id=activity_id).update(
                actions=[ActivityItem.counts.set(counts)], condition=ActivityItem.activity_id.exists()
            )
        )

    def get(self, activity_id: str) -> ActivityEntry | None:
        try:
            return _entry(ActivityItem.get(activity_id))
        except DoesNotExist:
            return None

    # -- claims exports ----------------------------------------------------------------------------------------
    def record_export(self, export: ClaimsExport) -> None:
        """Record the export as "Exported claims": who asked, when and for which filters; preparing. Written once."""
        ActivityItem(
            activity_id=export.export_id,
            kind=self.EXPORT,
            month=month_of(export.requested_at),
            at_id=_at_id(export.requested_at, export.export_id),
            at=export.requested_at,
            actor_id=export.requested_by,
            actor_name=export.requested_by_name,
            filters=export.query,
            years=list(export.years),
            status=export.status.value,
            attempts=0,
        ).save(condition=ActivityItem.activity_id.does_not_exist())

    def export(self, export_id: str) -> ClaimsExport | None:
        try:
            item = ActivityItem.get(export_id, consistent_read=True)
        except DoesNotExist:
            return None
        return _export(item) if item.kind == self.EXPORT else None

    def take_export(self, export_id: str, worker: str, now: dt.datetime) -> int | None:
        """Hold a preparing export for one delivery: its attempt number, or None when the export is not
        preparing or another delivery's lease has not ended."""
        item = ActivityItem(activity_id=export_id)
        taken = conditional(
            lambda: item.update(
                actions=[
                    ActivityItem.worker.set(worker),
                    ActivityItem.lease_until.set(int((now + LEASE).timestamp())),
                    ActivityItem.attempts.set((ActivityItem.attempts | 0) + 1),
                ],
                condition=(ActivityItem.kind == self.EXPORT)
                & (ActivityItem.status == ExportStatus.PREPARING.value)
                & (ActivityItem.lease_until.does_not_exist() | (ActivityItem.lease_until < int(now.timestamp()))),
            )
        )
        return int(item.attempts) if taken else None

    def finish_export(self, export_id: str, worker: str, stored: StoredFile, rows: int, now: dt.datetime) -> bool:
        """Ready, with its file and count: once, and only by the delivery holding it."""
        return conditional(
            lambda: ActivityItem(activity_id=export_id).update(
                actions=[
                    ActivityItem.status.set(ExportStatus.READY.value),
                    ActivityItem.file_key.set(stored.key),
                    ActivityItem.file_sha256.set(stored.sha256),
                    ActivityItem.file_size.set(stored.size),
                    ActivityItem.row_count.set(rows),
                    ActivityItem.prepared_at.set(now),
                    ActivityItem.worker.remove(),
                    ActivityItem.lease_until.remove(),
                ],
                condition=self._held_by(worker),
            )
        )

    def fail_export(self, export_id: str, reason: str, worker: str | None = None) -> bool:
        """Failed (the page offers to try again): once, by the delivery holding it (or, before any did, by the
        request that could not queue it)."""
        condition: Condition = (
            self._held_by(worker)
            if worker
            else (ActivityItem.kind == self.EXPORT) & (ActivityItem.status == ExportStatus.PREPARING.value)
        )
        return conditional(
            lambda: ActivityItem(activity_id=export_id).update(
                actions=[
                    ActivityItem.status.set(ExportStatus.FAILED.value),
                    ActivityItem.failure.set(reason),
                    ActivityItem.worker.remove(),
                    ActivityItem.lease_until.remove(),
                ],
                condition=condition,
            )
        )

    def _held_by(self, worker: str) -> Condition:
        held: Condition = (
            (ActivityItem.kind == self.EXPORT)
            & (ActivityItem.status == ExportStatus.PREPARING.value)
            & (ActivityItem.worker == worker)
        )
        return held
