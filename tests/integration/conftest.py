"""Integration fixtures: handlers and repositories under moto, the demo data loaded once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from infrastructure.local.seed_data import SeedData
from tests.support import NOW, Client, apply_test_environment, create_tables


@pytest.fixture(scope="session")
def aws() -> Iterator[None]:
    apply_test_environment()
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


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
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
