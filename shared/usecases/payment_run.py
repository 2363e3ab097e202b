"""The claim-window workflow's tasks: close the window, validate its claims, write the payment file.

Each task takes and returns references only (window id, run id, counts, file key): never claim data,
so a window of any size stays inside Step Functions' 256 KB payload limit. Claims are read a page at a
time and the payment file is streamed to S3, so memory does not grow with the number of claims.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import batched
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.claims.academic_years import london_today
from shared.claims.claim import Claim
from shared.claims.emails import EmailMessage
from shared.claims.errors import ConcurrentUpdate, InvalidTransition, OrganisationNotFound
from shared.claims.files import PAYMENT_FILE_HEADERS, csv_lines
from shared.claims.models import Provider, School
from shared.claims.money import format_csv_amount
from shared.claims.statuses import ClaimStatus
from shared.claims.validation import Facts, findings, needs_review, reasons, schools_claiming, window_total_pence
from shared.claims.window_rules import first_run_id, window_for_drafts
from shared.config import settings
from shared.data.batches import PaymentRuns
from shared.data.claims_store import GROUP_SIZE, ClaimsStore, StatusChange, allowances, member_emails
from shared.data.emails import enqueue
from shared.data.files import put_stream, read_lines
from shared.data.repositories import ClaimWindows, Organisations, Providers
from shared.integrations.teaching_record import find_teacher
from shared.observability import logger, metrics
from shared.usecases.bulk import apply_group

PAGE_SIZE = 100
ACTOR = "payment-run"


class TransientError(Exception):
    """A failure worth retrying (throttling, a timeout): the state machine's Retry names it."""


class RunInput(BaseModel):
    model_config = ConfigDict(extra="allow")

    window_id: str | None = None
    run_id: str | None = None
    trigger: Literal["schedule", "person"] = "schedule"
    started_by: str = "scheduler"


class RunState(RunInput):
    closed: bool = False
    review_timeout_seconds: int = 0
    validated: int = 0
    flagged: int = 0
    file_key: str | None = None
    row_count: int = 0
    total_pence: int = 0


def due_window_id(now: dt.datetime) -> str | None:
    """The earliest window whose close time has passed and that is not yet marked closed."""
    due = [w for w in ClaimWindows().all() if w.closed_at is None and w.closes_at < now]
    return min(due, key=lambda w: w.closes_at).window_id if due else None


def close_window(state: RunInput, now: dt.datetime) -> RunState:
    window_id = state.window_id or due_window_id(now)
    run_id = state.run_id or (first_run_id(window_id) if window_id else None)
    result = RunState.model_validate(
        {
            **state.model_dump(),
            "window_id": window_id,
            "run_id": run_id,
            "review_timeout_seconds": settings().review_timeout_seconds,
        }
    )
    if window_id is None or run_id is None:
        logger.info("no claim window is due to close")
        return result
    runs = PaymentRuns()
    if not runs.exists(run_id):
        runs.start(run_id, window_id, state.trigger, state.started_by, now)
    result.closed = ClaimWindows().mark_closed(window_id, now)
    carried, expired = handle_drafts(window_id, now)
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
    an email to the school's users when there is none (DESIGN.md §5). Returns (carried, expired)."""
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
    body = (
        f"The claim window has closed, so the draft claim {draft.reference} for {draft.school_name} "
        f"({draft.provider_name}) was not submitted and can no longer be.\n\n"
        "If you think this is wrong, email ittmentor.funding@education.gov.uk."
    )
    try:
        enqueue(
            [
                EmailMessage(
                    kind="draft_expired",
                    to=address,
                    subject="Your draft claim for mentor training funding has expired",
                    body=body,
                    reference=draft.reference,
                )
                for address in member_emails(draft.school_id)
            ]
        )
    except Exception:  # noqa: BLE001 - the window still closes; the email failure is reported
        logger.exception("draft expired email not queued", extra={"reference": draft.reference})


# -- validation -----------------------------------------------------------------------------------
class _PageFacts:
    """What the checks need for one page of claims, read in batches: the page's schools and allowance
    items (BatchGets), its providers, and the claims of the page's schools (a Query each). Nothing read
    here grows with the window: a page of 100 claims costs about the same in a window of 200 or 20,000.

    A mentor's hours with a provider this year are their allowance item's `used` (the submission and
    release transactions keep it equal to the sum over counting claims). The schools claiming a mentor
    come from the item's `school_ids`, confirmed from those schools' claims when it names two or more.
    """

    def __init__(self, window_id: str, claims: list[Claim]) -> None:
        self.window_id = window_id
        self.schools = Organisations().schools(c.school_id for c in claims)
        self.providers = {code: _provider(code) for code in sorted({c.provider_code for c in claims})}
        self.allowances = allowances({(m.trn, c.provider_code, c.academic_year) for c in claims for m in c.mentors})
        self.school_claims: dict[str, list[Claim]] = {}
        self.teachers: dict[str, bool] = {}

    def in_teaching_record(self, trn: str) -> bool:
        if trn not in self.teachers:
            self.teachers[trn] = find_teacher(trn, None) is not None
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


