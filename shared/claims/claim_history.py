"""A claim's history as the support claim page shows it: what happened, who did it, when, and why.

Pure: `history(events, people)` turns the claim's events (oldest first, as stored) into entries newest
first. Who is a person's name and role, "Scheduled check" for the checks the payment run makes at a
window's close, "Payment run" for what a run does with the claim, and "Payer response uploaded by …" for
the payer's outcome arriving in a response file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.claims.money import format_pounds
from shared.claims.people import Role, User

SYSTEM_ACTOR = "payment-run"

ROLE_LABELS: dict[Role, str] = {Role.SUPPORT: "DfE support", Role.SCHOOL: "school user", Role.PROVIDER: "provider"}

WHAT: dict[str, str] = {
    "submitted": "Claim submitted",
    "draft_prepared_by_support": "Draft prepared by DfE support",
    "validated": "Passed the checks",
    "flagged_by_validation": "Flagged for support review",
    "review_timed_out": "Not reviewed before the payment run went on",
    "approved_by_support": "Approved",
    "rejected_by_support": "Rejected",
    "approval_undone": "Approval undone: back to support review",
    "rejection_undone": "Rejection undone: back to support review",
    "taken_for_payment_run": "Taken by a payment run",
    "sent_to_payer": "Sent to the payer in a payment file",
    "paid_by_payer": "Paid",
    "payer_requested_information": "Payer needs information",
    "information_sent_to_payer": "Information sent to the payer",
    "rejected_by_payer": "Rejected by the payer",
    "withdrawn_by_school": "Withdrawn by the school",
    "expired_at_window_close": "Draft expired when the claim window closed",
    "carried_to_next_window": "Moved to the next claim window",
    "assigned": "Assigned",
    "unassigned": "No longer assigned",
    "zendesk_ticket_linked": "Zendesk ticket linked",
    "zendesk_ticket_removed": "Zendesk ticket removed",
    "note_added": "Note added",
    "put_on_hold": "Put on hold",
    "hold_removed": "Hold removed",
    "amended_by_support": "Amended",
    "approved_by_provider": "Audit: the provider confirmed the training",
    "rejected_by_provider": "Audit: the provider did not confirm all the training",
    "school_responded_to_audit": "Audit: the school responded",
    "approved_after_audit": "Approved after the audit",
    "rejected_by_school": "Not approved after the audit: to be clawed back",
    "clawback_requested": "Clawback requested",
    "clawback_approved": "Clawback approved",
    "clawback_rejected": "Clawback rejected",
    "clawback_not_required": "Approved after the audit: nothing clawed back",
}
PROVIDER_ANSWERS = frozenset({"approved_by_provider", "rejected_by_provider"})

# What the checks at a window's close found, by check name (the validated event's detail).
CHECK_LABELS: dict[str, str] = {
    "school_open_and_eligible": "School open and eligible",
    "school_has_vendor_number": "School has a vendor number",
    "provider_accredited": "Provider accredited",
    "mentors_in_teaching_record": "Mentors found in the Teaching Record",
    "allowance_not_exceeded": "Hours within each mentor's allowance",
    "amount_matches_hours_and_rate": "Amount matches the hours and rate",
    "submitted_by_a_mentor_on_the_claim": "Not submitted by one of its mentors",
    "mentor_claimed_by_several_schools": "No mentor claimed by several schools",
    "school_total_over_5000": "School's claims in the window £5,000 or less",
}

PAYER_OUTCOMES = frozenset({"paid_by_payer", "payer_requested_information", "rejected_by_payer"})
RUN_ACTIONS = frozenset({"taken_for_payment_run", "sent_to_payer"})


@dataclass(frozen=True)
class HistoryEntry:
    what: str
    who: str
    at: dt.datetime
    reason: str | None
    details: tuple[str, ...] = ()  # further lines: old → new, the checks that ran
    note: bool = False  # an internal note: its text is the reason, shown as written


def event_time(event_id: str) -> dt.datetime:
    """Events are keyed by the instant they happened, then the claim's version."""
    return dt.datetime.fromisoformat(event_id.split("#", 1)[0])


def actor_ids(events: Sequence[Mapping[str, Any]]) -> set[str]:
    """The people whose names the history needs (everything but the payment run)."""
    ids = {str(e["actor"]) for e in events if e.get("actor") and e["actor"] != SYSTEM_ACTOR}
    ids |= {str(e["detail"]["assigned_to"]) for e in events if (e.get("detail") or {}).get("assigned_to")}
    return ids


def _person(user_id: str, people: Mapping[str, User]) -> str:
    user = people.get(user_id)
    if user is None:
        return "A user who has since been removed"
    return f"{user.full_name} ({ROLE_LABELS[user.role]})"


