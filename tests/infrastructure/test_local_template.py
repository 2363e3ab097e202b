"""infrastructure/local/template.py: reading template.yaml for the local stack and the test suites."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from infrastructure.local.template import (
    Route,
    TableSpec,
    api_routes,
    apply_substitutions,
    function_environment,
    function_handlers,
    load_template,
    placeholders,
    state_machines,
    table_definitions,
)

SMALL_TEMPLATE = """\
AWSTemplateFormatVersion: 2010-09-09
Transform: AWS::Serverless-2016-10-31
Conditions:
  IsProd: !Equals [!Ref Environment, production]
Globals:
  Function:
    Handler: app.lambda_handler
    Environment:
      Variables:
        THINGS_TABLE: !Ref ThingsTable
        LOG_LEVEL: INFO
Resources:
  ThingsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ignored-in-favour-of-name_for
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: thing_id, AttributeType: S}
        - {AttributeName: owner, AttributeType: S}
        - {AttributeName: made_at, AttributeType: S}
      KeySchema:
        - {AttributeName: thing_id, KeyType: HASH}
      GlobalSecondaryIndexes:
        - IndexName: owner-index
          KeySchema:
            - {AttributeName: owner, KeyType: HASH}
            - {AttributeName: made_at, KeyType: RANGE}
          Projection: {ProjectionType: KEYS_ONLY}
      TimeToLiveSpecification: {AttributeName: gone_at, Enabled: true}
  NotesTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - {AttributeName: note_id, AttributeType: S}
      KeySchema:
        - {AttributeName: note_id, KeyType: HASH}
      TimeToLiveSpecification: {AttributeName: off_at, Enabled: false}
  UnusedTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - {AttributeName: id, AttributeType: S}
      KeySchema:
        - {AttributeName: id, KeyType: HASH}
  PagesFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/pages/
      Environment:
        Variables:
          NOTES_TABLE: !Ref NotesTable
          LOG_LEVEL: DEBUG
          QUEUE_ARN: !GetAtt Queue.Arn
          GREETING: !Sub "hello ${AWS::Region}"
          CHOICE: !If [IsProd, a, b]
      Events:
        Home:
          Type: Api
          Properties: {Path: /, Method: get}
        Everything:
          Type: Api
          Properties: {Path: "/{proxy+}", Method: ANY}
        Nightly:
          Type: Schedule
          Properties: {Schedule: rate(1 day)}
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/worker/
      Handler: worker.handle
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: infrastructure/statemachines/flow.asl.json
      DefinitionSubstitutions:
        WorkerArn: !GetAtt WorkerFunction.Arn
        Plain: just-a-string
  Queue:
    Type: AWS::SQS::Queue
"""


@pytest.fixture
def small(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "template.yaml"
    path.write_text(SMALL_TEMPLATE, encoding="utf-8")
    return load_template(path)


def named(logical_id: str) -> str:
    return f"local-{logical_id}"


# -- load_template -----------------------------------------------------------------------------------------------


def test_short_form_tags_become_long_form(small: dict[str, Any]) -> None:
    # Given a template using short-form tags / When it is loaded
    variables = small["Resources"]["PagesFunction"]["Properties"]["Environment"]["Variables"]
    # Then each tag is in the long form CloudFormation and aws-sam-translator read
    assert variables["NOTES_TABLE"] == {"Ref": "NotesTable"}
    assert variables["QUEUE_ARN"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert variables["GREETING"] == {"Fn::Sub": "hello ${AWS::Region}"}
    assert variables["CHOICE"] == {"Fn::If": ["IsProd", "a", "b"]}
    assert small["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Environment"}, "production"]}


def test_dates_stay_strings(small: dict[str, Any]) -> None:
    # CloudFormation reads an unquoted 2010-09-09 as a string; so must we
    assert small["AWSTemplateFormatVersion"] == "2010-09-09"


def test_get_att_in_list_form_and_nested_mappings_load(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            Outputs:
              A: {Value: !GetAtt [Thing, Arn]}
              B: {Value: !Sub ["${X}-y", {X: !Ref Z}]}
              C: {Value: !Select [0, !Split [",", !Ref L]]}
              D: {Value: !Base64 {"Fn::Join": ["", [a, b]]}}
              E: {Condition: !Condition IsProd}
            """
        ),
        encoding="utf-8",
    )
    outputs = load_template(path)["Outputs"]
    assert outputs["A"]["Value"] == {"Fn::GetAtt": ["Thing", "Arn"]}
    assert outputs["B"]["Value"] == {"Fn::Sub": ["${X}-y", {"X": {"Ref": "Z"}}]}
    assert outputs["C"]["Value"] == {"Fn::Select": [0, {"Fn::Split": [",", {"Ref": "L"}]}]}
    assert outputs["D"]["Value"] == {"Fn::Base64": {"Fn::Join": ["", ["a", "b"]]}}
    assert outputs["E"]["Condition"] == {"Condition": "IsProd"}