def plan_validation(state: RunState) -> dict[str, object]:
    """The window's submitted claims cut into pages (references only) for the ValidateClaims Map.

    200 pages of 100 claims are about 10 KB of state: a window of tens of thousands of claims stays far
    inside Step Functions' 256 KB and 25,000-event limits.
    """
    pages: list[dict[str, str]] = []
    if state.window_id is not None and state.run_id is not None:
        bounds = ClaimsStore().page_bounds(state.window_id, ClaimStatus.SUBMITTED, PAGE_SIZE)
        pages = [{"first": first, "last": last} for first, last in bounds]
        PaymentRuns().record_counts(state.run_id, validated=0, flagged=0, pages=len(pages))
    return {**state.model_dump(), "validation_pages": pages}


def validate_page(page: ValidationPage, now: dt.datetime) -> dict[str, int]:
    """Run the named checks and risk flags on one page of the window's submitted claims.

    Each result is recorded on the claim as an event; a claim that fails a check or raises a flag goes
    to support review with the reasons. Claims validated (or approved) in an earlier run are skipped,
    so a later run only looks at what is new, and a retried page does not check a claim twice.
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
    finder = _PageFacts(page.window_id, claims)
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
    PaymentRuns().add_counts(page.run_id, validated=validated, flagged=flagged)
    metrics.add_metric(name="ClaimsValidated", unit="Count", value=validated)
    logger.info("claims validated", extra={"run_id": page.run_id, "validated": validated, "flagged": flagged})
    return {"validated": validated, "flagged": flagged}


# -- the payment file -------------------------------------------------------------------------------
FILE_PAGE_SIZE = 500  # claims read per Query by the file task (well inside DynamoDB's 1 MB a page)


def _ready_pages(window_id: str) -> Iterator[list[Claim]]:
    """The window's claims ready for payment (submitted and validated or approved), a page at a time."""
    for claims in ClaimsStore().pages_in_window(window_id, ClaimStatus.SUBMITTED, FILE_PAGE_SIZE):
        ready = [claim for claim in claims if claim.validated_run is not None]
        if ready:
            yield ready


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


def generate_payment_file(state: RunState, now: dt.datetime) -> RunState:
    """Stream every ready claim of the window into the payment CSV on S3, then move exactly the claims
    in that file to payment_in_progress (conditional writes with events). Re-running after a failure
    reuses the file already written, so a claim is never in two files and never moved without one."""
    if state.window_id is None or state.run_id is None:
        return state
    runs = PaymentRuns()
    run = runs.get(state.run_id) or {}
    key = run.get("file_key")
    if not key:
        key, totals = _write_file(state.window_id, state.run_id, now)
    else:
        totals = _Totals(int(run.get("row_count", 0)), int(run.get("total_pence", 0)))
    moved = _move_claims_in_file(key, now)
    runs.record_counts(state.run_id, in_file=totals.rows, moved=moved)
    metrics.add_metric(name="PaymentFileGenerated", unit="Count", value=1)
    logger.info("payment file generated", extra={"run_id": state.run_id, "rows": totals.rows, "moved": moved})
    return state.model_copy(update={"file_key": key, "row_count": totals.rows, "total_pence": totals.pence})


def _write_file(window_id: str, run_id: str, now: dt.datetime) -> tuple[str, _Totals]:
    key = f"payment-runs/{run_id}/payments-claims-{now:%Y-%m-%dT%H%M%SZ}.csv"
    totals = _Totals()

    def rows() -> Iterator[tuple[str, ...]]:
        for claims in _ready_pages(window_id):
            schools = Organisations().schools(claim.school_id for claim in claims)  # this page's only
            for claim in claims:
                totals.rows += 1
                totals.pence += claim.amount_pence
                yield payment_row(claim, schools.get(claim.school_id))

    stored = put_stream(key, csv_lines(PAYMENT_FILE_HEADERS, rows()))
    PaymentRuns().record_file(run_id, stored.key, stored.sha256, row_count=totals.rows, total_pence=totals.pence)
    return stored.key, totals


def _move_claims_in_file(key: str, now: dt.datetime) -> int:
    """Move the claims named in the file to payment_in_progress, GROUP_SIZE to a transaction (a BatchGet
    and one TransactWriteItems per group, not two requests a claim). A claim already moved by an
    earlier attempt is skipped; a group that collides with another change is moved claim by claim."""
    store = ClaimsStore()
    moved = 0
    for references in batched(_references_in(key), GROUP_SIZE):
        changes = [
            StatusChange(claim, ClaimStatus.PAYMENT_IN_PROGRESS, f"In payment file {key}")
            for claim in store.get_many(list(references))
            if claim.status is ClaimStatus.SUBMITTED
        ]
        moved += len(apply_group(store, changes, ACTOR, now))
    return moved


def _references_in(key: str) -> Iterator[str]:
    reader = csv.reader(line.decode("utf-8") for line in read_lines(key))
    next(reader, None)  # the header
    for row in reader:
        if row:
            yield row[0]


def record_failure(state: dict[str, object]) -> dict[str, object]:
    """The Catch target: the run page shows what failed."""
    run_id = state.get("run_id")
    error = state.get("error") if isinstance(state.get("error"), dict) else {}
    assert isinstance(error, dict)
    if isinstance(run_id, str) and PaymentRuns().exists(run_id):
        PaymentRuns().record_failure(run_id, str(error.get("Error", "Unknown")), str(error.get("Cause", "")))
    logger.error("payment run failed", extra={"run_id": run_id, "error": error.get("Error")})
    return {**state, "failed": True}
