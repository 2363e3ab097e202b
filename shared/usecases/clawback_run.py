"""The clawback run (infrastructure/statemachines/clawback-run.asl.json, ADR 0034): its tasks, and how support
and the weekly schedule start it.

Contract, as the audit workflow's: each task receives `{action, state}` and returns the new state. The state holds
the run's id and counts, never claims: each task reads what it needs by key or index, so a run of any size stays
inside Step Functions' 256 KB payload limit.

Every task is safe to repeat (Step Functions retries it): the run is recorded once under its id, the lock is
taken again by the run that holds it, a claim is taken only while it reads CLAWBACK_PENDING and only while the run
has no file, the file is recorded once (a second attempt uses the recorded one), a claim moves only while its run
owns it and it is still clawback_requested, and the payer's link is issued once per run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from itertools import batched
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.audit_answers import CLAWBACK_PENDING
from shared.claims.claim import Claim
from shared.claims.clawback_file import ClawbackLine, clawback_file, reconcile_clawback_file
from shared.claims.clawback_runs import (
    SCHEDULER,
    ClawbackRunStatus,
    ClawbackTrigger,
    clawback_file_key,
    clawback_file_ready,
    weekly_run_id,
)
from shared.claims.errors import ConcurrentUpdate, InvalidTransition
from shared.claims.money import format_pounds
from shared.claims.statuses import ClaimStatus
from shared.config import settings
from shared.data import executions
from shared.data.activity import Activity
from shared.data.claims import GROUP_SIZE, TAKE_GROUP_SIZE, ClaimsStore, StatusChange
from shared.data.clawback_runs import (
    ClawbackRuns,
    claims_under,
    count_under,
    pending_claims,
    release_from_clawback_run,
    take_for_clawback_run,
)
from shared.data.download_tokens import DownloadTokens
from shared.data.emails import enqueue
from shared.data.files import put_stream, read
from shared.data.organisations import Organisations
from shared.observability import logger, metrics
from shared.usecases.payer_links import link_expiry, link_reference, new_token, payer_addresses, token_hash
from shared.usecases.payment_run_tasks import TransientError

ACTOR = "clawback-run"
PAGE_SIZE = 500


class ReconciliationFailed(Exception):
    """The clawback file and the claims its run owns do not agree: nothing is sent to the payer."""


class ClawbackRunMissing(Exception):
    """A task of a run that has no record (the first task records it)."""


class ClawbackRunState(BaseModel):
    model_config = ConfigDict(extra="allow")

    run_id: str
    trigger: ClawbackTrigger = ClawbackTrigger.SCHEDULE
    started_by: str = SCHEDULER
    started_by_name: str = ""
    skipped: bool = False  # another run was in flight: this one did nothing
    no_claims: bool = False  # nothing was waiting: no file, no email
    owned: int = 0
    file_key: str | None = None
    row_count: int = 0
    total_pence: int = 0
    moved: int = 0
    payer_notified: bool = False
    attempt: int = 0  # 0 for the run's first execution; n for support's n-th "Retry run"


def run_input(
    run_id: str, trigger: ClawbackTrigger, started_by: str = SCHEDULER, started_by_name: str = "", attempt: int = 0
) -> dict[str, Any]:
    """What the state machine is started with (by support, the weekly schedule, or support's "Retry run")."""
    payload: dict[str, Any] = {
        "run_id": run_id,
        "trigger": trigger.value,
        "started_by": started_by,
        "started_by_name": started_by_name,
    }
    if attempt:
        payload["attempt"] = attempt
    return payload


# -- Begin: the record and the lock ----------------------------------------------------------------------------
def begin(state: ClawbackRunState, now: dt.datetime) -> ClawbackRunState:
    """Record the run (once) and make it the one run in flight. A run that finds another in flight does nothing
    else: it is recorded as not started, and the state machine ends there."""
    runs = ClawbackRuns()
    runs.start(state.run_id, state.trigger, state.started_by, state.started_by_name, now)
    if runs.take_lock(state.run_id, now):
        return state
    holder = runs.in_flight()
    if state.attempt:  # a retry keeps its claims and file, and stays failed until it can run
        runs.record_failure(state.run_id, "AnotherRunInProgress", f"Clawback run {holder} was in progress", now)
        return state.model_copy(update={"skipped": True})
    runs.finish(state.run_id, ClawbackRunStatus.NOT_STARTED, now, f"Clawback run {holder} was in progress")
    metrics.add_metric(name="ClawbackRunNotStarted", unit="Count", value=1)
    logger.info("clawback run not started", extra={"run_id": state.run_id, "in_flight": holder})
    return state.model_copy(update={"skipped": True})


# -- Take: the claims waiting for a clawback ---------------------------------------------------------------------
def take(state: ClawbackRunState, now: dt.datetime) -> ClawbackRunState:
    """Make this run the owner of every claim waiting for a clawback: TAKE_GROUP_SIZE to a transaction, each on
    condition that it still waits (a claim another run took a moment ago is skipped, claim by claim). A run
    that owns nothing ends here, cleanly: no file and no email."""
    if state.skipped:
        return state
    recorded = ClawbackRuns().get(state.run_id)
    if recorded is None:
        raise ClawbackRunMissing(state.run_id)
    if recorded.file_key is not None:  # a retried run: it has its claims and its file, and takes nothing more
        return state.model_copy(update={"owned": recorded.owned})
    waiting = [claim for page in pending_claims(PAGE_SIZE) for claim in page]  # read first: taking moves them
    taken = 0
    for group in batched(waiting, TAKE_GROUP_SIZE):
        try:
            taken += len(take_for_clawback_run(group, state.run_id, now))
            continue
        except ConcurrentUpdate:
            pass
        for claim in group:  # one of the group changed (or the run's file was recorded): claim by claim
            try:
                taken += len(take_for_clawback_run([claim], state.run_id, now))
            except ConcurrentUpdate:
                logger.info("claim not taken for the clawback run", extra={"reference": claim.reference})
    run = ClawbackRuns().get(state.run_id)
    owned = run.owned if run else 0
    logger.info("clawback run took its claims", extra={"run_id": state.run_id, "taken": taken, "owned": owned})
    if owned == 0:
        finish(state.run_id, ClawbackRunStatus.NO_CLAIMS, now)
        return state.model_copy(update={"no_claims": True, "owned": 0})
    return state.model_copy(update={"owned": owned})


# The clawback index is eventually consistent: a claim taken a moment ago may not be listed under the run yet. The
# run's record counts what it owns exactly, so the index is read only once it lists that many.
INDEX_WAITS_SECONDS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)


