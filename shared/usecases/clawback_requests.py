"""Support asking for a claim's clawback after its audit, and a second support user deciding it (ADR 0033).

A claim not approved after its audit (sampling_not_approved), or whose clawback was rejected, can have its
clawback requested: each mentor's (hours claimed − hours completed) × the claim's hourly rate, lowered by support
with a reason where it sees fit. The request moves the claim to clawback_requires_approval with the
`ClawbackRequest` and its event in one conditional write (status and version). A DIFFERENT support user then
approves it (→ clawback_requested, waiting in the clawback index under CLAWBACK_PENDING for a clawback run, the
school's users emailed) or rejects it with a reason (→ clawback_rejected). Each change records its Activity entry
in the same transaction.

Reads: the claim by key (GetItem); the school's users for the emails (a Query on the membership index and a
BatchGet). No Scan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.audits import CLAWBACK_PENDING, ClawbackRequest, MentorClawback, clawback_per_mentor
from shared.claims.claim import Claim
from shared.claims.clawback_emails import clawback_requested_email
from shared.claims.clawback_requests import (
    can_request,
    check_can_decide,
    check_lowering,
    check_total,
    with_lowerings,
)
from shared.claims.emails import EmailMessage
from shared.claims.errors import ConcurrentUpdate, DomainError
from shared.claims.money import format_pounds
from shared.claims.people import User
from shared.claims.statuses import ClaimStatus
from shared.config import settings
from shared.data.claims import ClaimsStore, StatusChange
from shared.data.emails import enqueue
from shared.data.users import member_emails
from shared.journeys.clawback import ClawbackAnswers
from shared.observability import logger, metrics
from shared.usecases.support_claim import ActionNotAllowed, ClawbackRow, ClawbackView, clawback_view


def requested_view(claim: Claim) -> ClawbackView | None:
    """The clawback the claim records (requested, approved or rejected), for its page."""
    return clawback_view(claim, claim.clawback.mentors) if claim.clawback else None


# -- requesting -----------------------------------------------------------------------------------------------
def claim_to_request(reference: str) -> Claim:
    """The claim, if its clawback may be requested now (ActionNotAllowed otherwise; ClaimNotFound for none)."""
    try:
        claim = ClaimsStore().get(reference)
    except ValueError:  # not a reference at all
        raise ActionNotAllowed(reference, "Requesting a clawback") from None
    if not can_request(claim):
        raise ActionNotAllowed(reference, "Requesting a clawback")
    return claim


def start_answers(claim: Claim) -> ClawbackAnswers:
    return ClawbackAnswers(reference=claim.reference, mentor_trns=[mentor.trn for mentor in claim.mentors])


def _defaults(claim: Claim) -> tuple[MentorClawback, ...]:
    if claim.provider_answers is None:
        raise ActionNotAllowed(claim.reference, "Requesting a clawback")
    return clawback_per_mentor(claim, claim.provider_answers.answers)


def proposed(claim: Claim, answers: ClawbackAnswers | None) -> ClawbackView:
    """Each mentor's clawback: the hours not completed, or the hours support chose (with its reason)."""
    if answers is None or answers.reference != claim.reference:
        return clawback_view(claim, _defaults(claim))
    return clawback_view(claim, with_lowerings(_defaults(claim), answers.hours, answers.reasons))


@dataclass(frozen=True)
class Lowering:
    """A mentor's lowering form, checked: its row, the form as typed, and the errors by field."""

    row: ClawbackRow
    hours: str
    reason: str
    errors: dict[str, str]


def mentor_row(claim: Claim, trn: str, answers: ClawbackAnswers | None) -> ClawbackRow | None:
    return next((row for row in proposed(claim, answers).rows if row.mentor.trn == trn), None)


def lower(claim: Claim, trn: str, hours: str, reason: str, answers: ClawbackAnswers) -> Lowering | None:
    """Check a mentor's lowering and, when valid, put it in `answers` (the caller saves them): the hours not
    completed need no reason (nothing is lowered); fewer need one (`lower_clawback`). None for no such mentor."""
    default = next((c for c in _defaults(claim) if c.trn == trn), None)
    if default is None:
        return None
    checked = check_lowering(default, hours, reason)
    if checked.clawback is not None and not checked.clawback.lowered:
        answers.clear(trn)
    elif checked.clawback is not None:
        answers.set_hours(trn, checked.clawback.hours_clawed_back, checked.clawback.lowered_reason)
    row = ClawbackRow(next(m for m in claim.mentors if m.trn == trn), checked.clawback or default)
    return Lowering(row, hours, reason, dict(checked.errors))


def _claim_link(reference: str) -> str:
    return f"/support/claims/{quote(reference, safe='')}"


def _entry(kind: ActivityKind, claim: Claim, user: User, now: dt.datetime, summary: str) -> ActivityEntry:
    return ActivityEntry(
        activity_id=f"{kind.value}-{claim.reference}-{claim.version}",  # one per change of the claim
        kind=kind,
        at=now,
        actor_id=user.user_id,
        actor_name=user.full_name,
        summary=summary,
        link=_claim_link(claim.reference),
    )


def _mentor_detail(row: ClawbackRow) -> dict[str, object]:
    c = row.clawback
    return {
        "trn": c.trn,
        "mentor": row.mentor.full_name,
        "hours_claimed": c.hours_claimed,
        "hours_completed": c.hours_completed,
        "hours_clawed_back": c.hours_clawed_back,
        "pence": c.pence,
        "lowered_reason": c.lowered_reason,
    }


