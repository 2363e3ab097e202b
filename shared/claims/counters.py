"""The Overview's figures as counters: what one claim adds to its academic year's counts, and the sums read back.

Pure. A claim in a given state contributes, to its academic year:
- one claim and its amount (pence) to its status (`n#status#<status>`, `p#status#<status>`);
- while it is claimed money (submitted, not withdrawn, rejected, expired or rejected by the payer: it holds
  its mentors' hours, `holds_hours`), one claim and its amount to its funding region and to its provider;
- once submitted, one claim to the day it was submitted (`n#day#YYYY-MM-DD`, in England), which stays.

A change's delta is what the claim contributes after it minus what it contributed before, so one rule covers
every path (a submission, a withdrawal, a payer's outcome, an amendment of hours), and a recount of the claims
(`contribution` summed) equals the counters by construction (ADR 0028). Zero deltas are dropped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.claim import Claim
from shared.claims.statuses import ClaimStatus, holds_hours

# A year's counters are spread over this many items, so concurrent changes rarely write the same one.
SHARDS = 10
TOP_PROVIDERS = 10

_CLAIMS = "n"
_PENCE = "p"
STATUS = "status"
REGION = "region"
PROVIDER = "provider"
DAY = "day"


def key(measure: str, dimension: str, value: str) -> str:
    """A counter's attribute name, e.g. `n#status#paid`, `p#region#Inner London`."""
    return f"{measure}#{dimension}#{value}"


class Countable(Protocol):
    """What counting a claim reads: a `Claim`, or a claim's row as the listing index projects it."""

    @property
    def academic_year(self) -> AcademicYear: ...
    @property
    def status(self) -> ClaimStatus: ...
    @property
    def amount_pence(self) -> int: ...
    @property
    def region(self) -> str: ...
    @property
    def provider_code(self) -> str: ...
    @property
    def provider_name(self) -> str: ...
    @property
    def submitted_at(self) -> dt.datetime | None: ...


@dataclass(frozen=True)
class CountedClaim:
    """A claim as far as the counters see it (the rebuild reads these from the listing index)."""

    academic_year: AcademicYear
    status: ClaimStatus
    amount_pence: int
    region: str
    provider_code: str
    provider_name: str
    submitted_at: dt.datetime | None


def contribution(claim: Countable) -> Counter[str]:
    """What the claim, as it is, adds to its academic year's counters."""
    counts: Counter[str] = Counter()
    counts[key(_CLAIMS, STATUS, claim.status.value)] += 1
    counts[key(_PENCE, STATUS, claim.status.value)] += claim.amount_pence
    if holds_hours(claim.status):
        for dimension, value in ((REGION, claim.region), (PROVIDER, claim.provider_code)):
            counts[key(_CLAIMS, dimension, value)] += 1
            counts[key(_PENCE, dimension, value)] += claim.amount_pence
    if claim.submitted_at is not None and claim.status is not ClaimStatus.DRAFT:
        counts[key(_CLAIMS, DAY, london_today(claim.submitted_at).isoformat())] += 1
    return counts


def delta(before: Claim | None, after: Claim | None) -> dict[str, int]:
    """What a change from `before` to `after` (None: no claim) adds to the counters, zeros left out."""
    total: Counter[str] = Counter()
    if after is not None:
        total.update(contribution(after))
    if before is not None:
        total.subtract(contribution(before))
    return {name: value for name, value in sorted(total.items()) if value}


def year_of(before: Claim | None, after: Claim | None) -> str:
    claim = after or before
    if claim is None:
        raise ValueError("a change has a claim before or after it")
    if before is not None and after is not None and before.academic_year != after.academic_year:
        raise ValueError("a claim does not change academic year")
    return claim.academic_year.name


@dataclass(frozen=True)
class YearDelta:
    """One academic year's summed deltas and the names of the providers they mention."""

    year: str
    counts: dict[str, int]
    provider_names: dict[str, str] = field(default_factory=dict)


def deltas(changes: Iterable[tuple[Claim | None, Claim | None]]) -> list[YearDelta]:
    """Summed deltas of many changes, one per academic year (a group of claims is one counter update)."""
    sums: dict[str, Counter[str]] = {}
    names: dict[str, dict[str, str]] = {}
    for before, after in changes:
        year = year_of(before, after)
        sums.setdefault(year, Counter()).update(delta(before, after))
        claim = after or before
        assert claim is not None  # year_of refused a change with neither
        names.setdefault(year, {})[claim.provider_code] = claim.provider_name
    found = []
    for year in sorted(sums):
        counts = {name: value for name, value in sorted(sums[year].items()) if value}
        if counts:
            mentioned = {k.split("#", 2)[2] for k in counts if k.split("#", 2)[1] == PROVIDER}
            found.append(YearDelta(year, counts, {c: n for c, n in names[year].items() if c in mentioned}))
    return found


