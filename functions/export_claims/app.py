"""ExportClaimsFunction: prepares the claims exports queued by "Download claims (CSV)" (ADR 0021).

One message per export (BatchSize 1). A message is done once its export is ready or failed; a delivery while
another holds the export is reported as a batch item failure, so SQS brings it back later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.claims.claims_export import ExportMessage
from shared.observability import logger, metrics, tracer
from shared.usecases.claims_export import run_export
from shared.usecases.startup import configure

configure()
# A busy delivery is a batch item failure, not a failed invocation (the batch is that one message).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


clock: Callable[[], dt.datetime] = _utcnow  # tests set the time, as they set the web apps' `app.clock`


def record_handler(record: SQSRecord) -> str:
    message = ExportMessage.model_validate_json(record.body)
    return run_export(message.export_id, clock()).value


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
