"""The provider's audit file: the claims under audit to download, one row per mentor, and the answers uploaded back.

Download (`audit_file_rows`): one row per mentor of each claim, in reference order and the claim's own mentor
order, with the school's details and the hours claimed but never an amount (providers get no claim amounts);
`claim_accepted` and `rejection_reason` are left blank for the provider to fill. Cells a spreadsheet would run
as formulas are neutralised (`shared.claims.files`).

Upload (`read_audit_answers`): the file is checked in two stages, as every upload is (docs/domain.md, "Files"):
the file and its header first (one message, `InvalidFile`), then every row, so every problem shows at once with
its row number as a spreadsheet shows it (the header is row 1, blank lines count). Mentors are matched by TRN,
never by name (two mentors can share a name; a name is typed differently). A claim in the file must have
exactly one row per mentor; a claim under audit the file leaves out is simply not answered by this file.
The answers are `shared.claims.audit_answers.MentorAnswer`, the model the provider's pages also record.

Pure: the caller passes the bytes uploaded and the provider's claims under audit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared.claims.academic_years import london_today
from shared.claims.audit_answers import MentorAnswer
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.domain import Domain
from shared.claims.eligibility_upload import EMPTY as EMPTY  # re-exported: the messages an upload page shows
from shared.claims.eligibility_upload import MAX_ERRORS_SHOWN as MAX_ERRORS_SHOWN
from shared.claims.eligibility_upload import NO_FILE as NO_FILE
from shared.claims.eligibility_upload import NOT_CSV as NOT_CSV
from shared.claims.eligibility_upload import InvalidFile as InvalidFile
from shared.claims.eligibility_upload import csv_records, csv_text, shown
from shared.claims.files import csv_lines
from shared.claims.organisations import School
from shared.claims.statuses import ClaimStatus

AUDIT_FILE_HEADERS = (
    "claim_reference",
    "school_urn",
    "school_name",
    "school_local_authority",
    "school_type_of_establishment",
    "school_group",
    "provider_name",
    "claim_submission_date",
    "mentor_trn",
    "mentor_full_name",
    "mentor_hours_of_training",
    "claim_accepted",
    "rejection_reason",
)

REFERENCE = "claim_reference"
TRN = "mentor_trn"
ACCEPTED = "claim_accepted"
REASON = "rejection_reason"
HOURS = "hours_completed"  # optional: the hours a mentor did complete, with "no"
REQUIRED_HEADERS = (REFERENCE, TRN, ACCEPTED, REASON)
AWAITING_ANSWERS = ClaimStatus.SAMPLING_IN_PROGRESS  # a claim answered already (file or pages) is not answered again
TRN_DIGITS = 7
MAX_REASON_LENGTH = 2_000  # as on the provider's answer pages, so an answer valid there is valid here
_DIGITS = re.compile(r"^[0-9]+$")
_YES_NO = {"yes": True, "no": False}

NO_ANSWERS = "The selected file must include at least one mentor"


# -- the download ----------------------------------------------------------------------------------
def _mentor_row(claim: Claim, school: School | None, mentor: ClaimMentor) -> tuple[str, ...]:
    return (
        claim.reference,
        (school.urn or "") if school else "",
        claim.school_name,
        school.local_authority_name if school else "",
        school.type_of_establishment if school else "",
        school.group if school else "",
        claim.provider_name,
        london_today(claim.submitted_at).isoformat() if claim.submitted_at else "",
        mentor.trn,
        mentor.full_name,
        str(mentor.hours),
        "",
        "",
    )


def audit_file_rows(claims: Iterable[tuple[Claim, School | None]]) -> str:
    """The audit file for one provider: each claim (with its school, None if no longer held) one row per
    mentor, claims in reference order. The text is UTF-8-ready CSV with CRLF line ends."""
    ordered = sorted(claims, key=lambda pair: pair[0].reference)
    rows = (_mentor_row(claim, school, mentor) for claim, school in ordered for mentor in claim.mentors)
    return b"".join(csv_lines(AUDIT_FILE_HEADERS, rows)).decode("utf-8")


def audit_file_name(provider_name: str) -> str:
    """`quality_assurance_for_best_practice_network_response.csv`: the name the live service gives the file."""
    snake = re.sub(r"[^a-z0-9]+", "_", provider_name.lower()).strip("_")
    return f"quality_assurance_for_{snake or 'provider'}_response.csv"


# -- the upload ------------------------------------------------------------------------------------
class RawRow(Domain):
    """One non-blank row as it is in the file, trimmed."""

    row_number: int
    reference: str
    trn: str
    accepted: str
    reason: str
    hours: str


class RowError(Domain):
    row_number: int
    column: str
    value: str
    message: str


@dataclass(frozen=True)
class AuditFileResult:
    """The answers of every claim the file names (when it has no errors), or every problem found."""

    rows: tuple[RawRow, ...]
    answers: Mapping[str, tuple[MentorAnswer, ...]] = field(default_factory=dict)
    errors: tuple[RowError, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors)

    @property
    def shown_errors(self) -> tuple[RowError, ...]:
        """The first `MAX_ERRORS_SHOWN` problems; the page gives the count of the rest."""
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def confirmed(self) -> int:
        """Claims whose every mentor the provider confirmed."""
        return sum(1 for answers in self.answers.values() if all(answer.confirmed for answer in answers))

    @property
    def not_confirmed(self) -> int:
        return len(self.answers) - self.confirmed


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _positions(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    duplicated = [name for name in (*REQUIRED_HEADERS, HOURS) if names.count(name) > 1]
    if duplicated:
        raise InvalidFile(f"The selected file must have only one {_and(duplicated)} column")
    missing = [name for name in REQUIRED_HEADERS if name not in names]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise InvalidFile(f"The selected file must have the {noun} {_and(missing)}")
    return {name: names.index(name) for name in (*REQUIRED_HEADERS, HOURS) if name in names}


def _trn(value: str) -> str:
    """A TRN as written, with the leading zeros a spreadsheet drops put back (`123456` is `0123456`)."""
    return value.zfill(TRN_DIGITS) if _DIGITS.match(value) and len(value) < TRN_DIGITS else value


def _read(content: bytes | None) -> tuple[RawRow, ...]:
    """Stage 1: a CSV (UTF-8 with or without a BOM, or Windows-1252; CRLF is fine) with the required columns
    (any case, trimmed; others ignored) and at least one row. Raises InvalidFile with the one message to show."""
    if content is None:
        raise InvalidFile(NO_FILE)
    records = csv_records(csv_text(content))
    if not records:
        raise InvalidFile(EMPTY)
    _, header = records[0]
    positions = _positions(header)

    def cell(cells: list[str], name: str) -> str:
        index = positions.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    rows = tuple(
        RawRow(
            row_number=number,
            reference=cell(cells, REFERENCE),
            trn=_trn(cell(cells, TRN)),
            accepted=cell(cells, ACCEPTED),
            reason=cell(cells, REASON),
            hours=cell(cells, HOURS),
        )
        for number, cells in records[1:]
    )
    if not rows:
        raise InvalidFile(NO_ANSWERS)
    return rows


class _Checker:
    """Stage 2, row by row: collects every problem and each claim's answers."""

    def __init__(self, claims: Mapping[str, Claim]) -> None:
        self.claims = claims
        self.errors: list[RowError] = []
        self.answers: dict[str, dict[str, MentorAnswer]] = {}
        self.first_row: dict[tuple[str, str], int] = {}
        self.claim_row: dict[str, int] = {}

    def error(self, row: RawRow, column: str, value: str, message: str) -> None:
        self.errors.append(RowError(row_number=row.row_number, column=column, value=shown(value), message=message))

    def check(self, row: RawRow) -> None:
        before = len(self.errors)
        claim = self._claim(row)
        mentor = self._mentor(row, claim) if claim is not None else None
        accepted = self._accepted(row)
        hours = self._hours(row, accepted, mentor)
        if accepted is False and not row.reason:
            self.error(row, REASON, row.reason, "Enter a rejection reason for a mentor whose claim is not accepted")
        elif accepted is False and len(row.reason) > MAX_REASON_LENGTH:
            self.error(row, REASON, row.reason, f"Rejection reason must be {MAX_REASON_LENGTH:,} characters or less")
        if len(self.errors) > before or claim is None or mentor is None or accepted is None or hours is None:
            return
        answer = (
            MentorAnswer(trn=mentor.trn, confirmed=True, hours_completed=mentor.hours)
            if accepted
            else MentorAnswer(trn=mentor.trn, confirmed=False, hours_completed=hours, reason=row.reason)
        )
        self.answers.setdefault(claim.reference, {})[mentor.trn] = answer

    def _claim(self, row: RawRow) -> Claim | None:
        if not row.reference:
            self.error(row, REFERENCE, row.reference, "Enter a claim reference")
            return None
        claim = self.claims.get(row.reference)
        if claim is None:
            self.error(row, REFERENCE, row.reference, f"Claim {row.reference} is not one of your claims being audited")
            return None
        if claim.status is not AWAITING_ANSWERS:
            self.error(row, REFERENCE, row.reference, f"Claim {row.reference} has already been answered")
            return None
        self.claim_row.setdefault(claim.reference, row.row_number)
        return claim

    def _mentor(self, row: RawRow, claim: Claim) -> ClaimMentor | None:
        if not row.trn:
            self.error(row, TRN, row.trn, "Enter the mentor's TRN")
            return None
        first = self.first_row.get((claim.reference, row.trn))
        if first is not None:
            message = f"Remove this row: TRN {row.trn} of claim {claim.reference} is already in row {first}"
            self.error(row, TRN, row.trn, message)
            return None
        self.first_row[(claim.reference, row.trn)] = row.row_number
        mentor = next((mentor for mentor in claim.mentors if mentor.trn == row.trn), None)
        if mentor is None:
            self.error(row, TRN, row.trn, f"TRN {row.trn} is not a mentor on claim {claim.reference}")
        return mentor

    def _accepted(self, row: RawRow) -> bool | None:
        if not row.accepted:
            self.error(row, ACCEPTED, row.accepted, "Enter yes or no in claim_accepted")
            return None
        accepted = _YES_NO.get(row.accepted.lower())
        if accepted is None:
            self.error(row, ACCEPTED, row.accepted, "claim_accepted must be yes or no")
        return accepted

    def _hours(self, row: RawRow, accepted: bool | None, mentor: ClaimMentor | None) -> int | None:
        """The hours completed: none with "yes", 0 when left blank with "no" (None: not known)."""
        if accepted is True and row.hours:
            self.error(row, HOURS, row.hours, "Leave hours_completed blank for a mentor whose claim is accepted")
            return None
        if not row.hours:
            return 0
        if not _DIGITS.match(row.hours):
            self.error(row, HOURS, row.hours, "Hours completed must be a whole number")
            return None
        hours = int(row.hours)
        if mentor is not None and hours > mentor.hours:
            self.error(row, HOURS, row.hours, f"Hours completed must be between 0 and {mentor.hours}")
            return None
        return hours

    def missing_mentors(self) -> None:
        """Every mentor of a claim the file names must have a row (reported on the claim's first row)."""
        for reference, row_number in self.claim_row.items():
            claim = self.claims[reference]
            for mentor in claim.mentors:
                if (reference, mentor.trn) not in self.first_row:
                    message = f"Add a row for {mentor.full_name} (TRN {mentor.trn}) of claim {reference}"
                    self.errors.append(RowError(row_number=row_number, column=TRN, value="", message=message))

    def result(self, rows: tuple[RawRow, ...]) -> AuditFileResult:
        self.missing_mentors()
        if self.errors:
            errors = sorted(self.errors, key=lambda error: error.row_number)  # stable: a row's own order kept
            return AuditFileResult(rows=rows, errors=tuple(errors))
        answers = {
            reference: tuple(self.answers[reference][mentor.trn] for mentor in self.claims[reference].mentors)
            for reference in sorted(self.answers)
        }
        return AuditFileResult(rows=rows, answers=answers)


def read_audit_answers(data: bytes | None, claims: Mapping[str, Claim]) -> AuditFileResult:
    """Read a provider's answers. `claims`: the provider's claims under audit by reference (a reference not
    among them is an error, and so is one no longer waiting for its answers). Raises InvalidFile when the
    file cannot be read at all; otherwise the result holds every row's problems, or, with none, each claim's
    answers in the claim's mentor order."""
    rows = _read(data)
    checker = _Checker(claims)
    for row in rows:
        checker.check(row)
    return checker.result(rows)
