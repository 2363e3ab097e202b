"""The emails a school's users get when the payer's outcome for a claim is recorded: pure builders, and the
rule for which schools are paid through their local authority."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.emails import SUPPORT_EMAIL
from shared.claims.organisations import School
from shared.claims.outcome_emails import (
    claim_paid,
    information_requested,
    london_date,
    paid_through_local_authority,
    rejected_by_payer,
)
from shared.claims.statuses import ClaimStatus

SERVICE = "https://claim.example.gov.uk/"
ADDRESS = "anne.wilson@example.org"
LINK = "[View the claim](https://claim.example.gov.uk/schools/108125/claims/12345678)"
PAID_AT = dt.datetime(2026, 12, 2, 10, 15, tzinfo=dt.UTC)


def _claim(**changes: object) -> Claim:
    claim = Claim(
        reference="12345678",
        school_id="108125",
        school_name="Meadowbank Primary School",
        provider_code="N97",
        provider_name="Sheffield Hallam University",
        window_id="w",
        academic_year=AcademicYear(2026),
        status=ClaimStatus.PAID,
        mentors=(
            ClaimMentor(
                trn="1000001", first_name="Emily", last_name="Carter", hours=16, training_type=TrainingType.INITIAL
            ),
            ClaimMentor(
                trn="1000002", first_name="James", last_name="Okafor", hours=12, training_type=TrainingType.INITIAL
            ),
        ),
        region="Inner London",
        hourly_rate_pence=5360,
        amount_pence=28 * 5360,  # £1,500.80
        created_at=dt.datetime(2026, 11, 28, tzinfo=dt.UTC),
    )
    return claim.model_copy(update=changes)


def _school(type_of_establishment: str = "", group: str = "") -> School:
    return School(
        organisation_id="108125",
        urn="108125",
        name="Meadowbank Primary School",
        local_authority_name="Leeds",
        type_of_establishment=type_of_establishment,
        group=group,
    )


# -- paid ------------------------------------------------------------------------------------------
def test_paid_says_the_amount_in_pounds_and_the_date_paid() -> None:
    # When a claim of £1,500.80 is paid on 2 December 2026
    message = claim_paid(_claim(), ADDRESS, paid_at=PAID_AT, service_url=SERVICE)
    # Then the email goes to the user, filed under the claim's reference, with the subject naming the claim
    assert message.kind == "claim_paid"
    assert message.to == ADDRESS
    assert message.reference == "12345678"
    assert message.subject == "Claim 12345678 has been paid"
    # And the body says which claim, how much (in pounds, GOV.UK style) and when, with a link to the claim
    assert message.body.startswith(
        "Claim 12345678 for Meadowbank Primary School (Sheffield Hallam University) has been paid."
    )
    assert "Amount paid: £1,500.80" in message.body
    assert "Date paid: 2 December 2026" in message.body
    assert LINK in message.body
    assert SUPPORT_EMAIL in message.body
    assert "150080" not in message.body


def test_the_date_paid_is_the_date_in_england() -> None:
    # Given an instant late in the evening UTC in summer (BST) and in winter (GMT)
    # Then the date is the calendar date in London
    assert london_date(dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC)) == "2 June 2026"
    assert london_date(dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)) == "1 December 2026"


def test_a_maintained_school_is_told_the_payment_goes_to_its_local_authority() -> None:
    # When a maintained school's claim is paid
    message = claim_paid(_claim(), ADDRESS, paid_at=PAID_AT, service_url=SERVICE, local_authority="Leeds")
    # Then the email says the local authority is paid and passes it on
    assert (
        "Because the school is maintained by its local authority, the payment is made to Leeds, "
        "which passes it on to the school."
    ) in message.body


def test_a_maintained_school_without_a_local_authority_name_still_gets_the_sentence() -> None:
    message = claim_paid(_claim(), ADDRESS, paid_at=PAID_AT, service_url=SERVICE, local_authority="")
    assert "the payment is made to the school's local authority, which passes it on" in message.body


def test_a_school_paid_directly_is_not_told_about_a_local_authority() -> None:
    # When an academy's claim is paid (no local authority passed)
    message = claim_paid(_claim(), ADDRESS, paid_at=PAID_AT, service_url=SERVICE)
    # Then nothing in it mentions a local authority
    assert "local authority" not in message.body


@pytest.mark.parametrize(
    "type_of_establishment",
    [
        "Community school",
        "Voluntary aided school",
        "Voluntary controlled school",
        "Foundation school",
        "Community special school",
        "Foundation special school",
        "Pupil referral unit",
        "Local authority nursery school",
        "LA nursery school",
    ],
)
def test_local_authority_maintained_types_are_paid_through_the_local_authority(type_of_establishment: str) -> None:
    assert paid_through_local_authority(_school(type_of_establishment))


def test_the_gias_maintained_group_is_paid_through_the_local_authority() -> None:
    assert paid_through_local_authority(_school("Some new maintained type", "Local authority maintained schools"))


@pytest.mark.parametrize(
    ("type_of_establishment", "group"),
    [
        ("Academy converter", "Academies"),
        ("Academy sponsor led", "Academies"),
        ("Free schools", "Free Schools"),
        ("Non-maintained special school", "Special schools"),
        ("Other independent school", "Independent schools"),
        ("", ""),
    ],
)
def test_other_schools_are_paid_directly(type_of_establishment: str, group: str) -> None:
    assert not paid_through_local_authority(_school(type_of_establishment, group))


def test_an_unknown_school_is_not_assumed_to_be_maintained() -> None:
    assert not paid_through_local_authority(None)


# -- the payer needs information -------------------------------------------------------------------
def test_information_requested_says_why_and_that_support_will_be_in_touch() -> None:
    # When the payer needs information about a claim
    message = information_requested(
        _claim(status=ClaimStatus.PAYMENT_INFORMATION_REQUESTED),
        ADDRESS,
        reason="Bank details do not match",
        service_url=SERVICE,
    )
    # Then
    assert message.kind == "claim_payment_information_requested"
    assert message.to == ADDRESS
    assert message.reference == "12345678"
    assert message.subject == "More information is needed to pay claim 12345678"
    assert message.body.startswith(
        "The payer needs more information before they can pay claim 12345678 for Meadowbank Primary School "
        "(Sheffield Hallam University, £1,500.80)."
    )
    assert "Reason given by the payer: Bank details do not match" in message.body
    assert "DfE support will contact you if they need anything from you." in message.body
    assert f"email {SUPPORT_EMAIL} and include the claim reference, 12345678." in message.body
    assert LINK in message.body


# -- rejected by the payer -------------------------------------------------------------------------
def test_rejected_by_payer_says_it_will_not_be_paid_why_and_that_the_hours_can_be_claimed_again() -> None:
    # When the payer rejects a claim
    message = rejected_by_payer(
        _claim(status=ClaimStatus.PAYMENT_NOT_APPROVED),
        ADDRESS,
        reason="The school could not confirm the mentors' training",
        service_url=SERVICE,
    )
    # Then
    assert message.kind == "claim_rejected_by_payer"
    assert message.subject == "Claim 12345678 will not be paid"
    assert message.reference == "12345678"
    assert "The payer has rejected claim 12345678 for Meadowbank Primary School" in message.body
    assert "It will not be paid." in message.body
    assert "Reason given by the payer: The school could not confirm the mentors' training" in message.body
    # (a claim rejected by the payer gives its hours back: statuses.HOURS_RELEASED)
    assert "can be claimed again while a claim window for academic year 2026 to 2027 is open" in message.body
    assert f"email {SUPPORT_EMAIL}" in message.body
    assert LINK in message.body


def test_without_a_recorded_reason_there_is_no_reason_line() -> None:
    message = rejected_by_payer(_claim(), ADDRESS, reason=None, service_url=SERVICE)
    assert "Reason" not in message.body


def test_the_payers_reason_cannot_add_formatting_or_links() -> None:
    # Given the payer's reason (typed in their spreadsheet) with Notify markdown and line breaks in it
    reason = "See [our portal](https://evil.example)\n# Urgent **now**"
    for build in (information_requested, rejected_by_payer):
        # When the email is built
        message = build(_claim(), ADDRESS, reason=reason, service_url=SERVICE)
        # Then the reason is one line of plain text
        assert "Reason given by the payer: See our portalhttps://evil.example Urgent now\n" in message.body
        assert "](https://evil" not in message.body


def test_no_outcome_email_carries_a_mentors_name() -> None:
    claim = _claim()
    messages = [
        claim_paid(claim, ADDRESS, paid_at=PAID_AT, service_url=SERVICE, local_authority="Leeds"),
        information_requested(claim, ADDRESS, reason="r", service_url=SERVICE),
        rejected_by_payer(claim, ADDRESS, reason="r", service_url=SERVICE),
    ]
    for message in messages:
        for name in ("Emily", "Carter", "James", "Okafor"):
            assert name not in message.body
