"""The support claim page and what support does to a claim: assign, ticket, notes, hold, amend, undo.

Each action re-reads the claim, checks the rule in `shared.claims.claim_actions` for the claim as it is
now, and makes one conditional write with its event (`shared.data.claims`): a page left open while
something else changed the claim refuses rather than overwrites.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shared.claims.allowance import cap
from shared.claims.audits import MentorClawback, clawback_total_pence
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.claim_actions import (
    Amendment,
    approved_by_support,
    can_amend,
    can_hold,
    can_undo_decision,
)
from shared.claims.claim_history import HistoryEntry, actor_ids, history
from shared.claims.clawback_requests import AUDIT_APPROVABLE, can_request
from shared.claims.errors import DomainError
from shared.claims.organisations import School
from shared.claims.people import Role, User
from shared.claims.statuses import ClaimStatus
from shared.claims.windows import ClaimWindow
from shared.config import settings
from shared.data.allowances import hours_used
from shared.data.claim_windows import ClaimWindows
from shared.data.claims import ClaimsStore, StatusChange
from shared.data.organisations import Organisations
from shared.data.users import Users
from shared.observability import logger, metrics
from shared.usecases import support_review
from shared.usecases.mentor_names import with_current_names
from shared.usecases.school_audit_response import AnswerRow, answer_rows


class ActionNotAllowed(DomainError):
    """The claim's status (or a payment run) no longer allows this action."""

    def __init__(self, reference: str, action: str) -> None:
        super().__init__(f"{action} is not possible for claim {reference} now")
        self.reference = reference
        self.action = action


@dataclass(frozen=True)
class ClawbackRow:
    """One mentor's line of a clawback, with the mentor's name (ADR 0033)."""

    mentor: ClaimMentor
    clawback: MentorClawback


@dataclass(frozen=True)
class ClawbackView:
    """A claim's clawback, mentor by mentor: asked for (the claim's), or being checked before it is asked for."""

    claim: Claim
    rows: tuple[ClawbackRow, ...]

    @property
    def total_pence(self) -> int:
        return clawback_total_pence(row.clawback for row in self.rows)


def clawback_view(claim: Claim, clawbacks: tuple[MentorClawback, ...]) -> ClawbackView:
    mentors = {mentor.trn: mentor for mentor in claim.mentors}
    return ClawbackView(claim, tuple(ClawbackRow(mentors[c.trn], c) for c in clawbacks if c.trn in mentors))


@dataclass(frozen=True)
class ClaimPage:
    claim: Claim
    school: School | None
    window: ClaimWindow | None
    assignee: User | None
    history: list[HistoryEntry]
    flag_reasons: list[str]
    can_hold: bool
    can_amend: bool
    can_undo: bool
    zendesk_host: str
    audit_answers: tuple[AnswerRow, ...] = ()  # the provider's audit answers, by mentor (ADR 0032)
    can_decide_audit: bool = False  # approve or claw back after the audit
    can_approve_after_audit: bool = False  # approve it (→ paid): before a clawback, or after one was rejected
    can_request_clawback: bool = False  # ask for its clawback (ADR 0033)
    clawback: ClawbackView | None = None  # the clawback asked for, approved or rejected

    @property
    def in_review(self) -> bool:
        return self.claim.status is ClaimStatus.SUPPORT_REVIEW

    @property
    def approved_by_support(self) -> bool:
        return approved_by_support(self.claim)


def _file_written_since(claim: Claim, events: list[dict[str, Any]]) -> bool:
    """Whether a payment file of the claim's window has been written since its review decision: the decision
    recorded the window's runs with a file then (`support_review.window_files`)."""
    decisions = [e for e in events if e["action"] in ("approved_by_support", "rejected_by_support")]
    detail = (decisions[-1].get("detail") or {}) if decisions else {}
    if "window_files" not in detail:
        return True  # no record of the files there were: too late to tell, so too late to undo
    return bool(set(support_review.window_files(claim.window_id)) - set(detail["window_files"]))


def claim_page(reference: str) -> ClaimPage:
    """Reads: the claim, its events, its school, its window, the people in its history (one BatchGet), its
    mentors' current names (one BatchGet) and, for a decision that might be undone, its window's payment runs.
    ClaimNotFound for no such claim."""
    store = ClaimsStore()
    claim = store.get(reference)
    events = store.events(reference)
    wanted = actor_ids(events) | ({claim.assigned_to} if claim.assigned_to else set())
    people = {user.user_id: user for user in Users().list_all(wanted)}
    decided = claim.status is ClaimStatus.REJECTED or approved_by_support(claim)
    shown = with_current_names([claim])[0]  # each mentor by their current name (ADR 0037); the claim keeps its own
    return ClaimPage(
        claim=shown,
        school=Organisations().schools([claim.school_id]).get(claim.school_id),
        window=ClaimWindows().get(claim.window_id),
        assignee=people.get(claim.assigned_to) if claim.assigned_to else None,
        history=history(events, people),
        flag_reasons=support_review.flag_reasons_from(events),
        can_hold=can_hold(claim),
        can_amend=can_amend(claim),
        can_undo=decided
        and can_undo_decision(claim, claim.status is ClaimStatus.REJECTED and _file_written_since(claim, events)),
        zendesk_host=settings().zendesk_host,
        audit_answers=tuple(answer_rows(claim)),
        can_decide_audit=claim.status is ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED,
        can_approve_after_audit=claim.status in AUDIT_APPROVABLE,
        can_request_clawback=can_request(claim),
        clawback=clawback_view(shown, claim.clawback.mentors) if claim.clawback else None,
    )


def zendesk_host() -> str:
    return settings().zendesk_host


