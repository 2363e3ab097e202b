"""Which reminders a window owes on a day (shared.claims.reminders, ADR 0039)."""

from __future__ import annotations

import datetime as dt

from shared.claims.academic_years import AcademicYear
from shared.claims.reminders import Reminder, due, has_claimed, wanted
from shared.claims.windows import ClaimWindow

WINDOW = ClaimWindow(
    window_id="w", academic_year=AcademicYear.parse("2031 to 2032"), opens_on=dt.date(2032, 5, 3),
    closes_on=dt.date(2032, 6, 30),
)  # fmt: skip


def _due(day: dt.date, window: ClaimWindow = WINDOW) -> list[Reminder]:
    return [reminder.reminder for reminder in due([window], day)]


def test_nothing_before_the_window_opens_after_it_closes_or_once_it_has_been_closed() -> None:
    assert _due(dt.date(2032, 5, 2)) == []
    assert _due(dt.date(2032, 7, 1)) == []
    closed = WINDOW.model_copy(update={"closed_at": dt.datetime(2032, 6, 1, tzinfo=dt.UTC)})
    assert _due(dt.date(2032, 6, 7), closed) == []


def test_the_opening_reminder_is_due_every_open_day_so_a_missed_day_catches_up() -> None:
    assert _due(dt.date(2032, 5, 3)) == [Reminder.OPENED]  # a Monday, but the first week is quiet
    assert Reminder.OPENED in _due(dt.date(2032, 5, 20))


def test_the_closing_reminder_is_due_from_seven_days_before_the_close() -> None:
    assert Reminder.CLOSING not in _due(dt.date(2032, 6, 22))
    assert Reminder.CLOSING in _due(dt.date(2032, 6, 23))
    assert Reminder.CLOSING in _due(dt.date(2032, 6, 30))


def test_the_weekly_reminder_is_due_on_mondays_outside_the_first_and_the_closing_weeks() -> None:
    mondays = [dt.date(2032, 5, 3) + dt.timedelta(weeks=n) for n in range(9)]
    weekly = [day for day in mondays if Reminder.WEEKLY in _due(day)]
    assert weekly == [dt.date(2032, 5, 10) + dt.timedelta(weeks=n) for n in range(6)]  # 10 May to 14 June
    assert Reminder.WEEKLY not in _due(dt.date(2032, 5, 11))  # a Tuesday


def test_each_weekly_reminder_has_its_own_key_and_the_others_one_per_window() -> None:
    monday, next_monday = dt.date(2032, 5, 10), dt.date(2032, 5, 17)
    (weekly,) = [r for r in due([WINDOW], monday) if r.reminder is Reminder.WEEKLY]
    assert weekly.key_on(monday) == "w#weekly#2032-W20"
    assert weekly.key_on(next_monday) == "w#weekly#2032-W21"
    (opened,) = [r for r in due([WINDOW], monday) if r.reminder is Reminder.OPENED]
    assert opened.key_on(monday) == opened.key_on(next_monday) == "w#opened"


def test_who_gets_each_reminder() -> None:
    assert wanted(Reminder.OPENED, claimed=True, mentors=0)
    assert not wanted(Reminder.CLOSING, claimed=True, mentors=3)
    assert wanted(Reminder.CLOSING, claimed=False, mentors=0)
    assert not wanted(Reminder.WEEKLY, claimed=False, mentors=0)
    assert wanted(Reminder.WEEKLY, claimed=False, mentors=1)


def test_a_withdrawn_or_rejected_claim_does_not_count_as_claimed() -> None:
    from shared.claims.email_catalogue import _CLAIM
    from shared.claims.statuses import ClaimStatus

    submitted = _CLAIM.model_copy(update={"window_id": "w"})
    assert has_claimed([submitted], "w")
    assert not has_claimed([submitted], "another window")
    for status in (ClaimStatus.WITHDRAWN, ClaimStatus.REJECTED, ClaimStatus.EXPIRED):
        assert not has_claimed([submitted.model_copy(update={"status": status})], "w")
