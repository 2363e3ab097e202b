"""The people and organisations the demo names, which tests, the README and `make run` rely on.

Five personas sign in: Anne Wilson (school user, Meadowbank Primary School, Leeds, Rest of England);
Mary Lawson (school user at two Thames Bridge Learning Trust schools, Riverside Bridge Primary Academy in
Southwark, Inner London, and Coombe Wood Academy in Croydon, Outer London); Colin Chapman and Sam Brooks
(DfE support); Patricia Adeyemi (provider user, Sheffield Hallam University). Around them: the trust's
third school (Oxted Vale, Fringe), a school that is not eligible (Hawthorn Lane), three demo teachers in
the Teaching Record System, ten colleagues at schools and one more provider user.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Final, Literal

from infrastructure.local.demo_data.records import (
    ACADEMIES,
    CONURBATION,
    LA_MAINTAINED,
    MINOR_CONURBATION,
    TOWN_AND_FRINGE,
    SeedData,
    SeedSchool,
    SeedTeacher,
    SeedUser,
)

DEMO_TEACHERS: Final[tuple[SeedTeacher, ...]] = (
    SeedTeacher("1000001", "Emily", "Carter", datetime.date(1980, 1, 1)),
    SeedTeacher("1000002", "James", "Okafor", datetime.date(1981, 2, 2)),
    SeedTeacher("1000003", "Priya", "Shah", datetime.date(1982, 3, 3)),
)

MARY_LAWSON_TRUST_UID: Final[str] = "17234"
MARY_LAWSON_TRUST_NAME: Final[str] = "Thames Bridge Learning Trust"

ANNE_WILSON_SCHOOL_URN: Final[str] = "108125"
MARY_LAWSON_SCHOOL_URNS: Final[tuple[str, str]] = ("141522", "142087")
THAMES_BRIDGE_FRINGE_SCHOOL_URN: Final[str] = "146310"
NOT_ELIGIBLE_SCHOOL_URN: Final[str] = "107310"
PATRICIA_ADEYEMI_PROVIDER_NAME: Final[str] = "Sheffield Hallam University"

ANNE_WILSON_USER_ID: Final[str] = "user-anne-wilson"
MARY_LAWSON_USER_ID: Final[str] = "user-mary-lawson"
COLIN_CHAPMAN_USER_ID: Final[str] = "user-colin-chapman"
SAM_BROOKS_USER_ID: Final[str] = "user-sam-brooks"
PATRICIA_ADEYEMI_USER_ID: Final[str] = "user-patricia-adeyemi"
PERSONA_USER_IDS: Final[tuple[str, ...]] = (
    ANNE_WILSON_USER_ID,
    MARY_LAWSON_USER_ID,
    COLIN_CHAPMAN_USER_ID,
    SAM_BROOKS_USER_ID,
    PATRICIA_ADEYEMI_USER_ID,
)

# The named schools come first in the data; every other school is generated around them.
NAMED_SCHOOLS: Final[tuple[SeedSchool, ...]] = (
    SeedSchool(
        urn=ANNE_WILSON_SCHOOL_URN,
        name="Meadowbank Primary School",
        local_authority_name="Leeds",
        local_authority_code="383",
        district_admin_code="E08000035",
        district_admin_name="Leeds",
        type_of_establishment="Community school",
        group=LA_MAINTAINED,
        phase="Primary",
        urban_or_rural=CONURBATION,
        town="Leeds",
        postcode="LS6 3HN",
        address1="Meadowbank Avenue",
        telephone="0113 496 0412",
        website="https://www.meadowbankprimary.leeds.sch.uk",
        ukprn="10081234",
        trust_uid=None,
        trust_name=None,
        vendor_number=f"V{ANNE_WILSON_SCHOOL_URN}",
    ),
    SeedSchool(
        urn=MARY_LAWSON_SCHOOL_URNS[0],
        name="Riverside Bridge Primary Academy",
        local_authority_name="Southwark",
        local_authority_code="210",
        district_admin_code="E09000028",
        district_admin_name="Southwark",
        type_of_establishment="Academy converter",
        group=ACADEMIES,
        phase="Primary",
        urban_or_rural=CONURBATION,
        town="London",
        postcode="SE16 4JD",
        address1="Rotherhithe New Road",
        telephone="020 7946 0381",
        website="https://www.riversidebridge.org.uk",
        ukprn="10062417",
        trust_uid=MARY_LAWSON_TRUST_UID,
        trust_name=MARY_LAWSON_TRUST_NAME,
        vendor_number=f"V{MARY_LAWSON_SCHOOL_URNS[0]}",
    ),
    SeedSchool(
        urn=MARY_LAWSON_SCHOOL_URNS[1],
        name="Coombe Wood Academy",
        local_authority_name="Croydon",
        local_authority_code="306",
        district_admin_code="E09000008",
        district_admin_name="Croydon",
        type_of_establishment="Academy sponsor led",
        group=ACADEMIES,
        phase="Secondary",
        urban_or_rural=CONURBATION,
        town="Croydon",
        postcode="CR0 5HS",
        address1="Coombe Road",
        telephone="020 7946 0729",
        website="https://www.coombewoodacademy.org.uk",
        ukprn="10063358",
        trust_uid=MARY_LAWSON_TRUST_UID,
        trust_name=MARY_LAWSON_TRUST_NAME,
        vendor_number=f"V{MARY_LAWSON_SCHOOL_URNS[1]}",
    ),
    SeedSchool(
        urn=THAMES_BRIDGE_FRINGE_SCHOOL_URN,
        name="Oxted Vale Primary Academy",
        local_authority_name="Surrey",
        local_authority_code="936",
        district_admin_code="E07000215",
        district_admin_name="Tandridge",
        type_of_establishment="Academy converter",
        group=ACADEMIES,
        phase="Primary",
        urban_or_rural=TOWN_AND_FRINGE,
        town="Oxted",
        postcode="RH8 0QA",
        address1="Station Road East",
        telephone="01632 960514",
        website="https://www.oxtedvale.org.uk",
        ukprn="10064902",
        trust_uid=MARY_LAWSON_TRUST_UID,
        trust_name=MARY_LAWSON_TRUST_NAME,
        vendor_number=f"V{THAMES_BRIDGE_FRINGE_SCHOOL_URN}",
    ),
    SeedSchool(
        urn=NOT_ELIGIBLE_SCHOOL_URN,
        name="Hawthorn Lane Primary School",
        local_authority_name="Sheffield",
        local_authority_code="373",
        district_admin_code="E08000039",
        district_admin_name="Sheffield",
        type_of_establishment="Community school",
        group=LA_MAINTAINED,
        phase="Primary",
        urban_or_rural=MINOR_CONURBATION,
        town="Sheffield",
        postcode="S5 8RE",
        address1="Hawthorn Lane",
        telephone="0114 496 0277",
        website="https://www.hawthornlane.sheffield.sch.uk",
        ukprn=None,
        trust_uid=None,
        trust_name=None,
        vendor_number=f"V{NOT_ELIGIBLE_SCHOOL_URN}",
    ),
)

# Named schools that are always eligible this academic year (the not-eligible one never is).
ALWAYS_ELIGIBLE_URNS: Final[frozenset[str]] = frozenset(
    {ANNE_WILSON_SCHOOL_URN, *MARY_LAWSON_SCHOOL_URNS, THAMES_BRIDGE_FRINGE_SCHOOL_URN}
)


@dataclass(frozen=True)
class Person:
    """Someone who signs in. Their email is `first.last@` the domain given, or else their first
    organisation's (a school's website, a provider's email)."""

    first_name: str
    last_name: str
    role: Literal["school", "support", "provider"]
    school_urns: tuple[str, ...] = ()  # a school user with none gets a school picked by the generator
    provider_name: str | None = None
    email_domain: str | None = None


