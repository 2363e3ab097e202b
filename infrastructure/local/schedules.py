"""Fire an EventBridge Scheduler schedule by hand: moto keeps schedules but never runs them.

`fire(name)` reads the schedule from Scheduler (get_schedule) and performs its target exactly as
Scheduler would: the universal target `arn:aws:scheduler:::aws-sdk:sfn:startExecution` calls
StartExecution with the parameters in the target's Input; a state machine ARN target starts an
execution with the Input as it is; a Lambda function target (the nightly check,
`local-CloseDueClaimWindowsSchedule`) is invoked with the Input. Then, like Scheduler, it deletes a schedule whose
ActionAfterCompletion is DELETE (pass `complete=False` to deliver the same schedule again, as
Scheduler's at-least-once delivery may).

    python -m infrastructure.local.schedules list
    python -m infrastructure.local.schedules fire close-window-2026-to-2027-1
    python -m infrastructure.local.schedules fire local-FetchGiasSchedule      # the nightly GIAS import (ADR 35)
    python -m infrastructure.local.schedules fire local-SyncProvidersSchedule  # the nightly provider sync (ADR 36)

The command talks to the running local stack's moto server: pass `--endpoint` (printed by
`make run` as "Local AWS (moto)") or set AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infrastructure.local.stack import REGION, resource_name

UNIVERSAL_TARGET_PREFIX = "arn:aws:scheduler:::aws-sdk:"


@dataclass(frozen=True)
class Fired:
    schedule: str
    execution_arn: str | None
    outcome: str  # "started", "already exists" (the Step Functions error), "invoked"; "deleted" is apart
    deleted: bool
    result: Any = None  # what a Lambda target returned


def default_group() -> str:
    """The claim windows' schedule group this process is configured with (or the local stack's)."""
    return os.environ.get("SCHEDULE_GROUP_NAME") or resource_name("ClaimWindowScheduleGroup")


def _clients() -> tuple[Any, Any]:
    return boto3.client("scheduler", region_name=REGION), boto3.client("stepfunctions", region_name=REGION)


def _camel(parameters: dict[str, Any]) -> dict[str, Any]:
    """Universal targets take the API's own (PascalCase) parameter names; boto3 wants camelCase."""
    return {key[:1].lower() + key[1:]: value for key, value in parameters.items()}


def fire(schedule_name: str, group_name: str | None = None, complete: bool = True) -> Fired:
    scheduler, sfn = _clients()
    group = group_name or default_group()
    schedule = scheduler.get_schedule(Name=schedule_name, GroupName=group)
    target = schedule["Target"]
    arn = str(target["Arn"])
    if arn.startswith("arn:aws:lambda:"):
        return _invoke(schedule_name, group, schedule, arn, complete, scheduler)
    if arn == f"{UNIVERSAL_TARGET_PREFIX}sfn:startExecution":
        request = _camel(json.loads(target.get("Input") or "{}"))
    elif arn.startswith("arn:aws:states:") and ":stateMachine:" in arn:
        # Scheduler names the execution itself; moto would call an unnamed one "None".
        request = {"stateMachineArn": arn, "name": f"{schedule_name}-{secrets.token_hex(8)}"}
        request["input"] = target.get("Input") or "{}"
    else:
        raise ValueError(f"{schedule_name}: this local helper cannot perform target {arn}")
    try:
        execution_arn: str | None = str(sfn.start_execution(**request)["executionArn"])
        outcome = "started"
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
            raise
        execution_arn, outcome = None, "already exists"
    deleted = False
    if complete and schedule.get("ActionAfterCompletion") == "DELETE":
        scheduler.delete_schedule(Name=schedule_name, GroupName=group)
        deleted = True
    return Fired(schedule_name, execution_arn, outcome, deleted)


def _invoke(
    schedule_name: str, group: str, schedule: dict[str, Any], arn: str, complete: bool, scheduler: Any
) -> Fired:
    """A Lambda target (the nightly check): invoked with the target's Input, as Scheduler does."""
    response = boto3.client("lambda", region_name=REGION).invoke(
        FunctionName=arn, InvocationType="RequestResponse", Payload=(schedule["Target"].get("Input") or "{}").encode()
    )
    outcome = "failed" if response.get("FunctionError") else "invoked"
    deleted = False
    if complete and schedule.get("ActionAfterCompletion") == "DELETE":
        scheduler.delete_schedule(Name=schedule_name, GroupName=group)
        deleted = True
    return Fired(schedule_name, None, outcome, deleted, json.loads(response["Payload"].read() or b"null"))


def list_schedules(group_name: str | None = None) -> list[dict[str, Any]]:
    """Every schedule in the group with its expression and time zone."""
    scheduler, _ = _clients()
    group = group_name or default_group()
    found: list[dict[str, Any]] = []
    for summary in scheduler.list_schedules(GroupName=group).get("Schedules", []):
        schedule = scheduler.get_schedule(Name=summary["Name"], GroupName=group)
        found.append(schedule)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infrastructure.local.schedules", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--endpoint", help="the local stack's moto URL (default: $AWS_ENDPOINT_URL)")
    parser.add_argument("--group", help="schedule group (default: the local claim windows group)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the schedules")
    fire_parser = commands.add_parser("fire", help="perform a schedule's target now")
    fire_parser.add_argument("name")
    fire_parser.add_argument("--keep", action="store_true", help="do not delete it afterwards")
    args = parser.parse_args(argv)

    if args.endpoint:
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint
    if not os.environ.get("AWS_ENDPOINT_URL"):
        parser.error("pass --endpoint (the local stack's moto URL) or set AWS_ENDPOINT_URL")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    group = args.group or resource_name("ClaimWindowScheduleGroup")

    if args.command == "list":
        for schedule in list_schedules(group):
            print(f"{schedule['Name']}\t{schedule['ScheduleExpression']}\t{schedule['ScheduleExpressionTimezone']}")
        return 0
    try:
        fired = fire(args.name, group, complete=not args.keep)
    except ClientError as error:
        print(f"{args.name}: {error.response.get('Error', {}).get('Message', error)}", file=sys.stderr)
        return 1
    print(f"{fired.schedule}: {fired.outcome}" + (f" ({fired.execution_arn})" if fired.execution_arn else ""))
    if fired.deleted:
        print(f"{fired.schedule}: deleted (ActionAfterCompletion DELETE)")
    if fired.result is not None:
        print(f"{fired.schedule}: {json.dumps(fired.result)}")
    return 0 if fired.outcome in ("started", "invoked") else 1


if __name__ == "__main__":
    sys.exit(main())
