"""The clawback file for the payer (the payment file's columns plus clawback_amount, formula-safe, negative
numbers left alone), its reconciliation (rows, totals and SHA-256), and the payer's clawback response."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.clawback_file import (
    CLAWBACK_FILE_HEADERS,
    EMPTY,
    NO_CLAIMS,
    NO_FILE,
    NOT_CSV,
    ClawbackLine,
    InvalidFile,
    check_clawback_response,
    clawback_file,
    file_sha256,
    read_clawback_response,
    reconcile_clawback_file,
)
from shared.claims.files import PAYMENT_FILE_HEADERS, csv_lines, safe_cell
from shared.claims.organisations import School
from shared.claims.statuses import ClaimStatus

FORMULA = '=HYPERLINK("http://evil.example","click")'
RATE = 4380


def _claim(reference: str, hours: int, school_name: str = "Alpha Primary School") -> Claim:
    at = dt.datetime(2026, 11, 28, 14, 30, tzinfo=dt.UTC)
    mentor = ClaimMentor(trn="1000001", first_name="A", last_name="B", hours=hours, training_type=TrainingType.INITIAL)
    return Claim(
        reference=reference,
        school_id="100001",
        school_name=school_name,
        provider_code="P1",
        provider_name="Best Practice Network",
        window_id="w",
        academic_year=AcademicYear(2026),
        status=ClaimStatus.CLAWBACK_REQUESTED,
        mentors=(mentor,),
        region="Rest of England",
        hourly_rate_pence=RATE,
        amount_pence=hours * RATE,
        created_at=at,
        submitted_at=at,
    )


SCHOOL = School(
    organisation_id="100001",
    urn="100001",
    vendor_number="V100001",
    name="Alpha Primary School",
    local_authority_name="-Lambeth",
    type_of_establishment="Academy converter",
    group="Academies",
)
LINES = [
    ClawbackLine(claim=_claim("20000002", 6, FORMULA), school=None, clawback_pence=6 * RATE),
    ClawbackLine(claim=_claim("20000001", 16), school=SCHOOL, clawback_pence=4 * RATE),
]


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


# -- the file --------------------------------------------------------------------------------------
def test_the_clawback_file_is_the_payment_files_columns_with_the_clawback_amount() -> None:
    assert CLAWBACK_FILE_HEADERS == (
        "claim_reference", "school_urn", "vendor_number", "school_name", "school_local_authority", "provider_name",
        "claim_amount", "clawback_amount", "school_type_of_establishment", "school_group", "claim_submission_date",
        "claim_status", "claim_unpaid_reason",
    )  # fmt: skip
    assert tuple(name for name in CLAWBACK_FILE_HEADERS if name != "clawback_amount") == PAYMENT_FILE_HEADERS


def test_the_file_has_one_row_per_claim_in_reference_order_with_positive_amounts_to_recover() -> None:
    # Given two claims to claw back, out of order
    # When the file is made
    made = clawback_file(LINES)

    # Then each claim has its row, the amounts to recover positive, formulas neutralised, and totals recorded
    rows = _rows(made.content)
    assert tuple(rows[0]) == CLAWBACK_FILE_HEADERS
    assert rows[1:] == [
        ["20000001", "100001", "V100001", "Alpha Primary School", "'-Lambeth", "Best Practice Network", "700.80",
         "175.20", "Academy converter", "Academies", "2026-11-28", "clawback_in_progress", ""],
        ["20000002", "", "", "'" + FORMULA, "", "Best Practice Network", "262.80", "262.80", "", "", "2026-11-28",
         "clawback_in_progress", ""],
    ]  # fmt: skip
    assert (made.rows, made.total_pence) == (2, 10 * RATE)
    assert made.sha256 == file_sha256(made.content)
    assert made.intended == (("20000001", 4 * RATE), ("20000002", 6 * RATE))


@pytest.mark.parametrize("pence", [0, -100, 16 * RATE + 1])
def test_a_clawback_of_nothing_or_more_than_was_paid_is_refused(pence: int) -> None:
    with pytest.raises(ValueError, match="20000001"):
        clawback_file([ClawbackLine(claim=_claim("20000001", 16), school=SCHOOL, clawback_pence=pence)])


def test_a_claim_is_clawed_back_once_in_a_file() -> None:
    with pytest.raises(ValueError, match="once"):
        clawback_file([LINES[1], LINES[1]])


def test_the_formula_guard_leaves_a_plain_negative_number_alone() -> None:
    # Given negative amounts and cells that only look like them
    # Then a plain negative number stays a number, and anything else starting with "-" is neutralised
    assert safe_cell("-43.80") == "-43.80"
    assert safe_cell("-5") == "-5"
    assert safe_cell("-43.80+1") == "'-43.80+1"
    assert safe_cell("-1e3") == "'-1e3"
    assert safe_cell("-43.80\n") == "'-43.80\n"
    assert safe_cell("-") == "'-"
    lines = b"".join(csv_lines(("claim_reference", "clawback_amount"), [("20000001", "-262.80")]))
    assert lines == b"claim_reference,clawback_amount\r\n20000001,-262.80\r\n"


# -- reconciliation --------------------------------------------------------------------------------
def test_a_file_as_made_reconciles() -> None:
    made = clawback_file(LINES)
    check = reconcile_clawback_file(made.content, made.intended, made.sha256)
    assert check.passed
    assert (check.result.rows, check.result.file_total_pence) == (2, 10 * RATE)


def test_a_file_whose_amount_was_changed_does_not_reconcile() -> None:
    # Given the file with one amount altered, and its SHA-256 recomputed so only the amounts tell
    made = clawback_file(LINES)
    altered = made.content.replace(b",175.20,", b",17.52,")

    # When it is reconciled with what it was meant to hold
    check = reconcile_clawback_file(altered, made.intended, file_sha256(altered))

    # Then the difference is named
    assert not check.passed
    assert check.result.file_total_pence != check.result.owned_total_pence
    assert check.result.examples == ["20000001: the file says 1752p, the claim 17520p"]


def test_a_missing_row_an_extra_row_or_a_changed_byte_is_detected() -> None:
    made = clawback_file(LINES)
    first, second = made.intended

    missing = reconcile_clawback_file(made.content, [first, second, ("20000003", 100)], made.sha256)
    assert not missing.passed
    assert "20000003 is owned by the run but not in the file" in missing.result.examples

    extra = reconcile_clawback_file(made.content, [second], made.sha256)
    assert not extra.passed
    assert extra.result.rows == 2
    assert extra.result.owned == 1

    tampered = made.content.replace(b"Best Practice", b"Worst Practice")
    changed = reconcile_clawback_file(tampered, made.intended, made.sha256)
    assert changed.result.passed
    assert not changed.sha256_verified
    assert not changed.passed


def test_a_file_with_another_header_does_not_reconcile() -> None:
    made = clawback_file(LINES)
    renamed = made.content.replace(b"clawback_amount", b"clawback_total", 1)
    check = reconcile_clawback_file(renamed, made.intended, file_sha256(renamed))
    assert not check.passed
    assert check.result.examples == ["the file's header is not the clawback file's"]


# -- the payer's response --------------------------------------------------------------------------
STATUSES = {
    "20000001": ClaimStatus.CLAWBACK_IN_PROGRESS,
    "20000002": ClaimStatus.CLAWBACK_IN_PROGRESS,
    "20000003": ClaimStatus.CLAWBACK_COMPLETE,
    "20000004": ClaimStatus.CLAWBACK_IN_PROGRESS,  # sent in another clawback
}
IN_RUN = frozenset({"20000001", "20000002", "20000003"})


def _response(*lines: str, header: str = "claim_reference,claim_status") -> bytes:
    return ("\r\n".join((header, *lines)) + "\r\n").encode("utf-8")


def test_a_valid_response_completes_each_clawback_it_names() -> None:
    rows = read_clawback_response(_response("20000001, CLAWBACK_COMPLETE ", "", ",", "20000002,clawback_complete"))
    checked = check_clawback_response(rows, STATUSES, IN_RUN)
    assert checked.valid
    assert checked.completed == ("20000001", "20000002")


def test_each_kind_of_row_error_is_reported() -> None:
    # Given a response with one problem of each kind
    rows = read_clawback_response(
        _response(
            ",clawback_complete",  # 2
            "99999999,clawback_complete",  # 3: no such claim
            "20000004,clawback_complete",  # 4: not in this clawback
            "20000003,clawback_complete",  # 5: already complete
            "20000001,clawback_complete",  # 6: fine
            "20000001,clawback_complete",  # 7: twice
            "20000002,",  # 8: no status
            "20000002,clawback_in_progress",  # 9: twice, and not a completion
        )
    )

    # When it is checked
    checked = check_clawback_response(rows, STATUSES, IN_RUN)

    # Then every problem is reported by row and column, and nothing is completed
    assert not checked.valid
    assert [(e.row_number, e.column, e.message) for e in checked.errors] == [
        (2, "claim_reference", "Enter a claim reference"),
        (3, "claim_reference", "Enter a valid claim reference"),
        (4, "claim_reference", "Claim 20000004 was not sent to the payer in this clawback"),
        (5, "claim_reference", "This claim is not waiting for a clawback response: its status is Clawback complete"),
        (7, "claim_reference", "Remove this row: claim 20000001 is already in row 6"),
        (8, "claim_status", "Enter a claim status"),
        (9, "claim_reference", "Remove this row: claim 20000002 is already in row 8"),
        (9, "claim_status", "Claim status must be clawback_complete"),
    ]
    assert checked.references == {"99999999", "20000001", "20000002", "20000003", "20000004"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, NO_FILE),
        (b"", EMPTY),
        (b"claim_reference,claim_status\r\n", NO_CLAIMS),
        (b"\x89PNG\r\n\x1a\n\x00\x00", NOT_CSV),
        (b"claim_reference\r\n20000001\r\n", "The selected file must have the column claim_status"),
        (b"reference,status\r\n1,2\r\n", "The selected file must have the columns claim_reference and claim_status"),
        (b"claim_reference,claim_status,claim_status\r\n1,2,3\r\n",
         "The selected file must have only one claim_status column"),
    ],
)  # fmt: skip
def test_a_response_that_cannot_be_read_gives_one_message(data: bytes | None, message: str) -> None:
    with pytest.raises(InvalidFile) as raised:
        read_clawback_response(data)
    assert raised.value.message == message


def test_a_response_with_a_bom_and_other_columns_is_read() -> None:
    data = b"\xef\xbb\xbfClaim_Reference,notes,CLAIM_STATUS\r\n20000001,recovered in March,clawback_complete\r\n"
    checked = check_clawback_response(read_clawback_response(data), STATUSES, IN_RUN)
    assert checked.completed == ("20000001",)


def test_the_clawback_file_returned_with_its_statuses_completed_is_a_valid_response() -> None:
    # Given the payer's copy of the clawback file with claim_status set to clawback_complete
    made = clawback_file(LINES)
    returned = made.content.replace(b"clawback_in_progress", b"clawback_complete")

    # When it is uploaded as the response, Then both clawbacks are complete
    checked = check_clawback_response(read_clawback_response(returned), STATUSES, IN_RUN)
    assert checked.valid
    assert checked.completed == ("20000001", "20000002")