def owned_claims(run_id: str, owned: int) -> list[Claim]:
    """The claims the run owns, read from the items themselves (strongly consistent), in reference order."""
    listed = 0
    for wait in INDEX_WAITS_SECONDS:
        if wait:
            time.sleep(wait)
        listed = count_under(run_id)
        if listed == owned:  # each listed claim read itself (claims_under), and kept only if the run still owns it
            return sorted(
                (claim for page in claims_under(run_id, PAGE_SIZE) for claim in page), key=lambda c: c.reference
            )
    raise TransientError(f"the clawback index lists {listed} of the {owned} claims {run_id} owns")


def _clawback_pence(claim: Claim) -> int:
    return claim.clawback.total_pence if claim.clawback else 0


# -- WriteFile ---------------------------------------------------------------------------------------------------
def file_content(claims: Sequence[Claim]) -> tuple[bytes, int, int, str]:
    """The clawback file of these claims: (content, rows, total pence, SHA-256)."""
    schools = Organisations().schools(claim.school_id for claim in claims)
    built = clawback_file(
        ClawbackLine(claim=claim, school=schools.get(claim.school_id), clawback_pence=_clawback_pence(claim))
        for claim in claims
    )
    return built.content, built.rows, built.total_pence, built.sha256


def write_file(state: ClawbackRunState, now: dt.datetime) -> ClawbackRunState:
    """Write the file of exactly the claims the run owns and record it with its SHA-256, once: an attempt that
    finds the run's file recorded uses it (and writes nothing)."""
    if state.skipped or state.no_claims:
        return state
    runs = ClawbackRuns()
    run = runs.get(state.run_id)
    if run is None:
        raise ClawbackRunMissing(state.run_id)
    if run.file_key is None:
        content, rows, total, sha256 = file_content(owned_claims(state.run_id, run.owned))
        # Named by the run's start, not this attempt's: an attempt that wrote the file and stopped before recording
        # it is followed by one that writes the same claims to the same key (the bucket is versioned), never a
        # second file.
        stored = put_stream(clawback_file_key(state.run_id, run.created_at), [content])
        if stored.sha256 != sha256:
            raise TransientError(f"{state.run_id}: the stored file's SHA-256 is not the one written")
        if not runs.record_file(state.run_id, stored.key, sha256, rows, total):
            logger.info("clawback file already recorded by another attempt", extra={"run_id": state.run_id})
        run = runs.get(state.run_id)
        assert run is not None
    metrics.add_metric(name="ClawbackFileGenerated", unit="Count", value=1)
    logger.info("clawback file written", extra={"run_id": state.run_id, "rows": run.row_count})
    return state.model_copy(
        update={"file_key": run.file_key, "row_count": run.row_count, "total_pence": run.total_pence}
    )


