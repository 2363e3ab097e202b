"""SendRemindersFunction (daily, 9am in England): the claim-window emails schools are owed today (ADR 0039)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger, metrics, tracer
from shared.usecases.reminders import send_due_reminders
from shared.usecases.startup import configure

configure()


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    sent = send_due_reminders(dt.datetime.now(dt.UTC))
    return {"reminders": [{"key": s.key, "schools": s.schools, "emails": s.emails, "skipped": s.skipped} for s in sent]}
