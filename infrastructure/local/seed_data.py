"""Demo data for the local stack and the tests, built by the `demo_data` package; this module re-exports it.

- 240 GIAS-style schools: 40 Inner London, 34 Outer London, 46 Fringe, 120 Rest of England. Every
  London district and every active Fringe district has a school. Maintained schools, academies, free,
  independent and special schools and a college, in every phase; ten multi-academy trusts.
- 61 Publish providers: 53 accredited (universities, SCITTs, Best Practice Network, National Institute
  of Teaching) and 8 non-accredited teaching school hubs. Five names contain "Leeds".
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
from typing import Final

from infrastructure.local.demo_data import (
    ANNE_WILSON_SCHOOL_URN,
    ANNE_WILSON_USER_ID,
    COLIN_CHAPMAN_USER_ID,
    DEMO_TEACHERS,
    ELIGIBLE_SHARE,
    FRINGE_CODES,
    INACTIVE_FRINGE_CODES,
    INNER_LONDON_CODES,
    MARY_LAWSON_SCHOOL_URNS,
    MARY_LAWSON_TRUST_NAME,
    MARY_LAWSON_TRUST_UID,
    MARY_LAWSON_USER_ID,
    NOT_ELIGIBLE_SCHOOL_URN,
    OUTER_LONDON_CODES,
    PATRICIA_ADEYEMI_PROVIDER_NAME,
    PATRICIA_ADEYEMI_USER_ID,
    PERSONA_USER_IDS,
    REGIONS,
    SAM_BROOKS_USER_ID,
    SCHOOLS_PER_REGION,
    SEED,
    TEACHER_COUNT,
    THAMES_BRIDGE_FRINGE_SCHOOL_URN,
    SeedClaimWindow,
    SeedData,
    SeedProvider,
    SeedSchool,
    SeedTeacher,
    SeedUser,
    build_seed_data,
    personas,
)
from shared.claims.academic_years import AcademicYear
from shared.claims.regions import Region, region_for_district

INNER_LONDON: Final = Region.INNER_LONDON
OUTER_LONDON: Final = Region.OUTER_LONDON
FRINGE: Final = Region.FRINGE
REST_OF_ENGLAND: Final = Region.REST_OF_ENGLAND


def academic_year_for(day: datetime.date) -> str:
    """The name of the academic year that contains `day` ("2026 to 2027"), by the service's own rule."""
    return AcademicYear.for_date(day).name


__all__ = [
    "ANNE_WILSON_SCHOOL_URN",
    "ANNE_WILSON_USER_ID",
    "COLIN_CHAPMAN_USER_ID",
    "DEMO_TEACHERS",
    "ELIGIBLE_SHARE",
    "FRINGE",
    "FRINGE_CODES",
    "INACTIVE_FRINGE_CODES",
    "INNER_LONDON",
    "INNER_LONDON_CODES",
    "MARY_LAWSON_SCHOOL_URNS",
    "MARY_LAWSON_TRUST_NAME",
    "MARY_LAWSON_TRUST_UID",
    "MARY_LAWSON_USER_ID",
    "NOT_ELIGIBLE_SCHOOL_URN",
    "OUTER_LONDON",
    "OUTER_LONDON_CODES",
    "PATRICIA_ADEYEMI_PROVIDER_NAME",
    "PATRICIA_ADEYEMI_USER_ID",
    "PERSONA_USER_IDS",
    "REGIONS",
    "REST_OF_ENGLAND",
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
    "academic_year_for",
    "build_seed_data",
    "personas",
    "region_for_district",
]
