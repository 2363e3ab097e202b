"""The emails a school's users get about their claims and their claim windows (the catalogue:
`shared.claims.email_catalogue`).

A claim submitted, withdrawn, rejected by support or that rejection undone, a draft that expired at the window's
close, the school's response to its audit received; and, to schools that have not claimed, the window opening,
its closing in 7 days and a weekly reminder while it is open. Each is one message to one address.

Pure: no AWS, HTTP or templates. Names from outside (schools, providers) go through `plain_text`.
"""

from __future__ import annotations

import datetime as dt

from shared.claims.claim import Claim
from shared.claims.drafts import closes_text
from shared.claims.emails import SERVICE_NAME, SUPPORT_EMAIL, EmailMessage, plain_text
from shared.claims.money import format_pounds
from shared.claims.windows import ClaimWindow

CLAIM_SUBMITTED_KIND = "claim_submitted"
CLAIM_WITHDRAWN_KIND = "claim_withdrawn"
CLAIM_REJECTED_KIND = "claim_rejected"
REJECTION_UNDONE_KIND = "claim_rejection_undone"
DRAFT_EXPIRED_KIND = "draft_expired"
SCHOOL_RESPONSE_RECEIVED_KIND = "claim_audit_school_response_received"
WINDOW_OPENED_KIND = "claim_window_opened"
WINDOW_CLOSING_KIND = "claim_window_closing"
CLAIM_REMINDER_KIND = "claim_reminder"

CLOSING_REMINDER_DAYS = 7  # "closing in 7 days"


def _claim_link(claim: Claim, service_url: str) -> str:
    return f"{service_url.rstrip('/')}/schools/{claim.school_id}/claims/{claim.reference}"


def _claims_link(school_id: str, service_url: str) -> str:
    return f"{service_url.rstrip('/')}/schools/{school_id}/claims"


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def claim_submitted_email(claim: Claim, address: str, *, service_url: str) -> EmailMessage:
    """To one user of the school: the claim is in; what happens next."""
    mentors = "mentor" if len(claim.mentors) == 1 else "mentors"
    body = (
        f"A claim for mentor training funding has been submitted for {plain_text(claim.school_name)}.\n\n"
        f"Claim reference: {claim.reference}\n"
        f"Accredited provider: {plain_text(claim.provider_name)}\n"
        f"Number of {mentors}: {len(claim.mentors)}\n"
        f"Amount: {format_pounds(claim.amount_pence)}\n\n"
        f"[View the claim]({_claim_link(claim, service_url)})\n\n"
        f"We will check the claim before it is paid. If you have any questions, email {SUPPORT_EMAIL}."
    )
    return EmailMessage(
        kind=CLAIM_SUBMITTED_KIND,
        to=address,
        subject="Claim submitted for mentor training funding",
        body=body,
        reference=claim.reference,
    )


def claim_withdrawn_email(claim: Claim, address: str, *, withdrawn_by: str, service_url: str) -> EmailMessage:
    """To one user of the school: a user of the school withdrew the claim; its hours can be claimed again."""
    body = (
        f"{plain_text(withdrawn_by)} withdrew claim {claim.reference} for {plain_text(claim.school_name)} "
        f"({plain_text(claim.provider_name)}, {format_pounds(claim.amount_pence)}). It will not be paid.\n\n"
        "The hours in this claim can be claimed again while the claim window is open.\n\n"
        f"[View your claims]({_claims_link(claim.school_id, service_url)})\n\n"
        f"If you did not expect this, email {SUPPORT_EMAIL}."
    )
    return EmailMessage(
        kind=CLAIM_WITHDRAWN_KIND,
        to=address,
        subject=f"Claim {claim.reference} has been withdrawn",
        body=body,
        reference=claim.reference,
    )


def claim_rejected_email(claim: Claim, address: str, *, reason: str, service_url: str) -> EmailMessage:
    """To one user of the school: support checked the claim and will not pay it, and why."""
    body = (
        f"We have checked claim {claim.reference} for {plain_text(claim.school_name)} "
        f"({plain_text(claim.provider_name)}, {format_pounds(claim.amount_pence)}) and we cannot pay it.\n\n"
        f"Reason: {plain_text(reason)}\n\n"
        "The hours in this claim can be claimed again while a claim window is open.\n\n"
        f"[View the claim]({_claim_link(claim, service_url)})\n\n"
        f"If you think this is wrong, email {SUPPORT_EMAIL}."
    )
    return EmailMessage(
        kind=CLAIM_REJECTED_KIND,
        to=address,
        subject="Your claim for mentor training funding has been rejected",
        body=body,
        reference=claim.reference,
    )


