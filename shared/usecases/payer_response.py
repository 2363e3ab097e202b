"""Support: upload the payer's response, confirm it, and follow up on claims afterwards.

Nothing changes a claim until a support user confirms a checked file (docs/domain.md, "Files"). The
file is stored as uploaded and checked again on confirmation, because claims may have moved since.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import batched

from shared.claims.claim import Claim
from shared.claims.csv_uploads import MAX_ERRORS_SHOWN
from shared.claims.errors import ConcurrentUpdate, InvalidTransition, NotFound
from shared.claims.payer_response import (
    FOLLOW_UPS,
    OUTCOME_STATUS,
    BatchStatus,
    CheckedFile,
    FollowUp,
    InvalidFile,
    PayerOutcome,
    PayerResponseBatch,
    RawRow,
    ResponseCounts,
    ResponseRow,
    RowError,
    check_rows,
    expired,
    read_file,
)
from shared.claims.people import User
from shared.claims.statuses import ClaimStatus
from shared.data.batches import FollowUpClaim, PayerResponses
from shared.data.claims import GROUP_SIZE, UNCHANGED, ClaimsStore, StatusChange, Unchanged
from shared.observability import logger, metrics
from shared.usecases.bulk import apply_group
from shared.usecases.outcome_emails import Outcome, OutcomeEmails
from shared.usecases.support_activity import record_payer_response


@dataclass(frozen=True)
class Rejected:
    """The file cannot be used: one message for the page, and every row's problems (if it got that far)."""

    message: str
    row_errors: tuple[RowError, ...] = ()  # the first MAX_ERRORS_SHOWN
    error_count: int = 0


@dataclass(frozen=True)
class Uploaded:
    batch_id: str


def _check(content: bytes | None) -> CheckedFile | Rejected:
    try:
        parsed = read_file(content)
    except InvalidFile as error:
        return Rejected(error.message)
    checked = check_rows(parsed, PayerResponses.claim_statuses(parsed.references))
    if not checked.valid:
        count = len(checked.errors)
        noun = "error" if count == 1 else "errors"
        message = f"Fix the {count:,} {noun} in the selected file and upload it again"
        return Rejected(message, checked.errors[:MAX_ERRORS_SHOWN], count)
    return checked


def upload(content: bytes | None, user: User, now: dt.datetime) -> Uploaded | Rejected:
    """Check the file (headers, then every row); store it with a pending batch only when it is valid."""
    checked = _check(content)
    if isinstance(checked, Rejected):
        return checked
    assert content is not None  # a checked file has content
    batch_id = secrets.token_hex(16)
    PayerResponses().store(batch_id, content, user.user_id, now, checked.counts)
    logger.info("payer response uploaded", extra={"batch_id": batch_id, "rows": checked.counts.total})
    return Uploaded(batch_id)


# -- confirmation ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Confirmation:
    """What the confirm page shows for a pending upload."""

    batch: PayerResponseBatch
    counts: ResponseCounts
    preview: tuple[RawRow, ...]
    row_count: int


class UploadExpired(Exception):
    """A pending upload older than a day: upload the file again."""


@dataclass(frozen=True)
class Confirmed:
    counts: ResponseCounts
    failed: int
    first_time: bool


def _own_batch(batch_id: str, user: User) -> PayerResponseBatch:
    """The batch, only for the support user who uploaded it (another user's id tells them nothing)."""
    batch = PayerResponses().get(batch_id)
    if batch is None or batch.uploaded_by != user.user_id:
        raise NotFound
    return batch


@dataclass(frozen=True)
class Unfinished:
    """A confirmed upload whose claims were not all changed (the confirmation stopped part-way)."""

    batch: PayerResponseBatch


def confirmation(batch_id: str, user: User, now: dt.datetime) -> Confirmation | Confirmed | Rejected | Unfinished:
    """The counts and the first rows of a stored upload, checked again against the claims as they are now
    (or what happened, once it has been confirmed)."""
    batch = _own_batch(batch_id, user)
    if batch.status is BatchStatus.CONFIRMED:
        return Confirmed(batch.counts, batch.failed, first_time=False)
    if batch.status is BatchStatus.APPLYING:
        return Unfinished(batch)
    if expired(batch, now):
        raise UploadExpired(batch_id)
    checked = _check(PayerResponses().read_file(batch))
    if isinstance(checked, Rejected):
        return checked
    return Confirmation(batch, checked.counts, checked.parsed.preview, checked.counts.total)


