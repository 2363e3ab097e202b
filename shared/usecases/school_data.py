"""School data: GIAS's establishments held in the service (Settings → School data, ADR 26).

Support uploads GIAS's "all establishment data" extract (about 60 MB) from the page's form straight to the files
bucket (a presigned POST: the file never passes through API Gateway or Lambda), comes back to a page that asks
to import it, and the import is queued. The import task (functions/import_schools) streams the file from the
bucket through `import_establishments`, which a nightly fetch from GIAS can call with its own stream: it adds
open schools in England, updates the schools the service holds (GIAS's attributes only) and marks closed ones
closed, a hundred rows at a time. One import runs at a time; a redelivered message imports nothing twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from shared.claims.academic_years import london_today
from shared.claims.closed_schools import claims_in_window, closed_school_flag
from shared.claims.errors import NotFound
from shared.claims.gias import (
    ENCODING,
    MAX_UPLOAD_BYTES,
    PROGRESS_EVERY,
    Change,
    Establishment,
    ImportReport,
    ImportStatus,
    NotGiasData,
    SchoolImport,
    Tally,
    change_for,
    import_id_of,
    is_import_id,
    missing_headers,
    read_rows,
    upload_key,
)
from shared.claims.organisations import School
from shared.claims.people import User
from shared.claims.windows import current_window
from shared.config import settings
from shared.data import school_import_queue
from shared.data.activity import Activity
from shared.data.claim_windows import ClaimWindows
from shared.data.claims import ClaimsStore
from shared.data.directory import Directory
from shared.data.files import UploadForm, open_text, size_of, upload_form
from shared.data.organisations import Organisations
from shared.data.school_imports import Begun, SchoolImports
from shared.observability import logger, metrics

PAGE = "/support/settings/school-data"
UPLOADED = f"{PAGE}/uploaded"
UPLOAD_SECONDS = 3600  # how long the page's upload form may be used
ROWS_PER_READ = 100  # rows whose schools are read together (one BatchGetItem takes 100 keys)


# -- the page -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SchoolDataPage:
    latest: SchoolImport | None
    status: ImportStatus | None  # the latest import's, as shown (a stale one has failed)
    upload: UploadForm | None  # None while an import runs

    @property
    def importing(self) -> bool:
        return self.status is ImportStatus.IMPORTING


def school_data_page(now: dt.datetime) -> SchoolDataPage:
    """The latest import and, unless one is running, a form that uploads a file under a new import's key."""
    latest = SchoolImports().latest()
    status = latest.shown_status(now) if latest else None
    if status is ImportStatus.IMPORTING:
        return SchoolDataPage(latest, status, None)
    form = upload_form(
        upload_key(secrets.token_hex(16)), f"{settings().service_url}{UPLOADED}", MAX_UPLOAD_BYTES, UPLOAD_SECONDS
    )
    return SchoolDataPage(latest, status, form)


@dataclass(frozen=True)
class UploadedFile:
    import_id: str
    size: int


def uploaded_file(key: str) -> UploadedFile:
    """The file the upload form sent (S3 names its key in the redirect); NotFound for any other key."""
    import_id = import_id_of(key)
    size = size_of(upload_key(import_id)) if import_id else None
    if import_id is None or size is None:
        raise NotFound
    return UploadedFile(import_id, size)


# -- starting an import ------------------------------------------------------------------------------------
class Started(StrEnum):
    STARTED = "started"
    ALREADY = "already"  # this file's import was started before (a second press of the button)
    BUSY = "busy"  # another import is running
    NOT_GIAS = "not_gias"  # the file's first row is not GIAS's header


@dataclass(frozen=True)
class StartOutcome:
    started: Started
    missing: tuple[str, ...] = ()  # NOT_GIAS: the columns the file lacks


def header_of(key: str) -> list[str]:
    """The stored file's first row (one buffer of a GetObject)."""
    with open_text(key, ENCODING) as text:
        return next(csv.reader(text), [])


def start_import(import_id: str, user: User, now: dt.datetime) -> StartOutcome:
    """Check the uploaded file's header row, record the import (Activity: "School data imported") and queue it.
    NotFound for an id whose file was never uploaded."""
    if not is_import_id(import_id):
        raise NotFound
    key = upload_key(import_id)
    if size_of(key) is None:
        raise NotFound
    imports = SchoolImports()
    if imports.get(import_id) is not None:
        return StartOutcome(Started.ALREADY)
    missing = missing_headers(header_of(key))
    if missing:
        return StartOutcome(Started.NOT_GIAS, tuple(missing))
    record = SchoolImport(
        import_id=import_id,
        requested_by=user.user_id,
        requested_by_name=user.full_name,
        requested_at=now,
        file_key=key,
        status=ImportStatus.IMPORTING,
    )
    begun = imports.start(record)
    if begun is Begun.EXISTS:
        return StartOutcome(Started.ALREADY)
    if begun is Begun.BUSY:
        return StartOutcome(Started.BUSY)
    try:
        school_import_queue.enqueue(import_id)
    except Exception:
        imports.fail_unqueued(import_id, now)
        raise
    logger.info("school data import requested", extra={"import_id": import_id, "user_id": user.user_id})
    metrics.add_metric(name="SchoolDataImportRequested", unit="Count", value=1)
    return StartOutcome(Started.STARTED)


# -- the import -----------------------------------------------------------------------------------------------
class HoldLost(Exception):
    """Another delivery took the import over (this one's hold ended): this one stops."""


def _write(organisations: Organisations, change: Change, establishment: Establishment) -> None:
    if change is Change.ADD:
        if not organisations.add_establishment(establishment):
            organisations.update_establishment(establishment)  # added since it was read
    elif change in (Change.UPDATE, Change.CLOSE) and not organisations.update_establishment(establishment):
        organisations.add_establishment(establishment)  # removed since it was read


