"""Finding claims in the support console: what was searched for, the filters, and whether a claim matches.

Pure: the claims list reads index items (`ClaimRow`) and keeps those `ClaimFilters` matches; how each
filter is served by a key or an index is `shared.data.claim_listing` (ADR 0020).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode

from shared.claims.statuses import ClaimStatus

PAGE_SIZE = 25
MAX_SEARCH_LENGTH = 100
SEARCH_LABEL = "Search by claim reference, school name or URN"
SEARCH_TOO_LONG = f"Search must be {MAX_SEARCH_LENGTH} characters or fewer"
# Sent by the filter form (a hidden field) and kept in every link: with it, no year chosen means every year;
# without it (the list as first opened) the latest claim window's year is chosen.
FILTERED = "filtered"

_REFERENCE = re.compile(r"\d{8}")
_URN = re.compile(r"\d{5,7}")


def name_key(name: str) -> str:
    """A name folded for searching: casefolded, spaces collapsed, without a leading "The", so that
    "The  Meadowbank School" and "meadowbank" meet."""
    words = name.casefold().split()
    return " ".join(words[1:] if len(words) > 1 and words[0] == "the" else words)


class SearchKind(StrEnum):
    NONE = "none"
    REFERENCE = "reference"  # 8 digits: a claim reference
    URN = "urn"  # 5 to 7 digits: a school's URN
    SCHOOL_NAME = "school_name"  # anything else: the start of a school's name


@dataclass(frozen=True)
class Search:
    text: str  # as typed, trimmed
    kind: SearchKind

    @property
    def key(self) -> str:
        """What is looked up: the digits, or the name folded."""
        return self.text if self.kind in (SearchKind.REFERENCE, SearchKind.URN) else name_key(self.text)


def typed_search(query: Mapping[str, Sequence[str]]) -> tuple[str, str | None]:
    """What a list's search box sent, spaces folded, and why it is not searched for (longer than any name or
    reference: `SEARCH_TOO_LONG`), or None."""
    typed = " ".join((query.get("search") or [""])[0].split())
    return typed, SEARCH_TOO_LONG if len(typed) > MAX_SEARCH_LENGTH else None


def parse_search(typed: str) -> Search:
    text = " ".join(typed.split())[:MAX_SEARCH_LENGTH]
    if not text:
        return Search("", SearchKind.NONE)
    digits = text.replace(" ", "")
    if digits.isascii() and _REFERENCE.fullmatch(digits):
        return Search(digits, SearchKind.REFERENCE)
    if digits.isascii() and _URN.fullmatch(digits):
        return Search(digits, SearchKind.URN)
    return Search(text, SearchKind.SCHOOL_NAME)


@dataclass(frozen=True)
class ClaimRow:
    """A claim as the list shows it (what the listing index projects)."""

    reference: str
    school_id: str
    school_name: str
    provider_code: str
    provider_name: str
    academic_year: str
    window_id: str
    status: ClaimStatus
    region: str
    amount_pence: int
    submitted_at: dt.datetime | None
    assigned_to: str | None
    on_hold: bool


@dataclass(frozen=True)
class ClaimFilters:
    """The list's search and filters, as the query string carries them (so a page's link keeps them)."""

    search: str = ""
    statuses: frozenset[ClaimStatus] = frozenset()
    academic_years: tuple[str, ...] = ()  # names, e.g. "2026 to 2027"
    window_ids: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    providers: frozenset[str] = frozenset()
    assigned_to: str | None = None  # "Assigned to me": the signed-in user's id
    on_hold: bool = False
    school_id: str | None = None  # a school's claims (its organisation page links here)
    page: int = 1
    errors: tuple[str, ...] = field(default=(), compare=False)
    typed: str = field(default="", compare=False)  # a search refused (`errors`), shown back as typed

    @property
    def parsed_search(self) -> Search:
        return parse_search(self.search)

    def matches(self, row: ClaimRow) -> bool:
        """Whether the row passes every filter (the search is served by the index the list reads)."""
        return (
            (not self.statuses or row.status in self.statuses)
            and (not self.academic_years or row.academic_year in self.academic_years)
            and (not self.window_ids or row.window_id in self.window_ids)
            and (not self.regions or row.region in self.regions)
            and (not self.providers or row.provider_code in self.providers)
            and (self.assigned_to is None or row.assigned_to == self.assigned_to)
            and (not self.on_hold or row.on_hold)
            and (self.school_id is None or row.school_id == self.school_id)
        )

    @property
    def counted(self) -> bool:
        """Whether the Overview's counters give how many claims match: only academic years and statuses are
        chosen (the counters count each year's claims by status, ADR 0028), nothing searched for."""
        return not (
            self.search
            or self.window_ids
            or self.regions
            or self.providers
            or self.assigned_to is not None
            or self.on_hold
            or self.school_id
        )

    def query(self, page: int | None = None) -> str:
        """The query string for these filters (another page): links keep the filters."""
        pairs: list[tuple[str, str]] = [(FILTERED, "yes")]
        if self.search:
            pairs.append(("search", self.search))
        pairs += [("status", s.value) for s in sorted(self.statuses)]
        pairs += [("year", y) for y in self.academic_years]
        pairs += [("window", w) for w in sorted(self.window_ids)]
        pairs += [("region", r) for r in sorted(self.regions)]
        pairs += [("provider", p) for p in sorted(self.providers)]
        if self.assigned_to is not None:
            pairs.append(("assigned", "me"))
        if self.on_hold:
            pairs.append(("hold", "yes"))
        if self.school_id:
            pairs.append(("school", self.school_id))
        number = page if page is not None else self.page
        if number > 1:
            pairs.append(("page", str(number)))
        return urlencode(pairs)

    def without(self, name: str, value: str) -> str:
        """The query string with one chosen filter value taken out (a "Selected filters" tag's link), page 1."""
        return urlencode([pair for pair in parse_qsl(self.query(page=1)) if pair != (name, value)])


def read_filters(
    query: Mapping[str, Sequence[str]], me: str, years_offered: Iterable[str], default_year: str | None
) -> ClaimFilters:
    """The filters from a query string. Unknown values are ignored (a filter link can go stale); with no
    academic year chosen, the default (the latest window's) is used unless the filter form was sent or something
    was searched for (a reference or a school is found in any year)."""
    offered = list(years_offered)
    known = {status.value for status in ClaimStatus}
    statuses = frozenset(ClaimStatus(v) for v in query.get("status", []) if v in known)
    years = tuple(y for y in offered if y in set(query.get("year", [])))
    typed, refused = typed_search(query)
    search = "" if refused else typed
    if not years and not search and FILTERED not in query and default_year:
        years = (default_year,)
    raw_page = (query.get("page") or ["1"])[0]
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and 0 < len(raw_page) <= 5 else 1
    return ClaimFilters(
        search=search,
        statuses=statuses,
        academic_years=years,
        window_ids=frozenset(v for v in query.get("window", []) if v),
        regions=frozenset(v for v in query.get("region", []) if v),
        providers=frozenset(v for v in query.get("provider", []) if v),
        assigned_to=me if "me" in query.get("assigned", []) else None,
        on_hold="yes" in query.get("hold", []),
        school_id=next(iter(query.get("school", [])), "") or None,
        page=max(1, page),
        errors=(refused,) if refused else (),
        typed=typed if refused else "",
    )


def pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))
