"""Every Step Functions call the service makes: start and describe claim-window executions, and complete
the review tasks they wait on (task tokens).

Executions are always named (`shared.claims.payment_runs`): Step Functions refuses a second execution of a
name, so a start happens once however many people, schedules and retries ask for it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from shared.config import settings

REJECTED = "ClaimRejected"  # the review task's error when support rejects the claim (the Map catches it)
IN_ANOTHER_RUN = "ClaimInAnotherRun"  # the claim's review belongs to another active run: not this one's


class ExecutionsNotConfigured(Exception):
    """The function was not told the claim-window state machine's ARN."""


@dataclass(frozen=True)
class Execution:
    """A claim-window execution as Step Functions knows it."""

    name: str
    execution_arn: str
    status: str  # RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    started_at: dt.datetime | None
    started_now: bool  # True when this call started it


@lru_cache(maxsize=1)
def _sfn() -> Any:
    return boto3.client("stepfunctions", region_name=settings().aws_region)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def state_machine_arn() -> str:
    arn = settings().claim_window_state_machine_arn
    if not arn:
        raise ExecutionsNotConfigured("CLAIM_WINDOW_STATE_MACHINE_ARN must be set")
    return arn


def audit_state_machine_arn() -> str:
    """The audit workflow's state machine (ADR 0031)."""
    arn = settings().audit_state_machine_arn
    if not arn:
        raise ExecutionsNotConfigured("AUDIT_STATE_MACHINE_ARN must be set")
    return arn


def execution_arn(name: str, machine: str | None = None) -> str:
    return f"{(machine or state_machine_arn()).replace(':stateMachine:', ':execution:', 1)}:{name}"


def describe(name: str, machine: str | None = None) -> Execution | None:
    """The execution with this name (of the claim-window machine unless `machine` is given), or None when it
    was never started."""
    arn = execution_arn(name, machine)
    try:
        found = _sfn().describe_execution(executionArn=arn)
    except ClientError as error:
        if _code(error) == "ExecutionDoesNotExist":
            return None
        raise
    return Execution(name, arn, str(found["status"]), found.get("startDate"), started_now=False)


def start(name: str, payload: dict[str, Any], machine: str | None = None) -> Execution:
    """Start the named execution, or return the one that already has the name (`started_now=False`).

    Step Functions answers a repeat of a running execution's name *and input* with that execution rather
    than an error, so the name is looked up first; ExecutionAlreadyExists covers the race after that.
    """
    existing = describe(name, machine)
    if existing is not None:
        return existing
    try:
        started = _sfn().start_execution(
            stateMachineArn=machine or state_machine_arn(), name=name, input=json.dumps(payload)
        )
    except ClientError as error:
        if _code(error) != "ExecutionAlreadyExists":
            raise
        again = describe(name, machine)
        if again is None:
            raise
        return again
    return Execution(name, str(started["executionArn"]), "RUNNING", started.get("startDate"), started_now=True)


# -- review tasks ---------------------------------------------------------------------------------------
def complete_review(token: str, approved: bool, reference: str) -> bool:
    """Tell the waiting review task the decision; False when the task is no longer waiting (it timed
    out, or its run has ended): the decision on the claim stands either way."""
    if approved:
        return _send(lambda: _sfn().send_task_success(taskToken=token, output=json.dumps({"reference": reference})))
    return _send(lambda: _sfn().send_task_failure(taskToken=token, error=REJECTED, cause=f"Claim {reference} rejected"))


def release_review(token: str, reference: str, other_run: str) -> bool:
    """End a review task without waiting: the claim's review is held by another run that is still active."""
    return _send(
        lambda: _sfn().send_task_failure(
            taskToken=token, error=IN_ANOTHER_RUN, cause=f"Claim {reference} is waiting for review in {other_run}"
        )
    )


def _send(call: Any) -> bool:
    try:
        call()
    except ClientError as error:
        if _code(error) in ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken"):
            return False
        raise
    return True
