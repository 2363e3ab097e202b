"""Claims in DynamoDB: the one store of claims, their status changes, and the payment runs that own them.

Submitting and withdrawing are single transactions: the claim, each mentor's allowance item (with the
condition that keeps the cap), the journey (so a double click submits once), the window and mentor-list
checks, and a claim event. Every status change goes through the transition table, is conditional on the
claim's status and version, and writes its event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from shared.claims.academic_years import AcademicYear
from shared.claims.activity import ActivityEntry
from shared.claims.allowance import TrainingType, allowance_id
from shared.claims.audit_answers import ClawbackRequest, ProviderAnswers, SchoolResponse
from shared.claims.claim import Claim, ClaimMentor, listing_key
from shared.claims.counters import deltas
from shared.claims.drafts import DRAFT_PREPARED_BY_SUPPORT, DraftChanged
from shared.claims.errors import (
    AllowanceExceeded,
    ClaimNotFound,
    ConcurrentUpdate,
    DuplicateReference,
    JourneyFinished,
    MentorListChanged,
    WindowClosedDuringSubmission,
)
from shared.claims.statuses import ClaimStatus, releases_hours, retakes_hours, transition
from shared.data.activity import activity_item
from shared.data.claim_events import events_of, new_event
from shared.data.counters import add_to_counters
from shared.data.items import (
    ActivityItem,
    AllowanceItem,
    BatchItem,
    ClaimItem,
    ClaimWindowItem,
    JourneyItem,
    OrganisationItem,
)
from shared.data.transactions import (
    MAX_TRANSACTION_ITEMS,
    CheckedTransactWrite,
    TransactionTooLarge,
    any_condition_failed,
    conditional,
    write_transaction,
)

CONFLICT_ATTEMPTS = 3


class Unchanged(Enum):
    """A parameter's default meaning "leave the attribute as it is" (None means remove it)."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


def _to_item(claim: Claim) -> ClaimItem:
    return ClaimItem(
        claim_id=claim.reference,
        reference=claim.reference,
        school_id=claim.school_id,
        school_name=claim.school_name,
        provider_code=claim.provider_code,
        provider_name=claim.provider_name,
        window_id=claim.window_id,
        academic_year=claim.academic_year.name,
        status=claim.status.value,
        window_status=f"{claim.window_id}#{claim.status.value}",
        created_at=claim.created_at.isoformat(),
        submitted_at=claim.submitted_at,
        submitted_by=claim.submitted_by,
        submitted_by_name=claim.submitted_by_name,
        region=claim.region,
        hourly_rate_pence=claim.hourly_rate_pence,
        total_hours=claim.total_hours,
        amount_pence=claim.amount_pence,
        mentors=[
            {
                "trn": m.trn,
                "first_name": m.first_name,
                "last_name": m.last_name,
                "hours": m.hours,
                "training_type": m.training_type.value,
            }
            for m in claim.mentors
        ],
        version=claim.version,
        validated_run=claim.validated_run,
        payment_run_id=claim.payment_run_id,
        payment_file_key=claim.payment_file_key,
        listed_at=listing_key(claim),
        assigned_to=claim.assigned_to,
        zendesk_url=claim.zendesk_url,
        hold_reason=claim.hold_reason,
        prepared_by=claim.prepared_by,
        provider_answers=claim.provider_answers.model_dump(mode="json") if claim.provider_answers else None,
        school_response=claim.school_response.model_dump(mode="json") if claim.school_response else None,
        clawback=claim.clawback.model_dump(mode="json") if claim.clawback else None,
        clawback_run_id=claim.clawback_run_id,
    )


def _raw(attribute: Any) -> dict[str, Any] | None:
    """A map attribute as read (a MapAttribute or a dict), as a plain dict."""
    if attribute is None:
        return None
    return dict(attribute.as_dict() if hasattr(attribute, "as_dict") else attribute)


def _from_item(item: ClaimItem) -> Claim:
    mentors = []
    for raw in item.mentors or []:
        data = raw.as_dict() if hasattr(raw, "as_dict") else dict(raw)
        mentors.append(
            ClaimMentor(
                trn=str(data["trn"]),
                first_name=str(data["first_name"]),
                last_name=str(data["last_name"]),
                hours=int(data["hours"]),
                training_type=TrainingType(str(data["training_type"])),
            )
        )
    return Claim(
        reference=item.reference,
        school_id=item.school_id,
        school_name=item.school_name,
        provider_code=item.provider_code,
        provider_name=item.provider_name,
        window_id=item.window_id,
        academic_year=AcademicYear.parse(item.academic_year),
        status=ClaimStatus(item.status),
        mentors=tuple(mentors),
        region=item.region,
        hourly_rate_pence=int(item.hourly_rate_pence),
        amount_pence=int(item.amount_pence),
        created_at=dt.datetime.fromisoformat(item.created_at),
        submitted_at=item.submitted_at,
        submitted_by=item.submitted_by,
        submitted_by_name=item.submitted_by_name,
        version=int(item.version),
        validated_run=item.validated_run,
        payment_run_id=item.payment_run_id,
        payment_file_key=item.payment_file_key,
        assigned_to=item.assigned_to,
        zendesk_url=item.zendesk_url,
        hold_reason=item.hold_reason,
        prepared_by=item.prepared_by,
        provider_answers=ProviderAnswers.model_validate(answers) if (answers := _raw(item.provider_answers)) else None,
        school_response=SchoolResponse.model_validate(response) if (response := _raw(item.school_response)) else None,
        audit_requested_at=item.audit_requested_at,
        audit_deadline=dt.date.fromisoformat(item.audit_deadline) if item.audit_deadline else None,
        clawback=ClawbackRequest.model_validate(clawback) if (clawback := _raw(item.clawback)) else None,
        clawback_run_id=item.clawback_run_id,
    )


