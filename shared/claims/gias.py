"""GIAS's "all establishment data" extract (`edubasealldata<YYYYMMDD>.csv`): its rows as establishments, which
of them the service keeps, and what an import of the file did (ADR 26).

Pure. The extract is ISO-8859-1 CSV with GIAS's own header row (about 140 columns; the names below are GIAS's,
exactly). The service holds open schools in England: a row whose status is neither "Open" nor "Open, but
proposed to close" is not added; a British school overseas, a Welsh establishment, an offshore school or a row
without an English local authority code is skipped; a row that is not well formed is skipped and reported, never
fatal. A school the service holds that GIAS lists as closed is marked closed, never deleted. The importer counts
each outcome and keeps the first few skipped rows, so its memory does not grow with the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import Field

from shared.claims.domain import Domain

# GIAS's column names, as its header row spells them.
URN = "URN"
LA_CODE = "LA (code)"
LA_NAME = "LA (name)"
NAME = "EstablishmentName"
TYPE_CODE = "TypeOfEstablishment (code)"
TYPE_NAME = "TypeOfEstablishment (name)"
GROUP_NAME = "EstablishmentTypeGroup (name)"
STATUS_NAME = "EstablishmentStatus (name)"
CLOSE_DATE = "CloseDate"
PHASE_NAME = "PhaseOfEducation (name)"
TRUST_CODE = "Trusts (code)"
TRUST_NAME = "Trusts (name)"
UKPRN = "UKPRN"
STREET = "Street"
TOWN = "Town"
POSTCODE = "Postcode"
WEBSITE = "SchoolWebsite"
TELEPHONE = "TelephoneNum"
DISTRICT_CODE = "DistrictAdministrative (code)"
DISTRICT_NAME = "DistrictAdministrative (name)"
URBAN_RURAL = "UrbanRural (name)"

# The columns the service reads: a file without every one of them is not GIAS's extract.
REQUIRED_HEADERS: tuple[str, ...] = (
    URN,
    LA_CODE,
    LA_NAME,
    NAME,
    TYPE_CODE,
    TYPE_NAME,
    GROUP_NAME,
    STATUS_NAME,
    CLOSE_DATE,
    PHASE_NAME,
    TRUST_CODE,
    TRUST_NAME,
    UKPRN,
    STREET,
    TOWN,
    POSTCODE,
    WEBSITE,
    TELEPHONE,
    DISTRICT_CODE,
    DISTRICT_NAME,
    URBAN_RURAL,
)

ENCODING = "iso-8859-1"  # GIAS sends no charset; the extract is Latin-1
OPEN_STATUSES = frozenset({"Open", "Open, but proposed to close"})
CLOSED_STATUS = "Closed"
# Types of establishment outside England, by GIAS code: offshore schools, Welsh establishments, British schools
# overseas (the types the live service leaves out).
OFFSHORE, WELSH, OVERSEAS = "25", "30", "37"
NOT_IN_ENGLAND_TYPES = frozenset({OFFSHORE, WELSH, OVERSEAS})
KEPT_SKIPPED_ROWS = 10  # the skipped rows an import keeps to show (the rest are only counted)
# What a kept row keeps of its name and detail: a cell may be MAX_FIELD long, and the report is stored in the
# import's record, one DynamoDB item (400 KB), written in a transaction (4 MB).
KEPT_TEXT = 200
MAX_NAME = 200  # an establishment's name: the console's list keys and the name index hold it, folded
MAX_FIELD = 100_000  # a cell longer than this is not GIAS's: the row is malformed (csv's own limit is 131,072)

_URN = re.compile(r"\d{5,7}")
_LA_CODE = re.compile(r"[1-9]\d{2}")  # an English local authority: 201 to 938 (GIAS gives 0 or 999 otherwise)
_GIAS_DATE = re.compile(r"(\d{2})-(\d{2})-(\d{4})")


class SkipReason(StrEnum):
    CLOSED = "Closed, and not a school in the service"
    NOT_OPEN = "Not open yet"
    OVERSEAS = "British school overseas"
    OUTSIDE_ENGLAND = "Not in England"
    MALFORMED = "Malformed row"


# Reasons in the order the page lists them.
SKIP_REASONS: tuple[SkipReason, ...] = tuple(SkipReason)


class Establishment(Domain):
    """A school as GIAS describes it: the attributes the import sets (the service's own, such as eligibility,
    grant conditions or a vendor number, are not among them)."""

    urn: str
    name: str
    status: str  # GIAS's status name: "Open", "Open, but proposed to close", "Closed"
    closed_on: dt.date | None = None
    local_authority_name: str = ""
    local_authority_code: str = ""
    type_of_establishment: str = ""
    group: str = ""
    phase: str = ""
    urban_or_rural: str = ""
    trust_uid: str = ""
    trust_name: str = ""
    district_admin_code: str = ""
    district_admin_name: str = ""
    address1: str = ""
    town: str = ""
    postcode: str = ""
    ukprn: str = ""
    telephone: str = ""
    website: str = ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def attributes(self) -> dict[str, str]:
        """What the service stores from GIAS, by attribute name; a blank value means "GIAS has none"."""
        values = self.model_dump(exclude={"urn", "name", "closed_on"})
        values["closed_on"] = self.closed_on.isoformat() if self.closed_on else ""
        return {key: str(value) for key, value in values.items()}


class SkippedRow(Domain):
    line: int  # the row's line in the file (the header is line 1)
    urn: str
    name: str
    reason: SkipReason
    detail: str = ""


@dataclass(frozen=True)
class Row:
    """One row of the file: the establishment it describes, or why it was skipped."""

    line: int
    establishment: Establishment | None = None
    skipped: SkippedRow | None = None


def missing_headers(header: Iterable[str] | None) -> list[str]:
    """The columns the service reads that this header row lacks (all of them for an empty file)."""
    present = set(header or ())
    return [name for name in REQUIRED_HEADERS if name not in present]


def _gias_date(text: str) -> dt.date | None:
    found = _GIAS_DATE.fullmatch(text.strip())
    if not found:
        return None
    day, month, year = (int(part) for part in found.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _skip(line: int, row: Mapping[str, str | None], reason: SkipReason, detail: str = "") -> Row:
    urn = (row.get(URN) or "").strip()[:20]
    name = (row.get(NAME) or "").strip()[:200]
    return Row(line, skipped=SkippedRow(line=line, urn=urn, name=name, reason=reason, detail=detail))


def read_row(line: int, row: Mapping[str | None, object], columns: int) -> Row:
    """A row of the file as csv.DictReader gives it (None for a missing cell, extra cells under None)."""
    cells: dict[str, str | None] = {
        key: value if isinstance(value, str) else None for key, value in row.items() if isinstance(key, str)
    }
    if None in row:
        return _skip(line, cells, SkipReason.MALFORMED, f"More than {columns} columns")
    if any(value is None for value in cells.values()):
        return _skip(line, cells, SkipReason.MALFORMED, f"Fewer than {columns} columns")
    text = {key: (value or "").strip() for key, value in cells.items()}
    if not _URN.fullmatch(text[URN]):
        return _skip(line, cells, SkipReason.MALFORMED, "The URN is not 5 to 7 digits")
    if not text[NAME]:
        return _skip(line, cells, SkipReason.MALFORMED, "The establishment has no name")
    if len(text[NAME]) > MAX_NAME:
        # GIAS's longest names are about 120 characters; a name folds into index keys (at most 1,024 bytes)
        return _skip(line, cells, SkipReason.MALFORMED, f"The name is longer than {MAX_NAME} characters")
    if text[TYPE_CODE] == OVERSEAS:
        return _skip(line, cells, SkipReason.OVERSEAS)
    if text[TYPE_CODE] in NOT_IN_ENGLAND_TYPES or not _LA_CODE.fullmatch(text[LA_CODE]) or text[LA_CODE] == "999":
        return _skip(line, cells, SkipReason.OUTSIDE_ENGLAND, text[TYPE_NAME] or text[LA_NAME])
    status = text[STATUS_NAME]
    if status not in OPEN_STATUSES and status != CLOSED_STATUS:
        return _skip(line, cells, SkipReason.NOT_OPEN, status)
    return Row(
        line,
        establishment=Establishment(
            urn=text[URN],
            name=text[NAME],
            status=status,
            closed_on=_gias_date(text[CLOSE_DATE]) if status == CLOSED_STATUS else None,
            local_authority_name=text[LA_NAME],
            local_authority_code=text[LA_CODE],
            type_of_establishment=text[TYPE_NAME],
            group=text[GROUP_NAME],
            phase=text[PHASE_NAME],
            urban_or_rural=text[URBAN_RURAL],
            trust_uid=text[TRUST_CODE],
            trust_name=text[TRUST_NAME],
            district_admin_code=text[DISTRICT_CODE],
            district_admin_name=text[DISTRICT_NAME],
            address1=text[STREET],
            town=text[TOWN],
            postcode=text[POSTCODE],
            ukprn=text[UKPRN],
            telephone=text[TELEPHONE],
            website=text[WEBSITE],
        ),
    )


class NotGiasData(ValueError):
    """The file's first row is not GIAS's header: nothing is imported."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"missing columns: {', '.join(missing)}")
        self.missing = missing


