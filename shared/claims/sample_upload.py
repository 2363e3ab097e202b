"""The "Upload a sample" file: claims chosen for audit outside the service (docs/domain.md, "Files").

Pure: the caller passes the bytes uploaded and, for each reference the file names that is a claim, its id
and status. The live service's format: the columns `claim_reference, sample_reason`, one row per claim.
Checks run in two stages, as for the other uploads: the file and its header first, then every row, so every
row's problems show at once with its row number as a spreadsheet shows it (the header is row 1, blank lines
count). Headers are of any case and trimmed, other columns are ignored, a BOM and CRLF line ends are fine,
and a spreadsheet's Windows-1252 "CSV" is read too. Only paid claims can be audited, each once; the row's
own `sample_reason` is kept with the claim (ADR 0029).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.claims.audit_sample import SampledClaim, SampleReason
from shared.claims.domain import Domain
from shared.claims.eligibility_upload import EMPTY as EMPTY  # re-exported: the messages an upload page shows
from shared.claims.eligibility_upload import MAX_ERRORS_SHOWN as MAX_ERRORS_SHOWN
from shared.claims.eligibility_upload import NO_FILE as NO_FILE
from shared.claims.eligibility_upload import NOT_CSV as NOT_CSV
from shared.claims.eligibility_upload import InvalidFile as InvalidFile
from shared.claims.eligibility_upload import csv_records, csv_text, shown
from shared.claims.payer_response import MAX_REASON_LENGTH, REFERENCE, REFERENCE_PATTERN
from shared.claims.statuses import ClaimStatus

SAMPLE_REASON = "sample_reason"
REQUIRED_HEADERS = (REFERENCE, SAMPLE_REASON)
PREVIEW_ROWS = 5
AUDITABLE = ClaimStatus.PAID

NO_CLAIMS = "The selected file must include at least one claim"
NO_PAID_CLAIMS = "You cannot upload a sample as there are no claims that have been paid"


class RawRow(Domain):
    """One non-blank row as it is in the file, trimmed."""

    row_number: int
    reference: str
    sample_reason: str


class RowError(Domain):
    row_number: int
    column: str
    value: str  # as the page shows it back: its first characters
    message: str


@dataclass(frozen=True)
class ParsedFile:
    """A file that passed the first stage: readable, both columns, at least one row."""

    rows: tuple[RawRow, ...]

    @property
    def references(self) -> set[str]:
        """The references worth looking up (well formed ones)."""
        return {row.reference for row in self.rows if REFERENCE_PATTERN.match(row.reference)}

    @property
    def preview(self) -> tuple[RawRow, ...]:
        return self.rows[:PREVIEW_ROWS]


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed both stages (its claims, each chosen as `uploaded`), or the problems of every row."""

    parsed: ParsedFile
    claims: tuple[SampledClaim, ...]
    errors: tuple[RowError, ...]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors)

    @property
    def shown_errors(self) -> tuple[RowError, ...]:
        """The first errors, which the page lists (it says how many there are in all)."""
        return self.errors[:MAX_ERRORS_SHOWN]


# -- stage 1: the file ---------------------------------------------------------------------------
def _positions(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    for name in REQUIRED_HEADERS:
        if names.count(name) > 1:
            raise InvalidFile(f"The selected file must have only one {name} column")
    missing = [name for name in REQUIRED_HEADERS if name not in names]
    if len(missing) == len(REQUIRED_HEADERS):
        raise InvalidFile(f"The selected file must have the columns {' and '.join(missing)}")
    if missing:
        raise InvalidFile(f"The selected file must have the column {missing[0]}")
    return {name: names.index(name) for name in REQUIRED_HEADERS}


def read_file(content: bytes | None) -> ParsedFile:
    """Stage 1: a CSV with the columns `claim_reference` and `sample_reason` and at least one row. Raises
    InvalidFile with the one message to show."""
    if content is None:
        raise InvalidFile(NO_FILE)
    records = csv_records(csv_text(content))
    if not records:
        raise InvalidFile(EMPTY)
    _, header = records[0]
    positions = _positions(header)

    def cell(cells: list[str], name: str) -> str:
        index = positions[name]
        return cells[index].strip() if index < len(cells) else ""

    rows = tuple(
        RawRow(row_number=number, reference=cell(cells, REFERENCE), sample_reason=cell(cells, SAMPLE_REASON))
        for number, cells in records[1:]
    )
    if not rows:
        raise InvalidFile(NO_CLAIMS)
    return ParsedFile(rows)


# -- stage 2: every row ---------------------------------------------------------------------------
def _error(row: RawRow, column: str, value: str, message: str) -> RowError:
    return RowError(row_number=row.row_number, column=column, value=shown(value), message=message)


def _row_errors(row: RawRow, claim: tuple[str, ClaimStatus] | None, first: int | None) -> list[RowError]:
    """Every problem with one row. `claim` is the id and status of the claim it names (None: no such claim);
    `first` is the row that already named this reference (None: this is the first)."""
    found: list[RowError] = []
    reference = row.reference
    if not reference:
        found.append(_error(row, REFERENCE, reference, "Enter a claim reference"))
    elif first is not None:
        found.append(_error(row, REFERENCE, reference, f"Remove this row: claim {reference} is already in row {first}"))
    elif claim is None or not REFERENCE_PATTERN.match(reference):
        found.append(_error(row, REFERENCE, reference, "There is no claim with this reference"))
    elif claim[1] is not AUDITABLE:
        found.append(_error(row, REFERENCE, reference, f"Claim {reference} is not paid"))
    if not row.sample_reason:
        found.append(_error(row, SAMPLE_REASON, row.sample_reason, "Enter a sample reason"))
    elif len(row.sample_reason) > MAX_REASON_LENGTH:
        message = f"Sample reason must be {MAX_REASON_LENGTH} characters or fewer"
        found.append(_error(row, SAMPLE_REASON, row.sample_reason, message))
    return found


def check_rows(parsed: ParsedFile, claims: Mapping[str, tuple[str, ClaimStatus]]) -> CheckedFile:
    """Stage 2: every row, every problem. `claims` holds the id and status of each claim the file names
    that exists; a reference missing from it is not a claim."""
    errors: list[RowError] = []
    sampled: list[SampledClaim] = []
    first_row: dict[str, int] = {}
    for row in parsed.rows:
        claim = claims.get(row.reference)
        found = _row_errors(row, claim, first_row.get(row.reference))
        if row.reference:
            first_row.setdefault(row.reference, row.row_number)
        if found or claim is None:
            errors.extend(found)
            continue
        sampled.append(
            SampledClaim(
                claim_id=claim[0], reference=row.reference, reason=SampleReason.UPLOADED, note=row.sample_reason
            )
        )
    return CheckedFile(parsed=parsed, claims=tuple(sampled), errors=tuple(errors))
