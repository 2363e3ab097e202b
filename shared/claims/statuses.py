"""Claim statuses and the one transition table through which every status change goes.

Codes are the live service's; labels and tag colours are docs/domain.md's (colours from the 2025
design history: yellow waiting, turquoise action needed, blue complete, orange complete but failed).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.claims.errors import InvalidTransition


class ClaimStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPPORT_REVIEW = "support_review"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    PAYMENT_IN_PROGRESS = "payment_in_progress"
    PAID = "paid"
    PAYMENT_INFORMATION_REQUESTED = "payment_information_requested"
    PAYMENT_INFORMATION_SENT = "payment_information_sent"
    PAYMENT_NOT_APPROVED = "payment_not_approved"
    SAMPLING_IN_PROGRESS = "sampling_in_progress"
    SAMPLING_PROVIDER_NOT_APPROVED = "sampling_provider_not_approved"
    SAMPLING_NOT_APPROVED = "sampling_not_approved"
    CLAWBACK_REQUIRES_APPROVAL = "clawback_requires_approval"
    CLAWBACK_REJECTED = "clawback_rejected"
    CLAWBACK_REQUESTED = "clawback_requested"
    CLAWBACK_IN_PROGRESS = "clawback_in_progress"
    CLAWBACK_COMPLETE = "clawback_complete"


@dataclass(frozen=True)
class StatusDisplay:
    label: str
    colour: str  # GOV.UK tag modifier


DISPLAY: dict[ClaimStatus, StatusDisplay] = {
    ClaimStatus.DRAFT: StatusDisplay("Draft", "grey"),
    ClaimStatus.SUBMITTED: StatusDisplay("Submitted", "turquoise"),
    ClaimStatus.SUPPORT_REVIEW: StatusDisplay("Support review", "yellow"),
    ClaimStatus.REJECTED: StatusDisplay("Rejected by support", "orange"),
    ClaimStatus.WITHDRAWN: StatusDisplay("Withdrawn", "grey"),
    ClaimStatus.EXPIRED: StatusDisplay("Expired", "grey"),
    ClaimStatus.PAYMENT_IN_PROGRESS: StatusDisplay("Payer payment review", "yellow"),
    ClaimStatus.PAID: StatusDisplay("Paid", "blue"),
    ClaimStatus.PAYMENT_INFORMATION_REQUESTED: StatusDisplay("Payer needs information", "turquoise"),
    ClaimStatus.PAYMENT_INFORMATION_SENT: StatusDisplay("Information sent to payer", "yellow"),
    ClaimStatus.PAYMENT_NOT_APPROVED: StatusDisplay("Rejected by payer", "orange"),
    ClaimStatus.SAMPLING_IN_PROGRESS: StatusDisplay("Audit requested", "yellow"),
    ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED: StatusDisplay("Rejected by provider", "turquoise"),
    ClaimStatus.SAMPLING_NOT_APPROVED: StatusDisplay("Rejected by school", "turquoise"),
    ClaimStatus.CLAWBACK_REQUIRES_APPROVAL: StatusDisplay("Clawback requires approval", "orange"),
    ClaimStatus.CLAWBACK_REJECTED: StatusDisplay("Clawback rejected", "red"),
    ClaimStatus.CLAWBACK_REQUESTED: StatusDisplay("Ready for clawback", "turquoise"),
    ClaimStatus.CLAWBACK_IN_PROGRESS: StatusDisplay("Sent to payer for clawback", "yellow"),
    ClaimStatus.CLAWBACK_COMPLETE: StatusDisplay("Clawback complete", "blue"),
}

S = ClaimStatus

# (from, to) -> the name of the action that makes the change (recorded on the claim event).
TRANSITIONS: dict[tuple[ClaimStatus, ClaimStatus], str] = {
    (S.DRAFT, S.SUBMITTED): "submitted",
    (S.DRAFT, S.EXPIRED): "expired_at_window_close",
    (S.SUBMITTED, S.WITHDRAWN): "withdrawn_by_school",
    (S.SUBMITTED, S.SUPPORT_REVIEW): "flagged_by_validation",
    (S.SUBMITTED, S.PAYMENT_IN_PROGRESS): "sent_to_payer",
    (S.SUPPORT_REVIEW, S.SUBMITTED): "approved_by_support",
    (S.SUPPORT_REVIEW, S.REJECTED): "rejected_by_support",
    (S.PAYMENT_IN_PROGRESS, S.PAID): "paid_by_payer",
    (S.PAYMENT_IN_PROGRESS, S.PAYMENT_INFORMATION_REQUESTED): "payer_requested_information",
    (S.PAYMENT_INFORMATION_REQUESTED, S.PAYMENT_INFORMATION_SENT): "information_sent_to_payer",
    (S.PAYMENT_INFORMATION_REQUESTED, S.PAYMENT_NOT_APPROVED): "rejected_by_payer",
    (S.PAYMENT_INFORMATION_SENT, S.PAID): "paid_by_payer",
    (S.PAYMENT_INFORMATION_SENT, S.PAYMENT_NOT_APPROVED): "rejected_by_payer",
    (S.PAID, S.SAMPLING_IN_PROGRESS): "audit_requested",
    (S.SAMPLING_IN_PROGRESS, S.PAID): "approved_by_provider",
    (S.SAMPLING_IN_PROGRESS, S.SAMPLING_PROVIDER_NOT_APPROVED): "rejected_by_provider",
    (S.SAMPLING_PROVIDER_NOT_APPROVED, S.PAID): "approved_after_audit",
    (S.SAMPLING_PROVIDER_NOT_APPROVED, S.SAMPLING_NOT_APPROVED): "rejected_by_school",
    (S.SAMPLING_NOT_APPROVED, S.CLAWBACK_REQUIRES_APPROVAL): "clawback_requested",
    (S.SAMPLING_NOT_APPROVED, S.PAID): "clawback_not_required",
    (S.CLAWBACK_REJECTED, S.CLAWBACK_REQUIRES_APPROVAL): "clawback_requested",
    (S.CLAWBACK_REJECTED, S.PAID): "clawback_not_required",
    (S.CLAWBACK_REQUIRES_APPROVAL, S.CLAWBACK_REQUESTED): "clawback_approved",
    (S.CLAWBACK_REQUIRES_APPROVAL, S.CLAWBACK_REJECTED): "clawback_rejected",
    (S.CLAWBACK_REQUESTED, S.CLAWBACK_IN_PROGRESS): "sent_to_payer_for_clawback",
    (S.CLAWBACK_IN_PROGRESS, S.CLAWBACK_COMPLETE): "clawback_completed",
}

# Support undoing its own review decision before the claim is in a payment file: the same table's rule (a
# permitted change and the action it records), for changes that are not the claim's forward path.
UNDO_TRANSITIONS: dict[tuple[ClaimStatus, ClaimStatus], str] = {
    (S.SUBMITTED, S.SUPPORT_REVIEW): "approval_undone",
    (S.REJECTED, S.SUPPORT_REVIEW): "rejection_undone",
}

# Statuses whose hours do not count towards a mentor's allowance (hours released on entry).
HOURS_RELEASED = frozenset({S.WITHDRAWN, S.REJECTED, S.PAYMENT_NOT_APPROVED, S.EXPIRED})

# Statuses that keep a mentor on an "active" claim (a school cannot remove them).
ACTIVE = frozenset({S.DRAFT, S.SUBMITTED, S.SUPPORT_REVIEW})


def transition(from_status: ClaimStatus, to_status: ClaimStatus, *, undo: bool = False) -> str:
    """The action name for a permitted change (`undo`: support undoing its review decision);
    `InvalidTransition` for anything else."""
    try:
        return (UNDO_TRANSITIONS if undo else TRANSITIONS)[(from_status, to_status)]
    except KeyError:
        raise InvalidTransition(from_status, to_status) from None


def holds_hours(status: ClaimStatus) -> bool:
    """A claim in this status counts against its mentors' allowances (submitted, and not given back)."""
    return status not in HOURS_RELEASED and status is not S.DRAFT


def releases_hours(from_status: ClaimStatus, to_status: ClaimStatus) -> bool:
    """Hours go back when a submitted-or-later claim stops counting (drafts never held any)."""
    return to_status in HOURS_RELEASED and holds_hours(from_status)


def retakes_hours(from_status: ClaimStatus, to_status: ClaimStatus) -> bool:
    """Hours given back are counted again (a rejection undone): within each mentor's cap, or not at all."""
    return from_status in HOURS_RELEASED and holds_hours(to_status)
