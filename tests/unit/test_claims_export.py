"""The claims export's rows and states: exactly the live service's headers, payment-file conventions (175.20,
ISO dates in the UK, the status code), cells a spreadsheet would run as formulas neutralised, empty school
columns when a school has no record, and when an export has failed or expired."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from shared.claims.claim_search import ClaimRow
from shared.claims.claims_export import (
    CLAIMS_EXPORT_HEADERS,
    KEPT_FOR,
    STALE_AFTER,
    ClaimsExport,
    ExportStatus,
    SchoolColumns,
    export_key,
    export_row,
    is_export_id,
    school_columns,
)
from shared.claims.files import csv_lines
from shared.claims.organisations import School
from shared.claims.statuses import ClaimStatus

FORMULA = '=HYPERLINK("http://evil.example","click")'
AT = dt.datetime(2026, 11, 28, 10, 30, tzinfo=dt.UTC)


def _row(**changes: object) -> ClaimRow:
    values: dict[str, object] = {
        "reference": "12345678",
        "school_id": "100001",
        "school_name": "Meadowbank Primary School",
        "provider_code": "1TZ",
        "provider_name": "Sheffield Hallam University",
        "academic_year": "2026 to 2027",
        "window_id": "w",
        "status": ClaimStatus.PAID,
        "region": "Rest of England",
        "amount_pence": 17520,
        "submitted_at": dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC),
        "assigned_to": None,
        "on_hold": False,
    }
    values.update(changes)
    return ClaimRow(**values)


SCHOOL = SchoolColumns(
    urn="100001", local_authority="Leeds", type_of_establishment="Academy converter", group="Academies"
)


def _parsed(rows: list[tuple[str, ...]]) -> list[list[str]]:
    text = b"".join(csv_lines(CLAIMS_EXPORT_HEADERS, rows)).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def test_the_headers_are_the_claims_exports_exactly() -> None:
    (header,) = _parsed([])
    assert header == [
        "claim_reference",
        "school_urn",
        "school_name",
        "school_local_authority",
        "school_type_of_establishment",
        "school_group",
        "provider_name",
        "provider_code",
        "claim_amount",
        "claim_submission_date",
        "claim_status",
    ]


def test_a_row_has_pounds_with_two_decimals_the_uk_date_and_the_status_code() -> None:
    # Given a paid claim submitted at 23:30 UTC on 30 June (00:30 on 1 July in the UK)
    row = _row(amount_pence=17520, submitted_at=dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC))
    # When it is written
    (_, written) = _parsed([export_row(row, SCHOOL)])
    # Then every column is as the claims export has it
    assert dict(zip(CLAIMS_EXPORT_HEADERS, written, strict=True)) == {
        "claim_reference": "12345678",
        "school_urn": "100001",
        "school_name": "Meadowbank Primary School",
        "school_local_authority": "Leeds",
        "school_type_of_establishment": "Academy converter",
        "school_group": "Academies",
        "provider_name": "Sheffield Hallam University",
        "provider_code": "1TZ",
        "claim_amount": "175.20",
        "claim_submission_date": "2026-07-01",
        "claim_status": "paid",
    }


@pytest.mark.parametrize(
    ("pence", "written"), [(0, "0.00"), (5, "0.05"), (438000, "4380.00"), (123456789, "1234567.89")]
)
def test_amounts_have_no_symbol_or_thousands_separator(pence: int, written: str) -> None:
    assert export_row(_row(amount_pence=pence), SCHOOL)[CLAIMS_EXPORT_HEADERS.index("claim_amount")] == written


def test_a_draft_has_no_submission_date() -> None:
    row = export_row(_row(status=ClaimStatus.DRAFT, submitted_at=None), SCHOOL)
    assert row[CLAIMS_EXPORT_HEADERS.index("claim_submission_date")] == ""
    assert row[CLAIMS_EXPORT_HEADERS.index("claim_status")] == "draft"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_are_made_text(start: str) -> None:
    # Given a school, a provider and a local authority whose names start as a formula would
    school = SchoolColumns(urn="100001", local_authority=f"{start}LA", type_of_establishment=FORMULA, group="@SUM(A1)")
    row = _row(school_name=FORMULA, provider_name=f"{start}1+1")
    # When the row is written
    (_, written) = _parsed([export_row(row, school)])
    cells = dict(zip(CLAIMS_EXPORT_HEADERS, written, strict=True))
    # Then each begins with a single quote, and says what it said
    assert cells["school_name"] == "'" + FORMULA
    assert cells["provider_name"] == f"'{start}1+1"
    assert cells["school_local_authority"] == f"'{start}LA"
    assert cells["school_type_of_establishment"] == "'" + FORMULA
    assert cells["school_group"] == "'@SUM(A1)"
    # And the ordinary cells are untouched
    assert cells["claim_reference"] == "12345678"
    assert cells["claim_amount"] == "175.20"


def test_a_school_without_a_record_keeps_its_urn_and_leaves_the_rest_empty() -> None:
    written = export_row(_row(school_id="100009"), None)
    cells = dict(zip(CLAIMS_EXPORT_HEADERS, written, strict=True))
    assert cells["school_urn"] == "100009"
    assert cells["school_name"] == "Meadowbank Primary School"  # the claim's own copy of the name
    assert (cells["school_local_authority"], cells["school_type_of_establishment"], cells["school_group"]) == (
        "",
        "",
        "",
    )


def test_a_schools_empty_local_authority_is_an_empty_cell() -> None:
    school = School(organisation_id="100001", urn="100001", name="Meadowbank", type_of_establishment="Free school")
    columns = school_columns(school)
    assert columns == SchoolColumns(urn="100001", local_authority="", type_of_establishment="Free school", group="")
    (_, written) = _parsed([export_row(_row(), columns)])
    assert written[CLAIMS_EXPORT_HEADERS.index("school_local_authority")] == ""


def test_a_school_without_a_urn_has_an_empty_urn() -> None:
    school = School(organisation_id="V123", urn=None, name="No URN School")
    assert school_columns(school).urn == ""


def _export(status: ExportStatus, prepared_at: dt.datetime | None = None) -> ClaimsExport:
    return ClaimsExport(
        export_id="0" * 32,
        requested_by="user-colin-chapman",
        requested_by_name="Colin Chapman",
        requested_at=AT,
        query="filtered=yes",
        years=("2026 to 2027",),
        status=status,
        prepared_at=prepared_at,
    )


def test_a_preparation_that_never_finished_is_shown_as_failed() -> None:
    export = _export(ExportStatus.PREPARING)
    assert export.shown_status(AT + STALE_AFTER - dt.timedelta(seconds=1)) is ExportStatus.PREPARING
    assert export.shown_status(AT + STALE_AFTER) is ExportStatus.FAILED


def test_a_ready_export_expires_when_the_bucket_removes_its_file() -> None:
    export = _export(ExportStatus.READY, prepared_at=AT)
    assert export.shown_status(AT + KEPT_FOR - dt.timedelta(seconds=1)) is ExportStatus.READY
    assert export.shown_status(AT + KEPT_FOR) is ExportStatus.EXPIRED
    assert _export(ExportStatus.FAILED).shown_status(AT + KEPT_FOR) is ExportStatus.FAILED


def test_the_file_is_named_by_the_uk_day_it_was_asked_for() -> None:
    late = _export(ExportStatus.READY).model_copy(
        update={"requested_at": dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)}
    )
    assert late.filename == "claims-2026-07-01.csv"


def test_each_attempt_writes_its_own_file_under_exports() -> None:
    assert export_key("ab" * 16, 2) == f"exports/{'ab' * 16}/claims-2.csv"


@pytest.mark.parametrize(("value", "valid"), [("a" * 32, True), ("A" * 32, False), ("a" * 31, False), ("../x", False)])
def test_only_export_shaped_ids_are_looked_up(value: str, valid: bool) -> None:
    assert is_export_id(value) is valid
