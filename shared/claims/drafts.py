"""Drafts DfE support prepares for a school (ADR 0022): how the school sees them, when one can still be
submitted, and the email that tells the school's users about it.

A draft is a claim item in status `draft` with `prepared_by` set to the support user. It holds no hours
(`statuses.holds_hours`): only the school's own submission, with its declaration, takes hours from the
mentors' allowances, in the same transaction that turns the draft into the submitted claim.

Pure: no AWS, no web.
"""

from __future__ import annotations

import datetime as dt

from shared.claims.claim import Claim
from shared.claims.emails import SUPPORT_EMAIL, EmailMessage, plain_text
from shared.claims.errors import ConcurrentUpdate
from shared.claims.money import format_pounds
from shared.claims.statuses import ClaimStatus
from shared.claims.windows import ClaimWindow

# The claim event a support user's draft starts with. Creating a draft is not a status change (there is no
# status before it), so it is not in the transition table; it is recorded in the same transaction as the put.
DRAFT_PREPARED_BY_SUPPORT = "draft_prepared_by_support"
DRAFT_PREPARED_KIND = "draft_prepared_by_support"

PREPARED_BY_SUPPORT_LABEL = "Draft — prepared by DfE support"


class DraftChanged(ConcurrentUpdate):
    """The draft is no longer the one read (submitted in another tab, expired or moved at window close)."""


def prepared_by_support(claim: Claim) -> bool:
    return claim.status is ClaimStatus.DRAFT and claim.prepared_by is not None


def school_status_text(claim: Claim) -> str:
    """The status tag's text on the school's pages: a support user's draft says who prepared it."""
    return PREPARED_BY_SUPPORT_LABEL if prepared_by_support(claim) else claim.status_label


def can_submit_draft(claim: Claim, window: ClaimWindow | None, now: dt.datetime) -> bool:
    """A draft can be changed and submitted while its own claim window is open (at window close it moves to
    the next window of the same academic year, or expires)."""
    return (
        claim.status is ClaimStatus.DRAFT
        and window is not None
        and window.window_id == claim.window_id
        and window.is_open(now)
    )


def closes_text(window: ClaimWindow) -> str:
    """`11:59pm on 12 January 2027`: when the window closes, GOV.UK style."""
    return f"11:59pm on {window.closes_on.day} {window.closes_on:%B %Y}"


def draft_prepared_subject(school_name: str) -> str:
    return f"DfE support has prepared a draft claim for {plain_text(school_name)}"


def draft_prepared_email(claim: Claim, address: str, *, window: ClaimWindow, service_url: str) -> EmailMessage:
    """To one user of the school: support has prepared a draft; check it, change it, submit it in time."""
    link = f"{service_url.rstrip('/')}/schools/{claim.school_id}/claims/{claim.reference}"
    mentors = "mentor" if len(claim.mentors) == 1 else "mentors"
    lines = [
        f"DfE support has prepared a draft claim for mentor training funding for {plain_text(claim.school_name)}.",
        "",
        f"Claim reference: {claim.reference}",
        f"Accredited provider: {plain_text(claim.provider_name)}",
        f"Number of {mentors}: {len(claim.mentors)}",
        f"Amount: {format_pounds(claim.amount_pence)}",
        "",
        "The claim has not been submitted. To claim the funding, you need to:",
        "",
        "* check the accredited provider, the mentors and their hours of training",
        "* change anything that is not right",
        f"* submit the claim before the claim window closes at {closes_text(window)}",
        "",
        "A draft claim that has not been submitted when the claim window closes will not be paid.",
        "",
        f"[View the draft claim]({link})",
        "",
        f"If you have any questions, email {SUPPORT_EMAIL}.",
    ]
    return EmailMessage(
        kind=DRAFT_PREPARED_KIND,
        to=address,
        subject=draft_prepared_subject(claim.school_name),
        body="\n".join(lines),
        reference=claim.reference,
    )
