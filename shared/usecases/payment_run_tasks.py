"""The claim-window workflow's tasks: close the window, validate its claims, write the payment file.

Each task takes and returns references only (window id, run id, counts, file key): never claim data,
so a window of any size stays inside Step Functions' 256 KB payload limit. Claims are read a page at a
time and the payment file is streamed to S3, so memory does not grow with the number of claims.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import batched

from pydantic import BaseModel, ConfigDict

from shared.claims import teaching_record_lookups as lookups
from shared.claims.academic_years import london_today
from shared.claims.claim import Claim
from shared.claims.errors import ConcurrentUpdate, InvalidTransition, OrganisationNotFound
from shared.claims.files import INCLUDED_CLAIMS_HEADERS, PAYMENT_FILE_HEADERS, csv_lines
from shared.claims.money import format_csv_amount
from shared.claims.organisations import Provider, School
from shared.claims.payment_runs import (
    SCHEDULER,
    FileRow,
    OwnedClaim,
    Reconciliation,
    RunTrigger,
    parse_csv_amount,
    reconcile,
)
from shared.claims.run_steps import FAILED_AT, Step, finished_key, started_key
from shared.claims.school_emails import draft_expired_email
from shared.claims.statuses import ClaimStatus
from shared.claims.validation import Facts, findings, needs_review, reasons, schools_claiming, window_total_pence
from shared.claims.window_rules import window_for_drafts
from shared.config import settings
from shared.data.allowances import allowances
from shared.data.batches import PaymentRuns
from shared.data.claim_windows import ClaimWindows
from shared.data.claims import GROUP_SIZE, TAKE_GROUP_SIZE, ClaimsStore, StatusChange
from shared.data.emails import enqueue
from shared.data.files import put_stream, read_lines
from shared.data.organisations import Organisations, Providers
from shared.data.users import member_emails
from shared.integrations.teaching_record import TeacherRecord, find_teacher
from shared.observability import logger, metrics
from shared.usecases.bulk import apply_group
from shared.usecases.support_activity import record_run_started
from shared.usecases.teaching_record_places import CheckLater, Clock, Sleep, look_up_all

PAGE_SIZE = 100
ACTOR = "payment-run"


class TransientError(Exception):
    """A failure worth retrying (throttling, a timeout): the state machine's Retry names it."""


class ReconciliationFailed(Exception):
    """The payment file, the claims its run owns and the claims it moved do not agree: nothing is sent to the
    payer, and the run fails (the state machine's Catch records it; a metric raises the alarm)."""


class RunInput(BaseModel):
    model_config = ConfigDict(extra="allow")

    window_id: str | None = None
    run_id: str | None = None
    trigger: RunTrigger = RunTrigger.SCHEDULE
    started_by: str = SCHEDULER
    started_by_name: str = ""
    attempt: int = 0  # 0 for the run's first execution; n for support's n-th "Retry run"


class RunState(RunInput):
    closed: bool = False
    skipped: bool = False  # another run of the window was active: this one did nothing
    review_timeout_seconds: int = 0
    validated: int = 0
    flagged: int = 0
    file_key: str | None = None
    row_count: int = 0
    total_pence: int = 0


