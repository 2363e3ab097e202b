"""AwaitReviewFunction (Step Functions tasks of the SupportReview step).

- `list`: the window's claims waiting for review, as references (the Map's items).
- `await` (`.waitForTaskToken`): keep the task token with the claim; the support decision completes it.
- `timed_out`: record that the review was not done in time; the claim stays out of this run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger, metrics, tracer
from shared.usecases.review_tasks import ReviewTask, await_review, flagged_in_run, review_timed_out
from shared.usecases.startup import configure

configure()


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    action = event.get("action")
    if action == "list":
        window_id = event.get("window_id")
        reviews = flagged_in_run(str(window_id)) if window_id else []
        return {**{k: v for k, v in event.items() if k != "action"}, "reviews": reviews}
    task = ReviewTask.model_validate(event)
    if action == "await":
        return await_review(task)
    if action == "timed_out":
        return review_timed_out(task, dt.datetime.now(dt.UTC))
    raise ValueError(f"unknown action {action!r}")