@dataclass(frozen=True)
class AuditMark:
    """A claim sampled for audit (ADR 0031): the audit, when it was requested and the answers' deadline,
    recorded on the claim in the same write as its change to sampling_in_progress (`StatusChange.audit`)."""

    audit_id: str
    requested_at: dt.datetime
    deadline: dt.date


@dataclass(frozen=True)
class StatusChange:
    """One claim's change for `ClaimsStore.change_statuses` (the arguments of `change_status`).

    `owned_by`: the change happens only if that payment run owns the claim. `file_key`: the payment file the
    claim goes to the payer in, recorded with the change. `validated_run`: the claim is ready for payment
    (support approved it) in the same write. `undo`: support undoing its review decision (the transition
    table's undo rules; an approval's readiness is removed, a rejection's hours counted again within each
    mentor's cap in `caps`, TRN → total hours). `detail`: recorded on the event. `provider_answers`: a
    provider's answers to an audit, stored with the change, only while the claim has none (ADR 0032).
    `audit`: the audit that sampled the claim, recorded with its change to sampling_in_progress (ADR 0031).
    `clawback`: the clawback asked for (or its decision), recorded with the change (ADR 0030).
    `clawback_run`: the claim's key in the clawback index written with the change (CLAWBACK_PENDING when its
    clawback is approved; a clawback run's id when the run takes it). `clawback_owned_by`: the change happens only
    if the claim's key in the clawback index is this one (the run that owns it, or CLAWBACK_PENDING).
    `activity`: an Activity entry recorded in the same transaction (support's decisions on one claim).
    """

    claim: Claim
    to_status: ClaimStatus
    reason: str | None = None
    unpaid_reason: str | Unchanged | None = UNCHANGED
    owned_by: str | None = None
    file_key: str | None = None
    validated_run: str | None = None
    undo: bool = False
    caps: dict[str, int] | None = None
    detail: dict[str, Any] | None = None
    provider_answers: ProviderAnswers | None = None
    audit: AuditMark | None = None
    clawback: ClawbackRequest | None = None
    clawback_run: str | None = None
    clawback_owned_by: str | None = None
    activity: ActivityEntry | None = None

    @property
    def writes(self) -> int:
        """The transaction items it takes: the claim and its event, and each mentor's allowance if its hours
        go back or are counted again."""
        moves_hours = releases_hours(self.claim.status, self.to_status) or retakes_hours(
            self.claim.status, self.to_status
        )
        return 2 + (len(self.claim.mentors) if moves_hours else 0) + (1 if self.activity else 0)


# DynamoDB's TransactWriteItems takes 100 actions; a status change that gives no hours back is two (the
# claim and its event), and a group adds one update of the Overview's counters (ADR 0028). Changes that
# release hours also write each mentor's allowance item.
GROUP_SIZE = (MAX_TRANSACTION_ITEMS - 1) // 2
# Taking claims for a payment run: each claim and its event, plus one check that the run has no file yet.
TAKE_GROUP_SIZE = (MAX_TRANSACTION_ITEMS - 1) // 2


def _count(transaction: CheckedTransactWrite, changes: Sequence[tuple[Claim | None, Claim | None]]) -> None:
    """The Overview's counters move with the claims: one update of summed deltas per academic year, in the
    same transaction (ADR 0028). Every write that changes a claim's status or amount calls this."""
    for year_delta in deltas(changes):
        add_to_counters(transaction, year_delta)


