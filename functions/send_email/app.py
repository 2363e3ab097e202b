"""SendEmailFunction: sends queued emails through GOV.UK Notify.

SQS batches with partial failures (a failed message goes back to the queue, then to the DLQ after
five tries); Powertools idempotency on the SQS message id, so a redelivered message is not sent twice.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.claims.emails import EmailMessage
from shared.config import settings
from shared.observability import logger, metrics, tracer
from shared.usecases.send_email import send

processor = BatchProcessor(event_type=EventType.SQS)
persistence = DynamoDBPersistenceLayer(table_name=settings().idempotency_table)
idempotency = IdempotencyConfig(event_key_jmespath="message_id", expires_after_seconds=24 * 3600)


@idempotent_function(data_keyword_argument="delivery", persistence_store=persistence, config=idempotency)  # type: ignore[untyped-decorator]
def deliver(delivery: dict[str, str]) -> str:
    message = EmailMessage.model_validate_json(delivery["body"])
    notification_id = send(message)
    logger.info("email sent", extra={"kind": message.kind, "reference": message.reference})
    metrics.add_metric(name="EmailSent", unit="Count", value=1)
    return notification_id


def record_handler(record: SQSRecord) -> str:
    return str(deliver(delivery={"message_id": record.message_id, "body": record.body}))


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