# -- Reconcile ---------------------------------------------------------------------------------------------------
def reconcile(state: ClawbackRunState, now: dt.datetime) -> ClawbackRunState:
    """Before anything leaves: the file read back holds exactly the claims the run owns, each with its clawback,
    as many rows as the run's own count, and its bytes' SHA-256 is the one recorded. A difference fails the run
    (nothing is sent to the payer) and raises the alarm."""
    if state.skipped or state.no_claims:
        return state
    runs = ClawbackRuns()
    run = runs.get(state.run_id)
    if run is None or run.file_key is None or run.file_sha256 is None:
        raise ReconciliationFailed(f"{state.run_id} has no recorded file")
    claims = owned_claims(state.run_id, run.owned)
    intended = [(claim.reference, _clawback_pence(claim)) for claim in claims]
    check = reconcile_clawback_file(read(run.file_key), intended, run.file_sha256)
    examples = list(check.result.examples)
    if len(claims) != run.owned:
        examples.append(f"the run owns {run.owned} claims by its own count, {len(claims)} by its index")
    if not check.sha256_verified:
        examples.append("the file's SHA-256 is not the one recorded")
    passed = check.passed and len(claims) == run.owned
    runs.record_reconciliation(state.run_id, passed, examples, now)
    logger.info(
        "clawback file reconciled",
        extra={"run_id": state.run_id, "passed": passed, "rows": check.result.rows, "owned": run.owned},
    )
    if not passed:
        metrics.add_metric(name="ClawbackRunReconciliationFailed", unit="Count", value=1)
        raise ReconciliationFailed(f"{state.run_id}: " + "; ".join(examples))
    metrics.add_metric(name="ClawbackFileReconciled", unit="Count", value=1)
    return state


# -- MoveClaims --------------------------------------------------------------------------------------------------
def move(state: ClawbackRunState, now: dt.datetime) -> ClawbackRunState:
    """Move the claims the run owns that are still clawback_requested to clawback_in_progress, GROUP_SIZE to a
    transaction, each on condition that this run owns it, each with its event. Every claim in the file must have
    moved before the payer is emailed."""
    if state.skipped or state.no_claims:
        return state
    run = ClawbackRuns().get(state.run_id)
    if run is None or not run.reconciled or run.file_key is None:
        raise ReconciliationFailed(f"{state.run_id}: the file has not reconciled, so no claim moves")
    store = ClaimsStore()
    claims = owned_claims(state.run_id, run.owned)
    waiting = [claim for claim in claims if claim.status is ClaimStatus.CLAWBACK_REQUESTED]
    reason = f"In clawback file {run.file_key}"
    for group in batched(waiting, GROUP_SIZE):
        changes = [
            StatusChange(claim, ClaimStatus.CLAWBACK_IN_PROGRESS, reason, clawback_owned_by=state.run_id)
            for claim in group
        ]
        apply_changes(store, changes, ACTOR, now)
    moved = sum(
        1 for claim in owned_claims(state.run_id, run.owned) if claim.status is ClaimStatus.CLAWBACK_IN_PROGRESS
    )
    ClawbackRuns().record_moved(state.run_id, moved)
    if moved != run.owned:
        metrics.add_metric(name="ClawbackRunReconciliationFailed", unit="Count", value=1)
        raise ReconciliationFailed(f"{state.run_id}: {moved} of the {run.owned} claims in the file moved")
    logger.info("clawback claims sent", extra={"run_id": state.run_id, "moved": moved})
    return state.model_copy(update={"moved": moved})


def apply_changes(store: ClaimsStore, changes: Sequence[StatusChange], actor: str, at: dt.datetime) -> list[str]:
    """One transaction for the group; if one claim changed since it was read, claim by claim with the SAME
    change (its ownership condition included), so only that claim is left out."""
    if not changes:
        return []
    try:
        store.change_statuses(changes, actor, at)
        return [change.claim.reference for change in changes]
    except ConcurrentUpdate:
        pass
    changed: list[str] = []
    for change in changes:
        try:
            store.apply(change, actor, at)
        except (ConcurrentUpdate, InvalidTransition):
            logger.warning(
                "claim changed before the clawback run reached it", extra={"reference": change.claim.reference}
            )
            continue
        changed.append(change.claim.reference)
    return changed