def close_window(state: RunInput, now: dt.datetime) -> RunState:
    """The run's first step: record the run, make it the window's one active run, close the window and
    carry or expire its drafts. A run that finds another run of its window active does nothing else: it is
    recorded as not started (`skipped`), and the state machine ends there without a file."""
    result = RunState.model_validate(
        {**state.model_dump(), "review_timeout_seconds": settings().review_timeout_seconds}
    )
    window_id, run_id = state.window_id, state.run_id
    if window_id is None or run_id is None or ClaimWindows().get(window_id) is None:
        logger.warning("payment run without a known window: nothing to do", extra={"run_id": run_id})
        return result.model_copy(update={"skipped": True})
    runs = PaymentRuns()
    runs.start(run_id, window_id, state.trigger, state.started_by, now, state.started_by_name)
    if state.attempt:
        runs.resume(run_id)
    runs.begin_steps(run_id, started_key(Step.CLOSE), now)
    windows = ClaimWindows()
    if not windows.take_run_lock(window_id, run_id):
        found = windows.get(window_id)
        holder = found.active_run if found else None
        reason = f"Payment run {holder} of this window was in progress"
        if state.attempt:
            runs.record_failure(run_id, "AnotherRunInProgress", f"{reason}: retry when it has finished")
            runs.stamp_step(run_id, FAILED_AT, now)
        else:
            runs.mark_not_started(run_id, reason, now)
            runs.stamp_step(run_id, finished_key(Step.CLOSE), now)
        metrics.add_metric(name="PaymentRunNotStarted", unit="Count", value=1)
        logger.info("payment run not started", extra={"run_id": run_id, "active_run": holder})
        return result.model_copy(update={"skipped": True})
    if not state.attempt:  # a retry is recorded by the person who asked for it
        found = windows.get(window_id)
        year = found.academic_year.name if found else ""
        record_run_started(run_id, year, state.trigger, state.started_by, state.started_by_name, now)
    result.closed = windows.mark_closed(window_id, now)
    carried, expired = handle_drafts(window_id, now)
    runs.stamp_step(run_id, finished_key(Step.CLOSE), now)
    logger.info(
        "claim window closed",
        extra={
            "window_id": window_id,
            "run_id": run_id,
            "newly_closed": result.closed,
            "drafts_carried": carried,
            "drafts_expired": expired,
        },
    )
    return result


def handle_drafts(window_id: str, now: dt.datetime) -> tuple[int, int]:
    """Drafts left in a closing window go to the next window of the same academic year, or expire with
    an email to the school's users when there is none (docs/domain.md). Returns (carried, expired)."""
    windows = ClaimWindows().all()
    closing = next((w for w in windows if w.window_id == window_id), None)
    if closing is None:
        return 0, 0
    later = window_for_drafts(closing, windows)
    store = ClaimsStore()
    carried = expired = 0
    # Read every draft first: moving them changes the pages being read.
    drafts = [draft for page in store.pages_in_window(window_id, ClaimStatus.DRAFT, PAGE_SIZE) for draft in page]
    for draft in drafts:
        try:
            if later is not None:
                store.move_to_window(draft, later.window_id, ACTOR, now, f"Window {window_id} closed")
                carried += 1
            else:
                store.change_status(draft, ClaimStatus.EXPIRED, ACTOR, now, f"Window {window_id} closed")
                _email_expired_draft(draft)
                expired += 1
        except (ConcurrentUpdate, InvalidTransition):
            logger.warning("draft changed while its window closed", extra={"reference": draft.reference})
    return carried, expired


def _email_expired_draft(draft: Claim) -> None:
    try:
        enqueue([draft_expired_email(draft, address) for address in member_emails(draft.school_id)])
    except Exception:  # noqa: BLE001 - the window still closes; the email failure is reported
        logger.exception("draft expired email not queued", extra={"reference": draft.reference})


