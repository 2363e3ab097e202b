"""template.yaml for the weekly mentor names refresh (docs/adr/0037-mentor-names-from-the-teaching-record.md): the
weekly schedule (London time) and its role, the queue and its dead letters, the two functions' roles (the mentors
updated, never deleted) and the alarm."""

from __future__ import annotations

import json
from typing import Any

from tests.infrastructure.test_template import as_list, function_role_id, references, role_statements, statements


def _granted(resources: dict[str, dict[str, Any]], function_id: str) -> dict[str, set[str]]:
    by_resource: dict[str, set[str]] = {}
    for statement in role_statements(resources, function_role_id(resources, function_id)):
        for ref in references(statement["Resource"]):
            by_resource.setdefault(ref, set()).update(as_list(statement["Action"]))
    return by_resource


def test_the_refresh_runs_every_sunday_at_three_in_london_time(resources: dict[str, dict[str, Any]]) -> None:
    schedule = resources["RefreshMentorNamesSchedule"]
    assert schedule["Type"] == "AWS::Scheduler::Schedule"
    properties = schedule["Properties"]
    assert properties["ScheduleExpression"] == "cron(0 3 ? * SUN *)"
    assert properties["ScheduleExpressionTimezone"] == "Europe/London"
    assert properties["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert properties["State"] == "ENABLED"
    target = properties["Target"]
    assert target["Arn"] == {"Fn::GetAtt": ["RefreshMentorNamesFunction", "Arn"]}
    assert target["RoleArn"] == {"Fn::GetAtt": ["MentorNamesSchedulerRole", "Arn"]}
    assert json.loads(target["Input"]) == {"trigger": "weekly"}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    # A retry within the hour it may be late stays in the same week's run (shared.claims.mentor_names.run_id)
    assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] <= 3600
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["MentorNamesDeadLetterQueue", "Arn"]}}


def test_the_schedules_role_can_only_start_the_refresh(resources: dict[str, dict[str, Any]]) -> None:
    role = resources["MentorNamesSchedulerRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    by_action = {
        action: references(s["Resource"]) for s in statements(role["Policies"]) for action in as_list(s["Action"])
    }
    assert by_action == {
        "lambda:InvokeFunction": {"RefreshMentorNamesFunction"},
        "sqs:SendMessage": {"MentorNamesDeadLetterQueue"},
    }


def test_the_queue_redelivers_a_check_and_outlives_the_consumer(resources: dict[str, dict[str, Any]]) -> None:
    from shared.claims.mentor_names import MAX_RECEIVES, worst_check_seconds

    queue = resources["MentorNamesQueue"]["Properties"]
    timeout = resources["CheckMentorNamesFunction"]["Properties"]["Timeout"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["MentorNamesDeadLetterQueue", "Arn"]},
        "maxReceiveCount": MAX_RECEIVES,
    }
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["VisibilityTimeout"] >= 6 * timeout
    assert timeout > worst_check_seconds()
    (mapping,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": "CheckMentorNamesFunction"}
    ]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["MentorNamesQueue", "Arn"]}
    assert mapping["BatchSize"] == 1  # the function's timeout bounds one check
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 2}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert any(references(a["Dimensions"]) == {"MentorNamesDeadLetterQueue"} for a in alarms)


def test_the_refresh_lists_teachers_records_its_run_and_queues_checks(resources: dict[str, dict[str, Any]]) -> None:
    variables = resources["RefreshMentorNamesFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["MENTOR_NAMES_QUEUE_URL"] == {"Ref": "MentorNamesQueue"}
    granted = _granted(resources, "RefreshMentorNamesFunction")
    assert granted["MentorsTable"] == {"dynamodb:Scan"}
    assert granted["ActivityTable"] == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    assert set(granted) == {"MentorsTable", "ActivityTable", "MentorNamesQueue"}
    assert "SchoolMentorsTable" not in granted


def test_the_check_updates_mentors_and_never_deletes_them(resources: dict[str, dict[str, Any]]) -> None:
    granted = _granted(resources, "CheckMentorNamesFunction")
    assert granted["MentorsTable"] == {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem"}
    assert granted["SchoolMentorsTable"] == {"dynamodb:Query", "dynamodb:UpdateItem"}
    assert granted["RateLimitsTable"] == {"dynamodb:UpdateItem"}
    assert granted["ActivityTable"] == {"dynamodb:UpdateItem"}
    assert "SecretsArn" in granted  # the Teaching Record's API key
    actions = {action for found in granted.values() for action in found}
    assert not any(action.endswith(("DeleteItem", "Scan", "PutItem")) for action in actions)


def test_the_sample_events_are_what_the_schedule_and_the_queue_deliver(
    resources: dict[str, dict[str, Any]], root: Any
) -> None:
    from shared.claims.mentor_names import CheckMessage

    weekly = json.loads((root / "events/refresh_mentor_names/weekly.json").read_text())
    assert weekly == json.loads(resources["RefreshMentorNamesSchedule"]["Properties"]["Target"]["Input"])
    (record,) = json.loads((root / "events/check_mentor_names/one-check.json").read_text())["Records"]
    assert CheckMessage.model_validate_json(record["body"]).trn == "1234567"
