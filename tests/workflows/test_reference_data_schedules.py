"""The template's nightly reference-data schedules, fired as the local stack fires them (ADRs 0035, 0036).

`infrastructure.local.schedules.fire` performs a schedule's Lambda target as EventBridge Scheduler would (moto
keeps schedules but never runs them): FetchGiasSchedule fetches from the fake GIAS and queues the import, which
ImportSchoolsFunction runs; SyncProvidersSchedule syncs from the fake Publish. A failed run is an invocation error
(Lambda's retries and the alarm take it from there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import boto3
import pytest

from infrastructure.local.fake_gias import Row, establishment, gias_server, row
from infrastructure.local.fake_publish import Attributes, provider_attributes, publish_server
from tests.support import REGION, LambdaContextStub, table_name
from tests.workflows.conftest import Workflow


@pytest.fixture
def nightly(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The workflow's provisioning, with the fake GIAS and the fake Publish on loopback."""
    from shared.config import settings

    served: dict[str, Any] = {"rows": [], "providers": [], "published": True}

    def extract(day: dt.date) -> Sequence[Row] | None:
        return list(served["rows"]) if served["published"] else None

    def cycle(year: int) -> Sequence[Attributes]:
        return list(served["providers"])

    gias, publish = gias_server(extract), publish_server(cycle, most_per_page=1)
    for name, value in workflow.provisioned.environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GIAS_BASE_URL", f"http://127.0.0.1:{gias.server_address[1]}")
    monkeypatch.setenv("PUBLISH_BASE_URL", f"http://127.0.0.1:{publish.server_address[1]}")
    settings.cache_clear()
    yield served
    for server in (gias, publish):
        server.shutdown()
        server.server_close()
    monkeypatch.undo()
    settings.cache_clear()


def _fire(workflow: Workflow, schedule_id: str) -> Any:
    from infrastructure.local.schedules import fire

    return fire(table_name(schedule_id), workflow.provisioned.environment["SCHEDULE_GROUP_NAME"])


def _run_queued_import(workflow: Workflow) -> None:
    import functions.import_schools.app as task
    from infrastructure.local.queues import sqs_event

    queue = workflow.provisioned.environment["SCHOOL_IMPORTS_QUEUE_URL"]
    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert len(messages) == 1
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert task.lambda_handler(sqs_event(messages, arn), LambdaContextStub()) == {"batchItemFailures": []}


def test_the_nightly_gias_schedule_fetches_and_queues_the_import_the_import_task_runs(
    workflow: Workflow, nightly: dict[str, Any]
) -> None:
    from shared.data.organisations import Organisations
    from shared.data.school_imports import SchoolImports

    # Given GIAS's extract of two schools
    nightly["rows"] = [
        row(establishment("640001", "Harbour View Primary School")),
        row(establishment("640002", "Kestrel Academy", district_code="E09000028", district_name="Southwark")),
    ]
    # When the schedule fires (23:30 London time in AWS) and the import task runs the queued import
    fired = _fire(workflow, "FetchGiasSchedule")
    _run_queued_import(workflow)
    # Then the fetch was invoked and started the day's import, which added both schools
    assert fired.outcome == "invoked"
    assert fired.result["outcome"] == "started"
    latest = SchoolImports().latest()
    assert latest is not None
    assert latest.report is not None
    assert (latest.requested_by_name, latest.report.added) == ("Nightly GIAS import", 2)
    assert set(Organisations().schools(["640001", "640002"])) == {"640001", "640002"}
    # And firing it again the same night starts nothing
    assert _fire(workflow, "FetchGiasSchedule").result["outcome"] == "already"


def test_a_nightly_fetch_without_an_extract_fails_the_invocation(workflow: Workflow, nightly: dict[str, Any]) -> None:
    # Given GIAS has not published the extract
    nightly["published"] = False
    # When the schedule fires, then the invocation failed (Lambda retries it; FetchGiasFailedAlarm watches it)
    fired = _fire(workflow, "FetchGiasSchedule")
    assert fired.outcome == "failed"
    assert fired.result["errorType"] == "GiasUnavailable"


def test_the_nightly_provider_schedule_syncs_every_page_from_publish(
    workflow: Workflow, nightly: dict[str, Any]
) -> None:
    from shared.data.organisations import Providers

    # Given Publish lists two providers, one a page
    nightly["providers"] = [
        provider_attributes("7PA", "Pennine Alliance SCITT", ukprn="10088001"),
        provider_attributes("7PB", "Peak Lead School", provider_type="lead_school", accredited=False),
    ]
    # When the schedule fires (00:15 London time in AWS)
    fired = _fire(workflow, "SyncProvidersSchedule")
    # Then both were added, only the first accredited, and the run counted them
    assert fired.outcome == "invoked"
    assert fired.result["counts"]["added"] == 2
    assert [p.code for p in Providers().accredited()] == ["7PA"]
    assert not Providers().get("7PB").accredited
