"""Support: claim windows. List, add, change and remove them (each save creates or updates the window's
one-time close schedule), and "Close window now", which starts the payment run the schedule would.

The rules are `shared.claims.window_rules`; AWS is `shared.data` (repositories, schedules).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.errors import DomainError
from shared.claims.payment_runs import RunTrigger, first_run_id, run_input
from shared.claims.people import User
from shared.claims.window_rules import (
    HAS_CLOSED,
    ClaimWindowNotFound,
    WindowNotChangeable,
    WindowStatus,
    academic_year_choices,
    can_change,
    can_close_now,
    check_window,
    next_window_id,
    removal_refusal,
    status_of,
)
from shared.claims.windows import ClaimWindow, current_window
from shared.data import executions, schedules
from shared.data.claim_windows import ClaimWindows
from shared.data.executions import Execution
from shared.journeys.claim_window import WindowAnswers, WindowForm
from shared.journeys.claim_window import read_form as read_window_form
from shared.journeys.forms import Form
from shared.observability import logger, metrics

Run = Execution  # a window's payment run as Step Functions knows it (the pages show its status)

CANNOT_CHANGE_CLOSED = "You cannot change this claim window because it has closed"
ADD_ATTEMPTS = 5  # ids taken by a colleague adding a window at the same moment


class WindowProblems(DomainError):
    """The answers break a rule (checked again on save: a colleague may have added a window since)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


