"""The demo data for the local stack and the tests: literal tables in `tables/`, the named people and
organisations in `personas.py`, and `generate.py`, which builds the rest from one seeded random generator.

Public surface: `build_seed_data(today)`, `personas(data)`, the record types, the named constants, and
the London and Fringe district codes in DfE's order (`INNER_LONDON_CODES`, ...). The codes, a district's
funding region and academic years all come from `shared.claims`; nothing here decides them.
"""

from typing import Final

from infrastructure.local.demo_data.generate import (
    ELIGIBLE_SHARE,
    SCHOOLS_PER_REGION,
    SEED,
    TEACHER_COUNT,
    build_seed_data,
)
from infrastructure.local.demo_data.personas import (
    ANNE_WILSON_SCHOOL_URN,
    ANNE_WILSON_USER_ID,
    COLIN_CHAPMAN_USER_ID,
    DEMO_TEACHERS,
    MARY_LAWSON_SCHOOL_URNS,
    MARY_LAWSON_TRUST_NAME,
    MARY_LAWSON_TRUST_UID,
    MARY_LAWSON_USER_ID,
    NOT_ELIGIBLE_SCHOOL_URN,
    PATRICIA_ADEYEMI_PROVIDER_NAME,
    PATRICIA_ADEYEMI_USER_ID,
    PERSONA_USER_IDS,
    SAM_BROOKS_USER_ID,
    THAMES_BRIDGE_FRINGE_SCHOOL_URN,
    personas,
)
from infrastructure.local.demo_data.records import (
    SeedClaimWindow,
    SeedData,
    SeedProvider,
    SeedSchool,
    SeedTeacher,
    SeedUser,
)
from infrastructure.local.demo_data.table_files import DISTRICTS, listed_codes
from shared.claims.regions import Region

REGIONS: Final[tuple[Region, ...]] = tuple(Region)

# The same codes as `shared.claims.regions`, in the order DfE's list gives them.
INNER_LONDON_CODES: Final[tuple[str, ...]] = listed_codes(Region.INNER_LONDON)
OUTER_LONDON_CODES: Final[tuple[str, ...]] = listed_codes(Region.OUTER_LONDON)
FRINGE_CODES: Final[tuple[str, ...]] = listed_codes(Region.FRINGE)
# Legacy Buckinghamshire codes: listed as Fringe, but GIAS no longer uses them, so no school has them.
INACTIVE_FRINGE_CODES: Final[frozenset[str]] = frozenset(
    district.code for district in DISTRICTS if district.code in FRINGE_CODES and not district.towns
)

__all__ = [
    "ANNE_WILSON_SCHOOL_URN",
    "ANNE_WILSON_USER_ID",
    "COLIN_CHAPMAN_USER_ID",
    "DEMO_TEACHERS",
    "ELIGIBLE_SHARE",
    "FRINGE_CODES",
    "INACTIVE_FRINGE_CODES",
    "INNER_LONDON_CODES",
    "MARY_LAWSON_SCHOOL_URNS",
    "MARY_LAWSON_TRUST_NAME",
    "MARY_LAWSON_TRUST_UID",
    "MARY_LAWSON_USER_ID",
    "NOT_ELIGIBLE_SCHOOL_URN",
    "OUTER_LONDON_CODES",
    "PATRICIA_ADEYEMI_PROVIDER_NAME",
    "PATRICIA_ADEYEMI_USER_ID",
    "PERSONA_USER_IDS",
    "REGIONS",
    "SAM_BROOKS_USER_ID",
    "SCHOOLS_PER_REGION",
    "SEED",
    "TEACHER_COUNT",
    "THAMES_BRIDGE_FRINGE_SCHOOL_URN",
    "Region",
    "SeedClaimWindow",
    "SeedData",
    "SeedProvider",
    "SeedSchool",
    "SeedTeacher",
    "SeedUser",
    "build_seed_data",
    "personas",
]
