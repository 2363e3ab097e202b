"""The clawback file for the payer, its reconciliation, and the payer's clawback response (ADR 0030).

The file: the payment file's columns (`shared.claims.files`) with `clawback_amount` after `claim_amount`, one
row per claim in reference order, status `clawback_in_progress`. `clawback_amount` is the amount to recover,
written as a positive amount (`262.80`), the live service's convention: the column's name says it is a
recovery, and a payer summing it gets the total to recover. A negative amount would still survive the
formula guard (a plain negative number is left alone), but none is ever written: a clawback of nothing or of
more than the claim was paid is refused before the file is made.

Reconciliation reuses the payment run's (`shared.claims.payment_runs.reconcile`, ADR 0015): the file is read
back and each row's reference and clawback amount compared with the claims the clawback meant to send, rows
and total pence must be equal, and the bytes' SHA-256 must be the one recorded when the file was written.

The payer's response (`claim_reference, claim_status`, status `clawback_complete`) is read as the payer's
payment response is (`shared.claims.payer_response`): the file and its header first, then every row.

Pure: no AWS, HTTP or templates.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from shared.claims.academic_years import london_today
from shared.claims.claim import Claim
from shared.claims.domain import Domain
from shared.claims.eligibility_upload import EMPTY as EMPTY  # re-exported: the messages an upload page shows
from shared.claims.eligibility_upload import MAX_ERRORS_SHOWN as MAX_ERRORS_SHOWN
from shared.claims.eligibility_upload import NO_FILE as NO_FILE
from shared.claims.eligibility_upload import NOT_CSV as NOT_CSV
from shared.claims.eligibility_upload import InvalidFile as InvalidFile
from shared.claims.eligibility_upload import csv_records, csv_text, shown
from shared.claims.files import PAYMENT_FILE_HEADERS, csv_lines
from shared.claims.money import format_csv_amount
from shared.claims.organisations import School
from shared.claims.payer_response import REFERENCE, REFERENCE_PATTERN, STATUS, RowError
from shared.claims.payment_runs import FileRow, OwnedClaim, Reconciliation, parse_csv_amount, reconcile
from shared.claims.statuses import DISPLAY, ClaimStatus

CLAWBACK_AMOUNT = "clawback_amount"
_AFTER = PAYMENT_FILE_HEADERS.index("claim_amount") + 1
CLAWBACK_FILE_HEADERS = (*PAYMENT_FILE_HEADERS[:_AFTER], CLAWBACK_AMOUNT, *PAYMENT_FILE_HEADERS[_AFTER:])
SENT_STATUS = ClaimStatus.CLAWBACK_IN_PROGRESS  # the status the file gives each claim, and the one a response needs


# -- the file --------------------------------------------------------------------------------------
class ClawbackLine(Domain):
    """One claim to claw back: the claim, its school (None if no longer held) and the pence to recover."""

    claim: Claim
    school: School | None
    clawback_pence: int


def clawback_row(line: ClawbackLine) -> tuple[str, ...]:
    """The row of one claim, in `CLAWBACK_FILE_HEADERS` order (the payment file's cells, plus the clawback)."""
    claim, school = line.claim, line.school
    cells = {
        "claim_reference": claim.reference,
        "school_urn": (school.urn or "") if school else "",
        "vendor_number": (school.vendor_number or "") if school else "",
        "school_name": claim.school_name,
        "school_local_authority": school.local_authority_name if school else "",
        "provider_name": claim.provider_name,
        "claim_amount": format_csv_amount(claim.amount_pence),
        CLAWBACK_AMOUNT: format_csv_amount(line.clawback_pence),
        "school_type_of_establishment": school.type_of_establishment if school else "",
        "school_group": school.group if school else "",
        "claim_submission_date": london_today(claim.submitted_at).isoformat() if claim.submitted_at else "",
        "claim_status": SENT_STATUS.value,
        "claim_unpaid_reason": "",
    }
    return tuple(cells[name] for name in CLAWBACK_FILE_HEADERS)


@dataclass(frozen=True)
class ClawbackFile:
    """The file's bytes and what to record with them: rows, total pence to recover, SHA-256, and the claims and
    amounts it was made from (what `reconcile_clawback_file` compares the file with)."""

    content: bytes
    rows: int
    total_pence: int
    sha256: str
    intended: tuple[tuple[str, int], ...]  # (reference, pence) in reference order: what the file must hold


def file_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def clawback_file(lines: Iterable[ClawbackLine]) -> ClawbackFile:
    """The clawback file of these claims, in reference order. A clawback must be more than nothing and no more
    than the claim was paid, and a claim may appear once (ValueError otherwise: nothing is written)."""
    ordered = sorted(lines, key=lambda line: line.claim.reference)
    references = [line.claim.reference for line in ordered]
    if len(set(references)) != len(references):
        raise ValueError("a claim can be clawed back once in a file")
    for line in ordered:
        if not 0 < line.clawback_pence <= line.claim.amount_pence:
            raise ValueError(f"claim {line.claim.reference}: a clawback is more than 0 and at most the claim's amount")
    content = b"".join(csv_lines(CLAWBACK_FILE_HEADERS, (clawback_row(line) for line in ordered)))
    total = sum(line.clawback_pence for line in ordered)
    intended = tuple((line.claim.reference, line.clawback_pence) for line in ordered)
    return ClawbackFile(content, rows=len(ordered), total_pence=total, sha256=file_sha256(content), intended=intended)


# -- its reconciliation ----------------------------------------------------------------------------
def _file_rows(content: bytes) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(content.decode("utf-8"), newline=""))
    next(reader, None)  # the header
    return (row for row in reader if row)


