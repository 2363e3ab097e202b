"""Demo data for the local stack: schools, providers, teachers, users and claim windows.

- 240 GIAS-style schools: 40 Inner London, 34 Outer London, 46 Fringe, 120 Rest of England. Every
  London district and every active Fringe district has a school. Maintained schools, academies, free,
  independent and special schools and a college, in every phase; ten multi-academy trusts.
- 61 Publish providers: 53 accredited (universities, SCITTs, Best Practice Network, National Institute
  of Teaching) and 8 non-accredited teaching school hubs. Five names start with "Leeds".
- 320 Teaching Record System teachers. Demo mentors: TRN 1000001 Emily Carter (born 1 January 1980),
  1000002 James Okafor (2 February 1981), 1000003 Priya Shah (3 March 1982).
- Personas: Anne Wilson, school user at Meadowbank Primary School (Leeds, Rest of England); Mary Lawson,
  school user at two Thames Bridge Learning Trust schools, Riverside Bridge Primary Academy (Southwark,
  Inner London) and Coombe Wood Academy (Croydon, Outer London); Colin Chapman and Sam Brooks, support
  users; Patricia Adeyemi, provider user at Sheffield Hallam University. Ten more school users and
  one more provider user (Imran Siddiqui, University of Birmingham).
- Claim windows: this academic year's window opened 20 days ago and closes in 45 days; last academic
  year's window ran from 1 May to 30 June and is closed.
- About 90% of schools are eligible this academic year, including every persona school. Hawthorn Lane
  Primary School (URN 107310, Sheffield) is not eligible.
- Every run gives the same data; only the claim window dates depend on `today`.
"""

import datetime
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

# ---------------------------------------------------------------------------------------------------
# Public data shapes (the loader writes these to DynamoDB)
# ---------------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------------
# Funding regions
# ---------------------------------------------------------------------------------------------------

Region = Literal["Inner London", "Outer London", "Fringe", "Rest of England"]

INNER_LONDON: Final[Region] = "Inner London"
OUTER_LONDON: Final[Region] = "Outer London"
FRINGE: Final[Region] = "Fringe"
REST_OF_ENGLAND: Final[Region] = "Rest of England"
REGIONS: Final[tuple[Region, ...]] = (INNER_LONDON, OUTER_LONDON, FRINGE, REST_OF_ENGLAND)

# Source: DFE-Digital/itt-mentor-services app/services/concerns/regional_areas.rb at commit
# 88e74ea367c1453f459545a4a04808a4e383808e, as recorded in /work/shared/reference/reference-data.md
# sections 1.2-1.4. The source order is kept.
INNER_LONDON_CODES: Final[tuple[str, ...]] = (
    "E09000002",  # Barking and Dagenham
    "E09000005",  # Brent
    "E09000007",  # Camden
    "E09000001",  # City of London
    "E09000009",  # Ealing
    "E09000011",  # Greenwich
    "E09000012",  # Hackney
    "E09000013",  # Hammersmith and Fulham
    "E09000014",  # Haringey
    "E09000019",  # Islington
    "E09000020",  # Kensington and Chelsea
    "E09000022",  # Lambeth
    "E09000023",  # Lewisham
    "E09000024",  # Merton
    "E09000025",  # Newham
    "E09000028",  # Southwark
    "E09000030",  # Tower Hamlets
    "E09000032",  # Wandsworth
    "E09000033",  # Westminster
)

OUTER_LONDON_CODES: Final[tuple[str, ...]] = (
    "E09000003",  # Barnet
    "E09000004",  # Bexley
    "E09000006",  # Bromley
    "E09000008",  # Croydon
    "E09000010",  # Enfield
    "E09000015",  # Harrow
    "E09000016",  # Havering
    "E09000017",  # Hillingdon
    "E09000018",  # Hounslow
    "E09000021",  # Kingston upon Thames
    "E09000026",  # Redbridge
    "E09000027",  # Richmond upon Thames
    "E09000029",  # Sutton
    "E09000031",  # Waltham Forest
)

FRINGE_CODES: Final[tuple[str, ...]] = (
    "E06000036",  # Bracknell Forest
    "E06000039",  # Slough
    "E06000040",  # Windsor and Maidenhead
    "E06000060",  # Buckinghamshire
    "E07000006",  # South Bucks (inactive)
    "E07000005",  # Chiltern (inactive)
    "E07000066",  # Basildon
    "E07000068",  # Brentwood
    "E07000072",  # Epping Forest
    "E07000073",  # Harlow
    "E06000034",  # Thurrock
    "E07000095",  # Broxbourne
    "E07000096",  # Dacorum
    "E07000242",  # East Hertfordshire
    "E07000098",  # Hertsmere
    "E07000240",  # St Albans
    "E07000102",  # Three Rivers
    "E07000103",  # Watford
    "E07000241",  # Welwyn Hatfield
    "E07000107",  # Dartford
    "E07000111",  # Sevenoaks
    "E07000226",  # Crawley
    "E07000211",  # Reigate and Banstead
    "E07000215",  # Tandridge
    "E07000210",  # Mole Valley
    "E07000209",  # Guildford
    "E07000208",  # Epsom and Ewell
    "E07000207",  # Elmbridge
    "E07000213",  # Spelthorne
    "E07000214",  # Surrey Heath
    "E07000216",  # Waverley
    "E07000217",  # Woking
    "E07000212",  # Runnymede
)

# Legacy Buckinghamshire district codes: listed as Fringe, but GIAS no longer uses them, so no seeded
# school has them.
INACTIVE_FRINGE_CODES: Final[frozenset[str]] = frozenset({"E07000005", "E07000006"})

_INNER_LONDON_SET: Final[frozenset[str]] = frozenset(INNER_LONDON_CODES)
_OUTER_LONDON_SET: Final[frozenset[str]] = frozenset(OUTER_LONDON_CODES)
_FRINGE_SET: Final[frozenset[str]] = frozenset(FRINGE_CODES)


def region_for_district(code: str | None) -> Region:
    """Return the funding region for a GIAS district code; anything not listed is Rest of England."""
    if code is None:
        return REST_OF_ENGLAND
    if code in _INNER_LONDON_SET:
        return INNER_LONDON
    if code in _OUTER_LONDON_SET:
        return OUTER_LONDON
    if code in _FRINGE_SET:
        return FRINGE
    return REST_OF_ENGLAND


