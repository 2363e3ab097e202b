"""ValidateClaimsFunction (Step Functions tasks of the ValidateClaims step).

- `plan`: cut the window's submitted claims into pages of references (the Map's items).
- `page`: run the named checks and risk flags on one page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger, metrics, tracer
from shared.usecases.payment_run_tasks import RunState, ValidationPage, plan_validation, validate_page
from shared.usecases.startup import configure

configure()


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("action") == "page":
        return validate_page(ValidationPage.model_validate(event), dt.datetime.now(dt.UTC))
    state = {key: value for key, value in event.items() if key != "action"}
    return plan_validation(RunState.model_validate(state))
