"""The exports queue: each "Download claims (CSV)" is one message; functions/export_claims prepares it (ADR 0021)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3

from shared.claims.claims_export import ExportMessage
from shared.config import settings


@lru_cache(maxsize=1)
def _sqs() -> Any:
    return boto3.client("sqs", region_name=settings().aws_region)


def enqueue(export_id: str) -> None:
    """Queue the export's preparation; raises if SQS refuses it."""
    _sqs().send_message(
        QueueUrl=settings().exports_queue_url, MessageBody=ExportMessage(export_id=export_id).model_dump_json()
    )
