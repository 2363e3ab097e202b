"""Integration fixtures: handlers and repositories under moto, the demo data loaded once per suite.

The suite's moto (`mock_aws`, in this process) is package-scoped: it is closed when the last integration test
ends, so a suite after it in the same pytest process (or xdist worker) starts from nothing (tests.support)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infrastructure.local.seed_data import SeedData
from tests.support import NOW, REGION, Client, apply_test_environment, create_tables, isolated_suite

SCHEDULE_GROUP = "test-claim-windows"


@pytest.fixture(scope="package", autouse=True)
def isolated() -> Iterator[None]:
    with isolated_suite():
        yield


@pytest.fixture(scope="package")
def aws() -> Iterator[None]:
    from infrastructure.local.moto_dynamodb import (
        answer_attribute_values_directly,
        back_up_touched_items_only,
        index_queries_by_partition,
        parse_update_expressions_once,
        serialise_dynamodb,
    )

    apply_test_environment()
    back_up_touched_items_only()  # as the local stack: a transaction costs its items, not its tables
    index_queries_by_partition()  # and a Query reads its partition, not the whole table
    answer_attribute_values_directly()  # and writes the items it returns out quickly (ADR 46)
    parse_update_expressions_once()  # and parses each update expression once (ADR 46)
    # As the local stack: one DynamoDB operation at a time, so tests that race two threads see DynamoDB's atomic
    # conditional writes (unpatched, moto's check and write can interleave under load and both pass)
    serialise_dynamodb()
    with mock_aws():
        create_tables()
        import os

        import boto3

        from shared.config import settings

        sqs = boto3.client("sqs", region_name="eu-west-2")
        os.environ["EMAIL_QUEUE_URL"] = sqs.create_queue(QueueName="test-EmailQueue")["QueueUrl"]
        boto3.client("s3", region_name="eu-west-2").create_bucket(
            Bucket=os.environ["FILES_BUCKET"], CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )
        settings.cache_clear()
        yield


@pytest.fixture(scope="package")
def seed(aws: None) -> SeedData:
    from infrastructure.local.seed import load, persona_ids
    from shared.config import settings
    from shared.data.items import bind_tables

    bind_tables(settings())
    data = load(NOW.date())
    import os

    os.environ["PERSONA_USER_IDS"] = ",".join(persona_ids(data))
    settings.cache_clear()
    return data


@pytest.fixture(scope="package")
def apps(seed: SeedData) -> dict[str, Any]:
    import functions.support.app as support
    import functions.web.app as web

    for module in (web, support):
        module.app.clock = lambda: NOW
    return {"web": web.lambda_handler, "support": support.lambda_handler}


@pytest.fixture
def client(apps: dict[str, Any]) -> Client:
    return Client(web=apps["web"], support=apps["support"])


@pytest.fixture
def anne(client: Client) -> Client:
    """Anne Wilson, signed in, her school's grant conditions accepted."""
    from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
    from tests.support import set_grant_conditions

    set_grant_conditions(ANNE_WILSON_SCHOOL_URN, accepted=True)
    client.sign_in("Anne Wilson")
    return client


# -- scheduling: what template.yaml gives SupportFunction ---------------------------------------------
@pytest.fixture(scope="package")
def scheduling(aws: None) -> dict[str, str]:
    """What template.yaml gives SupportFunction: a schedule group, the scheduler role, the state machine
    (here a one-state stand-in: these tests look at how runs start, tests/workflows at what they do)
    and the schedules' dead-letter queue."""
    boto3.client("scheduler", region_name=REGION).create_schedule_group(Name=SCHEDULE_GROUP)
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "*"}]}
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName="test-scheduler", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    machine = boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name="test-claim-window", definition=json.dumps(definition), roleArn=role
    )["stateMachineArn"]
    sqs = boto3.client("sqs", region_name=REGION)
    dlq = sqs.create_queue(QueueName="test-schedule-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {
        "SCHEDULE_GROUP_NAME": SCHEDULE_GROUP,
        "SCHEDULER_ROLE_ARN": role,
        "CLAIM_WINDOW_STATE_MACHINE_ARN": machine,
        "SCHEDULE_DEAD_LETTER_QUEUE_ARN": dlq_arn,
    }


@pytest.fixture
def configured(scheduling: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The support function configured as template.yaml configures it; the windows it adds removed after."""
    import functions.support.app as support
    from shared.config import settings
    from shared.data.claim_windows import ClaimWindows
    from shared.data.items import ClaimWindowItem

    for name, value in scheduling.items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    original = support.app.config
    support.app.config = original.model_copy(update={name.lower(): value for name, value in scheduling.items()})
    before = {window.window_id for window in ClaimWindows().all()}
    yield scheduling
    import functions.web.app as web

    support.app.config = original
    support.app.clock = web.app.clock = lambda: NOW
    scheduler = boto3.client("scheduler", region_name=REGION)
    for window in ClaimWindows().all():
        if window.window_id not in before:
            ClaimWindowItem(window_id=window.window_id).delete()
    for schedule in scheduler.list_schedules(GroupName=SCHEDULE_GROUP)["Schedules"]:
        scheduler.delete_schedule(Name=schedule["Name"], GroupName=SCHEDULE_GROUP)
    monkeypatch.undo()
    settings.cache_clear()
