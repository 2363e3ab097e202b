"""Write the demo data (`seed_data.py`) into the local tables through the project's own repositories."""

from __future__ import annotations

import datetime as dt

from infrastructure.local.seed_data import MARY_LAWSON_SCHOOL_URNS, SeedData, SeedSchool, build_seed_data, personas
from shared.claims.academic_years import AcademicYear
from shared.claims.organisations import OrganisationType, Provider, School
from shared.claims.people import Membership, Role, User
from shared.claims.regions import DEFAULT_HOURLY_RATES_PENCE
from shared.claims.windows import ClaimWindow
from shared.data.claim_windows import ClaimWindows
from shared.data.directory import Directory, provider_entry, school_entry
from shared.data.funding_rates import FundingRates
from shared.data.organisations import Organisations, Providers
from shared.data.schedules import put_close_schedule
from shared.data.users import Users


def _school(seed: SeedSchool, eligible_year: str | None, accepted: tuple[dt.datetime, str] | None = None) -> School:
    return School(
        organisation_id=seed.urn,
        urn=seed.urn,
        name=seed.name,
        local_authority_name=seed.local_authority_name,
        local_authority_code=seed.local_authority_code,
        district_admin_code=seed.district_admin_code,
        district_admin_name=seed.district_admin_name,
        type_of_establishment=seed.type_of_establishment,
        group=seed.group,
        phase=seed.phase,
        urban_or_rural=seed.urban_or_rural,
        address1=seed.address1,
        town=seed.town,
        postcode=seed.postcode,
        telephone=seed.telephone,
        website=seed.website,
        ukprn=seed.ukprn,
        trust_uid=seed.trust_uid,
        trust_name=seed.trust_name,
        vendor_number=seed.vendor_number,
        eligible_years=frozenset({eligible_year} if eligible_year else set()),
        grant_conditions_accepted_at=accepted[0] if accepted else None,
        grant_conditions_accepted_by=accepted[1] if accepted else None,
    )


def load(today: dt.date, scheduled: bool = False) -> SeedData:
    """Write the demo data; with `scheduled`, open windows get their close schedules too (the local
    stack has a scheduler; in-process test fixtures do not need one)."""
    data = build_seed_data(today)
    current_year = AcademicYear.for_date(today).name
    eligible = set(data.eligible_school_urns)
    organisations = Organisations()
    directory = Directory()
    names: dict[str, tuple[OrganisationType, str]] = {}
    # Mary Lawson accepted her schools' grant conditions when the window opened; Anne Wilson's school
    # has not accepted yet, so her first visit shows the grant conditions.
    mary = next(user for user in data.users if user.first_name == "Mary" and user.last_name == "Lawson")
    opened = dt.datetime.combine(
        min(w.opens_on for w in data.claim_windows if w.closes_on >= today), dt.time(9), dt.UTC
    )
    accepted = dict.fromkeys(MARY_LAWSON_SCHOOL_URNS, (opened, mary.user_id))
    for seed_school in data.schools:
        eligible_year = current_year if seed_school.urn in eligible else None
        school = _school(seed_school, eligible_year, accepted.get(seed_school.urn))
        organisations.put_school(school)
        directory.record_added(school_entry(school), opened, "demo data")  # in the console's list (ADR 0024)
        names[seed_school.urn] = (OrganisationType.SCHOOL, seed_school.name)
    providers = Providers()
    for seed_provider in data.providers:
        provider = Provider(
            code=seed_provider.code,
            name=seed_provider.name,
            provider_type=seed_provider.provider_type,
            accredited=seed_provider.accredited,
            ukprn=seed_provider.ukprn,
            urn=seed_provider.urn,
            postcode=seed_provider.postcode,
            city=seed_provider.city,
            email=seed_provider.email,
        )
        providers.put(provider)
        directory.record_added(provider_entry(provider), opened, "demo data")
        names[seed_provider.code] = (OrganisationType.PROVIDER, seed_provider.name)
    users = Users()
    for seed_user in data.users:
        users.put(
            User(
                user_id=seed_user.user_id,
                first_name=seed_user.first_name,
                last_name=seed_user.last_name,
                email=seed_user.email,
                role=Role(seed_user.role),
            )
        )
        for organisation_id in seed_user.organisation_ids:
            kind, name = names[organisation_id]
            users.add_membership(
                Membership(
                    user_id=seed_user.user_id,
                    organisation_id=organisation_id,
                    organisation_type=kind,
                    organisation_name=name,
                )
            )
    windows = ClaimWindows()
    for seed_window in data.claim_windows:
        window = ClaimWindow(
            window_id=seed_window.window_id,
            academic_year=AcademicYear.parse(seed_window.academic_year),
            opens_on=seed_window.opens_on,
            closes_on=seed_window.closes_on,
        )
        if window.closes_on < today:
            window = window.model_copy(update={"closed_at": window.closes_at})
        windows.put(window)
        if window.closed_at is None and scheduled:
            put_close_schedule(window)  # as saving it in the support console would
    # The published rates, approved, for each year the demo windows are in (ADR 0027): the Funding rates page
    # then shows them as set rather than as the fallback a new deployment has.
    rates = FundingRates()
    for year in sorted({AcademicYear.parse(w.academic_year) for w in data.claim_windows}):
        rates.put_approved(year, DEFAULT_HOURLY_RATES_PENCE, set_by="demo data", approved_by="demo data")
    return data


def persona_ids(data: SeedData) -> list[str]:
    return [user.user_id for user in personas(data)]
