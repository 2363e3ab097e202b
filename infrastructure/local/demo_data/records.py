"""The shapes of the demo data (what the loader writes to DynamoDB), and the GIAS words the code uses."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class SeedSchool:
    """A school as the GIAS import would create it."""

    urn: str
    name: str
    local_authority_name: str
    local_authority_code: str
    district_admin_code: str
    district_admin_name: str
    type_of_establishment: str
    group: str
    phase: str
    urban_or_rural: str
    town: str
    postcode: str
    address1: str
    telephone: str
    website: str
    ukprn: str | None
    trust_uid: str | None
    trust_name: str | None
    vendor_number: str | None


@dataclass(frozen=True)
class SeedProvider:
    """A teacher training provider as the Publish import would create it."""

    code: str
    name: str
    provider_type: str
    accredited: bool
    ukprn: str
    urn: str | None
    postcode: str
    email: str
    city: str


@dataclass(frozen=True)
class SeedTeacher:
    """A record in the fake Teaching Record System."""

    trn: str
    first_name: str
    last_name: str
    date_of_birth: datetime.date


@dataclass(frozen=True)
class SeedUser:
    """A user who can sign in with persona sign-in."""

    user_id: str
    first_name: str
    last_name: str
    email: str
    role: str
    organisation_ids: tuple[str, ...]


@dataclass(frozen=True)
class SeedClaimWindow:
    """A claim window."""

    window_id: str
    academic_year: str
    opens_on: datetime.date
    closes_on: datetime.date


@dataclass(frozen=True)
class SeedData:
    """Everything the local stack loads."""

    schools: tuple[SeedSchool, ...]
    providers: tuple[SeedProvider, ...]
    teachers: tuple[SeedTeacher, ...]
    users: tuple[SeedUser, ...]
    claim_windows: tuple[SeedClaimWindow, ...]
    eligible_school_urns: tuple[str, ...]


# GIAS establishment groups that decide a school's website domain, and the urban/rural classes the
# named schools and London schools use. The tables in `tables/` spell the others out.
LA_MAINTAINED: Final = "Local authority maintained schools"
ACADEMIES: Final = "Academies"
INDEPENDENT: Final = "Independent schools"
SPECIAL: Final = "Special schools"
COLLEGES: Final = "Colleges"

CONURBATION: Final = "(England/Wales) Urban major conurbation"
MINOR_CONURBATION: Final = "(England/Wales) Urban minor conurbation"
TOWN_AND_FRINGE: Final = "(England/Wales) Rural town and fringe"
