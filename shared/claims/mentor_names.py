"""Mentors' names from the Teaching Record System, refreshed every week (ADR 0037). Pure rules.

The Teaching Record System allows 300 requests a minute. Every request the refresh makes (a retry of a 429
too) first takes a place in a one-second counter that holds `PER_SECOND` places. Any 60 seconds touch at
most 61 such counters, so the refresh never sends more than `worst_case_per_minute()` requests in any
minute, however many consumers run at once.

A mentor's names are what the Teaching Record says now. A claim keeps the names it was submitted with (what
the school claimed for, beside its snapshotted rate and amount); the pages and files that name a claim's
mentors to people (the provider's audit pages and audit file, the support console's claim page) show each
mentor's current name by TRN, which is the mentor's identity throughout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum

from pydantic import Field

from shared.claims.academic_years import LONDON
from shared.claims.claim import Claim
from shared.claims.domain import Domain
from shared.claims.people import PersonName

RATE_LIMIT_PER_MINUTE = 300  # the Teaching Record System's limit
PER_SECOND = 4  # places in each one-second counter
COUNTER_SECONDS = 1
RETRY_ATTEMPTS = 4  # requests for one TRN while the Teaching Record answers 429, each taking a place
LONGEST_RETRY_AFTER = 10.0  # seconds: a 429's Retry-After is honoured up to this, then the message goes back
LONGEST_WAIT_FOR_A_PLACE = 10.0  # seconds: then the message goes back to the queue (other consumers are busy)
REQUEST_SECONDS = 8.0  # the Teaching Record client's connect (3 s) and read (5 s) timeouts
MAX_RECEIVES = 5  # MentorNamesQueue's maxReceiveCount: the last delivery counts a check it cannot make as failed
ACTOR_ID = "schedule:mentor-names"
ACTOR_NAME = "Weekly mentor names refresh"
NOT_FOUND_LISTED = 20  # TRNs the Activity entry's line names; the rest are counted ("and 3 more")

# What a run's Activity entry counts (its `counts`), as the Activity page shows them.
MENTORS = "mentors"
CHECKED = "checked"
RENAMED = "renamed"
NOT_FOUND = "not found"
FAILED = "could not be checked"
COUNT_NAMES = (MENTORS, CHECKED, RENAMED, NOT_FOUND, FAILED)
RUNNING_SUMMARY = "Checking mentors' names in the Teaching Record"


def run_id(now: dt.datetime) -> str:
    """The week's run: "mentor-names-2026-W49", by the ISO week of London's date (the schedule's time zone), so
    Scheduler's retries and repeated deliveries continue one run."""
    year, week, _ = now.astimezone(LONDON).isocalendar()
    return f"mentor-names-{year}-W{week:02d}"


def worst_case_per_minute() -> int:
    """The most requests any 60 seconds can hold: the counters it touches (61 of one second) × their places."""
    return (60 // COUNTER_SECONDS + 1) * PER_SECOND


def worst_check_seconds() -> float:
    """The longest one check can take: each attempt waits for a place, makes its request (to its timeouts) and
    waits out a 429's Retry-After. The consumer starts a check only with this much time left."""
    return RETRY_ATTEMPTS * (LONGEST_WAIT_FOR_A_PLACE + REQUEST_SECONDS + LONGEST_RETRY_AFTER)


def counter_key(now: dt.datetime) -> str:
    """The counter of the second `now` falls in: "trs#<epoch seconds>"."""
    second = int(now.timestamp()) // COUNTER_SECONDS * COUNTER_SECONDS
    return f"trs#{second}"


def counter_expires(now: dt.datetime) -> dt.datetime:
    """When DynamoDB's TTL may remove a counter (a day on: TTL is lazy, and nothing reads old counters)."""
    return now + dt.timedelta(days=1)


def next_counter_at(now: dt.datetime) -> dt.datetime:
    """The start of the next counter's second: when a full counter's request may try again."""
    second = int(now.timestamp()) // COUNTER_SECONDS * COUNTER_SECONDS + COUNTER_SECONDS
    return dt.datetime.fromtimestamp(second, dt.UTC)


def retry_wait(attempt: int, retry_after: float | None) -> float | None:
    """How long to wait after the `attempt`th 429 before asking again: its Retry-After, else `attempt` seconds;
    None when the check should go back to the queue instead (the last attempt, or a Retry-After too long)."""
    wait = retry_after if retry_after is not None else float(attempt)
    if attempt >= RETRY_ATTEMPTS or wait > LONGEST_RETRY_AFTER:
        return None
    return wait


class CheckMessage(Domain):
    """One mentor to check, in one run: the TRN and the run's Activity entry (never a name or a date of birth)."""

    run_id: str
    trn: str = Field(pattern=r"^\d{7}$")


class Outcome(StrEnum):
    RENAMED = "renamed"
    UNCHANGED = "unchanged"
    NOT_FOUND = "not_found"
    FAILED = "failed"  # the Teaching Record could not say by the last delivery: the names are left as they were


def outcome_count(outcome: Outcome) -> str | None:
    """The count the outcome adds to on the run's entry (beside "checked"); None for an unchanged mentor."""
    return {Outcome.RENAMED: RENAMED, Outcome.NOT_FOUND: NOT_FOUND, Outcome.FAILED: FAILED}.get(outcome)


def renamed(stored: PersonName, record: PersonName) -> bool:
    """Whether the Teaching Record's names differ from those stored (exactly: a corrected capital counts)."""
    return (stored.first_name, stored.last_name) != (record.first_name, record.last_name)


def run_finished(counts: Mapping[str, int]) -> bool:
    """Every queued mentor has been checked (a redelivered message may count twice, so at least)."""
    return MENTORS in counts and counts.get(CHECKED, 0) >= counts[MENTORS]


def run_summary(counts: Mapping[str, int], not_found: Iterable[str]) -> str:
    """The Activity entry's line once every mentor has been checked: the TRNs the Teaching Record no longer has
    (kept, never deleted) come first, as that is what support acts on."""
    missing = sorted(set(not_found))
    if not counts.get(MENTORS) and not missing:
        return "There were no mentors to check"
    if missing:
        listed = ", ".join(missing[:NOT_FOUND_LISTED])
        more = len(missing) - NOT_FOUND_LISTED
        listed += f" and {more} more" if more > 0 else ""
        return f"Not found in the Teaching Record (not deleted): TRN {listed}"
    if counts.get(FAILED):
        return "Every mentor checked was found; some could not be checked (next week's refresh tries them again)"
    return "Every mentor was found in the Teaching Record"


def with_current_names(claim: Claim, current: Mapping[str, PersonName]) -> Claim:
    """The claim with each mentor's current name (pages and files built from it show those); hours and TRNs as
    they are. A mentor with no teacher record keeps the claim's name."""
    mentors = tuple(
        mentor.model_copy(update={"first_name": name.first_name, "last_name": name.last_name})
        if (name := current.get(mentor.trn)) is not None
        else mentor
        for mentor in claim.mentors
    )
    return claim.model_copy(update={"mentors": mentors})
