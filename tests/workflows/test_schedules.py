"""A claim window's close schedule, fired: the template's state machine runs once for the window.

moto keeps schedules but never fires them; `infrastructure.local.schedules.fire` performs a schedule's
target exactly as EventBridge Scheduler would (universal target → StartExecution with its Input).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.people import Role, User
from tests.workflows.conftest import Workflow

COLIN = User(
    user_id="user-colin-chapman",
    first_name="Colin",
    last_name="Chapman",
    email="colin.chapman@education.gov.uk",
    role=Role.SUPPORT,
)


@pytest.fixture
def scheduled(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workflow]:
    """The workflow, with the support function's configuration from the local stack's provisioning."""
    from shared.config import settings

    for name, value in workflow.provisioned.environment.items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    yield workflow
    monkeypatch.undo()
    settings.cache_clear()


def _save_window_that_closed_yesterday() -> str:
    from shared.journeys.claim_window import WindowAnswers
    from shared.usecases.claim_windows import save_window

    now = dt.datetime.now(dt.UTC)
    yesterday = london_today(now) - dt.timedelta(days=1)
    answers = WindowAnswers(
        opens_on=yesterday - dt.timedelta(days=60),
        closes_on=yesterday,
        academic_year=AcademicYear.for_date(yesterday).start_year,
    )
    window, created = save_window(answers, now, COLIN)
    assert created
    return window.window_id


def test_firing_the_schedule_closes_the_window_and_runs_once(scheduled: Workflow) -> None:
    from infrastructure.local.schedules import fire
    from shared.data.claim_windows import ClaimWindows

    # Given a window that closed yesterday, saved as support saves it (which schedules its close)
    window_id = _save_window_that_closed_yesterday()
    run_name = f"{window_id}-run-1"
    # When its schedule fires, and Scheduler delivers it a second time before deleting it
    first = fire(f"close-{window_id}", complete=False)
    assert first.outcome == "started"
    assert first.execution_arn is not None
    result = scheduled.wait(first.execution_arn)
    second = fire(f"close-{window_id}")
    # Then the run succeeded under the deterministic name and the window is closed
    assert result["status"] == "SUCCEEDED", result
    assert result["name"] == run_name
    window = ClaimWindows().get(window_id)
    assert window is not None
    assert window.closed_at is not None
    from shared.data.batches import PaymentRuns

    run = PaymentRuns().get(run_name)
    assert run is not None
    assert run.trigger == "schedule"
    # And the second delivery started nothing: one execution only, and the schedule deleted itself
    assert second.outcome == "already exists"
    executions = scheduled.sfn.list_executions(stateMachineArn=scheduled.arn)["executions"]
    assert [e["name"] for e in executions] == [run_name]
    assert second.deleted
    import boto3

    scheduler = boto3.client("scheduler", region_name="eu-west-2")
    left = scheduler.list_schedules(GroupName=scheduled.provisioned.environment["SCHEDULE_GROUP_NAME"])["Schedules"]
    # only the template's own (the nightly check and the reference-data syncs)
    assert {schedule["Name"] for schedule in left} == _template_schedules()


def test_close_window_now_and_the_schedule_start_the_same_run(scheduled: Workflow) -> None:
    from shared.data import schedules
    from shared.usecases.claim_windows import CloseRefused, close_window_now

    # Given a saved window whose close time has passed
    window_id = _save_window_that_closed_yesterday()
    # When support closes it now, and the run has finished
    run = close_window_now(window_id, dt.datetime.now(dt.UTC), COLIN)
    assert scheduled.wait(run.execution_arn)["status"] == "SUCCEEDED"
    # Then its schedule is gone, and closing it again is refused with the run it already has
    assert schedules.close_schedule(window_id) is None
    with pytest.raises(CloseRefused) as refused:
        close_window_now(window_id, dt.datetime.now(dt.UTC), COLIN)
    assert refused.value.reason == "already_closed"
    executions = scheduled.sfn.list_executions(stateMachineArn=scheduled.arn)["executions"]
    assert len(executions) == 1


def _template_schedules() -> set[str]:
    from infrastructure.local.template import load_template
    from tests.support import ROOT, table_name

    resources = load_template(ROOT / "template.yaml")["Resources"]
    return {table_name(key) for key, value in resources.items() if value["Type"] == "AWS::Scheduler::Schedule"}


def _nightly_schedule(scheduled: Workflow) -> str:
    from tests.support import table_name

    return table_name("CloseDueClaimWindowsSchedule")  # the name the test stack gives the template's schedule


def test_the_nightly_check_starts_each_due_window_s_first_run(scheduled: Workflow) -> None:
    from infrastructure.local.schedules import fire
    from shared.data.batches import PaymentRuns
    from tests.workflows.conftest import add_window

    # Given one window still open and one whose close date passed without its schedule firing
    today = dt.datetime.now(dt.UTC).date()
    add_window("open", today + dt.timedelta(days=40))
    add_window("due", today - dt.timedelta(days=7))
    # When the nightly schedule fires (00:05 London time in AWS)
    fired = fire(_nightly_schedule(scheduled), scheduled.provisioned.environment["SCHEDULE_GROUP_NAME"])
    assert fired.outcome == "invoked"
    assert fired.result == {"runs": [{"window_id": "due", "run_id": "due-run-1", "started": True}]}
    (execution,) = scheduled.sfn.list_executions(stateMachineArn=scheduled.arn)["executions"]
    # Then the due window's first run ran under its own name, recorded as the nightly check's
    assert execution["name"] == "due-run-1"
    assert scheduled.wait(execution["executionArn"])["status"] == "SUCCEEDED"
    from shared.data.claim_windows import ClaimWindows

    assert ClaimWindows().get("due").closed_at is not None
    assert ClaimWindows().get("open").closed_at is None
    run = PaymentRuns().get("due-run-1")
    assert run is not None
    assert (run.trigger, run.status) == ("nightly", "completed")
    # And the next night there is nothing to do: the window is closed
    again = fire(_nightly_schedule(scheduled), scheduled.provisioned.environment["SCHEDULE_GROUP_NAME"])
    assert again.result == {"runs": []}


def test_the_nightly_check_and_the_window_s_schedule_firing_together_make_one_run(scheduled: Workflow) -> None:
    import threading

    from infrastructure.local.schedules import fire
    from shared.data.batches import PaymentRuns

    # Given a window that closed yesterday with its close schedule, and the nightly check due at the same moment
    window_id = _save_window_that_closed_yesterday()
    group = scheduled.provisioned.environment["SCHEDULE_GROUP_NAME"]
    results: dict[str, object] = {}

    def window_schedule() -> None:
        results["window"] = fire(f"close-{window_id}", group)

    def nightly() -> None:
        results["nightly"] = fire(_nightly_schedule(scheduled), group)

    # When both fire at once
    threads = [threading.Thread(target=window_schedule), threading.Thread(target=nightly)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # Then there is one execution of the window's first run, and one run record with one file
    executions = scheduled.sfn.list_executions(stateMachineArn=scheduled.arn)["executions"]
    assert [e["name"] for e in executions] == [f"{window_id}-run-1"]
    assert scheduled.wait(executions[0]["executionArn"])["status"] == "SUCCEEDED"
    runs = PaymentRuns().all()
    assert [r.run_id for r in runs] == [f"{window_id}-run-1"]
    assert runs[0].file_key is not None
    assert runs[0].trigger in ("schedule", "nightly")
