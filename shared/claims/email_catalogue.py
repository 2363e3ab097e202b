"""Every email the service sends, in one list (ADR 0039): who gets it, when, its kind (the message's `kind`, for
logs and metrics), the function that writes its subject and body, and example data to preview it with (support:
Settings → Emails).

A test holds the list to the code both ways: every function that builds an `EmailMessage` is an entry's builder,
and every entry's builder is called by some code path that sends it (`tests/unit/test_email_catalogue.py`).

Pure: the examples are made-up claims, windows and people; nothing is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from shared.claims import (
    audit_answers,
    audit_emails,
    clawback_emails,
    clawback_runs,
    drafts,
    outcome_emails,
    payer_emails,
    school_emails,
    support_users,
    user_emails,
)
from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.emails import EmailMessage
from shared.claims.people import Role, User
from shared.claims.statuses import ClaimStatus
from shared.claims.windows import ClaimWindow


class Audience(StrEnum):
    SCHOOL = "Each user of the school"
    PROVIDER = "Each user of the accredited provider"
    PAYER = "Each of the payer's addresses"
    USER = "The user"
    SUPPORT_USER = "The support user"


@dataclass(frozen=True)
class CatalogueEntry:
    kind: str
    name: str
    audience: Audience
    when: str
    builder: Callable[..., EmailMessage]
    example: Callable[[], EmailMessage]

    @property
    def slug(self) -> str:
        return self.kind.replace("_", "-")


# -- example data ----------------------------------------------------------------------------------------------
SERVICE_URL = "https://claim-funding-for-mentors.education.gov.uk"
ADDRESS = "jo.example@example-school.sch.uk"
_AT = dt.datetime(2027, 5, 12, 10, 30, tzinfo=dt.UTC)
_YEAR = AcademicYear.parse("2026 to 2027")
_WINDOW = ClaimWindow(
    window_id="window-example", academic_year=_YEAR, opens_on=dt.date(2027, 5, 1), closes_on=dt.date(2027, 6, 30)
)
_USER = User(user_id="user-example", first_name="Jo", last_name="Example", email=ADDRESS, role=Role.SCHOOL)
_SUPPORT = User(
    user_id="support-example", first_name="Sam", last_name="Example", email="sam@education.gov.uk", role=Role.SUPPORT
)
_CLAIM = Claim(
    reference="12345678",
    school_id="100000",
    school_name="Example Primary School",
    provider_code="X00",
    provider_name="Example University",
    window_id=_WINDOW.window_id,
    academic_year=_YEAR,
    status=ClaimStatus.SUBMITTED,
    mentors=(
        ClaimMentor(
            trn="1234567", first_name="Ada", last_name="Lovelace", hours=20, training_type=TrainingType.INITIAL
        ),
        ClaimMentor(trn="7654321", first_name="Alan", last_name="Turing", hours=6, training_type=TrainingType.INITIAL),
    ),
    region="Rest of England",
    hourly_rate_pence=4580,
    amount_pence=26 * 4580,
    created_at=_AT,
    submitted_at=_AT,
    submitted_by=_USER.user_id,
    submitted_by_name=_USER.full_name,
)
_LINK = f"{SERVICE_URL}/downloads/example-single-use-link"
_EXPIRES = _AT + dt.timedelta(days=7)
_CLAIM_URL = f"{SERVICE_URL}/schools/{_CLAIM.school_id}/claims/{_CLAIM.reference}"


def _school(builder: Callable[..., EmailMessage], **kwargs: object) -> Callable[[], EmailMessage]:
    return lambda: builder(_CLAIM, ADDRESS, **kwargs)


def _window_email(builder: Callable[..., EmailMessage], **kwargs: object) -> Callable[[], EmailMessage]:
    return lambda: builder(
        _CLAIM.school_id, _CLAIM.school_name, ADDRESS, window=_WINDOW, service_url=SERVICE_URL, **kwargs
    )


CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        school_emails.CLAIM_SUBMITTED_KIND,
        "Claim submitted",
        Audience.SCHOOL,
        "A user of the school submits a claim.",
        school_emails.claim_submitted_email,
        _school(school_emails.claim_submitted_email, service_url=SERVICE_URL),
    ),
    CatalogueEntry(
        school_emails.CLAIM_WITHDRAWN_KIND,
        "Claim withdrawn",
        Audience.SCHOOL,
        "A user of the school withdraws a submitted claim while its window is open.",
        school_emails.claim_withdrawn_email,
        _school(school_emails.claim_withdrawn_email, withdrawn_by=_USER.full_name, service_url=SERVICE_URL),
    ),
    CatalogueEntry(
        drafts.DRAFT_PREPARED_KIND,
        "Draft claim prepared by support",
        Audience.SCHOOL,
        "DfE support prepares a draft claim for the school.",
        drafts.draft_prepared_email,
        _school(drafts.draft_prepared_email, window=_WINDOW, service_url=SERVICE_URL),
    ),
    CatalogueEntry(
        school_emails.DRAFT_EXPIRED_KIND,
        "Draft claim expired",
        Audience.SCHOOL,
        "The claim window closes with a draft support prepared not submitted.",
        school_emails.draft_expired_email,
        _school(school_emails.draft_expired_email),
    ),
    CatalogueEntry(
        school_emails.WINDOW_OPENED_KIND,
        "Claim window open",
        Audience.SCHOOL,
        "The morning a claim window opens, to every eligible school.",
        school_emails.window_opened_email,
        _window_email(school_emails.window_opened_email),
    ),
    CatalogueEntry(
        school_emails.WINDOW_CLOSING_KIND,
        "Claim window closing in 7 days",
        Audience.SCHOOL,
        "7 days before a claim window closes, to eligible schools that have not claimed in it.",
        school_emails.window_closing_email,
        _window_email(school_emails.window_closing_email),
    ),
    CatalogueEntry(
        school_emails.CLAIM_REMINDER_KIND,
        "Weekly reminder to claim",
        Audience.SCHOOL,
        "Each Monday while a window is open (not in its first or last week), to eligible schools with mentors "
        "on their list and no claim in it.",
        school_emails.claim_reminder_email,
        _window_email(school_emails.claim_reminder_email, mentors=2),
    ),
    CatalogueEntry(
        school_emails.CLAIM_REJECTED_KIND,
        "Claim rejected by support",
        Audience.SCHOOL,
        "DfE support rejects a claim the window-close checks flagged.",
        school_emails.claim_rejected_email,
        _school(
            school_emails.claim_rejected_email,
            reason="The school was not eligible for this academic year.",
            service_url=SERVICE_URL,
        ),
    ),
    CatalogueEntry(
        school_emails.REJECTION_UNDONE_KIND,
        "Rejection taken back",
        Audience.SCHOOL,
        "DfE support undoes a rejection and checks the claim again.",
        school_emails.rejection_undone_email,
        _school(school_emails.rejection_undone_email, service_url=SERVICE_URL),
    ),
    CatalogueEntry(
        payer_emails.PAYMENT_FILE_READY_KIND,
        "Payment file ready",
        Audience.PAYER,
        "A payment run has written and reconciled its file.",
        payer_emails.payment_file_ready,
        lambda: payer_emails.payment_file_ready(
            "payments@example-payer.co.uk",
            run_id="run-example",
            claims=1_204,
            total_pence=98_765_40,
            link=_LINK,
            expires_at=_EXPIRES,
        ),
    ),
    CatalogueEntry(
        outcome_emails.CLAIM_PAID_KIND,
        "Claim paid",
        Audience.SCHOOL,
        "The payer's response says the claim was paid.",
        outcome_emails.claim_paid,
        _school(outcome_emails.claim_paid, paid_at=_AT, service_url=SERVICE_URL),
    ),
    CatalogueEntry(
        outcome_emails.INFORMATION_REQUESTED_KIND,
        "Payer needs information",
        Audience.SCHOOL,
        "The payer's response says it needs more information to pay the claim.",
        outcome_emails.information_requested,
        _school(
            outcome_emails.information_requested,
            reason="The bank details on file are for a closed account.",
            service_url=SERVICE_URL,
        ),
    ),
    CatalogueEntry(
        outcome_emails.REJECTED_BY_PAYER_KIND,
        "Claim rejected by the payer",
        Audience.SCHOOL,
        "The payer's response says the claim will not be paid.",
        outcome_emails.rejected_by_payer,
        _school(outcome_emails.rejected_by_payer, reason="Duplicate of an earlier claim.", service_url=SERVICE_URL),
    ),
    CatalogueEntry(
        audit_emails.AUDIT_REQUESTED_KIND,
        "Audit requested",
        Audience.PROVIDER,
        "An audit's sample includes claims naming the provider.",
        audit_emails.audit_requested,
        lambda: audit_emails.audit_requested(
            "audits@example.ac.uk",
            provider_code="X00",
            claims=3,
            link=f"{SERVICE_URL}/providers/X00/audits",
            deadline=dt.date(2027, 12, 24),
        ),
    ),
    CatalogueEntry(
        audit_emails.AUDIT_CHASER_KIND,
        "Audit chaser",
        Audience.PROVIDER,
        "Each week after an audit was requested (at most three times) while the provider has claims to answer.",
        audit_emails.audit_chaser,
        lambda: audit_emails.audit_chaser(
            "audits@example.ac.uk",
            provider_code="X00",
            claims=2,
            link=f"{SERVICE_URL}/providers/X00/audits",
            deadline=dt.date(2027, 12, 24),
            number=1,
        ),
    ),
    CatalogueEntry(
        audit_answers.PROVIDER_NOT_CONFIRMED_KIND,
        "Provider did not confirm the training",
        Audience.SCHOOL,
        "The provider answers an audit without confirming all of a claim's training.",
        audit_answers.provider_not_confirmed_email,
        lambda: audit_answers.provider_not_confirmed_email(
            _CLAIM.reference,
            _CLAIM.provider_name,
            ADDRESS,
            claim_url=_CLAIM_URL,
            respond_by=dt.date(2027, 12, 24),
        ),
    ),
    CatalogueEntry(
        school_emails.SCHOOL_RESPONSE_RECEIVED_KIND,
        "School's audit response received",
        Audience.SCHOOL,
        "A user of the school responds to the provider's audit answers.",
        school_emails.school_response_received_email,
        _school(school_emails.school_response_received_email, agrees=False, service_url=SERVICE_URL),
    ),
    CatalogueEntry(
        clawback_emails.CLAWBACK_REQUESTED_KIND,
        "Clawback requested",
        Audience.SCHOOL,
        "A second support user approves a clawback of the claim.",
        clawback_emails.clawback_requested_email,
        _school(clawback_emails.clawback_requested_email, amount_pence=4 * 4580, service_url=SERVICE_URL),
    ),
    CatalogueEntry(
        clawback_runs.CLAWBACK_FILE_READY_KIND,
        "Clawback file ready",
        Audience.PAYER,
        "A clawback run has written and reconciled its file.",
        clawback_runs.clawback_file_ready,
        lambda: clawback_runs.clawback_file_ready(
            "payments@example-payer.co.uk",
            run_id="clawback-run-example",
            claims=12,
            total_pence=2_345_60,
            link=_LINK,
            expires_at=_EXPIRES,
        ),
    ),
    CatalogueEntry(
        clawback_emails.CLAWBACK_COMPLETE_KIND,
        "Clawback complete",
        Audience.SCHOOL,
        "The payer's clawback response says the amount has been recovered.",
        clawback_emails.clawback_complete_email,
        _school(clawback_emails.clawback_complete_email, amount_pence=4 * 4580, service_url=SERVICE_URL),
    ),
    CatalogueEntry(
        user_emails.INVITATION_KIND,
        "User invited",
        Audience.USER,
        "A school user or support adds someone to a school or provider.",
        user_emails.invitation,
        lambda: user_emails.invitation(_USER, _CLAIM.school_name, SERVICE_URL),
    ),
    CatalogueEntry(
        user_emails.REMOVAL_KIND,
        "User removed",
        Audience.USER,
        "A school user or support removes someone from a school or provider.",
        user_emails.removal,
        lambda: user_emails.removal(_USER, _CLAIM.school_name),
    ),
    CatalogueEntry(
        support_users.ADDED_KIND,
        "Support user added",
        Audience.SUPPORT_USER,
        "A support user adds another to the support console.",
        support_users.added,
        lambda: support_users.added(_SUPPORT, SERVICE_URL),
    ),
    CatalogueEntry(
        support_users.REMOVED_KIND,
        "Support user removed",
        Audience.SUPPORT_USER,
        "A support user removes another from the support console.",
        support_users.removed,
        lambda: support_users.removed(_SUPPORT),
    ),
)

BY_SLUG: dict[str, CatalogueEntry] = {entry.slug: entry for entry in CATALOGUE}