def claims_with_status(counts: Mapping[str, int], statuses: Iterable[ClaimStatus]) -> int:
    """How many of a year's claims are in any of `statuses` (every status when none is named), from its
    summed counters: what the support claims list shows as its total when it filters by nothing else."""
    chosen = list(statuses) or list(ClaimStatus)
    return sum(int(counts.get(key(_CLAIMS, STATUS, status.value), 0)) for status in chosen)


# -- reading the sums back ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One row of a figure: what it is (a status label, a region, a provider), claims and pence."""

    label: str
    claims: int
    pence: int


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    claims: int


@dataclass(frozen=True)
class YearFigures:
    year: str
    by_status: list[Figure]
    by_region: list[Figure]
    by_provider: list[Figure]  # the top TOP_PROVIDERS by pence
    per_day: list[DayCount]

    @property
    def total_claims(self) -> int:
        return sum(f.claims for f in self.by_status)

    @property
    def total_pence(self) -> int:
        return sum(f.pence for f in self.by_status)


def _split(counts: Mapping[str, int]) -> dict[tuple[str, str], dict[str, int]]:
    """{(dimension, value): {"n": claims, "p": pence}}."""
    found: dict[tuple[str, str], dict[str, int]] = {}
    for name, value in counts.items():
        parts = name.split("#", 2)
        if len(parts) != 3 or parts[0] not in (_CLAIMS, _PENCE):
            continue
        found.setdefault((parts[1], parts[2]), {_CLAIMS: 0, _PENCE: 0})[parts[0]] += int(value)
    return found


def figures(
    year: str,
    counts: Mapping[str, int],
    status_labels: Mapping[ClaimStatus, str],
    provider_names: Mapping[str, str],
    days: Iterable[dt.date] = (),
) -> YearFigures:
    """A year's figures from its summed counters: statuses in the transition table's order (those with
    claims), regions by pence, the top providers by pence, and a count for each of `days` (0 when none)."""
    split = _split(counts)

    def rows(dimension: str) -> list[tuple[str, dict[str, int]]]:
        return [(value, c) for (d, value), c in split.items() if d == dimension and (c[_CLAIMS] or c[_PENCE])]

    statuses = dict(rows(STATUS))
    by_status = [
        Figure(label, statuses[s.value][_CLAIMS], statuses[s.value][_PENCE])
        for s, label in status_labels.items()
        if s.value in statuses
    ]
    by_region = sorted(
        (Figure(value, c[_CLAIMS], c[_PENCE]) for value, c in rows(REGION)), key=lambda f: (-f.pence, f.label)
    )
    providers = sorted(rows(PROVIDER), key=lambda row: (-row[1][_PENCE], row[0]))[:TOP_PROVIDERS]
    by_provider = [Figure(provider_names.get(code, code), c[_CLAIMS], c[_PENCE]) for code, c in providers]
    per_day_counts = {value: c[_CLAIMS] for value, c in rows(DAY)}
    per_day = [DayCount(day, per_day_counts.get(day.isoformat(), 0)) for day in days]
    return YearFigures(year, by_status, by_region, by_provider, per_day)


def providers_in(counts: Mapping[str, int]) -> list[str]:
    """The provider codes the counters mention."""
    return sorted({value for (dimension, value) in _split(counts) if dimension == PROVIDER})


def recount(claims: Iterable[Countable]) -> list[YearDelta]:
    """Every year's counters from the claims themselves, with the providers' names: what the counters must
    equal (the rebuild's sums, and the property test's)."""
    sums: dict[str, Counter[str]] = {}
    names: dict[str, dict[str, str]] = {}
    for claim in claims:
        year = claim.academic_year.name
        sums.setdefault(year, Counter()).update(contribution(claim))
        if holds_hours(claim.status):
            names.setdefault(year, {})[claim.provider_code] = claim.provider_name
    return [
        YearDelta(year, {k: v for k, v in sorted(sums[year].items()) if v}, names.get(year, {}))
        for year in sorted(sums)
    ]


def correction(wanted: Mapping[str, int], found: Mapping[str, int]) -> dict[str, int]:
    """What to add to counters reading `found` so that they read `wanted`."""
    return {name: d for name in sorted({*wanted, *found}) if (d := wanted.get(name, 0) - found.get(name, 0))}
