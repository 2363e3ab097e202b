"""The daily reminders to schools (ADR 0039): the window open, closing in 7 days, and weekly to schools with
mentors that have not claimed (`shared.claims.reminders` says which are due and who gets each).

For each due reminder, each eligible open school with users is considered once: its claims and (for the weekly
one) its mentors are read, its users' emails queued together, then the school is marked emailed on the
reminder's record. A run that stops part way (a timeout, a throttled queue) is finished by the next: the schools
already marked are skipped. A school whose emails were queued but not yet marked when a run stopped would hear
twice; that window is one school's write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from shared.claims.academic_years import london_today
from shared.claims.emails import EmailMessage
from shared.claims.organisations import School
from shared.claims.reminders import DueReminder, Reminder, due, has_claimed, wanted
from shared.claims.school_emails import claim_reminder_email, window_closing_email, window_opened_email
from shared.config import settings
from shared.data.claim_windows import ClaimWindows
from shared.data.claims import ClaimsStore
from shared.data.emails import enqueue
from shared.data.mentors import Mentors
from shared.data.reminders import Reminders, eligible_schools
from shared.data.users import member_emails
from shared.observability import logger, metrics


@dataclass(frozen=True)
class Sent:
    key: str
    schools: int
    emails: int
    skipped: bool  # sent in full by an earlier run


def _builder(reminder: DueReminder, school: School, mentors: int) -> Callable[[str], EmailMessage]:
    service_url = settings().service_url
    window = reminder.window
    if reminder.reminder is Reminder.OPENED:
        return lambda a: window_opened_email(
            school.organisation_id, school.name, a, window=window, service_url=service_url
        )
    if reminder.reminder is Reminder.CLOSING:
        return lambda a: window_closing_email(
            school.organisation_id, school.name, a, window=window, service_url=service_url
        )
    return lambda a: claim_reminder_email(
        school.organisation_id, school.name, a, mentors=mentors, window=window, service_url=service_url
    )


def _send(reminder: DueReminder, today: dt.date, now: dt.datetime) -> Sent:
    key = reminder.key_on(today)
    records = Reminders()
    done = records.start(key, reminder.window.window_id, now)
    if done is None:
        return Sent(key, 0, 0, skipped=True)
    claims, mentors_of = ClaimsStore(), Mentors()
    for school in eligible_schools(reminder.window.academic_year.name):
        if school.organisation_id in done:
            continue
        addresses = member_emails(school.organisation_id)
        if not addresses:
            continue
        claimed = has_claimed(claims.for_school(school.organisation_id), reminder.window.window_id)
        mentors = len(mentors_of.of_school(school.organisation_id)) if reminder.reminder is Reminder.WEEKLY else 0
        if not wanted(reminder.reminder, claimed, mentors):
            continue
        build = _builder(reminder, school, mentors)
        enqueue([build(address) for address in addresses])
        records.mark_emailed(key, school.organisation_id, len(addresses))
    records.finish(key, now)
    schools, emails = records.emailed(key)
    logger.info("reminder sent", extra={"key": key, "schools": schools, "emails": emails})
    metrics.add_metric(name="ReminderEmailsQueued", unit="Count", value=emails)
    return Sent(key, schools, emails, skipped=False)


def send_due_reminders(now: dt.datetime) -> list[Sent]:
    """Send every reminder due today (England's date); each once, whatever runs and retries do."""
    today = london_today(now)
    return [_send(reminder, today, now) for reminder in due(ClaimWindows().all(), today)]
