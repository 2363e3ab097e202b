"""Workflow fixtures: the template's state machine executed by moto, project code in its tasks."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infrastructure.local.lambda_adapter import in_process_lambdas
from infrastructure.local.stack import Provisioned, provision
from infrastructure.local.template import load_template
from tests.support import REGION, ROOT, apply_test_environment, isolated_suite, table_name


@dataclass
class Workflow:
    provisioned: Provisioned
    sfn: Any

    @property
    def arn(self) -> str:
        return self.provisioned.state_machine_arns["ClaimWindowStateMachine"]

    def start(self, name: str, payload: dict[str, Any]) -> str:
        import json

        return str(
            self.sfn.start_execution(stateMachineArn=self.arn, name=name, input=json.dumps(payload))["executionArn"]
        )

    def wait(self, execution_arn: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            description: dict[str, Any] = self.sfn.describe_execution(executionArn=execution_arn)
            if description["status"] != "RUNNING":
                return description
            time.sleep(0.05)
        raise AssertionError(f"{execution_arn} still running after {timeout}s")

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)[
            "events"
        ]
        return events


@pytest.fixture(scope="package", autouse=True)
def isolated() -> Iterator[None]:
    """No moto state, environment or cached client from another suite (tests.support.isolated_suite)."""
    with isolated_suite():
        yield


@pytest.fixture
def workflow(monkeypatch: pytest.MonkeyPatch) -> Iterator[Workflow]:
    apply_test_environment()
    from infrastructure.local.fakes import API_KEY, teaching_record_server
    from infrastructure.local.seed_data import DEMO_TEACHERS

    teaching_record = teaching_record_server(DEMO_TEACHERS)
    monkeypatch.setenv("TEACHING_RECORD_BASE_URL", f"http://127.0.0.1:{teaching_record.server_address[1]}")
    monkeypatch.setenv("TEACHING_RECORD_API_KEY", API_KEY)
    # Reviews nobody answers time out after 2 seconds here (7 days in AWS); tests that answer them wait longer.
    monkeypatch.setenv("REVIEW_TIMEOUT_SECONDS", "2")
    from infrastructure.local.moto_dynamodb import (
        answer_attribute_values_directly,
        back_up_touched_items_only,
        index_queries_by_partition,
        parse_update_expressions_once,
        serialise_dynamodb,
    )

    serialise_dynamodb()  # the Map's pages run on moto's threads: one DynamoDB operation at a time, as AWS
    back_up_touched_items_only()
    index_queries_by_partition()  # a Query reads its partition, as DynamoDB's does
    answer_attribute_values_directly()  # and writes the items it returns out quickly (ADR 46)
    parse_update_expressions_once()  # and parses each update expression once (ADR 46)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        import os

        provisioned = provision(load_template(ROOT / "template.yaml"), table_name, os.environ["FILES_BUCKET"])
        from shared.config import settings
        from shared.data.items import bind_tables

        settings.cache_clear()
        bind_tables(settings())
        with in_process_lambdas(provisioned.registry):
            yield Workflow(provisioned, boto3.client("stepfunctions", region_name=REGION))
    teaching_record.shutdown()
    teaching_record.server_close()


def add_window(window_id: str, closes_on: dt.date) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.windows import ClaimWindow
    from shared.data.claim_windows import ClaimWindows

    ClaimWindows().put(
        ClaimWindow(
            window_id=window_id,
            academic_year=AcademicYear.for_date(closes_on),
            opens_on=closes_on - dt.timedelta(days=60),
            closes_on=closes_on,
        )
    )
