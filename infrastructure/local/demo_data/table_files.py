"""The literal tables behind the demo data, read from `tables/` (CSV; JSON where a row is nested).

- `districts.csv`: GIAS districts (ONS code, name, local authority, urban/rural mix, phone prefix), London
  and Fringe in the order of DfE's region lists. A district's funding region is never stored here: it is
  `shared.claims.regions.region_for_district` of its code, so the seed and the service cannot disagree.
- `district_towns.csv`: the towns and outward postcodes of each district (none: no schools, as for the two
  legacy Buckinghamshire codes GIAS no longer uses).
- `school_kinds.json`: name templates and GIAS classification of each kind of school, with its weight.
- `urban_rural_mixes.json`: each district setting's urban/rural classes, weighted by repetition.
- `trusts.csv`: multi-academy trusts and the districts their academies are in.
- `providers.csv`: Publish providers; `place_names.csv`, `*_saints.csv`, `streets.csv`,
  `first_names.csv`, `last_names.csv`: the words names and addresses are made of.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from shared.claims.regions import FRINGE_CODES as _FRINGE
from shared.claims.regions import INNER_LONDON_CODES as _INNER_LONDON
from shared.claims.regions import OUTER_LONDON_CODES as _OUTER_LONDON
from shared.claims.regions import Region, region_for_district

TABLES: Final = Path(__file__).resolve().with_name("tables")


@dataclass(frozen=True)
class District:
    code: str
    name: str
    la_name: str
    la_code: str
    towns: tuple[tuple[str, str], ...]  # (town, outward postcode), a town once per postcode
    setting: str  # a key of URBAN_RURAL_MIXES
    phone_prefix: str


@dataclass(frozen=True)
class SchoolKind:
    key: str
    templates: tuple[str, ...]
    type_of_establishment: str
    group: str
    phase: str
    weight: int
    urn_range: tuple[int, int]
    ukprn_share: float
    academy: bool
    in_london: bool


@dataclass(frozen=True)
class Trust:
    uid: str
    name: str
    district_codes: frozenset[str]


@dataclass(frozen=True)
class ProviderRow:
    name: str
    provider_type: str
    accredited: bool
    city: str
    outward_code: str
    email_domain: str


def _rows(name: str) -> list[dict[str, str]]:
    with (TABLES / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _column(name: str) -> tuple[str, ...]:
    """A one-column table, in file order."""
    with (TABLES / name).open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        next(reader)  # the header
        return tuple(row[0] for row in reader)


def _json(name: str) -> Any:
    with (TABLES / name).open(encoding="utf-8") as file:
        return json.load(file)


def _districts() -> tuple[District, ...]:
    towns: dict[str, list[tuple[str, str]]] = {}
    for row in _rows("district_towns.csv"):
        towns.setdefault(row["district_code"], []).append((row["town"], row["outward_code"]))
    return tuple(
        District(
            code=row["code"],
            name=row["name"],
            la_name=row["local_authority_name"],
            la_code=row["local_authority_code"],
            towns=tuple(towns.get(row["code"], ())),
            setting=row["setting"],
            phone_prefix=row["phone_prefix"],
        )
        for row in _rows("districts.csv")
    )


def _kinds() -> tuple[SchoolKind, ...]:
    table = _json("school_kinds.json")
    ranges = {name: (int(low), int(high)) for name, (low, high) in table["urn_ranges"].items()}
    return tuple(
        SchoolKind(
            key=kind["key"],
            templates=tuple(kind["name_templates"]),
            type_of_establishment=kind["type_of_establishment"],
            group=kind["group"],
            phase=kind["phase"],
            weight=int(kind["weight"]),
            urn_range=ranges[kind["urn_range"]],
            ukprn_share=float(kind["ukprn_share"]),
            academy=bool(kind["academy"]),
            in_london=bool(kind["in_london"]),
        )
        for kind in table["kinds"]
    )


def _trusts() -> tuple[Trust, ...]:
    names: dict[str, str] = {}
    districts: dict[str, set[str]] = {}
    for row in _rows("trusts.csv"):  # trusts keep the order of their first row
        names.setdefault(row["trust_uid"], row["trust_name"])
        districts.setdefault(row["trust_uid"], set()).add(row["district_code"])
    return tuple(Trust(uid, name, frozenset(districts[uid])) for uid, name in names.items())


def _providers() -> tuple[ProviderRow, ...]:
    return tuple(
        ProviderRow(
            name=row["name"],
            provider_type=row["provider_type"],
            accredited={"yes": True, "no": False}[row["accredited"]],
            city=row["city"],
            outward_code=row["outward_code"],
            email_domain=row["email_domain"],
        )
        for row in _rows("providers.csv")
    )


DISTRICTS: Final[tuple[District, ...]] = _districts()
KINDS: Final[tuple[SchoolKind, ...]] = _kinds()
URBAN_RURAL_MIXES: Final[dict[str, tuple[str, ...]]] = {
    setting: tuple(classes) for setting, classes in _json("urban_rural_mixes.json").items()
}
TRUSTS: Final[tuple[Trust, ...]] = _trusts()
PROVIDERS: Final[tuple[ProviderRow, ...]] = _providers()
PLACE_NAMES: Final[tuple[str, ...]] = _column("place_names.csv")
COFE_SAINTS: Final[tuple[str, ...]] = _column("church_of_england_saints.csv")
RC_SAINTS: Final[tuple[str, ...]] = _column("catholic_saints.csv")
STREETS: Final[tuple[str, ...]] = _column("streets.csv")
FIRST_NAMES: Final[tuple[str, ...]] = _column("first_names.csv")
LAST_NAMES: Final[tuple[str, ...]] = _column("last_names.csv")


def districts_with_schools(region: Region) -> tuple[District, ...]:
    """The districts of a funding region that get schools (those with towns), in table order."""
    return tuple(district for district in DISTRICTS if district.towns and region_for_district(district.code) is region)


def listed_codes(region: Region) -> tuple[str, ...]:
    """The service's district codes for a London or Fringe region, in the district table's order (DfE's);
    a code the table does not have comes last. Always exactly `shared.claims.regions`' set."""
    listed = {Region.INNER_LONDON: _INNER_LONDON, Region.OUTER_LONDON: _OUTER_LONDON, Region.FRINGE: _FRINGE}[region]
    in_table = [district.code for district in DISTRICTS if district.code in listed]
    return (*in_table, *sorted(listed.difference(in_table)))
