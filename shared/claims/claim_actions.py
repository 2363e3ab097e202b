"""What support can do to a claim, and when: assign, Zendesk ticket, notes, hold, amend, review decisions.

Pure: each rule says whether an action is open for a claim as it stands, and checks what was typed. The
writes are `shared.data.claims`, each conditional on what these rules read, with its event.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from shared.claims.allowance import MAX_HOURS_DIGITS
from shared.claims.claim import Claim
from shared.claims.statuses import ClaimStatus

NOTE_LIMIT = 1000
REASON_LIMIT = 500

# Before a claim is in a payment file: a run has not taken it (a run owns what goes in its file).
BEFORE_FILE = frozenset({ClaimStatus.SUBMITTED, ClaimStatus.SUPPORT_REVIEW})


def before_file(claim: Claim) -> bool:
    return claim.status in BEFORE_FILE and claim.payment_run_id is None


def can_hold(claim: Claim) -> bool:
    """A claim can be put on hold until a payment run takes it; a held claim is taken by no run."""
    return before_file(claim) and not claim.on_hold


def can_amend(claim: Claim) -> bool:
    """Hours can change, or a mentor come off, until a payment run takes the claim."""
    return before_file(claim)


def approved_by_support(claim: Claim) -> bool:
    return claim.status is ClaimStatus.SUBMITTED and (claim.validated_run or "").startswith("approved-by-")


def can_undo_decision(claim: Claim, file_written_since_decision: bool) -> bool:
    """An approval can be undone until a run takes the claim (its file is about to be written); a rejection
    until a payment file of its window has been written since it was made."""
    if approved_by_support(claim):
        return claim.payment_run_id is None
    return claim.status is ClaimStatus.REJECTED and not file_written_since_decision


class RejectReason(StrEnum):
    MENTOR_NOT_ELIGIBLE = "mentor_not_eligible"
    HOURS_NOT_EVIDENCED = "hours_not_evidenced"
    SCHOOL_NOT_ELIGIBLE = "school_not_eligible"
    DUPLICATE_CLAIM = "duplicate_claim"
    PROVIDER_DISPUTES_TRAINING = "provider_disputes_training"
    OTHER = "other"


REJECT_REASON_LABELS: dict[RejectReason, str] = {
    RejectReason.MENTOR_NOT_ELIGIBLE: "Mentor not eligible",
    RejectReason.HOURS_NOT_EVIDENCED: "Hours not evidenced",
    RejectReason.SCHOOL_NOT_ELIGIBLE: "School not eligible",
    RejectReason.DUPLICATE_CLAIM: "Duplicate claim",
    RejectReason.PROVIDER_DISPUTES_TRAINING: "Provider disputes the training",
    RejectReason.OTHER: "Other",
}


@dataclass(frozen=True)
class Rejection:
    reasons: tuple[RejectReason, ...]
    other: str  # what "Other" says ("" unless Other is chosen)

    @property
    def text(self) -> str:
        """The reason as the history and the school's email give it: "Hours not evidenced; Other: …"."""
        parts = [REJECT_REASON_LABELS[r] for r in self.reasons if r is not RejectReason.OTHER]
        if RejectReason.OTHER in self.reasons:
            parts.append(f"Other: {self.other}")
        return "; ".join(parts)


def read_rejection(codes: list[str], other: str) -> tuple[Rejection | None, dict[str, str]]:
    """The reasons ticked and the "Other" text, or the errors to show (field → message)."""
    known = {r.value: r for r in RejectReason}
    reasons = tuple(known[c] for c in dict.fromkeys(codes) if c in known)
    text = " ".join(other.split())
    if not reasons:
        return None, {"reject_reasons": "Select why the claim is rejected"}
    if RejectReason.OTHER in reasons and not text:
        return None, {"reject_other": "Enter why the claim is rejected"}
    if len(text) > REASON_LIMIT:
        return None, {"reject_other": f"The reason must be {REASON_LIMIT} characters or fewer"}
    return Rejection(reasons, text if RejectReason.OTHER in reasons else ""), {}


def read_reason(typed: str, missing: str, limit: int = REASON_LIMIT) -> tuple[str, str | None]:
    """A mandatory reason, spaces collapsed: (reason, error message or None)."""
    text = " ".join(typed.split())
    if not text:
        return "", missing
    if len(text) > limit:
        return text, f"The reason must be {limit} characters or fewer"
    return text, None


def read_note(typed: str) -> tuple[str, str | None]:
    """A note keeps its line breaks (trimmed): (note, error message or None)."""
    text = "\n".join(line.rstrip() for line in typed.replace("\r\n", "\n").strip().split("\n"))
    if not text:
        return "", "Enter a note"
    if len(text) > NOTE_LIMIT:
        return text, f"The note must be {NOTE_LIMIT:,} characters or fewer"
    return text, None


def read_zendesk_url(typed: str, host: str) -> tuple[str, str | None]:
    """A link to a ticket on the configured Zendesk host only (https, that host, a ticket path)."""
    text = typed.strip()
    if not text:
        return "", "Enter the Zendesk ticket's URL"
    parts = urlsplit(text)
    if (
        parts.scheme != "https"
        or (parts.hostname or "").lower() != host.lower()
        or parts.username
        or parts.password
        or parts.port
        or not parts.path.startswith("/agent/tickets/")
        or not parts.path.removeprefix("/agent/tickets/").isdigit()
        or len(text) > 300
    ):
        return text, f"Enter a ticket URL on {host}, like https://{host}/agent/tickets/12345"
    return f"https://{host.lower()}{parts.path}", None


@dataclass(frozen=True)
class Amendment:
    """One mentor's hours changed (`new_hours` 0: the mentor comes off the claim)."""

    trn: str
    old_hours: int
    new_hours: int
    reason: str

    @property
    def removes(self) -> bool:
        return self.new_hours == 0


def read_amendment(
    claim: Claim, trn: str, choice: str, hours_typed: str, reason_typed: str, most: int
) -> tuple[Amendment | None, dict[str, str]]:
    """Change a mentor's hours (to a whole number up to `most`: what the cap leaves with this claim's hours
    given back) or remove the mentor, with a reason."""
    mentor = next((m for m in claim.mentors if m.trn == trn), None)
    errors: dict[str, str] = {}
    if mentor is None:
        return None, {"trn": "Choose a mentor on this claim"}
    new_hours = 0
    if choice == "remove":
        if len(claim.mentors) == 1:
            errors["change"] = "A claim must have at least one mentor: reject the claim instead"
    elif choice == "hours":
        text = hours_typed.strip()
        if not text:
            errors["hours"] = "Enter the number of hours"
        elif not (text.isascii() and text.isdigit()):
            errors["hours"] = "Hours must be a whole number, like 12"
        elif len(text) > MAX_HOURS_DIGITS or not 1 <= int(text) <= most:
            errors["hours"] = f"Hours must be between 1 and {most}"
        elif int(text) == mentor.hours:
            errors["hours"] = f"{mentor.full_name} already has {mentor.hours} hours on this claim"
        else:
            new_hours = int(text)
    else:
        errors["change"] = "Select whether to change the hours or remove the mentor"
    reason, missing = read_reason(reason_typed, "Enter why the claim is amended")
    if missing:
        errors["reason"] = missing
    if errors:
        return None, errors
    return Amendment(trn, mentor.hours, new_hours, reason), {}
