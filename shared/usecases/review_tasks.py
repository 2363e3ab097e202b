"""The workflow's side of support review: wait for a decision on each flagged claim, or time out."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from shared.claims.statuses import ClaimStatus
from shared.data.batches import PaymentRuns
from shared.data.claims import ClaimsStore
from shared.data.executions import complete_review, release_review
from shared.observability import logger, metrics
from shared.usecases.payment_run_tasks import TransientError


class ReviewTask(BaseModel):
    reference: str
    run_id: str
    token: str | None = None


def flagged_in_run(window_id: str, limit: int = 1000) -> list[str]:
    """References of the window's claims waiting for review (the Map's items: references only)."""
    found: list[str] = []
    for claims in ClaimsStore().pages_in_window(window_id, ClaimStatus.SUPPORT_REVIEW):
        found.extend(claim.reference for claim in claims)
        if len(found) >= limit:
            break
    return found[:limit]


def await_review(task: ReviewTask) -> dict[str, str]:
    """Keep this run's task token with the claim, so a support decision completes it.

    - A decision made before the token arrived completes the task straight away with that decision.
    - A token another run stored is replaced only if that run is no longer active (a failed or finished
      run's execution waits for nothing); while it is active, this run does not wait for the claim.
    - The token is written on condition that it is still the one just read, so two runs never overwrite
      each other's (each keeps its own, or one learns the other holds the claim).
    """
    assert task.token is not None
    store = ClaimsStore()
    for _ in range(3):
        status, held, holder = store.review_holder(task.reference)
        if status is not ClaimStatus.SUPPORT_REVIEW:
            complete_review(task.token, status is not ClaimStatus.REJECTED, task.reference)
            return {"reference": task.reference, "waiting": "no"}
        if held and holder and holder != task.run_id:
            other = PaymentRuns().get(holder)
            if other is not None and other.active:
                release_review(task.token, task.reference, holder)
                logger.info("review held by another run", extra={"reference": task.reference, "run_id": task.run_id})
                return {"reference": task.reference, "waiting": "no"}
        if store.store_review_token(task.reference, task.token, task.run_id, replacing=held):
            logger.info("waiting for a review", extra={"reference": task.reference, "run_id": task.run_id})
            return {"reference": task.reference, "waiting": "yes"}
    raise TransientError(f"the review token of {task.reference} kept changing")


def review_timed_out(task: ReviewTask, now: dt.datetime) -> dict[str, str]:
    """A review left too long: the claim stays in review, out of this run, and the timeout is recorded."""
    store = ClaimsStore()
    store.take_review_token(task.reference, run_id=task.run_id)
    store.record_event(
        task.reference, "review_timed_out", "payment-run", now, f"Not reviewed in time for {task.run_id}"
    )
    metrics.add_metric(name="ReviewTimedOut", unit="Count", value=1)
    logger.info("review timed out", extra={"reference": task.reference, "run_id": task.run_id})
    return {"reference": task.reference, "timed_out": "yes"}
