"""The workflow's side of support review: wait for a decision on each flagged claim, or time out."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from shared.claims.statuses import ClaimStatus
from shared.data.claims_store import ClaimsStore
from shared.data.workflow import complete_review
from shared.observability import logger, metrics


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
    """Keep the task token with the claim; if a decision was made before the token arrived, complete
    the task straight away with that decision."""
    assert task.token is not None
    store = ClaimsStore()
    if store.store_review_token(task.reference, task.token):
        logger.info("waiting for a review", extra={"reference": task.reference, "run_id": task.run_id})
        return {"reference": task.reference, "waiting": "yes"}
    claim = store.get(task.reference)
    complete_review(task.token, claim.status is not ClaimStatus.REJECTED, task.reference)
    return {"reference": task.reference, "waiting": "no"}


def review_timed_out(task: ReviewTask, now: dt.datetime) -> dict[str, str]:
    """A review left too long: the claim stays in review, out of this run, and the timeout is recorded."""
    store = ClaimsStore()
    store.take_review_token(task.reference)
    store.record_event(
        task.reference, "review_timed_out", "payment-run", now, f"Not reviewed in time for {task.run_id}"
    )
    metrics.add_metric(name="ReviewTimedOut", unit="Count", value=1)
    logger.info("review timed out", extra={"reference": task.reference, "run_id": task.run_id})
    return {"reference": task.reference, "timed_out": "yes"}