def rejection_undone_email(claim: Claim, address: str, *, service_url: str) -> EmailMessage:
    """To one user of the school: support took a rejection back and is checking the claim again."""
    body = (
        f"We told you that claim {claim.reference} for {plain_text(claim.school_name)} "
        f"({plain_text(claim.provider_name)}, {format_pounds(claim.amount_pence)}) had been rejected. "
        "We have taken that decision back and are checking the claim again.\n\n"
        "You do not need to do anything. We will email you when we have decided.\n\n"
        f"[View the claim]({_claim_link(claim, service_url)})\n\n"
        f"If you have any questions, email {SUPPORT_EMAIL}."
    )
    return EmailMessage(
        kind=REJECTION_UNDONE_KIND,
        to=address,
        subject=f"Claim {claim.reference} is being checked again",
        body=body,
        reference=claim.reference,
    )


def draft_expired_email(draft: Claim, address: str) -> EmailMessage:
    """To one user of the school: the window closed with the draft support prepared not submitted."""
    body = (
        f"The claim window has closed, so the draft claim {draft.reference} for {plain_text(draft.school_name)} "
        f"({plain_text(draft.provider_name)}) was not submitted and can no longer be.\n\n"
        f"If you think this is wrong, email {SUPPORT_EMAIL}."
    )
    return EmailMessage(
        kind=DRAFT_EXPIRED_KIND,
        to=address,
        subject="Your draft claim for mentor training funding has expired",
        body=body,
        reference=draft.reference,
    )


def school_response_received_email(claim: Claim, address: str, *, agrees: bool, service_url: str) -> EmailMessage:
    """To one user of the school: the school's response to its provider's audit answers reached DfE."""
    said = "agreed with" if agrees else "disagreed with"
    body = (
        f"Your school {said} what {plain_text(claim.provider_name)} told us about the training in claim "
        f"{claim.reference} for {plain_text(claim.school_name)}. We have received your response.\n\n"
        "We will look at your provider's answers and your response together, then email you with our decision. "
        "If some of the funding has to be paid back, we will tell you how much before anything is recovered.\n\n"
        f"[View the claim]({_claim_link(claim, service_url)})\n\n"
        f"If you have any questions, email {SUPPORT_EMAIL}."
    )
    return EmailMessage(
        kind=SCHOOL_RESPONSE_RECEIVED_KIND,
        to=address,
        subject=f"We have received your response about claim {claim.reference}",
        body=body,
        reference=claim.reference,
    )


def window_opened_email(
    school_id: str, school_name: str, address: str, *, window: ClaimWindow, service_url: str
) -> EmailMessage:
    """To one user of an eligible school: the window is open, and when it closes."""
    body = (
        f"You can now claim funding for the time your mentors spent in initial teacher training (ITT) mentor "
        f"training in academic year {window.academic_year.name}, for {plain_text(school_name)}.\n\n"
        f"The claim window closes at {closes_text(window)}.\n\n"
        f"[Start a claim]({_claims_link(school_id, service_url)})\n\n"
        "You will need each mentor's teacher reference number (TRN) and date of birth, the accredited provider "
        "they trained with and their hours of training.\n\n"
        f"If you have any questions, email {SUPPORT_EMAIL}."
    )
    return EmailMessage(
        kind=WINDOW_OPENED_KIND,
        to=address,
        subject=f"The claim window for {window.academic_year.name} is open: claim funding for mentor training",
        body=body,
        reference=school_id,
    )


def window_closing_email(
    school_id: str, school_name: str, address: str, *, window: ClaimWindow, service_url: str
) -> EmailMessage:
    """To one user of an eligible school that has not claimed in the window: it closes in 7 days."""
    body = (
        f"The claim window for mentor training funding closes in {CLOSING_REMINDER_DAYS} days, at "
        f"{closes_text(window)}.\n\n"
        f"{plain_text(school_name)} has not submitted a claim for academic year {window.academic_year.name}. "
        "Claims cannot be submitted after the window closes.\n\n"
        f"[Start a claim]({_claims_link(school_id, service_url)})\n\n"
        f"If you have any questions, email {SUPPORT_EMAIL}."
    )
    return EmailMessage(
        kind=WINDOW_CLOSING_KIND,
        to=address,
        subject=f"The claim window closes on {_date(window.closes_on)} - {SERVICE_NAME}",
        body=body,
        reference=school_id,
    )


def claim_reminder_email(
    school_id: str, school_name: str, address: str, *, mentors: int, window: ClaimWindow, service_url: str
) -> EmailMessage:
    """To one user of an eligible school with mentors on its list and no claim in the open window: weekly."""
    counted = "1 mentor" if mentors == 1 else f"{mentors:,} mentors"
    body = (
        f"{plain_text(school_name)} has {counted} on its list in {SERVICE_NAME} and has not claimed for "
        f"academic year {window.academic_year.name} yet.\n\n"
        f"The claim window closes at {closes_text(window)}.\n\n"
        f"[Start a claim]({_claims_link(school_id, service_url)})\n\n"
        "If your mentors did not do any training this year, you do not need to do anything.\n\n"
        f"If you have any questions, email {SUPPORT_EMAIL}."
    )
    return EmailMessage(
        kind=CLAIM_REMINDER_KIND,
        to=address,
        subject=f"Claim funding for your mentors before {_date(window.closes_on)}",
        body=body,
        reference=school_id,
    )
