"""Support: Clawbacks (ADR 0034). The claims ready for clawback and "Send clawbacks to the payer" (which starts a
clawback run), the runs and each run's claims, and the payer's clawback response (upload, check, confirm).

Nothing changes a claim until a support user confirms a checked response; the file is stored as uploaded and
checked again on confirmation, because claims may have moved since. Each claim moves clawback_in_progress →
clawback_complete on condition that its run still owns it, with its event, and its school's users are emailed.
Clawed-back hours are NOT given back to the mentor's allowance (the transition releases none).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import batched

from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.claim import Claim
from shared.claims.clawback_emails import clawback_complete_email
from shared.claims.clawback_file import (
    InvalidFile,
    RawResponseRow,
    check_clawback_response,
    read_clawback_response,
)
from shared.claims.clawback_runs import (
    ClawbackRun,
    ClawbackRunStatus,
    ClawbackTrigger,
    SendRefusal,
    is_run_id,
    person_run_id,
    retry_execution_name,
    send_refusal,
)
from shared.claims.errors import NotFound
from shared.claims.payer_response import PREVIEW_ROWS, RowError
from shared.claims.people import User
from shared.claims.statuses import ClaimStatus
from shared.config import settings
from shared.data.activity import Activity
from shared.data.claims import GROUP_SIZE, ClaimsStore, StatusChange
from shared.data.clawback_runs import (
    ClawbackResponses,
    ClawbackRuns,
    ClawbackUpload,
    claim_statuses,
    claims_under,
    get_claims,
    pending_claims,
)
from shared.data.emails import enqueue
from shared.data.users import member_emails
from shared.observability import logger, metrics
from shared.usecases.clawback_run import apply_changes, run_input, start

UPLOAD_LIFETIME = dt.timedelta(days=1)


def _pence(claim: Claim) -> int:
    return claim.clawback.total_pence if claim.clawback else 0


# -- the Clawbacks page -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClawbacksOverview:
    pending: int
    pending_pence: int
    in_flight: str | None
    runs: list[ClawbackRun]
    refusal: SendRefusal | None
    next_run_id: str  # what the page's button starts: a second click of the same page starts nothing more


def clawbacks_overview(now: dt.datetime) -> ClawbacksOverview:
    """The claims waiting for a clawback (a Query of the clawback index; clawbacks are a few a week), the run in
    flight, and every run, newest first."""
    waiting = [claim for page in pending_claims() for claim in page]
    in_flight = ClawbackRuns().in_flight()
    return ClawbacksOverview(
        pending=len(waiting),
        pending_pence=sum(_pence(claim) for claim in waiting),
        in_flight=in_flight,
        runs=ClawbackRuns().all(),
        refusal=send_refusal(len(waiting), in_flight),
        next_run_id=person_run_id(now, secrets.token_hex(4)),
    )


class ClawbackRefused(Exception):
    def __init__(self, refusal: SendRefusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


def send_to_payer(run_id: str, user: User) -> bool:
    """ "Send clawbacks to the payer": start the run the page named (False when that run was already started:
    a second click). ClawbackRefused when nothing is waiting or a run is in flight (the run would do nothing)."""
    if not is_run_id(run_id):
        raise NotFound
    waiting = sum(len(page) for page in pending_claims())
    refusal = send_refusal(waiting, ClawbackRuns().in_flight())
    if refusal is not None:
        raise ClawbackRefused(refusal)
    started = start(run_id, run_input(run_id, ClawbackTrigger.PERSON, user.user_id, user.full_name))
    if started:
        metrics.add_metric(name="ClawbackRunStartedBySupport", unit="Count", value=1)
        logger.info("clawback run started", extra={"run_id": run_id, "user_id": user.user_id})
    return started


# -- a run -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunView:
    run: ClawbackRun
    claims: list[Claim]

    @property
    def total_pence(self) -> int:
        return sum(_pence(claim) for claim in self.claims)

    @property
    def retryable(self) -> bool:
        """A failed run that still owns claims (some had moved when it failed, so they were not given back) is
        finished by retrying it: its steps repeat safely with the claims and the file it has."""
        return self.run.status is ClawbackRunStatus.FAILED and bool(self.claims)


def run_view(run_id: str) -> RunView:
    """The run and the claims it owns, by reference (NotFound for no such run)."""
    run = ClawbackRuns().get(run_id) if is_run_id(run_id) else None
    if run is None:
        raise NotFound
    return RunView(run, [claim for page in claims_under(run_id) for claim in page])


def retry_run(run_id: str, user: User, now: dt.datetime) -> bool:
    """ "Retry run": start a failed run again from its first step, with the claims and the file it has (each step
    repeats safely). False when someone retried it a moment ago; ClawbackRefused while another run is in flight;
    NotFound for a run that cannot be retried."""
    view = run_view(run_id)
    if view.run.attempts and view.run.status is not ClawbackRunStatus.FAILED:
        return False  # retried a moment ago (a second click, or a colleague)
    if not view.retryable:
        raise NotFound
    in_flight = ClawbackRuns().in_flight()
    if in_flight and in_flight != run_id:
        raise ClawbackRefused(SendRefusal.RUN_IN_FLIGHT)
    attempt = ClawbackRuns().start_retry(run_id, user.full_name, now)
    if attempt is None:
        return False
    run = view.run
    start(
        retry_execution_name(run_id, attempt),
        run_input(run_id, run.trigger, run.started_by, run.started_by_name, attempt=attempt),
    )
    metrics.add_metric(name="ClawbackRunRetried", unit="Count", value=1)
    logger.info("clawback run retried", extra={"run_id": run_id, "attempt": attempt, "user_id": user.user_id})
    return True


# -- the payer's clawback response -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Rejected:
    """The file cannot be used: one message for the page, and every row's problems (if it got that far)."""

    message: str
    row_errors: tuple[RowError, ...] = ()  # the first MAX_ERRORS_SHOWN
    error_count: int = 0


