"""Funding rates per region per academic year, and the proposals that change them (ADR 0027).

One table, partitioned by academic year ("2025 to 2026"). In each year's partition:
- the approved rate of each region, sort key the region's name ("Inner London"): read by GetItem (a claim's
  rate) or one BatchGetItem of the four regions (the rates page);
- each proposal, sort key `proposal#<proposal id>` (ids sort by time): a year's history is one Query on
  `begins_with(proposal#)`, newest first;
- while a proposal waits, the year's `pending` item naming it: created only if absent, so a year never has
  two pending proposals.
Approving is one transaction: the proposal's status pending → approved (conditional), the `pending` item
deleted (conditional on naming it), the four rates written and the activity entry saved. A region with no
approved rate has the published default (`DEFAULT_HOURLY_RATES_PENCE`), so a new deployment needs no data.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.update import Action

from shared.claims.academic_years import AcademicYear
from shared.claims.activity import ActivityEntry
from shared.claims.errors import ConcurrentUpdate
from shared.claims.funding_rates import ProposalDecided, ProposalPending, ProposalStatus, RateProposal
from shared.claims.regions import DEFAULT_HOURLY_RATES_PENCE, Region
from shared.data.activity import activity_item
from shared.data.items import FundingRateItem, FundingRateProposalItem, PendingFundingRateProposalItem
from shared.data.transactions import any_condition_failed, write_transaction

PROPOSAL = "proposal#"
PENDING = "pending"


def _as_dict(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)


def _pence(value: Any) -> dict[Region, int]:
    return {Region(name): int(pence) for name, pence in _as_dict(value).items()}


def _proposal(item: FundingRateProposalItem) -> RateProposal:
    return RateProposal(
        proposal_id=item.proposal_id,
        academic_year=AcademicYear.parse(item.academic_year),
        rates=_pence(item.rates),
        previous_rates=_pence(item.previous_rates),
        reason=item.reason,
        proposed_by_id=item.proposed_by_id,
        proposed_by_name=item.proposed_by_name,
        proposed_at=item.proposed_at,
        status=ProposalStatus(item.status),
        decided_by_id=item.decided_by_id,
        decided_by_name=item.decided_by_name,
        decided_at=item.decided_at,
        rejection_reason=item.rejection_reason,
    )


def _proposal_item(proposal: RateProposal) -> FundingRateProposalItem:
    return FundingRateProposalItem(
        academic_year=proposal.academic_year.name,
        sort_key=PROPOSAL + proposal.proposal_id,
        proposal_id=proposal.proposal_id,
        status=proposal.status.value,
        rates={region.value: pence for region, pence in proposal.rates.items()},
        previous_rates={region.value: pence for region, pence in proposal.previous_rates.items()},
        reason=proposal.reason,
        proposed_by_id=proposal.proposed_by_id,
        proposed_by_name=proposal.proposed_by_name,
        proposed_at=proposal.proposed_at,
    )


class FundingRates:
    """Hourly rates per region per academic year; the published defaults where none is approved."""

    def rate_pence(self, year: AcademicYear, region: Region) -> int:
        """The approved rate (what a claim is priced at when it is submitted): one GetItem."""
        try:
            return int(FundingRateItem.get(year.name, region.value).rate_pence)
        except DoesNotExist:
            return DEFAULT_HOURLY_RATES_PENCE[region]

    def approved(self, year: AcademicYear) -> dict[Region, int]:
        """The year's approved rates, only the regions that have one: one BatchGetItem."""
        keys = [(year.name, region.value) for region in Region]
        return {Region(item.region): int(item.rate_pence) for item in FundingRateItem.batch_get(keys)}

    def put_approved(self, year: AcademicYear, rates: dict[Region, int], set_by: str, approved_by: str) -> None:
        """Write approved rates directly (the demo data's published rates); the console approves proposals."""
        for region, pence in rates.items():
            FundingRateItem(
                academic_year=year.name,
                region=region.value,
                rate_pence=pence,
                set_by=set_by,
                approved_by=approved_by,
            ).save()

    # -- proposals -------------------------------------------------------------------------------------------
    def proposals(self, year: AcademicYear) -> list[RateProposal]:
        """The year's proposals, newest first: one Query on the year's `proposal#` sort keys."""
        items = FundingRateProposalItem.query(
            year.name, FundingRateProposalItem.sort_key.startswith(PROPOSAL), scan_index_forward=False
        )
        return [_proposal(item) for item in items]

    def proposal(self, year: AcademicYear, proposal_id: str) -> RateProposal | None:
        try:
            return _proposal(FundingRateProposalItem.get(year.name, PROPOSAL + proposal_id))
        except DoesNotExist:
            return None

    def propose(self, proposal: RateProposal, entry: ActivityEntry) -> None:
        """Store a pending proposal with its activity entry; ProposalPending if the year already has one."""
        pending = PendingFundingRateProposalItem(
            academic_year=proposal.academic_year.name, sort_key=PENDING, proposal_id=proposal.proposal_id
        )
        try:
            with write_transaction() as transaction:
                transaction.save(pending, condition=PendingFundingRateProposalItem.proposal_id.does_not_exist())
                transaction.save(
                    _proposal_item(proposal), condition=FundingRateProposalItem.proposal_id.does_not_exist()
                )
                transaction.save(activity_item(entry))
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise ProposalPending from error
            raise

    def approve(self, proposal: RateProposal, approver_id: str, approver_name: str, entry: ActivityEntry) -> None:
        """Approve: the status pending → approved and the new rates, in one transaction with the activity entry.
        ProposalDecided when someone (or a second click) decided it first: then nothing is written."""
        self._decide(proposal, ProposalStatus.APPROVED, approver_id, approver_name, entry, None)

    def reject(
        self, proposal: RateProposal, rejector_id: str, rejector_name: str, reason: str, entry: ActivityEntry
    ) -> None:
        """Reject: the status pending → rejected, with the reason; the rates stay as they are."""
        self._decide(proposal, ProposalStatus.REJECTED, rejector_id, rejector_name, entry, reason)

    def _decide(
        self,
        proposal: RateProposal,
        status: ProposalStatus,
        user_id: str,
        user_name: str,
        entry: ActivityEntry,
        rejection_reason: str | None,
    ) -> None:
        year = proposal.academic_year.name
        item = FundingRateProposalItem(academic_year=year, sort_key=PROPOSAL + proposal.proposal_id)
        actions: list[Action] = [
            FundingRateProposalItem.status.set(status.value),
            FundingRateProposalItem.decided_by_id.set(user_id),
            FundingRateProposalItem.decided_by_name.set(user_name),
            FundingRateProposalItem.decided_at.set(entry.at),
        ]
        if rejection_reason is not None:
            actions.append(FundingRateProposalItem.rejection_reason.set(rejection_reason))
        transaction = write_transaction()
        try:
            with transaction:
                transaction.update(
                    item,
                    actions=actions,
                    condition=(FundingRateProposalItem.status == ProposalStatus.PENDING.value)
                    & (FundingRateProposalItem.proposed_by_id != user_id),
                )
                transaction.delete(
                    PendingFundingRateProposalItem(academic_year=year, sort_key=PENDING),
                    condition=PendingFundingRateProposalItem.proposal_id == proposal.proposal_id,
                )
                if status is ProposalStatus.APPROVED:
                    for region, pence in proposal.rates.items():
                        transaction.save(
                            FundingRateItem(
                                academic_year=year,
                                region=region.value,
                                rate_pence=pence,
                                set_by=proposal.proposed_by_id,
                                approved_by=user_id,
                            )
                        )
                transaction.save(activity_item(entry))
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise ProposalDecided from error
            if transaction.conflicted(error):
                raise ConcurrentUpdate from error
            raise
