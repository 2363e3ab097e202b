"""The provider's audit file: the download (one row per mentor, no amounts, formula-safe) and the answers
uploaded back (every error kind, by row number as a spreadsheet shows it; header = row 1)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.audit_answers import MentorAnswer
from shared.claims.audit_file import (
    AUDIT_FILE_HEADERS,
    EMPTY,
    MAX_ERRORS_SHOWN,
    NO_ANSWERS,
    NO_FILE,
    NOT_CSV,
    InvalidFile,
    audit_file_name,
    audit_file_rows,
    read_audit_answers,
)
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.organisations import School
from shared.claims.statuses import ClaimStatus

HEADER = "claim_reference,mentor_trn,claim_accepted,rejection_reason"


def _mentor(trn: str, first: str, last: str, hours: int) -> ClaimMentor:
    return ClaimMentor(trn=trn, first_name=first, last_name=last, hours=hours, training_type=TrainingType.INITIAL)


def _claim(reference: str, *mentors: ClaimMentor, school_name: str = "Alpha Primary School") -> Claim:
    at = dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)  # 28 November in London (GMT)
    return Claim(
        reference=reference,
        school_id="100001",
        school_name=school_name,
        provider_code="P1",
        provider_name="Best Practice Network",
        window_id="w",
        academic_year=AcademicYear(2026),
        status=ClaimStatus.SAMPLING_IN_PROGRESS,
        mentors=mentors,
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=4380 * sum(m.hours for m in mentors),
        created_at=at,
        submitted_at=at,
    )


SCHOOL = School(
    organisation_id="100001",
    urn="100001",
    name="Alpha Primary School",
    local_authority_name="Leeds",
    type_of_establishment="Community school",
    group="Local authority maintained schools",
)
ONE = _claim("20000001", _mentor("1000001", "Ada", "Lovelace", 16), _mentor("1000002", "Alan", "Turing", 10))
TWO = _claim("20000002", _mentor("0100003", "Grace", "Hopper", 6))
CLAIMS = {claim.reference: claim for claim in (ONE, TWO)}


def _upload(*lines: str, header: str = HEADER) -> bytes:
    return ("\r\n".join((header, *lines)) + "\r\n").encode("utf-8")


def _messages(data: bytes) -> list[tuple[int, str, str]]:
    result = read_audit_answers(data, CLAIMS)
    assert not result.valid
    return [(error.row_number, error.column, error.message) for error in result.errors]


# -- the download ----------------------------------------------------------------------------------
def test_the_download_has_one_row_per_mentor_the_thirteen_columns_and_no_amounts() -> None:
    # Given two claims under audit, given out of reference order
    # When the provider's file is made
    text = audit_file_rows([(TWO, SCHOOL), (ONE, SCHOOL)])

    # Then it has exactly the columns, a row per mentor in reference order, and the answers left blank
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == AUDIT_FILE_HEADERS
    assert rows[1:] == [
        ["20000001", "100001", "Alpha Primary School", "Leeds", "Community school",
         "Local authority maintained schools", "Best Practice Network", "2026-11-28", "1000001", "Ada Lovelace",
         "16", "", ""],
        ["20000001", "100001", "Alpha Primary School", "Leeds", "Community school",
         "Local authority maintained schools", "Best Practice Network", "2026-11-28", "1000002", "Alan Turing",
         "10", "", ""],
        ["20000002", "100001", "Alpha Primary School", "Leeds", "Community school",
         "Local authority maintained schools", "Best Practice Network", "2026-11-28", "0100003", "Grace Hopper",
         "6", "", ""],
    ]  # fmt: skip
    for amount in ("43.80", "700.80", "4380"):
        assert amount not in text
    assert text.endswith("\r\n")


def test_the_download_neutralises_formulas_and_survives_a_school_no_longer_held() -> None:
    # Given a school name that a spreadsheet would run as a formula, and no school record
    claim = _claim("20000009", _mentor("1000009", "@Eve", "Mallory", 3), school_name='=HYPERLINK("x")')

    # When the file is made
    rows = list(csv.reader(io.StringIO(audit_file_rows([(claim, None)]))))

    # Then the formulas stay text and the school's details are blank
    assert rows[1][2] == '\'=HYPERLINK("x")'
    assert rows[1][9] == "'@Eve Mallory"
    assert rows[1][1] == rows[1][3] == ""


def test_the_download_is_named_after_the_provider() -> None:
    assert audit_file_name("Best Practice Network") == "quality_assurance_for_best_practice_network_response.csv"
    assert audit_file_name("Smith, Jones & Co SCITT") == "quality_assurance_for_smith_jones_co_scitt_response.csv"


# -- the round trip --------------------------------------------------------------------------------
def test_a_downloaded_file_filled_in_and_uploaded_gives_each_mentors_answer() -> None:
    # Given the downloaded file, filled in with a spreadsheet: one mentor not confirmed, with hours completed
    rows = list(csv.reader(io.StringIO(audit_file_rows([(ONE, SCHOOL), (TWO, SCHOOL)]))))
    rows[0].append("hours_completed")
    rows[1][11:] = ["Yes", "", ""]
    rows[2][11:] = [" NO ", "Too many hours claimed", "4"]
    rows[3][11:] = ["yes", "", ""]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)

    # When it is uploaded
    result = read_audit_answers(buffer.getvalue().encode("utf-8-sig"), CLAIMS)

    # Then each claim has its answers, in the claim's mentor order
    assert result.valid
    assert result.answers == {
        "20000001": (
            MentorAnswer(trn="1000001", confirmed=True, hours_completed=16),
            MentorAnswer(trn="1000002", confirmed=False, hours_completed=4, reason="Too many hours claimed"),
        ),
        "20000002": (MentorAnswer(trn="0100003", confirmed=True, hours_completed=6),),
    }
    assert (result.confirmed, result.not_confirmed) == (1, 1)


def test_rows_in_any_order_with_no_and_no_hours_mean_none_completed() -> None:
    # Given mentors in another order than the claim's, a "no" without hours, and blank trailing rows
    data = _upload("20000001,1000002,no,Not known at the provider", "20000001,1000001,YES,", ",,,", "")

    # When it is uploaded
    result = read_audit_answers(data, CLAIMS)

    # Then the answers follow the claim's order and "no" without hours is 0 hours completed
    assert result.valid
    assert result.answers["20000001"] == (
        MentorAnswer(trn="1000001", confirmed=True, hours_completed=16),
        MentorAnswer(trn="1000002", confirmed=False, hours_completed=0, reason="Not known at the provider"),
    )
    assert "20000002" not in result.answers  # a claim the file leaves out is not answered by it


def test_a_trn_whose_leading_zero_a_spreadsheet_dropped_still_matches() -> None:
    result = read_audit_answers(_upload("20000002,100003,yes,"), CLAIMS)
    assert result.answers["20000002"] == (MentorAnswer(trn="0100003", confirmed=True, hours_completed=6),)


def test_a_windows_1252_file_is_read() -> None:
    # Given a spreadsheet's "CSV" saved on Windows, with a curly apostrophe in the reason
    data = "\r\n".join((HEADER, "20000002,0100003,no,Mentor\u2019s hours were ECF", "")).encode("cp1252")

    # When it is uploaded, Then the reason reads as written
    result = read_audit_answers(data, CLAIMS)
    assert result.answers["20000002"][0].reason == "Mentor\u2019s hours were ECF"


# -- the file itself -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, NO_FILE),
        (b"", EMPTY),
        (b"\r\n\r\n", EMPTY),
        (HEADER.encode() + b"\r\n", NO_ANSWERS),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NOT_CSV),
        (b'claim_reference,mentor_trn,claim_accepted,rejection_reason\r\n"unclosed,1,yes,', NOT_CSV),
        (b"claim_reference,mentor_trn\r\n20000001,1000001\r\n",
         "The selected file must have the columns claim_accepted and rejection_reason"),
        (b"claim_reference,mentor_full_name,claim_accepted,rejection_reason\r\n1,A,yes,\r\n",
         "The selected file must have the column mentor_trn"),
        (b"claim_reference,mentor_trn,claim_accepted,rejection_reason,mentor_trn\r\n1,1,yes,,1\r\n",
         "The selected file must have only one mentor_trn column"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_gives_one_message(data: bytes | None, message: str) -> None:
    with pytest.raises(InvalidFile) as raised:
        read_audit_answers(data, CLAIMS)
    assert raised.value.message == message


def test_headers_are_trimmed_of_any_case_and_extra_columns_are_ignored() -> None:
    header = " Claim_Reference ,mentor_full_name,MENTOR_TRN,claim_accepted,rejection_reason,notes"
    result = read_audit_answers(_upload("20000002,Grace Hopper,0100003,yes,,hello", header=header), CLAIMS)
    assert result.valid


# -- every row -------------------------------------------------------------------------------------
def test_each_kind_of_row_error_is_reported_with_its_row_and_column() -> None:
    # Given a file with one problem of each kind
    data = _upload(
        ",1000001,yes,",  # 2: no reference
        "99999999,1000001,yes,",  # 3: not a claim under audit
        "20000001,,yes,",  # 4: no TRN
        "20000001,1000009,yes,",  # 5: not a mentor on the claim
        "20000001,1000001,yes,",  # 6: first row for this mentor (fine)
        "20000001,1000001,no,Twice",  # 7: the same TRN twice
        "20000002,0100003,,",  # 8: no answer
        "20000002,0100003,maybe,",  # 9: (TRN twice) and not yes or no
    )

    # When it is uploaded, Then every problem is reported, and the claim's missing mentor on its first row
    assert _messages(data) == [
        (2, "claim_reference", "Enter a claim reference"),
        (3, "claim_reference", "Claim 99999999 is not one of your claims being audited"),
        (4, "mentor_trn", "Enter the mentor's TRN"),
        (4, "mentor_trn", "Add a row for Alan Turing (TRN 1000002) of claim 20000001"),
        (5, "mentor_trn", "TRN 1000009 is not a mentor on claim 20000001"),
        (7, "mentor_trn", "Remove this row: TRN 1000001 of claim 20000001 is already in row 6"),
        (8, "claim_accepted", "Enter yes or no in claim_accepted"),
        (9, "mentor_trn", "Remove this row: TRN 0100003 of claim 20000002 is already in row 8"),
        (9, "claim_accepted", "claim_accepted must be yes or no"),
    ]


def test_a_mentor_not_accepted_needs_a_reason_of_at_most_2000_characters() -> None:
    data = _upload("20000001,1000001,no,", "20000001,1000002,no," + "x" * 2001)
    assert _messages(data) == [
        (2, "rejection_reason", "Enter a rejection reason for a mentor whose claim is not accepted"),
        (3, "rejection_reason", "Rejection reason must be 2,000 characters or less"),
    ]


@pytest.mark.parametrize(
    ("answer", "hours", "message"),
    [
        ("no", "4.5", "Hours completed must be a whole number"),
        ("no", "-1", "Hours completed must be a whole number"),
        ("no", "four", "Hours completed must be a whole number"),
        ("no", "17", "Hours completed must be between 0 and 16"),
        ("yes", "16", "Leave hours_completed blank for a mentor whose claim is accepted"),
    ],
)
def test_hours_completed_is_a_whole_number_up_to_the_hours_claimed_and_only_with_no(
    answer: str, hours: str, message: str
) -> None:
    header = HEADER + ",hours_completed"
    data = _upload(f"20000001,1000001,{answer},Reason,{hours}", "20000001,1000002,yes,,", header=header)
    assert _messages(data) == [(2, "hours_completed", message)]


def test_the_hours_claimed_and_zero_are_both_allowed_with_no() -> None:
    header = HEADER + ",hours_completed"
    data = _upload("20000001,1000001,no,Reason,16", "20000001,1000002,no,Reason,0", header=header)
    answers = read_audit_answers(data, CLAIMS).answers["20000001"]
    assert [answer.hours_completed for answer in answers] == [16, 0]


def test_only_the_first_fifty_errors_are_shown_with_the_count_of_all() -> None:
    # Given 60 rows naming claims not under audit
    data = _upload(*(f"3000{n:04d},1000001,yes," for n in range(60)))

    # When it is uploaded, Then 50 are shown and 60 counted
    result = read_audit_answers(data, CLAIMS)
    assert result.error_count == 60
    assert len(result.shown_errors) == MAX_ERRORS_SHOWN == 50
    assert result.answers == {}


def test_a_long_bad_value_is_shown_shortened() -> None:
    result = read_audit_answers(_upload("20000001,1000001," + "y" * 40 + ","), CLAIMS)
    assert result.errors[0].value == "y" * 20 + "…"


def test_a_claim_already_answered_is_not_answered_again() -> None:
    # Given a claim of the provider's audit that has been answered on the service's pages
    answered = TWO.model_copy(update={"status": ClaimStatus.PAID})

    # When a file answers it again, Then the row is refused
    result = read_audit_answers(_upload("20000002,0100003,yes,"), {**CLAIMS, "20000002": answered})
    assert [(e.row_number, e.message) for e in result.errors] == [(2, "Claim 20000002 has already been answered")]


def test_the_download_uploaded_unfilled_asks_for_every_answer() -> None:
    # Given the downloaded file uploaded as it is
    data = audit_file_rows([(ONE, SCHOOL), (TWO, SCHOOL)]).encode("utf-8")

    # Then every mentor's row asks for yes or no
    assert _messages(data) == [(row, "claim_accepted", "Enter yes or no in claim_accepted") for row in (2, 3, 4)]


def test_a_reason_of_2000_characters_is_allowed() -> None:
    result = read_audit_answers(_upload("20000002,0100003,no," + "x" * 2000), CLAIMS)
    assert result.answers["20000002"][0].reason == "x" * 2000