def test_json_templates_load_too(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}', encoding="utf-8")
    assert load_template(path) == {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(TypeError, match="not a CloudFormation template"):
        load_template(path)


# -- table_definitions -------------------------------------------------------------------------------------------


def test_tables_are_keyed_by_the_variable_that_names_them(small: dict[str, Any]) -> None:
    # Given tables named to functions through Globals and a function's own environment
    # When table definitions are read
    tables = table_definitions(small, named)
    # Then each variable maps to its table; a table no function is told about is not created
    assert set(tables) == {"THINGS_TABLE", "NOTES_TABLE"}


def test_a_table_becomes_create_table_arguments_with_its_ttl(small: dict[str, Any]) -> None:
    spec = table_definitions(small, named)["THINGS_TABLE"]
    assert spec == TableSpec(
        create_kwargs={
            "TableName": "local-ThingsTable",
            "KeySchema": [{"AttributeName": "thing_id", "KeyType": "HASH"}],
            "AttributeDefinitions": [
                {"AttributeName": "thing_id", "AttributeType": "S"},
                {"AttributeName": "owner", "AttributeType": "S"},
                {"AttributeName": "made_at", "AttributeType": "S"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "owner-index",
                    "KeySchema": [
                        {"AttributeName": "owner", "KeyType": "HASH"},
                        {"AttributeName": "made_at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
        },
        ttl_attribute="gone_at",
    )


def test_a_table_without_indexes_or_enabled_ttl(small: dict[str, Any]) -> None:
    spec = table_definitions(small, named)["NOTES_TABLE"]
    assert "GlobalSecondaryIndexes" not in spec.create_kwargs
    assert spec.create_kwargs["BillingMode"] == "PAY_PER_REQUEST"
    assert spec.ttl_attribute is None


def test_one_variable_naming_two_tables_is_an_error(small: dict[str, Any]) -> None:
    small["Resources"]["WorkerFunction"]["Properties"]["Environment"] = {
        "Variables": {"NOTES_TABLE": {"Ref": "UnusedTable"}}
    }
    with pytest.raises(ValueError, match="NOTES_TABLE names two tables"):
        table_definitions(small, named)


# -- functions, routes, state machines ---------------------------------------------------------------------------


def test_api_events_become_routes_and_other_events_do_not(small: dict[str, Any]) -> None:
    assert api_routes(small) == [
        Route(function="PagesFunction", path="/", method="GET"),
        Route(function="PagesFunction", path="/{proxy+}", method="ANY"),
    ]


def test_handlers_fall_back_to_globals(small: dict[str, Any]) -> None:
    assert function_handlers(small) == {
        "PagesFunction": ("functions/pages/", "app.lambda_handler"),
        "WorkerFunction": ("functions/worker/", "worker.handle"),
    }


def test_a_function_without_local_code_is_refused(small: dict[str, Any]) -> None:
    small["Resources"]["WorkerFunction"]["Properties"]["CodeUri"] = {"Bucket": "b", "Key": "k"}
    with pytest.raises(TypeError, match="WorkerFunction needs a local CodeUri"):
        function_handlers(small)


def test_function_environment_merges_globals_under_the_function(small: dict[str, Any]) -> None:
    environment = function_environment(small, "PagesFunction")
    assert environment["THINGS_TABLE"] == {"Ref": "ThingsTable"}
    assert environment["NOTES_TABLE"] == {"Ref": "NotesTable"}
    assert environment["LOG_LEVEL"] == "DEBUG"
    assert function_environment(small, "WorkerFunction") == {
        "THINGS_TABLE": {"Ref": "ThingsTable"},
        "LOG_LEVEL": "INFO",
    }
    with pytest.raises(KeyError):
        function_environment(small, "Queue")


def test_state_machines_keep_their_substitutions_unresolved(small: dict[str, Any]) -> None:
    assert state_machines(small) == {
        "Flow": (
            "infrastructure/statemachines/flow.asl.json",
            {"WorkerArn": {"Fn::GetAtt": ["WorkerFunction", "Arn"]}, "Plain": "just-a-string"},
        )
    }


def test_substitution_replaces_placeholders_and_leaves_json_paths_alone() -> None:
    definition = '{"FunctionName": "${WorkerArn}", "Payload.$": "$", "Name.$": "$$.Execution.Name", "X": "${A.b}"}'
    assert placeholders(definition) == {"WorkerArn", "A.b"}
    assert apply_substitutions(definition, {"WorkerArn": "arn:w", "A.b": "ab", "Unused": "u"}) == (
        '{"FunctionName": "arn:w", "Payload.$": "$", "Name.$": "$$.Execution.Name", "X": "ab"}'
    )


def test_a_missing_substitution_is_named() -> None:
    with pytest.raises(KeyError, match="no substitution for First, Second"):
        apply_substitutions("${Second} ${First} ${Given}", {"Given": "g"})


# -- the real template -------------------------------------------------------------------------------------------


def test_real_template_reads_cleanly(template: dict[str, Any]) -> None:
    # Given template.yaml / Then every helper can read it
    assert (
        len(table_definitions(template, named)) == 20
    )  # with the activity (ADR 0021), counters and directory (ADR 0024) tables
    assert {route.function for route in api_routes(template)} == {
        "WebFunction",
        "SupportFunction",
        "DownloadFunction",
        "NotifyCallbackFunction",  # Notify's delivery receipts (ADR 0038)
    }
    assert set(function_handlers(template)) >= {"WebFunction", "SupportFunction", "SendEmailFunction"}
    machines = state_machines(template)
    assert {uri for uri, _ in machines.values()} == {
        "infrastructure/statemachines/claim-window.asl.json",
        "infrastructure/statemachines/audit.asl.json",  # ADR 0031
        "infrastructure/statemachines/clawback-run.asl.json",  # ADR 0034
    }
    assert all("Fn::GetAtt" in value for _, substitutions in machines.values() for value in substitutions.values())


def test_real_tables_create_in_moto_as_the_template_says(template: dict[str, Any]) -> None:
    # Given moto's DynamoDB (in-process, no sockets)
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_DEFAULT_REGION": "eu-west-2",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }.items():
            patch.setenv(name, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        with moto.mock_aws():
            client = boto3.client("dynamodb", region_name="eu-west-2")
            specs = table_definitions(template, named)
            # When every table is created from its spec, with TTL where the template has it
            for spec in specs.values():
                client.create_table(**spec.create_kwargs)
                if spec.ttl_attribute:
                    client.update_time_to_live(
                        TableName=spec.create_kwargs["TableName"],
                        TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
                    )
            # Then DynamoDB describes the same keys, indexes and TTL
            claims = client.describe_table(TableName="local-ClaimsTable")["Table"]
            assert {index["IndexName"] for index in claims["GlobalSecondaryIndexes"]} == {
                "school-index",
                "window-status-index",
                "provider-index",
                "reference-index",
                "run-index",
                "listing-index",
                "audit-index",
                "clawback-index",
            }
            ttl = client.describe_time_to_live(TableName="local-SessionsTable")["TimeToLiveDescription"]
            assert ttl["AttributeName"] == "expires_at"
            ours = [name for name in client.list_tables()["TableNames"] if name.startswith("local-")]
            assert len(ours) == len(specs)