@dataclass(frozen=True)
class Uploaded:
    batch_id: str


@dataclass(frozen=True)
class Checked:
    rows: tuple[RawResponseRow, ...]
    completed: tuple[str, ...]


class UploadExpired(Exception):
    """A pending upload older than a day: upload the file again."""


def answerable_run(run_id: str) -> RunView:
    """A run the payer can answer (it was sent a file), else NotFound."""
    view = run_view(run_id)
    if not view.run.may_upload_response:
        raise NotFound
    return view


def _check(content: bytes | None, run: RunView) -> Checked | Rejected:
    try:
        rows = read_clawback_response(content)
    except InvalidFile as error:
        return Rejected(error.message)
    statuses = claim_statuses(row.reference for row in rows if row.reference)
    checked = check_clawback_response(rows, statuses, {claim.reference for claim in run.claims})
    if not checked.valid:
        count = len(checked.errors)
        noun = "error" if count == 1 else "errors"
        message = f"Fix the {count} {noun} in the selected file and upload it again"
        return Rejected(message, checked.shown_errors, count)
    return Checked(rows, checked.completed)


def upload_response(run_id: str, content: bytes | None, user: User, now: dt.datetime) -> Uploaded | Rejected:
    """Check the file (its header, then every row against the run's claims); store it, pending, only if valid."""
    view = answerable_run(run_id)
    checked = _check(content, view)
    if isinstance(checked, Rejected):
        return checked
    assert content is not None
    batch_id = secrets.token_hex(16)
    ClawbackResponses().store(batch_id, run_id, content, user.user_id, now, len(checked.rows))
    logger.info("clawback response uploaded", extra={"batch_id": batch_id, "run_id": run_id})
    return Uploaded(batch_id)


@dataclass(frozen=True)
class Confirmation:
    upload: ClawbackUpload
    completed: int
    total_pence: int
    preview: tuple[RawResponseRow, ...]


@dataclass(frozen=True)
class Confirmed:
    completed: int
    failed: int
    first_time: bool


def _own_upload(run_id: str, batch_id: str, user: User) -> ClawbackUpload:
    """The upload, only for the support user who uploaded it, and only under its own run."""
    upload = ClawbackResponses().get(batch_id)
    if upload is None or upload.uploaded_by != user.user_id or upload.run_id != run_id:
        raise NotFound
    return upload


@dataclass(frozen=True)
class Unfinished:
    """A confirmed upload whose claims were not all changed (the confirmation stopped part-way)."""

    upload: ClawbackUpload


def response_confirmation(
    run_id: str, batch_id: str, user: User, now: dt.datetime
) -> Confirmation | Confirmed | Rejected | Unfinished:
    """What the check page shows: the claims the response completes, checked again against the claims now (or,
    once confirmed, what happened; or that its confirmation stopped part-way and can be finished)."""
    view = answerable_run(run_id)
    upload = _own_upload(run_id, batch_id, user)
    if upload.status == "applying":
        return Unfinished(upload)
    if upload.status != "pending":
        return Confirmed(upload.completed, upload.failed, first_time=False)
    if now - upload.created_at > UPLOAD_LIFETIME:
        raise UploadExpired(batch_id)
    checked = _check(ClawbackResponses().read_file(upload.file_key), view)
    if isinstance(checked, Rejected):
        return checked
    pence = {claim.reference: _pence(claim) for claim in view.claims}
    total = sum(pence.get(reference, 0) for reference in checked.completed)
    return Confirmation(upload, len(checked.completed), total, checked.rows[:PREVIEW_ROWS])