# -- validation -----------------------------------------------------------------------------------
def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _PageFacts:
    """What the checks need for one page of claims, read in batches: the page's schools and allowance
    items (BatchGets), its providers, and the claims of the page's schools (a Query each). Nothing read
    here grows with the window: a page of 100 claims costs about the same in a window of 200 or 20,000.

    The page's distinct TRNs are looked up in the Teaching Record before any claim is checked, `WORKERS` at a time,
    each request in a place of the counters the names refresh shares (ADR 0044): a page goes at the rate limit,
    and a page the Teaching Record cannot answer for is retried whole, never checked with a mentor "not found".

    A mentor's hours with a provider this year are their allowance item's `used` (the submission and
    release transactions keep it equal to the sum over counting claims). The schools claiming a mentor
    come from the item's `school_ids`, confirmed from those schools' claims when it names two or more.
    """

    def __init__(self, window_id: str, claims: list[Claim], clock: Clock = _utcnow, sleep: Sleep = time.sleep) -> None:
        self.window_id = window_id
        self.schools = Organisations().schools(c.school_id for c in claims)
        self.providers = {code: _provider(code) for code in sorted({c.provider_code for c in claims})}
        self.allowances = allowances({(m.trn, c.provider_code, c.academic_year) for c in claims for m in c.mentors})
        self.school_claims: dict[str, list[Claim]] = {}
        self.teachers = _in_teaching_record(sorted({m.trn for c in claims for m in c.mentors}), clock, sleep)

    def in_teaching_record(self, trn: str) -> bool:
        return self.teachers[trn]

    def claims_of(self, school_id: str) -> list[Claim]:
        """Every claim of the school: one Query, once per page."""
        if school_id not in self.school_claims:
            self.school_claims[school_id] = ClaimsStore().for_school(school_id)
        return self.school_claims[school_id]

    def schools_claiming(self, claim: Claim, trn: str) -> int:
        allowance = self.allowances[(trn, claim.provider_code, claim.academic_year.start_year)]
        candidates = allowance.school_ids | {claim.school_id}
        if len(candidates) < 2:
            return 1  # the allowance names no other school: no need to read any
        return schools_claiming(claim, trn, {school: self.claims_of(school) for school in candidates})

    def facts(self, claim: Claim) -> Facts:
        year = claim.academic_year.start_year
        return Facts(
            school=self.schools.get(claim.school_id),
            provider=self.providers[claim.provider_code],
            mentors_found={m.trn: self.in_teaching_record(m.trn) for m in claim.mentors},
            hours_claimed={m.trn: self.allowances[(m.trn, claim.provider_code, year)].used for m in claim.mentors},
            school_window_total_pence=window_total_pence(self.claims_of(claim.school_id), self.window_id),
            schools_per_mentor={m.trn: self.schools_claiming(claim, m.trn) for m in claim.mentors},
        )


def _find_once(trn: str) -> TeacherRecord | None:
    """One request, counted by the caller's place in the rate limit (urllib3 retries nothing)."""
    return find_teacher(trn, None, retries=False)


def _in_teaching_record(trns: list[str], clock: Clock, sleep: Sleep) -> dict[str, bool]:
    """Whether the Teaching Record has each TRN. A TRN it could not answer for by `PAGE_LOOKUP_SECONDS` (429s past
    their retries, no answer after `UNAVAILABLE_ATTEMPTS`, no place free) is `TransientError`: the state machine
    retries the page, and no claim of it has been checked, so none is flagged "not found" because it was busy."""
    begun = time.monotonic()
    until = clock() + dt.timedelta(seconds=lookups.PAGE_LOOKUP_SECONDS)
    try:
        answers = look_up_all(trns, clock, sleep, until=until, find=_find_once)
    except CheckLater as error:
        logger.warning("teaching record lookups not answered", extra={"trns": len(trns), "reason": str(error)})
        raise TransientError(f"the Teaching Record did not answer for every mentor: {error}") from None
    logger.info("teaching record lookups", extra={"trns": len(trns), "seconds": round(time.monotonic() - begun, 3)})
    return {trn: record is not None for trn, record in answers.items()}


def _provider(code: str) -> Provider | None:
    try:
        return Providers().get(code)
    except OrganisationNotFound:
        return None


class ValidationPage(BaseModel):
    """One Map item of the ValidateClaims step: a page of a window's claims, by reference."""

    window_id: str
    run_id: str
    first: str
    last: str


def plan_validation(state: RunState, now: dt.datetime | None = None) -> dict[str, object]:
    """The window's submitted claims cut into pages (references only) for the ValidateClaims Map.

    200 pages of 100 claims are about 10 KB of state: a window of tens of thousands of claims stays far
    inside Step Functions' 256 KB and 25,000-event limits. The checks are done when every page is
    (`validate_page` counts them), or at once when there are none.
    """
    at = now or dt.datetime.now(dt.UTC)
    pages: list[dict[str, str]] = []
    if state.window_id is not None and state.run_id is not None:
        runs = PaymentRuns()
        runs.stamp_step(state.run_id, started_key(Step.CHECK), at, keep_earlier=True)
        bounds = ClaimsStore().page_bounds(state.window_id, ClaimStatus.SUBMITTED, PAGE_SIZE)
        pages = [{"first": first, "last": last} for first, last in bounds]
        runs.start_counts(state.run_id, validated=0, flagged=0)  # a retried run keeps what it counted
        runs.record_counts(state.run_id, pages=len(pages), pages_done=0)
        if not pages:
            runs.stamp_step(state.run_id, finished_key(Step.CHECK), at)
    return {**state.model_dump(), "validation_pages": pages}


