"""The payment file, byte for byte: headers, amounts as 876.00, ISO dates, CSV quoting, and cells a
spreadsheet would run as formulas neutralised."""

from __future__ import annotations

import datetime as dt

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.files import PAYMENT_FILE_HEADERS, csv_lines
from shared.claims.organisations import School
from shared.claims.statuses import ClaimStatus
from shared.usecases.payment_run_tasks import payment_row
from tests.support import ROOT

FORMULA = '=HYPERLINK("http://evil.example","click")'
GOLDEN = ROOT / "tests" / "fixtures" / "golden" / "payment-file.csv"


def _claim(reference: str, school: str, provider: str, hours: int, rate: int, submitted: dt.date) -> Claim:
    at = dt.datetime.combine(submitted, dt.time(14, 30), dt.UTC)
    return Claim(
        reference=reference,
        school_id=reference,
        school_name=school,
        provider_code="X",
        provider_name=provider,
        window_id="w",
        academic_year=AcademicYear(2026),
        status=ClaimStatus.SUBMITTED,
        mentors=(
            ClaimMentor(trn="1000001", first_name="A", last_name="B", hours=hours, training_type=TrainingType.INITIAL),
        ),
        region="",
        hourly_rate_pence=rate,
        amount_pence=hours * rate,
        created_at=at,
        submitted_at=at,
    )


def test_the_payment_file_matches_the_golden_file() -> None:
    rows = [
        payment_row(
            _claim("12345678", "Alpha Primary School", "Sheffield Hallam University", 20, 4380, dt.date(2026, 11, 28)),
            School(organisation_id="100001", urn="100001", name="Alpha Primary School", local_authority_name="Leeds",
                   type_of_establishment="Community school", group="Local authority maintained schools"),
        ),
        payment_row(
            _claim("23456789", FORMULA, "Smith, Jones & Co SCITT", 20, 5360, dt.date(2026, 12, 1)),
            School(organisation_id="V12345", urn=None, vendor_number="V12345", name="x", local_authority_name="Camden",
                   type_of_establishment="Academy converter", group="Academies"),
        ),
        payment_row(
            _claim("34567890", '+44 Nursery "Little Stars"', "@Provider", 1, 5, dt.date(2027, 1, 12)),
            School(organisation_id="100003", urn="100003", name="x", local_authority_name="-Lambeth",
                   type_of_establishment="Free schools", group="Free Schools"),
        ),
    ]  # fmt: skip
    produced = b"".join(csv_lines(PAYMENT_FILE_HEADERS, rows))
    assert produced == GOLDEN.read_bytes()
