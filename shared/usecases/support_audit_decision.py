"""Support deciding a claim after its audit (ADR 0032): with the provider's answers and the school's response
side by side, "Approve claim" (rejected by provider → paid, "approved_after_audit") or "Claw back" (→ not
approved after the audit, "rejected_by_school" in the transition table, the start of the clawback). Each a
conditional write on the claim's status and version with its event and Activity entry, through the transition
table. "Approve claim" is also how a claim not approved after its audit, or whose clawback was rejected, is paid
after all ("clawback_not_required", ADR 0033).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.claim import Claim
from shared.claims.clawback_requests import AUDIT_APPROVABLE
from shared.claims.errors import DomainError
from shared.claims.people import User
from shared.claims.statuses import ClaimStatus
from shared.data.claims import ClaimsStore, StatusChange
from shared.observability import logger, metrics
from shared.usecases.support_claim import ActionNotAllowed


class AuditDecision(StrEnum):
    APPROVE = "approve"
    CLAW_BACK = "claw_back"


TO_STATUS = {AuditDecision.APPROVE: ClaimStatus.PAID, AuditDecision.CLAW_BACK: ClaimStatus.SAMPLING_NOT_APPROVED}


def can_decide(claim: Claim, decision: AuditDecision = AuditDecision.CLAW_BACK) -> bool:
    """Claw back: only while rejected by its provider. Approve: also before a clawback is asked for, and after
    one was rejected."""
    if decision is AuditDecision.APPROVE:
        return claim.status in AUDIT_APPROVABLE
    return claim.status is ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED


def claim_to_decide(reference: str, decision: AuditDecision = AuditDecision.CLAW_BACK) -> Claim:
    """The claim, if support may decide it now (ActionNotAllowed otherwise; ClaimNotFound for none)."""
    claim = ClaimsStore().get(reference)
    if not can_decide(claim, decision):
        raise ActionNotAllowed(reference, "Deciding the audit")
    return claim


def _entry(claim: Claim, decision: AuditDecision, user: User, now: dt.datetime) -> ActivityEntry:
    what = "approved" if decision is AuditDecision.APPROVE else "to be clawed back"
    return ActivityEntry(
        activity_id=f"{ActivityKind.AUDIT_DECISION.value}-{claim.reference}-{claim.version}",
        kind=ActivityKind.AUDIT_DECISION,
        at=now,
        actor_id=user.user_id,
        actor_name=user.full_name,
        summary=f"Claim {claim.reference} {what} ({claim.school_name})",
        link=f"/support/claims/{claim.reference}",
    )


def decide(reference: str, decision: AuditDecision, reason: str, user: User, now: dt.datetime) -> Claim:
    claim = claim_to_decide(reference, decision)
    detail = {"decision": decision.value, "school_responded": claim.school_response is not None}
    change = StatusChange(
        claim, TO_STATUS[decision], reason, detail=detail, activity=_entry(claim, decision, user, now)
    )
    try:
        decided = ClaimsStore().apply(change, user.user_id, now)
    except DomainError as error:
        raise ActionNotAllowed(reference, "Deciding the audit") from error
    logger.info("audit decided", extra={"reference": reference, "decision": decision.value})
    metrics.add_metric(name="AuditDecided", unit="Count", value=1)
    return decided