def request(reference: str, answers: ClawbackAnswers | None, user: User, now: dt.datetime) -> Claim:
    """Ask for the clawback as shown: → clawback_requires_approval, with the request and an event whose detail
    carries each mentor's hours and the total. NothingToClawBack for £0; ActionNotAllowed when the claim's status
    no longer allows it (including a second click, or another support user asking at the same moment)."""
    claim = claim_to_request(reference)
    view = proposed(claim, answers)
    check_total([row.clawback for row in view.rows], reference)
    clawback = ClawbackRequest(
        mentors=tuple(row.clawback for row in view.rows),
        requested_by=user.user_id,
        requested_by_name=user.full_name,
        requested_at=now,
    )
    total = format_pounds(view.total_pence)
    change = StatusChange(
        claim,
        ClaimStatus.CLAWBACK_REQUIRES_APPROVAL,
        detail={"mentors": [_mentor_detail(row) for row in view.rows], "total_pence": view.total_pence},
        clawback=clawback,
        activity=_entry(
            ActivityKind.CLAWBACK_REQUESTED, claim, user, now, f"Claim {reference}: {total} from {claim.school_name}"
        ),
    )
    try:
        requested = ClaimsStore().apply(change, user.user_id, now)
    except DomainError as error:
        raise ActionNotAllowed(reference, "Requesting a clawback") from error
    logger.info("clawback requested", extra={"reference": reference, "total_pence": view.total_pence})
    metrics.add_metric(name="ClawbackRequested", unit="Count", value=1)
    return requested


# -- deciding -------------------------------------------------------------------------------------------------
def claim_to_decide(reference: str, user: User) -> Claim:
    """The claim, if this user may approve or reject its clawback now: ActionNotAllowed when its status does not
    allow it, OwnClawback for the support user who asked for it."""
    try:
        claim = ClaimsStore().get(reference)
    except ValueError:
        raise ActionNotAllowed(reference, "Deciding the clawback") from None
    if not check_can_decide(claim, user.user_id):
        raise ActionNotAllowed(reference, "Deciding the clawback")
    return claim


def _decided(claim: Claim, user: User, now: dt.datetime, rejected_reason: str = "") -> ClawbackRequest:
    assert claim.clawback is not None
    return claim.clawback.model_copy(
        update={
            "decided_by": user.user_id,
            "decided_by_name": user.full_name,
            "decided_at": now,
            "rejected_reason": rejected_reason,
        }
    )


def approve(reference: str, user: User, now: dt.datetime) -> Claim:
    """→ clawback_requested, waiting for a clawback run (CLAWBACK_PENDING), the decision recorded in the same
    conditional write; then each of the school's users is emailed. The losing one of two approvals at once
    changes nothing (ActionNotAllowed)."""
    claim = claim_to_decide(reference, user)
    decided = _decided(claim, user, now)
    total = decided.total_pence
    change = StatusChange(
        claim,
        ClaimStatus.CLAWBACK_REQUESTED,
        detail={"total_pence": total, "requested_by": decided.requested_by},
        clawback=decided,
        clawback_run=CLAWBACK_PENDING,
        activity=_entry(
            ActivityKind.CLAWBACK_APPROVED,
            claim,
            user,
            now,
            f"Claim {reference}: {format_pounds(total)} from {claim.school_name}",
        ),
    )
    try:
        approved = ClaimsStore().apply(change, user.user_id, now)
    except (DomainError, ConcurrentUpdate) as error:
        raise ActionNotAllowed(reference, "Approving the clawback") from error
    logger.info("clawback approved", extra={"reference": reference, "total_pence": total})
    metrics.add_metric(name="ClawbackApproved", unit="Count", value=1)
    email_school(approved, total)
    return approved


def email_school(claim: Claim, total_pence: int) -> int:
    """One email per user of the claim's school: the number queued (0 when it failed; the approval stands)."""
    try:
        service_url = settings().service_url
        messages: list[EmailMessage] = [
            clawback_requested_email(claim, address, amount_pence=total_pence, service_url=service_url)
            for address in member_emails(claim.school_id)
        ]
        if messages:
            enqueue(messages)
    except Exception:  # noqa: BLE001 - the approval stands; the email failure is reported
        logger.exception("clawback requested emails not queued", extra={"reference": claim.reference})
        metrics.add_metric(name="EmailNotQueued", unit="Count", value=1)
        return 0
    metrics.add_metric(name="ClawbackEmailsQueued", unit="Count", value=len(messages))
    return len(messages)


def reject(reference: str, reason: str, user: User, now: dt.datetime) -> Claim:
    """→ clawback_rejected with the reason: support may then ask for a clawback again, or approve the claim."""
    claim = claim_to_decide(reference, user)
    decided = _decided(claim, user, now, reason)
    change = StatusChange(
        claim,
        ClaimStatus.CLAWBACK_REJECTED,
        reason,
        detail={"total_pence": decided.total_pence, "requested_by": decided.requested_by},
        clawback=decided,
        activity=_entry(ActivityKind.CLAWBACK_REJECTED, claim, user, now, f"Claim {reference}: {reason[:100]}"),
    )
    try:
        rejected = ClaimsStore().apply(change, user.user_id, now)
    except (DomainError, ConcurrentUpdate) as error:
        raise ActionNotAllowed(reference, "Rejecting the clawback") from error
    logger.info("clawback rejected", extra={"reference": reference})
    metrics.add_metric(name="ClawbackRejected", unit="Count", value=1)
    return rejected
