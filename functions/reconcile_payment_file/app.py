"""ReconcilePaymentFileFunction (Step Functions task): check the payment file against its run's claims."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger, metrics, tracer
from shared.usecases.payment_run_tasks import RunState, reconcile_payment_file
from shared.usecases.startup import configure

configure()


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return reconcile_payment_file(RunState.model_validate(event), dt.datetime.now(dt.UTC)).model_dump()
