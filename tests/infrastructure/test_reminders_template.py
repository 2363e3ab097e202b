"""template.yaml for the daily reminders (docs/adr/0039-the-email-catalogue-and-reminders.md): the 9am schedule in
London time and its role, and the function's role (it reads what it needs, writes only reminder records and
queues emails)."""

from __future__ import annotations

import json
from typing import Any

from tests.infrastructure.test_template import as_list, function_role_id, references, role_statements, statements


def test_the_reminders_run_every_day_at_nine_in_london_time(resources: dict[str, dict[str, Any]]) -> None:
    schedule = resources["SendRemindersSchedule"]
    assert schedule["Type"] == "AWS::Scheduler::Schedule"
    properties = schedule["Properties"]
    assert properties["ScheduleExpression"] == "cron(0 9 * * ? *)"
    assert properties["ScheduleExpressionTimezone"] == "Europe/London"
    assert properties["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = properties["Target"]
    assert target["Arn"] == {"Fn::GetAtt": ["SendRemindersFunction", "Arn"]}
    assert target["RoleArn"] == {"Fn::GetAtt": ["RemindersSchedulerRole", "Arn"]}
    assert json.loads(target["Input"]) == {"trigger": "daily"}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["RemindersScheduleDeadLetterQueue", "Arn"]}}


def test_the_schedules_role_can_only_start_the_reminders(resources: dict[str, dict[str, Any]]) -> None:
    role = resources["RemindersSchedulerRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    by_action = {
        action: references(s["Resource"]) for s in statements(role["Policies"]) for action in as_list(s["Action"])
    }
    assert by_action == {
        "lambda:InvokeFunction": {"SendRemindersFunction"},
        "sqs:SendMessage": {"RemindersScheduleDeadLetterQueue"},
    }


def test_the_function_reads_what_it_needs_and_writes_only_reminder_records(
    resources: dict[str, dict[str, Any]],
) -> None:
    by_resource: dict[str, set[str]] = {}
    for statement in role_statements(resources, function_role_id(resources, "SendRemindersFunction")):
        for ref in references(statement.get("Resource", [])):
            by_resource.setdefault(ref, set()).update(as_list(statement["Action"]))
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    written = {ref for ref, actions in by_resource.items() if actions & writes}
    assert written == {"BatchesTable"}
    assert "dynamodb:DeleteItem" not in by_resource["BatchesTable"]
    read = {ref for ref, actions in by_resource.items() if "dynamodb:Query" in actions or "dynamodb:GetItem" in actions}
    assert {"ClaimWindowsTable", "OrganisationsTable", "MembershipsTable", "UsersTable", "ClaimsTable"} <= read
    assert by_resource["EmailQueue"] == {"sqs:SendMessage*"}  # SendMessage and SendMessageBatch
    assert resources["SendRemindersFunction"]["Properties"]["Timeout"] == 900
