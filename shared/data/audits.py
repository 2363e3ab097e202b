"""Audits in DynamoDB (ADR 0031): the audit's record, one record per provider in it, and its claims.

An audit is a batch (`kind="audit"`, listed by the batches' kind index): its academic year, the sample's
seed, who started it and when, its status, counts and the providers in it (sorted; the workflow cuts them
into pages). Each provider of an audit has a record of its own (`kind="audit_provider"`, key
`<audit id>#<provider code>`) holding the emails already queued to its users, so a retried step emails
nobody twice. A claim under audit carries `audit_id`, `audit_requested_at` and `audit_deadline`, written
with its change to sampling_in_progress; the sparse audit index lists them by provider.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import DoesNotExist

from shared.claims.academic_years import AcademicYear
from shared.claims.audit_schedule import AuditStatus
from shared.claims.claim import Claim
from shared.claims.errors import ConcurrentUpdate
from shared.claims.statuses import ClaimStatus
from shared.data.claims import GROUP_SIZE, AuditMark, ClaimsStore, StatusChange
from shared.data.items import BatchItem, ClaimItem, map_as_dict
from shared.data.transactions import conditional

KIND = "audit"
PROVIDER_KIND = "audit_provider"
PROVIDERS_PAGE = 25  # providers emailed per workflow page task


@dataclass(frozen=True)
class Audit:
    audit_id: str
    academic_year: str
    seed: int
    started_by: str
    started_by_name: str
    created_at: dt.datetime
    status: AuditStatus
    providers: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)
    requested_at: dt.datetime | None = None
    deadline: dt.date | None = None
    chasers: int = 0
    overdue_at: dt.datetime | None = None
    failure: str | None = None

    @property
    def pages(self) -> int:
        return -(-len(self.providers) // PROVIDERS_PAGE)

    def page(self, number: int) -> tuple[str, ...]:
        return self.providers[number * PROVIDERS_PAGE : (number + 1) * PROVIDERS_PAGE]


@dataclass(frozen=True)
class AuditedClaim:
    """A claim under audit, as support's list shows it."""

    reference: str
    school_name: str
    provider_code: str
    provider_name: str
    status: ClaimStatus
    deadline: dt.date | None


@dataclass(frozen=True)
class Sampled:
    """What confirming a sample did: the claims moved, and those skipped because they changed meanwhile."""

    moved: list[Claim]
    skipped: list[str]


def _audit(item: BatchItem) -> Audit:
    failure = map_as_dict(item.failure)
    return Audit(
        audit_id=item.batch_id,
        academic_year=item.academic_year or "",
        seed=int(item.seed or 0),
        started_by=item.started_by or "",
        started_by_name=item.started_by_name or "",
        created_at=dt.datetime.fromisoformat(item.created_at),
        status=AuditStatus(item.status),
        providers=tuple(item.providers or ()),
        counts={name: int(value) for name, value in map_as_dict(item.counts).items()},
        requested_at=item.requested_at,
        deadline=dt.date.fromisoformat(item.deadline) if item.deadline else None,
        chasers=int(item.chasers or 0),
        overdue_at=item.overdue_at,
        failure=str(failure.get("error", "")) if failure else None,
    )


def _audited(item: ClaimItem) -> AuditedClaim:
    return AuditedClaim(
        reference=item.reference,
        school_name=item.school_name,
        provider_code=item.provider_code,
        provider_name=item.provider_name,
        status=ClaimStatus(item.status),
        deadline=dt.date.fromisoformat(item.audit_deadline) if item.audit_deadline else None,
    )


