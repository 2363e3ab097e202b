"""The nightly GIAS import (ADR 0035): fetch yesterday's extract and hand it to the school data import (ADR 26).

A schedule (FetchGiasSchedule, 23:30 Europe/London, as the live service) runs functions/fetch_gias. It streams
`edubasealldata<yesterday>.csv` from GIAS's public downloads into the files bucket under an import's upload key,
checks its header row as an upload is checked, records the import (its Activity entry, "School data imported", by
"Nightly GIAS import") and queues it: ImportSchoolsFunction then imports it exactly as it imports an upload (new
schools added, changed ones updated, closed ones marked closed and flagged when they have claims in the open
window, region from the district code).

The day's imports have ids fixed by the day (`nightly_import_id(day, attempt)`), so a retried or repeated run finds
the day's import and starts nothing; only after a failed one does a retry try again, under the next attempt's id.
Anything that stops the fetch raises, so the invocation fails, Lambda retries it and the alarm goes off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum

from shared.claims.academic_years import london_today
from shared.claims.errors import DomainError
from shared.claims.gias import ENCODING, ImportStatus, SchoolImport, missing_headers, upload_key
from shared.data import school_import_queue
from shared.data.files import put_stream
from shared.data.school_imports import Begun, SchoolImports
from shared.integrations.gias import extract_chunks, extract_name
from shared.observability import logger, metrics
from shared.usecases.school_data import header_of

ACTOR_ID = "gias-nightly"
ACTOR_NAME = "Nightly GIAS import"
MAX_ATTEMPTS = 5  # imports a day: a failed import is tried again under the next id, at most this many times


class NightlyOutcome(StrEnum):
    STARTED = "started"
    ALREADY = "already"  # the day's import was started before (a retried or repeated run)


class NightlyFailed(DomainError):
    """The day's extract could not be imported: the invocation fails (retried, then alarmed)."""


@dataclass(frozen=True)
class Nightly:
    day: dt.date  # the extract's day
    import_id: str
    outcome: NightlyOutcome
    size: int = 0  # bytes fetched


def extract_day(now: dt.datetime) -> dt.date:
    """The extract to fetch: yesterday's in England (GIAS publishes each day's overnight), as the live service."""
    return london_today(now) - dt.timedelta(days=1)


def nightly_import_id(day: dt.date, attempt: int) -> str:
    """An import id (32 hex digits, as an upload's) fixed by the day and attempt."""
    return hashlib.sha256(f"gias-nightly:{day.isoformat()}:{attempt}".encode()).hexdigest()[:32]


def _next_attempt(imports: SchoolImports, day: dt.date) -> tuple[str | None, str]:
    """(the id to import under, or None when the day's import has started or finished; the last id looked at)."""
    import_id = ""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        import_id = nightly_import_id(day, attempt)
        record = imports.get(import_id)
        if record is None:
            return import_id, import_id
        if record.status is not ImportStatus.FAILED:
            return None, import_id
    raise NightlyFailed(f"the extract of {day.isoformat()} failed {MAX_ATTEMPTS} times")


def fetch_nightly(now: dt.datetime) -> Nightly:
    """Fetch yesterday's extract into the bucket and queue its import. Raises NightlyFailed (or GiasUnavailable)
    when it cannot: nothing is recorded then, so the retry starts afresh."""
    day = extract_day(now)
    imports = SchoolImports()
    import_id, seen = _next_attempt(imports, day)
    if import_id is None:
        logger.info("gias extract already imported", extra={"day": day.isoformat(), "import_id": seen})
        return Nightly(day, seen, NightlyOutcome.ALREADY)
    key = upload_key(import_id)
    stored = put_stream(key, extract_chunks(day), content_type=f"text/csv; charset={ENCODING}")
    missing = missing_headers(header_of(key))
    if missing:
        raise NightlyFailed(f"{extract_name(day)} is not GIAS establishment data: it has no {missing[0]} column")
    record = SchoolImport(
        import_id=import_id,
        requested_by=ACTOR_ID,
        requested_by_name=ACTOR_NAME,
        requested_at=now,
        file_key=key,
        status=ImportStatus.IMPORTING,
    )
    begun = imports.start(record)
    if begun is Begun.EXISTS:  # another run of the same night got there first
        return Nightly(day, import_id, NightlyOutcome.ALREADY, stored.size)
    if begun is Begun.BUSY:
        raise NightlyFailed("another school data import is running")
    try:
        school_import_queue.enqueue(import_id)
    except Exception:
        imports.fail_unqueued(import_id, now)  # the retry imports under the next id
        raise
    logger.info("gias extract fetched", extra={"day": day.isoformat(), "import_id": import_id, "bytes": stored.size})
    metrics.add_metric(name="GiasExtractFetched", unit="Count", value=1)
    return Nightly(day, import_id, NightlyOutcome.STARTED, stored.size)