def _listed_as(establishment: Establishment) -> School:
    """What the console's Organisations list shows of a school (ADR 0024), as GIAS now describes it."""
    return School(
        organisation_id=establishment.urn,
        urn=establishment.urn,
        name=establishment.name,
        postcode=establishment.postcode,
        ukprn=establishment.ukprn or None,
        district_admin_code=establishment.district_admin_code or None,
    )


def flag_closed_schools(closed: Sequence[Establishment], now: dt.datetime) -> int:
    """Flag to support (an Activity entry each, once) the schools just marked closed that have live claims in the
    claim window open now (ADR 0035); how many were flagged. One Query of the school index per closed school."""
    window = current_window(ClaimWindows().all(), now) if closed else None
    if window is None:
        return 0
    store, activity, flagged = ClaimsStore(), Activity(), 0
    for establishment in closed:
        claims = claims_in_window(store.for_school(establishment.urn), window.window_id)
        entry = closed_school_flag(establishment.urn, establishment.name, establishment.closed_on, window, claims, now)
        if entry is not None:
            flagged += 1
            activity.record(entry)  # False when a previous import flagged it: nothing twice
            logger.info("closed school has claims", extra={"urn": establishment.urn, "claims": len(claims)})
    if flagged:
        metrics.add_metric(name="ClosedSchoolFlagged", unit="Count", value=flagged)
    return flagged


def import_establishments(
    text: Iterable[str],
    today: dt.date,
    progress: Callable[[int], bool] = lambda _: True,
    organisations: Organisations | None = None,
    directory: Directory | None = None,
    closed: Callable[[Sequence[Establishment]], int] = lambda _: 0,
) -> ImportReport:
    """Import GIAS's extract, read as a stream of text lines (one batch of rows in memory at a time): open schools
    in England added or updated by URN, closed ones marked closed, the rest skipped and counted. `progress` is
    told the rows read every PROGRESS_EVERY rows; when it says False the import stops (HoldLost). `closed` is
    given each batch's schools just marked closed and says how many it flagged to support. Raises
    NotGiasData, before writing anything, when the header lacks a column the service reads."""
    organisations = organisations or Organisations()
    directory = directory or Directory()
    tally = Tally()
    for chunk in itertools.batched(read_rows(text), ROWS_PER_READ):
        held = organisations.held_establishments(row.establishment.urn for row in chunk if row.establishment)
        changed: list[Establishment] = []
        closing: list[Establishment] = []
        for row in chunk:
            tally.read()
            if row.skipped is not None:
                tally.skip(row.skipped)
                continue
            assert row.establishment is not None  # a row is an establishment or skipped
            change, establishment = change_for(row.establishment, held.get(row.establishment.urn), today)
            _write(organisations, change, establishment)
            tally.changed(change, establishment, row.line)
            if change in (Change.UPDATE, Change.CLOSE):
                changed.append(establishment)
            if change is Change.CLOSE:
                closing.append(establishment)
            if tally.rows_read % PROGRESS_EVERY == 0 and not progress(tally.rows_read):
                raise HoldLost
        # Schools already added to the console keep their list entry in step (name, postcode, UKPRN, region)
        directory.refresh_schools(_listed_as(establishment) for establishment in changed)
        tally.flagged += closed(closing)
    return tally.report()


class ImportOutcome(StrEnum):
    IMPORTED = "imported"
    ALREADY_DONE = "already_done"  # finished or failed: a redelivered message does nothing
    UNKNOWN = "unknown"
    FAILED = "failed"


class ImportBusy(Exception):
    """Another delivery of the import's message holds it: this one leaves the message for later."""


def run_import(import_id: str, clock: Callable[[], dt.datetime]) -> ImportOutcome:
    """Run one import, once (the task's use case). A second delivery of a finished import does nothing; a delivery
    while another holds it raises ImportBusy (SQS brings the message back later)."""
    imports = SchoolImports()
    record = imports.get(import_id)
    if record is None:
        logger.warning("school data import not found", extra={"import_id": import_id})
        return ImportOutcome.UNKNOWN
    if record.status is not ImportStatus.IMPORTING:
        return ImportOutcome.ALREADY_DONE
    worker = secrets.token_hex(8)
    now = clock()
    if not imports.take(import_id, worker, now):
        again = imports.get(import_id)
        if again is None or again.status is not ImportStatus.IMPORTING:
            return ImportOutcome.ALREADY_DONE
        raise ImportBusy(import_id)
    try:
        with open_text(record.file_key, ENCODING) as text:
            report = import_establishments(
                text,
                london_today(now),
                lambda rows: imports.progress(import_id, worker, rows),
                closed=lambda schools: flag_closed_schools(schools, clock()),
            )
    except HoldLost:
        logger.warning("school data import taken over", extra={"import_id": import_id})
        return ImportOutcome.ALREADY_DONE
    except NotGiasData as error:
        imports.fail(import_id, worker, f"the file has no {error.missing[0]} column", clock())
        return ImportOutcome.FAILED
    except Exception:  # noqa: BLE001 - recorded on the import (the page says so) and logged here
        logger.exception("school data import failed", extra={"import_id": import_id})
        metrics.add_metric(name="SchoolDataImportFailed", unit="Count", value=1)
        imports.fail(import_id, worker, "it stopped before the end of the file", clock())
        return ImportOutcome.FAILED
    if not imports.finish(import_id, worker, report, clock()):
        return ImportOutcome.ALREADY_DONE
    logger.info("school data imported", extra={"import_id": import_id, **report.counts()})
    metrics.add_metric(name="SchoolDataImported", unit="Count", value=1)
    return ImportOutcome.IMPORTED