def _retrying_conflicts[T](write: Callable[[CheckedTransactWrite], T]) -> T:
    """Build and send a transaction with `write`; one cancelled only by a conflict (another transaction writing
    one of its items at that moment: the same counters shard, most often) is built again, on a new shard, up to
    CONFLICT_ATTEMPTS times. Its conditions decide afresh each time, so nothing is written twice; a failed
    condition is raised at once."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        transaction = write_transaction()
        try:
            with transaction:
                result = write(transaction)
        except TransactWriteError as error:
            if attempt < CONFLICT_ATTEMPTS and transaction.conflicted(error) and not any_condition_failed(error):
                time.sleep(secrets.randbelow(50 * attempt) / 1000)  # apart from the writer it met
                continue
            raise
        return result
    raise AssertionError("unreachable: the last attempt returns or raises")


def _change_status(transaction: TransactWrite, change: StatusChange, actor: str, at: dt.datetime) -> Claim:
    """Add one claim's status change to a transaction (see ClaimsStore.change_status); the claim as it will be.
    The caller adds the counters' update (`_count`) once for all the changes of its transaction."""
    claim, to_status = change.claim, change.to_status
    action = transition(claim.status, to_status, undo=change.undo)
    update: dict[str, Any] = {"status": to_status, "version": claim.version + 1}
    actions: list[Any] = [
        ClaimItem.status.set(to_status.value),
        ClaimItem.window_status.set(f"{claim.window_id}#{to_status.value}"),
        ClaimItem.version.set(claim.version + 1),
    ]
    if isinstance(change.unpaid_reason, str):
        actions.append(ClaimItem.unpaid_reason.set(change.unpaid_reason))
    elif change.unpaid_reason is None:
        actions.append(ClaimItem.unpaid_reason.remove())
    if change.file_key is not None:
        actions.append(ClaimItem.payment_file_key.set(change.file_key))
        update["payment_file_key"] = change.file_key
    if change.validated_run is not None:
        actions.append(ClaimItem.validated_run.set(change.validated_run))
        update["validated_run"] = change.validated_run
    elif change.undo and claim.validated_run is not None:  # an approval undone: no longer ready for payment
        actions.append(ClaimItem.validated_run.remove())
        update["validated_run"] = None
    condition = (ClaimItem.status == claim.status.value) & (ClaimItem.version == claim.version)
    if change.provider_answers is not None:
        actions.append(ClaimItem.provider_answers.set(change.provider_answers.model_dump(mode="json")))
        update["provider_answers"] = change.provider_answers
        condition &= ClaimItem.provider_answers.does_not_exist()
    updated = claim.model_copy(update=update)
    if change.owned_by is not None:
        condition &= ClaimItem.payment_run_id == change.owned_by
    if change.audit is not None:
        actions += [
            ClaimItem.audit_id.set(change.audit.audit_id),
            ClaimItem.audit_requested_at.set(change.audit.requested_at),
            ClaimItem.audit_deadline.set(change.audit.deadline.isoformat()),
        ]
    if change.clawback is not None:
        actions.append(ClaimItem.clawback.set(change.clawback.model_dump(mode="json")))
        updated = updated.model_copy(update={"clawback": change.clawback})
    if change.clawback_run is not None:
        actions.append(ClaimItem.clawback_run_id.set(change.clawback_run))
        updated = updated.model_copy(update={"clawback_run_id": change.clawback_run})
    if change.clawback_owned_by is not None:
        condition &= ClaimItem.clawback_run_id == change.clawback_owned_by
    transaction.update(ClaimItem(claim_id=claim.reference), actions=actions, condition=condition)
    if releases_hours(claim.status, to_status):
        for mentor in claim.mentors:
            transaction.update(
                AllowanceItem(allowance_id=allowance_id(mentor.trn, claim.provider_code, claim.academic_year)),
                actions=[AllowanceItem.used.add(-mentor.hours)],
                condition=AllowanceItem.used >= mentor.hours,
            )
    if retakes_hours(claim.status, to_status):
        caps = change.caps or {}
        for mentor in claim.mentors:
            transaction.update(
                AllowanceItem(allowance_id=allowance_id(mentor.trn, claim.provider_code, claim.academic_year)),
                actions=[AllowanceItem.used.add(mentor.hours)],
                condition=AllowanceItem.used.does_not_exist()
                | (AllowanceItem.used <= caps.get(mentor.trn, 0) - mentor.hours),
            )
    event = new_event(updated, action, claim.status, actor, at, change.reason)
    if change.detail:
        event.detail = change.detail
    transaction.save(event)
    if change.activity is not None:
        transaction.save(activity_item(change.activity), condition=ActivityItem.activity_id.does_not_exist())
    return updated


@dataclass(frozen=True)
class Submitted:
    reference: str
    first_time: bool


