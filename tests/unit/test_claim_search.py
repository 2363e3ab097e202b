"""Finding claims: what a search is, how names are folded, the filters a query string carries."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

import pytest

from shared.claims.claim_search import (
    ClaimFilters,
    ClaimRow,
    SearchKind,
    name_key,
    pages,
    parse_search,
    read_filters,
)
from shared.claims.statuses import ClaimStatus

YEARS = ["2026 to 2027", "2025 to 2026"]


def _row(**changes: object) -> ClaimRow:
    values: dict[str, object] = {
        "reference": "12345678",
        "school_id": "100001",
        "school_name": "Meadowbank Primary School",
        "provider_code": "G56",
        "provider_name": "University of Nottingham",
        "academic_year": "2026 to 2027",
        "window_id": "w1",
        "status": ClaimStatus.SUBMITTED,
        "region": "Rest of England",
        "amount_pence": 43800,
        "submitted_at": dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
        "assigned_to": None,
        "on_hold": False,
    }
    values.update(changes)
    return ClaimRow(**values)


@pytest.mark.parametrize(
    ("typed", "kind", "key"),
    [
        ("12345678", SearchKind.REFERENCE, "12345678"),
        (" 1234 5678 ", SearchKind.REFERENCE, "12345678"),
        ("100001", SearchKind.URN, "100001"),
        ("10000", SearchKind.URN, "10000"),
        ("1234", SearchKind.SCHOOL_NAME, "1234"),
        ("123456789", SearchKind.SCHOOL_NAME, "123456789"),
        ("١٢٣٤٥٦٧٨", SearchKind.SCHOOL_NAME, "١٢٣٤٥٦٧٨"),  # non-ASCII digits are not a reference
        ("The  Meadowbank", SearchKind.SCHOOL_NAME, "meadowbank"),
        ("   ", SearchKind.NONE, ""),
    ],
)
def test_what_a_search_is(typed: str, kind: SearchKind, key: str) -> None:
    search = parse_search(typed)
    assert search.kind is kind
    assert search.key == key


def test_names_fold_case_spaces_and_a_leading_the() -> None:
    assert name_key("The  Meadowbank PRIMARY School") == "meadowbank primary school"
    assert name_key("Theale Green School") == "theale green school"
    assert name_key("The") == "the"
    assert name_key("Straße Academy") == "strasse academy"


def test_the_default_year_applies_until_the_form_is_sent_or_something_is_searched() -> None:
    assert read_filters({}, "me", YEARS, "2026 to 2027").academic_years == ("2026 to 2027",)
    assert read_filters({"filtered": ["yes"]}, "me", YEARS, "2026 to 2027").academic_years == ()
    assert read_filters({"search": ["Meadow"]}, "me", YEARS, "2026 to 2027").academic_years == ()
    chosen = read_filters({"year": ["2025 to 2026", "1066 to 1067"]}, "me", YEARS, "2026 to 2027")
    assert chosen.academic_years == ("2025 to 2026",)


def test_unknown_values_and_bad_pages_are_ignored() -> None:
    filters = read_filters(
        {"status": ["paid", "bogus"], "page": ["abc"], "assigned": ["you"], "hold": ["no"]}, "me", YEARS, None
    )
    assert filters.statuses == frozenset({ClaimStatus.PAID})
    assert filters.page == 1
    assert filters.assigned_to is None
    assert not filters.on_hold
    assert read_filters({"page": ["0"]}, "me", YEARS, None).page == 1
    assert read_filters({"page": ["1" * 40]}, "me", YEARS, None).page == 1
    assert read_filters({"page": ["3"]}, "me", YEARS, None).page == 3
    refused = read_filters({"search": ["x" * 101]}, "me", YEARS, None)
    assert (refused.search, refused.errors, refused.typed) == (
        "",
        ("Search must be 100 characters or fewer",),
        "x" * 101,
    )
    assert read_filters({"search": ["x" * 100]}, "me", YEARS, None).search == "x" * 100


def test_assigned_to_me_is_the_signed_in_user() -> None:
    assert read_filters({"assigned": ["me"]}, "user-colin", YEARS, None).assigned_to == "user-colin"


def test_the_query_string_round_trips_and_drops_page_one() -> None:
    filters = read_filters(
        {
            "search": ["Meadow"],
            "status": ["paid", "submitted"],
            "year": ["2026 to 2027"],
            "region": ["Fringe"],
            "provider": ["G56"],
            "assigned": ["me"],
            "hold": ["yes"],
            "page": ["2"],
        },
        "me",
        YEARS,
        None,
    )
    query = parse_qs(filters.query())
    assert query["page"] == ["2"]
    assert query["filtered"] == ["yes"]
    again = read_filters(query, "me", YEARS, None)
    assert again == filters
    assert "page" not in parse_qs(filters.query(page=1))


def test_a_filter_can_be_taken_out_of_the_query() -> None:
    filters = read_filters({"status": ["paid", "submitted"], "page": ["4"]}, "me", YEARS, None)
    query = parse_qs(filters.without("status", "paid"))
    assert query["status"] == ["submitted"]
    assert "page" not in query


@pytest.mark.parametrize(
    ("filters", "row", "matched"),
    [
        (ClaimFilters(), _row(), True),
        (ClaimFilters(statuses=frozenset({ClaimStatus.PAID})), _row(), False),
        (ClaimFilters(statuses=frozenset({ClaimStatus.PAID})), _row(status=ClaimStatus.PAID), True),
        (ClaimFilters(academic_years=("2025 to 2026",)), _row(), False),
        (ClaimFilters(window_ids=frozenset({"w2"})), _row(), False),
        (ClaimFilters(regions=frozenset({"Fringe"})), _row(), False),
        (ClaimFilters(providers=frozenset({"G56"})), _row(), True),
        (ClaimFilters(assigned_to="me"), _row(), False),
        (ClaimFilters(assigned_to="me"), _row(assigned_to="me"), True),
        (ClaimFilters(on_hold=True), _row(), False),
        (ClaimFilters(on_hold=True), _row(on_hold=True), True),
        (ClaimFilters(school_id="100002"), _row(), False),
    ],
)
def test_matches(filters: ClaimFilters, row: ClaimRow, matched: bool) -> None:
    assert filters.matches(row) is matched


def test_pages() -> None:
    assert [pages(n) for n in (0, 1, 25, 26, 50, 51)] == [1, 1, 1, 2, 2, 3]
