"""Telling a school's users the payer's outcome for their claims: paid, information needed, rejected.

Called with the claims a call has just changed (and only those: a claim an earlier attempt changed, or
someone else moved, is not emailed again). A payer's response covers thousands of claims, many of them
the same school's, so one `OutcomeEmails` reads each school's addresses (and, for a paid claim, its GIAS
details) once, and queues a group's messages together (SQS batches of 10). An email that cannot be built
or queued is logged and left: the outcome it reports stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.claims.claim import Claim
from shared.claims.emails import EmailMessage
from shared.claims.organisations import School
from shared.claims.outcome_emails import (
    claim_paid,
    information_requested,
    paid_through_local_authority,
    rejected_by_payer,
)
from shared.claims.statuses import ClaimStatus
from shared.config import settings
from shared.data.emails import enqueue
from shared.data.organisations import Organisations
from shared.data.users import member_emails
from shared.observability import logger, metrics

EMAILED_STATUSES = frozenset(
    {ClaimStatus.PAID, ClaimStatus.PAYMENT_INFORMATION_REQUESTED, ClaimStatus.PAYMENT_NOT_APPROVED}
)


@dataclass(frozen=True)
class Outcome:
    """A claim that has just reached `status`, with the payer's reason (information needed, rejected)."""

    claim: Claim
    status: ClaimStatus
    reason: str | None = None


class OutcomeEmails:
    """One per call (a confirmation, a follow-up): the school lookups it has made, kept for its claims."""

    def __init__(self, now: dt.datetime) -> None:
        self._now = now
        self._service_url = settings().service_url
        self._addresses: dict[str, list[str]] = {}
        self._schools: dict[str, School | None] = {}

    def queue(self, outcomes: Sequence[Outcome]) -> int:
        """Queue one email per user of each claim's school; the number queued (0 when queueing failed)."""
        emailed = [outcome for outcome in outcomes if outcome.status in EMAILED_STATUSES]
        if not emailed:
            return 0
        messages: list[EmailMessage] = []
        try:
            self._load_schools(o.claim.school_id for o in emailed if o.status is ClaimStatus.PAID)
        except Exception:  # noqa: BLE001 - a paid email without the local authority sentence is still right
            logger.exception("schools for outcome emails not read", extra={"claims": len(emailed)})
        for outcome in emailed:
            try:
                messages.extend(self._messages(outcome))
            except Exception:  # noqa: BLE001 - the outcome stands; the email failure is reported
                logger.exception("claim outcome email not built", extra={"reference": outcome.claim.reference})
        if not messages:
            return 0
        try:
            enqueue(messages)
        except Exception:  # noqa: BLE001 - the outcome stands; the email failure is reported
            logger.exception(
                "claim outcome emails not queued",
                extra={"references": sorted({o.claim.reference for o in emailed}), "messages": len(messages)},
            )
            metrics.add_metric(name="EmailNotQueued", unit="Count", value=1)
            return 0
        metrics.add_metric(name="ClaimOutcomeEmailsQueued", unit="Count", value=len(messages))
        return len(messages)

    def _load_schools(self, school_ids: Iterable[str]) -> None:
        missing = [school_id for school_id in dict.fromkeys(school_ids) if school_id not in self._schools]
        if not missing:
            return
        found = Organisations().schools(missing)
        for school_id in missing:
            self._schools[school_id] = found.get(school_id)

    def _members(self, school_id: str) -> list[str]:
        if school_id not in self._addresses:
            self._addresses[school_id] = member_emails(school_id)
        return self._addresses[school_id]

    def _messages(self, outcome: Outcome) -> list[EmailMessage]:
        claim = outcome.claim
        addresses = self._members(claim.school_id)
        if outcome.status is ClaimStatus.PAID:
            school = self._schools.get(claim.school_id)
            local_authority = school.local_authority_name if school and paid_through_local_authority(school) else None
            return [
                claim_paid(
                    claim, address, paid_at=self._now, service_url=self._service_url, local_authority=local_authority
                )
                for address in addresses
            ]
        build = (
            information_requested if outcome.status is ClaimStatus.PAYMENT_INFORMATION_REQUESTED else rejected_by_payer
        )
        return [build(claim, address, reason=outcome.reason, service_url=self._service_url) for address in addresses]
