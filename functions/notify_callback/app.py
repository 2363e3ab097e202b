"""NotifyCallbackFunction: `POST /notify/callback`, where GOV.UK Notify sends its delivery receipts (ADR 0038).

Notify calls it with `Authorization: Bearer <token>`, the token set on the service's callback in Notify and held in
the service's secret (`notify_callback_token`). A wrong or missing token is 401, a body that is not a receipt 400;
otherwise the status is recorded on the users with the address and the answer is 200.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger, metrics, tracer
from shared.usecases.delivery_receipts import receive
from shared.usecases.startup import configure

configure()


def _header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def _body(event: dict[str, Any]) -> str | None:
    body = event.get("body")
    if body is None or not event.get("isBase64Encoded"):
        return body if isinstance(body, str) else None
    try:
        return base64.b64decode(body).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    answer = receive(_header(event, "authorization"), _body(event))
    if answer.receipt is None:
        logger.warning("notify callback refused", extra={"status_code": answer.status_code})
    else:
        logger.info(
            "delivery receipt recorded",
            extra={"notification_id": answer.receipt.id, "status": answer.receipt.status, "users": len(answer.users)},
        )
        metrics.add_metric(name=f"EmailReceipt{answer.receipt.status.title().replace('-', '')}", unit="Count", value=1)
    return {
        "statusCode": answer.status_code,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps({"message": answer.message}),
    }
