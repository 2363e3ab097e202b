"""Exporting the support claims list as CSV ("Download claims (CSV)", ADR 0021).

A request records the export (who, when, the list's filters) in Activity and queues one message; the page says
it is being prepared. The export task (functions/export_claims) reads every claim the filters match, newest
first, a page at a time, with their schools' records read in batches (each school once per export), streams the
CSV to the files bucket under exports/ and marks the export ready with its count, key and SHA-256. Only the
user who asked sees the page and the file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs

from shared.claims.claim_search import ClaimFilters, read_filters
from shared.claims.claims_export import (
    CLAIMS_EXPORT_HEADERS,
    ClaimsExport,
    ExportStatus,
    SchoolColumns,
    export_key,
    export_row,
    is_export_id,
    school_columns,
)
from shared.claims.errors import NotFound
from shared.claims.files import csv_lines
from shared.claims.people import User
from shared.data import claim_listing, export_queue
from shared.data.activity import Activity
from shared.data.files import StoredFile, fetch_file, put_stream, short_lived_url
from shared.data.organisations import Organisations
from shared.observability import logger, metrics
from shared.usecases.support_claims import years_offered

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# A Lambda response carries at most 6 MB: a larger file is handed over by a short-lived S3 link (as ADR 12's).
INLINE_LIMIT_BYTES = 5 * 1024 * 1024
LINK_SECONDS = 60
ROWS_PER_SCHOOL_READ = 500  # claims whose schools are read together (BatchGets of up to 100 keys)


class ExportBusy(Exception):
    """Another delivery of the export's message holds it: this one leaves the message for later."""


# -- asking for an export ----------------------------------------------------------------------------------------
def _filters(query: str, me: str, years: list[str], default_year: str | None) -> ClaimFilters:
    return read_filters(parse_qs(query, keep_blank_values=True), me, years, default_year)


def request_export(query: str, user: User, now: dt.datetime) -> str:
    """Record the export ("Exported claims" in Activity) and queue it; its id. `query`: the list's query string
    (unknown values are dropped, as the list drops them)."""
    years, default_year = years_offered(now)
    filters = _filters(query, user.user_id, years, default_year)
    export = ClaimsExport(
        export_id=secrets.token_hex(16),
        requested_by=user.user_id,
        requested_by_name=user.full_name,
        requested_at=now,
        query=filters.query(page=1),
        years=tuple(years),
        status=ExportStatus.PREPARING,
    )
    activity = Activity()
    activity.record_export(export)
    try:
        export_queue.enqueue(export.export_id)
    except Exception:
        activity.fail_export(export.export_id, "not queued")
        raise
    logger.info("claims export requested", extra={"export_id": export.export_id, "user_id": user.user_id})
    metrics.add_metric(name="ClaimsExportRequested", unit="Count", value=1)
    return export.export_id


# -- its page and its file ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportPage:
    export: ClaimsExport
    status: ExportStatus  # as shown (a stale preparation has failed, a removed file has expired)

    @property
    def export_id(self) -> str:
        return self.export.export_id

    @property
    def list_query(self) -> str:
        """The claims list's query string that shows the exported claims."""
        return self.export.query


def _own_export(export_id: str, user: User) -> ClaimsExport:
    """The export, for the user who asked for it; anyone else is told there is no such page."""
    export = Activity().export(export_id) if is_export_id(export_id) else None
    if export is None or export.requested_by != user.user_id:
        raise NotFound
    return export


def export_page(export_id: str, user: User, now: dt.datetime) -> ExportPage:
    export = _own_export(export_id, user)
    return ExportPage(export, export.shown_status(now))


@dataclass(frozen=True)
class ExportDownload:
    filename: str
    content: bytes | None  # the file, when small enough to return in the response
    url: str | None = None  # otherwise a link to it for LINK_SECONDS


