"""The "Upload a sample" file: the file and its header first, then every row, with row numbers as a
spreadsheet shows them (header = row 1). Pure: each named claim's id and status are passed in."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.claims.audit_sample import SampledClaim, SampleReason
from shared.claims.sample_upload import (
    EMPTY,
    MAX_ERRORS_SHOWN,
    NO_CLAIMS,
    NO_FILE,
    NOT_CSV,
    CheckedFile,
    InvalidFile,
    check_rows,
    read_file,
)
from shared.claims.statuses import ClaimStatus

HEADER = "claim_reference,sample_reason"
PAID = ClaimStatus.PAID
CLAIMS = {
    "90000001": ("claim-1", PAID),
    "90000002": ("claim-2", PAID),
    "90000003": ("claim-3", ClaimStatus.SUBMITTED),
    "90000004": ("claim-4", PAID),
}


def _check(text: str | bytes, claims: dict[str, tuple[str, ClaimStatus]] | None = None) -> CheckedFile:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return check_rows(read_file(content), CLAIMS if claims is None else claims)


def _errors(checked: CheckedFile) -> list[tuple[int, str, str]]:
    return [(error.row_number, error.column, error.message) for error in checked.errors]


def _invalid(content: bytes | None) -> str:
    with pytest.raises(InvalidFile) as raised:
        read_file(content)
    return raised.value.message


# -- stage 1: the file and its header ---------------------------------------------------------------
def test_no_file_is_select_a_file() -> None:
    # Given no file / When it is read / Then the GOV.UK message
    assert _invalid(None) == NO_FILE == "Select a CSV file to upload"


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b",\r\n , \r\n"])
def test_a_file_with_nothing_in_it_is_empty(content: bytes) -> None:
    assert _invalid(content) == EMPTY == "The selected file is empty"


def test_a_header_and_only_blank_rows_has_no_claims() -> None:
    assert _invalid(f"{HEADER}\r\n\r\n,\r\n".encode()) == NO_CLAIMS


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="png"),
        pytest.param(f"{HEADER}\n90000001,x\n".encode("utf-16"), id="utf-16"),
        pytest.param(f'{HEADER}\n90000001,"never closed\n'.encode(), id="unclosed-quote"),
    ],
)
def test_content_that_is_not_a_csv_is_refused(content: bytes) -> None:
    assert _invalid(content) == NOT_CSV == "The selected file must be a CSV"


def test_a_missing_column_is_named() -> None:
    # Given a file without one column, then without either / Then each says which
    assert _invalid(b"claim_reference\n90000001\n") == "The selected file must have the column sample_reason"
    assert _invalid(b"sample_reason\nrandom\n") == "The selected file must have the column claim_reference"
    assert _invalid(b"reference,reason\n90000001,x\n") == (
        "The selected file must have the columns claim_reference and sample_reason"
    )


def test_a_column_given_twice_is_refused() -> None:
    assert _invalid(b"claim_reference,sample_reason,Claim_Reference\n1,x,1\n") == (
        "The selected file must have only one claim_reference column"
    )


def test_bom_crlf_header_case_spaces_extra_columns_and_blank_trailing_rows_are_fine() -> None:
    # Given a spreadsheet's export: a BOM, CRLF, headers with capitals and spaces in another order,
    # a column we do not use and blank rows at the end
    content = b"\xef\xbb\xbf Sample_Reason ,notes,CLAIM_REFERENCE \r\nHigh value,x, 90000001 \r\n\r\n,,\r\n\r\n"
    # When
    checked = _check(content)
    # Then the row is read by name, trimmed, and the blank rows are not rows
    assert checked.valid
    assert checked.claims == (
        SampledClaim(claim_id="claim-1", reference="90000001", reason=SampleReason.UPLOADED, note="High value"),
    )
    assert len(checked.parsed.rows) == 1


def test_a_windows_1252_file_is_read_and_its_reason_kept() -> None:
    # Given a file saved as "CSV" on Windows, whose reason has a pound sign and a curly apostrophe
    content = f'{HEADER}\r\n90000002,"School’s claims over £5,000"\r\n'
    # When
    checked = _check(content.encode("cp1252"))
    # Then it reads as the person typed it
    assert checked.valid
    assert checked.claims[0].note == "School’s claims over £5,000"


def test_every_row_of_a_good_file_becomes_an_uploaded_claim_in_file_order() -> None:
    checked = _check(f"{HEADER}\n90000004,random\n90000001,own mentor\n")
    assert checked.valid
    assert [(claim.claim_id, claim.reason, claim.note) for claim in checked.claims] == [
        ("claim-4", SampleReason.UPLOADED, "random"),
        ("claim-1", SampleReason.UPLOADED, "own mentor"),
    ]
    assert checked.parsed.references == {"90000004", "90000001"}


# -- stage 2: every row, every problem ----------------------------------------------------------------
def test_an_unknown_reference_is_no_claim() -> None:
    checked = _check(f"{HEADER}\n90000009,random\n")
    assert _errors(checked) == [(2, "claim_reference", "There is no claim with this reference")]
    assert checked.claims == ()


def test_a_malformed_reference_is_no_claim_and_is_not_looked_up() -> None:
    # Given a reference that cannot be a claim's (even if a lookup somehow held it)
    checked = _check(f"{HEADER}\n'=cmd,random\n", {"'=cmd": ("x", PAID)})
    assert _errors(checked) == [(2, "claim_reference", "There is no claim with this reference")]
    assert read_file(f"{HEADER}\n'=cmd,random\n".encode()).references == set()


def test_a_claim_that_is_not_paid_is_refused() -> None:
    checked = _check(f"{HEADER}\n90000003,random\n")
    assert _errors(checked) == [(2, "claim_reference", "Claim 90000003 is not paid")]


def test_a_duplicate_names_the_first_row() -> None:
    # Given the same claim in rows 2 and 4 (row 3 blank)
    checked = _check(f"{HEADER}\n90000001,random\n\n90000001,again\n")
    assert _errors(checked) == [(4, "claim_reference", "Remove this row: claim 90000001 is already in row 2")]
    assert [claim.reference for claim in checked.claims] == ["90000001"]


def test_a_missing_reference_and_a_missing_reason() -> None:
    checked = _check(f"{HEADER}\n,random\n90000001,\n90000002\n")
    assert _errors(checked) == [
        (2, "claim_reference", "Enter a claim reference"),
        (3, "sample_reason", "Enter a sample reason"),
        (4, "sample_reason", "Enter a sample reason"),  # a short row: the missing cell is blank
    ]


def test_a_reason_over_1000_characters_is_refused_and_shown_short() -> None:
    checked = _check(f"{HEADER}\n90000001,{'x' * 1001}\n")
    assert _errors(checked) == [(2, "sample_reason", "Sample reason must be 1000 characters or fewer")]
    assert len(checked.errors[0].value) <= 21


def test_one_row_can_have_two_problems() -> None:
    checked = _check(f"{HEADER}\n90000003,\n")
    assert _errors(checked) == [
        (2, "claim_reference", "Claim 90000003 is not paid"),
        (2, "sample_reason", "Enter a sample reason"),
    ]


def test_only_the_first_50_errors_are_shown_but_all_are_counted() -> None:
    # Given 120 unknown references
    rows = "".join(f"9{n:07},random\n" for n in range(100, 220))
    checked = _check(f"{HEADER}\n{rows}")
    # Then
    assert not checked.valid
    assert checked.error_count == 120
    assert len(checked.shown_errors) == MAX_ERRORS_SHOWN == 50
    assert checked.shown_errors[0].row_number == 2


_CSV_LIKE = st.text(alphabet=st.sampled_from(list('claim_reference,sample_reason"\r\n 90001234£')), max_size=120)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), _CSV_LIKE.map(str.encode), _CSV_LIKE.map(lambda t: t.encode("cp1252"))))
def test_any_bytes_are_a_checked_file_or_one_message_never_an_error(content: bytes) -> None:
    # Given anything a person might upload / When it is read and checked
    message = ""
    try:
        parsed = read_file(content)
    except InvalidFile as invalid:
        message = invalid.message
    # Then it is refused with one message to show, or every row is either a claim or has errors
    if message:
        return
    checked = check_rows(parsed, CLAIMS)
    assert len(checked.claims) + len({error.row_number for error in checked.errors}) == len(parsed.rows)
