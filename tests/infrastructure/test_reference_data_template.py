"""template.yaml for the nightly reference-data syncs: GIAS (docs/adr/0035-gias-nightly.md) and Publish providers
(docs/adr/0036-publish-providers.md). Their schedules (London time, retried, dead letters), the role that may
invoke only them, their alarms, and each function's role (what it reads and writes, and nothing else)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infrastructure.test_template import as_list, function_role_id, references, role_statements

SCHEDULES = {
    # schedule: (cron, target function), at the live service's times (config/scheduled_jobs.yml)
    "FetchGiasSchedule": ("cron(30 23 * * ? *)", "FetchGiasFunction"),
    "SyncProvidersSchedule": ("cron(15 0 * * ? *)", "SyncProvidersFunction"),
}


def _by_resource(resources: dict[str, dict[str, Any]], function_id: str) -> dict[str, set[str]]:
    granted = role_statements(resources, function_role_id(resources, function_id))
    found: dict[str, set[str]] = {}
    for statement in granted:
        for ref in references(statement["Resource"]):
            found.setdefault(ref, set()).update(as_list(statement["Action"]))
    return found


@pytest.mark.parametrize("schedule_id", sorted(SCHEDULES))
def test_each_nightly_sync_is_scheduled_in_london_time_with_retries_and_dead_letters(
    resources: dict[str, dict[str, Any]], schedule_id: str
) -> None:
    expression, function_id = SCHEDULES[schedule_id]
    # Given the schedule
    schedule = resources[schedule_id]
    assert schedule["Type"] == "AWS::Scheduler::Schedule"
    properties = schedule["Properties"]
    # Then it runs every night at the live service's time, London time (so 23:30 stays 23:30 in summer)
    assert properties["ScheduleExpression"] == expression
    assert properties["ScheduleExpressionTimezone"] == "Europe/London"
    assert properties["State"] == "ENABLED"
    assert properties["FlexibleTimeWindow"] == {"Mode": "OFF"}
    # And it invokes its function with its role, retrying a delivery, then dead-lettering it
    target = properties["Target"]
    assert target["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert target["RoleArn"] == {"Fn::GetAtt": ["ReferenceDataSchedulerRole", "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["ReferenceDataScheduleDeadLetterQueue", "Arn"]}
    # And a run that fails is retried by Lambda (the schedule invokes it asynchronously)
    (invoke,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventInvokeConfig" and r["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    assert invoke["MaximumRetryAttempts"] == 2


def test_the_scheduler_role_may_invoke_only_the_two_syncs(resources: dict[str, dict[str, Any]]) -> None:
    role = resources["ReferenceDataSchedulerRole"]["Properties"]
    (principal,) = [s["Principal"]["Service"] for s in role["AssumeRolePolicyDocument"]["Statement"]]
    assert principal == "scheduler.amazonaws.com"
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    by_action = {s["Action"]: references(s["Resource"]) for s in statements}
    assert by_action == {
        "lambda:InvokeFunction": {"FetchGiasFunction", "SyncProvidersFunction"},
        "sqs:SendMessage": {"ReferenceDataScheduleDeadLetterQueue"},
    }


@pytest.mark.parametrize("function_id", ["FetchGiasFunction", "SyncProvidersFunction"])
def test_a_failed_run_and_an_undelivered_schedule_are_alarmed(
    resources: dict[str, dict[str, Any]], function_id: str
) -> None:
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    (failed,) = [
        a
        for a in alarms
        if (a["Namespace"], a["MetricName"]) == ("AWS/Lambda", "Errors")
        and references(a["Dimensions"]) == {function_id}
    ]
    assert (failed["Threshold"], failed["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert failed["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert any(
        a["Namespace"] == "AWS/SQS" and references(a["Dimensions"]) == {"ReferenceDataScheduleDeadLetterQueue"}
        for a in alarms
    )


def test_the_gias_fetch_stores_extracts_starts_imports_and_queues_them_only(
    resources: dict[str, dict[str, Any]],
) -> None:
    from shared.claims.gias import UPLOADS_PREFIX

    properties = resources["FetchGiasFunction"]["Properties"]
    variables = properties["Environment"]["Variables"]
    # GIAS's public downloads (the reference URL), and the import path uploads take
    assert variables["GIAS_BASE_URL"] == "https://ea-edubase-api-prod.azurewebsites.net/edubase/downloads/public"
    assert variables["SCHOOL_IMPORTS_QUEUE_URL"] == {"Ref": "SchoolImportsQueue"}
    granted = role_statements(resources, function_role_id(resources, "FetchGiasFunction"))
    by_resource = _by_resource(resources, "FetchGiasFunction")
    assert set(by_resource) == {"ActivityTable", "FilesBucket", "SchoolImportsQueue"}
    assert by_resource["ActivityTable"] == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    (files,) = [s for s in granted if "FilesBucket" in references(s["Resource"])]
    assert set(as_list(files["Action"])) == {"s3:PutObject", "s3:GetObject"}
    assert files["Resource"]["Fn::Sub"] == "${FilesBucket.Arn}/" + UPLOADS_PREFIX + "*"
    assert by_resource["SchoolImportsQueue"] == {"sqs:SendMessage*"}  # SAM's SQSSendMessagePolicy
    assert not {a for actions in by_resource.values() for a in actions} & {"dynamodb:DeleteItem", "dynamodb:Scan"}


def test_the_provider_sync_reads_and_updates_providers_and_never_deletes(resources: dict[str, dict[str, Any]]) -> None:
    variables = resources["SyncProvidersFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["PUBLISH_BASE_URL"] == "https://api.publish-teacher-training-courses.service.gov.uk"
    granted = role_statements(resources, function_role_id(resources, "SyncProvidersFunction"))
    by_resource = _by_resource(resources, "SyncProvidersFunction")
    assert set(by_resource) == {"ProvidersTable", "DirectoryTable", "ActivityTable"}
    assert by_resource["ProvidersTable"] == {"dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:Query"}
    (query,) = [s for s in granted if "dynamodb:Query" in as_list(s["Action"])]
    assert query["Resource"] == {"Fn::Sub": "${ProvidersTable.Arn}/index/accredited-name-index"}
    assert by_resource["DirectoryTable"] == {"dynamodb:BatchGetItem", "dynamodb:PutItem"}
    assert by_resource["ActivityTable"] == {"dynamodb:PutItem"}
    actions = {action for s in granted for action in as_list(s["Action"])}
    assert {action.split(":")[0] for action in actions} == {"dynamodb"}