def validate_page(
    page: ValidationPage, now: dt.datetime, *, clock: Clock = _utcnow, sleep: Sleep = time.sleep
) -> dict[str, int]:
    """Run the named checks and risk flags on one page of the window's submitted claims.

    Each result is recorded on the claim as an event; a claim that fails a check or raises a flag goes
    to support review with the reasons. Claims validated (or approved) in an earlier run are skipped,
    so a later run only looks at what is new, and a retried page does not check a claim twice. `clock` and `sleep`
    time the Teaching Record lookups' waits for places in the rate limit (tests and benchmarks set them).
    """
    window = ClaimWindows().get(page.window_id)
    if window is None:
        return {"validated": 0, "flagged": 0}
    store = ClaimsStore()
    claims = [
        claim
        for claim in store.in_range(page.window_id, ClaimStatus.SUBMITTED, page.first, page.last)
        if claim.validated_run is None
    ]
    finder = _PageFacts(page.window_id, claims, clock, sleep)
    validated = flagged = 0
    for claim in claims:
        results = findings(claim, finder.facts(claim))
        detail = {"run_id": page.run_id, "findings": {f.name: f.passed for f in results}}
        try:
            if needs_review(results):
                store.change_status(claim, ClaimStatus.SUPPORT_REVIEW, ACTOR, now, "; ".join(reasons(results)))
                flagged += 1
            else:
                store.mark_validated(claim, page.run_id, detail, now)
            validated += 1
        except (ConcurrentUpdate, InvalidTransition):
            logger.warning("claim changed during validation", extra={"reference": claim.reference})
    runs = PaymentRuns()
    counted = runs.add_counts_and_read(page.run_id, validated=validated, flagged=flagged, pages_done=1)
    if counted.get("pages_done") == counted.get("pages"):  # the last page of the run's checks
        runs.stamp_step(page.run_id, finished_key(Step.CHECK), now)
    metrics.add_metric(name="ClaimsValidated", unit="Count", value=validated)
    logger.info("claims validated", extra={"run_id": page.run_id, "validated": validated, "flagged": flagged})
    return {"validated": validated, "flagged": flagged}


# -- the payment file -------------------------------------------------------------------------------
FILE_PAGE_SIZE = 500  # claims read per Query by the file task (well inside DynamoDB's 1 MB a page)


def payment_row(claim: Claim, school: School | None) -> tuple[str, ...]:
    return (
        claim.reference,
        school.urn or "" if school else "",
        school.vendor_number or "" if school else "",
        claim.school_name,
        school.local_authority_name if school else "",
        claim.provider_name,
        format_csv_amount(claim.amount_pence),
        school.type_of_establishment if school else "",
        school.group if school else "",
        london_today(claim.submitted_at).isoformat() if claim.submitted_at else "",
        ClaimStatus.SUBMITTED.value,
        "",
    )


@dataclass
class _Totals:
    rows: int = 0
    pence: int = 0
    sha256: str = ""


