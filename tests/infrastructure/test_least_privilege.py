"""Least privilege, proven (ADR 0041): every function's role grants exactly the (action, resource) pairs in GRANTS.

GRANTS is the table a newcomer adds to with each permission: a grant the template gains without a line here
fails test_function_is_granted_exactly_what_the_table_says, and so does a line here the template lacks. The
named invariants below (the web function's, the claim events', the files bucket's) hold whatever the table says.

Resources are written short: a table, index or queue by its logical id ("ClaimsTable", "ClaimsTable/index/*"),
an object pattern by bucket and key ("FilesBucket/payment-runs/*"), a state machine's ARN by its last parts
("stateMachine:ClaimWindowStateMachine"); partition, region and account are left out.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.infrastructure.test_template import FUNCTIONS, as_list, function_role_id, role_statements

# Every function's role has these AWS-managed policies (SAM adds them: logs, and X-Ray for Tracing: Active).
MANAGED = {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}
# ...and an SQS-triggered function also gets the one that lets it receive and delete its queue's messages.
SQS_TRIGGERED = {"CheckMentorNamesFunction", "ExportClaimsFunction", "ImportSchoolsFunction", "SendEmailFunction"}

# Functions not in test_template.FUNCTIONS (their own features' tests list them).
OTHER_FUNCTIONS = {"AuditTasksFunction", "RecordAuditFailureFunction", "SendRemindersFunction"}

# The "read and write items" set most roles get per table: no Scan, no BatchWriteItem, no DeleteItem.
READ_WRITE = {
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:ConditionCheckItem",
}
READ = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
APPEND_EVENTS = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"}
READ_WRITE_DELETE = READ_WRITE | {"dynamodb:DeleteItem"}

GRANTS: dict[str, dict[str, set[str]]] = {
    "AuditTasksFunction": {
        "BatchesTable": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        "ClaimsTable/index/audit-index": {"dynamodb:Query"},
        "EmailQueue": {"sqs:SendMessage*"},
        "MembershipsTable/index/organisation-index": {"dynamodb:Query"},
        "UsersTable": {"dynamodb:BatchGetItem"},
    },
    "AwaitReviewFunction": {
        "*": {"states:SendTaskFailure", "states:SendTaskSuccess"},
        "BatchesTable": READ,
        "BatchesTable/index/*": READ,
        "ClaimEventsTable": {"dynamodb:PutItem", "dynamodb:Query"},
        "ClaimsTable": READ_WRITE,
        "ClaimsTable/index/*": READ_WRITE,
    },
    "CheckMentorNamesFunction": {
        "ActivityTable": {"dynamodb:UpdateItem"},
        "MentorsTable": {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:UpdateItem"},
        "RateLimitsTable": {"dynamodb:UpdateItem"},
        "SchoolMentorsTable": {"dynamodb:Query", "dynamodb:UpdateItem"},
        "SchoolMentorsTable/index/*": {"dynamodb:Query", "dynamodb:UpdateItem"},
        "SecretsArn": {"secretsmanager:GetSecretValue"},
    },
    "ClawbackRunFunction": {
        "ActivityTable": {"dynamodb:PutItem"},
        "BatchesTable": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        "ClaimEventsTable": {"dynamodb:PutItem"},
        "ClaimsTable": {
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
        },
        "ClaimsTable/index/clawback-index": {"dynamodb:Query"},
        "CountersTable": {"dynamodb:UpdateItem"},
        "DownloadTokensTable": {
            "dynamodb:ConditionCheckItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        },
        "EmailQueue": {"sqs:SendMessage*"},
        "FilesBucket/clawback-runs/*": {"s3:GetObject", "s3:PutObject"},
        "OrganisationsTable": {"dynamodb:BatchGetItem"},
    },
    "CloseWindowFunction": {
        "ActivityTable": {"dynamodb:PutItem"},
        "BatchesTable": READ_WRITE,
        "BatchesTable/index/*": READ_WRITE,
        "ClaimEventsTable": APPEND_EVENTS,
        "ClaimWindowsTable": READ_WRITE,
        "ClaimWindowsTable/index/*": READ_WRITE,
        "ClaimsTable": READ_WRITE,
        "ClaimsTable/index/*": READ_WRITE,
        "CountersTable": {"dynamodb:UpdateItem"},
        "EmailQueue": {"sqs:SendMessage*"},
        "MembershipsTable": READ,
        "MembershipsTable/index/*": READ,
        "UsersTable": READ,
        "UsersTable/index/*": READ,
    },
    "DownloadFunction": {
        "DownloadTokensTable": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
        "FilesBucket/clawback-runs/*": {"s3:GetObject"},
        "FilesBucket/payment-runs/*": {"s3:GetObject"},
    },
    "ExportClaimsFunction": {
        "ActivityTable": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
        "ClaimsTable": {"dynamodb:GetItem", "dynamodb:Query"},
        "ClaimsTable/index/listing-index": {"dynamodb:GetItem", "dynamodb:Query"},
        "ClaimsTable/index/school-index": {"dynamodb:GetItem", "dynamodb:Query"},
        "FilesBucket/exports/*": {"s3:PutObject"},
        "OrganisationsTable": {"dynamodb:BatchGetItem", "dynamodb:Query"},
        "OrganisationsTable/index/name-key-index": {"dynamodb:BatchGetItem", "dynamodb:Query"},
    },
    "FetchGiasFunction": {
        "ActivityTable": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        "FilesBucket/school-data/uploads/*": {"s3:GetObject", "s3:PutObject"},
        "SchoolImportsQueue": {"sqs:SendMessage*"},
    },
    "GeneratePaymentFileFunction": {
        "BatchesTable": READ_WRITE,
        "BatchesTable/index/*": READ_WRITE,
        "ClaimEventsTable": APPEND_EVENTS,
        "ClaimWindowsTable": READ,
        "ClaimWindowsTable/index/*": READ,
        "ClaimsTable": READ_WRITE,
        "ClaimsTable/index/*": READ_WRITE,
        "CountersTable": {"dynamodb:UpdateItem"},
        "FilesBucket/payment-runs/*": {"s3:GetObject", "s3:PutObject"},
        "OrganisationsTable": READ,
        "OrganisationsTable/index/*": READ,
        "ProvidersTable": READ,
        "ProvidersTable/index/*": READ,
    },
    "ImportSchoolsFunction": {
        "ActivityTable": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        "ClaimWindowsTable/index/*": {"dynamodb:Query"},
        "ClaimsTable/index/school-index": {"dynamodb:Query"},
        "DirectoryTable": {"dynamodb:BatchGetItem", "dynamodb:PutItem"},
        "FilesBucket/school-data/uploads/*": {"s3:GetObject"},
        "OrganisationsTable": {"dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
    },
    "NotifyCallbackFunction": {
        "SecretsArn": {"secretsmanager:GetSecretValue"},
        "UsersTable": {"dynamodb:Query", "dynamodb:UpdateItem"},
        "UsersTable/index/email-index": {"dynamodb:Query", "dynamodb:UpdateItem"},
    },
    "NotifyPayerFunction": {
        "ActivityTable": {"dynamodb:UpdateItem"},
        "BatchesTable": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
        "ClaimWindowsTable": {"dynamodb:UpdateItem"},
        "DownloadTokensTable": {
            "dynamodb:ConditionCheckItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        },
        "EmailQueue": {"sqs:SendMessage*"},
    },
    "ReconcilePaymentFileFunction": {
        "BatchesTable": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
        "ClaimsTable": READ,
        "ClaimsTable/index/*": READ,
        "FilesBucket/payment-runs/*": {"s3:GetObject", "s3:PutObject"},
    },
    "RecordAuditFailureFunction": {
        "BatchesTable": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
    },
    "RecordRunFailureFunction": {
        "BatchesTable": READ_WRITE,
        "BatchesTable/index/*": READ_WRITE,
        "ClaimWindowsTable": READ_WRITE,
        "ClaimWindowsTable/index/*": READ_WRITE,
    },
    "RefreshMentorNamesFunction": {
        "ActivityTable": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        "MentorNamesQueue": {"sqs:SendMessage*"},
        "MentorsTable": {"dynamodb:Scan"},
    },
    "SendEmailFunction": {
        "IdempotencyTable": READ_WRITE_DELETE,
        "IdempotencyTable/index/*": READ_WRITE_DELETE,
        "SecretsArn": {"secretsmanager:GetSecretValue"},
        "UsersTable": {"dynamodb:Query", "dynamodb:UpdateItem"},
        "UsersTable/index/email-index": {"dynamodb:Query", "dynamodb:UpdateItem"},
    },
    "SendRemindersFunction": {
        "BatchesTable": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        "ClaimWindowsTable": READ,
        "ClaimWindowsTable/index/*": READ,
        "ClaimsTable": READ,
        "ClaimsTable/index/*": READ,
        "EmailQueue": {"sqs:SendMessage*"},
        "MembershipsTable": READ,
        "MembershipsTable/index/*": READ,
        "OrganisationsTable": READ,
        "OrganisationsTable/index/*": READ,
        "SchoolMentorsTable": READ,
        "SchoolMentorsTable/index/*": READ,
        "UsersTable": READ,
        "UsersTable/index/*": READ,
    },
    "StartClawbackRunFunction": {
        "ClaimsTable/index/clawback-index": {"dynamodb:Query"},
        "ClawbackRunStateMachine": {"states:StartExecution"},
        "execution:ClawbackRunStateMachine:*": {"states:DescribeExecution"},
    },
    "StartDueRunsFunction": {
        "ClaimWindowStateMachine": {"states:StartExecution"},
        "ClaimWindowsTable": READ,
        "ClaimWindowsTable/index/*": READ,
        "execution:ClaimWindowStateMachine:*": {"states:DescribeExecution"},
    },
    "SupportFunction": {
        "*": {"states:SendTaskFailure", "states:SendTaskSuccess"},
        "ActivityTable": READ_WRITE_DELETE,
        "ActivityTable/index/*": READ_WRITE_DELETE,
        "AllowancesTable": READ_WRITE_DELETE,
        "BatchesTable": READ_WRITE_DELETE,
        "BatchesTable/index/*": READ_WRITE_DELETE,
        "ClaimEventsTable": APPEND_EVENTS,
        "ClaimWindowSchedulerRole": {"iam:PassRole"},
        "ClaimWindowsTable": READ_WRITE_DELETE,
        "ClaimWindowsTable/index/*": READ_WRITE_DELETE,
        "ClaimsTable": READ_WRITE_DELETE,
        "ClaimsTable/index/*": READ_WRITE_DELETE,
        "CountersTable": READ_WRITE_DELETE,
        "DirectoryTable": READ_WRITE_DELETE,
        "DirectoryTable/index/*": READ_WRITE_DELETE,
        "DownloadTokensTable": READ_WRITE_DELETE,
        "EmailQueue": {"sqs:SendMessage*"},
        "ExportsQueue": {"sqs:SendMessage*"},
        "FilesBucket": {"s3:ListBucket"},
        "FilesBucket/*": {"s3:GetObject", "s3:PutObject"},
        "FundingRatesTable": READ_WRITE_DELETE,
        "JourneysTable": READ_WRITE_DELETE,
        "MembershipsTable": READ_WRITE_DELETE,
        "MembershipsTable/index/*": READ_WRITE_DELETE,
        "MentorsTable": READ_WRITE_DELETE,
        "OrganisationsTable": READ_WRITE_DELETE,
        "OrganisationsTable/index/*": READ_WRITE_DELETE,
        "ProvidersTable": READ_WRITE_DELETE,
        "ProvidersTable/index/*": READ_WRITE_DELETE,
        "SchoolImportsQueue": {"sqs:SendMessage*"},
        "SchoolMentorsTable": READ_WRITE_DELETE,
        "SchoolMentorsTable/index/*": READ_WRITE_DELETE,
        "SecretsArn": {"secretsmanager:GetSecretValue"},
        "SessionsTable": READ_WRITE_DELETE,
        "UsersTable": READ_WRITE_DELETE,
        "UsersTable/index/*": READ_WRITE_DELETE,
        "execution:AuditStateMachine:*": {"states:DescribeExecution"},
        "execution:ClaimWindowStateMachine:*": {"states:DescribeExecution"},
        "execution:ClawbackRunStateMachine:*": {"states:DescribeExecution"},
        "schedule/ClaimWindowScheduleGroup/*": {
            "scheduler:CreateSchedule",
            "scheduler:DeleteSchedule",
            "scheduler:GetSchedule",
            "scheduler:UpdateSchedule",
        },
        "stateMachine:AuditStateMachine": {"states:StartExecution"},
        "stateMachine:ClaimWindowStateMachine": {"states:StartExecution"},
        "stateMachine:ClawbackRunStateMachine": {"states:StartExecution"},
    },
    "SyncProvidersFunction": {
        "ActivityTable": {"dynamodb:PutItem"},
        "DirectoryTable": {"dynamodb:BatchGetItem", "dynamodb:PutItem"},
        "ProvidersTable": {"dynamodb:BatchGetItem", "dynamodb:UpdateItem"},
        "ProvidersTable/index/accredited-name-index": {"dynamodb:Query"},
    },
    "ValidateClaimsFunction": {
        "AllowancesTable": READ,
        "AllowancesTable/index/*": READ,
        "BatchesTable": READ_WRITE,
        "BatchesTable/index/*": READ_WRITE,
        "ClaimEventsTable": APPEND_EVENTS,
        "ClaimWindowsTable": READ,
        "ClaimWindowsTable/index/*": READ,
        "ClaimsTable": READ_WRITE,
        "ClaimsTable/index/*": READ_WRITE,
        "CountersTable": {"dynamodb:UpdateItem"},
        "MentorsTable": READ,
        "MentorsTable/index/*": READ,
        "OrganisationsTable": READ,
        "OrganisationsTable/index/*": READ,
        "ProvidersTable": READ,
        "ProvidersTable/index/*": READ,
        "RateLimitsTable": {"dynamodb:UpdateItem"},  # a place in the Teaching Record's counters (ADR 0044)
        "SecretsArn": {"secretsmanager:GetSecretValue"},
    },
    "WebFunction": {
        "AllowancesTable": READ_WRITE,
        "ClaimEventsTable": APPEND_EVENTS,
        "ClaimWindowsTable": {
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:GetItem",
            "dynamodb:Query",
        },
        "ClaimWindowsTable/index/*": {
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:GetItem",
            "dynamodb:Query",
        },
        "ClaimsTable": READ_WRITE,
        "ClaimsTable/index/*": READ_WRITE,
        "CountersTable": {"dynamodb:UpdateItem"},
        "EmailQueue": {"sqs:SendMessage*"},
        "FundingRatesTable": READ,
        "JourneysTable": READ_WRITE,
        "MembershipsTable": READ_WRITE_DELETE,
        "MembershipsTable/index/*": READ_WRITE,
        "MentorsTable": READ_WRITE,
        "OrganisationsTable": {
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
        },
        "OrganisationsTable/index/*": {
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:GetItem",
            "dynamodb:Query",
        },
        "ProvidersTable": READ,
        "ProvidersTable/index/*": READ,
        "RateLimitsTable": {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:UpdateItem"},
        "SchoolMentorsTable": READ_WRITE_DELETE,
        "SchoolMentorsTable/index/*": READ_WRITE,
        "SecretsArn": {"secretsmanager:GetSecretValue"},
        "SessionsTable": READ_WRITE,
        "UsersTable": READ_WRITE,
        "UsersTable/index/*": READ_WRITE,
    },
}

# The two items the web function may delete: a membership (a school user removes a colleague) and a school's mentor
# entry (removing a mentor), ADR 0047. A session that ends is ended in place. Nothing else on a request path deletes.
WEB_DELETES = {"MembershipsTable", "SchoolMentorsTable"}

# Object writes and deletions on S3, and changes to a bucket's own configuration.
S3_WRITES = re.compile(r"^s3:(Put|Delete|Restore|Replicate|Abort|\*)", re.IGNORECASE)
S3_DELETES_OR_LIFECYCLE = re.compile(r"^s3:(\*|Delete|PutLifecycle|PutBucketLifecycle|PutBucketPolicy)", re.IGNORECASE)


# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------


def short(resource: Any) -> str:
    """A policy resource as GRANTS writes it: logical ids for Ref/GetAtt, ARN prefixes and pseudo parameters gone."""
    if isinstance(resource, dict) and "Ref" in resource:
        return str(resource["Ref"])
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        target = resource["Fn::GetAtt"]
        return str(target[0] if isinstance(target, list) else target.split(".")[0])
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        sub = resource["Fn::Sub"]
        text, variables = (sub, {}) if isinstance(sub, str) else (sub[0], sub[1])

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("AWS::"):
                return ""
            return short(variables[name]) if name in variables else name.split(".")[0]

        resource = re.sub(r"\$\{([^}]+)\}", value, text)
    if not isinstance(resource, str):
        pytest.fail(f"a policy resource this test cannot read: {resource!r}")
    return re.sub(r"^table/", "", re.sub(r"^arn::[a-z0-9-]+:[^:]*:[^:]*:", "", resource))


def grants(resources: dict[str, dict[str, Any]], function_id: str) -> set[tuple[str, str]]:
    """Every (action, resource) the function's role allows through its inline policies."""
    found: set[tuple[str, str]] = set()
    for statement in role_statements(resources, function_role_id(resources, function_id)):
        assert statement["Effect"] == "Allow", statement
        assert "NotAction" not in statement, statement
        assert "NotResource" not in statement, statement
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                found.add((action, short(resource)))
    return found