@dataclass(frozen=True)
class ClawbackCheck:
    result: Reconciliation
    sha256_verified: bool

    @property
    def passed(self) -> bool:
        return self.result.passed and self.sha256_verified


def _amount(text: str) -> int:
    try:
        return parse_csv_amount(text)
    except ValueError:
        return -1  # never a clawback's amount: the row is reported as a mismatch


def reconcile_clawback_file(content: bytes, intended: Iterable[tuple[str, int]], recorded_sha256: str) -> ClawbackCheck:
    """Read the file back and compare it with what it was meant to hold ((reference, pence) in reference order):
    every row one of those claims with its clawback amount, each claim once, rows and totals equal; and its
    SHA-256 the one recorded. Nothing is sent to the payer unless `passed`."""
    header = next(csv.reader(io.StringIO(content.decode("utf-8"), newline="")), [])
    rows = (FileRow(row[0], _amount(row[_AFTER]) if len(row) > _AFTER else -1) for row in _file_rows(content))
    claims = (OwnedClaim(reference, pence, moved=True) for reference, pence in intended)
    result = reconcile(rows, claims, require_moved=False)
    if tuple(header) != CLAWBACK_FILE_HEADERS:
        result.note("the file's header is not the clawback file's")
    return ClawbackCheck(result, file_sha256(content) == recorded_sha256)


# -- the payer's response --------------------------------------------------------------------------
COMPLETE = ClaimStatus.CLAWBACK_COMPLETE
REQUIRED_HEADERS = (REFERENCE, STATUS)
NO_CLAIMS = "The selected file must include at least one claim"


class RawResponseRow(Domain):
    """One non-blank row as it is in the file, trimmed."""

    row_number: int
    reference: str
    status: str


@dataclass(frozen=True)
class ClawbackResponse:
    """The payer's response checked: the references whose clawback is complete, or every row's problems."""

    rows: tuple[RawResponseRow, ...]
    completed: tuple[str, ...]
    errors: tuple[RowError, ...]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def shown_errors(self) -> tuple[RowError, ...]:
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def references(self) -> set[str]:
        """The references worth looking up (well formed ones)."""
        return {row.reference for row in self.rows if REFERENCE_PATTERN.match(row.reference)}


def read_clawback_response(content: bytes | None) -> tuple[RawResponseRow, ...]:
    """Stage 1: a CSV (UTF-8 with or without a BOM, or Windows-1252) with `claim_reference` and `claim_status`
    (any case, trimmed; others ignored) and at least one row. Raises InvalidFile with the one message to show."""
    if content is None:
        raise InvalidFile(NO_FILE)
    records = csv_records(csv_text(content))
    if not records:
        raise InvalidFile(EMPTY)
    names = [name.strip().lower() for name in records[0][1]]
    duplicated = [name for name in REQUIRED_HEADERS if names.count(name) > 1]
    if duplicated:
        raise InvalidFile(f"The selected file must have only one {' and '.join(duplicated)} column")
    missing = [name for name in REQUIRED_HEADERS if name not in names]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise InvalidFile(f"The selected file must have the {noun} {' and '.join(missing)}")
    at = {name: names.index(name) for name in REQUIRED_HEADERS}

    def cell(cells: list[str], name: str) -> str:
        return cells[at[name]].strip() if at[name] < len(cells) else ""

    rows = tuple(
        RawResponseRow(row_number=number, reference=cell(cells, REFERENCE), status=cell(cells, STATUS))
        for number, cells in records[1:]
    )
    if not rows:
        raise InvalidFile(NO_CLAIMS)
    return rows


def _row_errors(
    row: RawResponseRow, status: ClaimStatus | None, in_run: bool, first: int | None
) -> list[tuple[str, str, str]]:
    """Every problem with one row as (column, value, message). `status` is the claim's (None: no such claim);
    `in_run`: this clawback sent it; `first`: the row that already named this reference."""
    found: list[tuple[str, str, str]] = []
    reference = row.reference
    if not reference:
        found.append((REFERENCE, reference, "Enter a claim reference"))
    elif first is not None:
        found.append((REFERENCE, reference, f"Remove this row: claim {reference} is already in row {first}"))
    elif status is None:
        found.append((REFERENCE, reference, "Enter a valid claim reference"))
    elif not in_run:
        found.append((REFERENCE, reference, f"Claim {reference} was not sent to the payer in this clawback"))
    elif status is not SENT_STATUS:
        message = f"This claim is not waiting for a clawback response: its status is {DISPLAY[status].label}"
        found.append((REFERENCE, reference, message))
    if not row.status:
        found.append((STATUS, row.status, "Enter a claim status"))
    elif row.status.lower() != COMPLETE.value:
        found.append((STATUS, row.status, f"Claim status must be {COMPLETE.value}"))
    return found


def check_clawback_response(
    rows: tuple[RawResponseRow, ...], statuses: Mapping[str, ClaimStatus], in_run: Collection[str]
) -> ClawbackResponse:
    """Stage 2: every row, every problem. `statuses`: the current status of each claim the file names that
    exists; `in_run`: the references this clawback sent to the payer. A claim of the clawback the file leaves
    out stays in progress."""
    errors: list[RowError] = []
    completed: list[str] = []
    first_row: dict[str, int] = {}
    for row in rows:
        found = _row_errors(row, statuses.get(row.reference), row.reference in in_run, first_row.get(row.reference))
        if row.reference:
            first_row.setdefault(row.reference, row.row_number)
        errors.extend(
            RowError(row_number=row.row_number, column=column, value=shown(value), message=message)
            for column, value, message in found
        )
        if not found:
            completed.append(row.reference)
    return ClawbackResponse(rows=rows, completed=tuple(completed), errors=tuple(errors))