class CloseRefused(DomainError):
    """ "Close window now" for a window that has not opened, or whose run has already started."""

    def __init__(self, reason: Literal["not_open_yet", "already_closed"], run: Run | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.run = run


@dataclass(frozen=True)
class WindowSummary:
    window: ClaimWindow
    status: WindowStatus
    changeable: bool
    closable: bool


@dataclass(frozen=True)
class WindowDetails(WindowSummary):
    removal_refusal: str | None
    scheduled_close: str | None  # the schedule's expression, None when there is no schedule
    run: Run | None


def _summary(window: ClaimWindow, now: dt.datetime) -> WindowSummary:
    return WindowSummary(window, status_of(window, now), can_change(window, now), can_close_now(window, now))


def list_windows(now: dt.datetime) -> list[WindowSummary]:
    """Every window, newest first."""
    return [_summary(window, now) for window in ClaimWindows().all()]


def current(now: dt.datetime) -> ClaimWindow | None:
    """The window open now, if any (the start page's countdown)."""
    return current_window(ClaimWindows().all(), now)


def get_window(window_id: str) -> ClaimWindow:
    window = ClaimWindows().get(window_id)
    if window is None:
        raise ClaimWindowNotFound(window_id)
    return window


def _run_of(window: ClaimWindow, now: dt.datetime) -> Run | None:
    """The window's first payment run, looked up only for windows that can have one."""
    if window.closed_at is None and not can_close_now(window, now):
        return None
    return executions.describe(first_run_id(window.window_id))


@dataclass(frozen=True)
class CheckedAnswers:
    """Check your answers for a window: the answers, and when the window would close."""

    answers: WindowAnswers
    closes_at: dt.datetime
    closes_in_past: bool


def check_page(answers: WindowAnswers, now: dt.datetime) -> CheckedAnswers:
    closes_at = ClaimWindow(
        window_id=answers.window_id or "new",
        academic_year=AcademicYear(answers.academic_year),
        opens_on=answers.opens_on,
        closes_on=answers.closes_on,
    ).closes_at
    return CheckedAnswers(answers, closes_at, closes_at < now)


def window_details(window_id: str, now: dt.datetime) -> WindowDetails:
    """The window, what may be done with it, its schedule and its run. A window whose run has started
    is closed, even before the workflow's first step has marked it so."""
    window = get_window(window_id)
    summary = _summary(window, now)
    run = _run_of(window, now)
    if run is not None:
        summary = WindowSummary(window, WindowStatus.CLOSED, changeable=False, closable=False)
    schedule = schedules.close_schedule(window_id)
    refusal = removal_refusal(window, now, ClaimWindows().has_claims(window_id))
    return WindowDetails(
        **vars(summary),
        removal_refusal=refusal or (HAS_CLOSED if run is not None else None),
        scheduled_close=str(schedule["ScheduleExpression"]) if schedule else None,
        run=run,
    )


# -- add and change -------------------------------------------------------------------------------
def year_choices(now: dt.datetime, window: ClaimWindow | None = None) -> list[AcademicYear]:
    """The academic years the form offers: previous, current, next (and a changed window's own)."""
    return academic_year_choices(london_today(now), window.academic_year if window else None)


def changeable_window(window_id: str, now: dt.datetime) -> ClaimWindow:
    window = get_window(window_id)
    if not can_change(window, now) or _run_of(window, now) is not None:
        raise WindowNotChangeable(CANNOT_CHANGE_CLOSED)
    return window


def read_form(form: Form, window_id: str, now: dt.datetime) -> WindowForm:
    """The add or change form as posted, checked against the other windows: answers or errors."""
    window = get_window(window_id) if window_id else None
    years = [year.start_year for year in year_choices(now, window)]

    def rules(opens_on: dt.date | None, closes_on: dt.date | None, year: int | None) -> dict[str, str]:
        return check_answers(opens_on, closes_on, AcademicYear(year) if year else None, window_id or None)

    return read_window_form(form, window_id, years, rules)


def check_answers(
    opens_on: dt.date | None,
    closes_on: dt.date | None,
    academic_year: AcademicYear | None,
    window_id: str | None,
) -> dict[str, str]:
    """The rule problems with a window's answers, against every other window."""
    repository = ClaimWindows()
    locked_year: AcademicYear | None = None
    if window_id:
        window = repository.get(window_id)
        if window is not None and repository.has_claims(window_id):
            locked_year = window.academic_year
    return check_window(
        opens_on, closes_on, academic_year, repository.all(), window_id=window_id or None, locked_year=locked_year
    )


def answers_for(window: ClaimWindow) -> WindowAnswers:
    """A window being changed, as the form's answers."""
    return WindowAnswers(
        window_id=window.window_id,
        opens_on=window.opens_on,
        closes_on=window.closes_on,
        academic_year=window.academic_year.start_year,
    )


def save_window(answers: WindowAnswers, now: dt.datetime, user: User) -> tuple[ClaimWindow, bool]:
    """Write the window and create or update its close schedule; (window, True when it is new)."""
    year = AcademicYear(answers.academic_year)
    problems = check_answers(answers.opens_on, answers.closes_on, year, answers.window_id or None)
    if problems:
        raise WindowProblems(problems)
    repository = ClaimWindows()
    if answers.window_id:
        changeable_window(answers.window_id, now)
        window = ClaimWindow(
            window_id=answers.window_id,
            academic_year=year,
            opens_on=answers.opens_on,
            closes_on=answers.closes_on,
        )
        if not repository.change(window):  # closed by the workflow (or removed) since the page was shown
            raise WindowNotChangeable(CANNOT_CHANGE_CLOSED)
        created = False
    else:
        window = _add(repository, answers)
        created = True
    action = schedules.put_close_schedule(window)
    logger.info(
        "claim window saved",
        extra={"window_id": window.window_id, "user_id": user.user_id, "created": created, "schedule": action},
    )
    metrics.add_metric(name="ClaimWindowAdded" if created else "ClaimWindowChanged", unit="Count", value=1)
    return window, created


def _add(repository: ClaimWindows, answers: WindowAnswers) -> ClaimWindow:
    taken = [window.window_id for window in repository.all()]
    year = AcademicYear(answers.academic_year)
    for _ in range(ADD_ATTEMPTS):
        window = ClaimWindow(
            window_id=next_window_id(year, taken),
            academic_year=year,
            opens_on=answers.opens_on,
            closes_on=answers.closes_on,
        )
        if repository.add(window):
            return window
        taken.append(window.window_id)
    raise RuntimeError("could not choose a claim window id")


# -- remove ---------------------------------------------------------------------------------------
def window_to_remove(window_id: str, now: dt.datetime) -> ClaimWindow:
    """The window, if it may be removed; WindowNotChangeable says why not."""
    window = get_window(window_id)
    refusal = removal_refusal(window, now, ClaimWindows().has_claims(window_id))
    if refusal is None and _run_of(window, now) is not None:
        refusal = HAS_CLOSED
    if refusal:
        raise WindowNotChangeable(refusal)
    return window


def remove_window(window_id: str, now: dt.datetime, user: User) -> ClaimWindow:
    window = window_to_remove(window_id, now)
    if not ClaimWindows().delete(window_id):
        raise WindowNotChangeable(HAS_CLOSED)  # the workflow closed it since the page was shown
    schedules.delete_close_schedule(window_id)
    logger.info("claim window removed", extra={"window_id": window_id, "user_id": user.user_id})
    metrics.add_metric(name="ClaimWindowRemoved", unit="Count", value=1)
    return window


# -- close now ------------------------------------------------------------------------------------
def window_to_close(window_id: str, now: dt.datetime) -> ClaimWindow:
    """The window, if "Close window now" may start its run; CloseRefused says why not."""
    window = get_window(window_id)
    if window.closed_at is not None:
        raise CloseRefused("already_closed", executions.describe(first_run_id(window_id)))
    if not can_close_now(window, now):
        raise CloseRefused("not_open_yet", None)
    run = executions.describe(first_run_id(window_id))
    if run is not None:
        raise CloseRefused("already_closed", run)
    return window


def close_window_now(window_id: str, now: dt.datetime, user: User) -> Run:
    """Start the window's first payment run, as its schedule would (the same execution name, so only one
    of them starts it), recording the person who started it; then delete the schedule."""
    window_to_close(window_id, now)
    name = first_run_id(window_id)
    run = executions.start(name, run_input(window_id, name, RunTrigger.PERSON, user.user_id, user.full_name))
    schedules.delete_close_schedule(window_id)
    if not run.started_now:  # a colleague (or the schedule) started it a moment ago
        raise CloseRefused("already_closed", run)
    logger.info(
        "claim window closed by support",
        extra={"window_id": window_id, "user_id": user.user_id, "execution_arn": run.execution_arn},
    )
    metrics.add_metric(name="ClaimWindowClosedBySupport", unit="Count", value=1)
    return run
