"""Which reminders a claim window owes schools today, and which schools get each (ADR 0039).

Run once a day (a schedule at 9am in England). For an open window:
- **opened**: once, from the day it opens: every eligible school with users hears it is open;
- **closing**: once, from 7 days before it closes: eligible schools that have not claimed in it;
- **weekly**: each Monday while it is open, except in the weeks of the two above: eligible schools with mentors on
  their list and no claim in it.
Each (window, reminder, week) is sent at most once: the sender claims its key before queueing.

"Has claimed" means a claim in the window that still counts: a draft support prepared, a submitted claim or one
further on. Withdrawn, rejected and expired claims do not count: the school still has something to claim.

Pure: no AWS, HTTP or templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from shared.claims.claim import Claim
from shared.claims.school_emails import CLOSING_REMINDER_DAYS
from shared.claims.statuses import HOURS_RELEASED
from shared.claims.windows import ClaimWindow

WEEKLY_ON = 0  # Monday (date.weekday())


class Reminder(StrEnum):
    OPENED = "opened"
    CLOSING = "closing"
    WEEKLY = "weekly"


@dataclass(frozen=True)
class DueReminder:
    window: ClaimWindow
    reminder: Reminder

    @property
    def key(self) -> str:
        """Once per window for opened and closing; once per window and ISO week for weekly."""
        return f"{self.window.window_id}#{self.reminder.value}"

    def key_on(self, today: dt.date) -> str:
        if self.reminder is Reminder.WEEKLY:
            year, week, _ = today.isocalendar()
            return f"{self.key}#{year}-W{week:02d}"
        return self.key


def _open_on(window: ClaimWindow, today: dt.date) -> bool:
    return window.closed_at is None and window.opens_on <= today <= window.closes_on


def _closing_from(window: ClaimWindow) -> dt.date:
    return window.closes_on - dt.timedelta(days=CLOSING_REMINDER_DAYS)


def _same_week(a: dt.date, b: dt.date) -> bool:
    return a.isocalendar()[:2] == b.isocalendar()[:2]


def due(windows: Iterable[ClaimWindow], today: dt.date) -> list[DueReminder]:
    """The reminders due today (a key already sent is skipped by the sender, so a missed day catches up)."""
    found: list[DueReminder] = []
    for window in windows:
        if not _open_on(window, today):
            continue
        found.append(DueReminder(window, Reminder.OPENED))
        if today >= _closing_from(window):
            found.append(DueReminder(window, Reminder.CLOSING))
        quiet_week = _same_week(today, window.opens_on) or _same_week(today, _closing_from(window))
        if today.weekday() == WEEKLY_ON and today < _closing_from(window) and not quiet_week:
            found.append(DueReminder(window, Reminder.WEEKLY))
    return found


def has_claimed(claims: Iterable[Claim], window_id: str) -> bool:
    return any(claim.window_id == window_id and claim.status not in HOURS_RELEASED for claim in claims)


def wanted(reminder: Reminder, claimed: bool, mentors: int) -> bool:
    """Whether an eligible school with users gets this reminder."""
    if reminder is Reminder.OPENED:
        return True
    if reminder is Reminder.CLOSING:
        return not claimed
    return not claimed and mentors > 0
