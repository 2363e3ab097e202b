"""The daily reminders (ADR 0039) against moto: on a window's first day every eligible open school with users hears
it is open; 7 days before it closes, those that have not claimed; on a Monday in between, those with mentors and no
claim. Each school once per reminder, whatever repeated or interrupted runs do.

The schools, window and claim are this module's own, in a year no other test uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from infrastructure.local.seed_data import SeedData
from tests.integration.claims_helpers import add_school_mentor, remove_school_mentor
from tests.support import queued_emails

YEAR = "2031 to 2032"
WINDOW = "window-reminders-test"
OPENS, CLOSES = dt.date(2032, 5, 3), dt.date(2032, 6, 30)  # a Monday; a Wednesday
WITH_MENTOR = "reminder-a"  # two users, a mentor, no claim
CLAIMED = "reminder-b"  # one user, a submitted claim in the window
NO_MENTORS = "reminder-c"  # one user, nothing yet
NO_USERS = "reminder-d"
NOT_ELIGIBLE = "reminder-e"
CLOSED = "reminder-f"
USERS = {
    WITH_MENTOR: ["head@reminder-a.example.org", "office@reminder-a.example.org"],
    CLAIMED: ["head@reminder-b.example.org"],
    NO_MENTORS: ["head@reminder-c.example.org"],
    NOT_ELIGIBLE: ["head@reminder-e.example.org"],
    CLOSED: ["head@reminder-f.example.org"],
}
KINDS = {"claim_window_opened", "claim_window_closing", "claim_reminder"}
CLAIM_REFERENCE = "77900001"


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 0), dt.UTC)  # 9am in England (summer time)


@pytest.fixture
def schools(seed: SeedData) -> Iterator[None]:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.organisations import School
    from shared.claims.statuses import ClaimStatus
    from shared.claims.windows import ClaimWindow
    from shared.data.claim_windows import ClaimWindows
    from shared.data.claims import _to_item
    from shared.data.items import BatchItem, ClaimItem, ClaimWindowItem, MembershipItem, OrganisationItem, UserItem
    from shared.data.organisations import Organisations

    ids = (WITH_MENTOR, CLAIMED, NO_MENTORS, NO_USERS, NOT_ELIGIBLE, CLOSED)
    for school_id in ids:
        Organisations().put_school(
            School(
                organisation_id=school_id,
                urn=None,
                name=f"Reminder School {school_id[-1].upper()}",
                eligible_years=frozenset() if school_id == NOT_ELIGIBLE else frozenset({YEAR}),
                closed=school_id == CLOSED,
            )
        )
        for number, address in enumerate(USERS.get(school_id, [])):
            user_id = f"user-{school_id}-{number}"
            UserItem(user_id=user_id, email=address, first_name="Jo", last_name="Reminder", role="school").save()
            MembershipItem(
                user_id=user_id, organisation_id=school_id, organisation_type="school", organisation_name=school_id
            ).save()
    add_school_mentor(WITH_MENTOR, "7900001", "Ada", "Reminder")
    year = AcademicYear.parse(YEAR)
    ClaimWindows().put(ClaimWindow(window_id=WINDOW, academic_year=year, opens_on=OPENS, closes_on=CLOSES))
    _to_item(
        Claim(
            reference=CLAIM_REFERENCE,
            school_id=CLAIMED,
            school_name="Reminder School B",
            provider_code="N97",
            provider_name="Sheffield Hallam University",
            window_id=WINDOW,
            academic_year=year,
            status=ClaimStatus.SUBMITTED,
            mentors=(
                ClaimMentor(
                    trn="7900002", first_name="Bo", last_name="Reminder", hours=6, training_type=TrainingType.INITIAL
                ),
            ),
            region="Rest of England",
            hourly_rate_pence=4580,
            amount_pence=6 * 4580,
            created_at=_at(OPENS),
            submitted_at=_at(OPENS),
        )
    ).save()
    queued_emails()
    yield
    queued_emails()
    remove_school_mentor(WITH_MENTOR, "7900001")
    ClaimItem(claim_id=CLAIM_REFERENCE).delete()
    ClaimWindowItem(window_id=WINDOW).delete()
    for item in BatchItem.by_kind.query("reminder"):
        item.delete()
    for school_id in ids:
        OrganisationItem(organisation_id=school_id).delete()
        for number, _ in enumerate(USERS.get(school_id, [])):
            UserItem(user_id=f"user-{school_id}-{number}").delete()
            MembershipItem(user_id=f"user-{school_id}-{number}", organisation_id=school_id).delete()


def _sent() -> list[dict[str, Any]]:
    return [email for email in queued_emails() if email["kind"] in KINDS]


def _by_kind(emails: list[dict[str, Any]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for email in emails:
        found.setdefault(email["kind"], set()).add(email["to"])
    return found


def test_on_the_first_day_every_eligible_open_school_with_users_hears_once(schools: None) -> None:
    from shared.usecases.reminders import send_due_reminders

    # When the reminders run on the day the window opens
    sent = send_due_reminders(_at(OPENS))
    # Then each user of the eligible open schools is told, one message each; not the school with no users, the one
    # not eligible or the closed one
    emails = _sent()
    assert _by_kind(emails) == {"claim_window_opened": set(USERS[WITH_MENTOR] + USERS[CLAIMED] + USERS[NO_MENTORS])}
    assert len(emails) == 4
    assert all("claim window closes at 11:59pm on 30 June 2032" in email["body"] for email in emails)
    assert [(s.key, s.schools, s.emails, s.skipped) for s in sent if s.key.startswith(WINDOW)] == [
        (f"{WINDOW}#opened", 3, 4, False)
    ]
    # And running again (a retried delivery, the next day) sends nothing more
    again = send_due_reminders(_at(OPENS + dt.timedelta(days=1)))
    assert _sent() == []
    assert [s.skipped for s in again if s.key.startswith(WINDOW)] == [True]


def test_seven_days_before_the_close_schools_that_have_not_claimed_hear(schools: None) -> None:
    from shared.usecases.reminders import send_due_reminders

    send_due_reminders(_at(CLOSES - dt.timedelta(days=7)))
    emails = _by_kind(_sent())
    # The opening email catches up (it was never sent), and the closing one skips the school that claimed
    assert emails["claim_window_closing"] == set(USERS[WITH_MENTOR] + USERS[NO_MENTORS])
    send_due_reminders(_at(CLOSES - dt.timedelta(days=6)))
    assert _sent() == []


def test_on_a_monday_in_between_schools_with_mentors_and_no_claim_hear(schools: None) -> None:
    from shared.usecases.reminders import send_due_reminders

    send_due_reminders(_at(OPENS))
    queued_emails()
    monday = OPENS + dt.timedelta(weeks=2)
    send_due_reminders(_at(monday))
    emails = _sent()
    assert _by_kind(emails) == {"claim_reminder": set(USERS[WITH_MENTOR])}
    assert "has 1 mentor on its list" in emails[0]["body"]
    send_due_reminders(_at(monday + dt.timedelta(hours=3)))  # the same day again
    assert _sent() == []
    send_due_reminders(_at(monday + dt.timedelta(days=2)))  # not a Monday
    assert _sent() == []


def test_a_run_that_stopped_part_way_is_finished_without_emailing_anyone_twice(schools: None) -> None:
    from shared.data.reminders import Reminders
    from shared.usecases.reminders import send_due_reminders

    # Given a run that queued one school's emails and stopped
    records = Reminders()
    assert records.start(f"{WINDOW}#opened", WINDOW, _at(OPENS)) == frozenset()
    records.mark_emailed(f"{WINDOW}#opened", WITH_MENTOR, 2)
    # When the next run comes / Then it emails the other schools only
    send_due_reminders(_at(OPENS))
    assert _by_kind(_sent()) == {"claim_window_opened": set(USERS[CLAIMED] + USERS[NO_MENTORS])}
    assert records.emailed(f"{WINDOW}#opened") == (3, 4)