PERSONAS: Final[tuple[Person, ...]] = (
    Person("Anne", "Wilson", "school", school_urns=(ANNE_WILSON_SCHOOL_URN,)),
    Person("Mary", "Lawson", "school", school_urns=MARY_LAWSON_SCHOOL_URNS, email_domain="thamesbridge.org.uk"),
    Person("Colin", "Chapman", "support", email_domain="education.gov.uk"),
    Person("Sam", "Brooks", "support", email_domain="education.gov.uk"),
    Person("Patricia", "Adeyemi", "provider", provider_name=PATRICIA_ADEYEMI_PROVIDER_NAME),
)

# Colleagues, so that schools have more than one user: two named ones at persona schools, eight at
# schools the generator picks (two of those share a school).
EXTRA_SCHOOL_USERS: Final[tuple[Person, ...]] = (
    Person("David", "Okoro", "school", school_urns=(ANNE_WILSON_SCHOOL_URN,)),
    Person("Fatima", "Hussain", "school", school_urns=(MARY_LAWSON_SCHOOL_URNS[0],)),
    Person("Gareth", "Evans", "school"),
    Person("Siobhan", "Murphy", "school"),
    Person("Rajesh", "Patel", "school"),
    Person("Hannah", "Clarke", "school"),
    Person("Tom", "Fletcher", "school"),
    Person("Chloe", "Nguyen", "school"),
    Person("Oluwaseun", "Adebayo", "school"),
    Person("Zoë", "Harrington", "school"),
)

EXTRA_PROVIDER_USERS: Final[tuple[Person, ...]] = (
    Person("Imran", "Siddiqui", "provider", provider_name="University of Birmingham"),
)


def personas(data: SeedData) -> tuple[SeedUser, ...]:
    """The five sign-in personas in a fixed order.

    Anne Wilson, Mary Lawson, Colin Chapman, Sam Brooks, Patricia Adeyemi.
    """
    users_by_id = {user.user_id: user for user in data.users}
    return tuple(users_by_id[user_id] for user_id in PERSONA_USER_IDS)
