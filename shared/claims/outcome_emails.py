"""The emails a school's users get when the payer's outcome for a claim is recorded: paid, the payer needs
more information, or rejected by the payer.

Pure: a claim (and what the use case knows about its school) in, an `EmailMessage` out. Bodies are GOV.UK
Notify markdown. The payer's reason and the school's name come from outside, so they go into a body as plain
text (`plain_text`). The reference is the claim's, never a name.
"""

from __future__ import annotations

import datetime as dt

from shared.claims.academic_years import london_today
from shared.claims.claim import Claim
from shared.claims.emails import SUPPORT_EMAIL, EmailMessage, plain_text
from shared.claims.money import format_pounds
from shared.claims.organisations import School
from shared.claims.statuses import HOURS_RELEASED, ClaimStatus

CLAIM_PAID_KIND = "claim_paid"
INFORMATION_REQUESTED_KIND = "claim_payment_information_requested"
REJECTED_BY_PAYER_KIND = "claim_rejected_by_payer"

# GIAS "EstablishmentTypeGroup" for schools their local authority maintains, and the GIAS types of
# establishment a local authority maintains (the special schools and pupil referral units GIAS puts in
# other groups among them; a non-maintained special school is not).
LA_MAINTAINED_GROUP = "Local authority maintained schools"
LA_MAINTAINED_TYPES = frozenset(
    {
        "community school",
        "voluntary aided school",
        "voluntary controlled school",
        "foundation school",
        "community special school",
        "foundation special school",
        "pupil referral unit",
        "local authority nursery school",
        "la nursery school",
    }
)


def paid_through_local_authority(school: School | None) -> bool:
    """A school its local authority maintains is paid through the local authority, which passes the money
    on; academies, free schools and the rest are paid directly. An unknown school is not assumed to be."""
    if school is None:
        return False
    if school.group.strip().casefold() == LA_MAINTAINED_GROUP.casefold():
        return True
    return school.type_of_establishment.strip().casefold() in LA_MAINTAINED_TYPES


def london_date(at: dt.datetime) -> str:
    """GOV.UK style, the date in England: `2 December 2026`."""
    day = london_today(at)
    return f"{day.day} {day:%B %Y}"


def claim_link(claim: Claim, service_url: str) -> str:
    return f"{service_url.rstrip('/')}/schools/{claim.school_id}/claims/{claim.reference}"


def _claim_summary(claim: Claim, with_amount: bool = True) -> str:
    """`12345678 for Meadowbank Primary School (University of Nottingham, £262.80)`"""
    amount = f", {format_pounds(claim.amount_pence)}" if with_amount else ""
    return f"{claim.reference} for {plain_text(claim.school_name)} ({plain_text(claim.provider_name)}{amount})"


def paid_subject(reference: str) -> str:
    return f"Claim {reference} has been paid"


def information_requested_subject(reference: str) -> str:
    return f"More information is needed to pay claim {reference}"


def rejected_by_payer_subject(reference: str) -> str:
    return f"Claim {reference} will not be paid"


def claim_paid(
    claim: Claim,
    address: str,
    *,
    paid_at: dt.datetime,
    service_url: str,
    local_authority: str | None = None,
) -> EmailMessage:
    """To one user of the school: the claim has been paid, how much and when. `local_authority` is the
    name of the local authority that is paid for a maintained school ("" when GIAS has none), or None for
    a school that is paid directly."""
    lines = [
        f"Claim {_claim_summary(claim, with_amount=False)} has been paid.",
        "",
        f"Amount paid: {format_pounds(claim.amount_pence)}",
        f"Date paid: {london_date(paid_at)}",
        "",
    ]
    if local_authority is not None:
        who = plain_text(local_authority) or "the school's local authority"
        lines += [
            f"Because the school is maintained by its local authority, the payment is made to {who}, "
            "which passes it on to the school.",
            "",
        ]
    lines += [
        f"[View the claim]({claim_link(claim, service_url)})",
        "",
        f"If you have a question about this payment, email {SUPPORT_EMAIL}.",
    ]
    return EmailMessage(
        kind=CLAIM_PAID_KIND,
        to=address,
        subject=paid_subject(claim.reference),
        body="\n".join(lines),
        reference=claim.reference,
    )


def _reason_lines(reason: str | None) -> list[str]:
    text = plain_text(reason or "")
    return [f"Reason given by the payer: {text}", ""] if text else []


def information_requested(claim: Claim, address: str, *, reason: str | None, service_url: str) -> EmailMessage:
    """To one user of the school: the payer needs more information before it can pay the claim."""
    lines = [
        f"The payer needs more information before they can pay claim {_claim_summary(claim)}.",
        "",
        *_reason_lines(reason),
        "DfE support will contact you if they need anything from you. You do not need to do anything until then.",
        "",
        f"If you can help with the information the payer needs, email {SUPPORT_EMAIL} and include the claim "
        f"reference, {claim.reference}.",
        "",
        f"[View the claim]({claim_link(claim, service_url)})",
    ]
    return EmailMessage(
        kind=INFORMATION_REQUESTED_KIND,
        to=address,
        subject=information_requested_subject(claim.reference),
        body="\n".join(lines),
        reference=claim.reference,
    )


def rejected_by_payer(claim: Claim, address: str, *, reason: str | None, service_url: str) -> EmailMessage:
    """To one user of the school: the payer has rejected the claim and it will not be paid."""
    lines = [
        f"The payer has rejected claim {_claim_summary(claim)}. It will not be paid.",
        "",
        *_reason_lines(reason),
    ]
    if ClaimStatus.PAYMENT_NOT_APPROVED in HOURS_RELEASED:  # the mentors' hours go back to their allowance
        lines += [
            "The hours in this claim can be claimed again while a claim window for academic year "
            f"{claim.academic_year} is open.",
            "",
        ]
    lines += [
        f"[View the claim]({claim_link(claim, service_url)})",
        "",
        f"If you think this is wrong, or you have a question, email {SUPPORT_EMAIL}.",
    ]
    return EmailMessage(
        kind=REJECTED_BY_PAYER_KIND,
        to=address,
        subject=rejected_by_payer_subject(claim.reference),
        body="\n".join(lines),
        reference=claim.reference,
    )
