"""The console's directory of organisations added to the service, and adding one (ADR 0024).

Every question the Organisations list asks is a GetItem or a Query on the directory table, never a Scan:

- a URN: GetItem on `school#<urn>`; a UKPRN: the ukprn index; a postcode: the postcode index (its outward
  code, and the whole postcode when typed whole);
- the start of a name: `begins_with` on the sort key (the folded name first) of the partition(s) below;
- no filter: the name index (one partition, by name); types chosen: the kind index, one partition per type;
  funding regions chosen: the region index, one partition per region (schools only), merged by name;
- the count: the same Queries with `Select=COUNT`.

Adding an organisation is one transaction: the school or provider marked added (only if it was not), its
directory entry (only if absent) and its Activity entry, so an organisation is added once.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.update import Action

from shared.claims.activity import ActivityEntry
from shared.claims.claim_search import name_key
from shared.claims.errors import DomainError
from shared.claims.organisation_entry import DirectoryEntry, OrganisationKind, Search, SearchKind, postcode_parts
from shared.claims.organisations import OrganisationType, Provider, School
from shared.claims.regions import Region
from shared.data.activity import activity_item
from shared.data.items import DirectoryItem, OrganisationItem, ProviderItem
from shared.data.transactions import any_condition_failed, conditional, write_transaction

# A school typed in by hand: what its details hold (the GIAS names, as `shared.data.organisations` reads them).
_TYPED_DETAILS = (
    "address1",
    "town",
    "postcode",
    "local_authority_name",
    "type_of_establishment",
    "group",
    "phase",
    "district_admin_code",
    "vendor_number",
)


class AlreadyAdded(DomainError):
    """The organisation is in the directory already (added by a colleague, or a second click)."""


def school_key(urn: str) -> str:
    return f"school#{urn}"


def provider_key(code: str) -> str:
    return f"provider#{code}"


def _entry(item: DirectoryItem) -> DirectoryEntry:
    return DirectoryEntry(
        kind=OrganisationKind(item.kind),
        organisation_id=item.organisation_id,
        name=item.name,
        urn=item.urn,
        ukprn=item.ukprn,
        postcode=item.postcode,
        region=Region(item.region) if item.region else None,
    )


def _item(entry: DirectoryEntry, at: dt.datetime, by: str) -> DirectoryItem:
    outward, postcode_key = postcode_parts(entry.postcode)
    key = (
        school_key(entry.organisation_id)
        if entry.kind is OrganisationKind.SCHOOL
        else provider_key(entry.organisation_id)
    )
    return DirectoryItem(
        organisation_key=key,
        sort_key=entry.sort_key,
        kind=entry.kind.value,
        organisation_id=entry.organisation_id,
        name=entry.name,
        region=entry.region.value if entry.region else None,
        ukprn=entry.ukprn or None,
        urn=entry.urn,
        postcode=entry.postcode,
        outward_code=outward,
        postcode_key=postcode_key,
        added_at=at,
        added_by=by,
    )


def school_entry(school: School) -> DirectoryEntry:
    return DirectoryEntry(
        kind=OrganisationKind.SCHOOL,
        organisation_id=school.organisation_id,
        name=school.name,
        urn=school.urn,
        ukprn=school.ukprn,
        postcode=school.postcode,
        region=school.region,
    )


def provider_entry(provider: Provider) -> DirectoryEntry:
    return DirectoryEntry(
        kind=OrganisationKind.ACCREDITED_PROVIDER if provider.accredited else OrganisationKind.OTHER_PROVIDER,
        organisation_id=provider.code,
        name=provider.name,
        urn=provider.urn,
        ukprn=provider.ukprn,
        postcode=provider.postcode,
    )


@dataclass(frozen=True)
class DirectoryPage:
    entries: list[DirectoryEntry]
    count: int


def _wanted(entry: DirectoryEntry, kinds: frozenset[OrganisationKind], regions: frozenset[Region]) -> bool:
    return (not kinds or entry.kind in kinds) and (not regions or entry.region in regions)


class Directory:
    def get(self, organisation_key: str) -> DirectoryEntry | None:
        try:
            return _entry(DirectoryItem.get(organisation_key))
        except DoesNotExist:
            return None

    def find(
        self,
        search: Search,
        kinds: frozenset[OrganisationKind],
        regions: frozenset[Region],
        page: int,
        per_page: int,
    ) -> DirectoryPage:
        """One page of the organisations matching, by name, and how many match in all."""
        if search.kind in (SearchKind.URN, SearchKind.UKPRN, SearchKind.POSTCODE):
            found = sorted(
                (entry for entry in self._looked_up(search) if _wanted(entry, kinds, regions)),
                key=lambda entry: entry.sort_key,
            )
            start = (page - 1) * per_page
            return DirectoryPage(found[start : start + per_page], len(found))
        partitions = self._partitions(kinds, regions)
        prefix = search.text if search.kind is SearchKind.NAME else None
        condition = DirectoryItem.sort_key.startswith(prefix) if prefix else None
        wanted = page * per_page
        streams = [
            index.query(hash_key, range_key_condition=condition, limit=wanted, page_size=min(wanted, 500))
            for index, hash_key in partitions
        ]
        merged = heapq.merge(*streams, key=lambda item: item.sort_key)
        items = [item for _, item in zip(range(wanted), merged, strict=False)]
        count = sum(index.count(hash_key, range_key_condition=condition) for index, hash_key in partitions)
        return DirectoryPage([_entry(item) for item in items[(page - 1) * per_page :]], count)

    @staticmethod
    def _partitions(kinds: frozenset[OrganisationKind], regions: frozenset[Region]) -> list[tuple[Any, str]]:
        if regions:  # only schools have a funding region
            if kinds and OrganisationKind.SCHOOL not in kinds:
                return []
            return [(DirectoryItem.by_region, region.value) for region in sorted(regions)]
        if kinds:
            return [(DirectoryItem.by_kind, kind.value) for kind in sorted(kinds)]
        return [(DirectoryItem.by_name, "organisation")]

    @staticmethod
    def _looked_up(search: Search) -> Iterator[DirectoryEntry]:
        if search.kind is SearchKind.URN:
            try:
                yield _entry(DirectoryItem.get(school_key(search.text)))
            except DoesNotExist:
                return
        elif search.kind is SearchKind.UKPRN:
            yield from (_entry(item) for item in DirectoryItem.by_ukprn.query(search.text))
        else:
            condition = DirectoryItem.postcode_key == search.postcode_key if search.postcode_key else None
            yield from (
                _entry(item)
                for item in DirectoryItem.by_postcode.query(search.outward_code, range_key_condition=condition)
            )

    def record_added(self, entry: DirectoryEntry, at: dt.datetime, by: str) -> None:
        """List an organisation the service already has as added (the demo data; a backfill of organisations
        added before the directory existed), and mark its school or provider item added."""
        _item(entry, at, by).save()
        if entry.kind is OrganisationKind.SCHOOL:
            OrganisationItem(organisation_id=entry.organisation_id).update(actions=[OrganisationItem.added_at.set(at)])
        else:
            ProviderItem(code=entry.organisation_id).update(actions=[ProviderItem.added_at.set(at)])

    def refresh_schools(self, schools: Iterable[School]) -> int:
        """Rewrite the entries of those of these schools that are listed and whose name, postcode, UKPRN or
        funding region has changed (after a GIAS import updated them): one BatchGet per 100, a write per change.
        How many were rewritten."""
        by_key = {school_key(school.organisation_id): school for school in schools}
        if not by_key:
            return 0
        rewritten = 0
        for current in DirectoryItem.batch_get(list(by_key)):
            entry = school_entry(by_key[current.organisation_key])
            if _entry(current) != entry:
                _item(entry, current.added_at, current.added_by).save()
                rewritten += 1
        return rewritten

    def refresh_providers(self, providers: Iterable[Provider]) -> int:
        """Rewrite the entries of those of these providers that are listed and whose name, UKPRN, URN, postcode or
        accreditation has changed (after the Publish sync, ADR 0036): one BatchGet per 100, a write per change."""
        by_key = {provider_key(provider.code): provider for provider in providers}
        if not by_key:
            return 0
        rewritten = 0
        for current in DirectoryItem.batch_get(list(by_key)):
            entry = provider_entry(by_key[current.organisation_key])
            if _entry(current) != entry:
                _item(entry, current.added_at, current.added_by).save()
                rewritten += 1
        return rewritten

    def add_school(self, school: School, activity: ActivityEntry, *, held: bool) -> None:
        """Mark the school added with its vendor number, list it, record the activity: once (`AlreadyAdded`).

        A held establishment keeps its GIAS record and eligibility (only its vendor number is set); one typed
        in by hand is written whole."""
        vendor_number = OrganisationItem.details["vendor_number"].set(school.vendor_number or "")
        actions: list[Action] = [OrganisationItem.added_at.set(activity.at)]
        if held:
            actions.append(vendor_number)
            condition = OrganisationItem.organisation_id.exists() & OrganisationItem.added_at.does_not_exist()
        else:
            details = {key: getattr(school, key) for key in _TYPED_DETAILS if getattr(school, key)}
            actions += [
                OrganisationItem.organisation_type.set(OrganisationType.SCHOOL.value),
                OrganisationItem.name.set(school.name),
                OrganisationItem.name_key.set(name_key(school.name)),
                OrganisationItem.urn.set(school.urn or school.organisation_id),
                OrganisationItem.details.set(details),
            ]
            condition = OrganisationItem.added_at.does_not_exist()
        self._add(
            lambda transaction: transaction.update(
                OrganisationItem(organisation_id=school.organisation_id), actions=actions, condition=condition
            ),
            school_entry(school),
            activity,
        )

    def set_vendor_number(self, urn: str, vendor_number: str) -> bool:
        """Change a school's vendor number (by its path: nothing else changes); False if there is no such school."""
        return conditional(
            lambda: OrganisationItem(organisation_id=urn).update(
                actions=[OrganisationItem.details["vendor_number"].set(vendor_number)],
                condition=OrganisationItem.organisation_id.exists()
                & (OrganisationItem.organisation_type == OrganisationType.SCHOOL.value),
            )
        )

    def reset_grant_conditions(self, urn: str, accepted_at: dt.datetime, activity: ActivityEntry) -> bool:
        """Clear the school's acceptance (the one seen: a newer acceptance is not cleared) and record the
        activity, together; False if the acceptance had changed or gone meanwhile."""
        try:
            with write_transaction() as transaction:
                transaction.update(
                    OrganisationItem(organisation_id=urn),
                    actions=[
                        OrganisationItem.grant_conditions_accepted_at.remove(),
                        OrganisationItem.grant_conditions_accepted_by.remove(),
                    ],
                    condition=OrganisationItem.grant_conditions_accepted_at == accepted_at,
                )
                transaction.save(activity_item(activity))
        except TransactWriteError as error:
            if any_condition_failed(error):
                return False
            raise
        return True

    def add_provider(self, provider: Provider, activity: ActivityEntry, *, held: bool) -> None:
        """Mark the provider added (or write one typed in by hand), list it, record the activity: once."""
        if held:
            self._add(
                lambda transaction: transaction.update(
                    ProviderItem(code=provider.code),
                    actions=[ProviderItem.added_at.set(activity.at)],
                    condition=ProviderItem.code.exists() & ProviderItem.added_at.does_not_exist(),
                ),
                provider_entry(provider),
                activity,
            )
            return
        item = ProviderItem(
            code=provider.code,
            name=provider.name,
            accredited="yes" if provider.accredited else "no",
            provider_type=provider.provider_type,
            ukprn=provider.ukprn,
            postcode=provider.postcode,
            added_at=activity.at,
        )
        self._add(
            lambda transaction: transaction.save(item, condition=ProviderItem.code.does_not_exist()),
            provider_entry(provider),
            activity,
        )

    @staticmethod
    def _add(mark: Any, entry: DirectoryEntry, activity: ActivityEntry) -> None:
        try:
            with write_transaction() as transaction:
                mark(transaction)
                transaction.save(
                    _item(entry, activity.at, activity.actor_id),
                    condition=DirectoryItem.organisation_key.does_not_exist(),
                )
                transaction.save(activity_item(activity))
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise AlreadyAdded from None
            raise

    def added(self, organisation_keys: Iterable[str]) -> set[str]:
        """Which of these keys are in the directory (one BatchGet per 100)."""
        keys = list(dict.fromkeys(organisation_keys))
        if not keys:
            return set()
        return {item.organisation_key for item in DirectoryItem.batch_get(keys, attributes_to_get=["organisation_key"])}
