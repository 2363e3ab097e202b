"""Funding regions, decided by a school's GIAS `DistrictAdministrative (code)`.

The code lists are DfE's (itt-mentor-services `regional_areas.rb`; docs/domain.md, "Funding regions and
rates"). Every code not listed here, and a missing code, is Rest of England.
"""

from __future__ import annotations

from enum import StrEnum


class Region(StrEnum):
    INNER_LONDON = "Inner London"
    OUTER_LONDON = "Outer London"
    FRINGE = "Fringe"
    REST_OF_ENGLAND = "Rest of England"


INNER_LONDON_CODES = frozenset(
    {
        "E09000002", "E09000005", "E09000007", "E09000001", "E09000009", "E09000011", "E09000012",
        "E09000013", "E09000014", "E09000019", "E09000020", "E09000022", "E09000023", "E09000024",
        "E09000025", "E09000028", "E09000030", "E09000032", "E09000033",
    }
)  # fmt: skip
OUTER_LONDON_CODES = frozenset(
    {
        "E09000003", "E09000004", "E09000006", "E09000008", "E09000010", "E09000015", "E09000016",
        "E09000017", "E09000018", "E09000021", "E09000026", "E09000027", "E09000029", "E09000031",
    }
)  # fmt: skip
FRINGE_CODES = frozenset(
    {
        "E06000036", "E06000039", "E06000040", "E06000060", "E07000006", "E07000005", "E07000066",
        "E07000068", "E07000072", "E07000073", "E06000034", "E07000095", "E07000096", "E07000242",
        "E07000098", "E07000240", "E07000102", "E07000103", "E07000241", "E07000107", "E07000111",
        "E07000226", "E07000211", "E07000215", "E07000210", "E07000209", "E07000208", "E07000207",
        "E07000213", "E07000214", "E07000216", "E07000217", "E07000212",
    }
)  # fmt: skip


def region_for_district(code: str | None) -> Region:
    if code in INNER_LONDON_CODES:
        return Region.INNER_LONDON
    if code in OUTER_LONDON_CODES:
        return Region.OUTER_LONDON
    if code in FRINGE_CODES:
        return Region.FRINGE
    return Region.REST_OF_ENGLAND


# Pence per hour from academic year 2023 to 2024 onwards (docs/domain.md). Support may set others per year.
DEFAULT_HOURLY_RATES_PENCE: dict[Region, int] = {
    Region.INNER_LONDON: 5360,
    Region.OUTER_LONDON: 4825,
    Region.FRINGE: 4510,
    Region.REST_OF_ENGLAND: 4380,
}
