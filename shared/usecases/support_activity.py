"""Activity: the console's bulk and setting actions, newest first, 25 a page; and recording the two that the
payment run and the payer's response make (ADR 0028).

A page is read from the activity table's month index, a month at a time, from a cursor (the `at_id` of the
entry the page starts after, or before), never a Scan. Each entry is recorded once: its id is derived from
what it records (the run's id, the upload's id), and `Activity.record` writes only an id not yet written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.payer_response import ResponseCounts
from shared.claims.payment_runs import RunTrigger, run_number
from shared.claims.people import User
from shared.data.activity import Activity, at_id_of, month_of
from shared.observability import logger

PAGE_SIZE = 25
# No entry is older than the service: the months before it are not read.
FIRST_MONTH = "2024-09"
SCHEDULED_RUN = "Scheduled run"


# -- recording ---------------------------------------------------------------------------------------------------
def record_run_started(
    run_id: str, academic_year: str, trigger: RunTrigger, started_by: str, started_by_name: str, at: dt.datetime
) -> bool:
    """A payment run began (its first step, whoever or whatever started it): once per run."""
    number = run_number(run_id)
    person = trigger is RunTrigger.PERSON
    entry = ActivityEntry(
        activity_id=f"payment-run-{run_id}",
        kind=ActivityKind.PAYMENT_RUN,
        at=at,
        actor_id=started_by,
        actor_name=(started_by_name or "A support user") if person else SCHEDULED_RUN,
        summary=f"Run {number} of the {academic_year} claim window" if number else run_id,
        link=f"/support/payments/{run_id}",
    )
    recorded = Activity().record(entry)
    if recorded:
        logger.info("payment run recorded in activity", extra={"run_id": run_id})
    return recorded


def record_run_counts(run_id: str, checked: int, flagged: int, in_file: int) -> bool:
    """What a finished run did, on its entry (one UpdateItem; nothing if the run was never recorded)."""
    counts = {"claims checked": checked, "flagged": flagged, "in the payment file": in_file}
    return Activity().set_counts(f"payment-run-{run_id}", counts)


def record_run_retried(run_id: str, attempt: int, user: User, at: dt.datetime) -> bool:
    """Support's "Retry run": once per attempt."""
    return Activity().record(
        ActivityEntry(
            activity_id=f"payment-run-{run_id}-retry-{attempt}",
            kind=ActivityKind.PAYMENT_RUN,
            at=at,
            actor_id=user.user_id,
            actor_name=user.full_name,
            summary=f"{run_id} retried",
            link=f"/support/payments/{run_id}",
        )
    )


def record_payer_response(
    batch_id: str, rows: int, counts: ResponseCounts, failed: int, run_ids: set[str], user: User, at: dt.datetime
) -> bool:
    """A payer response upload confirmed: what it did to the claims, once per upload."""
    (only_run,) = run_ids if len(run_ids) == 1 else (None,)
    if only_run:
        summary, link = f"Payer response for {only_run}", f"/support/payments/{only_run}"
    else:
        summary, link = f"Payer response of {rows:,} {'row' if rows == 1 else 'rows'}", "/support/payments"
    return Activity().record(
        ActivityEntry(
            activity_id=f"payer-response-{batch_id}",
            kind=ActivityKind.PAYER_RESPONSE,
            at=at,
            actor_id=user.user_id,
            actor_name=user.full_name,
            summary=summary,
            counts={
                "claims paid": counts.paid,
                "needing information": counts.information_requested,
                "rejected": failed,
            },
            link=link,
        )
    )


# -- the Activity page -------------------------------------------------------------------------------------------
def months_back(newest: str, oldest: str = FIRST_MONTH) -> list[str]:
    """Months "YYYY-MM" from `newest` back to `oldest`, newest first."""
    year, month = (int(part) for part in newest.split("-"))
    found: list[str] = []
    while f"{year:04d}-{month:02d}" >= oldest:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


def _valid_cursor(cursor: str) -> bool:
    """An `at_id`: an ISO instant, then "#" and an id (anything else is ignored: the first page)."""
    instant, _, rest = cursor.partition("#")
    try:
        dt.datetime.fromisoformat(instant)
    except ValueError:
        return False
    return bool(rest)


@dataclass(frozen=True)
class ActivityPage:
    entries: list[ActivityEntry]
    older: str | None  # the cursor of the next (older) page
    newer: str | None  # the cursor of the previous (newer) page


def activity_page(now: dt.datetime, after: str = "", before: str = "") -> ActivityPage:
    """25 entries newest first: the first page, those older than `after`, or those newer than `before`."""
    activity = Activity()
    this_month = month_of(now)
    if before and _valid_cursor(before):
        months = list(reversed(months_back(this_month, month_of(dt.datetime.fromisoformat(before.split("#")[0])))))
        newer = activity.newer(months, PAGE_SIZE + 1, before)
        entries = list(reversed(newer[:PAGE_SIZE]))
        more_newer = len(newer) > PAGE_SIZE
        return ActivityPage(
            entries=entries,
            older=at_id_of(entries[-1]) if entries else None,
            newer=at_id_of(entries[0]) if entries and more_newer else None,
        )
    start = after if after and _valid_cursor(after) else None
    first_month = month_of(dt.datetime.fromisoformat(start.split("#")[0])) if start else this_month
    found = activity.newest(months_back(first_month), PAGE_SIZE + 1, before=start)
    entries = found[:PAGE_SIZE]
    return ActivityPage(
        entries=entries,
        older=at_id_of(entries[-1]) if len(found) > PAGE_SIZE else None,
        newer=at_id_of(entries[0]) if start and entries else None,
    )
