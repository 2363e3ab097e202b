"""Organisations (schools) and accredited providers: DynamoDB items in, domain models out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.update import Action

from shared.claims.claim_search import name_key
from shared.claims.errors import OrganisationNotFound
from shared.claims.gias import Establishment
from shared.claims.organisations import OrganisationType, Provider, School
from shared.data.items import OrganisationItem, ProviderItem
from shared.data.transactions import conditional

_SCHOOL_DETAIL_FIELDS = (
    "local_authority_name",
    "local_authority_code",
    "district_admin_code",
    "district_admin_name",
    "type_of_establishment",
    "group",
    "phase",
    "urban_or_rural",
    "address1",
    "town",
    "postcode",
    "telephone",
    "website",
    "ukprn",
    "trust_uid",
    "trust_name",
    "vendor_number",
)
# What the GIAS import sets in a school's details (ADR 26): never eligibility, grant conditions or a vendor number.
_GIAS_FIELDS = tuple(Establishment.model_fields.keys() - {"urn", "name"})


def _school(item: OrganisationItem) -> School:
    details: dict[str, Any] = item.details.as_dict() if hasattr(item.details, "as_dict") else dict(item.details)
    return School(
        organisation_id=item.organisation_id,
        urn=item.urn,
        name=item.name,
        eligible_years=frozenset(item.eligible_years or ()),
        grant_conditions_accepted_at=item.grant_conditions_accepted_at,
        grant_conditions_accepted_by=item.grant_conditions_accepted_by,
        closed=bool(details.get("closed_on")) or details.get("status") == "Closed",
        closed_on=dt.date.fromisoformat(str(details["closed_on"])) if details.get("closed_on") else None,
        **{key: details.get(key) for key in _SCHOOL_DETAIL_FIELDS if details.get(key) is not None},
    )


def _establishment(item: OrganisationItem) -> Establishment:
    details: dict[str, Any] = item.details.as_dict() if hasattr(item.details, "as_dict") else dict(item.details)
    values: dict[str, Any] = {key: str(details.get(key) or "") for key in _GIAS_FIELDS}
    values["closed_on"] = values["closed_on"] or None
    # A school saved before imports recorded GIAS's status: open, unless it has a closing date.
    values["status"] = values["status"] or ("Closed" if values["closed_on"] else "Open")
    return Establishment.model_validate({**values, "urn": item.organisation_id, "name": item.name})


class Organisations:
    def get_school(self, organisation_id: str) -> School:
        try:
            item = OrganisationItem.get(organisation_id)
        except DoesNotExist:
            raise OrganisationNotFound(organisation_id) from None
        if item.organisation_type != OrganisationType.SCHOOL:
            raise OrganisationNotFound(organisation_id)
        return _school(item)

    def schools(self, organisation_ids: Iterable[str]) -> dict[str, School]:
        """The schools among these ids, by id: BatchGets of up to 100 keys (ids that are not schools,
        or not there, are left out). Batch tasks read a page's schools with this, not one Get each."""
        wanted = list(dict.fromkeys(organisation_ids))
        return {
            item.organisation_id: _school(item)
            for item in OrganisationItem.batch_get(wanted)
            if item.organisation_type == OrganisationType.SCHOOL
        }

    def put_school(self, school: School) -> None:
        details = {key: getattr(school, key) for key in _SCHOOL_DETAIL_FIELDS if getattr(school, key) is not None}
        if school.closed_on is not None:
            details["closed_on"] = school.closed_on.isoformat()
        if school.closed:
            details["status"] = "Closed"
        OrganisationItem(
            organisation_id=school.organisation_id,
            organisation_type=OrganisationType.SCHOOL.value,
            name=school.name,
            name_key=name_key(school.name),
            urn=school.urn,
            details=details,
            eligible_years=set(school.eligible_years) or None,
            grant_conditions_accepted_at=school.grant_conditions_accepted_at,
            grant_conditions_accepted_by=school.grant_conditions_accepted_by,
        ).save()

    def accept_grant_conditions(self, organisation_id: str, user_id: str, at: dt.datetime) -> bool:
        """Record who accepted first; False if someone already had (the first acceptance stands)."""
        return conditional(
            lambda: OrganisationItem(organisation_id=organisation_id).update(
                actions=[
                    OrganisationItem.grant_conditions_accepted_at.set(at),
                    OrganisationItem.grant_conditions_accepted_by.set(user_id),
                ],
                condition=OrganisationItem.organisation_id.exists()
                & OrganisationItem.grant_conditions_accepted_at.does_not_exist(),
            )
        )

    def count(self, organisation_type: OrganisationType) -> int:
        return OrganisationItem.by_type_name.count(organisation_type.value)

    # -- the GIAS import (ADR 26) ------------------------------------------------------------------------------
    def held_establishments(self, urns: Iterable[str]) -> dict[str, Establishment]:
        """The schools the service holds under these URNs, as GIAS last described them: BatchGets of up to 100
        keys (an eventually consistent read, half a read unit per school)."""
        wanted = list(dict.fromkeys(urns))
        return {
            item.organisation_id: _establishment(item)
            for item in OrganisationItem.batch_get(wanted)
            if item.organisation_type == OrganisationType.SCHOOL
        }

    def add_establishment(self, establishment: Establishment) -> bool:
        """A school new to the service, not eligible for any year; False if one with its URN exists now."""
        details = {key: value for key, value in establishment.attributes().items() if value}
        return conditional(
            lambda: OrganisationItem(
                organisation_id=establishment.urn,
                organisation_type=OrganisationType.SCHOOL.value,
                name=establishment.name,
                name_key=name_key(establishment.name),
                urn=establishment.urn,
                details=details,
            ).save(condition=OrganisationItem.organisation_id.does_not_exist())
        )

    def update_establishment(self, establishment: Establishment) -> bool:
        """Set what GIAS says of a school the service holds, one UpdateItem: its name and GIAS's attributes in
        its details, each by its path, so eligibility, grant conditions, a vendor number and anything else the
        service keeps stand. False if the school is not there."""
        actions: list[Action] = [
            OrganisationItem.name.set(establishment.name),
            OrganisationItem.name_key.set(name_key(establishment.name)),
        ]
        for key, value in establishment.attributes().items():
            path = OrganisationItem.details[key]
            actions.append(path.set(value) if value else path.remove())
        return conditional(
            lambda: OrganisationItem(organisation_id=establishment.urn).update(
                actions=actions,
                condition=OrganisationItem.organisation_id.exists()
                & (OrganisationItem.organisation_type == OrganisationType.SCHOOL.value),
            )
        )


