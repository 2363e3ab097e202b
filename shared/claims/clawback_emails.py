"""The emails a school's users get about a clawback of their claim after its audit (ADR 0033): a clawback has
been requested (a second support user approved it), and the clawback is complete (the payer confirmed the money
was recovered).

Pure: a claim, the amount and an address in, an `EmailMessage` out. Bodies are GOV.UK Notify markdown; the
school's and provider's names come from outside, so they go in as plain text. The reference is the claim's.
"""

from __future__ import annotations

from shared.claims.claim import Claim
from shared.claims.emails import SUPPORT_EMAIL, EmailMessage, plain_text
from shared.claims.money import format_pounds
from shared.claims.outcome_emails import claim_link

CLAWBACK_REQUESTED_KIND = "claim_clawback_requested"
CLAWBACK_COMPLETE_KIND = "claim_clawback_complete"


def clawback_requested_subject(reference: str) -> str:
    return f"A clawback has been requested for claim {reference}"


def clawback_complete_subject(reference: str) -> str:
    return f"The clawback for claim {reference} is complete"


def _claim_summary(claim: Claim) -> str:
    return f"{claim.reference} for {plain_text(claim.school_name)} ({plain_text(claim.provider_name)})"


def clawback_requested_email(claim: Claim, address: str, *, amount_pence: int, service_url: str) -> EmailMessage:
    """To one user of the school: after the audit of the claim, a clawback of `amount_pence` has been requested
    from the school through the payer."""
    amount = format_pounds(amount_pence)
    lines = [
        f"A clawback of {amount} has been requested for claim {_claim_summary(claim)}.",
        "",
        "This is because the audit of the claim found that not all the training claimed for was completed.",
        "",
        f"Amount to be clawed back: {amount}",
        "",
        "The payer will recover this amount. You do not need to do anything now.",
        "",
        f"[View the claim]({claim_link(claim, service_url)})",
        "",
        f"If you have a question about this clawback, email {SUPPORT_EMAIL} and include the claim reference, "
        f"{claim.reference}.",
    ]
    return EmailMessage(
        kind=CLAWBACK_REQUESTED_KIND,
        to=address,
        subject=clawback_requested_subject(claim.reference),
        body="\n".join(lines),
        reference=claim.reference,
    )


def clawback_complete_email(claim: Claim, address: str, *, amount_pence: int, service_url: str) -> EmailMessage:
    """To one user of the school: the payer has confirmed the clawback of `amount_pence` for the claim was
    recovered."""
    amount = format_pounds(amount_pence)
    lines = [
        f"The clawback of {amount} for claim {_claim_summary(claim)} is complete.",
        "",
        f"Amount clawed back: {amount}",
        "",
        "You do not need to do anything.",
        "",
        f"[View the claim]({claim_link(claim, service_url)})",
        "",
        f"If you have a question about this clawback, email {SUPPORT_EMAIL} and include the claim reference, "
        f"{claim.reference}.",
    ]
    return EmailMessage(
        kind=CLAWBACK_COMPLETE_KIND,
        to=address,
        subject=clawback_complete_subject(claim.reference),
        body="\n".join(lines),
        reference=claim.reference,
    )