def generate_payment_file(state: RunState, now: dt.datetime) -> RunState:
    """Own the window's ready claims, write the file from exactly the claims this run owns, check the file
    against them, then move exactly those claims to payment_in_progress.

    Every part is safe to repeat: a retry (of the task, or support's "Retry run") takes only claims no run
    owns yet, reuses the file already recorded, and moves only what has not moved. Nothing is taken once
    the file is recorded (each take checks the run has no file in the same transaction). A file that does
    not match the claims the run owns is set aside before any claim moves and the run fails, so a retry
    writes a fresh one.
    """
    if state.window_id is None or state.run_id is None or state.skipped:
        return state
    runs = PaymentRuns()
    runs.stamp_step(state.run_id, started_key(Step.FILE), now, keep_earlier=True)
    run = runs.get(state.run_id)
    if run is None:
        raise ReconciliationFailed(f"{state.run_id} has no run record")
    key = run.file_key
    if key is None:
        taken = take_ready_claims(state.window_id, state.run_id, now)
        key, totals = _write_file(state.run_id, now)
        if not runs.record_file(state.run_id, key, totals.sha256, row_count=totals.rows, total_pence=totals.pence):
            recorded = runs.get(state.run_id)  # another attempt of this run recorded its file first: use that one
            key = recorded.file_key if recorded and recorded.file_key else key
        logger.info("payment run took its claims", extra={"run_id": state.run_id, "taken": taken})
    check = check_file(state.run_id, key, require_moved=False)
    if not check.result.passed or not check.sha256_verified:
        reason = "; ".join(check.result.examples) or "the file's SHA-256 does not match the one recorded"
        if check.result.moved == 0 and runs.void_file(state.run_id, key, reason):
            logger.error("payment file set aside before any claim moved", extra={"run_id": state.run_id})
        metrics.add_metric(name="PaymentRunReconciliationFailed", unit="Count", value=1)
        raise ReconciliationFailed(f"{state.run_id}: {reason}")
    moved = _move_owned_claims(state.run_id, key, now)
    runs.record_counts(state.run_id, in_file=check.result.rows, moved=check.result.moved + moved)
    runs.stamp_step(state.run_id, finished_key(Step.FILE), now)
    metrics.add_metric(name="PaymentFileGenerated", unit="Count", value=1)
    logger.info("payment file generated", extra={"run_id": state.run_id, "rows": check.result.rows, "moved": moved})
    return state.model_copy(
        update={"file_key": key, "row_count": check.result.rows, "total_pence": check.result.file_total_pence}
    )


def take_ready_claims(window_id: str, run_id: str, now: dt.datetime) -> int:
    """Make this run the owner of every ready claim of the window that no run owns: TAKE_GROUP_SIZE to a
    transaction, each claim on condition that no run owns it (a claim another run took a moment ago is
    skipped, claim by claim). A claim on hold is left for a later run (and `take_for_run` refuses it anyway, so
    a hold put on after this read still holds). A claim whose school has no vendor number is never taken: the
    payer cannot pay it (validation sends it to review, and review will not approve it, until the school has
    one; this is the last guard). Returns how many this call took."""
    store = ClaimsStore()
    taken = 0
    for claims in store.pages_in_window(window_id, ClaimStatus.SUBMITTED, FILE_PAGE_SIZE):
        ready = [c for c in claims if c.validated_run is not None and c.payment_run_id is None and not c.hold_reason]
        ready = _payable(ready, run_id)
        for group in batched(ready, TAKE_GROUP_SIZE):
            try:
                taken += len(store.take_for_run(group, run_id, now))
                continue
            except ConcurrentUpdate:
                pass
            for claim in group:  # one of the group changed (or the run's file was recorded): claim by claim
                try:
                    taken += len(store.take_for_run([claim], run_id, now))
                except ConcurrentUpdate:
                    logger.info("claim not taken for the run", extra={"reference": claim.reference, "run_id": run_id})
    return taken


def _payable(claims: list[Claim], run_id: str) -> list[Claim]:
    """The claims whose school has a vendor number (one BatchGet of the page's schools)."""
    if not claims:
        return claims
    schools = Organisations().schools(claim.school_id for claim in claims)
    payable: list[Claim] = []
    for claim in claims:
        school = schools.get(claim.school_id)
        if school is None or not school.has_vendor_number:
            logger.warning(
                "claim not taken: its school has no vendor number",
                extra={"reference": claim.reference, "run_id": run_id},
            )
            continue
        payable.append(claim)
    return payable


