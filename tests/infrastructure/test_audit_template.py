"""The audit workflow in template.yaml and its ASL (docs/adr/0031-the-audit-workflow.md): statelint accepts it,
every task retries and catches into a recorded failure, the weekly wait is configurable, state carries
references only, and its tasks' roles reach only what they need."""

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


@pytest.fixture(scope="module")
def audit_asl_path(template: dict[str, Any], root: Path) -> Path:
    return root / str(template["Resources"]["AuditStateMachine"]["Properties"]["DefinitionUri"])


@pytest.fixture(scope="module")
def audit_asl(audit_asl_path: Path) -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(audit_asl_path.read_text(encoding="utf-8"))
    return definition


def _all_tasks(states: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, state in states.items():
        if state["Type"] == "Task":
            found[name] = state
        if state["Type"] == "Map":
            found.update(_all_tasks(state["ItemProcessor"]["States"]))
    return found


def test_statelint_accepts_the_audit_workflow(root: Path, audit_asl_path: Path) -> None:
    # Given the ASL file / When statelint checks it
    result = subprocess.run(
        [tool("statelint"), str(audit_asl_path)], cwd=root, capture_output=True, text=True, timeout=60, check=False
    )
    # Then it reports nothing
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "", result.stdout


def test_every_task_retries_transient_errors_and_every_step_catches_into_the_recorded_failure(
    audit_asl: dict[str, Any],
) -> None:
    # Given every task, inside the Maps too / Then each retries the transient errors (never States.ALL)
    for name, state in _all_tasks(audit_asl["States"]).items():
        retried = {error for retry in state["Retry"] for error in retry["ErrorEquals"]}
        assert retried == TRANSIENT, name
    # And every top-level task and Map but the failure's own record catches everything into RecordFailure
    for name, state in audit_asl["States"].items():
        if state["Type"] in ("Task", "Map") and name != "RecordFailure":
            assert state["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RecordFailure"}]
    assert audit_asl["States"]["RecordFailure"]["Next"] == "AuditFailed"
    assert audit_asl["States"]["AuditFailed"]["Type"] == "Fail"


def test_the_weekly_wait_is_configurable_and_the_loop_ends_done_or_overdue(audit_asl: dict[str, Any]) -> None:
    states = audit_asl["States"]
    assert states["WaitForAnswers"] == {
        "Type": "Wait",
        "Comment": states["WaitForAnswers"]["Comment"],
        "SecondsPath": "$.chase_after_seconds",
        "Next": "CheckAnswers",
    }
    choice = states["NextStep"]
    assert {c["StringEquals"]: c["Next"] for c in choice["Choices"]} == {"done": "Complete", "overdue": "MarkOverdue"}
    assert choice["Default"] == "SendChasers"
    assert states["SendChasers"]["Next"] == "WaitForAnswers"


def test_the_email_maps_pass_page_numbers_only(audit_asl: dict[str, Any]) -> None:
    for name in ("EmailProviders", "SendChasers"):
        state = audit_asl["States"][name]
        assert state["ItemsPath"] == "$.pages"
        assert set(state["ItemSelector"]) <= {"action", "audit_id.$", "page.$", "chaser", "chaser.$"}
        assert state["ResultPath"] is None  # nothing a page returns grows the state


def test_audit_tasks_reach_only_the_audit_records_the_audit_index_provider_users_and_the_email_queue(
    resources: dict[str, dict[str, Any]],
) -> None:
    granted = role_statements(resources, function_role_id(resources, "AuditTasksFunction"))
    by_resource: dict[str, set[str]] = {}
    for statement in granted:
        for ref in references(statement["Resource"]):
            by_resource.setdefault(ref, set()).update(as_list(statement["Action"]))
    assert set(by_resource) == {"BatchesTable", "ClaimsTable", "MembershipsTable", "UsersTable", "EmailQueue"}
    assert by_resource["BatchesTable"] == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    assert by_resource["ClaimsTable"] == {"dynamodb:Query"}  # the audit index only
    (claims,) = [s for s in granted if "ClaimsTable" in references(s["Resource"])]
    assert claims["Resource"]["Fn::Sub"].endswith("/index/audit-index")
    failure = role_statements(resources, function_role_id(resources, "RecordAuditFailureFunction"))
    assert {ref for s in failure for ref in references(s["Resource"])} == {"BatchesTable"}


def test_support_function_starts_audits(resources: dict[str, dict[str, Any]]) -> None:
    variables = resources["SupportFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["AUDIT_STATE_MACHINE_ARN"] == {"Ref": "AuditStateMachine"}