def table_pairs(function_id: str) -> set[tuple[str, str]]:
    return {(action, resource) for resource, actions in GRANTS[function_id].items() for action in actions}


def functions(resources: dict[str, dict[str, Any]]) -> list[str]:
    return sorted(logical_id for logical_id, r in resources.items() if r["Type"] == "AWS::Lambda::Function")


def all_function_grants(resources: dict[str, dict[str, Any]]) -> dict[str, set[tuple[str, str]]]:
    return {function_id: grants(resources, function_id) for function_id in functions(resources)}


def base(resource: str) -> str:
    """The logical id a short resource starts with ("ClaimsTable/index/*" → "ClaimsTable")."""
    return re.split(r"[/:]", resource.removeprefix("stateMachine:").removeprefix("execution:"))[0]


# --------------------------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------------------------


def test_the_table_lists_every_function_in_the_template(resources: dict[str, dict[str, Any]]) -> None:
    # Given the translated template / When its functions are listed / Then GRANTS has exactly those
    assert set(functions(resources)) == set(GRANTS)
    assert set(GRANTS) == set(FUNCTIONS) | OTHER_FUNCTIONS


@pytest.mark.parametrize("function_id", sorted(GRANTS))
def test_function_is_granted_exactly_what_the_table_says(
    resources: dict[str, dict[str, Any]], function_id: str
) -> None:
    # Given the function's role / When its inline policies are read as (action, resource) pairs
    granted = grants(resources, function_id)
    expected = table_pairs(function_id)
    # Then they are exactly the table's: nothing more (add it to GRANTS, with its reason in the template), nothing less
    assert sorted(granted - expected) == [], "granted but not in GRANTS"
    assert sorted(expected - granted) == [], "in GRANTS but not granted"


