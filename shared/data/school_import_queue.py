"""The school data imports queue: each import is one message; functions/import_schools runs it (ADR 26)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3

from shared.claims.gias import ImportMessage
from shared.config import settings


@lru_cache(maxsize=1)
def _sqs() -> Any:
    return boto3.client("sqs", region_name=settings().aws_region)


def enqueue(import_id: str) -> None:
    """Queue the import; raises if SQS refuses it."""
    _sqs().send_message(
        QueueUrl=settings().school_imports_queue_url,
        MessageBody=ImportMessage(import_id=import_id).model_dump_json(),
    )
