"""Support deciding a claim after its audit (ADR 0032): with the provider's answers and the school's response
side by side, "Approve claim" (rejected by provider → paid, "approved_after_audit") or "Claw back" (→ not
approved after the audit, "rejected_by_school" in the transition table, the start of the clawback). Each a
conditional write on the claim's status and version with its event, through the transition table.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from shared.claims.claim import Claim
from shared.claims.errors import DomainError
from shared.claims.people import User
from shared.claims.statuses import ClaimStatus
from shared.data.claims import ClaimsStore
from shared.observability import logger, metrics
from shared.usecases.support_claim import ActionNotAllowed


class AuditDecision(StrEnum):
    APPROVE = "approve"
    CLAW_BACK = "claw_back"


TO_STATUS = {AuditDecision.APPROVE: ClaimStatus.PAID, AuditDecision.CLAW_BACK: ClaimStatus.SAMPLING_NOT_APPROVED}


def can_decide(claim: Claim) -> bool:
    return claim.status is ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED


def claim_to_decide(reference: str) -> Claim:
    """The claim, if support may decide it now (ActionNotAllowed otherwise; ClaimNotFound for none)."""
    claim = ClaimsStore().get(reference)
    if not can_decide(claim):
        raise ActionNotAllowed(reference, "Deciding the audit")
    return claim


def decide(reference: str, decision: AuditDecision, reason: str, user: User, now: dt.datetime) -> Claim:
    claim = claim_to_decide(reference)
    detail = {"decision": decision.value, "school_responded": claim.school_response is not None}
    try:
        decided = ClaimsStore().change_status(claim, TO_STATUS[decision], user.user_id, now, reason, detail=detail)
    except DomainError as error:
        raise ActionNotAllowed(reference, "Deciding the audit") from error
    logger.info("audit decided", extra={"reference": reference, "decision": decision.value})
    metrics.add_metric(name="AuditDecided", unit="Count", value=1)
    return decided
