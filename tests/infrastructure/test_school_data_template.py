"""template.yaml for Settings → School data (docs/adr/0026-school-data-from-gias.md): the imports queue and its
dead letters, the import task's role (the schools, its record, the uploads and nothing else) and the support
function's part (queue an import)."""

from __future__ import annotations

from typing import Any

from tests.infrastructure.test_template import as_list, function_role_id, references, role_statements


def test_imports_queue_redrives_to_its_dead_letter_queue_and_outlives_the_import_task(
    resources: dict[str, dict[str, Any]],
) -> None:
    from shared.claims.gias import LEASE, MAX_RECEIVES, STALE_AFTER

    queue = resources["SchoolImportsQueue"]["Properties"]
    timeout = resources["ImportSchoolsFunction"]["Properties"]["Timeout"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["SchoolImportsDeadLetterQueue", "Arn"]},
        "maxReceiveCount": MAX_RECEIVES,
    }
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["VisibilityTimeout"] >= 6 * timeout
    assert LEASE.total_seconds() > timeout
    assert STALE_AFTER.total_seconds() >= MAX_RECEIVES * queue["VisibilityTimeout"]
    (mapping,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": "ImportSchoolsFunction"}
    ]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["SchoolImportsQueue", "Arn"]}
    assert mapping["BatchSize"] == 1
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert any(references(a["Dimensions"]) == {"SchoolImportsDeadLetterQueue"} for a in alarms)
    assert any(a["MetricName"] == "SchoolDataImportFailed" for a in alarms)


def test_import_task_writes_schools_and_its_record_and_reads_only_uploads(resources: dict[str, dict[str, Any]]) -> None:
    from shared.claims.gias import UPLOADS_PREFIX

    granted = role_statements(resources, function_role_id(resources, "ImportSchoolsFunction"))
    by_resource: dict[str, set[str]] = {}
    for statement in granted:
        for ref in references(statement["Resource"]):
            by_resource.setdefault(ref, set()).update(as_list(statement["Action"]))
    assert set(by_resource) == {
        "ActivityTable",
        "OrganisationsTable",
        "DirectoryTable",
        "FilesBucket",
        "ClaimWindowsTable",
        "ClaimsTable",
    }
    # Its record read and updated; an Activity entry put for a closed school with claims (ADR 0035), never deleted
    assert by_resource["ActivityTable"] == {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"}
    # The open window and a closed school's claims: queried by index, never written
    assert by_resource["ClaimWindowsTable"] == {"dynamodb:Query"}
    assert by_resource["ClaimsTable"] == {"dynamodb:Query"}
    (claims,) = [s for s in granted if "ClaimsTable" in references(s["Resource"])]
    assert {"Fn::Sub": "${ClaimsTable.Arn}/index/school-index"} in as_list(claims["Resource"])
    # Schools read by key in batches, added and updated: never deleted, scanned or written blind in batches
    assert by_resource["OrganisationsTable"] == {"dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    # The console's list entries of schools GIAS changed: read in batches and rewritten, never deleted
    assert by_resource["DirectoryTable"] == {"dynamodb:BatchGetItem", "dynamodb:PutItem"}
    (files,) = [s for s in granted if "FilesBucket" in references(s["Resource"])]
    assert as_list(files["Action"]) == ["s3:GetObject"]
    assert files["Resource"]["Fn::Sub"] == "${FilesBucket.Arn}/" + UPLOADS_PREFIX + "*"
    actions = {action for s in granted for action in as_list(s["Action"])}
    assert {action.split(":")[0] for action in actions} == {"dynamodb", "s3"}


def test_support_function_queues_imports(resources: dict[str, dict[str, Any]]) -> None:
    variables = resources["SupportFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["SCHOOL_IMPORTS_QUEUE_URL"] == {"Ref": "SchoolImportsQueue"}


def test_files_bucket_expires_uploads(resources: dict[str, dict[str, Any]]) -> None:
    from shared.claims.gias import UPLOADS_PREFIX

    rules = resources["FilesBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    (rule,) = [r for r in rules if r.get("Prefix") == UPLOADS_PREFIX]
    assert rule["Status"] == "Enabled"
    assert rule["ExpirationInDays"] == 30
