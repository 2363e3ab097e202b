"""The emails a school's users get about a clawback of their claim: requested, and complete."""

from __future__ import annotations

import datetime as dt

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.clawback_emails import (
    CLAWBACK_COMPLETE_KIND,
    CLAWBACK_REQUESTED_KIND,
    clawback_complete_email,
    clawback_requested_email,
)
from shared.claims.emails import SUPPORT_EMAIL
from shared.claims.statuses import ClaimStatus

SERVICE = "https://claim.example.gov.uk/"
ADDRESS = "anne.wilson@example.org"
LINK = "[View the claim](https://claim.example.gov.uk/schools/108125/claims/12345678)"


def _claim(**changes: object) -> Claim:
    claim = Claim(
        reference="12345678",
        school_id="108125",
        school_name="Meadowbank Primary School",
        provider_code="N97",
        provider_name="Sheffield Hallam University",
        window_id="w",
        academic_year=AcademicYear(2026),
        status=ClaimStatus.CLAWBACK_REQUESTED,
        mentors=(
            ClaimMentor(
                trn="1000001", first_name="Emily", last_name="Carter", hours=6, training_type=TrainingType.INITIAL
            ),
        ),
        region="Inner London",
        hourly_rate_pence=5360,
        amount_pence=6 * 5360,
        created_at=dt.datetime(2026, 11, 28, tzinfo=dt.UTC),
    )
    return claim.model_copy(update=changes)


def test_requested_says_the_amount_and_links_to_the_claim() -> None:
    # When a clawback of 4 hours at £53.60 is requested
    message = clawback_requested_email(_claim(), ADDRESS, amount_pence=4 * 5360, service_url=SERVICE)
    # Then the school's user is told the amount, the claim and where to ask
    assert message.kind == CLAWBACK_REQUESTED_KIND
    assert message.to == ADDRESS
    assert message.subject == "A clawback has been requested for claim 12345678"
    assert "A clawback of £214.40 has been requested for claim 12345678" in message.body
    assert LINK in message.body
    assert SUPPORT_EMAIL in message.body
    assert message.reference == "12345678"


def test_complete_says_the_amount_clawed_back() -> None:
    message = clawback_complete_email(_claim(), ADDRESS, amount_pence=214_40, service_url=SERVICE)
    assert message.kind == CLAWBACK_COMPLETE_KIND
    assert message.subject == "The clawback for claim 12345678 is complete"
    assert "Amount clawed back: £214.40" in message.body
    assert LINK in message.body


def test_names_from_outside_go_in_as_plain_text() -> None:
    # Given a school whose name carries markdown
    claim = _claim(school_name="[Click](http://evil.example) *School*")
    message = clawback_requested_email(claim, ADDRESS, amount_pence=100, service_url=SERVICE)
    # Then none of it formats the body
    assert "[Click]" not in message.body
    assert "*School*" not in message.body