@pytest.mark.parametrize("function_id", sorted(GRANTS))
def test_function_has_only_the_managed_policies_it_needs(
    resources: dict[str, dict[str, Any]], function_id: str
) -> None:
    # Given the function's role / When its managed policies are listed by name
    role = resources[function_role_id(resources, function_id)]["Properties"]
    names = {short(arn).rsplit("/", 1)[-1] for arn in role.get("ManagedPolicyArns", [])}
    # Then logs and X-Ray, and the SQS poller's policy only for a function an SQS queue triggers
    assert names == MANAGED | ({"AWSLambdaSQSQueueExecutionRole"} if function_id in SQS_TRIGGERED else set())


def test_no_function_is_granted_a_wildcard_action(resources: dict[str, dict[str, Any]]) -> None:
    # Given every function's grants / When actions are looked at / Then none is "*" or "service:*"
    # (sqs:SendMessage* is SAM's SQSSendMessagePolicy: SendMessage and SendMessageBatch, on one queue)
    wildcards = {
        (function_id, action)
        for function_id, pairs in all_function_grants(resources).items()
        for action, _ in pairs
        if action == "*" or action.endswith(":*")
    }
    assert wildcards == set()


# --------------------------------------------------------------------------------------------------------------
# The invariants (issue 14)
# --------------------------------------------------------------------------------------------------------------