def read_rows(text: Iterable[str]) -> Iterator[Row]:
    """The file's rows, read as a stream (one row in memory at a time). Raises NotGiasData before any row when
    the header lacks a column the service reads."""
    reader = csv.DictReader(text)
    header = reader.fieldnames
    missing = missing_headers(header)
    if missing:
        raise NotGiasData(missing)
    columns = len(header or ())
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Row(
                reader.line_num,
                skipped=SkippedRow(
                    line=reader.line_num, urn="", name="", reason=SkipReason.MALFORMED, detail=str(error)[:200]
                ),
            )
            continue
        if any(value is not None and not isinstance(value, list) and len(value) > MAX_FIELD for value in row.values()):
            yield _skip(reader.line_num, {}, SkipReason.MALFORMED, "A cell is too long")
            continue
        yield read_row(reader.line_num, row, columns)


# -- what an import does with a row ---------------------------------------------------------------------------
class Change(StrEnum):
    ADD = "add"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    CLOSE = "close"
    SKIP_CLOSED = "skip_closed"  # closed, and the service never held it


def change_for(
    establishment: Establishment, held: Establishment | None, today: dt.date
) -> tuple[Change, Establishment]:
    """What the import does with a row, given the school the service holds under its URN (None: none), and the
    establishment to write. A closed row without a closing date closes on the day it is first seen closed."""
    if not establishment.is_open and establishment.closed_on is None:
        closed_on = held.closed_on if held is not None and held.closed_on is not None else today
        establishment = establishment.model_copy(update={"closed_on": closed_on})
    if held is None:
        return (Change.ADD if establishment.is_open else Change.SKIP_CLOSED), establishment
    if held == establishment:
        return Change.UNCHANGED, establishment
    if not establishment.is_open and held.is_open:
        return Change.CLOSE, establishment
    return Change.UPDATE, establishment


