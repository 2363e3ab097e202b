"""The payer response upload matrix: the file and its headers first, then every row, with row numbers
as a spreadsheet shows them (header = row 1). Pure: claim statuses are passed in."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import pytest

from shared.claims.payer_response import (
    EMPTY,
    FOLLOW_UPS,
    NO_CLAIMS,
    NO_FILE,
    NOT_CSV,
    BatchStatus,
    CheckedFile,
    InvalidFile,
    PayerOutcome,
    PayerResponseBatch,
    ResponseCounts,
    RowError,
    check_rows,
    expired,
    follow_ups_for,
    read_file,
)
from shared.claims.statuses import TRANSITIONS, ClaimStatus
from tests.support import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "payer"
HEADER = "claim_reference,claim_status,claim_unpaid_reason"
WAITING = ClaimStatus.PAYMENT_IN_PROGRESS
STATUSES = {
    "90000001": WAITING,
    "90000002": WAITING,
    "90000003": WAITING,
    "90000004": ClaimStatus.PAID,
    "90000005": WAITING,
    "90000006": WAITING,
}


def _png() -> bytes:
    """A real 1×1 PNG: binary, full of NUL bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _check(text: str | bytes, statuses: dict[str, ClaimStatus] | None = None) -> CheckedFile:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return check_rows(read_file(content), STATUSES if statuses is None else statuses)


def _errors(checked: CheckedFile) -> list[tuple[int, str, str]]:
    return [(error.row_number, error.column, error.message) for error in checked.errors]


def _invalid(content: bytes | None) -> str:
    with pytest.raises(InvalidFile) as raised:
        read_file(content)
    return raised.value.message


# -- stage 1: the file and its headers -------------------------------------------------------------
def test_no_file_is_select_a_file() -> None:
    # Given no file / When it is read / Then the GOV.UK message
    assert _invalid(None) == NO_FILE == "Select a CSV file to upload"


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b"\xef\xbb\xbf\n  \n", b",,\r\n , ,\r\n"])
def test_a_file_with_nothing_in_it_is_empty(content: bytes) -> None:
    assert _invalid(content) == EMPTY == "The selected file is empty"


def test_a_file_that_is_not_utf_8_is_read_as_windows_1252_as_excel_on_windows_saves_it() -> None:
    parsed = read_file(f"{HEADER}\r\n12345678,unpaid,Caf\u00e9 account \u2013 closed\r\n".encode("cp1252"))
    assert [row.unpaid_reason for row in parsed.rows] == ["Caf\u00e9 account \u2013 closed"]


def test_a_header_and_no_rows_has_no_claims() -> None:
    assert _invalid(f"{HEADER}\r\n\r\n".encode()) == NO_CLAIMS


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(_png(), id="png"),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), id="xlsx-zip"),
        pytest.param("claim_reference,claim_status\n1,paid\n".encode("utf-16"), id="utf-16"),
        pytest.param(b"claim_reference,claim_status,claim_unpaid_reason\n1,paid,\x00\n", id="nul-byte"),
        pytest.param(f'{HEADER}\n90000001,"paid"x,\n'.encode(), id="bad-quoting"),
        pytest.param(f'{HEADER}\n90000001,paid,"never closed\n'.encode(), id="unclosed-quote"),
    ],
)
def test_content_that_is_not_a_csv_is_refused(content: bytes) -> None:
    # Given bytes that are not UTF-8 CSV text (whatever the file was called) / Then "must be a CSV"
    assert _invalid(content) == NOT_CSV == "The selected file must be a CSV"


def test_a_wrong_header_names_every_missing_column_in_one_error() -> None:
    content = (FIXTURES / "wrong-headers.csv").read_bytes()
    assert _invalid(content) == (
        "The selected file must have the columns claim_reference, claim_status and claim_unpaid_reason"
    )
    assert _invalid(b"claim_reference,claim_status\n90000001,paid\n") == (
        "The selected file must have the column claim_unpaid_reason"
    )


def test_a_column_given_twice_is_refused() -> None:
    assert _invalid(b"claim_reference,claim_status,claim_status,claim_unpaid_reason\n1,paid,paid,\n") == (
        "The selected file must have only one claim_status column"
    )


def test_headers_are_trimmed_any_case_and_extra_columns_are_ignored() -> None:
    # Given headers in another order, with spaces and capitals, and columns we do not use
    text = " Notes ,CLAIM_STATUS , Claim_Reference,claim_unpaid_reason ,claim_amount\nx,paid,90000001,,876.00\n"
    # When / Then the row is read by name, not position
    checked = _check(text)
    assert checked.valid
    assert [(row.reference, row.outcome) for row in checked.rows] == [("90000001", PayerOutcome.PAID)]


