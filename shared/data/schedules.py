"""Each claim window's close schedule (EventBridge Scheduler): the only code that calls Scheduler.

A window's schedule is one-time, `at(<close date>T23:59:59)` in Europe/London, in the configured schedule
group, named `close-<window id>`, and deletes itself once it has run. Its target is Scheduler's universal
target `aws-sdk:sfn:startExecution` (the Step Functions target cannot name executions), so the run is named
`<window id>-run-1` whether the schedule, the nightly check or a support user ("Close window now") starts
it: Step Functions refuses a second execution of that name (ADR 0009). Executions are `shared.data.executions`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Literal

import boto3
from botocore.exceptions import ClientError

from shared.claims.academic_years import LONDON
from shared.claims.payment_runs import close_run_input, first_run_id
from shared.claims.windows import ClaimWindow
from shared.config import Settings, settings

START_EXECUTION_TARGET = "arn:aws:scheduler:::aws-sdk:sfn:startExecution"
TIMEZONE = "Europe/London"
# Transient failures (throttling, Step Functions unavailable) are retried for up to an hour; a refusal
# such as ExecutionAlreadyExists is not retried and lands on the dead-letter queue, which is alarmed.
RETRY_POLICY = {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 5}


class SchedulesNotConfigured(Exception):
    """The function was not told the schedule group, the scheduler role or the state machine."""


@lru_cache(maxsize=1)
def _scheduler() -> Any:
    return boto3.client("scheduler", region_name=settings().aws_region)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _configured() -> Settings:
    config = settings()
    if not (config.schedule_group_name and config.scheduler_role_arn and config.claim_window_state_machine_arn):
        raise SchedulesNotConfigured(
            "SCHEDULE_GROUP_NAME, SCHEDULER_ROLE_ARN and CLAIM_WINDOW_STATE_MACHINE_ARN must all be set"
        )
    return config


# -- the schedule ---------------------------------------------------------------------------------
def schedule_name(window_id: str) -> str:
    return f"close-{window_id}"


def close_expression(window: ClaimWindow) -> str:
    """`at(2027-07-19T23:59:59)`: local time, read in ScheduleExpressionTimezone (Europe/London)."""
    return f"at({window.closes_at.astimezone(LONDON):%Y-%m-%dT%H:%M:%S})"


def start_execution_parameters(window_id: str, state_machine_arn: str) -> dict[str, str]:
    """The StartExecution request the schedule's universal target makes (its `Input`)."""
    return {
        "StateMachineArn": state_machine_arn,
        "Name": first_run_id(window_id),
        "Input": json.dumps(close_run_input(window_id)),
    }


def schedule_request(window: ClaimWindow, config: Settings) -> dict[str, Any]:
    """CreateSchedule/UpdateSchedule arguments for a window (an update replaces every field)."""
    target: dict[str, Any] = {
        "Arn": START_EXECUTION_TARGET,
        "RoleArn": config.scheduler_role_arn,
        "Input": json.dumps(start_execution_parameters(window.window_id, config.claim_window_state_machine_arn)),
        "RetryPolicy": dict(RETRY_POLICY),
    }
    if config.schedule_dead_letter_queue_arn:
        target["DeadLetterConfig"] = {"Arn": config.schedule_dead_letter_queue_arn}
    return {
        "Name": schedule_name(window.window_id),
        "GroupName": config.schedule_group_name,
        "Description": f"Close claim window {window.window_id} ({window.academic_year.name}) and start its payment run",
        "ScheduleExpression": close_expression(window),
        "ScheduleExpressionTimezone": TIMEZONE,
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "State": "ENABLED",
        "Target": target,
    }


def put_close_schedule(window: ClaimWindow) -> Literal["created", "updated"]:
    """Create the window's schedule, or update it when it exists (get → update, else create)."""
    config = _configured()
    request = schedule_request(window, config)
    scheduler = _scheduler()
    if _get(scheduler, window.window_id, config) is not None:
        scheduler.update_schedule(**request)
        return "updated"
    try:
        scheduler.create_schedule(**request)
    except ClientError as error:
        if _code(error) != "ConflictException":  # created in between: update it instead
            raise
        scheduler.update_schedule(**request)
        return "updated"
    return "created"


def delete_close_schedule(window_id: str) -> bool:
    """Delete the window's schedule; False when there was none (already run, or already deleted)."""
    config = _configured()
    try:
        _scheduler().delete_schedule(Name=schedule_name(window_id), GroupName=config.schedule_group_name)
    except ClientError as error:
        if _code(error) == "ResourceNotFoundException":
            return False
        raise
    return True


def close_schedule(window_id: str) -> dict[str, Any] | None:
    """The window's schedule as Scheduler describes it, or None when there is none."""
    config = _configured()
    return _get(_scheduler(), window_id, config)


def _get(scheduler: Any, window_id: str, config: Settings) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = scheduler.get_schedule(
            Name=schedule_name(window_id), GroupName=config.schedule_group_name
        )
    except ClientError as error:
        if _code(error) == "ResourceNotFoundException":
            return None
        raise
    return found
