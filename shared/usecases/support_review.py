"""Support review of claims the window-close checks flagged: the queue, a claim, approve or reject."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shared.claims.claim import Claim
from shared.claims.emails import SUPPORT_EMAIL, EmailMessage
from shared.claims.money import format_pounds
from shared.claims.people import User
from shared.claims.statuses import ClaimStatus
from shared.config import settings
from shared.data.claim_windows import ClaimWindows
from shared.data.claims import ClaimsStore
from shared.data.emails import enqueue
from shared.data.executions import complete_review
from shared.data.users import member_emails
from shared.observability import logger, metrics


def queue() -> list[Claim]:
    """Claims waiting for review, oldest first: one Query per claim window (a few dozen at most)."""
    store = ClaimsStore()
    waiting: list[Claim] = []
    for window in ClaimWindows().all():
        for claims in store.pages_in_window(window.window_id, ClaimStatus.SUPPORT_REVIEW):
            waiting.extend(claims)
    return sorted(waiting, key=lambda c: (c.submitted_at or c.created_at, c.reference))


@dataclass(frozen=True)
class ClaimView:
    """A claim's support page: the claim, why it was flagged, and its events."""

    claim: Claim
    reasons: list[str]
    events: list[dict[str, Any]]

    @property
    def in_review(self) -> bool:
        return self.claim.status is ClaimStatus.SUPPORT_REVIEW


def claim_view(reference: str) -> ClaimView:
    """Raises ClaimNotFound for a reference that does not exist."""
    store = ClaimsStore()
    claim = store.get(reference)
    events = store.events(reference)
    return ClaimView(claim, _reasons(events), events)


def claim(reference: str) -> Claim:
    return ClaimsStore().get(reference)


def _reasons(events: list[dict[str, Any]]) -> list[str]:
    flagged = [e for e in events if e["action"] == "flagged_by_validation"]
    return [part.strip() for part in (flagged[-1]["reason"] or "").split(";") if part.strip()] if flagged else []


def queue_with_reasons() -> list[tuple[Claim, list[str]]]:
    """The review queue, each claim with why it was flagged (the queue page)."""
    return [(claim, flag_reasons(claim.reference)) for claim in queue()]


def flag_reasons(reference: str) -> list[str]:
    """Why the checks sent the claim to review (from its latest "flagged" event)."""
    return _reasons(ClaimsStore().events(reference))


def approve(claim: Claim, user: User, now: dt.datetime) -> Claim:
    """Back to ready: the next payment run of its window pays it (validated, so not flagged again)."""
    ready = ClaimsStore().change_status(
        claim,
        ClaimStatus.SUBMITTED,
        user.user_id,
        now,
        f"Approved by {user.full_name}",
        validated_run=f"approved-by-{user.user_id}",  # ready for payment in the same write
    )
    _complete_waiting_task(claim.reference, approved=True)
    logger.info("claim approved after review", extra={"reference": claim.reference, "user_id": user.user_id})
    metrics.add_metric(name="ClaimApprovedAfterReview", unit="Count", value=1)
    return ready


def reject(claim: Claim, user: User, reason: str, now: dt.datetime) -> Claim:
    """Rejected by support: the hours go back (in the same transaction) and the school is told why."""
    rejected = ClaimsStore().change_status(claim, ClaimStatus.REJECTED, user.user_id, now, reason)
    _complete_waiting_task(claim.reference, approved=False)
    logger.info("claim rejected after review", extra={"reference": claim.reference, "user_id": user.user_id})
    metrics.add_metric(name="ClaimRejectedAfterReview", unit="Count", value=1)
    try:
        enqueue([rejected_email(rejected, reason, address) for address in member_emails(claim.school_id)])
    except Exception:  # noqa: BLE001 - the decision stands; the email failure is reported
        logger.exception("claim rejected email not queued", extra={"reference": claim.reference})
    return rejected


def _complete_waiting_task(reference: str, approved: bool) -> None:
    """If the claim's payment run is waiting for this review, let it go on (and put an approved claim
    in its file)."""
    token = ClaimsStore().take_review_token(reference)
    if token and not complete_review(token, approved, reference):
        logger.info("review task no longer waiting", extra={"reference": reference})


def rejected_email(claim: Claim, reason: str, address: str) -> EmailMessage:
    link = f"{settings().service_url}/schools/{claim.school_id}/claims/{claim.reference}"
    body = (
        f"We have checked claim {claim.reference} for {claim.school_name} "
        f"({claim.provider_name}, {format_pounds(claim.amount_pence)}) and we cannot pay it.\n\n"
        f"Reason: {reason}\n\n"
        "The hours in this claim can be claimed again while a claim window is open.\n\n"
        f"[View the claim]({link})\n\n"
        f"If you think this is wrong, email {SUPPORT_EMAIL}."
    )
    return EmailMessage(
        kind="claim_rejected",
        to=address,
        subject="Your claim for mentor training funding has been rejected",
        body=body,
        reference=claim.reference,
    )
