"""Repositories: DynamoDB items in, domain models out. Every request path is Get/Query/Transact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import DoesNotExist

from shared.claims.academic_years import AcademicYear
from shared.claims.errors import OrganisationNotFound
from shared.claims.models import (
    Membership,
    OrganisationRef,
    OrganisationType,
    Provider,
    Role,
    School,
    User,
)
from shared.claims.regions import DEFAULT_HOURLY_RATES_PENCE, Region
from shared.claims.windows import ClaimWindow
from shared.data.items import (
    ClaimItem,
    ClaimWindowItem,
    FundingRateItem,
    MembershipItem,
    OrganisationItem,
    ProviderItem,
    UserItem,
)
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


def _school(item: OrganisationItem) -> School:
    details: dict[str, Any] = item.details.as_dict() if hasattr(item.details, "as_dict") else dict(item.details)
    return School(
        organisation_id=item.organisation_id,
        urn=item.urn,
        name=item.name,
        eligible_years=frozenset(item.eligible_years or ()),
        grant_conditions_accepted_at=item.grant_conditions_accepted_at,
        grant_conditions_accepted_by=item.grant_conditions_accepted_by,
        **{key: details.get(key) for key in _SCHOOL_DETAIL_FIELDS if details.get(key) is not None},
    )


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
        OrganisationItem(
            organisation_id=school.organisation_id,
            organisation_type=OrganisationType.SCHOOL.value,
            name=school.name,
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


def _user(item: UserItem) -> User:
    return User(
        user_id=item.user_id,
        first_name=item.first_name,
        last_name=item.last_name,
        email=item.email,
        role=Role(item.role),
    )


class Users:
    def get(self, user_id: str) -> User | None:
        try:
            return _user(UserItem.get(user_id))
        except DoesNotExist:
            return None

    def by_email(self, email: str) -> User | None:
        for item in UserItem.by_email.query(email.strip().lower(), limit=1):
            return _user(item)
        return None

    def put(self, user: User) -> None:
        UserItem(
            user_id=user.user_id,
            email=user.email.strip().lower(),
            first_name=user.first_name,
            last_name=user.last_name,
            role=user.role.value,
        ).save()

    def add_membership(self, membership: Membership) -> None:
        MembershipItem(
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            organisation_type=membership.organisation_type.value,
            organisation_name=membership.organisation_name,
        ).save()

    def organisations_of(self, user_id: str) -> list[OrganisationRef]:
        """The user's organisations, by name: one Query on the user's memberships."""
        refs = [
            OrganisationRef(
                organisation_id=item.organisation_id,
                organisation_type=OrganisationType(item.organisation_type),
                name=item.organisation_name,
            )
            for item in MembershipItem.query(user_id)
        ]
        return sorted(refs, key=lambda ref: ref.name)

    def is_member(self, user_id: str, organisation_id: str) -> bool:
        try:
            MembershipItem.get(user_id, organisation_id)
        except DoesNotExist:
            return False
        return True

    def list_all(self, user_ids: Iterable[str]) -> list[User]:
        return [_user(item) for item in UserItem.batch_get(list(user_ids))]


def _window(item: ClaimWindowItem) -> ClaimWindow:
    return ClaimWindow(
        window_id=item.window_id,
        academic_year=AcademicYear.parse(item.academic_year),
        opens_on=dt.date.fromisoformat(item.opens_on),
        closes_on=dt.date.fromisoformat(item.closes_on),
        closed_at=item.closed_at,
        active_run=item.active_run,
    )


class ClaimWindows:
    def all(self) -> list[ClaimWindow]:
        """Every window, newest first: one Query on the all-windows index (a few dozen items)."""
        return [_window(item) for item in ClaimWindowItem.by_opens_on.query("window", scan_index_forward=False)]

    def get(self, window_id: str) -> ClaimWindow | None:
        try:
            return _window(ClaimWindowItem.get(window_id))
        except DoesNotExist:
            return None

    def put(self, window: ClaimWindow) -> None:
        ClaimWindowItem(
            window_id=window.window_id,
            academic_year=window.academic_year.name,
            opens_on=window.opens_on.isoformat(),
            closes_on=window.closes_on.isoformat(),
            closed_at=window.closed_at,
        ).save()

    def mark_closed(self, window_id: str, at: dt.datetime) -> bool:
        """Close a window once; False when it was already closed (a repeated run)."""
        return conditional(
            lambda: ClaimWindowItem(window_id=window_id).update(
                actions=[ClaimWindowItem.closed_at.set(at)],
                condition=ClaimWindowItem.window_id.exists() & ClaimWindowItem.closed_at.does_not_exist(),
            )
        )

    def take_run_lock(self, window_id: str, run_id: str) -> bool:
        """Make `run_id` the window's one active payment run: True when it is (again), False when another
        run of the window is active (one conditional write: two runs starting at once, one wins)."""
        return conditional(
            lambda: ClaimWindowItem(window_id=window_id).update(
                actions=[ClaimWindowItem.active_run.set(run_id)],
                condition=ClaimWindowItem.window_id.exists()
                & (ClaimWindowItem.active_run.does_not_exist() | (ClaimWindowItem.active_run == run_id)),
            )
        )

    def release_run_lock(self, window_id: str, run_id: str) -> bool:
        """The run has ended (succeeded or failed): the window may start another. False when it did not hold it."""
        return conditional(
            lambda: ClaimWindowItem(window_id=window_id).update(
                actions=[ClaimWindowItem.active_run.remove()],
                condition=ClaimWindowItem.active_run == run_id,
            )
        )

    def add(self, window: ClaimWindow) -> bool:
        """Write a new window; False when its id is already taken."""
        return conditional(
            lambda: ClaimWindowItem(
                window_id=window.window_id,
                academic_year=window.academic_year.name,
                opens_on=window.opens_on.isoformat(),
                closes_on=window.closes_on.isoformat(),
            ).save(condition=ClaimWindowItem.window_id.does_not_exist())
        )

    def change(self, window: ClaimWindow) -> bool:
        """Change a window's dates and academic year; False when it is gone or the workflow closed it."""
        return conditional(
            lambda: ClaimWindowItem(window_id=window.window_id).update(
                actions=[
                    ClaimWindowItem.academic_year.set(window.academic_year.name),
                    ClaimWindowItem.opens_on.set(window.opens_on.isoformat()),
                    ClaimWindowItem.closes_on.set(window.closes_on.isoformat()),
                ],
                condition=ClaimWindowItem.window_id.exists() & ClaimWindowItem.closed_at.does_not_exist(),
            )
        )

    def delete(self, window_id: str) -> bool:
        """Remove a window the workflow has not closed; False when it is gone or closed."""
        return conditional(
            lambda: ClaimWindowItem(window_id=window_id).delete(
                condition=ClaimWindowItem.window_id.exists() & ClaimWindowItem.closed_at.does_not_exist()
            )
        )

    def has_claims(self, window_id: str) -> bool:
        """Whether any claim, in any status, belongs to the window: one Query (Limit=1) per status."""
        from shared.claims.statuses import ClaimStatus

        for status in ClaimStatus:
            found = ClaimItem.by_window_status.query(f"{window_id}#{status.value}", limit=1)
            if next(iter(found), None) is not None:
                return True
        return False


class FundingRates:
    """Hourly rates per region per academic year; the published defaults where none is set."""

    def rate_pence(self, year: AcademicYear, region: Region) -> int:
        try:
            return int(FundingRateItem.get(year.name, region.value).rate_pence)
        except DoesNotExist:
            return DEFAULT_HOURLY_RATES_PENCE[region]


class Claims:
    def count_for_school(self, school_id: str) -> int:
        return ClaimItem.by_school.count(school_id)

    def references_in(
        self, window_id: str, status: str, page_size: int, start_after: str | None
    ) -> tuple[list[str], str | None]:
        """One page of claim ids in a window with a status, for batch tasks."""
        last_key: dict[str, Any] | None = None
        if start_after:
            claim_id, _, reference = start_after.partition("|")
            last_key = {
                "claim_id": {"S": claim_id},
                "window_status": {"S": f"{window_id}#{status}"},
                "reference": {"S": reference},
            }
        result = ClaimItem.by_window_status.query(f"{window_id}#{status}", limit=page_size, last_evaluated_key=last_key)
        ids = [item.claim_id for item in result]
        key = result.last_evaluated_key
        cursor = f"{key['claim_id']['S']}|{key['reference']['S']}" if key else None
        return ids, cursor
