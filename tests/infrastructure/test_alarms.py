"""The alarms of ADR 0041: every workflow's failed, timed-out and aborted executions; a run with no payer address;
emails that could not be queued; payment and clawback files that did not reconcile. AlarmTopic emails the
AlarmEmail parameter's address, subscribed only when one is given.

Each test reads Given (the template / its translation) → When (what is looked at) → Then (what must hold).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from tests.infrastructure.test_template import references

# Business metrics that must raise an alarm, and the code that emits each (Powertools, ClaimFundingForMentors).
ALARMED_METRICS = {
    "PayerAddressMissing": {"shared/usecases/payer_links.py", "shared/usecases/clawback_run.py"},
    "EmailNotQueued": {
        "shared/usecases/add_claim.py",
        "shared/usecases/users.py",
        "shared/usecases/support_users.py",
        "shared/usecases/support_drafts.py",
        "shared/usecases/support_review.py",
        "shared/usecases/support_clawbacks.py",
        "shared/usecases/clawback_requests.py",
        "shared/usecases/outcome_emails.py",
    },
    "PaymentRunReconciliationFailed": {"shared/usecases/payment_run_tasks.py", "shared/usecases/payer_links.py"},
    "ClawbackRunReconciliationFailed": {"shared/usecases/clawback_run.py"},
}
EXECUTION_METRICS = {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"}


def alarms(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}


def emitted_metrics(root: Path) -> dict[str, set[str]]:
    """Every metric name the code adds with a literal name (metrics.add_metric(name="..."), and the files that do."""
    found: dict[str, set[str]] = {}
    for path in sorted([*root.glob("shared/**/*.py"), *root.glob("functions/**/*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "add_metric":
                for keyword in node.keywords:
                    if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                        found.setdefault(str(keyword.value.value), set()).add(str(path.relative_to(root)))
    return found


def test_alarm_topic_emails_the_alarm_email_parameter_only_when_it_is_set(
    template: dict[str, Any], resources: dict[str, dict[str, Any]]
) -> None:
    # Given the AlarmEmail parameter / Then it may be left empty, or be one address
    parameter = template["Parameters"]["AlarmEmail"]
    assert parameter["Type"] == "String"
    assert parameter["Default"] == ""
    # When the subscription is looked at / Then it emails that address from AlarmTopic, on condition it is set
    subscription = resources["AlarmEmailSubscription"]
    assert subscription["Type"] == "AWS::SNS::Subscription"
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "AlarmTopic"},
        "Protocol": "email",
        "Endpoint": {"Ref": "AlarmEmail"},
    }
    assert template["Conditions"]["HasAlarmEmail"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}


@pytest.mark.parametrize(
    ("value", "allowed"),
    [("", True), ("on-call@education.gov.uk", True), ("not an address", False), ("a@b.uk, c@d.uk", False)],
)
def test_alarm_email_is_one_address_or_nothing(template: dict[str, Any], value: str, allowed: bool) -> None:
    # Given the parameter's pattern (CloudFormation matches it against the whole value)
    pattern = template["Parameters"]["AlarmEmail"]["AllowedPattern"]
    # When a value is checked / Then one address or an empty value is accepted, anything else refused
    assert (re.fullmatch(pattern, value) is not None) is allowed


def test_every_alarm_notifies_the_alarm_topic(resources: dict[str, dict[str, Any]]) -> None:
    # Given every alarm / Then it notifies AlarmTopic when it fires and when it clears
    for logical_id, alarm in alarms(resources).items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical_id
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}], logical_id


def test_every_workflow_alarms_on_failed_timed_out_and_aborted_executions(resources: dict[str, dict[str, Any]]) -> None:
    # Given every state machine in the stack
    machines = {k for k, r in resources.items() if r["Type"] == "AWS::StepFunctions::StateMachine"}
    assert machines == {"ClaimWindowStateMachine", "AuditStateMachine", "ClawbackRunStateMachine"}
    # When the Step Functions alarms are grouped by the state machine they watch
    watched: dict[str, set[str]] = {machine: set() for machine in machines}
    for alarm in alarms(resources).values():
        if alarm.get("Namespace") == "AWS/States":
            (machine,) = references(alarm["Dimensions"])
            watched[machine].add(alarm["MetricName"])
            # Then any one execution that ends badly in five minutes raises it
            assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 300, 0)
            assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    # ...and each workflow has one for each way an execution can end without succeeding
    assert watched == dict.fromkeys(machines, EXECUTION_METRICS)


@pytest.mark.parametrize("metric", sorted(ALARMED_METRICS))
def test_an_alarm_watches_the_metric(
    template: dict[str, Any], resources: dict[str, dict[str, Any]], metric: str
) -> None:
    # Given the alarms / When the one on the metric is found
    (alarm,) = [a for a in alarms(resources).values() if a.get("MetricName") == metric]
    # Then it watches the metric where Powertools publishes it: the functions' namespace and service dimension
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert alarm["Namespace"] == variables["POWERTOOLS_METRICS_NAMESPACE"]
    assert alarm["Dimensions"] == [{"Name": "service", "Value": variables["POWERTOOLS_SERVICE_NAME"]}]
    # And any one in five minutes raises it
    assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 300, 0)
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"


@pytest.mark.parametrize("metric", sorted(ALARMED_METRICS))
def test_the_code_emits_the_alarmed_metric_wherever_it_happens(root: Path, metric: str) -> None:
    # Given the code's metrics / When the alarmed one is looked for / Then every place it happens emits it
    assert emitted_metrics(root).get(metric, set()) == ALARMED_METRICS[metric]


def test_every_business_metric_alarm_watches_a_metric_the_code_emits(
    root: Path, resources: dict[str, dict[str, Any]]
) -> None:
    # Given the alarms on the service's own namespace / When their metrics are looked for in the code
    emitted = emitted_metrics(root)
    watched = {a["MetricName"] for a in alarms(resources).values() if a.get("Namespace") == "ClaimFundingForMentors"}
    # Then each is one the code adds (a misspelt name would never fire)
    assert watched - set(emitted) == set()
    assert set(ALARMED_METRICS) <= watched


def test_every_scheduled_function_alarms_on_its_errors(resources: dict[str, dict[str, Any]]) -> None:
    # Given every function a schedule invokes (asynchronously: a failed run is retried twice, then dropped)
    scheduled = {
        next(iter(references(r["Properties"]["Target"]["Arn"])))
        for r in resources.values()
        if r["Type"] == "AWS::Scheduler::Schedule"
    }
    scheduled = {target for target in scheduled if resources[target]["Type"] == "AWS::Lambda::Function"}
    # When the Lambda Errors alarms are listed by function
    watched = {
        next(iter(references(a["Dimensions"])))
        for a in alarms(resources).values()
        if (a.get("Namespace"), a.get("MetricName")) == ("AWS/Lambda", "Errors")
    }
    # Then each scheduled function has one (the justification of its checkov skip CKV_AWS_116 relies on it)
    assert scheduled - watched == set()
    assert len(scheduled) >= 6