def _who(event: Mapping[str, Any], people: Mapping[str, User]) -> str:
    actor = str(event.get("actor") or "")
    action = str(event["action"])
    if actor == SYSTEM_ACTOR:
        return "Payment run" if action in RUN_ACTIONS else "Scheduled check"
    if action in PAYER_OUTCOMES and str(event.get("reason") or "").startswith("Payer response "):
        user = people.get(actor)
        return f"Payer response uploaded by {user.full_name if user else 'a user who has since been removed'}"
    return _person(actor, people)


def _details(event: Mapping[str, Any], people: Mapping[str, User]) -> tuple[str, ...]:
    detail: Mapping[str, Any] = event.get("detail") or {}
    action = event["action"]
    if action == "amended_by_support" and detail:
        mentor = detail.get("mentor", detail.get("trn", "A mentor"))
        new_hours = int(detail.get("new_hours", 0))
        hours = (
            f"{mentor}: removed from the claim ({detail.get('old_hours')} hours)"
            if new_hours == 0
            else f"{mentor}: {detail.get('old_hours')} → {new_hours} hours"
        )
        amount = (
            f"Amount: {format_pounds(int(detail.get('old_amount_pence', 0)))} → "
            f"{format_pounds(int(detail.get('new_amount_pence', 0)))}"
        )
        return hours, amount
    if action in PROVIDER_ANSWERS and isinstance(detail.get("answers"), Sequence):
        return tuple(_answer_line(answer) for answer in detail["answers"] if isinstance(answer, Mapping))
    if action == "school_responded_to_audit" and "agrees" in detail:
        if detail["agrees"]:
            return ("Agrees with the provider",)
        explanation = str(detail.get("explanation") or "")
        if not explanation or explanation == str(event.get("reason") or ""):
            return ("Disagrees with the provider",)  # the explanation is the entry's reason: shown once
        return (f"Disagrees with the provider: {explanation}",)
    if action == "clawback_requested" and isinstance(detail.get("mentors"), Sequence):
        lines = [_clawback_line(mentor) for mentor in detail["mentors"] if isinstance(mentor, Mapping)]
        return (*lines, f"Total to claw back: {format_pounds(int(detail.get('total_pence', 0)))}")
    if action in ("clawback_approved", "clawback_rejected") and "total_pence" in detail:
        return (f"Total to claw back: {format_pounds(int(detail['total_pence']))}",)
    if action == "assigned" and detail.get("assigned_to"):
        return (f"To {_person(str(detail['assigned_to']), people)}",)
    if action == "validated" and isinstance(detail.get("findings"), Mapping):
        findings: Mapping[str, Any] = detail["findings"]
        return tuple(
            f"{CHECK_LABELS.get(name, name.replace('_', ' ').capitalize())}: {'passed' if passed else 'failed'}"
            for name, passed in sorted(findings.items())
        )
    return ()


def _answer_line(answer: Mapping[str, Any]) -> str:
    """One mentor's audit answer: "Ada Lovelace: confirmed 6 hours" or "…: 2 of 6 hours completed (why)"."""
    mentor = answer.get("mentor") or f"TRN {answer.get('trn', '')}"
    claimed = answer.get("hours_claimed", answer.get("hours_completed"))
    if answer.get("confirmed"):
        return f"{mentor}: confirmed {claimed} hours"
    return f"{mentor}: {answer.get('hours_completed')} of {claimed} hours completed ({answer.get('reason', '')})"


def _clawback_line(mentor: Mapping[str, Any]) -> str:
    """One mentor's clawback: "Ada Lovelace: 4 hours clawed back (£175.20)", and why, when fewer than not done."""
    name = mentor.get("mentor") or f"TRN {mentor.get('trn', '')}"
    hours = int(mentor.get("hours_clawed_back", 0))
    amount = format_pounds(int(mentor.get("pence", 0)))
    line = f"{name}: {hours} {'hour' if hours == 1 else 'hours'} clawed back ({amount})"
    if mentor.get("lowered_reason"):
        not_completed = int(mentor.get("hours_claimed", 0)) - int(mentor.get("hours_completed", 0))
        line += f", fewer than the {not_completed} not completed: {mentor['lowered_reason']}"
    return line


def history(events: Sequence[Mapping[str, Any]], people: Mapping[str, User]) -> list[HistoryEntry]:
    """Every event, newest first (events are stored in the order they happened)."""
    entries = [
        HistoryEntry(
            what=WHAT.get(str(e["action"]), str(e["action"]).replace("_", " ").capitalize()),
            who=_who(e, people),
            at=event_time(str(e["id"])),
            reason=(str(e["reason"]) if e.get("reason") else None),
            details=_details(e, people),
            note=e["action"] == "note_added",
        )
        for e in events
    ]
    return entries[::-1]