def academic_year_for(day: datetime.date) -> str:
    """Return the academic year (1 September to 31 August) that contains `day`, e.g. "2026 to 2027"."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start} to {start + 1}"


# ---------------------------------------------------------------------------------------------------
# Fixed records that tests and personas rely on
# ---------------------------------------------------------------------------------------------------

SEED: Final[int] = 20260901

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

_LA_MAINTAINED = "Local authority maintained schools"
_ACADEMIES = "Academies"
_FREE_SCHOOLS = "Free Schools"
_INDEPENDENT = "Independent schools"
_SPECIAL = "Special schools"
_COLLEGES = "Colleges"

_CONURBATION = "(England/Wales) Urban major conurbation"
_MINOR_CONURBATION = "(England/Wales) Urban minor conurbation"
_CITY_AND_TOWN = "(England/Wales) Urban city and town"
_TOWN_AND_FRINGE = "(England/Wales) Rural town and fringe"
_VILLAGE = "(England/Wales) Rural village"
_HAMLET = "(England/Wales) Rural hamlet and isolated dwellings"

_FIXED_SCHOOLS: Final[tuple[SeedSchool, ...]] = (
    SeedSchool(
        urn=ANNE_WILSON_SCHOOL_URN,
        name="Meadowbank Primary School",
        local_authority_name="Leeds",
        local_authority_code="383",
        district_admin_code="E08000035",
        district_admin_name="Leeds",
        type_of_establishment="Community school",
        group=_LA_MAINTAINED,
        phase="Primary",
        urban_or_rural=_CONURBATION,
        town="Leeds",
        postcode="LS6 3HN",
        address1="Meadowbank Avenue",
        telephone="0113 496 0412",
        website="https://www.meadowbankprimary.leeds.sch.uk",
        ukprn="10081234",
        trust_uid=None,
        trust_name=None,
        vendor_number=None,
    ),
    SeedSchool(
        urn=MARY_LAWSON_SCHOOL_URNS[0],
        name="Riverside Bridge Primary Academy",
        local_authority_name="Southwark",
        local_authority_code="210",
        district_admin_code="E09000028",
        district_admin_name="Southwark",
        type_of_establishment="Academy converter",
        group=_ACADEMIES,
        phase="Primary",
        urban_or_rural=_CONURBATION,
        town="London",
        postcode="SE16 4JD",
        address1="Rotherhithe New Road",
        telephone="020 7946 0381",
        website="https://www.riversidebridge.org.uk",
        ukprn="10062417",
        trust_uid=MARY_LAWSON_TRUST_UID,
        trust_name=MARY_LAWSON_TRUST_NAME,
        vendor_number=None,
    ),
    SeedSchool(
        urn=MARY_LAWSON_SCHOOL_URNS[1],
        name="Coombe Wood Academy",
        local_authority_name="Croydon",
        local_authority_code="306",
        district_admin_code="E09000008",
        district_admin_name="Croydon",
        type_of_establishment="Academy sponsor led",
        group=_ACADEMIES,
        phase="Secondary",
        urban_or_rural=_CONURBATION,
        town="Croydon",
        postcode="CR0 5HS",
        address1="Coombe Road",
        telephone="020 7946 0729",
        website="https://www.coombewoodacademy.org.uk",
        ukprn="10063358",
        trust_uid=MARY_LAWSON_TRUST_UID,
        trust_name=MARY_LAWSON_TRUST_NAME,
        vendor_number=None,
    ),
    SeedSchool(
        urn=THAMES_BRIDGE_FRINGE_SCHOOL_URN,
        name="Oxted Vale Primary Academy",
        local_authority_name="Surrey",
        local_authority_code="936",
        district_admin_code="E07000215",
        district_admin_name="Tandridge",
        type_of_establishment="Academy converter",
        group=_ACADEMIES,
        phase="Primary",
        urban_or_rural=_TOWN_AND_FRINGE,
        town="Oxted",
        postcode="RH8 0QA",
        address1="Station Road East",
        telephone="01632 960514",
        website="https://www.oxtedvale.org.uk",
        ukprn="10064902",
        trust_uid=MARY_LAWSON_TRUST_UID,
        trust_name=MARY_LAWSON_TRUST_NAME,
        vendor_number=None,
    ),
    SeedSchool(
        urn=NOT_ELIGIBLE_SCHOOL_URN,
        name="Hawthorn Lane Primary School",
        local_authority_name="Sheffield",
        local_authority_code="373",
        district_admin_code="E08000039",
        district_admin_name="Sheffield",
        type_of_establishment="Community school",
        group=_LA_MAINTAINED,
        phase="Primary",
        urban_or_rural=_MINOR_CONURBATION,
        town="Sheffield",
        postcode="S5 8RE",
        address1="Hawthorn Lane",
        telephone="0114 496 0277",
        website="https://www.hawthornlane.sheffield.sch.uk",
        ukprn=None,
        trust_uid=None,
        trust_name=None,
        vendor_number=None,
    ),
)

# ---------------------------------------------------------------------------------------------------
# Districts: (code, name, LA name, LA code, ((town, outward postcode), ...), setting, phone prefix)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _District:
    code: str
    name: str
    la_name: str
    la_code: str
    places: tuple[tuple[str, str], ...]
    setting: str
    phone_prefix: str


# Urban/rural mixes, weighted by repetition.
_SETTINGS: Final[dict[str, tuple[str, ...]]] = {
    "london": (_CONURBATION,),
    "conurbation": (_CONURBATION, _CONURBATION, _CONURBATION, _CITY_AND_TOWN),
    "minor": (_MINOR_CONURBATION, _MINOR_CONURBATION, _MINOR_CONURBATION, _TOWN_AND_FRINGE),
    "city": (_CITY_AND_TOWN, _CITY_AND_TOWN, _CITY_AND_TOWN, _TOWN_AND_FRINGE),
    "town": (_CITY_AND_TOWN, _CITY_AND_TOWN, _TOWN_AND_FRINGE, _VILLAGE),
    "rural": (_CITY_AND_TOWN, _TOWN_AND_FRINGE, _VILLAGE, _VILLAGE, _HAMLET),
}

# Ofcom numbers reserved for drama, so no seeded number rings a real school.
_LONDON_PHONE = "020 7946 0"
_OTHER_PHONE = "01632 960"


def _district(
    code: str,
    name: str,
    la_name: str,
    la_code: str,
    places: str,
    setting: str,
    phone_prefix: str = _OTHER_PHONE,
) -> _District:
    """Build a district; `places` is "Town:OUT1 OUT2; Town:OUT3"."""
    parsed: list[tuple[str, str]] = []
    for chunk in places.split(";"):
        town, outwards = chunk.split(":")
        parsed.extend((town.strip(), outward) for outward in outwards.split())
    return _District(code, name, la_name, la_code, tuple(parsed), setting, phone_prefix)


_INNER_LONDON_DISTRICTS: Final[tuple[_District, ...]] = (
    _district(
        "E09000002",
        "Barking and Dagenham",
        "Barking and Dagenham",
        "301",
        "Dagenham:RM8 RM9 RM10; Barking:IG11",
        "london",
        _LONDON_PHONE,
    ),
    _district("E09000005", "Brent", "Brent", "304", "London:NW10 NW2; Wembley:HA9 HA0", "london", _LONDON_PHONE),
    _district("E09000007", "Camden", "Camden", "202", "London:NW1 NW3 NW5 WC1N", "london", _LONDON_PHONE),
    _district("E09000001", "City of London", "City of London", "201", "London:EC1M EC2Y EC4V", "london", _LONDON_PHONE),
    _district("E09000009", "Ealing", "Ealing", "307", "London:W5 W13 W3; Southall:UB1 UB2", "london", _LONDON_PHONE),
    _district("E09000011", "Greenwich", "Greenwich", "203", "London:SE10 SE18 SE9 SE28", "london", _LONDON_PHONE),
    _district("E09000012", "Hackney", "Hackney", "204", "London:E8 E5 E9 N16", "london", _LONDON_PHONE),
    _district(
        "E09000013",
        "Hammersmith and Fulham",
        "Hammersmith and Fulham",
        "205",
        "London:W6 W12 SW6",
        "london",
        _LONDON_PHONE,
    ),
    _district("E09000014", "Haringey", "Haringey", "309", "London:N15 N17 N8 N22", "london", _LONDON_PHONE),
    _district("E09000019", "Islington", "Islington", "206", "London:N1 N7 N19", "london", _LONDON_PHONE),
    _district(
        "E09000020",
        "Kensington and Chelsea",
        "Kensington and Chelsea",
        "207",
        "London:W10 W11 SW3 W8",
        "london",
        _LONDON_PHONE,
    ),
    _district("E09000022", "Lambeth", "Lambeth", "208", "London:SW2 SW9 SE11 SE27", "london", _LONDON_PHONE),
    _district("E09000023", "Lewisham", "Lewisham", "209", "London:SE4 SE6 SE13 SE14", "london", _LONDON_PHONE),
    _district(
        "E09000024", "Merton", "Merton", "315", "London:SW19 SW20; Mitcham:CR4; Morden:SM4", "london", _LONDON_PHONE
    ),
    _district("E09000025", "Newham", "Newham", "316", "London:E6 E7 E13 E15 E16", "london", _LONDON_PHONE),
    _district("E09000028", "Southwark", "Southwark", "210", "London:SE1 SE5 SE15 SE16 SE22", "london", _LONDON_PHONE),
    _district("E09000030", "Tower Hamlets", "Tower Hamlets", "211", "London:E1 E2 E3 E14", "london", _LONDON_PHONE),
    _district("E09000032", "Wandsworth", "Wandsworth", "212", "London:SW11 SW12 SW17 SW18", "london", _LONDON_PHONE),
    _district("E09000033", "Westminster", "Westminster", "213", "London:W2 W9 SW1V NW8", "london", _LONDON_PHONE),
)

_OUTER_LONDON_DISTRICTS: Final[tuple[_District, ...]] = (
    _district("E09000003", "Barnet", "Barnet", "302", "London:N12 N3 NW7 NW9; Barnet:EN5", "london", _LONDON_PHONE),
    _district(
        "E09000004",
        "Bexley",
        "Bexley",
        "303",
        "Bexleyheath:DA6 DA7; Sidcup:DA14 DA15; Erith:DA8",
        "london",
        _LONDON_PHONE,
    ),
    _district(
        "E09000006",
        "Bromley",
        "Bromley",
        "305",
        "Bromley:BR1 BR2; Orpington:BR6 BR5; Beckenham:BR3",
        "london",
        _LONDON_PHONE,
    ),
    _district("E09000008", "Croydon", "Croydon", "306", "Croydon:CR0 CR2; Thornton Heath:CR7", "london", _LONDON_PHONE),
    _district("E09000010", "Enfield", "Enfield", "308", "Enfield:EN1 EN2 EN3; London:N9 N13", "london", _LONDON_PHONE),
    _district("E09000015", "Harrow", "Harrow", "310", "Harrow:HA1 HA2 HA3; Stanmore:HA7", "london", _LONDON_PHONE),
    _district(
        "E09000016", "Havering", "Havering", "311", "Romford:RM1 RM3 RM7; Hornchurch:RM11 RM12", "london", _LONDON_PHONE
    ),
    _district(
        "E09000017",
        "Hillingdon",
        "Hillingdon",
        "312",
        "Uxbridge:UB8 UB10; Hayes:UB3 UB4; Ruislip:HA4",
        "london",
        _LONDON_PHONE,
    ),
    _district(
        "E09000018", "Hounslow", "Hounslow", "313", "Hounslow:TW3 TW4 TW5; Feltham:TW13 TW14", "london", _LONDON_PHONE
    ),
    _district(
        "E09000021",
        "Kingston upon Thames",
        "Kingston upon Thames",
        "314",
        "Kingston upon Thames:KT1 KT2; Surbiton:KT6 KT5",
        "london",
        _LONDON_PHONE,
    ),
    _district(
        "E09000026",
        "Redbridge",
        "Redbridge",
        "317",
        "Ilford:IG1 IG2 IG3 IG6; Woodford Green:IG8",
        "london",
        _LONDON_PHONE,
    ),
    _district(
        "E09000027",
        "Richmond upon Thames",
        "Richmond upon Thames",
        "318",
        "Twickenham:TW1 TW2; Richmond:TW9 TW10",
        "london",
        _LONDON_PHONE,
    ),
    _district("E09000029", "Sutton", "Sutton", "319", "Sutton:SM1 SM2 SM3; Carshalton:SM5", "london", _LONDON_PHONE),
    _district("E09000031", "Waltham Forest", "Waltham Forest", "320", "London:E17 E4 E10 E11", "london", _LONDON_PHONE),
)

_FRINGE_DISTRICTS: Final[tuple[_District, ...]] = (
    _district("E06000036", "Bracknell Forest", "Bracknell Forest", "867", "Bracknell:RG12 RG42", "city"),
    _district("E06000039", "Slough", "Slough", "871", "Slough:SL1 SL2 SL3", "city"),
    _district(
        "E06000040", "Windsor and Maidenhead", "Windsor and Maidenhead", "868", "Maidenhead:SL6; Windsor:SL4", "town"
    ),
    _district(
        "E06000060",
        "Buckinghamshire",
        "Buckinghamshire",
        "825",
        "High Wycombe:HP11 HP13; Amersham:HP6; Beaconsfield:HP9; Aylesbury:HP20 HP21",
        "rural",
    ),
    _district("E07000066", "Basildon", "Essex", "881", "Basildon:SS14 SS16; Billericay:CM12", "city"),
    _district("E07000068", "Brentwood", "Essex", "881", "Brentwood:CM14 CM15", "town"),
    _district("E07000072", "Epping Forest", "Essex", "881", "Loughton:IG10; Epping:CM16", "town"),
    _district("E07000073", "Harlow", "Essex", "881", "Harlow:CM18 CM19 CM20", "city"),
    _district("E06000034", "Thurrock", "Thurrock", "883", "Grays:RM17 RM16; Tilbury:RM18", "city"),
    _district("E07000095", "Broxbourne", "Hertfordshire", "919", "Cheshunt:EN8 EN7; Hoddesdon:EN11", "city"),
    _district("E07000096", "Dacorum", "Hertfordshire", "919", "Hemel Hempstead:HP1 HP2 HP3; Berkhamsted:HP4", "town"),
    _district(
        "E07000242",
        "East Hertfordshire",
        "Hertfordshire",
        "919",
        "Bishop's Stortford:CM23; Hertford:SG13 SG14; Ware:SG12",
        "rural",
    ),
    _district("E07000098", "Hertsmere", "Hertfordshire", "919", "Borehamwood:WD6; Potters Bar:EN6", "town"),
    _district("E07000240", "St Albans", "Hertfordshire", "919", "St Albans:AL1 AL3 AL4; Harpenden:AL5", "town"),
    _district("E07000102", "Three Rivers", "Hertfordshire", "919", "Rickmansworth:WD3; South Oxhey:WD19", "town"),
    _district("E07000103", "Watford", "Hertfordshire", "919", "Watford:WD17 WD18 WD24 WD25", "city"),
    _district(
        "E07000241", "Welwyn Hatfield", "Hertfordshire", "919", "Hatfield:AL10; Welwyn Garden City:AL7 AL8", "city"
    ),
    _district("E07000107", "Dartford", "Kent", "886", "Dartford:DA1 DA2; Swanscombe:DA10", "city"),
    _district("E07000111", "Sevenoaks", "Kent", "886", "Sevenoaks:TN13 TN14; Swanley:BR8; Edenbridge:TN8", "rural"),
    _district("E07000226", "Crawley", "West Sussex", "938", "Crawley:RH10 RH11", "city"),
    _district("E07000211", "Reigate and Banstead", "Surrey", "936", "Redhill:RH1; Reigate:RH2; Banstead:SM7", "town"),
    _district("E07000215", "Tandridge", "Surrey", "936", "Oxted:RH8; Caterham:CR3; Lingfield:RH7", "rural"),
    _district("E07000210", "Mole Valley", "Surrey", "936", "Dorking:RH4 RH5; Leatherhead:KT22", "rural"),
    _district("E07000209", "Guildford", "Surrey", "936", "Guildford:GU1 GU2 GU4", "town"),
    _district("E07000208", "Epsom and Ewell", "Surrey", "936", "Epsom:KT17 KT18 KT19", "city"),
    _district("E07000207", "Elmbridge", "Surrey", "936", "Walton-on-Thames:KT12; Esher:KT10; Cobham:KT11", "town"),
    _district("E07000213", "Spelthorne", "Surrey", "936", "Staines-upon-Thames:TW18; Ashford:TW15", "city"),
    _district("E07000214", "Surrey Heath", "Surrey", "936", "Camberley:GU15 GU16; Bagshot:GU19", "town"),
    _district("E07000216", "Waverley", "Surrey", "936", "Farnham:GU9 GU10; Godalming:GU7; Cranleigh:GU6", "rural"),
    _district("E07000217", "Woking", "Surrey", "936", "Woking:GU21 GU22", "city"),
    _district("E07000212", "Runnymede", "Surrey", "936", "Egham:TW20; Addlestone:KT15", "town"),
)

_REST_OF_ENGLAND_DISTRICTS: Final[tuple[_District, ...]] = (
    _district(
        "E08000025", "Birmingham", "Birmingham", "330", "Birmingham:B11 B23 B31 B44", "conurbation", "0121 496 0"
    ),
    _district("E08000003", "Manchester", "Manchester", "352", "Manchester:M14 M40 M9 M22", "conurbation", "0161 496 0"),
    _district(
        "E06000023", "Bristol, City of", "Bristol, City of", "801", "Bristol:BS3 BS5 BS7 BS13", "city", "0117 496 0"
    ),
    _district(
        "E08000035", "Leeds", "Leeds", "383", "Leeds:LS6 LS8 LS11 LS14; Pudsey:LS28", "conurbation", "0113 496 0"
    ),
    _district("E08000012", "Liverpool", "Liverpool", "341", "Liverpool:L4 L8 L15 L25", "conurbation", "0151 496 0"),
    _district("E08000039", "Sheffield", "Sheffield", "373", "Sheffield:S2 S5 S10 S13", "minor", "0114 496 0"),
    _district(
        "E08000021",
        "Newcastle upon Tyne",
        "Newcastle upon Tyne",
        "391",
        "Newcastle upon Tyne:NE4 NE6 NE15",
        "conurbation",
        "0191 498 0",
    ),
    _district("E06000018", "Nottingham", "Nottingham", "892", "Nottingham:NG3 NG7 NG8 NG11", "minor", "0115 496 0"),
    _district("E06000016", "Leicester", "Leicester", "856", "Leicester:LE2 LE3 LE4 LE5", "city", "0116 496 0"),
    _district("E06000026", "Plymouth", "Plymouth", "879", "Plymouth:PL2 PL5 PL6", "city"),
    _district(
        "E06000052", "Cornwall", "Cornwall", "908", "Truro:TR1; Penzance:TR18; St Austell:PL25; Bodmin:PL31", "rural"
    ),
    _district("E06000014", "York", "York", "816", "York:YO10 YO24 YO31", "city"),
    _district("E07000148", "Norwich", "Norfolk", "926", "Norwich:NR2 NR3 NR5", "city"),
    _district("E07000008", "Cambridge", "Cambridgeshire", "873", "Cambridge:CB1 CB4", "city"),
    _district("E07000178", "Oxford", "Oxfordshire", "931", "Oxford:OX3 OX4", "city"),
    _district("E06000038", "Reading", "Reading", "870", "Reading:RG1 RG2 RG30", "city", "0118 496 0"),
    _district(
        "E06000041", "Wokingham", "Wokingham", "872", "Wokingham:RG40 RG41; Crowthorne:RG45", "town", "0118 496 0"
    ),
    _district("E07000243", "Stevenage", "Hertfordshire", "919", "Stevenage:SG1 SG2", "city"),
    _district(
        "E07000099",
        "North Hertfordshire",
        "Hertfordshire",
        "919",
        "Hitchin:SG4 SG5; Letchworth Garden City:SG6; Royston:SG8",
        "rural",
    ),
    _district("E07000110", "Maidstone", "Kent", "886", "Maidstone:ME14 ME15 ME16", "town"),
    _district("E07000070", "Chelmsford", "Essex", "881", "Chelmsford:CM1 CM2; South Woodham Ferrers:CM3", "town"),
    _district("E06000032", "Luton", "Luton", "821", "Luton:LU1 LU2 LU4", "city"),
    _district("E06000042", "Milton Keynes", "Milton Keynes", "826", "Milton Keynes:MK4 MK6 MK13; Olney:MK46", "city"),
    _district("E06000055", "Bedford", "Bedford", "822", "Bedford:MK40 MK41 MK42; Kempston:MK42", "town"),
    _district("E08000026", "Coventry", "Coventry", "331", "Coventry:CV2 CV4 CV6", "conurbation"),
    _district("E08000032", "Bradford", "Bradford", "380", "Bradford:BD3 BD5 BD8; Keighley:BD21", "conurbation"),
    _district("E06000045", "Southampton", "Southampton", "852", "Southampton:SO15 SO16 SO19", "city"),
    _district("E06000043", "Brighton and Hove", "Brighton and Hove", "846", "Brighton:BN1 BN2; Hove:BN3", "city"),
    _district(
        "E06000010", "Kingston upon Hull, City of", "Kingston upon Hull, City of", "810", "Hull:HU3 HU5 HU8", "city"
    ),
    _district("E06000021", "Stoke-on-Trent", "Stoke-on-Trent", "861", "Stoke-on-Trent:ST1 ST3 ST4 ST6", "city"),
    _district("E06000002", "Middlesbrough", "Middlesbrough", "806", "Middlesbrough:TS1 TS3 TS5", "city"),
    _district("E07000041", "Exeter", "Devon", "878", "Exeter:EX1 EX2 EX4", "city"),
    _district(
        "E06000063", "Cumberland", "Cumberland", "942", "Carlisle:CA1 CA2; Workington:CA14; Keswick:CA12", "rural"
    ),
    _district(
        "E06000065",
        "North Yorkshire",
        "North Yorkshire",
        "815",
        "Harrogate:HG1 HG2; Scarborough:YO12; Skipton:BD23; Thirsk:YO7",
        "rural",
    ),
    _district("E08000024", "Sunderland", "Sunderland", "394", "Sunderland:SR2 SR4 SR5", "conurbation", "0191 498 0"),
    _district("E08000010", "Wigan", "Wigan", "359", "Wigan:WN1 WN3 WN5; Leigh:WN7", "conurbation"),
    _district("E07000117", "Burnley", "Lancashire", "888", "Burnley:BB10 BB11 BB12", "town"),
    _district(
        "E06000054",
        "Wiltshire",
        "Wiltshire",
        "865",
        "Salisbury:SP1 SP2; Chippenham:SN15; Trowbridge:BA14; Devizes:SN10",
        "rural",
    ),
    _district("E07000222", "Warwick", "Warwickshire", "937", "Leamington Spa:CV31 CV32; Warwick:CV34", "town"),
    _district("E07000136", "Boston", "Lincolnshire", "925", "Boston:PE21; Kirton:PE20", "rural"),
    _district(
        "E06000062",
        "West Northamptonshire",
        "West Northamptonshire",
        "941",
        "Northampton:NN2 NN3 NN5; Daventry:NN11; Towcester:NN12",
        "town",
    ),
)

_DISTRICTS_BY_REGION: Final[dict[Region, tuple[_District, ...]]] = {
    INNER_LONDON: _INNER_LONDON_DISTRICTS,
    OUTER_LONDON: _OUTER_LONDON_DISTRICTS,
    FRINGE: _FRINGE_DISTRICTS,
    REST_OF_ENGLAND: _REST_OF_ENGLAND_DISTRICTS,
}

# How many schools each region gets in total, including the fixed schools above.
SCHOOLS_PER_REGION: Final[dict[Region, int]] = {
    INNER_LONDON: 40,
    OUTER_LONDON: 34,
    FRINGE: 46,
    REST_OF_ENGLAND: 120,
}

# ---------------------------------------------------------------------------------------------------
# Kinds of school: name templates and GIAS classification
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    key: str
    templates: tuple[str, ...]
    type_of_establishment: str
    group: str
    phase: str
    weight: int
    urn_range: tuple[int, int]
    ukprn_share: float
    academy: bool = False
    in_london: bool = True


_MAINTAINED_URNS = (100000, 126999)
_COLLEGE_URNS = (130400, 130999)
_INDEPENDENT_URNS = (131000, 135999)
_ACADEMY_URNS = (136000, 149999)

_KINDS: Final[tuple[_Kind, ...]] = (
    _Kind(
        "community_primary",
        (
            "{place} Primary School",
            "{place} Community Primary School",
            "{place} Infant School",
            "{place} Junior School",
            "{place} Park Primary School",
        ),
        "Community school",
        _LA_MAINTAINED,
        "Primary",
        28,
        _MAINTAINED_URNS,
        0.3,
    ),
    _Kind(
        "cofe_vc_primary",
        (
            "{cofe} Church of England Primary School",
            "{place} Church of England Primary School",
            "{cofe} CofE Infant School",
        ),
        "Voluntary controlled school",
        _LA_MAINTAINED,
        "Primary",
        6,
        _MAINTAINED_URNS,
        0.3,
    ),
    _Kind(
        "cofe_va_primary",
        ("{cofe} Church of England Primary School", "{cofe} CofE Primary School"),
        "Voluntary aided school",
        _LA_MAINTAINED,
        "Primary",
        5,
        _MAINTAINED_URNS,
        0.3,
    ),
    _Kind(
        "catholic_primary",
        ("{rc} Catholic Primary School", "{rc} RC Primary School"),
        "Voluntary aided school",
        _LA_MAINTAINED,
        "Primary",
        6,
        _MAINTAINED_URNS,
        0.3,
    ),
    _Kind(
        "foundation_primary",
        ("{place} Primary School", "{place} Foundation Primary School"),
        "Foundation school",
        _LA_MAINTAINED,
        "Primary",
        3,
        _MAINTAINED_URNS,
        0.4,
    ),
    _Kind(
        "foundation_secondary",
        ("{place} School", "{place} High School", "{place} Community College"),
        "Foundation school",
        _LA_MAINTAINED,
        "Secondary",
        2,
        _MAINTAINED_URNS,
        0.8,
    ),
    _Kind(
        "community_secondary",
        ("{place} School", "{place} High School", "{place} Secondary School"),
        "Community school",
        _LA_MAINTAINED,
        "Secondary",
        4,
        _MAINTAINED_URNS,
        0.8,
    ),
    _Kind(
        "converter_primary",
        ("{place} Primary Academy", "{place} Primary School", "{place} Academy"),
        "Academy converter",
        _ACADEMIES,
        "Primary",
        13,
        _ACADEMY_URNS,
        0.6,
        academy=True,
    ),
    _Kind(
        "converter_secondary",
        (
            "{place} Academy",
            "{place} High School",
            "{place} School",
            "{place} Grammar School",
            "{rc} Catholic High School",
            "{cofe} Church of England Academy",
        ),
        "Academy converter",
        _ACADEMIES,
        "Secondary",
        9,
        _ACADEMY_URNS,
        1.0,
        academy=True,
    ),
    _Kind(
        "sponsor_primary",
        ("{place} Primary Academy", "The {place} Academy"),
        "Academy sponsor led",
        _ACADEMIES,
        "Primary",
        5,
        _ACADEMY_URNS,
        0.6,
        academy=True,
    ),
    _Kind(
        "sponsor_secondary",
        ("{place} Academy", "The {place} Academy", "{place} Park Academy"),
        "Academy sponsor led",
        _ACADEMIES,
        "Secondary",
        5,
        _ACADEMY_URNS,
        1.0,
        academy=True,
    ),
    _Kind(
        "free_primary",
        ("{place} Free School", "{place} Village Primary"),
        "Free schools",
        _FREE_SCHOOLS,
        "Primary",
        3,
        _ACADEMY_URNS,
        1.0,
        academy=True,
    ),
    _Kind(
        "free_secondary",
        ("{place} School", "{place} Academy"),
        "Free schools",
        _FREE_SCHOOLS,
        "Secondary",
        2,
        _ACADEMY_URNS,
        1.0,
        academy=True,
    ),
    _Kind(
        "free_all_through",
        ("The {place} School", "{place} All-Through School"),
        "Free schools",
        _FREE_SCHOOLS,
        "All-through",
        2,
        _ACADEMY_URNS,
        1.0,
        academy=True,
    ),
    _Kind(
        "free_16_plus",
        ("{place} Sixth Form", "{place} Sixth Form Academy"),
        "Free schools 16 to 19",
        _FREE_SCHOOLS,
        "16 plus",
        1,
        _ACADEMY_URNS,
        1.0,
        academy=True,
    ),
    _Kind(
        "nursery",
        ("{place} Nursery School",),
        "Local authority nursery school",
        _LA_MAINTAINED,
        "Nursery",
        2,
        _MAINTAINED_URNS,
        0.0,
    ),
    _Kind(
        "middle",
        ("{place} Middle School",),
        "Academy converter",
        _ACADEMIES,
        "Middle deemed secondary",
        1,
        _ACADEMY_URNS,
        1.0,
        academy=True,
        in_london=False,
    ),
    _Kind(
        "independent",
        ("{place} Preparatory School", "{place} House School", "{place} Independent School"),
        "Other independent school",
        _INDEPENDENT,
        "Not applicable",
        3,
        _INDEPENDENT_URNS,
        0.5,
    ),
    _Kind(
        "special",
        ("{place} Special School", "{place} School"),
        "Community special school",
        _SPECIAL,
        "Not applicable",
        3,
        _MAINTAINED_URNS,
        0.3,
    ),
    _Kind(
        "sixth_form_college",
        ("{place} Sixth Form College",),
        "Further education",
        _COLLEGES,
        "16 plus",
        1,
        _COLLEGE_URNS,
        1.0,
        in_london=False,
    ),
)

_PLACES: Final[tuple[str, ...]] = (
    "Abbey Wood",
    "Albion",
    "Alder Grove",
    "Ashgrove",
    "Ashmount",
    "Badger Hill",
    "Beechwood",
    "Bellfield",
    "Bramley",
    "Brookfield",
    "Brunel",
    "Castle Hill",
    "Cavendish",
    "Chapel End",
    "Chaucer",
    "Cherry Tree",
    "Chestnut Grove",
    "Church Hill",
    "Coleridge",
    "Copperfield",
    "Coppice",
    "Crossways",
    "Darwin",
    "Deer Park",
    "Dickens",
    "Eastfield",
    "Edgewood",
    "Elmhurst",
    "Fairfield",
    "Faraday",
    "Fernhill",
    "Fieldway",
    "Foxhill",
    "Glebe",
    "Gorse Hill",
    "Grange Park",
    "Greenfield",
    "Greenway",
    "Harbour View",
    "Hawkswood",
    "Hazelwood",
    "Heathfield",
    "Heron Brook",
    "Highfield",
    "Hillside",
    "Hollybrook",
    "Hollyfield",
    "Holmwood",
    "Ivy Lane",
    "Keats",
    "Kingfisher",
    "Kingsmead",
    "Kingsway",
    "Lakeside",
    "Larchwood",
    "Larkrise",
    "Lime Tree",
    "Lindenwood",
    "Longmoor",
    "Lyndhurst",
    "Manor Park",
    "Maplewood",
    "Marsh Lane",
    "Mayfield",
    "Millbrook",
    "Mill Lane",
    "Moorside",
    "Newlands",
    "Nightingale",
    "Northfield",
    "Oakfield",
    "Oakwood",
    "Orchard Vale",
    "Parkside",
    "Pinewood",
    "Poplar Grove",
    "Primrose Hill",
    "Priory",
    "Queensbridge",
    "Ravenscroft",
    "Redbrook",
    "Ridgeway",
    "Rosehill",
    "Rosewood",
    "Rowan Tree",
    "Sandhill",
    "Sherwood",
    "Southfields",
    "Springfield",
    "Stanley Park",
    "Stonebridge",
    "Sunnyside",
    "Swallowfield",
    "Sycamore",
    "Tennyson",
    "Thornhill",
    "Thorpe Lea",
    "Townsend",
    "Upton Cross",
    "Victoria Park",
    "Waterside",
    "Wellington",
    "Westbury",
    "Whitecross",
    "Willowbrook",
    "Windmill Hill",
    "Woodlands",
    "Woodside",
    "Wordsworth",
    "Wyvern",
    "Yewtree",
)

_COFE_SAINTS: Final[tuple[str, ...]] = (
    "All Saints",
    "Christ Church",
    "Holy Trinity",
    "St Andrew's",
    "St Augustine's",
    "St Barnabas",
    "St George's",
    "St James'",
    "St John's",
    "St Luke's",
    "St Margaret's",
    "St Mark's",
    "St Mary's",
    "St Matthew's",
    "St Michael's",
    "St Nicholas",
    "St Paul's",
    "St Peter's",
    "St Saviour's",
    "St Stephen's",
)

_RC_SAINTS: Final[tuple[str, ...]] = (
    "Blessed Sacrament",
    "Corpus Christi",
    "English Martyrs",
    "Holy Family",
    "Our Lady of Lourdes",
    "Our Lady Queen of Peace",
    "Sacred Heart",
    "St Anne's",
    "St Bernadette's",
    "St Cuthbert's",
    "St Edmund's",
    "St Francis of Assisi",
    "St John Fisher",
    "St Joseph's",
    "St Mary Magdalene",
    "St Patrick's",
    "St Teresa's",
    "St Thomas More",
    "St Vincent de Paul",
    "St Wilfrid's",
)

_STREETS: Final[tuple[str, ...]] = (
    "Church Lane",
    "High Street",
    "Station Road",
    "Park Road",
    "School Lane",
    "Victoria Road",
    "Mill Lane",
    "Green Lane",
    "Manor Road",
    "Queens Road",
    "Grange Road",
    "Kings Avenue",
    "New Road",
    "The Crescent",
    "Chapel Street",
    "Westfield Road",
    "Broadway",
    "London Road",
    "North Street",
    "Beech Avenue",
    "Elm Grove",
    "Orchard Way",
    "Meadow Close",
    "Hill Rise",
    "Brook Street",
)

_POSTCODE_LETTERS: Final[str] = "ABDEFGHJLNPQRSTUWXYZ"

# Multi-academy trusts and the districts their academies are in. Mary Lawson's trust is fixed above.
_TRUSTS: Final[tuple[tuple[str, str, frozenset[str]], ...]] = (
    (
        "16412",
        "East London Schools Partnership",
        frozenset(
            {
                "E09000012",
                "E09000030",
                "E09000025",
                "E09000002",
                "E09000026",
                "E09000016",
                "E09000031",
                "E06000034",
                "E07000066",
                "E07000072",
                "E07000073",
                "E07000068",
            }
        ),
    ),
    (
        "16988",
        "Wandle Valley Academy Trust",
        frozenset(
            {
                "E09000022",
                "E09000032",
                "E09000024",
                "E09000029",
                "E09000008",
                "E09000021",
                "E09000027",
                "E09000028",
                "E09000023",
                "E09000011",
                "E09000006",
                "E09000004",
            }
        ),
    ),
    (
        "15207",
        "Northwood Learning Trust",
        frozenset(
            {
                "E09000007",
                "E09000019",
                "E09000014",
                "E09000003",
                "E09000010",
                "E09000015",
                "E09000005",
                "E09000009",
                "E09000017",
                "E09000018",
                "E09000013",
                "E09000020",
                "E09000033",
                "E09000001",
            }
        ),
    ),
    (
        "14873",
        "Chiltern Edge Learning Trust",
        frozenset(
            {
                "E06000060",
                "E07000096",
                "E07000102",
                "E07000103",
                "E07000240",
                "E07000098",
                "E07000241",
                "E07000242",
                "E07000095",
                "E07000243",
                "E07000099",
                "E06000032",
                "E06000042",
                "E06000055",
                "E06000039",
                "E06000040",
                "E06000036",
            }
        ),
    ),
    (
        "15561",
        "Weald and Downs Academy Trust",
        frozenset(
            {
                "E07000211",
                "E07000215",
                "E07000210",
                "E07000209",
                "E07000208",
                "E07000207",
                "E07000213",
                "E07000214",
                "E07000216",
                "E07000217",
                "E07000212",
                "E07000226",
                "E07000107",
                "E07000111",
                "E07000110",
                "E06000043",
                "E06000045",
                "E06000038",
                "E06000041",
            }
        ),
    ),
    (
        "4418",
        "Pennine Learning Partnership",
        frozenset({"E08000035", "E08000032", "E08000010", "E07000117", "E08000003", "E08000039"}),
    ),
    (
        "5120",
        "Midlands Oak Academy Trust",
        frozenset({"E08000025", "E08000026", "E06000016", "E06000018", "E06000021", "E06000062", "E07000222"}),
    ),
    (
        "2739",
        "Severn Vale Education Trust",
        frozenset({"E06000023", "E06000054", "E07000041", "E06000026", "E06000052", "E07000178"}),
    ),
    (
        "3961",
        "Northern Star Schools Trust",
        frozenset(
            {"E08000021", "E08000024", "E06000002", "E06000063", "E06000065", "E06000014", "E06000010", "E08000012"}
        ),
    ),
    ("16105", "Anglian Fens Academy Trust", frozenset({"E07000148", "E07000008", "E07000136", "E07000070"})),
)

# ---------------------------------------------------------------------------------------------------
# Providers: (name, provider_type, accredited, city, outward postcode, email domain)
# ---------------------------------------------------------------------------------------------------

_PROVIDERS: Final[tuple[tuple[str, str, bool, str, str, str], ...]] = (
    ("University of Birmingham", "university", True, "Birmingham", "B15", "birmingham.ac.uk"),
    ("Birmingham City University", "university", True, "Birmingham", "B42", "birminghamcity.ac.uk"),
    ("University of Bristol", "university", True, "Bristol", "BS8", "bristol.ac.uk"),
    ("University of the West of England", "university", True, "Bristol", "BS16", "westofengland.ac.uk"),
    ("University of Leeds", "university", True, "Leeds", "LS2", "leeds.ac.uk"),
    ("Leeds Beckett University", "university", True, "Leeds", "LS6", "leedsbeckett.ac.uk"),
    ("Leeds Trinity University", "university", True, "Leeds", "LS18", "leedstrinity.ac.uk"),
    ("Manchester Metropolitan University", "university", True, "Manchester", "M15", "manchestermet.ac.uk"),
    ("University of Manchester", "university", True, "Manchester", "M13", "manchester.ac.uk"),
    ("Sheffield Hallam University", "university", True, "Sheffield", "S1", "sheffieldhallam.ac.uk"),
    ("University of Sheffield", "university", True, "Sheffield", "S10", "sheffield.ac.uk"),
    ("University of Nottingham", "university", True, "Nottingham", "NG7", "nottingham.ac.uk"),
    ("Nottingham Trent University", "university", True, "Nottingham", "NG1", "nottinghamtrent.ac.uk"),
    ("University College London", "university", True, "London", "WC1H", "ucl.ac.uk"),
    ("King's College London", "university", True, "London", "SE1", "kingscollegelondon.ac.uk"),
    ("Goldsmiths, University of London", "university", True, "London", "SE14", "goldsmiths.ac.uk"),
    ("University of Roehampton", "university", True, "London", "SW15", "roehampton.ac.uk"),
    ("St Mary's University, Twickenham", "university", True, "Twickenham", "TW1", "stmarys.ac.uk"),
    ("Canterbury Christ Church University", "university", True, "Canterbury", "CT1", "canterbury.ac.uk"),
    ("University of Brighton", "university", True, "Brighton", "BN2", "brighton.ac.uk"),
    ("University of Sussex", "university", True, "Brighton", "BN1", "sussex.ac.uk"),
    ("University of Exeter", "university", True, "Exeter", "EX1", "exeter.ac.uk"),
    ("Bath Spa University", "university", True, "Bath", "BA2", "bathspa.ac.uk"),
    ("University of Cumbria", "university", True, "Carlisle", "CA1", "cumbria.ac.uk"),
    ("Edge Hill University", "university", True, "Ormskirk", "L39", "edgehill.ac.uk"),
    ("Liverpool Hope University", "university", True, "Liverpool", "L16", "liverpoolhope.ac.uk"),
    ("Newcastle University", "university", True, "Newcastle upon Tyne", "NE1", "newcastle.ac.uk"),
    ("Northumbria University", "university", True, "Newcastle upon Tyne", "NE1", "northumbria.ac.uk"),
    ("University of Sunderland", "university", True, "Sunderland", "SR1", "sunderland.ac.uk"),
    ("York St John University", "university", True, "York", "YO31", "yorksj.ac.uk"),
    ("University of Hertfordshire", "university", True, "Hatfield", "AL10", "hertfordshire.ac.uk"),
    ("University of Bedfordshire", "university", True, "Bedford", "MK41", "bedfordshire.ac.uk"),
    ("Oxford Brookes University", "university", True, "Oxford", "OX3", "oxfordbrookes.ac.uk"),
    ("University of East London", "university", True, "London", "E15", "eastlondon.ac.uk"),
    ("Middlesex University", "university", True, "London", "NW4", "middlesex.ac.uk"),
    ("Brunel University London", "university", True, "Uxbridge", "UB8", "brunel.ac.uk"),
    ("Best Practice Network", "scitt", True, "Bristol", "BS1", "bestpracticenetwork.org.uk"),
    ("National Institute of Teaching", "scitt", True, "Birmingham", "B1", "niot.org.uk"),
    ("Ambition Institute", "scitt", True, "London", "EC1V", "ambitioninstitute.org.uk"),
    ("Teach First", "scitt", True, "London", "EC1Y", "teachfirst.org.uk"),
    ("Bedfordshire Schools Training Partnership SCITT", "scitt", True, "Bedford", "MK42", "bstp.org.uk"),
    ("Leeds SCITT", "scitt", True, "Leeds", "LS14", "leedsscitt.org.uk"),
    ("Kent and Medway Training SCITT", "scitt", True, "Maidstone", "ME16", "kmt-scitt.org.uk"),
    ("Essex and Thames Primary SCITT", "scitt", True, "Basildon", "SS14", "etps-scitt.org.uk"),
    ("Surrey South Farnham SCITT", "scitt", True, "Farnham", "GU9", "ssf-scitt.org.uk"),
    ("Cornwall SCITT", "scitt", True, "Truro", "TR1", "cornwallscitt.org.uk"),
    ("North Manchester ITT Partnership SCITT", "scitt", True, "Manchester", "M9", "nmittp.org.uk"),
    ("Bradford Birth to 19 SCITT", "scitt", True, "Bradford", "BD5", "bradfordbirthto19.org.uk"),
    ("Tommy Flowers SCITT", "scitt", True, "Milton Keynes", "MK6", "tommyflowers-scitt.org.uk"),
    ("Sheffield SCITT", "scitt", True, "Sheffield", "S5", "sheffieldscitt.org.uk"),
    ("Suffolk and Norfolk SCITT", "scitt", True, "Ipswich", "IP1", "suffolknorfolk-scitt.org.uk"),
    ("London East Teacher Training Alliance SCITT", "scitt", True, "London", "E14", "letta.org.uk"),
    ("Hertfordshire Teacher Training Partnership SCITT", "scitt", True, "St Albans", "AL1", "htt-partnership.org.uk"),
    ("Leeds East Teaching School Hub", "lead_school", False, "Leeds", "LS9", "leedseasttsh.org.uk"),
    ("Bristol Teaching School Hub", "lead_school", False, "Bristol", "BS5", "bristoltsh.org.uk"),
    ("Birmingham Primary Teaching School Hub", "lead_school", False, "Birmingham", "B23", "bptsh.org.uk"),
    ("South London Teaching School Hub", "lead_school", False, "London", "SE22", "southlondontsh.org.uk"),
    ("Mersey Teaching School Hub", "lead_school", False, "Liverpool", "L8", "merseytsh.org.uk"),
    ("Tees Valley Teaching School Hub", "lead_school", False, "Middlesbrough", "TS5", "teesvalleytsh.org.uk"),
    ("Surrey Hills Teaching School Hub", "lead_school", False, "Guildford", "GU2", "surreyhillstsh.org.uk"),
    ("Oakfield Learning Partnership", "lead_school", False, "Coventry", "CV4", "oakfieldlp.org.uk"),
)

# ---------------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------------

_FIRST_NAMES: Final[tuple[str, ...]] = (
    "Aaliyah",
    "Abdul",
    "Adam",
    "Adebayo",
    "Aisha",
    "Alice",
    "Amara",
    "Amelia",
    "Amir",
    "Ananya",
    "Andrew",
    "Angela",
    "Anil",
    "Bethan",
    "Catherine",
    "Charlotte",
    "Chen",
    "Chidi",
    "Chloe",
    "Ciaran",
    "Claire",
    "Daniel",
    "David",
    "Deborah",
    "Declan",
    "Dylan",
    "Eilidh",
    "Eleanor",
    "Elif",
    "Emma",
    "Farah",
    "Fiona",
    "Gareth",
    "Grace",
    "Gurpreet",
    "Hamza",
    "Hannah",
    "Harjit",
    "Helen",
    "Ibrahim",
    "Imogen",
    "Isaac",
    "Jack",
    "Jasmine",
    "Joanne",
    "Jonathan",
    "Joseph",
    "Kamal",
    "Karen",
    "Kate",
    "Kwame",
    "Laura",
    "Leah",
    "Liam",
    "Lucy",
    "Mai",
    "Marcus",
    "Mark",
    "Matthew",
    "Megan",
    "Mei",
    "Michael",
    "Mohammed",
    "Naomi",
    "Natalia",
    "Neil",
    "Niamh",
    "Nicola",
    "Nkechi",
    "Oliver",
    "Olivia",
    "Omar",
    "Paul",
    "Rachel",
    "Rebecca",
    "Rhys",
    "Richard",
    "Rosie",
    "Ruth",
    "Ryan",
    "Saanvi",
    "Samuel",
    "Sarah",
    "Seren",
    "Siân",
    "Simon",
    "Sophie",
    "Stephen",
    "Sunita",
    "Tariq",
    "Thomas",
    "Tomasz",
    "Usman",
    "Victoria",
    "Wei",
    "William",
    "Yasmin",
    "Yusuf",
    "Zainab",
    "Zoë",
)

_LAST_NAMES: Final[tuple[str, ...]] = (
    "Abbott",
    "Adeyemi",
    "Ahmed",
    "Akhtar",
    "Ali",
    "Allen",
    "Anderson",
    "Appiah",
    "Atkinson",
    "Bailey",
    "Baker",
    "Banerjee",
    "Barker",
    "Begum",
    "Bennett",
    "Bhatt",
    "Brown",
    "Campbell",
    "Chaudhry",
    "Chen",
    "Clarke",
    "Collins",
    "Cooper",
    "Davies",
    "Dhillon",
    "Doherty",
    "Edwards",
    "Evans",
    "Fernandes",
    "Fletcher",
    "Foster",
    "Gill",
    "Green",
    "Griffiths",
    "Hall",
    "Harris",
    "Hughes",
    "Hussain",
    "Iqbal",
    "Jackson",
    "James",
    "Jenkins",
    "Johnson",
    "Jones",
    "Kaur",
    "Kelly",
    "Khan",
    "King",
    "Kowalski",
    "Lee",
    "Lewis",
    "Mahmood",
    "Malik",
    "Martin",
    "Mensah",
    "Mistry",
    "Mitchell",
    "Moore",
    "Morgan",
    "Murphy",
    "Nguyen",
    "Nowak",
    "O'Brien",
    "O'Connor",
    "Obi",
    "Okonkwo",
    "Owen",
    "Parker",
    "Patel",
    "Phillips",
    "Price",
    "Rahman",
    "Reid",
    "Roberts",
    "Robinson",
    "Rossi",
    "Scott",
    "Sharma",
    "Shaw",
    "Singh",
    "Smith",
    "Smith-Jones",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Yilmaz",
    "Young",
    "Zhang",
)

TEACHER_COUNT: Final[int] = 320

# Extra school users, so that schools have colleagues: (first name, last name, school URN or None).
# None means "a school picked by the seeded random generator".
_EXTRA_SCHOOL_USERS: Final[tuple[tuple[str, str, str | None], ...]] = (
    ("David", "Okoro", ANNE_WILSON_SCHOOL_URN),
    ("Fatima", "Hussain", MARY_LAWSON_SCHOOL_URNS[0]),
    ("Gareth", "Evans", None),
    ("Siobhan", "Murphy", None),
    ("Rajesh", "Patel", None),
    ("Hannah", "Clarke", None),
    ("Tom", "Fletcher", None),
    ("Chloe", "Nguyen", None),
    ("Oluwaseun", "Adebayo", None),
    ("Zoë", "Harrington", None),
)

# Extra provider user at another accredited provider: (first name, last name, provider name).
_EXTRA_PROVIDER_USERS: Final[tuple[tuple[str, str, str], ...]] = (("Imran", "Siddiqui", "University of Birmingham"),)

ELIGIBLE_SHARE: Final[float] = 0.9


# ---------------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------------


def _ascii_slug(text: str, separator: str = "") -> str:
    """Lower-case ASCII letters and digits of `text`, words joined by `separator`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", plain.replace("'", ""))
    return separator.join(words)


