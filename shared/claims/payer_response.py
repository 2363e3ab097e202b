"""The payer's response to a payment file: read and check a CSV, the follow-ups on a claim.

Pure: the caller passes the bytes uploaded and the current status of each claim the file names.
Checks run in two stages (docs/domain.md, "Files"): the file and its headers first, then every row, so
that every row's problems are reported at once with its row number as a spreadsheet shows it (the
header is row 1, blank lines count). Unlike the live service, statuses are trimmed and of any case
(`PAID ` is paid), extra columns are ignored and a reference may appear only once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from shared.claims.csv_uploads import EMPTY as EMPTY
from shared.claims.csv_uploads import NO_FILE as NO_FILE
from shared.claims.csv_uploads import NOT_CSV as NOT_CSV
from shared.claims.csv_uploads import InvalidFile as InvalidFile
from shared.claims.csv_uploads import csv_records, csv_text
from shared.claims.domain import Domain
from shared.claims.statuses import DISPLAY, ClaimStatus

REFERENCE = "claim_reference"
STATUS = "claim_status"
UNPAID_REASON = "claim_unpaid_reason"
REQUIRED_HEADERS = (REFERENCE, STATUS, UNPAID_REASON)

PREVIEW_ROWS = 5
MAX_REASON_LENGTH = 1000
# The shape of a reference worth looking up (anything else cannot be a claim of ours).
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,32}$")
# Control characters that never appear in a text CSV (tab, CR and LF do); a PNG or a spreadsheet has them.

NO_CLAIMS = "The selected file must include at least one claim"


class PayerOutcome(StrEnum):
    PAID = "paid"
    UNPAID = "unpaid"


# What each outcome does to a claim that is waiting for the payer.
OUTCOME_STATUS: dict[PayerOutcome, ClaimStatus] = {
    PayerOutcome.PAID: ClaimStatus.PAID,
    PayerOutcome.UNPAID: ClaimStatus.PAYMENT_INFORMATION_REQUESTED,
}
AWAITING_RESPONSE = ClaimStatus.PAYMENT_IN_PROGRESS


class RawRow(Domain):
    """One non-blank row as it is in the file, trimmed."""

    row_number: int
    reference: str
    status: str
    unpaid_reason: str


class ResponseRow(Domain):
    """One valid row: what the payer said about one claim."""

    row_number: int
    reference: str
    outcome: PayerOutcome
    unpaid_reason: str | None = None


class RowError(Domain):
    row_number: int
    column: str
    value: str
    message: str


class ResponseCounts(Domain):
    paid: int = 0
    information_requested: int = 0

    @property
    def total(self) -> int:
        return self.paid + self.information_requested


@dataclass(frozen=True)
class ParsedFile:
    """A file that passed the first stage: readable, headers present, at least one row."""

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
    """A file that passed both stages, or the problems of every row."""

    parsed: ParsedFile
    rows: tuple[ResponseRow, ...]
    errors: tuple[RowError, ...]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> ResponseCounts:
        paid = sum(1 for row in self.rows if row.outcome is PayerOutcome.PAID)
        return ResponseCounts(paid=paid, information_requested=len(self.rows) - paid)


# -- stage 1: the file ---------------------------------------------------------------------------
def _header_positions(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    duplicated = [name for name in REQUIRED_HEADERS if names.count(name) > 1]
    if duplicated:
        raise InvalidFile(f"The selected file must have only one {_and(duplicated)} column")
    missing = [name for name in REQUIRED_HEADERS if name not in names]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise InvalidFile(f"The selected file must have the {noun} {_and(missing)}")
    return {name: names.index(name) for name in REQUIRED_HEADERS}


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def read_file(content: bytes | None) -> ParsedFile:
    """Stage 1: a UTF-8 CSV (BOM and CRLF are fine) with the required headers (any case, trimmed;
    extra columns ignored) and at least one row. Raises InvalidFile with the one message to show."""
    if content is None:
        raise InvalidFile(NO_FILE)
    records = csv_records(csv_text(content))
    if not records:
        raise InvalidFile(EMPTY)
    _, header = records[0]
    positions = _header_positions(header)

    def cell(cells: list[str], name: str) -> str:
        index = positions[name]
        return cells[index].strip() if index < len(cells) else ""

    rows = tuple(
        RawRow(
            row_number=number,
            reference=cell(cells, REFERENCE),
            status=cell(cells, STATUS),
            unpaid_reason=cell(cells, UNPAID_REASON),
        )
        for number, cells in records[1:]
    )
    if not rows:
        raise InvalidFile(NO_CLAIMS)
    return ParsedFile(rows)


# -- stage 2: every row ---------------------------------------------------------------------------
def _outcome(value: str) -> PayerOutcome | None:
    try:
        return PayerOutcome(value.strip().lower())
    except ValueError:
        return None


def _error(row: RawRow, column: str, value: str, message: str) -> RowError:
    return RowError(row_number=row.row_number, column=column, value=value, message=message)


def _row_errors(
    row: RawRow, outcome: PayerOutcome | None, status: ClaimStatus | None, first: int | None
) -> list[RowError]:
    """Every problem with one row. `status` is the claim's (None: no such claim); `first` is the row
    that already named this reference (None: this is the first)."""
    found: list[RowError] = []
    reference = row.reference
    if not reference:
        found.append(_error(row, REFERENCE, reference, "Enter a claim reference"))
    elif first is not None:
        found.append(_error(row, REFERENCE, reference, f"Remove this row: claim {reference} is already in row {first}"))
    elif status is None:
        found.append(_error(row, REFERENCE, reference, "Enter a valid claim reference"))
    elif status is not AWAITING_RESPONSE:
        message = f"This claim is not waiting for a payer response: its status is {DISPLAY[status].label}"
        found.append(_error(row, REFERENCE, reference, message))
    if outcome is None:
        message = "Enter a claim status" if not row.status else "Claim status must be paid or unpaid"
        found.append(_error(row, STATUS, row.status, message))
    elif outcome is PayerOutcome.UNPAID and not row.unpaid_reason:
        found.append(_error(row, UNPAID_REASON, row.unpaid_reason, "Enter a reason why the claim is unpaid"))
    elif outcome is PayerOutcome.UNPAID and len(row.unpaid_reason) > MAX_REASON_LENGTH:
        message = f"Reason must be {MAX_REASON_LENGTH} characters or fewer"
        found.append(_error(row, UNPAID_REASON, row.unpaid_reason[:50] + "…", message))
    return found


def check_rows(parsed: ParsedFile, statuses: Mapping[str, ClaimStatus]) -> CheckedFile:
    """Stage 2: every row, every problem. `statuses` holds the current status of each claim the
    file names that exists; a reference missing from it is not a claim."""
    errors: list[RowError] = []
    valid: list[ResponseRow] = []
    first_row: dict[str, int] = {}
    for row in parsed.rows:
        outcome = _outcome(row.status)
        found = _row_errors(row, outcome, statuses.get(row.reference), first_row.get(row.reference))
        if row.reference:
            first_row.setdefault(row.reference, row.row_number)
        if found or outcome is None:
            errors.extend(found)
            continue
        reason = row.unpaid_reason if outcome is PayerOutcome.UNPAID else None
        valid.append(
            ResponseRow(row_number=row.row_number, reference=row.reference, outcome=outcome, unpaid_reason=reason)
        )
    return CheckedFile(parsed=parsed, rows=tuple(valid), errors=tuple(errors))


# -- the record of an upload ------------------------------------------------------------------------
class BatchStatus(StrEnum):
    PENDING = "pending"  # checked and stored; nothing has changed yet
    APPLYING = "applying"  # a support user confirmed it; its claims are being changed (confirming again finishes)
    CONFIRMED = "confirmed"  # every row applied (or left out because its claim had changed)


class PayerResponseBatch(Domain):
    batch_id: str
    status: BatchStatus
    created_at: dt.datetime
    uploaded_by: str
    file_key: str
    file_sha256: str
    row_count: int
    counts: ResponseCounts
    failed: int = 0


UPLOAD_LIFETIME = dt.timedelta(hours=24)


def expired(batch: PayerResponseBatch, now: dt.datetime) -> bool:
    """A pending upload not confirmed within a day must be uploaded again (claims will have moved on)."""
    return batch.status is BatchStatus.PENDING and now - batch.created_at > UPLOAD_LIFETIME


# -- follow-ups on a claim after the payer's response ------------------------------------------------
@dataclass(frozen=True)
class FollowUp:
    """A support action on one claim: which statuses it applies to and where it takes the claim."""

    slug: str
    name: str
    from_statuses: frozenset[ClaimStatus]
    to_status: ClaimStatus
    reason: str

    def allowed(self, status: ClaimStatus) -> bool:
        return status in self.from_statuses


S = ClaimStatus
FOLLOW_UPS: dict[str, FollowUp] = {
    follow_up.slug: follow_up
    for follow_up in (
        FollowUp(
            "information-sent",
            "Confirm information sent",
            frozenset({S.PAYMENT_INFORMATION_REQUESTED}),
            S.PAYMENT_INFORMATION_SENT,
            "Support sent the information the payer asked for",
        ),
        FollowUp(
            "paid",
            "Confirm claim paid",
            frozenset({S.PAYMENT_INFORMATION_SENT}),
            S.PAID,
            "The payer confirmed the claim is paid",
        ),
        FollowUp(
            "reject",
            "Reject claim",
            frozenset({S.PAYMENT_INFORMATION_REQUESTED, S.PAYMENT_INFORMATION_SENT}),
            S.PAYMENT_NOT_APPROVED,
            "The payer did not approve the claim",
        ),
    )
}


def follow_ups_for(status: ClaimStatus) -> list[FollowUp]:
    """The follow-ups a claim in `status` offers, in the order the page shows them."""
    return [follow_up for follow_up in FOLLOW_UPS.values() if follow_up.allowed(status)]
