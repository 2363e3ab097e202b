"""Support review of claims the window-close checks flagged: the queue, a claim, approve or reject."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.claims.claim import Claim
from shared.claims.claim_actions import Rejection
from shared.claims.errors import VendorNumberMissing
from shared.claims.people import User
from shared.claims.school_emails import claim_rejected_email, rejection_undone_email
from shared.claims.statuses import ClaimStatus
from shared.config import settings
from shared.data.batches import PaymentRuns
from shared.data.claim_windows import ClaimWindows
from shared.data.claims import ClaimsStore
from shared.data.emails import enqueue
from shared.data.executions import complete_review
from shared.data.organisations import Organisations
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


def _reasons(events: list[dict[str, Any]]) -> list[str]:
    flagged = [e for e in events if e["action"] == "flagged_by_validation"]
    return [part.strip() for part in (flagged[-1]["reason"] or "").split(";") if part.strip()] if flagged else []


def flag_reasons_from(events: list[dict[str, Any]]) -> list[str]:
    """Why the checks sent the claim to review, from its events (its latest "flagged" event)."""
    return _reasons(events)


def queue_with_reasons() -> list[tuple[Claim, list[str]]]:
    """The review queue, each claim with why it was flagged (the queue page)."""
    return [(claim, flag_reasons(claim.reference)) for claim in queue()]


def flag_reasons(reference: str) -> list[str]:
    """Why the checks sent the claim to review (from its latest "flagged" event)."""
    return _reasons(ClaimsStore().events(reference))


def approve(claim: Claim, user: User, now: dt.datetime) -> Claim:
    """Back to ready: the next payment run of its window pays it (validated, so not flagged again).
    VendorNumberMissing while its school has no vendor number (no payment file may hold the claim)."""
    school = Organisations().schools([claim.school_id]).get(claim.school_id)
    if school is not None and not school.has_vendor_number:
        raise VendorNumberMissing(claim.school_id, school.name)
    ready = ClaimsStore().change_status(
        claim,
        ClaimStatus.SUBMITTED,
        user.user_id,
        now,
        f"Approved by {user.full_name}",
        validated_run=f"approved-by-{user.user_id}",  # ready for payment in the same write
        detail={"window_files": window_files(claim.window_id)},
    )
    _complete_waiting_task(claim.reference, approved=True)
    logger.info("claim approved after review", extra={"reference": claim.reference, "user_id": user.user_id})
    metrics.add_metric(name="ClaimApprovedAfterReview", unit="Count", value=1)
    return ready


def reject(claim: Claim, user: User, rejection: Rejection, now: dt.datetime) -> Claim:
    """Rejected by support for the reasons ticked: the hours go back (in the same transaction) and the
    school is told why."""
    reason = rejection.text
    detail = {
        "reasons": [r.value for r in rejection.reasons],
        "other": rejection.other,
        "window_files": window_files(claim.window_id),
    }
    rejected = ClaimsStore().change_status(claim, ClaimStatus.REJECTED, user.user_id, now, reason, detail=detail)
    _complete_waiting_task(claim.reference, approved=False)
    logger.info("claim rejected after review", extra={"reference": claim.reference, "user_id": user.user_id})
    metrics.add_metric(name="ClaimRejectedAfterReview", unit="Count", value=1)
    try:
        service_url = settings().service_url
        enqueue(
            [
                claim_rejected_email(rejected, address, reason=reason, service_url=service_url)
                for address in member_emails(claim.school_id)
            ]
        )
    except Exception:  # noqa: BLE001 - the decision stands; the email failure is reported
        logger.exception("claim rejected email not queued", extra={"reference": claim.reference})
        metrics.add_metric(name="EmailNotQueued", unit="Count", value=1)
    return rejected


def window_files(window_id: str) -> list[str]:
    """The window's payment runs that have written a file (recorded with a decision: see undo)."""
    return sorted(run.run_id for run in PaymentRuns().all() if run.window_id == window_id and run.file_key)


def _complete_waiting_task(reference: str, approved: bool) -> None:
    """If the claim's payment run is waiting for this review, let it go on (and put an approved claim
    in its file)."""
    token = ClaimsStore().take_review_token(reference)
    if token and not complete_review(token, approved, reference):
        logger.info("review task no longer waiting", extra={"reference": reference})


def tell_school_rejection_undone(claim: Claim) -> None:
    """A rejection undone: the school's users hear the claim is being looked at again."""
    try:
        service_url = settings().service_url
        enqueue([rejection_undone_email(claim, a, service_url=service_url) for a in member_emails(claim.school_id)])
    except Exception:  # noqa: BLE001 - the claim is back in review; the email failure is reported
        logger.exception("rejection undone email not queued", extra={"reference": claim.reference})
        metrics.add_metric(name="EmailNotQueued", unit="Count", value=1)