def _postcode(rng: random.Random, outward: str) -> str:
    letters = "".join(rng.choice(_POSTCODE_LETTERS) for _ in range(2))
    return f"{outward} {rng.randint(1, 9)}{letters}"


def _unique_number(rng: random.Random, low: int, high: int, used: set[str], width: int) -> str:
    while True:
        candidate = f"{rng.randint(low, high):0{width}d}"
        if candidate not in used:
            used.add(candidate)
            return candidate


def _pick_kind(rng: random.Random, region: Region) -> _Kind:
    kinds = [kind for kind in _KINDS if kind.in_london or region in (FRINGE, REST_OF_ENGLAND)]
    return rng.choices(kinds, weights=[kind.weight for kind in kinds])[0]


def _school_name(rng: random.Random, kind: _Kind, used_names: set[str]) -> str:
    while True:
        template = rng.choice(kind.templates)
        name = template.format(place=rng.choice(_PLACES), cofe=rng.choice(_COFE_SAINTS), rc=rng.choice(_RC_SAINTS))
        if name not in used_names:
            used_names.add(name)
            return name


def _website(name: str, kind: _Kind, district: _District) -> str:
    slug = _ascii_slug(name.replace("Church of England", "CE").removesuffix(" School"))
    if kind.group == _LA_MAINTAINED or kind.group == _SPECIAL:
        return f"https://www.{slug}.{_ascii_slug(district.la_name.split(',')[0])}.sch.uk"
    if kind.group == _INDEPENDENT:
        return f"https://www.{slug}.co.uk"
    if kind.group == _COLLEGES:
        return f"https://www.{slug}.ac.uk"
    return f"https://www.{slug}.org.uk"