class ImportReport(Domain):
    """What one import of the file did."""

    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    skipped: int = 0
    skipped_by_reason: dict[SkipReason, int] = Field(default_factory=dict)
    skipped_rows: tuple[SkippedRow, ...] = ()  # the first KEPT_SKIPPED_ROWS skipped rows, in file order
    flagged: int = 0  # schools marked closed that have claims in the open window: flagged to support (ADR 0035)

    def counts(self) -> dict[str, int]:
        """The counts Activity shows."""
        counts = {
            "rows read": self.rows_read,
            "added": self.added,
            "updated": self.updated,
            "closed": self.closed,
            "skipped": self.skipped,
        }
        if self.flagged:
            counts["closed with claims in the open window"] = self.flagged
        return counts

    def reasons(self) -> list[tuple[SkipReason, int]]:
        return [(reason, self.skipped_by_reason[reason]) for reason in SKIP_REASONS if reason in self.skipped_by_reason]


@dataclass
class Tally:
    """Counts an import as it goes (memory bounded: counts and KEPT_SKIPPED_ROWS rows)."""

    rows_read: int = 0
    counts: dict[Change, int] = field(default_factory=dict)
    skipped_by_reason: dict[SkipReason, int] = field(default_factory=dict)
    skipped_rows: list[SkippedRow] = field(default_factory=list)
    flagged: int = 0

    def read(self) -> None:
        self.rows_read += 1

    def changed(self, change: Change, establishment: Establishment, line: int) -> None:
        if change is Change.SKIP_CLOSED:
            self.skip(SkippedRow(line=line, urn=establishment.urn, name=establishment.name, reason=SkipReason.CLOSED))
            return
        self.counts[change] = self.counts.get(change, 0) + 1

    def skip(self, row: SkippedRow) -> None:
        self.skipped_by_reason[row.reason] = self.skipped_by_reason.get(row.reason, 0) + 1
        if len(self.skipped_rows) < KEPT_SKIPPED_ROWS:
            self.skipped_rows.append(
                row.model_copy(update={"name": row.name[:KEPT_TEXT], "detail": row.detail[:KEPT_TEXT]})
            )

    def report(self) -> ImportReport:
        return ImportReport(
            rows_read=self.rows_read,
            added=self.counts.get(Change.ADD, 0),
            updated=self.counts.get(Change.UPDATE, 0),
            unchanged=self.counts.get(Change.UNCHANGED, 0),
            closed=self.counts.get(Change.CLOSE, 0),
            skipped=sum(self.skipped_by_reason.values()),
            skipped_by_reason=dict(self.skipped_by_reason),
            skipped_rows=tuple(self.skipped_rows),
            flagged=self.flagged,
        )


