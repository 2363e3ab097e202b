"""An audit's course (shared.claims.audit_schedule, ADR 0031): own mentors, the deadline, chasers, overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.audit_schedule import NextStep, deadline, is_overdue, next_step, submitted_by_own_mentor
from shared.claims.people import PersonName

MENTORS = [PersonName(first_name="Emily", last_name="Carter"), PersonName(first_name="James", last_name="Okafor")]


@pytest.mark.parametrize(
    ("submitter", "own"),
    [("Emily Carter", True), ("  emily   CARTER ", True), ("Anne Wilson", False), ("", False), (None, False)],
)
def test_a_claim_submitted_by_one_of_its_mentors_is_recognised_by_name(submitter: str | None, own: bool) -> None:
    # Given a claim's mentors / When its submitter's name is compared / Then case and spacing do not matter
    assert submitted_by_own_mentor(submitter, MENTORS) is own


def test_the_deadline_is_21_days_from_the_london_day_of_the_request() -> None:
    # Given a request late in the evening in winter (GMT) and one in summer (BST)
    assert deadline(dt.datetime(2026, 11, 2, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 11, 23)
    # 23:30 UTC on 30 June is 00:30 on 1 July in London
    assert deadline(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 7, 22)


@pytest.mark.parametrize(
    ("outstanding", "sent", "step"),
    [
        (0, 0, NextStep.DONE),
        (0, 3, NextStep.DONE),
        (2, 0, NextStep.CHASE),
        (2, 2, NextStep.CHASE),
        (1, 3, NextStep.OVERDUE),
    ],
)
def test_after_each_week_done_a_chaser_or_overdue(outstanding: int, sent: int, step: NextStep) -> None:
    assert next_step(outstanding, sent) is step


def test_a_claim_is_overdue_the_day_after_its_deadline_or_once_marked() -> None:
    due = dt.date(2026, 11, 23)
    assert not is_overdue(due, dt.datetime(2026, 11, 23, 22, tzinfo=dt.UTC))
    assert is_overdue(due, dt.datetime(2026, 11, 24, 1, tzinfo=dt.UTC))
    assert is_overdue(due, dt.datetime(2026, 11, 1, tzinfo=dt.UTC), marked=True)
    assert not is_overdue(None, dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
