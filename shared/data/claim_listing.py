"""The support claims list: each search and filter served by a key or an index, never a Scan (ADR 0020).

- a claim reference: one GetItem;
- a URN, or a school's claims: one Query of the school's partition of `school-index`;
- a school's name: the schools whose folded name starts with it (`name-key-index`, at most
  `MAX_SCHOOLS_SEARCHED`), then each one's `school-index` partition;
- otherwise: each chosen academic year's partition of `listing-index`, newest first, the other filters applied
  by DynamoDB to the small projected items (a FilterExpression). A page reads only until it has its rows and
  one more (the request's Limit grows as matches prove sparse). Its total is what it read when the partitions
  end on the page; else the Overview's counters when only years and statuses are chosen (ADR 0028: one
  BatchGetItem a year, however many claims); else a `Select=COUNT` Query of the same partition and filter,
  so no item crosses the network to be counted (DynamoDB still reads them: the one cost that grows with the
  year, ADR 0020).

`make bench` measures what a page costs in requests and items read (tests/bench/claims_list.py).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

from shared.claims.claim_search import PAGE_SIZE, ClaimFilters, ClaimRow, SearchKind
from shared.claims.counters import claims_with_status
from shared.claims.organisations import OrganisationType
from shared.claims.statuses import ClaimStatus
from shared.data.counters import Counters
from shared.data.items import ClaimItem, OrganisationItem

MAX_SCHOOLS_SEARCHED = 20  # a school-name search looks at the claims of at most this many schools
FIRST_READ = PAGE_SIZE + 1  # the first request of a year's partition: one page and a bit
MAX_READ = 1000  # the largest Limit a request asks for (DynamoDB also stops at 1 MB)
COUNT_THREADS = 8  # a count's Queries in flight at once
COUNT_FIRST_PAGE: int | None = None  # the first count Query's Limit (None: DynamoDB's 1 MB page)


@dataclass(frozen=True)
class Found:
    rows: list[ClaimRow]  # the page asked for, newest first
    total: int  # every claim the search and filters match
    schools_capped: bool = False  # a name search matched more schools than it looked at


Listed = tuple[str, ClaimRow]  # (the list's order key, the row): merged newest first across partitions


def _row(item: ClaimItem) -> ClaimRow:
    return ClaimRow(
        reference=item.claim_id,
        school_id=item.school_id,
        school_name=item.school_name,
        provider_code=item.provider_code,
        provider_name=item.provider_name,
        academic_year=item.academic_year,
        window_id=item.window_id,
        status=ClaimStatus(item.status),
        region=item.region,
        amount_pence=int(item.amount_pence or 0),
        submitted_at=item.submitted_at,
        assigned_to=item.assigned_to,
        on_hold=item.hold_reason is not None,
    )


def _listed(item: ClaimItem) -> Listed:
    return item.listed_at or f"{item.created_at}#{item.claim_id}", _row(item)


def _condition(filters: ClaimFilters) -> Condition | None:
    """The filters DynamoDB applies to each item it reads (an academic year is the partition itself)."""
    parts: list[Condition] = []
    if filters.statuses:
        parts.append(ClaimItem.status.is_in(*sorted(s.value for s in filters.statuses)))
    if filters.window_ids:
        parts.append(ClaimItem.window_id.is_in(*sorted(filters.window_ids)))
    if filters.regions:
        parts.append(ClaimItem.region.is_in(*sorted(filters.regions)))
    if filters.providers:
        parts.append(ClaimItem.provider_code.is_in(*sorted(filters.providers)))
    if filters.assigned_to is not None:
        parts.append(ClaimItem.assigned_to == filters.assigned_to)
    if filters.on_hold:
        parts.append(ClaimItem.hold_reason.exists())
    if filters.school_id:
        parts.append(ClaimItem.school_id == filters.school_id)
    condition: Condition | None = None
    for part in parts:
        condition = part if condition is None else condition & part
    return condition


def find(filters: ClaimFilters, all_years: Iterable[str]) -> Found:
    """The page of claims `filters` asks for and how many match. `all_years`: the partitions to read when no
    academic year is chosen.

    A page reads its rows and one more: when the partitions end there, what was read is the exact total and
    nothing is counted. Otherwise the total is the Overview's counters (one BatchGetItem a year) when only
    years and statuses are chosen, or a `Select=COUNT` of the filtered partitions; never less than the rows
    the page has seen, so a counter that has drifted cannot hide a page."""
    start = (filters.page - 1) * PAGE_SIZE
    search = filters.parsed_search
    if search.kind is not SearchKind.NONE or filters.school_id:  # a school's claims, or a few schools': small
        schools = _schools_named(search.key) if search.kind is SearchKind.SCHOOL_NAME else []
        matched = list(every_row(filters, all_years, schools))
        return Found(matched[start : start + PAGE_SIZE], len(matched), len(schools) >= MAX_SCHOOLS_SEARCHED)
    years = filters.academic_years or tuple(all_years)
    condition = _condition(filters)
    wanted = start + PAGE_SIZE
    merged = heapq.merge(*(_of_year(year, condition, wanted) for year in years), reverse=True)
    page: list[ClaimRow] = []
    seen = 0
    for _, row in merged:
        if seen >= wanted:  # one row past the page: there is more
            seen += 1
            break
        if seen >= start:
            page.append(row)
        seen += 1
    else:  # the partitions ended within the page: `seen` is every match
        return Found(page, seen)
    if filters.counted:
        counted = sum(claims_with_status(Counters().read(year)[0], filters.statuses) for year in years)
    else:
        counted = sum(_count_year(year, condition) for year in years)
    return Found(page, max(counted, seen))


def every_row(filters: ClaimFilters, all_years: Iterable[str], schools: list[str] | None = None) -> Iterator[ClaimRow]:
    """Every claim the search and filters match, newest first, read lazily: an export of any size reads one
    index page at a time. `schools`: those a name search has already found."""
    search = filters.parsed_search
    if search.kind is SearchKind.REFERENCE:
        yield from (row for row in _by_reference(search.key) if filters.matches(row))
    elif search.kind is SearchKind.URN or (filters.school_id and search.kind is SearchKind.NONE):
        school = search.key if search.kind is SearchKind.URN else filters.school_id or ""
        yield from (row for _, row in _of_school(school) if filters.matches(row))
    elif search.kind is SearchKind.SCHOOL_NAME:
        found = schools if schools is not None else _schools_named(search.key)
        merged = heapq.merge(*(_of_school(school) for school in found), reverse=True)
        yield from (row for _, row in merged if filters.matches(row))
    else:
        years = filters.academic_years or tuple(all_years)
        condition = _condition(filters)
        yield from (row for _, row in heapq.merge(*(_of_year(y, condition, MAX_READ) for y in years), reverse=True))


def _of_year(year: str, condition: Condition | None, wanted: int) -> Iterator[Listed]:
    """A year's claims newest first, read lazily: the first request asks for what one page needs, later ones
    for twice as many as the one before (matches are sparse under a narrow filter)."""
    pages = ClaimItem.by_listing.query(
        year, scan_index_forward=False, filter_condition=condition, page_size=min(wanted + 1, MAX_READ)
    ).page_iter
    for page in pages:
        for raw in page.get("Items", []):
            yield _listed(ClaimItem.from_raw_data(raw))
        pages.page_size = min((pages.page_size or FIRST_READ) * 2, MAX_READ)


def _slices(year: str, after: str) -> list[Condition]:
    """The rest of a year's partition after `after` (a `listed_at`), cut by the month claims were listed in
    (`listed_at` starts "YYYY-MM-DD"): each month of the two calendar years an academic year touches, and after
    them, so every claim after `after` is in exactly one."""
    start = int(year[:4])
    months = [f"{y}-{m:02d}" for y in (start, start + 1) for m in range(1, 13)]
    beyond = f"{months[-1]}-99"
    slices: list[Condition] = []
    for month in months:
        low, high = max(f"{month}-00", f"{after}\x00"), f"{month}-99"
        if low <= high:
            slices.append(ClaimItem.listed_at.between(low, high))
    slices.append(ClaimItem.listed_at > max(beyond, after))
    return slices


def _count_year(year: str, condition: Condition | None) -> int:
    """How many of a year's claims pass the filter. One Query reads the partition's first 1 MB (about 2,500
    claims), returning only keys; a bigger partition's rest is counted by `Select=COUNT` Queries (DynamoDB reads
    the items, sends none), one per month at once, so 100,000 claims are counted in the time of a month's."""
    if not year[:4].isdigit():
        return ClaimItem.by_listing.count(year, filter_condition=condition)
    pages = ClaimItem.by_listing.query(
        year, filter_condition=condition, attributes_to_get=["listed_at"], page_size=COUNT_FIRST_PAGE
    ).page_iter
    first: dict[str, Any] = next(iter(pages), {})
    counted = len(first.get("Items", []))
    last = pages.last_evaluated_key
    if not last:
        return counted
    after = str(last["listed_at"]["S"])

    def count(months: Condition) -> int:
        return ClaimItem.by_listing.count(year, range_key_condition=months, filter_condition=condition)

    with ThreadPoolExecutor(max_workers=COUNT_THREADS) as pool:
        return counted + sum(pool.map(count, _slices(year, after)))


def _of_school(school_id: str) -> Iterator[Listed]:
    """A school's claims newest first (its partition of the school index: a few dozen claims at most)."""
    if not school_id:
        return
    listed = [_listed(item) for item in ClaimItem.by_school.query(school_id)]
    yield from sorted(listed, key=lambda pair: pair[0], reverse=True)


def _schools_named(key: str) -> list[str]:
    if not key:
        return []
    found = OrganisationItem.by_name_key.query(
        OrganisationType.SCHOOL.value,
        range_key_condition=OrganisationItem.name_key.startswith(key),
        limit=MAX_SCHOOLS_SEARCHED,
        page_size=MAX_SCHOOLS_SEARCHED,
        attributes_to_get=["organisation_id"],
    )
    return [item.organisation_id for item in found]


def _by_reference(reference: str) -> list[ClaimRow]:
    try:
        return [_row(ClaimItem.get(reference))]
    except DoesNotExist:
        return []