# -- NotifyPayer -------------------------------------------------------------------------------------------------
def notify(state: ClawbackRunState, now: dt.datetime, token_factory: Callable[[], str] = new_token) -> ClawbackRunState:
    """Email the payer one single-use link to the file, once per run (the payment run's link mechanism, ADR 0012);
    then the run is complete, the lock free, and the run on the Activity page."""
    if state.skipped or state.no_claims:
        return state
    run = ClawbackRuns().get(state.run_id)
    if run is None or not run.reconciled or run.file_key is None or run.moved != run.owned:
        raise ReconciliationFailed(f"{state.run_id}: the file has not reconciled, so nothing is sent to the payer")
    emails = _email_payer(state.run_id, run.file_key, run.row_count, run.total_pence, now, token_factory)
    finish(state.run_id, ClawbackRunStatus.COMPLETED, now)
    record_clawback_run(
        state.run_id, state.trigger, state.started_by, state.started_by_name, run.row_count, run.total_pence, now
    )
    metrics.add_metric(name="ClawbackRunCompleted", unit="Count", value=1)
    metrics.add_metric(name="ClaimsSentForClawback", unit="Count", value=run.row_count)
    return state.model_copy(update={"payer_notified": emails > 0})


def _email_payer(
    run_id: str, file_key: str, rows: int, total_pence: int, now: dt.datetime, token_factory: Callable[[], str]
) -> int:
    """As the payment run's NotifyPayer: the link and the run's record of it written together, once; the emails
    queued once (a retry after they were queued sends nothing). The number of emails queued."""
    runs = ClawbackRuns()
    addresses = payer_addresses(settings().payer_email_addresses)
    if not addresses:
        runs.record_payer_notified(run_id, now, 0)
        logger.error("no payer email address is configured: payer not emailed", extra={"run_id": run_id})
        metrics.add_metric(name="PayerAddressMissing", unit="Count", value=1)
        return 0
    tokens = DownloadTokens()
    earlier = tokens.run_link(run_id)
    if earlier is not None and earlier.queued_at is not None:
        runs.record_payer_notified(run_id, now, len(addresses))
        return len(addresses)
    if earlier is not None:  # an interrupted attempt issued a link it never sent: its token is gone with it
        tokens.withdraw(run_id, earlier.token_hash)
    token = token_factory()
    hashed = token_hash(token)
    expires_at = link_expiry(now)
    if not tokens.issue_for_run(run_id, file_key, hashed, now, expires_at, row_count=rows, total_pence=total_pence):
        raise TransientError("another attempt is issuing this clawback run's payer link")
    link = f"{settings().service_url.rstrip('/')}/downloads/{token}"
    messages = [
        clawback_file_ready(
            address, run_id=run_id, claims=rows, total_pence=total_pence, link=link, expires_at=expires_at
        )
        for address in addresses
    ]
    try:
        enqueue(messages)
    except Exception as error:
        tokens.withdraw(run_id, hashed)  # never sent: a retry issues a new link
        raise TransientError("payer emails were not queued") from error
    tokens.mark_queued(run_id, now)
    runs.record_payer_notified(run_id, now, len(messages))
    metrics.add_metric(name="PayerNotifiedOfClawbacks", unit="Count", value=1)
    logger.info("payer emailed a clawback file link", extra={"run_id": run_id, "link": link_reference(hashed)})
    return len(messages)


def finish(run_id: str, status: ClawbackRunStatus, now: dt.datetime) -> None:
    ClawbackRuns().finish(run_id, status, now)
    ClawbackRuns().release_lock(run_id)


def record_clawback_run(
    run_id: str,
    trigger: ClawbackTrigger,
    started_by: str,
    started_by_name: str,
    claims: int,
    total_pence: int,
    at: dt.datetime,
) -> bool:
    """The run's Activity entry: who or what started it and what it sent, once per run."""
    person = trigger is ClawbackTrigger.PERSON
    return Activity().record(
        ActivityEntry(
            activity_id=f"clawback-run-{run_id}",
            kind=ActivityKind.CLAWBACK_RUN,
            at=at,
            actor_id=started_by,
            actor_name=(started_by_name or "A support user") if person else "Scheduled run",
            summary=f"{format_pounds(total_pence)} to claw back",
            counts={"claims": claims},
            link=f"/support/clawbacks/{run_id}",
        )
    )