def _trust_for(rng: random.Random, name: str, district: _District, used_uids: set[str]) -> tuple[str, str]:
    for uid, trust_name, districts in _TRUSTS:
        if district.code in districts and rng.random() < 0.75:
            return uid, trust_name
    # A single-academy trust named after its school.
    return _unique_number(rng, 10000, 19999, used_uids, 5), f"{name} Trust"


def _generated_school(
    rng: random.Random,
    region: Region,
    district: _District,
    kind: _Kind,
    used_names: set[str],
    used_urns: set[str],
    used_ukprns: set[str],
    used_trust_uids: set[str],
) -> SeedSchool:
    name = _school_name(rng, kind, used_names)
    urn = _unique_number(rng, kind.urn_range[0], kind.urn_range[1], used_urns, 6)
    town, outward = rng.choice(district.places)
    ukprn = _unique_number(rng, 10000000, 10099999, used_ukprns, 8) if rng.random() < kind.ukprn_share else None
    trust_uid: str | None = None
    trust_name: str | None = None
    if kind.academy:
        trust_uid, trust_name = _trust_for(rng, name, district, used_trust_uids)
    urban_or_rural = _CONURBATION if region in (INNER_LONDON, OUTER_LONDON) else rng.choice(_SETTINGS[district.setting])
    return SeedSchool(
        urn=urn,
        name=name,
        local_authority_name=district.la_name,
        local_authority_code=district.la_code,
        district_admin_code=district.code,
        district_admin_name=district.name,
        type_of_establishment=kind.type_of_establishment,
        group=kind.group,
        phase=kind.phase,
        urban_or_rural=urban_or_rural,
        town=town,
        postcode=_postcode(rng, outward),
        address1=rng.choice(_STREETS),
        telephone=f"{district.phone_prefix}{rng.randint(0, 999):03d}",
        website=_website(name, kind, district),
        ukprn=ukprn,
        trust_uid=trust_uid,
        trust_name=trust_name,
        vendor_number=None,
    )


