"""The weekly mentor names refresh, fired in the local stack (ADR 0037): the template's schedule invokes
RefreshMentorNamesFunction, whose checks the template's queue delivers to CheckMentorNamesFunction (the local
stack's poller, as Lambda's SQS event source would), which asks the fake Teaching Record for each TRN.

moto keeps schedules but never fires them; `infrastructure.local.schedules.fire` performs the target as
EventBridge Scheduler would (a Lambda target invoked with the schedule's Input).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.workflows.conftest import Workflow


@pytest.fixture
def stack(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workflow]:
    """The workflow stack with the functions' configuration from the local stack's provisioning."""
    from shared.config import settings
    from shared.integrations import teaching_record

    for name, value in workflow.provisioned.environment.items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    teaching_record.reset_session()
    yield workflow
    monkeypatch.undo()
    settings.cache_clear()
    teaching_record.reset_session()


def test_the_weekly_schedule_refreshes_names_and_reports_trns_not_found(stack: Workflow) -> None:
    import boto3

    from infrastructure.local.queues import QueuePoller
    from infrastructure.local.schedules import fire
    from infrastructure.local.seed_data import DEMO_TEACHERS
    from shared.data.activity import Activity
    from shared.data.mentors import Mentor, Mentors
    from tests.support import NOW, REGION, table_name

    # Given a school with a teacher the Teaching Record has under another name, and one it no longer has
    renamed = DEMO_TEACHERS[0]
    mentors = Mentors()
    mentors.add("school-1", Mentor(trn=renamed.trn, first_name=renamed.first_name, last_name="Formerly"), "u", NOW)
    mentors.add("school-1", Mentor(trn="9999991", first_name="Gone", last_name="Away"), "u", NOW)
    # When the weekly schedule fires (Sunday 03:00 London time in AWS)
    schedule = table_name("RefreshMentorNamesSchedule")
    fired = fire(schedule, stack.provisioned.environment["SCHEDULE_GROUP_NAME"])
    assert fired.outcome == "invoked"
    assert fired.result["queued"] == 2
    assert fired.result["started"] is True
    # And the queue's checks are delivered to the consumer, as the local stack delivers them
    sqs = boto3.client("sqs", region_name=REGION)
    name = stack.provisioned.function_names["CheckMentorNamesFunction"]
    poller = QueuePoller(
        sqs, stack.provisioned.registry.handler(name), name, stack.provisioned.environment["MENTOR_NAMES_QUEUE_URL"], 1
    )
    deadline = time.monotonic() + 30
    entry = Activity().get(fired.result["run_id"])
    while entry is not None and entry.status == "running" and time.monotonic() < deadline:
        poller.poll_once(wait_seconds=0)
        entry = Activity().get(fired.result["run_id"])
    # Then the teacher has the Teaching Record's name and the TRN it no longer has is kept, marked and reported
    assert mentors.get("school-1", renamed.trn).last_name == renamed.last_name
    gone = mentors.get("school-1", "9999991")
    assert gone is not None
    assert gone.not_found_at is not None
    assert entry is not None
    assert entry.status == "finished"
    assert entry.counts["renamed"] == 1
    assert entry.summary == "Not found in the Teaching Record (not deleted): TRN 9999991"