def test_web_function_never_scans_batch_writes_or_touches_idempotency_records(
    resources: dict[str, dict[str, Any]],
) -> None:
    # Given the web function's grants
    granted = grants(resources, "WebFunction")
    # When the actions no request path needs are looked for / Then there are none, and no idempotency table
    assert {pair for pair in granted if pair[0] in {"dynamodb:Scan", "dynamodb:BatchWriteItem"}} == set()
    assert {pair for pair in granted if base(pair[1]) == "IdempotencyTable"} == set()


def test_web_function_deletes_only_memberships_and_school_mentors(
    resources: dict[str, dict[str, Any]],
) -> None:
    # Given the web function's grants / When DeleteItem's resources are listed
    deletes = {resource for action, resource in grants(resources, "WebFunction") if action == "dynamodb:DeleteItem"}
    # Then exactly the two tables whose items a request may delete (their whole table, never an index)
    assert deletes == WEB_DELETES


def test_no_function_may_delete_or_rewrite_claim_events(resources: dict[str, dict[str, Any]]) -> None:
    # Given every IAM role in the stack (functions', state machines', schedules')
    found = set()
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for statement in role_statements(resources, logical_id):
            for action in as_list(statement["Action"]):
                for target in as_list(statement["Resource"]):
                    if base(short(target)) in {"ClaimEventsTable", "*"} and action.startswith("dynamodb:"):
                        found.add((logical_id, action))
    # When the claim events table's actions are listed / Then only reading and adding (PutItem): the trail is
    # append-only, so no DeleteItem, no BatchWriteItem (which can delete), no UpdateItem
    assert {action for _, action in found} <= APPEND_EVENTS
    assert {role for role, _ in found} >= {"WebFunctionRole", "SupportFunctionRole"}


