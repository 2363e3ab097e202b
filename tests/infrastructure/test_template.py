"""template.yaml: linted, translated offline by SAM, and checked against the design (docs/architecture.md).

Each test reads Given (the template / its translation) → When (what is looked at) → Then (what must hold).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infrastructure.local.template import api_routes, apply_substitutions, placeholders, table_definitions

# --------------------------------------------------------------------------------------------------------------
# The contract other code relies on (shared/config.py reads these names; repositories use these keys).
# --------------------------------------------------------------------------------------------------------------

S = "S"

# env var → (logical id, [(key attribute, key type)], {index name: [(attribute, key type)]}, TTL attribute)
TABLES: dict[str, tuple[str, list[tuple[str, str]], dict[str, list[tuple[str, str]]], str | None]] = {
    "ORGANISATIONS_TABLE": (
        "OrganisationsTable",
        [("organisation_id", "HASH")],
        {
            "type-name-index": [("organisation_type", "HASH"), ("name", "RANGE")],
            "name-key-index": [("organisation_type", "HASH"), ("name_key", "RANGE")],
        },
        None,
    ),
    "PROVIDERS_TABLE": (
        "ProvidersTable",
        [("code", "HASH")],
        {"accredited-name-index": [("accredited", "HASH"), ("name", "RANGE")]},
        None,
    ),
    "USERS_TABLE": (
        "UsersTable",
        [("user_id", "HASH")],
        {"email-index": [("email", "HASH")], "role-index": [("role", "HASH"), ("last_name", "RANGE")]},
        None,
    ),
    "MEMBERSHIPS_TABLE": (
        "MembershipsTable",
        [("user_id", "HASH"), ("organisation_id", "RANGE")],
        {"organisation-index": [("organisation_id", "HASH"), ("user_id", "RANGE")]},
        None,
    ),
    "SESSIONS_TABLE": ("SessionsTable", [("session_id", "HASH")], {}, "expires_at"),
    "CLAIM_WINDOWS_TABLE": (
        "ClaimWindowsTable",
        [("window_id", "HASH")],
        {"all-windows-index": [("partition", "HASH"), ("opens_on", "RANGE")]},
        None,
    ),
    "MENTORS_TABLE": ("MentorsTable", [("trn", "HASH")], {}, None),
    "SCHOOL_MENTORS_TABLE": (
        "SchoolMentorsTable",
        [("school_id", "HASH"), ("trn", "RANGE")],
        {"trn-index": [("trn", "HASH"), ("school_id", "RANGE")]},
        None,
    ),
    "CLAIMS_TABLE": (
        "ClaimsTable",
        [("claim_id", "HASH")],
        {
            "school-index": [("school_id", "HASH"), ("created_at", "RANGE")],
            "window-status-index": [("window_status", "HASH"), ("reference", "RANGE")],
            "provider-index": [("provider_code", "HASH"), ("created_at", "RANGE")],
            "reference-index": [("reference", "HASH")],
            "run-index": [("payment_run_id", "HASH"), ("reference", "RANGE")],
            "listing-index": [("academic_year", "HASH"), ("listed_at", "RANGE")],
            "audit-index": [("audit_id", "HASH"), ("provider_code", "RANGE")],
            "clawback-index": [("clawback_run_id", "HASH"), ("reference", "RANGE")],
        },
        None,
    ),
    "ALLOWANCES_TABLE": ("AllowancesTable", [("allowance_id", "HASH")], {}, None),
    "CLAIM_EVENTS_TABLE": ("ClaimEventsTable", [("claim_id", "HASH"), ("event_id", "RANGE")], {}, None),
    "FUNDING_RATES_TABLE": ("FundingRatesTable", [("academic_year", "HASH"), ("region", "RANGE")], {}, None),
    "BATCHES_TABLE": (
        "BatchesTable",
        [("batch_id", "HASH")],
        {"kind-index": [("kind", "HASH"), ("created_at", "RANGE")]},
        None,
    ),
    "DOWNLOAD_TOKENS_TABLE": ("DownloadTokensTable", [("token_hash", "HASH")], {}, "expires_at"),
    "JOURNEYS_TABLE": ("JourneysTable", [("journey_id", "HASH")], {}, "expires_at"),
    "IDEMPOTENCY_TABLE": ("IdempotencyTable", [("id", "HASH")], {}, "expiration"),
    "RATE_LIMITS_TABLE": ("RateLimitsTable", [("limit_key", "HASH")], {}, "expires_at"),
    "ACTIVITY_TABLE": (
        "ActivityTable",
        [("activity_id", "HASH")],
        {"month-index": [("month", "HASH"), ("at_id", "RANGE")]},
        None,
    ),
    "COUNTERS_TABLE": ("CountersTable", [("counter_id", "HASH")], {}, None),
    "DIRECTORY_TABLE": (
        "DirectoryTable",
        [("organisation_key", "HASH")],
        {
            "name-index": [("listing", "HASH"), ("sort_key", "RANGE")],
            "kind-index": [("kind", "HASH"), ("sort_key", "RANGE")],
            "region-index": [("region", "HASH"), ("sort_key", "RANGE")],
            "ukprn-index": [("ukprn", "HASH")],
            "postcode-index": [("outward_code", "HASH"), ("postcode_key", "RANGE")],
        },
        None,
    ),
}

# Short-lived state that may go with the stack; everything else is retained.
DISPOSABLE_TABLES = {"SessionsTable", "JourneysTable", "IdempotencyTable", "DownloadTokensTable", "RateLimitsTable"}

COMMON_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "LOG_LEVEL",
    "ENVIRONMENT",
    "FILES_BUCKET",
    "EMAIL_QUEUE_URL",
    "SIGN_IN_METHOD",
    "SERVICE_URL",
    "DFE_SIGN_IN_ISSUER_URL",
    "DFE_SIGN_IN_CLIENT_ID",
    "TEACHING_RECORD_BASE_URL",
    "NOTIFY_BASE_URL",
    "PAYER_EMAIL_ADDRESSES",
    "SECRETS_ARN",
    "SESSION_IDLE_MINUTES",
    *TABLES,
}

FUNCTIONS = {
    "WebFunction": "functions/web/",
    "SupportFunction": "functions/support/",
    "CloseWindowFunction": "functions/close_window/",
    "ValidateClaimsFunction": "functions/validate_claims/",
    "GeneratePaymentFileFunction": "functions/generate_payment_file/",
    "NotifyPayerFunction": "functions/notify_payer/",
    "RecordRunFailureFunction": "functions/record_run_failure/",
    "SendEmailFunction": "functions/send_email/",
    "DownloadFunction": "functions/download_file/",
    "AwaitReviewFunction": "functions/await_review/",
    "ReconcilePaymentFileFunction": "functions/reconcile_payment_file/",
    "StartDueRunsFunction": "functions/start_due_runs/",
    "ExportClaimsFunction": "functions/export_claims/",
    "ImportSchoolsFunction": "functions/import_schools/",
    "ClawbackRunFunction": "functions/clawback_run/",
    "StartClawbackRunFunction": "functions/start_clawback_run/",
    "RefreshMentorNamesFunction": "functions/refresh_mentor_names/",
    "CheckMentorNamesFunction": "functions/check_mentor_names/",
    "FetchGiasFunction": "functions/fetch_gias/",  # ADR 0035
    "SyncProvidersFunction": "functions/sync_providers/",  # ADR 0036
    "NotifyCallbackFunction": "functions/notify_callback/",  # ADR 0038
}

ROUTES = {
    ("WebFunction", "/", "ANY"),
    ("WebFunction", "/{proxy+}", "ANY"),
    ("SupportFunction", "/support", "ANY"),
    ("SupportFunction", "/support/{proxy+}", "ANY"),
    ("DownloadFunction", "/downloads/{token}", "GET"),
    ("DownloadFunction", "/downloads/{token}", "POST"),
    ("NotifyCallbackFunction", "/notify/callback", "POST"),  # GOV.UK Notify's delivery receipts (ADR 0038)
}

LAMBDA_TRANSIENT_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "TransientError",
]

# IAM: the aggregate size of one role's inline policies (whitespace aside) may not exceed 10,240 characters.
IAM_ROLE_INLINE_POLICY_LIMIT = 10_240


# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------


def tool(name: str) -> str:
    """A console script installed next to this interpreter (the project's virtualenv), else on PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: install the dev requirements")
    return found


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def statements(node: Any) -> list[dict[str, Any]]:
    """Every IAM/resource policy statement anywhere under node."""
    found: list[dict[str, Any]] = []
    for item in walk(node):
        if isinstance(item, dict) and "Statement" in item:
            listed = item["Statement"]
            found += listed if isinstance(listed, list) else [listed]
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def references(node: Any) -> set[str]:
    """Logical ids (and parameters) a node refers to: Ref, Fn::GetAtt, and ${Name}/${Name.Attr} in Fn::Sub.

    Pseudo parameters (AWS::Region...) are left out; an Fn::Sub variable counts as what its value refers to.
    """
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= references(item)
        return found
    if not isinstance(node, dict):
        return found
    if isinstance(node.get("Ref"), str):
        found.add(node["Ref"])
    elif "Fn::GetAtt" in node:
        target = node["Fn::GetAtt"]
        found.add(target[0] if isinstance(target, list) else str(target).split(".")[0])
    elif "Fn::Sub" in node:
        sub = node["Fn::Sub"]
        text, variables = (sub, {}) if isinstance(sub, str) else (sub[0], sub[1])
        for name in re.findall(r"\$\{([^}!]+)\}", text):
            found |= references(variables[name]) if name in variables else {name.split(".")[0]}
    else:
        for value in node.values():
            found |= references(value)
    return {name for name in found if not name.startswith("AWS::")}


def role_statements(resources: dict[str, dict[str, Any]], role_id: str) -> list[dict[str, Any]]:
    return statements(resources[role_id]["Properties"].get("Policies", []))


def function_role_id(resources: dict[str, dict[str, Any]], function_id: str) -> str:
    role = resources[function_id]["Properties"]["Role"]
    return str(role["Fn::GetAtt"][0])


# --------------------------------------------------------------------------------------------------------------
# Linters
# --------------------------------------------------------------------------------------------------------------


def test_cfn_lint_finds_no_errors_or_warnings(root: Path) -> None:
    # Given template.yaml and .cfnlintrc.yaml / When cfn-lint runs (it applies the SAM transform itself)
    result = subprocess.run(
        [tool("cfn-lint"), "template.yaml"], cwd=root, capture_output=True, text=True, timeout=120, check=False
    )
    # Then it exits 0 (exit code bits: 2 errors, 4 warnings, 8 informational)
    assert result.returncode == 0, result.stdout + result.stderr


def test_statelint_accepts_the_claim_window_workflow(root: Path, asl_path: Path) -> None:
    # Given the ASL file / When statelint checks its states and transitions
    result = subprocess.run(
        [tool("statelint"), str(asl_path)], cwd=root, capture_output=True, text=True, timeout=60, check=False
    )
    # Then it reports nothing
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "", result.stdout


# --------------------------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------------------------


def test_exactly_the_designed_tables_exist(resources: dict[str, dict[str, Any]]) -> None:
    # Given the translated template / When its DynamoDB tables are listed
    tables = {logical_id for logical_id, resource in resources.items() if resource["Type"] == "AWS::DynamoDB::Table"}
    # Then they are exactly the designed ones (no SimpleTable, nothing extra)
    assert tables == {logical_id for logical_id, *_ in TABLES.values()}


@pytest.mark.parametrize("env_var", sorted(TABLES))
def test_table_has_the_designed_keys_indexes_and_protection(resources: dict[str, dict[str, Any]], env_var: str) -> None:
    # Given the designed table / When its translated resource is read
    logical_id, keys, indexes, ttl = TABLES[env_var]
    resource = resources[logical_id]
    properties = resource["Properties"]

    # Then keys, indexes (projecting ALL but the claims list's) and attribute definitions (all S, exactly the
    # key attributes) match
    assert properties["KeySchema"] == [{"AttributeName": name, "KeyType": kind} for name, kind in keys]
    actual_indexes = {index["IndexName"]: index for index in properties.get("GlobalSecondaryIndexes", [])}
    assert set(actual_indexes) == set(indexes)
    for name, index_keys in indexes.items():
        assert actual_indexes[name]["KeySchema"] == [{"AttributeName": a, "KeyType": k} for a, k in index_keys]
        if name == "listing-index":  # the claims list's index carries only what the list shows (ADR 0020)
            from shared.data.items import LISTING_ATTRIBUTES

            projection = {"ProjectionType": "INCLUDE", "NonKeyAttributes": LISTING_ATTRIBUTES}
            assert actual_indexes[name]["Projection"] == projection
        else:
            assert actual_indexes[name]["Projection"] == {"ProjectionType": "ALL"}
    key_attributes = {name for name, _ in keys} | {name for index in indexes.values() for name, _ in index}
    definitions = {d["AttributeName"]: d["AttributeType"] for d in properties["AttributeDefinitions"]}
    assert definitions == dict.fromkeys(key_attributes, S)
    assert "LocalSecondaryIndexes" not in properties

    # And it is on demand, recoverable and encrypted
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert "TableName" not in properties, "let CloudFormation name tables (replacement-safe)"

    # And only short-lived state can be deleted with the stack
    expected_policy = "Delete" if logical_id in DISPOSABLE_TABLES else "Retain"
    assert resource.get("DeletionPolicy") == expected_policy
    assert resource.get("UpdateReplacePolicy") == expected_policy

    # And TTL is on exactly where designed
    if ttl is None:
        assert "TimeToLiveSpecification" not in properties
    else:
        assert properties["TimeToLiveSpecification"] == {"AttributeName": ttl, "Enabled": True}


def test_every_function_is_told_every_table_and_setting(resources: dict[str, dict[str, Any]]) -> None:
    # Given the translated functions / When their environments are read
    for function_id in FUNCTIONS:
        variables = resources[function_id]["Properties"]["Environment"]["Variables"]
        # Then each has every common variable, and each table variable names its table
        assert set(variables) >= COMMON_ENVIRONMENT, function_id
        for env_var, (logical_id, *_) in TABLES.items():
            assert variables[env_var] == {"Ref": logical_id}, (function_id, env_var)
        assert variables["SESSION_IDLE_MINUTES"] == "120"
        assert variables["SECRETS_ARN"] == {"Ref": "SecretsArn"}


def test_local_table_definitions_agree_with_the_translation(
    template: dict[str, Any], resources: dict[str, dict[str, Any]]
) -> None:
    # Given the local stack's reading of the template / When compared with what SAM hands CloudFormation
    specs = table_definitions(template, lambda logical_id: logical_id)
    # Then every table variable is covered, with the same keys, indexes and TTL
    assert set(specs) == set(TABLES)
    for env_var, spec in specs.items():
        logical_id = spec.create_kwargs["TableName"]
        properties = resources[logical_id]["Properties"]
        assert spec.create_kwargs["KeySchema"] == properties["KeySchema"]
        assert spec.create_kwargs["AttributeDefinitions"] == properties["AttributeDefinitions"]
        assert spec.create_kwargs.get("GlobalSecondaryIndexes", []) == properties.get("GlobalSecondaryIndexes", [])
        assert spec.ttl_attribute == TABLES[env_var][3]


# --------------------------------------------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("function_id", sorted(FUNCTIONS))
def test_function_runs_python_312_on_arm_with_tracing_and_the_shared_layer(
    template: dict[str, Any], resources: dict[str, dict[str, Any]], function_id: str
) -> None:
    # Given a function / When its source and translated properties are read
    source = template["Resources"][function_id]["Properties"]
    properties = resources[function_id]["Properties"]
    # Then it is the designed code and runtime
    assert source["CodeUri"] == FUNCTIONS[function_id]
    assert properties["Handler"] == "app.lambda_handler"
    assert properties["Runtime"] == "python3.12"
    assert properties["Architectures"] == ["arm64"]
    assert properties["TracingConfig"] == {"Mode": "Active"}
    assert properties["MemorySize"] == 512
    layers = properties["Layers"]
    assert len(layers) == 1
    assert resources[layers[0]["Ref"]]["Type"] == "AWS::Lambda::LayerVersion"


def test_shared_layer_is_built_by_the_makefile(template: dict[str, Any]) -> None:
    # Given the layer / Then sam build runs the Makefile's build-SharedLayer target over the whole repository
    layer = template["Resources"]["SharedLayer"]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Properties"]["ContentUri"] == "."
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.12"]


def test_support_function_knows_the_workflow_and_schedules(resources: dict[str, dict[str, Any]]) -> None:
    variables = resources["SupportFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["CLAIM_WINDOW_STATE_MACHINE_ARN"] == {"Ref": "ClaimWindowStateMachine"}
    assert variables["SCHEDULER_ROLE_ARN"] == {"Fn::GetAtt": ["ClaimWindowSchedulerRole", "Arn"]}
    assert variables["SCHEDULE_GROUP_NAME"] == {"Ref": "ClaimWindowScheduleGroup"}


# --------------------------------------------------------------------------------------------------------------
# API Gateway and WAF
# --------------------------------------------------------------------------------------------------------------


def test_api_is_a_regional_rest_api_with_a_traced_logged_live_stage(resources: dict[str, dict[str, Any]]) -> None:
    # Given the translated API / Then it is a regional REST API
    api = resources["Api"]
    assert api["Type"] == "AWS::ApiGateway::RestApi"
    assert api["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    # And its one stage, "live", is traced, logs access and errors, and never logs request or response data
    stages = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    assert len(stages) == 1
    stage = resources["ApiliveStage"]["Properties"]
    assert stage["StageName"] == "live"
    assert stage["TracingEnabled"] is True
    assert references(stage["AccessLogSetting"]["DestinationArn"]) == {"ApiAccessLogGroup"}
    for setting in stage["MethodSettings"]:
        assert setting["DataTraceEnabled"] is False
        assert setting["LoggingLevel"] in {"ERROR", "INFO"}


def invoked_function(resources: dict[str, dict[str, Any]], logical_id: str) -> str:
    """The function a logical id invokes: the function itself, or the one behind an alias (SnapStart, ADR 0043)."""
    resource = resources[logical_id]
    if resource["Type"] == "AWS::Lambda::Alias":
        (function_id,) = references(resource["Properties"]["FunctionName"])
        return function_id
    return logical_id


SNAPSTART_FUNCTIONS = ("WebFunction", "SupportFunction")


@pytest.mark.parametrize("function_id", SNAPSTART_FUNCTIONS)
def test_the_page_functions_restore_from_a_snapshot_and_the_api_invokes_their_alias(
    template: dict[str, Any], resources: dict[str, dict[str, Any]], function_id: str
) -> None:
    # Given a function that serves pages (ADR 0043) / When its translated resources are read
    properties = resources[function_id]["Properties"]
    alias_id = f"{function_id}Aliaslive"
    alias = resources[alias_id]
    # Then SnapStart snapshots its published versions, and the alias points at the one SAM publishes
    assert properties["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert alias["Type"] == "AWS::Lambda::Alias"
    (version_id,) = references(alias["Properties"]["FunctionVersion"])
    assert resources[version_id]["Type"] == "AWS::Lambda::Version"
    # And it uses nothing SnapStart refuses: provisioned concurrency, EFS, ephemeral storage over 512 MB
    assert "ProvisionedConcurrencyConfig" not in alias["Properties"]
    assert "FileSystemConfigs" not in properties
    assert properties.get("EphemeralStorage", {"Size": 512})["Size"] <= 512
    # And every API route to it calls the alias (SnapStart never applies to $LATEST), with permissions for it
    paths = resources["Api"]["Properties"]["Body"]["paths"]
    targets = {
        target
        for operations in paths.values()
        for operation in operations.values()
        if operation["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
        for target in references(operation["x-amazon-apigateway-integration"]["uri"])
    }
    assert alias_id in targets
    assert function_id not in targets
    invoked = [r["Properties"]["FunctionName"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert {"Ref": function_id} not in invoked
    assert {"Ref": alias_id} in invoked
    # And nothing else in the template snapshots a function: the others start cold as before (ADR 0043)
    others = [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
        and "SnapStart" in resource["Properties"]
        and logical_id not in SNAPSTART_FUNCTIONS
    ]
    assert others == []


def test_api_routes_are_the_designed_ones_and_reach_the_right_function(
    template: dict[str, Any], resources: dict[str, dict[str, Any]]
) -> None:
    # Given the functions' Api events / When compared with the API body that CloudFormation deploys
    events = {(route.function, route.path, route.method) for route in api_routes(template)}
    assert events == ROUTES
    paths = resources["Api"]["Properties"]["Body"]["paths"]
    body_routes: set[tuple[str, str, str]] = set()
    for path, operations in paths.items():
        for method, operation in operations.items():
            integration = operation["x-amazon-apigateway-integration"]
            if integration["type"] != "aws_proxy":
                continue
            (target_id,) = references(integration["uri"])
            name = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
            body_routes.add((invoked_function(resources, target_id), path, name))
            assert integration["httpMethod"] == "POST"
    # Then the body routes exactly the events, each to its function
    assert body_routes == events
    # And each event has an invoke permission scoped to this API
    permissions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    for function_id, count in {
        "WebFunction": 2,
        "SupportFunction": 2,
        "DownloadFunction": 2,
        "NotifyCallbackFunction": 1,
    }.items():
        mine = [p for p in permissions if invoked_function(resources, p["FunctionName"]["Ref"]) == function_id]
        assert len(mine) == count, function_id
        for permission in mine:
            assert permission["Principal"] == "apigateway.amazonaws.com"
            assert "Api" in references(permission["SourceArn"])


def test_assets_are_served_from_the_private_bucket_by_a_read_only_role(resources: dict[str, dict[str, Any]]) -> None:
    # Given the API body / When the assets route is read
    operation = resources["Api"]["Properties"]["Body"]["paths"]["/assets/{proxy+}"]["get"]
    integration = operation["x-amazon-apigateway-integration"]
    # Then it is an S3 integration on AssetsBucket with the ApiAssetsRole
    assert integration["type"] == "aws"
    assert integration["httpMethod"] == "GET"
    assert integration["uri"]["Fn::Sub"].endswith(":s3:path/${AssetsBucket}/{proxy}")
    assert integration["credentials"] == {"Fn::GetAtt": ["ApiAssetsRole", "Arn"]}
    assert integration["requestParameters"] == {"integration.request.path.proxy": "method.request.path.proxy"}
    # And that role can only read objects in the assets bucket
    role = resources["ApiAssetsRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "apigateway.amazonaws.com"}
    granted = statements(role["Policies"])
    assert [as_list(s["Action"]) for s in granted] == [["s3:GetObject"]]
    assert references(granted[0]["Resource"]) == {"AssetsBucket"}
    assert "ManagedPolicyArns" not in role


def test_waf_protects_the_live_stage(resources: dict[str, dict[str, Any]]) -> None:
    # Given the web ACL / Then it is regional with the managed rule sets and a per-IP rate limit
    acl = resources["WebAcl"]["Properties"]
    assert acl["Scope"] == "REGIONAL"
    managed = {
        rule["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for rule in acl["Rules"]
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }
    assert managed >= {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"}
    (rate,) = [rule for rule in acl["Rules"] if "RateBasedStatement" in rule["Statement"]]
    assert rate["Statement"]["RateBasedStatement"] == {
        "Limit": 1000,
        "EvaluationWindowSec": 300,
        "AggregateKeyType": "IP",
    }
    assert rate["Action"] == {"Block": {}}
    assert len({rule["Priority"] for rule in acl["Rules"]}) == len(acl["Rules"])
    # And it is associated with the live stage, after the stage exists
    association = resources["WebAclAssociation"]
    assert association["Type"] == "AWS::WAFv2::WebACLAssociation"
    assert as_list(association["DependsOn"]) == ["ApiliveStage"]
    assert association["Properties"]["ResourceArn"]["Fn::Sub"].endswith(
        ":apigateway:${AWS::Region}::/restapis/${Api}/stages/live"
    )
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["WebAcl", "Arn"]}


# --------------------------------------------------------------------------------------------------------------
# Storage and queues
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bucket_id", ["FilesBucket", "AssetsBucket"])
def test_bucket_is_private_encrypted_and_tls_only(resources: dict[str, dict[str, Any]], bucket_id: str) -> None:
    properties = resources[bucket_id]["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    (policy,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::S3::BucketPolicy" and r["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    deny = [s for s in statements(policy) if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in deny)


def test_files_bucket_is_versioned_and_retained(resources: dict[str, dict[str, Any]]) -> None:
    bucket = resources["FilesBucket"]
    assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["DeletionPolicy"] == "Retain"


def test_email_queue_redrives_to_its_dead_letter_queue_and_outlives_the_sender(
    resources: dict[str, dict[str, Any]],
) -> None:
    # Given the email queue / Then failed messages move to the DLQ after 5 receives
    queue = resources["EmailQueue"]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["EmailDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }
    assert queue["SqsManagedSseEnabled"] is True
    assert resources["EmailDeadLetterQueue"]["Properties"]["SqsManagedSseEnabled"] is True
    # And a message stays invisible for at least 6 x the sender's timeout (AWS guidance for Lambda sources)
    assert queue["VisibilityTimeout"] >= 6 * resources["SendEmailFunction"]["Properties"]["Timeout"]
    # And the sender reports partial batch failures
    (mapping,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": "SendEmailFunction"}
    ]
    assert mapping["FunctionName"] == {"Ref": "SendEmailFunction"}
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["EmailQueue", "Arn"]}
    assert mapping["BatchSize"] == 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


# --------------------------------------------------------------------------------------------------------------
# Workflow and schedules
# --------------------------------------------------------------------------------------------------------------


def test_state_machine_substitutions_cover_every_placeholder(
    template: dict[str, Any], resources: dict[str, dict[str, Any]], asl_path: Path
) -> None:
    # Given the ASL text and the translated state machine
    text = asl_path.read_text(encoding="utf-8")
    machine = resources["ClaimWindowStateMachine"]["Properties"]
    substitutions = machine["DefinitionSubstitutions"]
    source = template["Resources"]["ClaimWindowStateMachine"]["Properties"]
    assert source["DefinitionUri"] == "infrastructure/statemachines/claim-window.asl.json"
    # When every substitution is applied (each an ARN of a function in this template)
    assert placeholders(text) == set(substitutions)
    fake_arns = {}
    for name, value in substitutions.items():
        (function_id,) = references(value)
        assert resources[function_id]["Type"] == "AWS::Lambda::Function"
        fake_arns[name] = f"arn:aws:lambda:eu-west-2:123456789012:function:{function_id}"
    definition = apply_substitutions(text, fake_arns)
    # Then no placeholder remains and the result is still valid JSON
    assert "${" not in definition
    json.loads(definition)


def test_state_machine_is_standard_traced_and_logs_without_execution_data(resources: dict[str, dict[str, Any]]) -> None:
    machine = resources["ClaimWindowStateMachine"]["Properties"]
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    logging = machine["LoggingConfiguration"]
    assert logging["IncludeExecutionData"] is False
    assert logging["Level"] == "ERROR"
    (destination,) = logging["Destinations"]
    assert references(destination) == {"ClaimWindowStateMachineLogGroup"}


def test_state_machine_may_invoke_only_its_task_functions(resources: dict[str, dict[str, Any]]) -> None:
    granted = role_statements(resources, "ClaimWindowStateMachineRole")
    invoked = {
        ref for s in granted if "lambda:InvokeFunction" in as_list(s["Action"]) for ref in references(s["Resource"])
    }
    assert invoked == {
        "CloseWindowFunction",
        "ValidateClaimsFunction",
        "GeneratePaymentFileFunction",
        "NotifyPayerFunction",
        "AwaitReviewFunction",
        "RecordRunFailureFunction",
        "ReconcilePaymentFileFunction",
    }


def test_nightly_schedule_starts_the_workflow_in_london_time(resources: dict[str, dict[str, Any]]) -> None:
    # Given the schedule / Then it fires at 00:05 London time, on time, through its role, at the function that
    # starts each due window's named first run (a schedule cannot name an execution itself)
    schedule = resources["CloseDueClaimWindowsSchedule"]
    assert schedule["Type"] == "AWS::Scheduler::Schedule"
    properties = schedule["Properties"]
    assert properties["ScheduleExpression"] == "cron(5 0 * * ? *)"
    assert properties["ScheduleExpressionTimezone"] == "Europe/London"
    assert properties["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert properties["GroupName"] == {"Ref": "ClaimWindowScheduleGroup"}
    target = properties["Target"]
    assert target["Arn"] == {"Fn::GetAtt": ["StartDueRunsFunction", "Arn"]}
    assert target["RoleArn"] == {"Fn::GetAtt": ["ClaimWindowSchedulerRole", "Arn"]}
    assert json.loads(target["Input"]) == {"trigger": "nightly"}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1


def test_scheduler_role_can_only_start_the_workflow(resources: dict[str, dict[str, Any]]) -> None:
    role = resources["ClaimWindowSchedulerRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    granted = statements(role["Policies"])
    by_action = {action: references(s["Resource"]) for s in granted for action in as_list(s["Action"])}
    assert by_action["states:StartExecution"] == {"ClaimWindowStateMachine"}
    assert by_action["lambda:InvokeFunction"] == {"StartDueRunsFunction"}
    assert set(by_action) <= {"states:StartExecution", "lambda:InvokeFunction", "sqs:SendMessage"}


def test_the_nightly_check_only_reads_windows_and_starts_named_runs(resources: dict[str, dict[str, Any]]) -> None:
    # Given the nightly check's role / Then it reads claim windows, starts and describes executions of the
    # claim-window workflow, and nothing else: it writes no table and reads no claim
    granted = role_statements(resources, function_role_id(resources, "StartDueRunsFunction"))
    named = {ref for s in granted for ref in references(s.get("Resource", []))}
    assert named == {"ClaimWindowsTable", "ClaimWindowStateMachine"}
    actions = {action for s in granted for action in as_list(s["Action"])}
    assert {a for a in actions if a.startswith("states:")} == {"states:StartExecution", "states:DescribeExecution"}
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    assert not writes & actions


def test_reconciliation_reads_claims_and_files_and_writes_only_the_run_record(
    resources: dict[str, dict[str, Any]],
) -> None:
    # Given the reconciliation task's role / Then it can read claims but never change one, and touches only
    # payment-run objects in the files bucket
    granted = role_statements(resources, function_role_id(resources, "ReconcilePaymentFileFunction"))
    claims = {a for s in granted if "ClaimsTable" in references(s["Resource"]) for a in as_list(s["Action"])}
    assert claims
    assert not {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} & claims
    batches = {a for s in granted if "BatchesTable" in references(s["Resource"]) for a in as_list(s["Action"])}
    assert batches == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    (files,) = [s for s in granted if "FilesBucket" in references(s["Resource"])]
    assert files["Resource"]["Fn::Sub"] == "${FilesBucket.Arn}/payment-runs/*"


# --------------------------------------------------------------------------------------------------------------
# Least privilege
# --------------------------------------------------------------------------------------------------------------


def test_no_policy_anywhere_allows_every_action_on_every_resource(translated: dict[str, Any]) -> None:
    for statement in statements(translated["Resources"]):
        actions = as_list(statement.get("Action", []))
        resources = as_list(statement.get("Resource", []))
        assert not ("*" in actions and "*" in resources), statement


def test_web_function_cannot_reach_payment_runs_files_or_batches(resources: dict[str, dict[str, Any]]) -> None:
    # Given the web (school/provider) function's role
    role_id = function_role_id(resources, "WebFunction")
    granted = role_statements(resources, role_id)
    # Then nothing it is granted names the batches table, the files bucket or the workflow
    named = {ref for s in granted for ref in references(s.get("Resource", []))}
    assert not named & {"BatchesTable", "FilesBucket", "ClaimWindowStateMachine", "ClaimWindowScheduleGroup"}
    # And it has no Step Functions, Scheduler or PassRole action at all, nor any S3 action
    actions = {action for s in granted for action in as_list(s["Action"])}
    assert not {a for a in actions if a.split(":")[0] in {"states", "scheduler", "iam", "s3"}}
    # And its managed policies are only logging and tracing
    managed = resources[role_id]["Properties"]["ManagedPolicyArns"]
    assert {arn.rsplit("/", 1)[-1] for arn in managed} == {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}


def test_only_the_file_writer_the_support_console_and_the_download_link_touch_the_files_bucket(
    resources: dict[str, dict[str, Any]],
) -> None:
    # Given every function's role / When the statements naming the files bucket are collected
    touching = set()
    for function_id in FUNCTIONS:
        granted = role_statements(resources, function_role_id(resources, function_id))
        if any("FilesBucket" in references(s.get("Resource", [])) for s in granted):
            touching.add(function_id)
    # Then only these may (school-facing code, the workflow's other tasks and the sender may not)
    assert touching == {
        "SupportFunction",
        "GeneratePaymentFileFunction",
        "ReconcilePaymentFileFunction",
        "DownloadFunction",
        "ExportClaimsFunction",
        "ImportSchoolsFunction",
        "ClawbackRunFunction",  # clawback files only (ADR 0034)
        "FetchGiasFunction",  # stores the nightly extract under school-data/uploads/ (ADR 0035)
    }


def test_download_function_reads_links_and_payment_files_and_nothing_else(resources: dict[str, dict[str, Any]]) -> None:
    # Given the download function's role
    role_id = function_role_id(resources, "DownloadFunction")
    granted = role_statements(resources, role_id)
    # Then it names only the download links table and the files bucket
    assert {ref for s in granted for ref in references(s.get("Resource", []))} == {"DownloadTokensTable", "FilesBucket"}
    by_resource: dict[str, set[str]] = {}
    for statement in granted:
        for ref in references(statement["Resource"]):
            by_resource.setdefault(ref, set()).update(as_list(statement["Action"]))
    # And on the links it may read one item and update one (mark it used), never scan, put or delete
    assert by_resource["DownloadTokensTable"] == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    # And in the bucket it may only get objects, and only payment and clawback files (ADR 0034)
    assert by_resource["FilesBucket"] == {"s3:GetObject"}
    (files,) = [s for s in granted if "FilesBucket" in references(s["Resource"])]
    assert [part["Fn::Sub"] for part in files["Resource"]] == [
        "${FilesBucket.Arn}/payment-runs/*",
        "${FilesBucket.Arn}/clawback-runs/*",
    ]
    # And no other service at all: no sessions, queues, secrets, workflow or scheduler
    actions = {action for s in granted for action in as_list(s["Action"])}
    assert {action.split(":")[0] for action in actions} == {"dynamodb", "s3"}
    managed = resources[role_id]["Properties"]["ManagedPolicyArns"]
    assert {arn.rsplit("/", 1)[-1] for arn in managed} == {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}


def test_notify_payer_issues_links_records_the_run_and_queues_emails_only(resources: dict[str, dict[str, Any]]) -> None:
    # Given the NotifyPayer task's role
    granted = role_statements(resources, function_role_id(resources, "NotifyPayerFunction"))
    named = {ref for s in granted for ref in references(s.get("Resource", []))}
    # Then it touches the download links, the batches (the run record: reconciled?), the window (to free it for
    # another run), the run's Activity entry (what it did) and the email queue, and never a file
    assert named == {"DownloadTokensTable", "BatchesTable", "ClaimWindowsTable", "ActivityTable", "EmailQueue"}
    batches = {a for s in granted if "BatchesTable" in references(s["Resource"]) for a in as_list(s["Action"])}
    assert batches == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    windows = {a for s in granted if "ClaimWindowsTable" in references(s["Resource"]) for a in as_list(s["Action"])}
    assert windows == {"dynamodb:UpdateItem"}
    actions = {action for s in granted for action in as_list(s["Action"])}
    assert not {a for a in actions if a.split(":")[0] in {"s3", "states", "scheduler", "iam", "secretsmanager"}}


def test_only_the_workflow_task_the_download_link_and_the_console_touch_download_links(
    resources: dict[str, dict[str, Any]],
) -> None:
    touching = {
        function_id
        for function_id in FUNCTIONS
        if any(
            "DownloadTokensTable" in references(s.get("Resource", []))
            for s in role_statements(resources, function_role_id(resources, function_id))
        )
    }
    assert touching == {"NotifyPayerFunction", "DownloadFunction", "SupportFunction", "ClawbackRunFunction"}


def test_payer_email_addresses_must_be_one_or_more_addresses(template: dict[str, Any]) -> None:
    # Given the parameter / When its pattern is tried as CloudFormation does (the whole value must match)
    pattern = template["Parameters"]["PayerEmailAddresses"]["AllowedPattern"]
    # Then a payment run always has someone to email, and a typing slip fails the deployment
    for good in ("payments@payer.example.gov.uk", "a@b.gov.uk, c@d.gov.uk", "a@b.gov.uk,c@d.gov.uk"):
        assert re.fullmatch(pattern, good), good
    for bad in ("", " ", "payments", "a@b.gov.uk,", "a@b.gov.uk c@d.gov.uk", "a@b.gov.uk;c@d.gov.uk"):
        assert not re.fullmatch(pattern, bad), bad


def test_web_function_may_only_read_reference_data(resources: dict[str, dict[str, Any]]) -> None:
    granted = role_statements(resources, function_role_id(resources, "WebFunction"))
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    for table in ("ProvidersTable", "ClaimWindowsTable", "FundingRatesTable"):
        for statement in granted:
            if table in references(statement.get("Resource", [])):
                assert not writes & set(as_list(statement["Action"])), table
    # A school's own record is updated in place (its grant conditions, its mentor-list version), never
    # replaced or deleted
    on_organisations = {
        action
        for statement in granted
        if "OrganisationsTable" in references(statement.get("Resource", []))
        for action in as_list(statement["Action"])
    }
    assert on_organisations & writes == {"dynamodb:UpdateItem"}
    # A submission checks its window and its school's mentor list in the same transaction
    assert "dynamodb:ConditionCheckItem" in on_organisations


def test_rate_limits_table_counters_expire_by_ttl_on_expires_at(resources: dict[str, dict[str, Any]]) -> None:
    # Given the failed-lookup counters' table (ADR 14) / When its properties are read
    properties = resources["RateLimitsTable"]["Properties"]
    # Then DynamoDB removes each counter after its expires_at, and the table is keyed by the counter's key
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["KeySchema"] == [{"AttributeName": "limit_key", "KeyType": "HASH"}]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"


def test_web_function_may_only_read_and_add_to_the_rate_limit_counters(resources: dict[str, dict[str, Any]]) -> None:
    # Given the web function's role / When the actions on the rate limits table are collected
    granted = role_statements(resources, function_role_id(resources, "WebFunction"))
    on_table = [s for s in granted if "RateLimitsTable" in references(s.get("Resource", []))]
    actions = {action for s in on_table for action in as_list(s["Action"])}
    # Then it may read the counters (one BatchGet) and add to them, and nothing else: no scan, put or delete
    assert actions == {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem"}
    assert all(s["Effect"] == "Allow" for s in on_table)
    # And only on the table itself (it has no indexes)
    for statement in on_table:
        assert as_list(statement["Resource"]) == [{"Fn::GetAtt": ["RateLimitsTable", "Arn"]}]


def test_only_the_web_function_uses_the_rate_limit_counters(resources: dict[str, dict[str, Any]]) -> None:
    touching = {
        function_id
        for function_id in FUNCTIONS
        if any(
            "RateLimitsTable" in references(s.get("Resource", []))
            for s in role_statements(resources, function_role_id(resources, function_id))
        )
    }
    # ...and the mentor names check and the payment run's checks, which take places in the one-second counters
    # of the Teaching Record's rate limit (ADR 0037, ADR 0044)
    assert touching == {"WebFunction", "CheckMentorNamesFunction", "ValidateClaimsFunction"}


def test_an_alarm_watches_mentor_lookup_lockouts(
    template: dict[str, Any], resources: dict[str, dict[str, Any]]
) -> None:
    # Given the alarms / When the one on the lockout metric is found
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    (alarm,) = [a for a in alarms if a["MetricName"] == "MentorLookupLockedOut"]
    # Then it watches the metric where Powertools publishes it: the functions' namespace and service dimension
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert alarm["Namespace"] == variables["POWERTOOLS_METRICS_NAMESPACE"] == "ClaimFundingForMentors"
    assert alarm["Dimensions"] == [{"Name": "service", "Value": variables["POWERTOOLS_SERVICE_NAME"]}]
    # And any lockout in five minutes notifies the alarm topic
    assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 300, 0)
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_support_function_schedules_only_in_its_group_and_passes_only_the_scheduler_role(
    resources: dict[str, dict[str, Any]],
) -> None:
    granted = role_statements(resources, function_role_id(resources, "SupportFunction"))
    scheduler = [s for s in granted if any(a.startswith("scheduler:") for a in as_list(s["Action"]))]
    assert scheduler
    for statement in scheduler:
        assert references(statement["Resource"]) == {"ClaimWindowScheduleGroup"}
    (pass_role,) = [s for s in granted if "iam:PassRole" in as_list(s["Action"])]
    assert references(pass_role["Resource"]) == {"ClaimWindowSchedulerRole"}
    starts = [s for s in granted if "states:StartExecution" in as_list(s["Action"])]
    assert starts
    # the claim-window workflow, the audit workflow "Confirm sample" starts (ADR 0031) and the clawback run
    # "Send clawbacks to the payer" starts (ADR 0034)
    started = {ref for s in starts for ref in references(s["Resource"])}
    assert started == {"ClaimWindowStateMachine", "AuditStateMachine", "ClawbackRunStateMachine"}
    assert all(len(references(s["Resource"])) == 1 for s in starts)


PSEUDO_PARAMETERS = {
    "AWS::Region": "eu-west-2",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
# Generous stand-ins for what CloudFormation generates: names from a long stack name, and ARNs of them.
LONG_NAME = "claim-funding-for-mentors-production-LogicalIdOfTheResource-ABCDEFGHIJKLM"
LONG_ARN = f"arn:aws:service:eu-west-2:123456789012:kind/{LONG_NAME}"


def _estimated(node: Any) -> Any:
    """A policy with intrinsics replaced by values at least as long as the real ones."""
    if isinstance(node, list):
        return [_estimated(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "Ref" in node:
        return PSEUDO_PARAMETERS.get(node["Ref"], LONG_NAME)
    if "Fn::GetAtt" in node:
        return LONG_ARN
    if "Fn::Sub" in node:
        sub = node["Fn::Sub"]
        text, variables = (sub, {}) if isinstance(sub, str) else (sub[0], sub[1])

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(_estimated(variables[name]))
            if name in PSEUDO_PARAMETERS:
                return PSEUDO_PARAMETERS[name]
            return LONG_ARN if "." in name else LONG_NAME

        return re.sub(r"\$\{([^}!]+)\}", value, text)
    return {key: _estimated(value) for key, value in node.items()}


def test_every_role_fits_the_iam_inline_policy_quota(resources: dict[str, dict[str, Any]]) -> None:
    # Given every role / When its inline policies are sized with generously long resolved names
    for role_id, resource in resources.items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        size = sum(
            len(re.sub(r"\s", "", json.dumps(_estimated(policy["PolicyDocument"]))))
            for policy in resource["Properties"].get("Policies", [])
        )
        # Then IAM will accept it
        assert size < IAM_ROLE_INLINE_POLICY_LIMIT, (role_id, size)


# --------------------------------------------------------------------------------------------------------------
# Observability and outputs
# --------------------------------------------------------------------------------------------------------------


def test_alarms_watch_server_errors_dead_letters_and_failed_runs(resources: dict[str, dict[str, Any]]) -> None:
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    watched = {(a["Namespace"], a["MetricName"]): a for a in alarms}
    assert ("AWS/ApiGateway", "5XXError") in watched
    assert watched[("AWS/States", "ExecutionsFailed")]["Threshold"] == 0
    dlq_alarms = [a for a in alarms if a["Namespace"] == "AWS/SQS"]
    assert any(references(a["Dimensions"]) == {"EmailDeadLetterQueue"} for a in dlq_alarms)
    for alarm in alarms:
        assert alarm["AlarmActions"], alarm["AlarmDescription"]


def test_outputs_name_the_api_url_workflow_and_buckets(translated: dict[str, Any]) -> None:
    outputs = translated["Outputs"]
    assert {"ApiUrl", "ClaimWindowStateMachineArn", "FilesBucketName", "AssetsBucketName"} <= set(outputs)
    assert outputs["ApiUrl"]["Value"]["Fn::Sub"].endswith("/live/")


# --------------------------------------------------------------------------------------------------------------
# Claims exports (docs/adr/0021-claims-export.md)
# --------------------------------------------------------------------------------------------------------------


def test_exports_queue_redrives_to_its_dead_letter_queue_and_outlives_the_export_task(
    resources: dict[str, dict[str, Any]],
) -> None:
    from shared.claims.claims_export import LEASE, MAX_RECEIVES, STALE_AFTER

    # Given the exports queue and the task it feeds
    queue = resources["ExportsQueue"]["Properties"]
    timeout = resources["ExportClaimsFunction"]["Properties"]["Timeout"]
    # Then a message whose task keeps crashing moves to the dead-letter queue after MAX_RECEIVES receives
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["ExportsDeadLetterQueue", "Arn"]},
        "maxReceiveCount": MAX_RECEIVES,
    }
    assert queue["SqsManagedSseEnabled"] is True
    assert resources["ExportsDeadLetterQueue"]["Properties"]["SqsManagedSseEnabled"] is True
    # And a message stays invisible for at least 6 x the task's timeout (AWS guidance for Lambda sources)
    assert queue["VisibilityTimeout"] >= 6 * timeout
    # And an export's lease outlives the attempt that holds it, and an export is called failed only once
    # every delivery SQS would make has had its time
    assert LEASE.total_seconds() > timeout
    assert STALE_AFTER.total_seconds() >= MAX_RECEIVES * queue["VisibilityTimeout"]
    # And the task takes one export at a time and reports a delivery it must leave for later
    (mapping,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": "ExportClaimsFunction"}
    ]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["ExportsQueue", "Arn"]}
    assert mapping["BatchSize"] == 1
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # And dead letters and failed exports are alarmed
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert any(references(a["Dimensions"]) == {"ExportsDeadLetterQueue"} for a in alarms)
    assert any(a["MetricName"] == "ClaimsExportFailed" for a in alarms)


def test_export_task_reads_claims_and_schools_and_writes_only_exports(resources: dict[str, dict[str, Any]]) -> None:
    # Given the export task's role
    granted = role_statements(resources, function_role_id(resources, "ExportClaimsFunction"))
    by_resource: dict[str, set[str]] = {}
    for statement in granted:
        for ref in references(statement["Resource"]):
            by_resource.setdefault(ref, set()).update(as_list(statement["Action"]))
    # Then it names only the activity table (the export's record), the claims, the schools and the files bucket
    assert set(by_resource) == {"ActivityTable", "ClaimsTable", "OrganisationsTable", "FilesBucket"}
    # And it reads and updates its export's record, never puts, deletes or scans it
    assert by_resource["ActivityTable"] == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    # And it reads claims and schools as the claims list does, and changes neither
    assert by_resource["ClaimsTable"] == {"dynamodb:GetItem", "dynamodb:Query"}
    assert by_resource["OrganisationsTable"] == {"dynamodb:BatchGetItem", "dynamodb:Query"}
    # And in the bucket it may only put objects, and only under exports/ (never a payment file)
    (files,) = [s for s in granted if "FilesBucket" in references(s["Resource"])]
    assert as_list(files["Action"]) == ["s3:PutObject"]
    assert files["Resource"]["Fn::Sub"] == "${FilesBucket.Arn}/exports/*"
    # And no other service: no queue to send to, no secrets, workflow or scheduler
    actions = {action for s in granted for action in as_list(s["Action"])}
    assert {action.split(":")[0] for action in actions} == {"dynamodb", "s3"}


def test_support_function_queues_exports_and_keeps_their_records(resources: dict[str, dict[str, Any]]) -> None:
    # Given the support function / Then it is told the exports queue and may send to it
    variables = resources["SupportFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["EXPORTS_QUEUE_URL"] == {"Ref": "ExportsQueue"}
    granted = role_statements(resources, function_role_id(resources, "SupportFunction"))
    sends = {
        ref
        for s in granted
        if any(a.startswith("sqs:SendMessage") for a in as_list(s["Action"]))
        for ref in references(s["Resource"])
    }
    assert sends == {"EmailQueue", "ExportsQueue", "SchoolImportsQueue"}
    # And it may read and write the activity table (the export's record, the Activity page)
    on_activity = {a for s in granted if "ActivityTable" in references(s["Resource"]) for a in as_list(s["Action"])}
    assert {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"} <= on_activity


def test_only_the_console_and_the_export_task_touch_the_activity_table(resources: dict[str, dict[str, Any]]) -> None:
    touching = {
        function_id
        for function_id in FUNCTIONS
        if any(
            "ActivityTable" in references(s.get("Resource", []))
            for s in role_statements(resources, function_role_id(resources, function_id))
        )
    }
    # ...and the payment run's first step, which records the run's start (PutItem only), and its last, which
    # adds what it did (UpdateItem only) (ADR 0028)
    assert touching == {
        "SupportFunction",
        "ExportClaimsFunction",
        "ImportSchoolsFunction",
        "CloseWindowFunction",
        "NotifyPayerFunction",
        "ClawbackRunFunction",  # the clawback run's entry, once it has sent the file (ADR 0034)
        "RefreshMentorNamesFunction",  # the mentor names refresh's entry (ADR 0037)
        "CheckMentorNamesFunction",
        "FetchGiasFunction",  # starts the nightly import: its record (ADR 0035)
        "SyncProvidersFunction",  # the provider sync's entry (ADR 0036)
    }
    for function_id, actions in (
        ("CloseWindowFunction", {"dynamodb:PutItem"}),
        ("NotifyPayerFunction", {"dynamodb:UpdateItem"}),
        ("ClawbackRunFunction", {"dynamodb:PutItem"}),
    ):
        granted = role_statements(resources, function_role_id(resources, function_id))
        on_activity = {a for s in granted if "ActivityTable" in references(s["Resource"]) for a in as_list(s["Action"])}
        assert on_activity == actions


def test_files_bucket_keeps_exports_as_long_as_the_page_offers_them(resources: dict[str, dict[str, Any]]) -> None:
    from shared.claims.claims_export import EXPORTS_PREFIX, KEPT_FOR

    rules = resources["FilesBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    (rule,) = [r for r in rules if r.get("Prefix") == EXPORTS_PREFIX]
    assert rule["Status"] == "Enabled"
    assert rule["ExpirationInDays"] == KEPT_FOR.days
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] >= 1
    # And only exports and school data uploads (copies of GIAS's public extract, ADR 0026) expire: no other rule
    # removes objects (payment, audit and clawback files are kept)
    from shared.claims.gias import UPLOADS_PREFIX

    assert {r["Prefix"] for r in rules if "ExpirationInDays" in r} == {EXPORTS_PREFIX, UPLOADS_PREFIX}