def _build_schools(rng: random.Random) -> tuple[SeedSchool, ...]:
    used_names = {school.name for school in _FIXED_SCHOOLS}
    used_urns = {school.urn for school in _FIXED_SCHOOLS}
    used_ukprns = {school.ukprn for school in _FIXED_SCHOOLS if school.ukprn is not None}
    used_trust_uids = {MARY_LAWSON_TRUST_UID} | {uid for uid, _, _ in _TRUSTS}
    schools: list[SeedSchool] = list(_FIXED_SCHOOLS)
    for region in REGIONS:
        districts = _DISTRICTS_BY_REGION[region]
        fixed_count = sum(1 for school in _FIXED_SCHOOLS if region_for_district(school.district_admin_code) == region)
        # Rest of England starts with one school of every kind, so every kind appears at least once.
        mandatory = list(_KINDS) if region == REST_OF_ENGLAND else []
        for index in range(SCHOOLS_PER_REGION[region] - fixed_count):
            district = districts[index % len(districts)]
            kind = mandatory[index] if index < len(mandatory) else _pick_kind(rng, region)
            schools.append(
                _generated_school(rng, region, district, kind, used_names, used_urns, used_ukprns, used_trust_uids)
            )
    return tuple(schools)


def _provider_code(rng: random.Random, used: set[str]) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    digits = "0123456789"
    patterns = ("dll", "ldd", "ldl", "dld")
    while True:
        pattern = rng.choice(patterns)
        code = "".join(rng.choice(digits if part == "d" else letters) for part in pattern)
        if code not in used:
            used.add(code)
            return code


