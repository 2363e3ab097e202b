"""The email queue: every email is a message; functions/send_email sends them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3

from shared.claims.emails import EmailMessage
from shared.config import settings


@lru_cache(maxsize=1)
def _sqs() -> Any:
    return boto3.client("sqs", region_name=settings().aws_region)


def enqueue(messages: list[EmailMessage]) -> None:
    """Queue messages in batches of 10 (SQS's limit); raises if any entry was refused."""
    queue_url = settings().email_queue_url
    for start in range(0, len(messages), 10):
        batch = messages[start : start + 10]
        response = _sqs().send_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(index), "MessageBody": message.model_dump_json()} for index, message in enumerate(batch)
            ],
        )
        if response.get("Failed"):
            raise RuntimeError(f"{len(response['Failed'])} email messages were not queued")
