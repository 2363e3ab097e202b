"""template.yaml for sending through GOV.UK Notify (docs/adr/0038-sending-emails-through-notify.md): the sender's
concurrency, batch size and timeout derived from Notify's rate limit (shared.claims.email_delivery), its queue's
dead letters and alarm, and the delivery-receipt callback's route and least-privilege role."""

from __future__ import annotations

from typing import Any

from shared.claims import email_delivery
from tests.infrastructure.test_template import as_list, function_role_id, references, role_statements


def _granted(resources: dict[str, dict[str, Any]], function_id: str) -> dict[str, set[str]]:
    by_resource: dict[str, set[str]] = {}
    for statement in role_statements(resources, function_role_id(resources, function_id)):
        for ref in references(statement["Resource"]):
            by_resource.setdefault(ref, set()).update(as_list(statement["Action"]))
    return by_resource


def _sender_mapping(resources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any]
    (mapping,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": "SendEmailFunction"}
    ]
    return mapping


def test_the_sender_runs_as_many_at_once_as_the_rate_limit_allows(resources: dict[str, dict[str, Any]]) -> None:
    sender = resources["SendEmailFunction"]["Properties"]
    mapping = _sender_mapping(resources)
    # At most SENDERS senders: reserved, and no more pollers than that (so SQS batches are not throttled)
    assert sender["ReservedConcurrentExecutions"] == email_delivery.SENDERS
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": email_delivery.SENDERS}
    assert mapping["BatchSize"] == email_delivery.BATCH_SIZE
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Each paced to 1 / MIN_SECONDS_BETWEEN_SENDS a second: together within Notify's 3,000 a minute
    assert sender["ReservedConcurrentExecutions"] * 60 / email_delivery.MIN_SECONDS_BETWEEN_SENDS <= 3_000
    # A batch at its slowest finishes inside the timeout, and the queue hides a message for 6 x the timeout
    assert sender["Timeout"] > email_delivery.worst_batch_seconds()
    assert resources["EmailQueue"]["Properties"]["VisibilityTimeout"] >= 6 * sender["Timeout"]


def test_a_message_notify_never_takes_is_dead_lettered_with_an_alarm(resources: dict[str, dict[str, Any]]) -> None:
    queue = resources["EmailQueue"]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    assert references(queue["RedrivePolicy"]["deadLetterTargetArn"]) == {"EmailDeadLetterQueue"}
    alarm = resources["EmailDeadLetterQueueAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert references(alarm["Dimensions"]) == {"EmailDeadLetterQueue"}
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert references(alarm["AlarmActions"]) == {"AlarmTopic"}


def test_the_sender_may_only_record_refused_addresses_on_users(resources: dict[str, dict[str, Any]]) -> None:
    granted = _granted(resources, "SendEmailFunction")
    assert granted["UsersTable"] == {"dynamodb:Query", "dynamodb:UpdateItem"}
    (users,) = [
        s
        for s in role_statements(resources, function_role_id(resources, "SendEmailFunction"))
        if "UsersTable" in references(s["Resource"])
    ]
    assert [r.get("Fn::Sub", r) for r in users["Resource"]] == [
        {"Fn::GetAtt": ["UsersTable", "Arn"]},
        "${UsersTable.Arn}/index/email-index",
    ]
    assert set(granted) == {"IdempotencyTable", "UsersTable", "SecretsArn"}


def test_the_callback_is_one_post_route_whose_function_only_records_receipts(
    template: dict[str, Any], resources: dict[str, dict[str, Any]]
) -> None:
    function = template["Resources"]["NotifyCallbackFunction"]["Properties"]
    assert function["CodeUri"] == "functions/notify_callback/"
    (event,) = function["Events"].values()
    assert event["Type"] == "Api"
    assert (event["Properties"]["Path"], event["Properties"]["Method"]) == ("/notify/callback", "POST")
    # It reads the token from the secret and updates users found on the email index; nothing else at all
    granted = _granted(resources, "NotifyCallbackFunction")
    assert granted == {
        "UsersTable": {"dynamodb:Query", "dynamodb:UpdateItem"},
        "SecretsArn": {"secretsmanager:GetSecretValue"},
    }
    statements = role_statements(resources, function_role_id(resources, "NotifyCallbackFunction"))
    actions = {action for s in statements for action in as_list(s["Action"])}
    assert {action.split(":")[0] for action in actions} == {"dynamodb", "secretsmanager"}
    assert resources["NotifyCallbackFunctionLogGroup"]["Properties"]["RetentionInDays"] == 90