# -- RecordFailure -----------------------------------------------------------------------------------------------
def record_failure(state: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The Catch target: the run is recorded failed with the error, and the lock freed. Claims it took are given
    back to wait for the next run while none of them has moved (the payer was sent nothing); once any has moved
    they stay with the run, whose page says so."""
    error = state.get("error") if isinstance(state.get("error"), dict) else {}
    assert isinstance(error, dict)
    run_id = state.get("run_id")
    released = 0
    if isinstance(run_id, str) and run_id:
        runs = ClawbackRuns()
        if runs.get(run_id) is None:  # it failed before its first step recorded it
            started = ClawbackRunState.model_validate(state)
            runs.start(run_id, started.trigger, started.started_by, started.started_by_name, now)
        runs.record_failure(run_id, str(error.get("Error", "Unknown")), str(error.get("Cause", "")), now)
        released = _release_unsent(run_id, now)
        runs.release_lock(run_id)
    metrics.add_metric(name="ClawbackRunFailed", unit="Count", value=1)
    logger.error("clawback run failed", extra={"run_id": run_id, "error": error.get("Error"), "released": released})
    return {**state, "failed": True, "released": released}


def _release_unsent(run_id: str, now: dt.datetime) -> int:
    claims = [claim for page in claims_under(run_id, PAGE_SIZE) for claim in page]
    if any(claim.status is not ClaimStatus.CLAWBACK_REQUESTED for claim in claims):
        logger.error("clawback run failed after its claims began to move", extra={"run_id": run_id})
        return 0
    released = 0
    for group in batched(claims, TAKE_GROUP_SIZE):
        try:
            released += len(release_from_clawback_run(group, run_id, now, f"{run_id} failed"))
        except ConcurrentUpdate:
            logger.warning("claims changed while a failed clawback run gave them back", extra={"run_id": run_id})
    return released


# -- the Lambda's dispatch ---------------------------------------------------------------------------------------
TASKS: dict[str, Callable[[ClawbackRunState, dt.datetime], ClawbackRunState]] = {
    "begin": begin,
    "take": take,
    "write_file": write_file,
    "reconcile": reconcile,
    "move": move,
    "notify": notify,
}


def run(event: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """One Lambda for the run's steps, by `action`: `{"action": ..., "state": <the whole state>}`, answered with
    the new state; "record_failure" gets the state with its error; "start_weekly" is the schedule's start."""
    action = event.get("action")
    if action == "record_failure":
        return record_failure(dict(event.get("state") or {}), now)
    task = TASKS.get(str(action))
    if task is None:
        raise ValueError(f"unknown clawback run action {action!r}")
    return task(ClawbackRunState.model_validate(event.get("state") or {}), now).model_dump(mode="json")


# -- starting a run ----------------------------------------------------------------------------------------------
def state_machine_arn() -> str:
    arn = settings().clawback_run_state_machine_arn
    if not arn:
        raise executions.ExecutionsNotConfigured("CLAWBACK_RUN_STATE_MACHINE_ARN must be set")
    return arn


def start(run_id: str, payload: dict[str, Any]) -> bool:
    """Start the run's execution, named by its id: False when that run was already started."""
    return executions.start(run_id, payload, state_machine_arn()).started_now


def _scheduled_at(value: object, now: dt.datetime) -> dt.datetime:
    """The schedule's `<aws.scheduler.scheduled-time>` (ISO 8601), or now when it is missing or not a time."""
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return now
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return now


def start_weekly(event: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The weekly schedule: start that week's run, named by its London day (a schedule delivered twice starts it
    once), unless nothing is waiting for a clawback."""
    run_id = weekly_run_id(_scheduled_at(event.get("scheduled_time"), now))
    if count_under_pending() == 0:
        logger.info("no claims ready for clawback: weekly run not started", extra={"run_id": run_id})
        return {"run_id": run_id, "started": False, "pending": 0}
    started = start(run_id, run_input(run_id, ClawbackTrigger.SCHEDULE))
    if started:
        metrics.add_metric(name="ClawbackRunStartedBySchedule", unit="Count", value=1)
    logger.info("weekly clawback run", extra={"run_id": run_id, "started": started})
    return {"run_id": run_id, "started": started}


def count_under_pending() -> int:
    return count_under(CLAWBACK_PENDING)
