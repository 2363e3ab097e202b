"""Organisations: schools (GIAS records, eligibility, grant conditions) and accredited providers."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from shared.claims.domain import Domain
from shared.claims.regions import Region, region_for_district


class OrganisationType(StrEnum):
    SCHOOL = "school"
    PROVIDER = "provider"


class School(Domain):
    organisation_id: str  # the URN, or the vendor number for an organisation without one
    urn: str | None
    name: str
    local_authority_name: str = ""
    local_authority_code: str = ""
    district_admin_code: str | None = None
    district_admin_name: str = ""
    type_of_establishment: str = ""
    group: str = ""
    phase: str = ""
    urban_or_rural: str = ""
    address1: str = ""
    town: str = ""
    postcode: str = ""
    telephone: str = ""
    website: str = ""
    ukprn: str | None = None
    trust_uid: str | None = None
    trust_name: str | None = None
    vendor_number: str | None = None  # the payer's id for the school: no claim is paid without one
    closed: bool = False  # GIAS lists the school as closed
    closed_on: dt.date | None = None  # the date GIAS gives for it, when it gives one
    eligible_years: frozenset[str] = frozenset()
    grant_conditions_accepted_at: dt.datetime | None = None
    grant_conditions_accepted_by: str | None = None

    @property
    def region(self) -> Region:
        return region_for_district(self.district_admin_code)

    @property
    def has_vendor_number(self) -> bool:
        return bool((self.vendor_number or "").strip())


class Provider(Domain):
    code: str
    name: str
    provider_type: str
    accredited: bool
    ukprn: str
    urn: str | None = None
    postcode: str = ""
    city: str = ""
    email: str = ""


class OrganisationRef(Domain):
    """What a chooser needs to list an organisation and build its URL."""

    organisation_id: str
    organisation_type: OrganisationType
    name: str

    @property
    def home_path(self) -> str:
        prefix = "schools" if self.organisation_type is OrganisationType.SCHOOL else "providers"
        return f"/{prefix}/{self.organisation_id}/claims"
