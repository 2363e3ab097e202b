"""An audit's course once its sample is confirmed (ADR 0031): who counts as a claim's own mentor, the
providers' deadline, the weekly chasers and when an audit is overdue.

Pure: no AWS, HTTP or templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from shared.claims.academic_years import london_today
from shared.claims.audit_answers import AUDIT_DAYS
from shared.claims.audits import deadline_day
from shared.claims.people import PersonName

ANSWER_DAYS = AUDIT_DAYS  # a provider's time to answer, from the audit's request (stated in the request email)
MAX_CHASERS = 3  # weekly reminders at most; still unanswered after the third, the audit is overdue
CHASER_INTERVAL = dt.timedelta(days=7)


class AuditStatus(StrEnum):
    SAMPLING_CONFIRMED = "sampling_confirmed"  # the claims moved to sampling_in_progress; emails not yet sent
    REQUESTED = "requested"  # every provider in the sample has been emailed
    COMPLETE = "complete"  # no claim of the sample is waiting for its provider any more
    FAILED = "failed"  # a workflow step failed after its retries (recorded, with why)


STATUS_LABELS = {
    AuditStatus.SAMPLING_CONFIRMED: ("Sample confirmed", "blue"),
    AuditStatus.REQUESTED: ("Requested", "yellow"),
    AuditStatus.COMPLETE: ("Complete", "green"),
    AuditStatus.FAILED: ("Failed", "red"),
}


class NextStep(StrEnum):
    DONE = "done"  # every claim answered
    CHASE = "chase"  # send the next weekly chaser
    OVERDUE = "overdue"  # the last chaser went unanswered


def deadline(requested_at: dt.datetime) -> dt.date:
    """The day by which providers answer: ANSWER_DAYS after the London day of the request (the one rule the
    provider pages use too: `shared.claims.audits.deadline_day`)."""
    return deadline_day(requested_at, ANSWER_DAYS)


def next_step(outstanding: int, chasers_sent: int) -> NextStep:
    """After each weekly wait: done when nothing is outstanding, a chaser while fewer than MAX_CHASERS have
    gone, and overdue after that."""
    if outstanding == 0:
        return NextStep.DONE
    if chasers_sent < MAX_CHASERS:
        return NextStep.CHASE
    return NextStep.OVERDUE


def is_overdue(deadline_on: dt.date | None, now: dt.datetime, *, marked: bool = False) -> bool:
    """A claim still waiting for its provider is overdue once its deadline has passed (or the workflow
    marked its audit overdue after the last chaser)."""
    return marked or (deadline_on is not None and london_today(now) > deadline_on)


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def submitted_by_own_mentor(submitted_by_name: str | None, mentors: Iterable[PersonName]) -> bool:
    """Whether the claim was submitted by one of the mentors on it.

    A claim records who submitted it (their user id and full name) and each mentor's TRN and name; users
    have no TRN, so the submitter's full name is compared with each mentor's, ignoring case and spacing."""
    if not submitted_by_name or not submitted_by_name.strip():
        return False
    submitter = _folded(submitted_by_name)
    return any(_folded(f"{mentor.first_name} {mentor.last_name}") == submitter for mentor in mentors)