def test_bom_crlf_trailing_spaces_and_any_case_are_all_fine() -> None:
    # Given the live service's own fixture shape: a BOM, CRLF line ends, the twelve payment columns,
    # a quoted school name with a comma, and a status of "PAID "
    content = b"\xef\xbb\xbf" + (FIXTURES / "example-payer-response.csv").read_bytes()
    # When
    checked = _check(content)
    # Then
    assert checked.valid, checked.errors
    assert [(row.row_number, row.reference, row.outcome, row.unpaid_reason) for row in checked.rows] == [
        (2, "90000001", PayerOutcome.PAID, None),
        (3, "90000002", PayerOutcome.UNPAID, "Bank details do not match"),
        (4, "90000003", PayerOutcome.PAID, None),
    ]
    assert checked.counts == ResponseCounts(paid=2, information_requested=1)


@pytest.mark.parametrize("status", ["paid", "PAID", "Paid", " paid ", "PAID ", "\tpaid"])
def test_a_paid_status_is_trimmed_and_of_any_case(status: str) -> None:
    checked = _check(f'{HEADER}\n90000001,"{status}",\n')
    assert checked.valid
    assert checked.rows[0].outcome is PayerOutcome.PAID


def test_lone_cr_line_ends_are_fine() -> None:
    checked = _check(f"{HEADER}\r90000001,paid,\r90000002,unpaid,Wrong URN\r")
    assert checked.valid
    assert checked.counts == ResponseCounts(paid=1, information_requested=1)


# -- stage 2: every row ----------------------------------------------------------------------------
def test_every_row_error_is_reported_at_once_with_its_row_number() -> None:
    # Given a file with a problem on most rows
    checked = _check((FIXTURES / "row-errors.csv").read_bytes())
    # Then every one is reported, in file order, on the row a spreadsheet shows
    assert _errors(checked) == [
        (3, "claim_reference", "Enter a claim reference"),
        (4, "claim_reference", "Enter a valid claim reference"),
        (5, "claim_reference", "This claim is not waiting for a payer response: its status is Paid"),
        (6, "claim_status", "Claim status must be paid or unpaid"),
        (7, "claim_unpaid_reason", "Enter a reason why the claim is unpaid"),
        (8, "claim_reference", "Remove this row: claim 90000001 is already in row 2"),
    ]
    assert not checked.valid


def test_blank_lines_are_skipped_but_still_count_as_rows() -> None:
    # Given blank lines (and a spreadsheet's line of empty cells) between rows
    text = f"{HEADER}\n\n90000001,paid,\n\n,,\n90000002,bogus,\n"
    checked = _check(text)
    # Then the error is on row 6, where a spreadsheet shows it
    assert _errors(checked) == [(6, "claim_status", "Claim status must be paid or unpaid")]
    assert [row.row_number for row in checked.rows] == [3]


def test_a_quoted_cell_over_two_lines_is_one_row() -> None:
    text = f'{HEADER}\n90000002,unpaid,"Bank details\nare wrong"\n90000003,nope,\n'
    checked = _check(text)
    assert checked.rows[0].unpaid_reason == "Bank details\nare wrong"
    assert _errors(checked) == [(3, "claim_status", "Claim status must be paid or unpaid")]


def test_a_reference_twice_is_an_error_even_when_the_rows_are_identical() -> None:
    checked = _check(f"{HEADER}\n90000001,paid,\n90000001,paid,\n90000002,paid,\n 90000001 ,unpaid,Why\n")
    assert _errors(checked) == [
        (3, "claim_reference", "Remove this row: claim 90000001 is already in row 2"),
        (5, "claim_reference", "Remove this row: claim 90000001 is already in row 2"),
    ]


def test_one_row_can_have_several_errors() -> None:
    checked = _check(f"{HEADER}\n99999999,unpaid,\n")
    assert _errors(checked) == [
        (2, "claim_reference", "Enter a valid claim reference"),
        (2, "claim_unpaid_reason", "Enter a reason why the claim is unpaid"),
    ]


def test_a_missing_status_and_short_rows() -> None:
    # Given a row that stops after the reference
    checked = _check(f"{HEADER}\n90000001\n")
    assert _errors(checked) == [(2, "claim_status", "Enter a claim status")]


def test_unpaid_with_a_reason_is_information_requested_and_paid_ignores_a_reason() -> None:
    checked = _check(f"{HEADER}\n90000001,unpaid,  School closed  \n90000002,paid,ignored\n")
    assert checked.valid
    assert [(row.outcome, row.unpaid_reason) for row in checked.rows] == [
        (PayerOutcome.UNPAID, "School closed"),
        (PayerOutcome.PAID, None),
    ]


def test_a_reason_over_the_limit_is_an_error() -> None:
    checked = _check(f"{HEADER}\n90000001,unpaid,{'x' * 1001}\n")
    assert _errors(checked) == [(2, "claim_unpaid_reason", "Reason must be 1000 characters or fewer")]


def test_claims_in_the_wrong_status_are_named_by_label() -> None:
    statuses = {"90000001": ClaimStatus.SUBMITTED, "90000002": ClaimStatus.PAYMENT_INFORMATION_REQUESTED}
    checked = _check(f"{HEADER}\n90000001,paid,\n90000002,paid,\n", statuses)
    assert [error.message for error in checked.errors] == [
        "This claim is not waiting for a payer response: its status is Submitted",
        "This claim is not waiting for a payer response: its status is Payer needs information",
    ]


