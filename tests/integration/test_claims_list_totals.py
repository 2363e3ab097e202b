"""The claims list's total without counting the year: the page's own read when the year ends on it, else the
Overview's counters for years and statuses, else a COUNT of the filtered partition; never fewer than it has seen.

The claims are in an academic year no other test uses (2031 to 2032), written as the store writes them, and the
year's counters are set as the rebuild sets them (the sum of each claim's contribution, ADR 0028).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import NOW

YEAR = "2031 to 2032"
PAID = 30  # claims per status: more than a page of each
SUBMITTED = 32


def _claim(number: int, status: str) -> Any:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus

    at = NOW - dt.timedelta(hours=number)
    return Claim(
        reference=f"7731{number:04d}",
        school_id="990731",
        school_name="Totals Test School",
        provider_code="T31",
        provider_name="Totals Test Provider",
        window_id="window-totals-2031",
        academic_year=AcademicYear(2031),
        status=ClaimStatus(status),
        mentors=(
            ClaimMentor(
                trn="3100001", first_name="Tess", last_name="Total", hours=2, training_type=TrainingType.INITIAL
            ),
        ),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=2 * 4380,
        created_at=at,
        submitted_at=at,
        submitted_by="user-test",
        submitted_by_name="Tess Total",
    )


def _set_counters(claims: list[Any], shift: int = 0) -> None:
    """The year's counters as the rebuild would set them, plus `shift` paid claims (a drifted counter)."""
    from shared.claims.counters import YearDelta, contribution, key
    from shared.data.counters import Counters

    wanted: Counter[str] = Counter()
    for claim in claims:
        wanted.update(contribution(claim))
    wanted[key("n", "status", "paid")] += shift
    held, _ = Counters().read(YEAR)
    change = {name: wanted.get(name, 0) - held.get(name, 0) for name in set(wanted) | set(held)}
    Counters().adjust(YearDelta(YEAR, {name: value for name, value in change.items() if value}))


@pytest.fixture(scope="module")
def claims(seed: Any) -> Iterator[list[Any]]:
    from shared.data.claims import _to_item
    from shared.data.counters import counter_id
    from shared.data.items import ClaimItem, CountersItem

    made = [_claim(n, "paid") for n in range(PAID)] + [_claim(100 + n, "submitted") for n in range(SUBMITTED)]
    for claim in made:
        _to_item(claim).save()
    _set_counters(made)
    yield made
    for claim in made:
        ClaimItem(claim_id=claim.reference).delete()
    for shard in range(10):
        CountersItem(counter_id=counter_id(YEAR, shard)).delete()


@pytest.fixture
def not_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The COUNT Queries the list makes (each one reads the whole filtered partition)."""
    from shared.data import claim_listing

    counted: list[str] = []
    original = claim_listing._count_year

    def counting(year: str, condition: Any) -> int:
        counted.append(year)
        return original(year, condition)

    monkeypatch.setattr(claim_listing, "_count_year", counting)
    return counted


def _find(**chosen: Any) -> Any:
    from shared.claims.claim_search import ClaimFilters
    from shared.data import claim_listing

    return claim_listing.find(ClaimFilters(academic_years=(YEAR,), **chosen), [YEAR])


def test_a_years_total_comes_from_its_counters_without_counting_the_year(
    claims: list[Any], not_counted: list[str]
) -> None:
    from shared.claims.statuses import ClaimStatus

    first = _find()
    assert first.total == PAID + SUBMITTED
    assert [row.reference for row in first.rows] == [c.reference for c in claims[:25]]  # newest first
    assert _find(statuses=frozenset({ClaimStatus.SUBMITTED})).total == SUBMITTED
    assert _find(statuses=frozenset({ClaimStatus.PAID, ClaimStatus.SUBMITTED}), page=2).total == PAID + SUBMITTED
    assert not_counted == []


def test_the_last_page_is_its_own_count(claims: list[Any], not_counted: list[str]) -> None:
    last = _find(page=3)
    assert len(last.rows) == PAID + SUBMITTED - 50
    assert last.total == PAID + SUBMITTED
    assert not_counted == []


def test_a_filter_the_counters_do_not_hold_is_counted(claims: list[Any], not_counted: list[str]) -> None:
    assert _find(providers=frozenset({"T31"})).total == PAID + SUBMITTED
    assert not_counted == [YEAR]


def test_a_counter_that_has_drifted_low_never_hides_a_page(claims: list[Any], not_counted: list[str]) -> None:
    from shared.claims.claim_search import pages

    _set_counters(claims, shift=-(PAID + SUBMITTED - 3))  # the counters say 3 claims
    try:
        first = _find()
        assert first.total == 26  # the page's 25 and the one it read past them
        assert pages(first.total) == 2
        second = _find(page=2)
        assert len(second.rows) == 25
        assert pages(second.total) == 3
        assert _find(page=3).total == PAID + SUBMITTED  # the year ends on its last page: exact
    finally:
        _set_counters(claims)


def test_a_correction_of_hundreds_of_counters_is_written_in_parts(seed: Any) -> None:
    """A year's recount names every day, region and provider: more counters than one update expression holds
    (DynamoDB allows 4 KB; moto's parser gave up past a few hundred)."""
    from shared.claims.counters import YearDelta
    from shared.data.counters import Counters, counter_id
    from shared.data.items import CountersItem

    year = "2032 to 2033"
    wanted = {f"n#day#2032-{month:02d}-{day:02d}": day for month in range(1, 13) for day in range(1, 29)}
    try:
        Counters().adjust(YearDelta(year, wanted))
        assert Counters().read(year)[0] == dict(sorted(wanted.items()))
    finally:
        CountersItem(counter_id=counter_id(year, 0)).delete()
