"""The daily reminders, fired in the local stack (ADR 0039): the template's schedule invokes SendRemindersFunction,
which emails the users of each eligible school that a window open today has opened; firing it again (Scheduler's
at-least-once delivery) emails nobody twice.

moto keeps schedules but never fires them; `infrastructure.local.schedules.fire` performs the target as
EventBridge Scheduler would (a Lambda target invoked with the schedule's Input). The function reads the real
clock, so the window is made to open today, whatever day the suite runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.workflows.conftest import Workflow


@pytest.fixture
def stack(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workflow]:
    from shared.config import settings

    for name, value in workflow.provisioned.environment.items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    yield workflow
    monkeypatch.undo()
    settings.cache_clear()


def test_the_daily_schedule_tells_eligible_schools_a_window_has_opened_once(stack: Workflow) -> None:
    from infrastructure.local.schedules import fire
    from shared.claims.academic_years import AcademicYear, london_today
    from shared.claims.organisations import OrganisationType, School
    from shared.claims.people import Membership, Role, User
    from shared.claims.windows import ClaimWindow
    from shared.data.claim_windows import ClaimWindows
    from shared.data.organisations import Organisations
    from shared.data.users import Members
    from tests.support import queued_emails, table_name

    # Given a window opening today and an eligible school with a user
    today = london_today(dt.datetime.now(dt.UTC))
    year = AcademicYear.for_date(today)
    ClaimWindows().put(
        ClaimWindow(window_id="w-today", academic_year=year, opens_on=today, closes_on=today + dt.timedelta(days=40))
    )
    Organisations().put_school(
        School(organisation_id="200001", urn="200001", name="Today Primary", eligible_years=frozenset({year.name}))
    )
    user = User(user_id="u-today", first_name="Jo", last_name="Today", email="jo@today.example.org", role=Role.SCHOOL)
    membership = Membership(
        user_id=user.user_id,
        organisation_id="200001",
        organisation_type=OrganisationType.SCHOOL,
        organisation_name="Today Primary",
    )
    Members().add(user, membership, new_user=True)
    # When the daily schedule fires, twice
    schedule = table_name("SendRemindersSchedule")
    first = fire(schedule, stack.provisioned.environment["SCHEDULE_GROUP_NAME"], complete=False)
    second = fire(schedule, stack.provisioned.environment["SCHEDULE_GROUP_NAME"])
    # Then the function ran both times and the school's user heard once
    assert (first.outcome, second.outcome) == ("invoked", "invoked")
    assert first.result["reminders"] == [{"key": "w-today#opened", "schools": 1, "emails": 1, "skipped": False}]
    assert second.result["reminders"][0]["skipped"] is True
    emails = [e for e in queued_emails() if e["kind"] == "claim_window_opened"]
    assert [e["to"] for e in emails] == ["jo@today.example.org"]
