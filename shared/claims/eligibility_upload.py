"""The eligible-schools file: which schools may claim in an academic year (docs/domain.md, "Files").

Pure: the caller passes the bytes uploaded and what the service holds about each URN the file names.
Checks run in two stages, as for the payer's response: the file and its header first, then every row, so
every row's problems show at once with its row number as a spreadsheet shows it (the header is row 1,
blank lines count). DfE's own file has the columns `name, urn` and ends with a blank line; any file with a
`urn` column is read (any case, trimmed, a BOM, CRLF line ends, other columns ignored). A spreadsheet saved
as "CSV" on Windows is Windows-1252, not UTF-8: that is read too, since only the URNs matter.

The upload adds the year to each school in the file; it never takes the year away from a school the file
leaves out (ADR 0025).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from shared.claims.csv_uploads import EMPTY as EMPTY
from shared.claims.csv_uploads import MAX_ERRORS_SHOWN as MAX_ERRORS_SHOWN
from shared.claims.csv_uploads import NO_FILE as NO_FILE
from shared.claims.csv_uploads import NOT_CSV as NOT_CSV
from shared.claims.csv_uploads import InvalidFile as InvalidFile
from shared.claims.csv_uploads import csv_records as csv_records
from shared.claims.csv_uploads import csv_text as csv_text
from shared.claims.domain import Domain

URN = "urn"
PREVIEW_ROWS = 10
MAX_VALUE_SHOWN = 20  # characters of a bad cell shown back on the page
_URN_PATTERN = re.compile(r"^[0-9]{1,9}$")
NO_URN_COLUMN = "The selected file must have a urn column"
TWO_URN_COLUMNS = "The selected file must have only one urn column"
NO_SCHOOLS = "The selected file must include at least one school"


class KnownSchool(Domain):
    """What the service holds about a URN the file names (a school in the organisations table)."""

    urn: str
    name: str
    closed: bool
    eligible: bool  # already eligible for the upload's academic year


class RawRow(Domain):
    """One non-blank row as it is in the file, trimmed."""

    row_number: int
    urn: str


class RowError(Domain):
    row_number: int
    urn: str
    message: str


class EligibleSchool(Domain):
    """One valid row: a school the upload makes eligible (or finds eligible already)."""

    row_number: int
    urn: str
    name: str
    already_eligible: bool


@dataclass(frozen=True)
class ParsedFile:
    """A file that passed the first stage: readable, a urn column, at least one row."""

    rows: tuple[RawRow, ...]

    @property
    def urns(self) -> set[str]:
        """The URNs worth looking up (well formed ones)."""
        return {row.urn for row in self.rows if _URN_PATTERN.match(row.urn)}


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed both stages, or the problems of every row."""

    parsed: ParsedFile
    schools: tuple[EligibleSchool, ...]
    errors: tuple[RowError, ...]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def shown_errors(self) -> tuple[RowError, ...]:
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def newly_eligible(self) -> int:
        return sum(1 for school in self.schools if not school.already_eligible)

    @property
    def already_eligible(self) -> int:
        return len(self.schools) - self.newly_eligible

    @property
    def preview(self) -> tuple[EligibleSchool, ...]:
        return self.schools[:PREVIEW_ROWS]


# -- stage 1: the file ---------------------------------------------------------------------------
def read_file(content: bytes | None) -> ParsedFile:
    """Stage 1: a CSV (BOM and CRLF are fine) with one `urn` column (any case, trimmed; other columns
    ignored) and at least one row. Raises InvalidFile with the one message to show."""
    if content is None:
        raise InvalidFile(NO_FILE)
    records = csv_records(csv_text(content))
    if not records:
        raise InvalidFile(EMPTY)
    _, header = records[0]
    names = [name.strip().lower() for name in header]
    if names.count(URN) > 1:
        raise InvalidFile(TWO_URN_COLUMNS)
    if URN not in names:
        raise InvalidFile(NO_URN_COLUMN)
    index = names.index(URN)
    rows = tuple(
        RawRow(row_number=number, urn=cells[index].strip() if index < len(cells) else "")
        for number, cells in records[1:]
    )
    if not rows:
        raise InvalidFile(NO_SCHOOLS)
    return ParsedFile(rows)


# -- stage 2: every row ---------------------------------------------------------------------------
def shown(value: str) -> str:
    """A cell as a row error shows it back: its first characters."""
    return value if len(value) <= MAX_VALUE_SHOWN else value[:MAX_VALUE_SHOWN] + "…"


def _row_error(row: RawRow, school: KnownSchool | None, first: int | None) -> str | None:
    """What is wrong with one row (None: nothing). `school` is what the service holds for its URN (None: no
    school); `first` is the row that already named this URN (None: this is the first)."""
    if not row.urn:
        return "Enter a URN"
    if not _URN_PATTERN.match(row.urn):
        return "URN must only include numbers 0 to 9"
    if first is not None:
        return f"Remove this row: URN {row.urn} is already in row {first}"
    if school is None:
        return "There is no school with this URN"
    if school.closed:
        return f"{school.name} is closed"
    return None


def check_rows(parsed: ParsedFile, known: Mapping[str, KnownSchool]) -> CheckedFile:
    """Stage 2: every row, every problem. `known` holds each school the file names that the service holds;
    a URN missing from it is not a school of ours."""
    errors: list[RowError] = []
    schools: list[EligibleSchool] = []
    first_row: dict[str, int] = {}
    for row in parsed.rows:
        school = known.get(row.urn)
        message = _row_error(row, school, first_row.get(row.urn))
        if row.urn:
            first_row.setdefault(row.urn, row.row_number)
        if message is not None or school is None:
            errors.append(RowError(row_number=row.row_number, urn=shown(row.urn), message=message or ""))
            continue
        schools.append(
            EligibleSchool(row_number=row.row_number, urn=row.urn, name=school.name, already_eligible=school.eligible)
        )
    return CheckedFile(parsed=parsed, schools=tuple(schools), errors=tuple(errors))


# -- the record of an upload ------------------------------------------------------------------------
class UploadStatus(StrEnum):
    PENDING = "pending"  # checked and stored; no school has changed yet
    APPLYING = (
        "applying"  # a support user confirmed it; its schools are being made eligible (confirming again finishes)
    )
    CONFIRMED = "confirmed"  # every school in the file is eligible for the year


class EligibilityUpload(Domain):
    batch_id: str
    status: UploadStatus
    created_at: dt.datetime
    uploaded_by: str
    academic_year: str  # "2025 to 2026"
    file_key: str
    row_count: int
    newly_eligible: int = 0  # when confirmed: the schools that were not eligible for the year before
    already_eligible: int = 0


UPLOAD_LIFETIME = dt.timedelta(hours=24)


def expired(upload: EligibilityUpload, now: dt.datetime) -> bool:
    """A pending upload not confirmed within a day must be uploaded again (schools may have closed since)."""
    return upload.status is UploadStatus.PENDING and now - upload.created_at > UPLOAD_LIFETIME