def download(export_id: str, user: User, now: dt.datetime) -> ExportDownload:
    """The ready file, for the user who asked for it (anyone else, or before it is ready: not found)."""
    export = _own_export(export_id, user)
    if export.shown_status(now) is not ExportStatus.READY or not export.file_key:
        raise NotFound
    stored = fetch_file(export.file_key, INLINE_LIMIT_BYTES)
    if stored.content is not None:
        return ExportDownload(export.filename, stored.content)
    url = short_lived_url(export.file_key, export.filename, CSV_CONTENT_TYPE, LINK_SECONDS)
    return ExportDownload(export.filename, None, url)


# -- the export task ------------------------------------------------------------------------------------------
class ExportOutcome(StrEnum):
    WRITTEN = "written"
    ALREADY_DONE = "already_done"  # ready or failed: a redelivered message does nothing
    UNKNOWN = "unknown"  # no such export: nothing to do
    FAILED = "failed"  # the file could not be written: the page says so and offers to try again


def rows_of(export: ClaimsExport, counted: list[int]) -> Iterator[tuple[str, ...]]:
    """The export's rows, newest first: every claim its filters match (read lazily), each with its school's
    columns (read in batches, each school once). `counted[0]` counts the rows as they go."""
    filters = _filters(export.query, export.requested_by, list(export.years), None)
    schools: dict[str, SchoolColumns | None] = {}
    organisations = Organisations()
    for chunk in itertools.batched(claim_listing.every_row(filters, export.years), ROWS_PER_SCHOOL_READ):
        unread = {row.school_id for row in chunk if row.school_id not in schools}
        if unread:
            found = organisations.schools(unread)
            schools.update(
                {school_id: school_columns(found[school_id]) if school_id in found else None for school_id in unread}
            )
        for row in chunk:
            counted[0] += 1
            yield export_row(row, schools[row.school_id])


def _write(export: ClaimsExport, attempt: int) -> tuple[StoredFile, int]:
    counted = [0]
    stored = put_stream(
        export_key(export.export_id, attempt), csv_lines(CLAIMS_EXPORT_HEADERS, rows_of(export, counted))
    )
    return stored, counted[0]


def run_export(export_id: str, now: dt.datetime) -> ExportOutcome:
    """Prepare one export, once. A second delivery of a finished export does nothing; a delivery while another
    holds the export raises ExportBusy (its message comes back later, when the holder has finished or its lease
    has ended). A failure while writing marks the export failed (the page offers to try again)."""
    activity = Activity()
    export = activity.export(export_id)
    if export is None:
        logger.warning("claims export not found", extra={"export_id": export_id})
        return ExportOutcome.UNKNOWN
    if export.status is not ExportStatus.PREPARING:
        return ExportOutcome.ALREADY_DONE
    worker = secrets.token_hex(8)
    attempt = activity.take_export(export_id, worker, now)
    if attempt is None:
        again = activity.export(export_id)
        if again is None or again.status is not ExportStatus.PREPARING:
            return ExportOutcome.ALREADY_DONE
        raise ExportBusy(export_id)
    try:
        stored, rows = _write(export, attempt)
    except Exception:  # noqa: BLE001 - recorded on the export (the page says so) and logged here
        logger.exception("claims export failed", extra={"export_id": export_id, "attempt": attempt})
        metrics.add_metric(name="ClaimsExportFailed", unit="Count", value=1)
        activity.fail_export(export_id, "the file could not be written", worker)
        return ExportOutcome.FAILED
    if not activity.finish_export(export_id, worker, stored, rows, now):
        # Our lease ended and another delivery took the export over: its file is the one offered.
        logger.warning("claims export taken over", extra={"export_id": export_id, "attempt": attempt})
        return ExportOutcome.ALREADY_DONE
    logger.info(
        "claims export written",
        extra={"export_id": export_id, "rows": rows, "bytes": stored.size, "sha256": stored.sha256, "attempt": attempt},
    )
    metrics.add_metric(name="ClaimsExported", unit="Count", value=1)
    return ExportOutcome.WRITTEN
