"""Exporting the support claims list: the claims-export CSV's columns, one row of it, and an export's states.

Pure. A support user asks for the claims their search and filters match ("Download claims (CSV)"); a task
writes the file and marks the export ready (ADR 0021). Cells are made formula-safe by `shared.claims.files`
(`csv_lines`), as every CSV the service writes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from shared.claims.academic_years import london_today
from shared.claims.claim_search import ClaimRow
from shared.claims.domain import Domain
from shared.claims.money import format_csv_amount
from shared.claims.organisations import School

# The live service's claims export, in its order.
CLAIMS_EXPORT_HEADERS = (
    "claim_reference",
    "school_urn",
    "school_name",
    "school_local_authority",
    "school_type_of_establishment",
    "school_group",
    "provider_name",
    "provider_code",
    "claim_amount",
    "claim_submission_date",
    "claim_status",
)

EXPORTS_PREFIX = "exports/"  # where exports live in the files bucket (the export task may write only here)
# How long the files bucket keeps an export (its lifecycle rule on exports/); the page stops offering it then.
KEPT_FOR = dt.timedelta(days=7)
# ExportsQueue's maxReceiveCount: a message whose task crashed (a timeout) this many times goes to the DLQ.
MAX_RECEIVES = 3
# A delivery holds an export while it writes it: longer than ExportClaimsFunction's timeout (300 s), so a
# lease outlives the attempt holding it, and a crashed attempt's lease has ended when SQS delivers again.
LEASE = dt.timedelta(seconds=360)
# An export still preparing this long after it was asked for has failed: every delivery crashed (at least
# MAX_RECEIVES x ExportsQueue's VisibilityTimeout of 30 minutes), so no task will finish it.
STALE_AFTER = dt.timedelta(hours=2)

_EXPORT_ID = re.compile(r"[0-9a-f]{32}")


class ExportStatus(StrEnum):
    PREPARING = "preparing"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"  # shown only: the file has been removed from the bucket


class ExportMessage(Domain):
    """The ExportsQueue message: which export to prepare (nothing else travels; the record says the rest)."""

    export_id: str


class ClaimsExport(Domain):
    """One "Download claims (CSV)" request and how far it has got."""

    export_id: str
    requested_by: str  # user id: only this user sees the page and the file
    requested_by_name: str
    requested_at: dt.datetime
    query: str  # the list's query string, normalised (ClaimFilters.query): the filters reproduced
    years: tuple[str, ...]  # the academic years the list offered: "every year" when none is chosen
    status: ExportStatus
    row_count: int | None = None
    file_key: str | None = None
    file_sha256: str | None = None
    file_size: int | None = None
    prepared_at: dt.datetime | None = None
    failure: str | None = None
    attempts: int = 0

    def shown_status(self, now: dt.datetime) -> ExportStatus:
        """What the page says: a ready file past its keeping is expired; a preparation gone stale has failed."""
        if self.status is ExportStatus.READY and self.prepared_at and now - self.prepared_at >= KEPT_FOR:
            return ExportStatus.EXPIRED
        if self.status is ExportStatus.PREPARING and now - self.requested_at >= STALE_AFTER:
            return ExportStatus.FAILED
        return self.status

    @property
    def filename(self) -> str:
        """What the browser saves: `claims-<the day it was asked for, UK>.csv`."""
        return f"claims-{london_today(self.requested_at).isoformat()}.csv"


def is_export_id(value: str) -> bool:
    return bool(_EXPORT_ID.fullmatch(value))


def export_key(export_id: str, attempt: int) -> str:
    """Each attempt writes a file of its own: only the one its record names when it is marked ready is offered."""
    return f"{EXPORTS_PREFIX}{export_id}/claims-{attempt}.csv"


@dataclass(frozen=True, slots=True)
class SchoolColumns:
    """What a row needs of a school's record (kept per export, so each school is read once and held small)."""

    urn: str
    local_authority: str
    type_of_establishment: str
    group: str


def school_columns(school: School) -> SchoolColumns:
    return SchoolColumns(
        urn=school.urn or "",
        local_authority=school.local_authority_name,
        type_of_establishment=school.type_of_establishment,
        group=school.group,
    )


def export_row(row: ClaimRow, school: SchoolColumns | None) -> tuple[str, ...]:
    """One claim as the claims export writes it (payment-file conventions: pounds with two decimals and no
    symbol, the submission date in the UK, ISO; the status code). Without the school's record, its URN is
    the claim's school id and its other columns are empty."""
    return (
        row.reference,
        school.urn if school else row.school_id,
        row.school_name,
        school.local_authority if school else "",
        school.type_of_establishment if school else "",
        school.group if school else "",
        row.provider_name,
        row.provider_code,
        format_csv_amount(row.amount_pence),
        london_today(row.submitted_at).isoformat() if row.submitted_at else "",
        row.status.value,
    )
