"""The eligible-schools file: DfE's own format, every way a file or a row can be wrong, and what a valid
file comes to (docs/domain.md, "Files")."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.eligibility_upload import (
    EMPTY,
    MAX_ERRORS_SHOWN,
    NO_FILE,
    NO_SCHOOLS,
    NO_URN_COLUMN,
    NOT_CSV,
    PREVIEW_ROWS,
    TWO_URN_COLUMNS,
    EligibilityUpload,
    InvalidFile,
    KnownSchool,
    UploadStatus,
    check_rows,
    expired,
    read_file,
)

KNOWN = {
    "100001": KnownSchool(urn="100001", name="Alpha Primary School", closed=False, eligible=False),
    "100002": KnownSchool(urn="100002", name="Beta Academy", closed=False, eligible=True),
    "100003": KnownSchool(urn="100003", name="Gamma Infant School", closed=True, eligible=False),
}


def _check(content: bytes) -> tuple[list[tuple[int, str, str]], list[str]]:
    checked = check_rows(read_file(content), KNOWN)
    return [(e.row_number, e.urn, e.message) for e in checked.errors], [s.urn for s in checked.schools]


# -- stage 1: the file ---------------------------------------------------------------------------
def test_dfe_s_own_file_with_a_name_column_and_a_blank_last_line_is_read() -> None:
    # Given DfE's file: name then urn, CRLF line ends, a blank last line
    content = b"name,urn\r\nAlpha Primary School,100001\r\nBeta Academy,100002\r\n\r\n"
    # When it is checked / Then both schools are in it and nothing is wrong
    assert _check(content) == ([], ["100001", "100002"])


def test_a_bom_surrounding_spaces_and_the_header_s_case_do_not_matter() -> None:
    content = "\ufeff Name , URN \n Alpha Primary School ,  100001  \n".encode()
    assert _check(content) == ([], ["100001"])


def test_a_file_saved_by_a_windows_spreadsheet_is_read() -> None:
    # Given a Windows-1252 file (a curly apostrophe in a name is not UTF-8)
    content = "name,urn\nSt Mary\u2019s Primary School,100001\n".encode("cp1252")
    # Then its URNs are read
    assert _check(content) == ([], ["100001"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, NO_FILE),
        (b"", EMPTY),
        (b"\r\n\r\n , \r\n", EMPTY),
        (b"name,school_urn\nAlpha,100001\n", NO_URN_COLUMN),
        (b"urn,URN\n100001,100001\n", TWO_URN_COLUMNS),
        (b"name,urn\n\n", NO_SCHOOLS),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NOT_CSV),
        (b'urn\n"100001\n', NOT_CSV),  # a quote never closed
    ],
)
def test_a_file_that_cannot_be_a_list_of_schools_says_why(content: bytes | None, message: str) -> None:
    with pytest.raises(InvalidFile) as refused:
        read_file(content)
    assert refused.value.message == message


# -- stage 2: every row ---------------------------------------------------------------------------
def test_every_row_s_problem_is_reported_with_its_spreadsheet_row_number() -> None:
    # Given a file with a blank line (row 3) and one problem of each kind
    content = b"name,urn\nAlpha,100001\n\nEmpty,\nLetters,10000A\nUnknown,999999\nAgain,100001\nGamma,100003\n"
    # When it is checked
    errors, schools = _check(content)
    # Then each wrong row is named, with what is wrong, and only the good row is a school
    assert errors == [
        (4, "", "Enter a URN"),
        (5, "10000A", "URN must only include numbers 0 to 9"),
        (6, "999999", "There is no school with this URN"),
        (7, "100001", "Remove this row: URN 100001 is already in row 2"),
        (8, "100003", "Gamma Infant School is closed"),
    ]
    assert schools == ["100001"]


def test_a_row_shorter_than_the_header_has_an_empty_urn() -> None:
    assert _check(b"name,urn\nAlpha\n")[0] == [(2, "", "Enter a URN")]


def test_a_long_bad_value_is_shortened_on_the_page() -> None:
    errors, _ = _check(b"urn\n" + b"x" * 300 + b"\n")
    assert errors[0][1] == "x" * 20 + "…"


def test_only_the_first_50_errors_are_shown_but_all_are_counted() -> None:
    # Given 60 unknown URNs
    content = b"urn\n" + b"".join(f"{900000 + n}\n".encode() for n in range(60))
    checked = check_rows(read_file(content), KNOWN)
    # Then all 60 are errors and the page shows the first 50
    assert len(checked.errors) == 60
    assert len(checked.shown_errors) == MAX_ERRORS_SHOWN == 50
    assert checked.shown_errors[0].row_number == 2


def test_a_valid_file_counts_schools_newly_and_already_eligible_and_previews_its_first_rows() -> None:
    checked = check_rows(read_file(b"urn\n100001\n100002\n"), KNOWN)
    assert checked.valid
    assert (checked.newly_eligible, checked.already_eligible) == (1, 1)
    assert [(s.name, s.already_eligible) for s in checked.preview] == [
        ("Alpha Primary School", False),
        ("Beta Academy", True),
    ]
    assert PREVIEW_ROWS == 10


def test_only_well_formed_urns_are_looked_up() -> None:
    assert read_file(b"urn\n100001\nabc\n\n 100002 \n").urns == {"100001", "100002"}


# -- the record of an upload ------------------------------------------------------------------------
def _upload(status: UploadStatus, created: dt.datetime) -> EligibilityUpload:
    return EligibilityUpload(
        batch_id="b",
        status=status,
        created_at=created,
        uploaded_by="u",
        academic_year="2026 to 2027",
        file_key="k",
        row_count=1,
    )


def test_a_pending_upload_lapses_after_a_day_and_a_confirmed_one_never() -> None:
    now = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
    day = dt.timedelta(hours=24)
    assert not expired(_upload(UploadStatus.PENDING, now - day), now)
    assert expired(_upload(UploadStatus.PENDING, now - day - dt.timedelta(seconds=1)), now)
    assert not expired(_upload(UploadStatus.APPLYING, now - 2 * day), now)