# The run index is eventually consistent: a claim taken a moment ago may not be listed yet. The run's record
# counts what it owns exactly, so the index is read only once it lists that many (waiting up to ~16 s, then
# the task's Retry tries again).
INDEX_WAITS_SECONDS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def _wait_for_index(run_id: str, owned: int) -> None:
    store = ClaimsStore()
    for wait in INDEX_WAITS_SECONDS:
        if wait:
            time.sleep(wait)
        listed = store.count_owned(run_id)
        if listed == owned:
            return
    raise TransientError(f"the run index lists {listed} of the {owned} claims {run_id} owns")


def _write_file(run_id: str, now: dt.datetime) -> tuple[str, _Totals]:
    """The CSV of exactly the claims the run owns, in reference order, streamed to S3."""
    run = PaymentRuns().get(run_id)
    _wait_for_index(run_id, run.owned if run else 0)
    attempt = f"-{len(run.void_files) + 1}" if run and run.void_files else ""  # a file set aside keeps its name
    key = f"payment-runs/{run_id}/payments-claims-{now:%Y-%m-%dT%H%M%SZ}{attempt}.csv"
    totals = _Totals()

    def rows() -> Iterator[tuple[str, ...]]:
        for claims in ClaimsStore().owned_by_run(run_id, FILE_PAGE_SIZE):
            schools = Organisations().schools(claim.school_id for claim in claims)  # this page's only
            for claim in claims:
                totals.rows += 1
                totals.pence += claim.amount_pence
                yield payment_row(claim, schools.get(claim.school_id))

    stored = put_stream(key, csv_lines(PAYMENT_FILE_HEADERS, rows()))
    totals.sha256 = stored.sha256
    return stored.key, totals


@dataclass(frozen=True)
class FileCheck:
    result: Reconciliation
    sha256_verified: bool


def check_file(run_id: str, key: str, require_moved: bool) -> FileCheck:
    """Read the file back from S3 and compare it, row by row, with the claims the run owns (both in reference
    order, so memory stays flat): references, amounts, counts and totals, and its SHA-256 with the recorded
    one. With `require_moved`, every owned claim must also be in payment_in_progress (or later) in this file."""
    run = PaymentRuns().get(run_id)
    if run is None:
        raise ReconciliationFailed(f"{run_id} has no run record")
    _wait_for_index(run_id, run.owned)
    digest = hashlib.sha256()

    def lines() -> Iterator[str]:
        for line in read_lines(key):
            digest.update(line)
            yield line.decode("utf-8")

    def file_rows() -> Iterator[FileRow]:
        reader = csv.reader(lines())
        next(reader, None)  # the header
        for row in reader:
            if row:
                yield FileRow(row[0], _amount(row[PAYMENT_FILE_HEADERS.index("claim_amount")]))

    def owned() -> Iterator[OwnedClaim]:
        store = ClaimsStore()
        for listed in store.owned_by_run(run_id, FILE_PAGE_SIZE):
            # The index's copy of a claim can lag behind it: read each page's claims themselves
            claims = store.get_many([claim.reference for claim in listed], consistent=True) if require_moved else listed
            for claim in claims:
                moved = claim.status is not ClaimStatus.SUBMITTED and claim.payment_file_key == key
                owned_here = claim.payment_run_id == run_id
                yield OwnedClaim(claim.reference, claim.amount_pence if owned_here else -1, moved and owned_here)

    result = reconcile(file_rows(), owned(), require_moved)  # reads the file to its end: the digest is whole
    if result.owned != run.owned or result.owned_total_pence != run.owned_pence:
        result.note(
            f"the run owns {run.owned} claims ({run.owned_pence}p) by its own count, "
            f"its index {result.owned} ({result.owned_total_pence}p)"
        )
    return FileCheck(result, run.file_sha256 == digest.hexdigest())


def _amount(text: str) -> int:
    try:
        return parse_csv_amount(text)
    except ValueError:
        return -1  # never a claim's amount: the row is reported as a mismatch