class Audits:
    # -- the audit's record --------------------------------------------------------------------------
    def create(self, audit: Audit) -> bool:
        """Record the audit once; False when its id is taken (a second "Confirm sample")."""
        return conditional(
            lambda: BatchItem(
                batch_id=audit.audit_id,
                kind=KIND,
                created_at=audit.created_at.isoformat(),
                status=audit.status.value,
                academic_year=audit.academic_year,
                seed=audit.seed,
                started_by=audit.started_by,
                started_by_name=audit.started_by_name,
                providers=list(audit.providers),
                counts=dict(audit.counts),
                requested_at=audit.requested_at,
                deadline=audit.deadline.isoformat() if audit.deadline else None,
                chasers=0,
            ).save(condition=BatchItem.batch_id.does_not_exist())
        )

    def get(self, audit_id: str) -> Audit | None:
        try:
            item = BatchItem.get(audit_id, consistent_read=True)
        except DoesNotExist:
            return None
        return _audit(item) if item.kind == KIND else None

    def all(self) -> list[Audit]:
        """Every audit, newest first: one Query on the batches' kind index (a few a year)."""
        return [_audit(item) for item in BatchItem.by_kind.query(KIND, scan_index_forward=False)]

    def record_counts(self, audit_id: str, **counts: int) -> None:
        BatchItem(batch_id=audit_id).update(
            actions=[BatchItem.counts[name].set(value) for name, value in counts.items()],
            condition=BatchItem.batch_id.exists(),
        )

    def move(self, audit_id: str, from_status: AuditStatus, to_status: AuditStatus) -> bool:
        """A conditional status change: False when the audit was not in `from_status`."""
        return conditional(
            lambda: BatchItem(batch_id=audit_id).update(
                actions=[BatchItem.status.set(to_status.value)],
                condition=(BatchItem.kind == KIND) & (BatchItem.status == from_status.value),
            )
        )

    def record_chasers(self, audit_id: str, sent: int) -> None:
        """How many weekly chasers have gone (set, not added: a retried step sets the same number)."""
        BatchItem(batch_id=audit_id).update(
            actions=[BatchItem.chasers.set(sent)], condition=BatchItem.batch_id.exists()
        )

    def mark_overdue(self, audit_id: str, at: dt.datetime) -> None:
        BatchItem(batch_id=audit_id).update(
            actions=[BatchItem.overdue_at.set(BatchItem.overdue_at | at)], condition=BatchItem.batch_id.exists()
        )

    def record_failure(self, audit_id: str, error: str, cause: str) -> None:
        BatchItem(batch_id=audit_id).update(
            actions=[
                BatchItem.status.set(AuditStatus.FAILED.value),
                BatchItem.failure.set({"error": error[:200], "cause": cause[:2000]}),
            ],
            condition=BatchItem.kind == KIND,
        )

    # -- each provider's emails --------------------------------------------------------------------------
    def emailed(self, audit_id: str, provider_code: str) -> set[str]:
        """The emails already queued for this provider in this audit ("<kind>#<user id>")."""
        try:
            item = BatchItem.get(f"{audit_id}#{provider_code}", consistent_read=True)
        except DoesNotExist:
            return set()
        return set(item.emailed or ())

    def record_emailed(self, audit_id: str, provider_code: str, key: str, at: dt.datetime) -> None:
        """Note one queued email on the provider's record (made with the first)."""
        conditional(
            lambda: BatchItem(
                batch_id=f"{audit_id}#{provider_code}",
                kind=PROVIDER_KIND,
                created_at=at.isoformat(),
                status="open",
                provider_code=provider_code,
            ).save(condition=BatchItem.batch_id.does_not_exist())
        )
        BatchItem(batch_id=f"{audit_id}#{provider_code}").update(actions=[BatchItem.emailed.add({key})])

    # -- the claims --------------------------------------------------------------------------------------
    @staticmethod
    def paid_references(year: AcademicYear) -> list[str]:
        """The academic year's paid claims: one Query on the listing index (the year's partition), filtered
        to paid, reading the keys only."""
        query = ClaimItem.by_listing.query(
            year.name, filter_condition=ClaimItem.status == ClaimStatus.PAID.value, attributes_to_get=["claim_id"]
        )
        return [item.claim_id for item in query]

    @staticmethod
    def claims_of(audit_id: str) -> list[AuditedClaim]:
        """The claims under the audit, by provider: one Query on the audit index."""
        return [_audited(item) for item in ClaimItem.by_audit.query(audit_id)]

    @staticmethod
    def outstanding(audit_id: str, provider_code: str | None = None) -> Iterator[AuditedClaim]:
        """The audit's claims still waiting for their provider (sampling_in_progress), of one provider when
        given: a Query on the audit index (the provider its range key), filtered to the status."""
        condition = ClaimItem.provider_code == provider_code if provider_code is not None else None
        query = ClaimItem.by_audit.query(
            audit_id,
            range_key_condition=condition,
            filter_condition=ClaimItem.status == ClaimStatus.SAMPLING_IN_PROGRESS.value,
        )
        return (_audited(item) for item in query)

    @staticmethod
    def sample(
        claims: Sequence[Claim],
        mark: AuditMark,
        actor: str,
        at: dt.datetime,
        why: Mapping[str, dict[str, Any]] | None = None,
    ) -> Sampled:
        """Move the claims paid → sampling_in_progress with the audit's mark, in transactions of GROUP_SIZE
        (`ClaimsStore.change_statuses`: the transition table, conditional writes, events, counters); `why`
        (reference → the sample's reason) is recorded on each claim's event. A group refused because one of
        its claims changed since it was read is tried a claim at a time, so only the changed claims are
        skipped."""
        store = ClaimsStore()
        moved: list[Claim] = []
        skipped: list[str] = []
        reasons = why or {}
        for start in range(0, len(claims), GROUP_SIZE):
            group = [
                StatusChange(
                    claim,
                    ClaimStatus.SAMPLING_IN_PROGRESS,
                    reason="Sampled for audit",
                    audit=mark,
                    detail=reasons.get(claim.reference),
                )
                for claim in claims[start : start + GROUP_SIZE]
            ]
            try:
                moved.extend(store.change_statuses(group, actor, at))
                continue
            except ConcurrentUpdate:
                pass
            for change in group:
                try:
                    moved.append(store.apply(change, actor, at))
                except ConcurrentUpdate:
                    skipped.append(change.claim.reference)
        return Sampled(moved, skipped)