def support_users() -> list[User]:
    return Users().with_role(Role.SUPPORT)


def assign(reference: str, assignee_id: str, user: User, now: dt.datetime) -> User:
    """Assign the claim to a support user (anyone else is refused: ActionNotAllowed)."""
    assignee = next((u for u in support_users() if u.user_id == assignee_id), None)
    if assignee is None:
        raise ActionNotAllowed(reference, "Assigning to that user")
    claim = ClaimsStore().get(reference)
    ClaimsStore().annotate(
        claim, "assigned", user.user_id, now, assigned_to=assignee.user_id, detail={"assigned_to": assignee.user_id}
    )
    logger.info("claim assigned", extra={"reference": reference, "assigned_to": assignee.user_id})
    return assignee


def unassign(reference: str, user: User, now: dt.datetime) -> None:
    claim = ClaimsStore().get(reference)
    if claim.assigned_to is not None:
        ClaimsStore().annotate(claim, "unassigned", user.user_id, now, assigned_to=None)


def link_zendesk(reference: str, url: str | None, user: User, now: dt.datetime) -> None:
    """Link the claim's Zendesk ticket (a URL `claim_actions.read_zendesk_url` accepted), or remove it."""
    claim = ClaimsStore().get(reference)
    action = "zendesk_ticket_linked" if url else "zendesk_ticket_removed"
    ClaimsStore().annotate(claim, action, user.user_id, now, url or claim.zendesk_url, zendesk_url=url)


def add_note(reference: str, note: str, user: User, now: dt.datetime) -> None:
    claim = ClaimsStore().get(reference)
    ClaimsStore().annotate(claim, "note_added", user.user_id, now, note)
    metrics.add_metric(name="ClaimNoteAdded", unit="Count", value=1)


def hold(reference: str, reason: str, user: User, now: dt.datetime) -> None:
    """On hold: no payment run takes the claim until the hold is removed. ActionNotAllowed once a run has
    taken it (or its status moved on), including when a run takes it at the same moment."""
    store = ClaimsStore()
    claim = store.get(reference)
    if not can_hold(claim):
        raise ActionNotAllowed(reference, "Putting the claim on hold")
    try:
        store.hold(claim, reason, user.user_id, now)
    except DomainError as error:
        raise ActionNotAllowed(reference, "Putting the claim on hold") from error
    logger.info("claim put on hold", extra={"reference": reference})
    metrics.add_metric(name="ClaimPutOnHold", unit="Count", value=1)


def remove_hold(reference: str, user: User, now: dt.datetime) -> None:
    store = ClaimsStore()
    claim = store.get(reference)
    if not claim.on_hold:
        raise ActionNotAllowed(reference, "Removing the hold")
    try:
        store.remove_hold(claim, user.user_id, now)
    except DomainError as error:
        raise ActionNotAllowed(reference, "Removing the hold") from error


@dataclass(frozen=True)
class AmendLimits:
    mentor: ClaimMentor
    most: int  # the most hours this mentor can have on the claim: their cap less other claims' hours


def amend_limits(claim: Claim, trn: str) -> AmendLimits | None:
    """What the cap allows this mentor on this claim (one BatchGet of the mentor's allowance item)."""
    mentor = next((m for m in claim.mentors if m.trn == trn), None)
    if mentor is None:
        return None
    used = hours_used([(trn, claim.provider_code, claim.academic_year)])
    elsewhere = used.get((trn, claim.provider_code, claim.academic_year.start_year), 0) - mentor.hours
    total = cap(claim.academic_year, mentor.training_type)
    return AmendLimits(mentor, max(total - max(elsewhere, 0), 0))


def amend(reference: str, amendment: Amendment, expected_version: int, user: User, now: dt.datetime) -> Claim:
    """Change a mentor's hours or take them off, before a payment run takes the claim. The claim must be the
    version the amendment was checked against (ConcurrentUpdate otherwise); AllowanceExceeded past the cap."""
    store = ClaimsStore()
    claim = store.get(reference)
    if not can_amend(claim):
        raise ActionNotAllowed(reference, "Amending the claim")
    mentor = next((m for m in claim.mentors if m.trn == amendment.trn), None)
    if claim.version != expected_version or mentor is None or mentor.hours != amendment.old_hours:
        raise ActionNotAllowed(reference, "Amending the claim (it changed since you started)")
    total = cap(claim.academic_year, mentor.training_type)
    amended = store.amend(claim, amendment.trn, amendment.new_hours, total, amendment.reason, user.user_id, now)
    logger.info("claim amended", extra={"reference": reference, "trn": amendment.trn})
    metrics.add_metric(name="ClaimAmended", unit="Count", value=1)
    return amended


def undo_decision(reference: str, reason: str, user: User, now: dt.datetime) -> Claim:
    """Back to support review: an approval until a payment run takes the claim, a rejection until a payment
    file of its window is written (its hours counted again, within each mentor's cap)."""
    page = claim_page(reference)
    claim = page.claim
    if not page.can_undo:
        raise ActionNotAllowed(reference, "Undoing the decision")
    caps = {m.trn: cap(claim.academic_year, m.training_type) for m in claim.mentors}
    change = StatusChange(claim, ClaimStatus.SUPPORT_REVIEW, reason, undo=True, caps=caps)
    try:
        undone = ClaimsStore().apply(change, user.user_id, now)
    except DomainError as error:
        raise ActionNotAllowed(reference, "Undoing the decision") from error
    logger.info("review decision undone", extra={"reference": reference, "from": claim.status.value})
    metrics.add_metric(name="ReviewDecisionUndone", unit="Count", value=1)
    if claim.status is ClaimStatus.REJECTED:
        support_review.tell_school_rejection_undone(undone)
    return undone