def _move_owned_claims(run_id: str, key: str, now: dt.datetime) -> int:
    """Move the claims this run owns that are still submitted to payment_in_progress, GROUP_SIZE to a
    transaction, each on condition that this run owns it, recording the file. Returns how many moved now."""
    store = ClaimsStore()
    moved = 0
    for claims in store.owned_by_run(run_id, FILE_PAGE_SIZE):
        waiting = [c for c in claims if c.status is ClaimStatus.SUBMITTED]
        for group in batched(waiting, GROUP_SIZE):
            changes = [
                StatusChange(
                    c, ClaimStatus.PAYMENT_IN_PROGRESS, f"In payment file {key}", owned_by=run_id, file_key=key
                )
                for c in group
            ]
            moved += len(apply_group(store, changes, ACTOR, now))
    return moved


INCLUDED_FILE = "included-claims.csv"


def reconcile_payment_file(state: RunState, now: dt.datetime) -> RunState:
    """The last check before anything leaves: rows in the file = claims the run owns = claims moved, and the
    file's total = the sum of their snapshotted amounts. Recorded on the run, with the list of its claims
    for support; a difference fails the run (nothing is sent to the payer) and raises the alarm."""
    if state.run_id is None or state.file_key is None or state.skipped:
        return state
    PaymentRuns().stamp_step(state.run_id, started_key(Step.RECONCILE), now, keep_earlier=True)
    check = check_file(state.run_id, state.file_key, require_moved=True)
    passed = check.result.passed and check.sha256_verified
    included = _write_included(state.run_id) if passed else None
    PaymentRuns().record_reconciliation(state.run_id, check.result, check.sha256_verified, now, included)
    logger.info(
        "payment file reconciled",
        extra={
            "run_id": state.run_id,
            "passed": passed,
            "rows": check.result.rows,
            "owned": check.result.owned,
            "moved": check.result.moved,
        },
    )
    if not passed:
        metrics.add_metric(name="PaymentRunReconciliationFailed", unit="Count", value=1)
        raise ReconciliationFailed(f"{state.run_id}: " + ("; ".join(check.result.examples) or "SHA-256 differs"))
    metrics.add_metric(name="PaymentFileReconciled", unit="Count", value=1)
    PaymentRuns().stamp_step(state.run_id, finished_key(Step.RECONCILE), now)
    return state.model_copy(update={"row_count": check.result.rows, "total_pence": check.result.file_total_pence})


def _write_included(run_id: str) -> str:
    def rows() -> Iterator[tuple[str, ...]]:
        for claims in ClaimsStore().owned_by_run(run_id, FILE_PAGE_SIZE):
            for claim in claims:
                yield (
                    claim.reference,
                    claim.school_id,
                    claim.school_name,
                    claim.provider_name,
                    format_csv_amount(claim.amount_pence),
                    claim.status.value,
                )

    return put_stream(f"payment-runs/{run_id}/{INCLUDED_FILE}", csv_lines(INCLUDED_CLAIMS_HEADERS, rows())).key


def record_failure(state: dict[str, object], now: dt.datetime) -> dict[str, object]:
    """The Catch target: the run page shows what failed, and the window may start another run."""
    run_id = state.get("run_id")
    window_id = state.get("window_id")
    error = state.get("error") if isinstance(state.get("error"), dict) else {}
    assert isinstance(error, dict)
    runs = PaymentRuns()
    if isinstance(run_id, str) and isinstance(window_id, str):
        if not runs.exists(run_id):  # it failed before its first step recorded it: record it, so it can be retried
            started = RunInput.model_validate(state)
            runs.start(run_id, window_id, started.trigger, started.started_by, now, started.started_by_name)
        runs.record_failure(run_id, str(error.get("Error", "Unknown")), str(error.get("Cause", "")))
        runs.stamp_step(run_id, FAILED_AT, now)
        ClaimWindows().release_run_lock(window_id, run_id)
    metrics.add_metric(name="PaymentRunFailed", unit="Count", value=1)
    logger.error("payment run failed", extra={"run_id": run_id, "error": error.get("Error")})
    return {**state, "failed": True}


def finish_run(run_id: str, window_id: str | None, now: dt.datetime) -> None:
    """The run has done everything: complete, and its window free to start another."""
    PaymentRuns().finish(run_id, now)
    if window_id:
        ClaimWindows().release_run_lock(window_id, run_id)
