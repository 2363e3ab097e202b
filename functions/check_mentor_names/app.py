"""CheckMentorNamesFunction (MentorNamesQueue's consumer): look one queued TRN up in the Teaching Record and
bring the mentor's names up to date, or mark them not found (ADR 0037).

One message per invocation (BatchSize 1), so the function's timeout bounds one check. A check the Teaching
Record cannot answer yet (down, or 429s, or no place free in the rate limit) is a batch item failure: SQS
brings it back after the visibility timeout. Its last delivery (MAX_RECEIVES) counts it as not checked instead,
so the run still finishes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.claims.mentor_names import MAX_RECEIVES, CheckMessage
from shared.observability import logger, metrics, tracer
from shared.usecases.mentor_names import check_mentor
from shared.usecases.startup import configure

configure()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


clock: Callable[[], dt.datetime] = _utcnow  # tests set the time and the waits
sleep: Callable[[float], None] = time.sleep


def record_handler(record: SQSRecord) -> str:
    message = CheckMessage.model_validate_json(record.body)
    last_delivery = int(record.attributes.approximate_receive_count or 1) >= MAX_RECEIVES
    return check_mentor(message, lambda: clock(), lambda seconds: sleep(seconds), last_delivery=last_delivery).value


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
