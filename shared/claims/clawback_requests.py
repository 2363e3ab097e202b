"""The rules of asking for a claim's clawback and of a second support user deciding it (ADR 0033).

Which claims may have a clawback requested or be approved after their audit, what support may lower (the hours
not completed need no reason, fewer need one: `shared.claims.audits.lower_clawback`), that a clawback is more
than £0, that the user who asked may not decide, and the rejection's reason.

Pure: no AWS, HTTP or templates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from shared.claims.audits import HOURS, REASON, LoweredClawback, MentorClawback, clawback_total_pence, lower_clawback
from shared.claims.claim import Claim
from shared.claims.errors import DomainError
from shared.claims.statuses import ClaimStatus

# Where support may ask for a clawback: after "Claw back", or after a clawback was rejected.
CLAWBACK_REQUESTABLE = frozenset({ClaimStatus.SAMPLING_NOT_APPROVED, ClaimStatus.CLAWBACK_REJECTED})
# Where "Approve claim" pays the claim after its audit: rejected by its provider (approved_after_audit), and
# before or after a clawback (clawback_not_required), as the transition table allows.
AUDIT_APPROVABLE = frozenset(
    {ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED, ClaimStatus.SAMPLING_NOT_APPROVED, ClaimStatus.CLAWBACK_REJECTED}
)

NOTHING_TO_CLAW_BACK = "The clawback must be more than £0: approve the claim instead"
REJECTION_MISSING = "Enter why the clawback is rejected"
REJECTION_LIMIT = 2_000
REJECTION_TOO_LONG = f"Reason must be {REJECTION_LIMIT:,} characters or less"
# A lowering's reason is stored on the claim beside the provider's (up to 2,000 characters a mentor): 500 a mentor
# keeps a claim of the most mentors inside DynamoDB's 400 KB item.
LOWERED_REASON_LIMIT = 500
LOWERED_REASON_TOO_LONG = f"Reason must be {LOWERED_REASON_LIMIT} characters or less"


class NothingToClawBack(DomainError):
    """A clawback totalling £0: the claim is to be approved instead."""


class OwnClawback(DomainError):
    """The support user who asked for a clawback may not decide it."""


def can_request(claim: Claim) -> bool:
    return claim.status in CLAWBACK_REQUESTABLE and claim.provider_answers is not None


def check_can_decide(claim: Claim, user_id: str) -> bool:
    """True when the user may decide; False when the claim's status no longer allows it; OwnClawback for the user
    who asked for it."""
    if claim.status is not ClaimStatus.CLAWBACK_REQUIRES_APPROVAL or claim.clawback is None:
        return False
    if claim.clawback.requested_by == user_id:
        raise OwnClawback(claim.reference)
    return True


def check_lowering(default: MentorClawback, hours: str, reason: str) -> LoweredClawback:
    """A mentor's "How many hours should be clawed back?" form: the hours not completed need no reason (the
    clawback is as it was); fewer need one, of at most LOWERED_REASON_LIMIT characters."""
    text = reason.replace("\r\n", "\n")
    checked = lower_clawback(default, hours, text)
    errors = dict(checked.errors)
    if HOURS not in errors and int(hours.strip()) == default.hours_not_completed:
        errors.pop(REASON, None)
        return LoweredClawback(None if errors else default.model_copy(update={"lowered_reason": ""}), errors)
    if REASON not in errors and len(text.strip()) > LOWERED_REASON_LIMIT:
        errors[REASON] = LOWERED_REASON_TOO_LONG
    return LoweredClawback(None if errors else checked.clawback, errors)


def with_lowerings(
    defaults: Sequence[MentorClawback], hours: Mapping[str, int], reasons: Mapping[str, str]
) -> tuple[MentorClawback, ...]:
    """Each mentor's clawback: the hours not completed, or fewer that support chose (with its reason)."""
    chosen = []
    for clawback in defaults:
        lowered = hours.get(clawback.trn)
        if lowered is not None and 0 <= lowered < clawback.hours_not_completed:
            clawback = clawback.model_copy(
                update={"hours_clawed_back": lowered, "lowered_reason": reasons.get(clawback.trn, "")}
            )
        chosen.append(clawback)
    return tuple(chosen)


def check_total(clawbacks: Sequence[MentorClawback], reference: str) -> int:
    """The clawback's total in pence; NothingToClawBack for £0."""
    total = clawback_total_pence(clawbacks)
    if total <= 0:
        raise NothingToClawBack(reference)
    return total


def read_rejection(reason: str) -> tuple[str, str | None]:
    """The reason for rejecting a clawback (a browser's CRLF counted as one character), or its error."""
    text = reason.replace("\r\n", "\n").strip()
    if not text:
        return text, REJECTION_MISSING
    if len(text) > REJECTION_LIMIT:
        return text, REJECTION_TOO_LONG
    return text, None
