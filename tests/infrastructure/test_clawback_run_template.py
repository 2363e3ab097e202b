"""The clawback run in template.yaml and its ASL (docs/adr/0034-the-clawback-run.md): statelint accepts it, every
task retries transient errors and catches into a recorded failure, a run in flight elsewhere and a run with
nothing to claw back end cleanly, the weekly schedule starts it in London time through a role that can do nothing
else, and its roles reach only what they need."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infrastructure.test_template import as_list, function_role_id, references, role_statements, tool

TRANSIENT = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "TransientError",
}
FLOW = ["Begin", "InFlightElsewhere", "Take", "AnythingToClawBack", "WriteFile", "Reconcile", "MoveClaims"]


@pytest.fixture(scope="module")
def asl_path(template: dict[str, Any], root: Path) -> Path:
    return root / str(template["Resources"]["ClawbackRunStateMachine"]["Properties"]["DefinitionUri"])


@pytest.fixture(scope="module")
def asl(asl_path: Path) -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(asl_path.read_text(encoding="utf-8"))
    return definition


def test_statelint_accepts_the_clawback_run(root: Path, asl_path: Path) -> None:
    result = subprocess.run(
        [tool("statelint"), str(asl_path)], cwd=root, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "", result.stdout


def test_the_run_takes_writes_reconciles_moves_then_notifies_the_payer(asl: dict[str, Any]) -> None:
    states = asl["States"]
    assert asl["StartAt"] == "Begin"
    order = ["Begin"]
    while order[-1] != "NotifyPayer":
        state = states[order[-1]]
        order.append(state["Default"] if state["Type"] == "Choice" else state["Next"])
    assert order == [*FLOW, "NotifyPayer"]
    assert states["NotifyPayer"]["Next"] == "Sent"
    # And a run another run's lock stopped, or with nothing to claw back, ends without a file or an email
    assert states["InFlightElsewhere"]["Choices"] == [
        {"Variable": "$.skipped", "BooleanEquals": True, "Next": "NotStarted"}
    ]
    assert states["AnythingToClawBack"]["Choices"] == [
        {"Variable": "$.no_claims", "BooleanEquals": True, "Next": "NothingToClawBack"}
    ]
    assert states["NotStarted"]["Type"] == states["NothingToClawBack"]["Type"] == "Succeed"


def test_every_task_passes_its_action_and_the_state_retries_transient_errors_and_catches_into_record_failure(
    asl: dict[str, Any],
) -> None:
    tasks = {name: state for name, state in asl["States"].items() if state["Type"] == "Task"}
    actions = {name: state["Parameters"]["Payload"]["action"] for name, state in tasks.items()}
    assert actions == {
        "Begin": "begin",
        "Take": "take",
        "WriteFile": "write_file",
        "Reconcile": "reconcile",
        "MoveClaims": "move",
        "NotifyPayer": "notify",
        "RecordFailure": "record_failure",
    }
    for name, state in tasks.items():
        assert state["Parameters"]["FunctionName"] == "${ClawbackRunFunctionArn}"
        assert state["Parameters"]["Payload"]["state.$"] == "$"  # the state is references and counts only
        assert state["OutputPath"] == "$.Payload"
        assert {error for retry in state["Retry"] for error in retry["ErrorEquals"]} == TRANSIENT, name
        if name != "RecordFailure":
            assert state["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RecordFailure"}]
    assert asl["States"]["RecordFailure"]["Next"] == "ClawbackRunFailed"
    assert asl["States"]["ClawbackRunFailed"]["Type"] == "Fail"


def test_the_state_machine_is_standard_logs_without_data_and_invokes_only_its_function(
    template: dict[str, Any], resources: dict[str, dict[str, Any]]
) -> None:
    source = template["Resources"]["ClawbackRunStateMachine"]["Properties"]
    assert source["DefinitionSubstitutions"] == {
        "ClawbackRunFunctionArn": {"Fn::GetAtt": ["ClawbackRunFunction", "Arn"]}
    }
    machine = resources["ClawbackRunStateMachine"]["Properties"]
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is False
    granted = role_statements(resources, "ClawbackRunStateMachineRole")
    invoked = {
        ref for s in granted if "lambda:InvokeFunction" in as_list(s["Action"]) for ref in references(s["Resource"])
    }
    assert invoked == {"ClawbackRunFunction"}


def test_the_weekly_schedule_starts_the_named_run_in_london_time_through_its_own_role(
    resources: dict[str, dict[str, Any]],
) -> None:
    properties = resources["WeeklyClawbackRunSchedule"]["Properties"]
    assert properties["ScheduleExpression"] == "cron(0 7 ? * MON *)"
    assert properties["ScheduleExpressionTimezone"] == "Europe/London"
    assert properties["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = properties["Target"]
    # A schedule cannot name an execution: it invokes the function that starts the run named by its day
    assert target["Arn"] == {"Fn::GetAtt": ["StartClawbackRunFunction", "Arn"]}
    assert target["RoleArn"] == {"Fn::GetAtt": ["ClawbackRunSchedulerRole", "Arn"]}
    assert json.loads(target["Input"]) == {"scheduled_time": "<aws.scheduler.scheduled-time>"}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert references(target["DeadLetterConfig"]["Arn"]) == {"ClawbackRunScheduleDeadLetterQueue"}
    role = resources["ClawbackRunSchedulerRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    granted = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    by_action = {action: references(s["Resource"]) for s in granted for action in as_list(s["Action"])}
    assert by_action == {
        "lambda:InvokeFunction": {"StartClawbackRunFunction"},
        "sqs:SendMessage": {"ClawbackRunScheduleDeadLetterQueue"},
    }


def test_the_weekly_start_counts_waiting_claims_and_starts_and_follows_only_clawback_runs(
    resources: dict[str, dict[str, Any]],
) -> None:
    function = resources["StartClawbackRunFunction"]["Properties"]
    assert function["Environment"]["Variables"]["CLAWBACK_RUN_STATE_MACHINE_ARN"] == {"Ref": "ClawbackRunStateMachine"}
    granted = role_statements(resources, function_role_id(resources, "StartClawbackRunFunction"))
    assert {ref for s in granted for ref in references(s["Resource"])} == {"ClaimsTable", "ClawbackRunStateMachine"}
    actions = {action for s in granted for action in as_list(s["Action"])}
    assert actions == {"dynamodb:Query", "states:StartExecution", "states:DescribeExecution"}
    (claims,) = [s for s in granted if "ClaimsTable" in references(s["Resource"])]
    assert claims["Resource"]["Fn::Sub"].endswith("/index/clawback-index")


def test_the_run_reaches_its_claims_by_the_clawback_index_and_only_clawback_files(
    resources: dict[str, dict[str, Any]],
) -> None:
    granted = role_statements(resources, function_role_id(resources, "ClawbackRunFunction"))
    by_resource: dict[str, set[str]] = {}
    for statement in granted:
        for ref in references(statement["Resource"]):
            by_resource.setdefault(ref, set()).update(as_list(statement["Action"]))
    assert set(by_resource) == {
        "ClaimsTable",
        "ClaimEventsTable",
        "CountersTable",
        "BatchesTable",
        "OrganisationsTable",
        "DownloadTokensTable",
        "ActivityTable",
        "FilesBucket",
        "EmailQueue",
    }
    assert "dynamodb:Scan" not in {a for actions in by_resource.values() for a in actions}
    queries = [s for s in granted if "dynamodb:Query" in as_list(s["Action"])]
    assert [s["Resource"]["Fn::Sub"] for s in queries] == ["${ClaimsTable.Arn}/index/clawback-index"]
    (files,) = [s for s in granted if "FilesBucket" in references(s["Resource"])]
    assert files["Resource"]["Fn::Sub"] == "${FilesBucket.Arn}/clawback-runs/*"
    assert by_resource["FilesBucket"] == {"s3:PutObject", "s3:GetObject"}


def test_support_starts_and_follows_clawback_runs(resources: dict[str, dict[str, Any]]) -> None:
    variables = resources["SupportFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["CLAWBACK_RUN_STATE_MACHINE_ARN"] == {"Ref": "ClawbackRunStateMachine"}
    granted = role_statements(resources, function_role_id(resources, "SupportFunction"))
    described = {
        ref for s in granted if "states:DescribeExecution" in as_list(s["Action"]) for ref in references(s["Resource"])
    }
    assert "ClawbackRunStateMachine" in described


def test_a_failed_run_raises_the_alarm(resources: dict[str, dict[str, Any]]) -> None:
    alarm = resources["ClawbackRunFailedAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/States", "ExecutionsFailed")
    assert references(alarm["Dimensions"]) == {"ClawbackRunStateMachine"}
    assert alarm["AlarmActions"]
