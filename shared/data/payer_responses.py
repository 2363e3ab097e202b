"""Payer responses: the uploaded file in S3, its batch record, and the claim facts the checks need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from shared.claims.payer_response import BatchStatus, PayerResponseBatch, ResponseCounts
from shared.claims.statuses import ClaimStatus
from shared.data.files import put_stream, read
from shared.data.items import BatchItem, ClaimItem
from shared.data.repositories import ClaimWindows
from shared.data.transactions import conditional

KIND = "payer_response"


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
            kind=KIND,
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
        return _batch(item) if item.kind == KIND else None

    def unfinished(self, uploaded_by: str) -> list[PayerResponseBatch]:
        """This user's confirmed uploads whose claims were not all changed (one Query on the kind index;
        payer responses are a few a year)."""
        query = BatchItem.by_kind.query(
            KIND,
            filter_condition=(BatchItem.status == BatchStatus.APPLYING.value) & (BatchItem.started_by == uploaded_by),
        )
        return [_batch(item) for item in query]

    def read_file(self, batch: PayerResponseBatch) -> bytes:
        return read(batch.file_key)

    def start_applying(self, batch_id: str) -> bool:
        """Pending → applying, once: False when it was already confirmed (a second click, another tab)."""
        return conditional(
            lambda: BatchItem(batch_id=batch_id).update(
                actions=[BatchItem.status.set(BatchStatus.APPLYING.value)],
                condition=(BatchItem.kind == KIND) & (BatchItem.status == BatchStatus.PENDING.value),
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
