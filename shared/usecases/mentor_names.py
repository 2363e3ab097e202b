"""The weekly refresh of mentors' names from the Teaching Record System (ADR 0037).

`start_refresh` (the weekly schedule's function) records the run in Activity and queues every teacher's TRN
on `MentorNamesQueue`. `check_mentor` (its consumer) looks one TRN up by TRN alone, as the live service's
nightly sync does: no date of birth is kept, so none is sent. Every request first takes a place in the
one-second counters (`shared.claims.mentor_names`), a 429 too, the same counters the payment run's checks take
places in (`shared.usecases.teaching_record_places`, ADR 0044), so the refresh and the checks together stay
under the Teaching Record's 300 requests a minute whatever runs at once. Then the teacher's record and every
school's entry get the current names (one conditional transaction, nothing written when they agree), or are
marked not found: kept, never deleted, listed on the run's Activity entry and shown to the school and to support.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims import mentor_names as rules
from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.claim import Claim
from shared.claims.mentor_names import CheckMessage, Outcome
from shared.data.activity import Activity
from shared.data.mentor_names import RUNNING, MentorNamesRuns, RunState, enqueue
from shared.data.mentors import Mentors, Teacher
from shared.integrations import teaching_record
from shared.integrations.teaching_record import TRN_PATTERN
from shared.observability import logger, metrics
from shared.usecases.teaching_record_places import CheckLater, Clock, Sleep, look_up


# -- starting a run (the weekly schedule) ----------------------------------------------------------------
@dataclass(frozen=True)
class RefreshStarted:
    run_id: str
    queued: int
    started: bool  # False: this run had already queued its mentors (the schedule delivered twice)


def start_refresh(now: dt.datetime) -> RefreshStarted:
    """Record the week's run, then queue a check of every teacher's TRN (the mentors table's Scan, a page at a
    time). A second delivery in the same week continues the run: once its mentors are queued it does nothing."""
    run_id = rules.run_id(now)
    activity = Activity()
    entry = ActivityEntry(
        activity_id=run_id,
        kind=ActivityKind.MENTOR_NAMES_REFRESH,
        at=now,
        actor_id=rules.ACTOR_ID,
        actor_name=rules.ACTOR_NAME,
        status=RUNNING,
        summary=rules.RUNNING_SUMMARY,
        counts={name: 0 for name in rules.COUNT_NAMES if name != rules.MENTORS},
    )
    if not activity.record(entry):
        existing = activity.get(run_id)
        if existing is not None and rules.MENTORS in existing.counts:
            return RefreshStarted(run_id, existing.counts[rules.MENTORS], started=False)
        # an earlier delivery stopped while queuing: queue them all again (a check made twice changes nothing)
    trns = (trn for trn in Mentors().all_trns() if TRN_PATTERN.fullmatch(trn))
    queued = enqueue(CheckMessage(run_id=run_id, trn=trn) for trn in trns)
    state = MentorNamesRuns().set_queued(run_id, queued)
    _finish_if_done(run_id, state)
    logger.info("mentor names refresh started", extra={"run_id": run_id, "queued": queued})
    metrics.add_metric(name="MentorNamesRefreshStarted", unit="Count", value=1)
    return RefreshStarted(run_id, queued, started=True)


def _finish_if_done(run_id: str, state: RunState) -> None:
    """Write the run's summary once every mentor is counted (by whichever writer counted the last)."""
    finished = state.running and rules.run_finished(state.counts)
    if finished and MentorNamesRuns().finish(run_id, rules.run_summary(state.counts, state.not_found)):
        logger.info("mentor names refresh finished", extra={"run_id": run_id, **_log_counts(state.counts)})
        metrics.add_metric(name="MentorNamesRefreshFinished", unit="Count", value=1)


def _log_counts(counts: dict[str, int]) -> dict[str, int]:
    return {name.replace(" ", "_"): value for name, value in counts.items()}


# -- checking one mentor (the queue's consumer) ----------------------------------------------------------
def _look_up(trn: str, clock: Clock, sleep: Sleep) -> teaching_record.TeacherRecord | None:
    """The Teaching Record's answer for the TRN, each request (a retried 429 too) in a place of its own in the
    counters the payment run's checks share (`shared.usecases.teaching_record_places`). `CheckLater` when it keeps
    answering 429 or cannot answer at all, or no place comes free within 10 s: the queue delivers the check again,
    so a request it did not answer is not asked again here."""
    return look_up(trn, clock, sleep)


def check_mentor(message: CheckMessage, clock: Clock, sleep: Sleep, *, last_delivery: bool) -> Outcome:
    """Look the TRN up and bring the teacher's names (and every school's entry) up to date, or mark them not
    found; count it on the run. While the Teaching Record cannot answer (or the rate limit says wait) this
    raises `CheckLater` and counts nothing, so the queue delivers the check again; on its last delivery the
    check is counted as one that could not be made (the names stay as they were) and the run can finish."""
    ids = {"run_id": message.run_id}
    stored = Mentors().teachers([message.trn]).get(message.trn)
    try:
        record = _look_up(message.trn, clock, sleep)
    except CheckLater:
        if not last_delivery:
            logger.info("mentor names check deferred", extra=ids)
            raise
        outcome = Outcome.FAILED
    else:
        outcome = _apply(message.trn, stored, record, clock())
    logger.info("mentor names checked", extra={**ids, "outcome": outcome.value})
    if outcome is not Outcome.UNCHANGED:
        metrics.add_metric(name=f"MentorName{outcome.value.title().replace('_', '')}", unit="Count", value=1)
    state = MentorNamesRuns().add_check(
        message.run_id, rules.outcome_count(outcome), message.trn if outcome is Outcome.NOT_FOUND else None
    )
    _finish_if_done(message.run_id, state)
    return outcome


def _apply(trn: str, stored: Teacher | None, record: teaching_record.TeacherRecord | None, now: dt.datetime) -> Outcome:
    Mentors().sync_names(trn, record, now)
    if record is None:
        return Outcome.NOT_FOUND
    if stored is not None and rules.renamed(stored, record):
        return Outcome.RENAMED
    return Outcome.UNCHANGED


# -- what pages and files show ---------------------------------------------------------------------------
def with_current_names(claims: list[Claim]) -> list[Claim]:
    """The claims with their mentors' current names (one BatchGetItem of the teachers, 100 keys a request), for
    the pages and files that name a claim's mentors."""
    if not claims:
        return claims
    current = Mentors().teachers(mentor.trn for claim in claims for mentor in claim.mentors)
    return [rules.with_current_names(claim, current) for claim in claims]
