"""SendEmailFunction: sends queued emails through GOV.UK Notify (docs/adr/0038-sending-emails-through-notify.md).

SQS batches with partial failures (a message Notify did not take goes back to the queue, then to the DLQ after
five receives; one refused address is recorded on its users and not retried); Powertools idempotency on the SQS
message id, so a redelivered message is not sent twice. Reserved concurrency and pacing keep under Notify's limit.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.claims.emails import EmailMessage
from shared.observability import logger, metrics, tracer
from shared.usecases.send_email import REFUSED, TemporaryFailure, send
from shared.usecases.startup import configure

config = configure()  # the users table: a refused address is recorded on its users
# A batch in which nothing was sent (Notify down, or the sender paused after a 429) is still reported item by item.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
persistence = DynamoDBPersistenceLayer(table_name=config.idempotency_table)
idempotency = IdempotencyConfig(event_key_jmespath="message_id", expires_after_seconds=24 * 3600)


@idempotent_function(data_keyword_argument="delivery", persistence_store=persistence, config=idempotency)  # type: ignore[untyped-decorator]
def deliver(delivery: dict[str, str]) -> str:
    message = EmailMessage.model_validate_json(delivery["body"])
    try:
        notification_id = send(message)
    except TemporaryFailure as failure:
        logger.warning(
            "email not sent, will be retried",
            extra={
                "kind": message.kind,
                "reference": message.reference,
                "status_code": failure.status_code,
                "refusal": failure.refusal.value,
            },
        )
        metrics.add_metric(name="EmailSendFailed", unit="Count", value=1)
        raise
    if notification_id == REFUSED:
        logger.warning("email address refused by notify", extra={"kind": message.kind, "reference": message.reference})
        metrics.add_metric(name="EmailAddressRefused", unit="Count", value=1)
    else:
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