def _build_providers(rng: random.Random, used_urns: set[str], used_ukprns: set[str]) -> tuple[SeedProvider, ...]:
    used_codes: set[str] = set()
    providers: list[SeedProvider] = []
    for name, provider_type, accredited, city, outward, domain in _PROVIDERS:
        code = _provider_code(rng, used_codes)
        ukprn = _unique_number(rng, 10000000, 10099999, used_ukprns, 8)
        has_urn = provider_type == "lead_school" or (provider_type == "scitt" and rng.random() < 0.6)
        urn = _unique_number(rng, 136000, 149999, used_urns, 6) if has_urn else None
        providers.append(
            SeedProvider(
                code=code,
                name=name,
                provider_type=provider_type,
                accredited=accredited,
                ukprn=ukprn,
                urn=urn,
                postcode=_postcode(rng, outward),
                email=f"itt@{domain}",
                city=city,
            )
        )
    return tuple(providers)


def _build_teachers(rng: random.Random) -> tuple[SeedTeacher, ...]:
    used_trns = {teacher.trn for teacher in DEMO_TEACHERS}
    first_day = datetime.date(1960, 1, 1).toordinal()
    last_day = datetime.date(2000, 12, 31).toordinal()
    teachers = list(DEMO_TEACHERS)
    while len(teachers) < TEACHER_COUNT:
        teachers.append(
            SeedTeacher(
                trn=_unique_number(rng, 1100000, 3999999, used_trns, 7),
                first_name=rng.choice(_FIRST_NAMES),
                last_name=rng.choice(_LAST_NAMES),
                date_of_birth=datetime.date.fromordinal(rng.randint(first_day, last_day)),
            )
        )
    return tuple(teachers)


