"""Completing the claim-window workflow's waiting review tasks (Step Functions task tokens)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from shared.config import settings

REJECTED = "ClaimRejected"


@lru_cache(maxsize=1)
def _sfn() -> Any:
    return boto3.client("stepfunctions", region_name=settings().aws_region)


def complete_review(token: str, approved: bool, reference: str) -> bool:
    """Tell the waiting review task the decision; False when the task is no longer waiting (it timed
    out, or its run has ended) — the decision on the claim stands either way."""
    try:
        if approved:
            _sfn().send_task_success(
                taskToken=token, output=json.dumps({"reference": reference, "decision": "approved"})
            )
        else:
            _sfn().send_task_failure(taskToken=token, error=REJECTED, cause=f"Claim {reference} rejected by support")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken"):
            return False
        raise
    return True