class ClaimsStore:
    def for_school(self, school_id: str) -> list[Claim]:
        """Every claim of a school, newest first: one Query on the school index."""
        return [_from_item(item) for item in ClaimItem.by_school.query(school_id, scan_index_forward=False)]

    def for_provider(self, provider_code: str, status: ClaimStatus) -> list[Claim]:
        """A provider's claims in one status, oldest first: one Query on the provider index (paged by PynamoDB),
        filtered to the status (ADR 0032)."""
        return [
            _from_item(item)
            for item in ClaimItem.by_provider.query(provider_code, filter_condition=ClaimItem.status == status.value)
        ]

    def get(self, reference: str) -> Claim:
        try:
            return _from_item(ClaimItem.get(reference))
        except DoesNotExist:
            raise ClaimNotFound(reference) from None

    def submit(
        self,
        claim: Claim,
        caps: dict[str, int],
        journey_id: str,
        actor: str,
        at: dt.datetime,
        mentors_version: int,
        draft: Claim | None = None,
    ) -> Submitted:
        """Write the claim, its mentors' hours and its first event in one transaction.

        `caps` is each mentor's total allowance (by TRN); `mentors_version` is the school's mentor-list
        version read *before* its mentors were (`Mentors.list_version`). The transaction writes nothing and
        raises AllowanceExceeded when any mentor's hours would pass the cap, MentorListChanged when a mentor
        has left the school's list since, WindowClosedDuringSubmission when the claim window has closed, JourneyFinished
        when this journey has already submitted a claim, DuplicateReference when the reference is taken, and
        ConcurrentUpdate when it collided with another transaction.

        With `draft` (the draft as read, ADR 0022), the claim is that draft submitted: the same reference,
        the draft item updated only while it is still that draft (its status and version), the change
        DRAFT → SUBMITTED through the transition table and its event, in the same transaction as the hours
        and the checks; DraftChanged when the draft is no longer the one read.
        """
        transaction = write_transaction()
        try:
            with transaction:
                self._submit(transaction, claim, caps, journey_id, actor, at, mentors_version, draft)
        except TransactWriteError as error:
            if draft is not None and "draft" in transaction.failed_labels(error):
                raise DraftChanged(claim.reference) from error
            why = submit_failure(transaction, error)
            if why == "journey":
                raise JourneyFinished(journey_id) from error
            if why == "window":
                raise WindowClosedDuringSubmission(claim.window_id) from error
            if why == "mentors":
                raise MentorListChanged(claim.reference) from error
            if why == "allowance":
                raise AllowanceExceeded(claim.reference) from error
            if why == "reference":
                raise DuplicateReference(claim.reference) from error
            raise ConcurrentUpdate(claim.reference) from error
        return Submitted(claim.reference, True)

    def _submit(
        self,
        transaction: CheckedTransactWrite,
        claim: Claim,
        caps: dict[str, int],
        journey_id: str,
        actor: str,
        at: dt.datetime,
        mentors_version: int,
        draft: Claim | None = None,
    ) -> None:
        year = claim.academic_year
        if draft is None:
            transaction.save(_to_item(claim), condition=ClaimItem.claim_id.does_not_exist(), label="reference")
        else:
            action = transition(draft.status, claim.status)
            same = (draft.reference, draft.school_id, draft.version + 1) == (
                claim.reference,
                claim.school_id,
                claim.version,
            )
            if not same or claim.submitted_at is None:
                raise ValueError("a draft is submitted as itself, one version on, with when it was submitted")
            item = _to_item(claim)
            transaction.update(
                ClaimItem(claim_id=draft.reference),
                actions=[
                    ClaimItem.status.set(item.status),
                    ClaimItem.window_status.set(item.window_status),
                    ClaimItem.provider_code.set(item.provider_code),
                    ClaimItem.provider_name.set(item.provider_name),
                    ClaimItem.mentors.set(item.mentors),
                    ClaimItem.region.set(item.region),
                    ClaimItem.hourly_rate_pence.set(item.hourly_rate_pence),
                    ClaimItem.total_hours.set(item.total_hours),
                    ClaimItem.amount_pence.set(item.amount_pence),
                    ClaimItem.submitted_at.set(claim.submitted_at),
                    ClaimItem.submitted_by.set(item.submitted_by),
                    ClaimItem.submitted_by_name.set(item.submitted_by_name),
                    ClaimItem.listed_at.set(item.listed_at),
                    ClaimItem.version.set(claim.version),
                ],
                condition=(ClaimItem.status == draft.status.value)
                & (ClaimItem.version == draft.version)
                & (ClaimItem.school_id == draft.school_id)
                & (ClaimItem.window_id == claim.window_id),
                label="draft",
            )
        _finish_journey_in_open_window(transaction, journey_id, claim)
        # No mentor may have left the school's list since the list was read: one check for all of them.
        transaction.condition_check(
            OrganisationItem,
            claim.school_id,
            condition=(OrganisationItem.mentors_version == mentors_version)
            if mentors_version
            else OrganisationItem.mentors_version.does_not_exist(),
            label="mentors",
        )
        for mentor in claim.mentors:
            limit = caps[mentor.trn] - mentor.hours
            if limit < 0:
                raise AllowanceExceeded(mentor.trn)
            transaction.update(
                AllowanceItem(allowance_id=allowance_id(mentor.trn, claim.provider_code, year)),
                actions=[
                    AllowanceItem.used.add(mentor.hours),
                    AllowanceItem.school_ids.add({claim.school_id}),
                    AllowanceItem.trn.set(mentor.trn),
                    AllowanceItem.provider_code.set(claim.provider_code),
                    AllowanceItem.academic_year.set(year.name),
                ],
                condition=AllowanceItem.used.does_not_exist() | (AllowanceItem.used <= limit),
                label="allowance",
            )
        if draft is None:
            transaction.save(new_event(claim, "submitted", None, actor, at))
        else:
            transaction.save(new_event(claim, action, draft.status, actor, at))
        _count(transaction, [(draft, claim)])

    def save_draft(self, claim: Claim, journey_id: str, actor: str, at: dt.datetime) -> None:
        """Write a draft DfE support prepared for a school (ADR 0022), once: the new item (only if the reference
        is not taken), the journey finished with it, the window still open, and the claim event
        `draft_prepared_by_support`, in one transaction. A draft holds no hours, so no allowance changes.

        Raises JourneyFinished when this journey has already saved its draft, WindowClosedDuringSubmission when
        the window has closed (a draft written after the close would never be carried or expired),
        DuplicateReference when the reference is taken, ConcurrentUpdate on a collision.
        """
        if claim.status is not ClaimStatus.DRAFT or claim.prepared_by is None:
            raise ValueError("only a draft prepared by support is saved as one")
        transaction = write_transaction()
        try:
            with transaction:
                transaction.save(_to_item(claim), condition=ClaimItem.claim_id.does_not_exist(), label="reference")
                _finish_journey_in_open_window(transaction, journey_id, claim)
                transaction.save(
                    new_event(claim, DRAFT_PREPARED_BY_SUPPORT, None, actor, at, "Prepared for the school")
                )
                _count(transaction, [(None, claim)])
        except TransactWriteError as error:
            failed = transaction.failed_labels(error)
            if "journey" in failed:
                raise JourneyFinished(journey_id) from error
            if "window" in failed:
                raise WindowClosedDuringSubmission(claim.window_id) from error
            if "reference" in failed:
                raise DuplicateReference(claim.reference) from error
            raise ConcurrentUpdate(claim.reference) from error

    def change_status(
        self,
        claim: Claim,
        to_status: ClaimStatus,
        actor: str,
        at: dt.datetime,
        reason: str | None = None,
        unpaid_reason: str | Unchanged | None = UNCHANGED,
        *,
        validated_run: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> Claim:
        """The one way a status changes: the transition table, a conditional write on the status and
        version, hours released in the same transaction when the new status gives them back, and an event.

        `unpaid_reason` (the payer's reason for needing information) is set with a string, removed with
        None, and left alone by default, in the same conditional write as the status. `validated_run` marks
        the claim ready for payment in the same write (support approved it).
        """
        change = StatusChange(claim, to_status, reason, unpaid_reason, validated_run=validated_run, detail=detail)
        return self.apply(change, actor, at)

    def apply(self, change: StatusChange, actor: str, at: dt.datetime) -> Claim:
        """One `StatusChange` in its own transaction; ConcurrentUpdate when its condition failed."""

        def write(transaction: CheckedTransactWrite) -> Claim:
            updated = _change_status(transaction, change, actor, at)
            _count(transaction, [(change.claim, updated)])
            return updated

        try:
            return _retrying_conflicts(write)
        except TransactWriteError as error:
            raise ConcurrentUpdate(change.claim.reference) from error

    def change_statuses(self, changes: Sequence[StatusChange], actor: str, at: dt.datetime) -> list[Claim]:
        """`change_status` for up to GROUP_SIZE claims in ONE transaction: every claim changes, each with
        its conditional write and event, or none does (ConcurrentUpdate naming the first). For batch work
        on thousands of claims, where a request per claim would not fit a Lambda's time."""
        years = {change.claim.academic_year for change in changes}
        writes = sum(change.writes for change in changes) + len(years)  # one counters update a year
        if len(changes) > GROUP_SIZE or writes > MAX_TRANSACTION_ITEMS:
            raise TransactionTooLarge(f"{len(changes)} claims ({writes} writes) do not fit one transaction")
        if not changes:
            return []

        def write(transaction: CheckedTransactWrite) -> list[Claim]:
            updated = [_change_status(transaction, change, actor, at) for change in changes]
            _count(transaction, [(change.claim, new) for change, new in zip(changes, updated, strict=True)])
            return updated

        try:
            return _retrying_conflicts(write)
        except TransactWriteError as error:
            raise ConcurrentUpdate(changes[0].claim.reference) from error

    # -- support's work on a claim: each a conditional write with its event, in one transaction ----------
    def annotate(
        self,
        claim: Claim,
        action: str,
        actor: str,
        at: dt.datetime,
        reason: str | None = None,
        *,
        assigned_to: str | Unchanged | None = UNCHANGED,
        zendesk_url: str | Unchanged | None = UNCHANGED,
        detail: dict[str, Any] | None = None,
    ) -> Claim:
        """Who looks after the claim, its ticket, or a note (an event alone): the status, amount and version
        are untouched, so a payment run reading the claim meanwhile is not disturbed. ClaimNotFound when the
        claim has gone."""
        actions: list[Any] = []
        update: dict[str, Any] = {}
        for attribute, value, name in (
            (ClaimItem.assigned_to, assigned_to, "assigned_to"),
            (ClaimItem.zendesk_url, zendesk_url, "zendesk_url"),
        ):
            if value is UNCHANGED:
                continue
            actions.append(attribute.set(value) if value is not None else attribute.remove())
            update[name] = value
        updated = claim.model_copy(update=update)
        event = new_event(updated, action, claim.status, actor, at, reason)
        if detail:
            event.detail = detail
        try:
            with write_transaction() as transaction:
                if actions:
                    transaction.update(
                        ClaimItem(claim_id=claim.reference), actions=actions, condition=ClaimItem.claim_id.exists()
                    )
                else:
                    transaction.condition_check(ClaimItem, claim.reference, condition=ClaimItem.claim_id.exists())
                transaction.save(event)
        except TransactWriteError as error:
            raise ClaimNotFound(claim.reference) from error
        return updated

    def record_school_response(self, claim: Claim, response: SchoolResponse, actor: str, at: dt.datetime) -> Claim:
        """The school's response to its provider's audit answers (ADR 0032): kept on the claim, once, while it
        is still the claim read (its status and version), with its event; the status stays for support to
        decide. ConcurrentUpdate when the claim moved on or already has a response."""
        updated = claim.model_copy(update={"school_response": response, "version": claim.version + 1})
        event = new_event(updated, "school_responded_to_audit", claim.status, actor, at, response.explanation or None)
        event.detail = {"agrees": response.agrees, "explanation": response.explanation}
        try:
            with write_transaction() as transaction:
                transaction.update(
                    ClaimItem(claim_id=claim.reference),
                    actions=[
                        ClaimItem.school_response.set(response.model_dump(mode="json")),
                        ClaimItem.version.set(claim.version + 1),
                    ],
                    condition=(ClaimItem.status == claim.status.value)
                    & (ClaimItem.version == claim.version)
                    & ClaimItem.school_response.does_not_exist(),
                )
                transaction.save(event)
        except TransactWriteError as error:
            raise ConcurrentUpdate(claim.reference) from error
        return updated

    def hold(self, claim: Claim, reason: str, actor: str, at: dt.datetime) -> Claim:
        """Put the claim on hold: only while no payment run has taken it (and no run takes it while held:
        `take_for_run` is conditional on there being no hold). ConcurrentUpdate when a run took it first, it
        is already held, or its status moved on."""
        updated = claim.model_copy(update={"hold_reason": reason})
        try:
            with write_transaction() as transaction:
                transaction.update(
                    ClaimItem(claim_id=claim.reference),
                    actions=[ClaimItem.hold_reason.set(reason)],
                    condition=ClaimItem.payment_run_id.does_not_exist()
                    & ClaimItem.hold_reason.does_not_exist()
                    & (ClaimItem.status == claim.status.value),
                )
                transaction.save(new_event(updated, "put_on_hold", claim.status, actor, at, reason))
        except TransactWriteError as error:
            raise ConcurrentUpdate(claim.reference) from error
        return updated

    def remove_hold(self, claim: Claim, actor: str, at: dt.datetime) -> Claim:
        """Take the hold off: the next payment run of its window can take the claim again."""
        updated = claim.model_copy(update={"hold_reason": None})
        try:
            with write_transaction() as transaction:
                transaction.update(
                    ClaimItem(claim_id=claim.reference),
                    actions=[ClaimItem.hold_reason.remove()],
                    condition=ClaimItem.hold_reason.exists(),
                )
                transaction.save(new_event(updated, "hold_removed", claim.status, actor, at, claim.hold_reason))
        except TransactWriteError as error:
            raise ConcurrentUpdate(claim.reference) from error
        return updated

    def amend(
        self, claim: Claim, trn: str, new_hours: int, cap: int, reason: str, actor: str, at: dt.datetime
    ) -> Claim:
        """Change one mentor's hours (0: take the mentor off) before a payment run has taken the claim: the
        claim (mentors, total, amount at its snapshotted rate, version), the mentor's allowance (within `cap`,
        the mentor's total hours with this provider this year) and an event saying old → new, in one
        transaction conditional on the claim being as it was read. AllowanceExceeded when the cap would be
        passed; ConcurrentUpdate when the claim changed or a run took it."""
        mentor = next(m for m in claim.mentors if m.trn == trn)
        delta = new_hours - mentor.hours
        mentors = tuple(
            m.model_copy(update={"hours": new_hours}) if m.trn == trn else m
            for m in claim.mentors
            if m.trn != trn or new_hours > 0
        )
        total = sum(m.hours for m in mentors)
        amount = total * claim.hourly_rate_pence
        updated = claim.model_copy(update={"mentors": mentors, "amount_pence": amount, "version": claim.version + 1})
        allowance_key = allowance_id(trn, claim.provider_code, claim.academic_year)
        detail = {
            "trn": trn,
            "mentor": mentor.full_name,
            "old_hours": mentor.hours,
            "new_hours": new_hours,
            "old_amount_pence": claim.amount_pence,
            "new_amount_pence": amount,
        }
        transaction = write_transaction()
        try:
            with transaction:
                transaction.update(
                    ClaimItem(claim_id=claim.reference),
                    actions=[
                        ClaimItem.mentors.set(_to_item(updated).mentors),
                        ClaimItem.total_hours.set(total),
                        ClaimItem.amount_pence.set(amount),
                        ClaimItem.version.set(updated.version),
                    ],
                    condition=(ClaimItem.status == claim.status.value)
                    & (ClaimItem.version == claim.version)
                    & ClaimItem.payment_run_id.does_not_exist(),
                    label="claim",
                )
                transaction.update(
                    AllowanceItem(allowance_id=allowance_key),
                    actions=[AllowanceItem.used.add(delta)],
                    condition=(AllowanceItem.used <= cap - delta) if delta > 0 else (AllowanceItem.used >= -delta),
                    label="allowance",
                )
                event = new_event(updated, "amended_by_support", claim.status, actor, at, reason)
                event.detail = detail
                transaction.save(event)
                _count(transaction, [(claim, updated)])
        except TransactWriteError as error:
            if "allowance" in transaction.failed_labels(error):
                raise AllowanceExceeded(trn) from error
            raise ConcurrentUpdate(claim.reference) from error
        return updated

    # -- payment runs own their claims ---------------------------------------------------------------
    def take_for_run(self, claims: Sequence[Claim], run_id: str, at: dt.datetime) -> list[Claim]:
        """Make `run_id` the owner of up to TAKE_GROUP_SIZE ready claims in ONE transaction: each claim only
        if no run owns it, it is still submitted and ready, and unchanged since it was read; and only while
        the run has no file, so nothing is taken after the file is written. The run's record counts the
        claims it owns and their total in the same transaction: an exact count that the (eventually
        consistent) run index is checked against. ConcurrentUpdate (nothing written) when any condition fails."""
        if len(claims) > TAKE_GROUP_SIZE:
            raise TransactionTooLarge(f"{len(claims)} claims do not fit one transaction")
        if not claims:
            return []
        if any(claim.on_hold for claim in claims):
            raise ConcurrentUpdate(next(c.reference for c in claims if c.on_hold))
        taken = [c.model_copy(update={"payment_run_id": run_id, "version": c.version + 1}) for c in claims]
        try:
            with write_transaction() as transaction:
                transaction.update(
                    BatchItem(batch_id=run_id),
                    actions=[
                        BatchItem.owned.add(len(claims)),
                        BatchItem.owned_pence.add(sum(claim.amount_pence for claim in claims)),
                    ],
                    condition=BatchItem.batch_id.exists() & BatchItem.file_key.does_not_exist(),
                )
                for claim, updated in zip(claims, taken, strict=True):
                    transaction.update(
                        ClaimItem(claim_id=claim.reference),
                        actions=[ClaimItem.payment_run_id.set(run_id), ClaimItem.version.set(updated.version)],
                        condition=ClaimItem.payment_run_id.does_not_exist()
                        & ClaimItem.hold_reason.does_not_exist()  # a held claim is taken by no run
                        & ClaimItem.validated_run.exists()
                        & (ClaimItem.status == ClaimStatus.SUBMITTED.value)
                        & (ClaimItem.version == claim.version),
                    )
                    transaction.save(
                        new_event(updated, "taken_for_payment_run", claim.status, "payment-run", at, f"In {run_id}")
                    )
        except TransactWriteError as error:
            raise ConcurrentUpdate(claims[0].reference) from error
        return taken

    def count_owned(self, run_id: str) -> int:
        """How many claims the run index lists for the run (it can lag behind the run's own count)."""
        return ClaimItem.by_run.count(run_id)

    def owned_by_run(self, run_id: str, page_size: int = 500) -> Iterator[list[Claim]]:
        """The claims a run owns, by reference, a page (one Query on the run index) at a time."""
        last_key: dict[str, Any] | None = None
        while True:
            result = ClaimItem.by_run.query(run_id, limit=page_size, last_evaluated_key=last_key)
            claims = [_from_item(item) for item in result]
            if claims:
                yield claims
            last_key = result.last_evaluated_key
            if not last_key:
                return

    def get_many(self, references: list[str], consistent: bool = False) -> list[Claim]:
        """The claims with these references that exist, in the order asked: BatchGets of 100 keys (strongly
        consistent when asked: what an index said a moment ago is checked against the items themselves)."""
        keys = list(dict.fromkeys(references))
        found = {item.claim_id: _from_item(item) for item in ClaimItem.batch_get(keys, consistent_read=consistent)}
        return [found[reference] for reference in references if reference in found]

    def in_window(
        self, window_id: str, status: ClaimStatus, page_size: int, start_after: str | None
    ) -> tuple[list[Claim], str | None]:
        """One page of a window's claims in a status, by reference (for batch tasks: never a Scan)."""
        last_key: dict[str, Any] | None = None
        if start_after:
            last_key = {
                "claim_id": {"S": start_after},
                "reference": {"S": start_after},
                "window_status": {"S": f"{window_id}#{status.value}"},
            }
        result = ClaimItem.by_window_status.query(
            f"{window_id}#{status.value}", limit=page_size, last_evaluated_key=last_key
        )
        claims = [_from_item(item) for item in result]
        key = result.last_evaluated_key
        return claims, (key["reference"]["S"] if key else None)

    def pages_in_window(self, window_id: str, status: ClaimStatus, page_size: int = 100) -> Iterator[list[Claim]]:
        """Every claim of a window in a status, a page (one Query) at a time, by reference."""
        cursor: str | None = None
        while True:
            claims, cursor = self.in_window(window_id, status, page_size, cursor)
            if claims:
                yield claims
            if cursor is None:
                return

    def move_to_window(self, claim: Claim, window_id: str, actor: str, at: dt.datetime, reason: str) -> Claim:
        """Carry a claim (a draft) to another window: a conditional write and an event."""
        updated = claim.model_copy(update={"window_id": window_id, "version": claim.version + 1})
        try:
            with write_transaction() as transaction:
                transaction.update(
                    ClaimItem(claim_id=claim.reference),
                    actions=[
                        ClaimItem.window_id.set(window_id),
                        ClaimItem.window_status.set(f"{window_id}#{claim.status.value}"),
                        ClaimItem.version.set(updated.version),
                    ],
                    condition=(ClaimItem.status == claim.status.value) & (ClaimItem.version == claim.version),
                )
                transaction.save(new_event(updated, "carried_to_next_window", claim.status, actor, at, reason))
        except TransactWriteError as error:
            raise ConcurrentUpdate(claim.reference) from error
        return updated

    def page_bounds(self, window_id: str, status: ClaimStatus, page_size: int) -> list[tuple[str, str]]:
        """The window's claims in a status cut into pages of references, first and last of each
        (reading keys only): the items a Map of page tasks works through."""
        bounds: list[tuple[str, str]] = []
        page: list[str] = []
        for item in ClaimItem.by_window_status.query(f"{window_id}#{status.value}", attributes_to_get=["reference"]):
            page.append(item.reference)
            if len(page) == page_size:
                bounds.append((page[0], page[-1]))
                page = []
        if page:
            bounds.append((page[0], page[-1]))
        return bounds

    def in_range(self, window_id: str, status: ClaimStatus, first: str, last: str) -> list[Claim]:
        """The window's claims in a status with references from `first` to `last` (one page)."""
        query = ClaimItem.by_window_status.query(
            f"{window_id}#{status.value}", range_key_condition=ClaimItem.reference.between(first, last)
        )
        return [_from_item(item) for item in query]

    def mark_validated(self, claim: Claim, run_id: str, detail: dict[str, Any], at: dt.datetime) -> Claim:
        """Record that the claim passed its checks in this run: a conditional write and an event."""
        updated = claim.model_copy(update={"version": claim.version + 1, "validated_run": run_id})
        try:
            with write_transaction() as transaction:
                transaction.update(
                    ClaimItem(claim_id=claim.reference),
                    actions=[ClaimItem.validated_run.set(run_id), ClaimItem.version.set(updated.version)],
                    condition=(ClaimItem.status == claim.status.value) & (ClaimItem.version == claim.version),
                )
                event = new_event(
                    updated, "validated", claim.status, "payment-run", at, f"Passed every check in {run_id}"
                )
                event.detail = detail
                transaction.save(event)
        except TransactWriteError as error:
            raise ConcurrentUpdate(claim.reference) from error
        return updated

    def review_holder(self, reference: str) -> tuple[ClaimStatus, str | None, str | None]:
        """The claim's status, and the task token and run of the review waiting on it (a consistent read)."""
        try:
            item = ClaimItem.get(reference, consistent_read=True)
        except DoesNotExist:
            raise ClaimNotFound(reference) from None
        return ClaimStatus(item.status), item.review_token, item.review_run

    def store_review_token(self, reference: str, token: str, run_id: str, replacing: str | None) -> bool:
        """Keep a run's task token with a claim waiting for review, in place of `replacing` (the token read a
        moment before, or None when there was none): one conditional write, so a token is never overwritten
        by a run that did not read it. False when the claim is no longer in review (a decision came first)
        or the token changed since it was read."""
        held = ClaimItem.review_token.does_not_exist() if replacing is None else ClaimItem.review_token == replacing
        return conditional(
            lambda: ClaimItem(claim_id=reference).update(
                actions=[ClaimItem.review_token.set(token), ClaimItem.review_run.set(run_id)],
                condition=(ClaimItem.status == ClaimStatus.SUPPORT_REVIEW.value) & held,
            )
        )

    def take_review_token(self, reference: str, run_id: str | None = None) -> str | None:
        """The task token stored with a claim, removed in the same conditional write that reads it: of two
        decisions at once, only one gets the token (None: there is none, or the other took it). With
        `run_id`, only that run's token is taken (a review that timed out leaves another run's alone)."""
        condition = ClaimItem.review_token.exists()
        if run_id is not None:
            condition &= ClaimItem.review_run == run_id
        try:
            response = ClaimItem._get_connection().update_item(
                reference,
                actions=[ClaimItem.review_token.remove(), ClaimItem.review_run.remove()],
                condition=condition,
                return_values="ALL_OLD",
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        token: str | None = response.get("Attributes", {}).get("review_token", {}).get("S")
        return token

    def record_event(self, reference: str, action: str, actor: str, at: dt.datetime, reason: str) -> None:
        """An event that changes no status (e.g. a review that timed out)."""
        claim = self.get(reference)
        new_event(claim, action, claim.status, actor, at, reason).save()

    def events(self, reference: str) -> list[dict[str, Any]]:
        """Every event of the claim, oldest first (`shared.data.claim_events`)."""
        return events_of(reference)


def _finish_journey_in_open_window(transaction: CheckedTransactWrite, journey_id: str, claim: Claim) -> None:
    """The journey finishes with this claim (once: label "journey"), while the claim's window is still open
    (label "window"): the payment run marks a window closed before it plans validation, so a claim written
    after that would never be checked."""
    transaction.update(
        JourneyItem(journey_id=journey_id),
        actions=[JourneyItem.result.set(claim.reference)],
        condition=JourneyItem.journey_id.exists() & JourneyItem.result.does_not_exist(),
        label="journey",
    )
    transaction.condition_check(
        ClaimWindowItem,
        claim.window_id,
        condition=ClaimWindowItem.window_id.exists() & ClaimWindowItem.closed_at.does_not_exist(),
        label="window",
    )


def submit_failure(transaction: CheckedTransactWrite, error: TransactWriteError) -> str:
    """Why a submit transaction was cancelled: "journey", "window", "mentors", "allowance", "reference",
    or "conflict" (another transaction was writing one of its items; the conditions decide on a retry)."""
    if transaction.conflicted(error):
        return "conflict"
    failed = transaction.failed_labels(error)
    for why in ("journey", "window", "mentors", "allowance", "reference"):
        if why in failed:
            return why
    return "unknown" if failed else "conflict"
