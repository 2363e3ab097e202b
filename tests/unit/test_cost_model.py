"""The cost model's arithmetic (ADR 45) and the deadline-day bench's pure parts: DynamoDB item sizes and request
units, Lambda GB-seconds, the year's bill, route patterns, percentiles, the cap check and an execution's Map
transitions (no sockets, no moto)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.bench.cost_model import (
    ASSUMPTIONS,
    CLAIM_PAGES,
    PRICES,
    CostUnits,
    IndexSpec,
    TableSpec,
    Usage,
    attribute_size,
    dynamodb_units,
    format_bill,
    function_memory,
    index_write_units,
    item_size,
    lambda_gb_seconds,
    read_units,
    table_specs,
    usage_of,
    write_units,
    yearly_bill,
)
from tests.bench.deadline_day import Hit, cap_violations, map_transitions, percentile, route_pattern


# -- DynamoDB sizes and units ----------------------------------------------------------------------------------
def test_attribute_sizes_follow_dynamodb_rules() -> None:
    assert attribute_size({"S": "abc"}) == 3
    assert attribute_size({"S": "é"}) == 2  # UTF-8 bytes, not characters
    assert attribute_size({"N": "12345"}) == 4  # ceil(5 digits / 2) + 1
    assert attribute_size({"N": "-0.5"}) == 2
    assert attribute_size({"BOOL": True}) == 1
    assert attribute_size({"NULL": True}) == 1
    assert attribute_size({"SS": ["ab", "cde"]}) == 5
    assert attribute_size({"L": [{"S": "ab"}, {"N": "1"}]}) == 3 + (1 + 2) + (1 + 2)
    assert attribute_size({"M": {"k": {"S": "v"}}}) == 3 + 1 + 1 + 1


def test_item_size_counts_names_and_values() -> None:
    assert item_size({"pk": {"S": "abcd"}, "n": {"N": "7"}}) == (2 + 4) + (1 + 2)
    assert item_size(None) == 0


def test_read_units_round_up_to_4_kb_and_halve_for_eventual_consistency() -> None:
    assert read_units(0) == 0.5  # a miss still costs the minimum
    assert read_units(4096) == 0.5
    assert read_units(4097) == 1.0
    assert read_units(4097, consistent=True) == 2.0
    assert read_units(100, transactional=True) == 2.0
    assert read_units(8193, transactional=True) == 6.0


def test_write_units_round_up_to_1_kb_and_double_in_transactions() -> None:
    assert write_units(0) == 1
    assert write_units(1024) == 1
    assert write_units(1025) == 2
    assert write_units(1025, transactional=True) == 4


def test_a_query_rounds_the_sum_of_its_items_once() -> None:
    items = [{"pk": {"S": "x" * 1500}} for _ in range(3)]  # 4,506 bytes in all: two 4 KB steps, not three
    assert dynamodb_units("Query", {}, {"Items": items}) == (1.0, 0.0)
    assert dynamodb_units("Query", {"ConsistentRead": True}, {"Items": items}) == (2.0, 0.0)


def test_a_batch_get_rounds_each_item() -> None:
    items = [{"pk": {"S": "x" * 1500}} for _ in range(3)]
    assert dynamodb_units("BatchGetItem", {}, {"Responses": {"t": items}}) == (1.5, 0.0)


def test_a_transaction_costs_twice_per_item() -> None:
    request = {
        "TransactItems": [
            {"Put": {"Item": {"pk": {"S": "x" * 1500}}}},  # 2 KB → 2 units, ×2
            {"Update": {"Key": {"pk": {"S": "a"}}, "ExpressionAttributeValues": {":h": {"N": "4"}}}},  # 1 unit ×2
            {"ConditionCheck": {"Key": {"pk": {"S": "b"}}}},  # 1 unit ×2
        ]
    }
    assert dynamodb_units("TransactWriteItems", request, {}) == (0.0, 8.0)


def test_an_update_is_sized_by_the_item_it_returned() -> None:
    returned = {"Attributes": {"pk": {"S": "x" * 3000}}}
    assert dynamodb_units("UpdateItem", {"Key": {"pk": {"S": "a"}}}, returned) == (0.0, 3.0)
    assert dynamodb_units("UpdateItem", {"Key": {"pk": {"S": "a"}}}, {}) == (0.0, 1.0)


def test_a_put_is_sized_by_its_item() -> None:
    assert dynamodb_units("PutItem", {"Item": {"pk": {"S": "x" * 2100}}}, {}) == (0.0, 3.0)


_CLAIMS = TableSpec(
    keys=("claim_id",),
    indexes=(
        IndexSpec("school-index", ("school_id", "created_at")),
        IndexSpec("run-index", ("payment_run_id", "reference")),  # sparse: only claims in a run
        IndexSpec("listing-index", ("academic_year", "listed_at"), "INCLUDE", ("status",)),
    ),
)


def _claim_item(**extra: str) -> dict[str, Any]:
    item = {
        "claim_id": {"S": "1"},
        "school_id": {"S": "100113"},
        "created_at": {"S": "2026-12-03"},
        "academic_year": {"S": "2026 to 2027"},
        "listed_at": {"S": "2026-12-03"},
        "status": {"S": "submitted"},
        "mentors": {"S": "x" * 1500},
    }
    item.update({name: {"S": value} for name, value in extra.items()})
    return item


def test_a_write_pays_for_each_index_the_item_lands_in() -> None:
    # school-index projects everything (2 KB: 2 units); listing-index only keys and status (1 unit); not in run-index
    assert index_write_units(_CLAIMS, _claim_item()) == 3
    assert index_write_units(_CLAIMS, _claim_item(payment_run_id="r", reference="1")) == 5
    assert index_write_units(None, _claim_item()) == 0


def test_puts_updates_and_transactions_count_their_index_writes() -> None:
    tables = {"claims": _CLAIMS}
    item = _claim_item()
    assert dynamodb_units("PutItem", {"TableName": "claims", "Item": item}, {}, tables) == (0.0, 2.0 + 3.0)
    assert dynamodb_units("UpdateItem", {"TableName": "claims"}, {"Attributes": item}, tables) == (0.0, 5.0)
    put = {"TransactItems": [{"Put": {"TableName": "claims", "Item": item}}]}
    assert dynamodb_units("TransactWriteItems", put, {}, tables) == (0.0, 2 * 2.0 + 3.0)  # the indexes not doubled
    batch = {"RequestItems": {"claims": [{"PutRequest": {"Item": item}}]}}
    assert dynamodb_units("BatchWriteItem", batch, {}, tables) == (0.0, 5.0)
    assert dynamodb_units("PutItem", {"TableName": "other", "Item": item}, {}, tables) == (0.0, 2.0)


def test_table_specs_read_the_create_table_arguments() -> None:
    definition = {
        "TableName": "local-ClaimsTable",
        "KeySchema": [{"AttributeName": "claim_id", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "listing-index",
                "KeySchema": [{"AttributeName": "academic_year"}, {"AttributeName": "listed_at"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["status"]},
            }
        ],
    }
    assert table_specs([definition]) == {
        "local-ClaimsTable": TableSpec(
            ("claim_id",), (IndexSpec("listing-index", ("academic_year", "listed_at"), "INCLUDE", ("status",)),)
        )
    }


def test_lambda_gb_seconds_round_each_invocation_up_to_the_millisecond() -> None:
    assert lambda_gb_seconds(0.1004, 512) == pytest.approx(0.101 * 0.5)
    assert lambda_gb_seconds(1.0, 1024) == pytest.approx(1.0)


def test_function_memory_reads_globals_and_overrides() -> None:
    template: dict[str, Any] = {
        "Globals": {"Function": {"MemorySize": 512}},
        "Resources": {
            "WebFunction": {"Type": "AWS::Serverless::Function", "Properties": {}},
            "FileFunction": {"Type": "AWS::Serverless::Function", "Properties": {"MemorySize": 1024}},
            "Table": {"Type": "AWS::DynamoDB::Table"},
        },
    }
    assert function_memory(template) == ({"WebFunction": 512, "FileFunction": 1024}, 512)


def test_usage_of_prices_what_it_was_given() -> None:
    calls = [
        ("dynamodb", "GetItem", 4, 2.0, 0.0),
        ("dynamodb", "TransactWriteItems", 1, 0.0, 6.0),
        ("s3", "PutObject", 2, 0.0, 0.0),
        ("s3", "GetObject", 3, 0.0, 0.0),
        ("sqs", "SendMessage", 5, 0.0, 0.0),
        ("sqs", "ReceiveMessage", 100, 0.0, 0.0),  # the local pollers' rate: left out
    ]
    invocations = [("WebFunction", 10, 2.0), ("FileFunction", 1, 1.0)]
    usage = usage_of(calls, invocations, {"FileFunction": 1024}, 512)
    assert (usage.rru, usage.wru, usage.s3_put, usage.s3_get, usage.sqs_requests) == (2.0, 6.0, 2, 3, 5)
    assert usage.lambda_requests == 11
    assert usage.lambda_gb_seconds == pytest.approx(2.0 * 0.5 + 1.0 * 1.0)
    assert usage.api_requests == 10


# -- the year --------------------------------------------------------------------------------------------------
def _units(**changes: Any) -> CostUnits:
    page = Usage(lambda_requests=1, lambda_gb_seconds=0.1, rru=2, wru=1, api_requests=1)
    values: dict[str, Any] = {
        "pages": {route: page for route, _ in CLAIM_PAGES},
        "queued_per_claim": Usage(lambda_requests=2, sqs_requests=2),
        "review": Usage(lambda_requests=3, rru=10, wru=5, api_requests=3),
        "support_page": Usage(lambda_requests=1, rru=3, api_requests=1),
        "run_per_claim": Usage(lambda_requests=0.5, rru=4, wru=8, s3_put=0.01, s3_get=0.01),
        "run_fixed_transitions": 10.0,
        "validation_page_transitions": 2.0,
        "review_transitions": 3.0,
        "mentors_per_claim": 2.0,
        "notes": [],
    }
    values.update(changes)
    return CostUnits(**values)


def test_a_claims_journey_counts_the_hours_pages_per_mentor() -> None:
    journey = _units().claim_journey()
    assert journey.api_requests == len(CLAIM_PAGES) + 2  # two per-mentor pages, twice more for a second mentor


def test_a_page_never_measured_costs_the_mean_of_those_measured() -> None:
    units = _units(pages={"GET a": Usage(rru=2), "GET b": Usage(rru=4)})
    assert units.page("GET elsewhere").rru == 3


def test_the_year_adds_each_part_as_assumed() -> None:
    a = ASSUMPTIONS
    year, items = yearly_bill(_units())
    claims = a.claims_per_year
    pages_per_claim = len(CLAIM_PAGES) + 2
    mentor_pages = 5 * a.schools * a.mentors_per_school
    sign_in_pages = 2 * a.schools * a.sign_ins_per_school
    school_api = (pages_per_claim * claims + mentor_pages + sign_in_pages) * a.page_view_factor
    support_api = claims * a.reviewed_share * 3 + a.support_page_views_per_day * a.working_days
    assert year.api_requests == pytest.approx(school_api + support_api)
    reviewed = claims * a.reviewed_share
    assert year.sfn_transitions == pytest.approx(a.payment_runs_per_year * 10 + (claims / 100) * 2 + reviewed * 3)
    assert year.wru == pytest.approx(
        school_api * 1 + reviewed * 5 + claims * 8
    )  # pages' 1 WRU each (the factor applied), reviews', the run's
    costs = {item.item: item.cost for item in items}
    assert costs["Step Functions transitions"] == Decimal(str(year.sfn_transitions)) * Decimal("0.025") / 1000
    assert costs["WAF web ACL (months)"] == Decimal("60.00")


def test_doubling_the_claims_doubles_what_scales_with_them() -> None:
    from dataclasses import replace

    one, _ = yearly_bill(_units(pages={}, queued_per_claim=Usage(), review=Usage(), support_page=Usage()))
    two, _ = yearly_bill(
        _units(pages={}, queued_per_claim=Usage(), review=Usage(), support_page=Usage()),
        replace(ASSUMPTIONS, claims_per_year=2 * ASSUMPTIONS.claims_per_year),
    )
    assert two.rru == pytest.approx(2 * one.rru)
    assert two.s3_put == pytest.approx(2 * one.s3_put)


def test_the_bill_shows_each_line_and_its_total() -> None:
    _, items = yearly_bill(_units())
    lines = format_bill(items)
    assert lines[0].split()[:2] == ["line", "item"]
    assert len(lines) == len(items) + 4  # header, rule, the items, rule, total
    total = sum((item.cost for item in items), Decimal(0))
    assert lines[-1].endswith(f"${total:,.2f}")
    assert all(price.as_of and price.source for price in PRICES.values())


# -- the deadline-day bench's pure parts -----------------------------------------------------------------------
def test_route_patterns_name_the_page_not_its_ids() -> None:
    assert route_pattern("GET", "/schools/100113/claims") == "GET /schools/{urn}/claims"
    assert (
        route_pattern("POST", "/schools/100113/claims/new/1871840a91e4/hours/3986421")
        == "POST /schools/{urn}/claims/new/{journey}/hours/{trn}"
    )
    assert route_pattern("GET", "/schools/1/claims/12345678/submitted?x=1") == (
        "GET /schools/{urn}/claims/{reference}/submitted"
    )
    assert route_pattern("GET", "/schools/1/mentors/check/abc") == "GET /schools/{urn}/mentors/check/{lookup}"


def test_the_cost_models_claim_pages_are_the_patterns_the_load_records() -> None:
    journey = "/schools/100113/claims/new/1871840a"
    visited = [
        ("GET", "/schools/100113/claims"),
        ("POST", "/schools/100113/claims/new"),
        ("GET", f"{journey}/provider"),
        ("POST", f"{journey}/provider"),
        ("GET", f"{journey}/mentors"),
        ("POST", f"{journey}/mentors"),
        ("GET", f"{journey}/hours/3986421"),
        ("POST", f"{journey}/hours/3986421"),
        ("GET", f"{journey}/confirm"),
        ("POST", f"{journey}/confirm"),
        ("GET", f"{journey}/check"),
        ("POST", f"{journey}/submit"),
        ("GET", "/schools/100113/claims/12345678/submitted"),
    ]
    assert [route_pattern(method, path) for method, path in visited] == [route for route, _ in CLAIM_PAGES]


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.95) == 95
    assert percentile([3.0], 0.95) == 3


def test_an_error_is_a_5xx_or_an_unexpected_4xx() -> None:
    assert Hit("POST /x", 500, 0.1, expected=True).error
    assert Hit("POST /x", 409, 0.1).error
    assert not Hit("POST /x", 409, 0.1, expected=True).error
    assert not Hit("GET /x", 303, 0.1).error


def _cap(year: str, kind: str) -> int:
    return 6 if kind == "refresher" else 16


def _claim(reference: str, hours: int, holds: bool = True, trn: str = "1", kind: str = "initial") -> dict[str, Any]:
    return {
        "reference": reference,
        "provider_code": "P",
        "academic_year": "2026 to 2027",
        "holds_hours": holds,
        "mentors": [{"trn": trn, "hours": hours, "training_type": kind}],
    }


def test_the_cap_check_passes_allowances_that_match_their_claims() -> None:
    claims = [_claim("a", 10), _claim("b", 6), _claim("c", 10, holds=False)]
    assert cap_violations([{"allowance_id": "1#P#2026", "used": 16}], claims, _cap) == []


def test_the_cap_check_finds_an_allowance_over_its_cap() -> None:
    claims = [_claim("a", 10), _claim("b", 10)]
    found = cap_violations([{"allowance_id": "1#P#2026", "used": 20}], claims, _cap)
    assert found == ["1#P#2026: 20 hours used, over the cap of 16"]


def test_the_cap_check_finds_used_hours_that_are_not_the_claims() -> None:
    found = cap_violations([{"allowance_id": "1#P#2026", "used": 4}], [_claim("a", 5)], _cap)
    assert found == ["1#P#2026: used 4, but its claims hold 5 hours"]
    missing = cap_violations([], [_claim("a", 5)], _cap)
    assert missing == ["1#P#2026: claims hold 5 hours but there is no allowance item"]


def test_the_cap_check_uses_a_refreshers_cap() -> None:
    found = cap_violations([{"allowance_id": "1#P#2026", "used": 8}], [_claim("a", 8, kind="refresher")], _cap)
    assert found == ["1#P#2026: 8 hours used, over the cap of 6"]


def test_map_transitions_count_each_maps_iterations_and_states() -> None:
    def entered(kind: str, name: str) -> dict[str, Any]:
        return {"type": kind, "stateEnteredEventDetails": {"name": name}}

    events = [
        entered("TaskStateEntered", "Close"),
        entered("MapStateEntered", "ValidateClaims"),
        {"type": "MapIterationStarted"},
        entered("TaskStateEntered", "ValidatePage"),
        {"type": "MapIterationStarted"},
        entered("TaskStateEntered", "ValidatePage"),
        {"type": "MapStateExited"},
        entered("TaskStateEntered", "File"),
    ]
    assert map_transitions(events) == {"ValidateClaims": (2, 2)}


def test_the_meter_puts_each_call_on_the_function_and_page_making_it() -> None:
    import json

    from tests.bench.deadline_day import _Meter

    meter = _Meter(phase="load", functions={"local-WebFunction": "WebFunction"})

    def call(operation: str, body: dict[str, Any], parsed: dict[str, Any]) -> None:
        context: dict[str, Any] = {}
        meter.before(context=context, event_name=f"before-call.dynamodb.{operation}", params={"body": json.dumps(body)})
        meter.after(context=context, parsed=parsed, event_name=f"after-call.dynamodb.{operation}")

    def handler(event: Any, context: Any) -> dict[str, Any]:
        call("GetItem", {"TableName": "t"}, {"Item": {"pk": {"S": "x" * 5000}}})
        return {}

    event = {"httpMethod": "GET", "path": "/schools/100113/claims"}
    meter.timed("local-WebFunction", handler)(event, None)
    call("PutItem", {"Item": {"pk": {"S": "y"}}}, {})  # a queue poller's, after the handler returned
    calls = {tuple(row[:5]): row[5:] for row in meter.snapshot()["calls"]}
    assert calls[("load", "WebFunction", "GET /schools/{urn}/claims", "dynamodb", "GetItem")] == [1, 1.0, 0.0]
    assert calls[("load", "-", "-", "dynamodb", "PutItem")] == [1, 0.0, 1.0]
    [invocation] = meter.snapshot()["invocations"]
    assert invocation[:4] == ["load", "WebFunction", "GET /schools/{urn}/claims", 1]