def _eligible_urns(rng: random.Random, schools: Sequence[SeedSchool]) -> tuple[str, ...]:
    always = {ANNE_WILSON_SCHOOL_URN, *MARY_LAWSON_SCHOOL_URNS, THAMES_BRIDGE_FRINGE_SCHOOL_URN}
    eligible: list[str] = []
    for school in schools:
        draw = rng.random()
        if school.urn == NOT_ELIGIBLE_SCHOOL_URN:
            continue
        if school.urn in always or draw < ELIGIBLE_SHARE:
            eligible.append(school.urn)
    return tuple(eligible)


def _school_email_domain(school: SeedSchool) -> str:
    return school.website.removeprefix("https://").removeprefix("www.")


def _user(first: str, last: str, email: str, role: str, organisation_ids: tuple[str, ...]) -> SeedUser:
    return SeedUser(
        user_id=f"user-{_ascii_slug(f'{first} {last}', '-')}",
        first_name=first,
        last_name=last,
        email=email,
        role=role,
        organisation_ids=organisation_ids,
    )


def _email_local_part(first: str, last: str) -> str:
    return f"{_ascii_slug(first, '-')}.{_ascii_slug(last, '-')}"


def _build_users(
    rng: random.Random,
    schools: Sequence[SeedSchool],
    providers: Sequence[SeedProvider],
    eligible_urns: Sequence[str],
) -> tuple[SeedUser, ...]:
    schools_by_urn = {school.urn: school for school in schools}
    providers_by_name = {provider.name: provider for provider in providers}
    anne_school = schools_by_urn[ANNE_WILSON_SCHOOL_URN]
    patricia_provider = providers_by_name[PATRICIA_ADEYEMI_PROVIDER_NAME]
    users: list[SeedUser] = [
        _user(
            "Anne", "Wilson", f"anne.wilson@{_school_email_domain(anne_school)}", "school", (ANNE_WILSON_SCHOOL_URN,)
        ),
        _user("Mary", "Lawson", "mary.lawson@thamesbridge.org.uk", "school", MARY_LAWSON_SCHOOL_URNS),
        _user("Colin", "Chapman", "colin.chapman@education.gov.uk", "support", ()),
        _user("Sam", "Brooks", "sam.brooks@education.gov.uk", "support", ()),
        _user(
            "Patricia",
            "Adeyemi",
            f"patricia.adeyemi@{patricia_provider.email.split('@')[1]}",
            "provider",
            (patricia_provider.code,),
        ),
    ]
    fixed_urns = {school.urn for school in _FIXED_SCHOOLS}
    candidates = [urn for urn in eligible_urns if urn not in fixed_urns]
    picked = rng.sample(candidates, k=sum(1 for *_, urn in _EXTRA_SCHOOL_USERS if urn is None))
    # Two of the extra users share a school, so a generated school has colleagues too.
    picked[3] = picked[2]
    picks = iter(picked)
    for first, last, fixed_urn in _EXTRA_SCHOOL_USERS:
        urn = fixed_urn if fixed_urn is not None else next(picks)
        domain = _school_email_domain(schools_by_urn[urn])
        users.append(_user(first, last, f"{_email_local_part(first, last)}@{domain}", "school", (urn,)))
    for first, last, provider_name in _EXTRA_PROVIDER_USERS:
        provider = providers_by_name[provider_name]
        domain = provider.email.split("@")[1]
        users.append(_user(first, last, f"{_email_local_part(first, last)}@{domain}", "provider", (provider.code,)))
    return tuple(users)