# -- an import's record ---------------------------------------------------------------------------------------
UPLOADS_PREFIX = "school-data/uploads/"  # where support's uploads go in the files bucket (the task reads only here)
MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # GIAS's extract is about 60 MB; the upload form's policy refuses more
# ImportSchoolsFunction's timeout is 900 s: a delivery holds the import a little longer than that, so its hold
# outlives it, and a crashed delivery's hold has ended when SQS brings the message back (VisibilityTimeout 5400 s).
LEASE = dt.timedelta(seconds=960)
MAX_RECEIVES = 3  # SchoolImportsQueue's maxReceiveCount
# An import still running this long after it was asked for has failed (every delivery crashed: at least
# MAX_RECEIVES x the queue's VisibilityTimeout of 90 minutes): the page says so, and another may start.
STALE_AFTER = dt.timedelta(hours=5)
PROGRESS_EVERY = 5_000  # rows between the task's progress notes on the record

_IMPORT_ID = re.compile(r"[0-9a-f]{32}")


class ImportStatus(StrEnum):
    IMPORTING = "importing"
    FINISHED = "finished"
    FAILED = "failed"


def is_import_id(text: str) -> bool:
    return bool(_IMPORT_ID.fullmatch(text))


def upload_key(import_id: str) -> str:
    return f"{UPLOADS_PREFIX}{import_id}.csv"


def import_id_of(key: str) -> str | None:
    """The import an uploaded file's key names (the upload form's key), or None for any other key."""
    if not key.startswith(UPLOADS_PREFIX) or not key.endswith(".csv"):
        return None
    candidate = key[len(UPLOADS_PREFIX) : -len(".csv")]
    return candidate if is_import_id(candidate) else None


class ImportMessage(Domain):
    """The SchoolImportsQueue message: which import to run (the record says the rest)."""

    import_id: str


class SchoolImport(Domain):
    """One import of GIAS's extract: who asked, when, and how far it has got."""

    import_id: str
    requested_by: str
    requested_by_name: str
    requested_at: dt.datetime
    file_key: str
    status: ImportStatus
    rows_read: int = 0  # so far, while it runs
    report: ImportReport | None = None
    finished_at: dt.datetime | None = None
    failure: str | None = None
    attempts: int = 0

    def shown_status(self, now: dt.datetime) -> ImportStatus:
        if self.status is ImportStatus.IMPORTING and now - self.requested_at > STALE_AFTER:
            return ImportStatus.FAILED
        return self.status