def confirm(batch_id: str, user: User, now: dt.datetime) -> Confirmed | Rejected:
    """Check the stored file again, claim the batch (once), then change its claims GROUP_SIZE to a
    transaction through the one status-change path. A confirmation that stopped part-way (a timeout)
    leaves the batch applying: confirming again changes the claims not yet changed, never one twice."""
    responses = PayerResponses()
    batch = _own_batch(batch_id, user)
    if batch.status is BatchStatus.CONFIRMED:
        return Confirmed(batch.counts, batch.failed, first_time=False)
    if batch.status is BatchStatus.PENDING:
        if expired(batch, now):
            raise UploadExpired(batch_id)
        checked = _check(responses.read_file(batch))
        if isinstance(checked, Rejected):
            return checked
        if not responses.start_applying(batch_id):
            confirmed = responses.get(batch_id) or batch
            return Confirmed(confirmed.counts, confirmed.failed, first_time=False)
        rows = checked.rows
    else:  # applying: every row was valid when it was confirmed; finish the ones not yet applied
        rows = _confirmed_rows(responses.read_file(batch))
    run_ids = _apply(batch_id, rows, user, now)
    counts, failed = _outcome(rows)
    responses.record_outcome(batch_id, counts, failed)
    record_payer_response(batch_id, len(rows), counts, failed, run_ids, user, now)  # once per upload
    logger.info(
        "payer response confirmed",
        extra={
            "batch_id": batch_id,
            "paid": counts.paid,
            "information_requested": counts.information_requested,
            "failed": failed,
        },
    )
    metrics.add_metric(name="PayerResponseConfirmed", unit="Count", value=1)
    metrics.add_metric(name="ClaimsPaid", unit="Count", value=counts.paid)
    return Confirmed(counts, failed, first_time=True)


def _confirmed_rows(content: bytes | None) -> tuple[ResponseRow, ...]:
    parsed = read_file(content)
    return check_rows(parsed, dict.fromkeys(parsed.references, ClaimStatus.PAYMENT_IN_PROGRESS)).rows


def _apply(batch_id: str, rows: Sequence[ResponseRow], user: User, now: dt.datetime) -> set[str]:
    """Change each row's claim that is still in payment_in_progress, GROUP_SIZE to a transaction, and
    email the school's users about each claim this call changed (never one an earlier attempt changed).
    Returns the payment runs the rows' claims were paid in."""
    store = ClaimsStore()
    emails = OutcomeEmails(now)
    run_ids: set[str] = set()
    for group in batched(rows, GROUP_SIZE):
        claims = {claim.reference: claim for claim in store.get_many([row.reference for row in group])}
        run_ids |= {claim.payment_run_id for claim in claims.values() if claim.payment_run_id}
        changes = []
        for row in group:
            claim = claims.get(row.reference)
            if claim is None or claim.status is not ClaimStatus.PAYMENT_IN_PROGRESS:
                continue  # applied by an earlier attempt, or moved by someone else since the check
            reason = f"Payer response {batch_id}, row {row.row_number}"
            if row.unpaid_reason:
                reason += f": {row.unpaid_reason}"
            unpaid: str | Unchanged = row.unpaid_reason if row.unpaid_reason is not None else UNCHANGED
            changes.append(StatusChange(claim, OUTCOME_STATUS[row.outcome], reason, unpaid))
        changed = set(apply_group(store, changes, user.user_id, now))
        unpaid_reasons = {row.reference: row.unpaid_reason for row in group}
        emails.queue(
            [
                Outcome(change.claim, change.to_status, unpaid_reasons.get(change.claim.reference))
                for change in changes
                if change.claim.reference in changed
            ]
        )
    return run_ids


def _outcome(rows: Sequence[ResponseRow]) -> tuple[ResponseCounts, int]:
    """What the rows came to, from the claims as they now are: (paid, information requested), and the rows
    whose claim is in neither (moved by someone else between the check and the write)."""
    statuses = PayerResponses.claim_statuses(row.reference for row in rows)
    reached = [row for row in rows if statuses.get(row.reference) is OUTCOME_STATUS[row.outcome]]
    paid = sum(1 for row in reached if row.outcome is PayerOutcome.PAID)
    counts = ResponseCounts(paid=paid, information_requested=len(reached) - paid)
    return counts, len(rows) - len(reached)


def unfinished_uploads(user: User) -> list[PayerResponseBatch]:
    """The user's confirmed uploads still applying (the Payments page links each to finish it)."""
    return PayerResponses().unfinished(user.user_id)


def awaiting_follow_up() -> list[FollowUpClaim]:
    return PayerResponses.awaiting_follow_up()


# -- follow-ups on one claim -----------------------------------------------------------------------
@dataclass(frozen=True)
class FollowUpView:
    claim: Claim
    follow_up: FollowUp
    allowed: bool
    unpaid_reason: str | None


def follow_up_view(reference: str, slug: str) -> FollowUpView:
    follow_up = FOLLOW_UPS.get(slug)
    if follow_up is None:
        raise NotFound
    claim = ClaimsStore().get(reference)
    return FollowUpView(
        claim=claim,
        follow_up=follow_up,
        allowed=follow_up.allowed(claim.status),
        unpaid_reason=PayerResponses.unpaid_reason(reference),
    )


def apply_follow_up(reference: str, slug: str, user: User, now: dt.datetime) -> Claim | None:
    """Make the change, or None when the claim is not (or no longer) in a status it applies to."""
    view = follow_up_view(reference, slug)
    if not view.allowed:
        return None
    try:
        changed = ClaimsStore().change_status(
            view.claim, view.follow_up.to_status, user.user_id, now, view.follow_up.reason
        )
    except (ConcurrentUpdate, InvalidTransition):
        return None  # someone else changed it first: they told the school, if there was anything to tell
    logger.info("payment follow-up", extra={"reference": reference, "follow_up": slug})
    OutcomeEmails(now).queue([Outcome(changed, changed.status, view.unpaid_reason)])  # paid or rejected
    return changed
