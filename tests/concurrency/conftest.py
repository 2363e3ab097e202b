"""The concurrency suite: a moto server on loopback (real HTTP, real threads), so DynamoDB writes really race."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from infrastructure.local.stack import free_port, provision
from infrastructure.local.template import load_template
from tests.support import ROOT, apply_test_environment, isolated_suite, table_name


@pytest.fixture(scope="package", autouse=True)
def isolated() -> Iterator[None]:
    """The server serves this process's moto backends: no `mock_aws` may be open while it runs, and it starts
    from empty backends and leaves them empty (tests.support.isolated_suite)."""
    with isolated_suite():
        yield


@pytest.fixture(scope="package")
def moto_server() -> Iterator[str]:
    """One server for the suite: moto's backends live in the process, so a second server would find the
    first one's tables. Each test makes its own windows, schools and claims."""
    from moto.server import ThreadedMotoServer

    apply_test_environment()
    from infrastructure.local.moto_dynamodb import (
        answer_attribute_values_directly,
        back_up_touched_items_only,
        index_queries_by_partition,
        parse_update_expressions_once,
        serialise_dynamodb,
    )

    serialise_dynamodb()  # DynamoDB's operations are atomic; moto's need a lock to be (see the module)
    back_up_touched_items_only()
    index_queries_by_partition()
    answer_attribute_values_directly()  # and writes the items it returns out quickly (ADR 46)
    parse_update_expressions_once()  # and parses each update expression once (ADR 46)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    try:
        provisioned = provision(load_template(ROOT / "template.yaml"), table_name, os.environ["FILES_BUCKET"])
        os.environ.update(provisioned.environment)  # the email queue, the state machine: as template.yaml says
        from shared.config import settings
        from shared.data.items import bind_tables

        settings.cache_clear()
        bind_tables(settings())
        yield endpoint
    finally:
        os.environ.pop("AWS_ENDPOINT_URL", None)
        server.stop()