def _provider(item: ProviderItem) -> Provider:
    return Provider(
        code=item.code,
        name=item.name,
        provider_type=item.provider_type,
        accredited=item.accredited == "yes",
        ukprn=item.ukprn,
        urn=item.urn,
        postcode=item.postcode,
        city=item.city,
        email=item.email,
    )


class Providers:
    def get(self, code: str) -> Provider:
        if not code:
            raise OrganisationNotFound(code)
        try:
            return _provider(ProviderItem.get(code))
        except DoesNotExist:
            raise OrganisationNotFound(code) from None

    def put(self, provider: Provider) -> None:
        ProviderItem(
            code=provider.code,
            name=provider.name,
            accredited="yes" if provider.accredited else "no",
            provider_type=provider.provider_type,
            ukprn=provider.ukprn,
            urn=provider.urn,
            postcode=provider.postcode,
            city=provider.city,
            email=provider.email,
        ).save()

    def accredited(self) -> list[Provider]:
        """Every accredited provider, by name: one Query on the accredited-name index."""
        return [_provider(item) for item in ProviderItem.by_accredited_name.query("yes")]

    # -- the Publish sync (ADR 0036) ---------------------------------------------------------------------------
    def held(self, codes: Iterable[str]) -> dict[str, Provider]:
        """The providers held under these codes, by code: BatchGets of up to 100 keys."""
        return {item.code: _provider(item) for item in ProviderItem.batch_get(list(dict.fromkeys(codes)))}

    def sync(self, provider: Provider) -> None:
        """Set what Publish says of a provider, one UpdateItem (an upsert by code): its own attributes only, so
        when support added it (`added_at`) stands."""
        ProviderItem(code=provider.code).update(
            actions=[
                ProviderItem.name.set(provider.name),
                ProviderItem.accredited.set("yes" if provider.accredited else "no"),
                ProviderItem.provider_type.set(provider.provider_type),
                ProviderItem.ukprn.set(provider.ukprn),
                ProviderItem.urn.set(provider.urn) if provider.urn else ProviderItem.urn.remove(),
                ProviderItem.postcode.set(provider.postcode),
                ProviderItem.city.set(provider.city),
                ProviderItem.email.set(provider.email),
            ]
        )

    def mark_not_accredited(self, code: str) -> bool:
        """Keep the provider, marked not accredited; False if it is not there or not accredited now."""
        return conditional(
            lambda: ProviderItem(code=code).update(
                actions=[ProviderItem.accredited.set("no")],
                condition=ProviderItem.code.exists() & (ProviderItem.accredited == "yes"),
            )
        )