def test_only_well_formed_references_are_looked_up() -> None:
    parsed = read_file(f"{HEADER}\n90000001,paid,\n=HYPERLINK(x),paid,\n{'9' * 40},paid,\n,paid,\n".encode())
    assert parsed.references == {"90000001"}


def test_the_preview_is_the_first_five_rows_as_in_the_file() -> None:
    rows = "".join(f"9000000{n},{'PAID' if n % 2 else 'unpaid'},{'' if n % 2 else 'Reason'}\n" for n in range(1, 7))
    checked = _check(f"{HEADER}\n{rows}", {f"9000000{n}": WAITING for n in range(1, 7)})
    assert checked.valid
    assert checked.counts == ResponseCounts(paid=3, information_requested=3)
    assert [(row.row_number, row.reference, row.status) for row in checked.parsed.preview] == [
        (2, "90000001", "PAID"),
        (3, "90000002", "unpaid"),
        (4, "90000003", "PAID"),
        (5, "90000004", "unpaid"),
        (6, "90000005", "PAID"),
    ]


def test_row_errors_are_pydantic_models() -> None:
    error = RowError(row_number=2, column="claim_status", value="x", message="m")
    assert error.model_dump() == {"row_number": 2, "column": "claim_status", "value": "x", "message": "m"}


# -- pending uploads and follow-ups ---------------------------------------------------------------
def test_a_pending_upload_expires_after_a_day_and_a_confirmed_one_never_does() -> None:
    at = dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC)
    batch = PayerResponseBatch(
        batch_id="b",
        status=BatchStatus.PENDING,
        created_at=at,
        uploaded_by="u",
        file_key="k",
        file_sha256="s",
        row_count=1,
        counts=ResponseCounts(paid=1),
    )
    assert not expired(batch, at + dt.timedelta(hours=23))
    assert expired(batch, at + dt.timedelta(hours=25))
    assert not expired(batch.model_copy(update={"status": BatchStatus.CONFIRMED}), at + dt.timedelta(days=9))


def test_follow_ups_follow_the_transition_table() -> None:
    # Every follow-up is a permitted transition from each status it offers itself on
    for follow_up in FOLLOW_UPS.values():
        for status in follow_up.from_statuses:
            assert (status, follow_up.to_status) in TRANSITIONS
    assert [f.slug for f in follow_ups_for(ClaimStatus.PAYMENT_INFORMATION_REQUESTED)] == ["information-sent", "reject"]
    assert [f.slug for f in follow_ups_for(ClaimStatus.PAYMENT_INFORMATION_SENT)] == ["paid", "reject"]
    assert follow_ups_for(ClaimStatus.PAYMENT_IN_PROGRESS) == []
    assert follow_ups_for(ClaimStatus.PAID) == []


# -- the edges the mutation run found untested (docs/mutation.md) ---------------------------------------------------
def test_a_file_that_cannot_be_read_says_why_in_its_message() -> None:
    # When a file is refused / Then the reason is the error's text as well as its message
    error = InvalidFile(NOT_CSV)
    assert str(error) == NOT_CSV == error.message


def test_a_reason_of_exactly_the_limit_is_fine() -> None:
    # Given an unpaid reason of exactly 1,000 characters / Then the row has no error
    checked = _check(f"{HEADER}\n90000001,unpaid,{'x' * 1000}\n")
    assert checked.valid
    assert checked.rows[0].unpaid_reason == "x" * 1000


def test_a_reason_over_the_limit_shows_its_first_50_characters() -> None:
    # Given a reason of 1,001 characters, each position told apart
    reason = "".join(chr(ord("a") + n % 26) for n in range(1001))
    # When it is checked / Then the error shows the first 50 characters and an ellipsis
    [error] = _check(f"{HEADER}\n90000001,unpaid,{reason}\n").errors
    assert error.value == reason[:50] + "…"


def test_a_line_break_inside_a_quoted_cell_is_kept_as_the_spreadsheet_wrote_it() -> None:
    # Given a file saved with Windows line ends and a reason over two lines, in quotes
    checked = _check(f'{HEADER}\r\n90000002,unpaid,"Bank details\r\nare wrong"\r\n')
    # Then the reason keeps its own line break, CR and LF
    assert checked.rows[0].unpaid_reason == "Bank details\r\nare wrong"


def test_a_pending_upload_expires_only_once_a_whole_day_has_passed() -> None:
    # Given a pending upload
    at = dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC)
    batch = PayerResponseBatch(
        batch_id="b",
        status=BatchStatus.PENDING,
        created_at=at,
        uploaded_by="u",
        file_key="k",
        file_sha256="s",
        row_count=1,
        counts=ResponseCounts(paid=1),
    )
    # Then at exactly 24 hours it may still be confirmed, and a moment later it has expired
    assert not expired(batch, at + dt.timedelta(hours=24))
    assert expired(batch, at + dt.timedelta(hours=24, microseconds=1))
