"""ImportSchoolsFunction: imports the GIAS establishment data support uploaded on Settings → School data (ADR 0026).

One message per import (BatchSize 1). A message is done once its import has finished or failed; a delivery while
another holds the import is reported as a batch item failure, so SQS brings it back later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.claims.gias import ImportMessage
from shared.observability import logger, metrics, tracer
from shared.usecases.school_data import run_import
from shared.usecases.startup import configure

configure()
# A busy delivery is a batch item failure, not a failed invocation (the batch is that one message).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


clock: Callable[[], dt.datetime] = _utcnow  # tests set the time, as they set the web apps' `app.clock`


def record_handler(record: SQSRecord) -> str:
    message = ImportMessage.model_validate_json(record.body)
    return run_import(message.import_id, lambda: clock()).value


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
