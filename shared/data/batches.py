"""Batch records: payment runs (and later payer responses, audits, clawbacks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pynamodb.exceptions import DoesNotExist

from shared.data.items import BatchItem


class PaymentRuns:
    KIND = "payment_run"

    def start(self, run_id: str, window_id: str | None, trigger: str, started_by: str, at: dt.datetime) -> None:
        """Record a run once; a second start of the same run id leaves the first record alone."""
        BatchItem(
            batch_id=run_id,
            kind=self.KIND,
            created_at=at.isoformat(),
            status="running",
            window_id=window_id,
            trigger=trigger,
            started_by=started_by,
        ).save(condition=BatchItem.batch_id.does_not_exist())

    def exists(self, run_id: str) -> bool:
        try:
            BatchItem.get(run_id)
        except DoesNotExist:
            return False
        return True

    def record_counts(self, run_id: str, **counts: int) -> None:
        item = BatchItem(batch_id=run_id)
        item.update(actions=[BatchItem.counts[name].set(value) for name, value in counts.items()])

    def record_file(self, run_id: str, key: str, sha256: str, row_count: int, total_pence: int) -> None:
        BatchItem(batch_id=run_id).update(
            actions=[
                BatchItem.file_key.set(key),
                BatchItem.file_sha256.set(sha256),
                BatchItem.row_count.set(row_count),
                BatchItem.total_pence.set(total_pence),
                BatchItem.status.set("file_generated"),
            ]
        )

    def record_failure(self, run_id: str, error: str, cause: str) -> None:
        BatchItem(batch_id=run_id).update(
            actions=[BatchItem.status.set("failed"), BatchItem.failure.set({"error": error, "cause": cause[:2000]})]
        )

    def get(self, run_id: str) -> dict[str, Any] | None:
        try:
            item = BatchItem.get(run_id)
        except DoesNotExist:
            return None
        return {
            "run_id": item.batch_id,
            "status": item.status,
            "window_id": item.window_id,
            "trigger": item.trigger,
            "file_key": item.file_key,
            "file_sha256": item.file_sha256,
            "row_count": int(item.row_count),
            "total_pence": int(item.total_pence),
            "failure": item.failure.as_dict() if item.failure is not None else None,
            "counts": item.counts.as_dict() if item.counts is not None else {},
        }