def _window_id(academic_year: str, number: int) -> str:
    return f"window-{academic_year.replace(' ', '-')}-{number}"


def _build_claim_windows(today: datetime.date) -> tuple[SeedClaimWindow, ...]:
    current_year = academic_year_for(today)
    start_year = int(current_year[:4])
    previous_year = f"{start_year - 1} to {start_year}"
    return (
        SeedClaimWindow(
            window_id=_window_id(previous_year, 1),
            academic_year=previous_year,
            opens_on=datetime.date(start_year, 5, 1),
            closes_on=datetime.date(start_year, 6, 30),
        ),
        SeedClaimWindow(
            window_id=_window_id(current_year, 1),
            academic_year=current_year,
            opens_on=today - datetime.timedelta(days=20),
            closes_on=today + datetime.timedelta(days=45),
        ),
    )


def build_seed_data(today: datetime.date) -> SeedData:
    """Build the demo data set. The same `today` always gives the same data."""
    rng = random.Random(SEED)  # noqa: S311 - demo data must be reproducible, not secret
    schools = _build_schools(rng)
    used_urns = {school.urn for school in schools}
    used_ukprns = {school.ukprn for school in schools if school.ukprn is not None}
    providers = _build_providers(rng, used_urns, used_ukprns)
    teachers = _build_teachers(rng)
    eligible = _eligible_urns(rng, schools)
    users = _build_users(rng, schools, providers, eligible)
    return SeedData(
        schools=schools,
        providers=providers,
        teachers=teachers,
        users=users,
        claim_windows=_build_claim_windows(today),
        eligible_school_urns=eligible,
    )


def personas(data: SeedData) -> tuple[SeedUser, ...]:
    """The five sign-in personas in a fixed order.

    Anne Wilson, Mary Lawson, Colin Chapman, Sam Brooks, Patricia Adeyemi.
    """
    users_by_id = {user.user_id: user for user in data.users}
    return tuple(users_by_id[user_id] for user_id in PERSONA_USER_IDS)
