"""Batch records: payment runs (and later payer responses, audits, clawbacks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

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

    def all(self) -> list[dict[str, Any]]:
        """Every payment run, newest first: one Query on the batches' kind index."""
        return [_run(item) for item in BatchItem.by_kind.query(self.KIND, scan_index_forward=False)]

    def exists(self, run_id: str) -> bool:
        try:
            BatchItem.get(run_id)
        except DoesNotExist:
            return False
        return True

    def add_counts(self, run_id: str, **counts: int) -> None:
        """Add to running counts (pages of one run may finish in any order, several at once)."""
        BatchItem(batch_id=run_id).update(
            actions=[BatchItem.counts[name].set((BatchItem.counts[name] | 0) + value) for name, value in counts.items()]
        )

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

    def record_payer_notified(self, run_id: str, at: dt.datetime, *, notice: str, emails: int) -> bool:
        """Record, once, what the payer was told about the run's file: `notice` is "emailed" (with the number
        of emails queued), "no_claims" or "no_payer_address" (nobody emailed). False if already recorded.
        """
        try:
            BatchItem(batch_id=run_id).update(
                actions=[
                    BatchItem.payer_notified_at.set(at),
                    BatchItem.payer_notice.set(notice),
                    BatchItem.payer_emails.set(emails),
                ],
                condition=BatchItem.batch_id.exists() & BatchItem.payer_notified_at.does_not_exist(),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

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

    def get(self, run_id: str) -> dict[str, Any] | None:
        try:
            item = BatchItem.get(run_id)
        except DoesNotExist:
            return None
        return _run(item)


def _run(item: BatchItem) -> dict[str, Any]:
    return {
        "run_id": item.batch_id,
        "created_at": item.created_at,
        "started_by": item.started_by,
        "status": item.status,
        "window_id": item.window_id,
        "trigger": item.trigger,
        "file_key": item.file_key,
        "file_sha256": item.file_sha256,
        "row_count": int(item.row_count),
        "total_pence": int(item.total_pence),
        "failure": item.failure.as_dict() if item.failure is not None else None,
        "counts": item.counts.as_dict() if item.counts is not None else {},
        "payer_notified_at": item.payer_notified_at,
        "payer_notice": item.payer_notice,
        "payer_emails": int(item.payer_emails) if item.payer_emails is not None else None,
        "link_resent_at": item.link_resent_at,
        "link_resent_by": item.link_resent_by,
    }
