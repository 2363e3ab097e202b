"""Eligible-schools uploads: the file as uploaded (S3) with its record in the batches table, and adding an
academic year to schools' `eligible_years` (ADR 0025).

The record moves pending → applying → confirmed by conditional updates, so two confirmations (a double click,
two tabs) cannot both start. Making schools eligible is an ADD to each school's set of years, which is the
same whether it is done once or twice: a confirmation that stopped part-way is finished by confirming again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from itertools import batched

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import Condition

from shared.claims.eligibility_upload import EligibilityUpload, UploadStatus
from shared.claims.organisations import OrganisationType
from shared.data.files import put_stream, read
from shared.data.items import BatchItem, OrganisationItem
from shared.data.transactions import MAX_TRANSACTION_ITEMS, conditional, write_transaction

KIND = "eligibility_upload"
# Transactions in flight at once while confirming: 20,000 schools are 200 transactions, which one after another
# would outlast API Gateway's 29 seconds.
WRITE_THREADS = 8


def file_key(batch_id: str) -> str:
    return f"eligibility-uploads/{batch_id}.csv"


def _upload(item: BatchItem) -> EligibilityUpload:
    counts = item.counts.as_dict() if item.counts is not None else {}
    return EligibilityUpload(
        batch_id=item.batch_id,
        status=UploadStatus(item.status),
        created_at=dt.datetime.fromisoformat(item.created_at),
        uploaded_by=item.started_by or "",
        academic_year=item.academic_year or "",
        file_key=item.file_key or "",
        row_count=int(item.row_count),
        newly_eligible=int(counts.get("newly_eligible", 0)),
        already_eligible=int(counts.get("already_eligible", 0)),
    )


class EligibilityUploads:
    def store(
        self, batch_id: str, content: bytes, uploaded_by: str, at: dt.datetime, academic_year: str, rows: int
    ) -> EligibilityUpload:
        """The file exactly as uploaded, then its pending record (SHA-256 and row count with it)."""
        stored = put_stream(file_key(batch_id), [content])
        item = BatchItem(
            batch_id=batch_id,
            kind=KIND,
            created_at=at.isoformat(),
            status=UploadStatus.PENDING.value,
            trigger="upload",
            started_by=uploaded_by,
            file_key=stored.key,
            file_sha256=stored.sha256,
            row_count=rows,
            academic_year=academic_year,
        )
        item.save(condition=BatchItem.batch_id.does_not_exist())
        return _upload(item)

    def get(self, batch_id: str) -> EligibilityUpload | None:
        try:
            item = BatchItem.get(batch_id, consistent_read=True)
        except DoesNotExist:
            return None
        return _upload(item) if item.kind == KIND else None

    def read_file(self, upload: EligibilityUpload) -> bytes:
        return read(upload.file_key)

    def start_applying(self, batch_id: str, newly_eligible: int, already_eligible: int) -> bool:
        """Pending → applying, once, with what the file came to at that moment: False when it had already
        been confirmed (a second click, another tab)."""
        return conditional(
            lambda: BatchItem(batch_id=batch_id).update(
                actions=[
                    BatchItem.status.set(UploadStatus.APPLYING.value),
                    BatchItem.counts.set({"newly_eligible": newly_eligible, "already_eligible": already_eligible}),
                ],
                condition=(BatchItem.kind == KIND) & (BatchItem.status == UploadStatus.PENDING.value),
            )
        )

    def finish(self, batch_id: str) -> bool:
        """Applying → confirmed (False if it was not applying: another request finished it)."""
        return conditional(
            lambda: BatchItem(batch_id=batch_id).update(
                actions=[BatchItem.status.set(UploadStatus.CONFIRMED.value)],
                condition=(BatchItem.kind == KIND) & (BatchItem.status == UploadStatus.APPLYING.value),
            )
        )

    @staticmethod
    def make_eligible(urns: Iterable[str], academic_year: str) -> int:
        """Add the year to each school's `eligible_years`: 100 schools to a transaction (DynamoDB's limit), each
        on condition that it is still a school, WRITE_THREADS transactions in flight at once (each thread has its
        own connection). A group with a school gone since the check is written school by school, leaving that
        one out. Returns how many schools were written."""
        groups = list(batched(sorted(set(urns)), MAX_TRANSACTION_ITEMS))
        with ThreadPoolExecutor(max_workers=WRITE_THREADS) as pool:
            return sum(pool.map(lambda group: _write_group(group, academic_year), groups))


def _write_group(group: tuple[str, ...], academic_year: str) -> int:
    try:
        with write_transaction() as transaction:
            for urn in group:
                transaction.update(
                    OrganisationItem(organisation_id=urn),
                    actions=[OrganisationItem.eligible_years.add({academic_year})],
                    condition=_is_school(),
                    label=urn,
                )
        return len(group)
    except TransactWriteError:
        return sum(_add_year(urn, academic_year) for urn in group)


def _is_school() -> Condition:
    school: Condition = OrganisationItem.organisation_id.exists() & (
        OrganisationItem.organisation_type == OrganisationType.SCHOOL.value
    )
    return school


def _add_year(urn: str, academic_year: str) -> bool:
    return conditional(
        lambda: OrganisationItem(organisation_id=urn).update(
            actions=[OrganisationItem.eligible_years.add({academic_year})], condition=_is_school()
        )
    )
