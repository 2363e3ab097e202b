"""StartDueRunsFunction (the nightly check): start the first payment run of each window past its close date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger, metrics, tracer
from shared.usecases.payment_runs import start_due_runs
from shared.usecases.startup import configure

configure()


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    started = start_due_runs(dt.datetime.now(dt.UTC))
    return {"runs": [{"window_id": s.window_id, "run_id": s.run_id, "started": s.started} for s in started]}