def test_no_function_may_delete_files_or_change_the_buckets_lifecycle(resources: dict[str, dict[str, Any]]) -> None:
    # Given every function's grants / When actions on the files bucket are listed
    found = {
        (function_id, action, resource)
        for function_id, pairs in all_function_grants(resources).items()
        for action, resource in pairs
        if base(resource) in {"FilesBucket", "*"} and S3_DELETES_OR_LIFECYCLE.match(action)
    }
    # Then none deletes an object or changes the bucket's lifecycle (support's role included)
    assert found == set()


def test_support_function_reads_and_writes_files_only(resources: dict[str, dict[str, Any]]) -> None:
    # Given the support function's grants / When its S3 actions are listed
    s3 = {pair for pair in grants(resources, "SupportFunction") if pair[0].startswith("s3:")}
    # Then objects read and written, and the bucket listed (so a missing upload is a 404): nothing else
    assert s3 == {
        ("s3:GetObject", "FilesBucket/*"),
        ("s3:PutObject", "FilesBucket/*"),
        ("s3:ListBucket", "FilesBucket"),
    }


def test_generate_payment_file_writes_only_payment_runs(resources: dict[str, dict[str, Any]]) -> None:
    # Given the payment file step's grants / When its S3 writes are listed
    writes = {
        resource for action, resource in grants(resources, "GeneratePaymentFileFunction") if S3_WRITES.match(action)
    }
    # Then it writes under payment-runs/ and nowhere else in any bucket
    assert writes == {"FilesBucket/payment-runs/*"}


def test_only_send_email_keeps_idempotency_records(resources: dict[str, dict[str, Any]]) -> None:
    # Given every function's grants / When the idempotency table's users are listed
    users = {
        function_id
        for function_id, pairs in all_function_grants(resources).items()
        for _, resource in pairs
        if base(resource) == "IdempotencyTable"
    }
    # Then only SendEmail (Powertools idempotency on its queue's deliveries): not the web or support functions
    assert users == {"SendEmailFunction"}


def test_only_the_weekly_names_refresh_scans_and_no_function_batch_writes(resources: dict[str, dict[str, Any]]) -> None:
    # Given every function's grants / When Scan and BatchWriteItem are looked for
    scans = {
        (function_id, resource)
        for function_id, pairs in all_function_grants(resources).items()
        for action, resource in pairs
        if action == "dynamodb:Scan"
    }
    batch_writes = {
        function_id
        for function_id, pairs in all_function_grants(resources).items()
        for action, _ in pairs
        if action == "dynamodb:BatchWriteItem"
    }
    # Then one Scan, the mentors table's for the weekly refresh (MentorsStore.all_trns), and no BatchWriteItem
    assert scans == {("RefreshMentorNamesFunction", "MentorsTable")}
    assert batch_writes == set()