def confirm_response(run_id: str, batch_id: str, user: User, now: dt.datetime) -> Confirmed | Rejected:
    """Check the stored file again, claim the upload (once), then complete each claim's clawback GROUP_SIZE to a
    transaction; each claim whose clawback this call completed has its school's users emailed. A confirmation
    that stopped part-way leaves the upload applying: confirming again completes what is left, never one twice."""
    view = answerable_run(run_id)
    responses = ClawbackResponses()
    upload = _own_upload(run_id, batch_id, user)
    if upload.status == "confirmed":
        return Confirmed(upload.completed, upload.failed, first_time=False)
    content = responses.read_file(upload.file_key)
    if upload.status == "pending":
        if now - upload.created_at > UPLOAD_LIFETIME:
            raise UploadExpired(batch_id)
        checked = _check(content, view)
        if isinstance(checked, Rejected):
            return checked
        if not responses.start_applying(batch_id):
            again = responses.get(batch_id) or upload
            return Confirmed(again.completed, again.failed, first_time=False)
        references: Iterable[str] = checked.completed
    else:  # applying: every row was valid when it was confirmed; finish the claims not yet completed
        owned = {claim.reference for claim in view.claims}
        references = [row.reference for row in read_clawback_response(content) if row.reference in owned]
    wanted = sorted(set(references))
    changed = _complete(run_id, batch_id, wanted, user, now)
    reached = sum(1 for status in claim_statuses(wanted).values() if status is ClaimStatus.CLAWBACK_COMPLETE)
    failed = len(wanted) - reached
    responses.record_outcome(batch_id, reached, failed)
    _record_activity(run_id, batch_id, reached, failed, user, now)
    metrics.add_metric(name="ClawbackResponseConfirmed", unit="Count", value=1)
    metrics.add_metric(name="ClawbacksCompleted", unit="Count", value=len(changed))
    logger.info("clawback response confirmed", extra={"batch_id": batch_id, "completed": reached, "failed": failed})
    return Confirmed(reached, failed, first_time=True)


def _complete(run_id: str, batch_id: str, references: list[str], user: User, now: dt.datetime) -> list[Claim]:
    store = ClaimsStore()
    changed: list[Claim] = []
    for group in batched(references, GROUP_SIZE):
        claims = [
            claim
            for claim in get_claims(group)
            if claim.status is ClaimStatus.CLAWBACK_IN_PROGRESS and claim.clawback_run_id == run_id
        ]
        changes = [
            StatusChange(
                claim, ClaimStatus.CLAWBACK_COMPLETE, f"Clawback response {batch_id}", clawback_owned_by=run_id
            )
            for claim in claims
        ]
        done = set(apply_changes(store, changes, user.user_id, now))
        changed += [claim for claim in claims if claim.reference in done]
    for claim in changed:
        _email_school(claim)
    return changed


def _email_school(claim: Claim) -> int:
    """One email per user of the claim's school; 0 when it failed (the clawback stands; the failure is logged)."""
    try:
        service_url = settings().service_url
        messages = [
            clawback_complete_email(claim, address, amount_pence=_pence(claim), service_url=service_url)
            for address in member_emails(claim.school_id)
        ]
        if messages:
            enqueue(messages)
    except Exception:  # noqa: BLE001 - the clawback is complete; the email failure is reported
        logger.exception("clawback complete emails not queued", extra={"reference": claim.reference})
        metrics.add_metric(name="EmailNotQueued", unit="Count", value=1)
        return 0
    return len(messages)


def _record_activity(run_id: str, batch_id: str, completed: int, failed: int, user: User, at: dt.datetime) -> bool:
    return Activity().record(
        ActivityEntry(
            activity_id=f"clawback-response-{batch_id}",
            kind=ActivityKind.CLAWBACK_RESPONSE,
            at=at,
            actor_id=user.user_id,
            actor_name=user.full_name,
            summary=f"Clawback response for {run_id}",
            counts={"clawbacks complete": completed, "not changed": failed},
            link=f"/support/clawbacks/{run_id}",
        )
    )
