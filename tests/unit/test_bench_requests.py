"""The requests-per-page benchmark's counting hook and its verdicts, with botocore's Stubber (no sockets)."""

from __future__ import annotations

import json
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore import handlers
from botocore.stub import Stubber
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from tests.bench.__main__ import BENCHMARKS, _parser
from tests.bench.requests_per_page import (
    EQUAL,
    DynamoDBRequestCounter,
    PageMeasurement,
    counting_dynamodb_requests,
    format_sites,
    format_table,
    operations_in,
    request_target,
    verdict,
    verdicts,
)

HERE = Path(__file__).resolve().parent
EMPTY_QUERY = {"Items": [], "Count": 0, "ScannedCount": 0}


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any network use here is a bug in the test: the Stubber answers every call."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network use in a unit test: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def counting() -> Iterator[tuple[DynamoDBRequestCounter, Any]]:
    with counting_dynamodb_requests(DynamoDBRequestCounter(roots=(HERE,))) as (counter, history):
        yield counter, history


def _client(service: str = "dynamodb") -> Any:
    """A client of a fresh botocore session, as PynamoDB makes one per thread."""
    return botocore.session.get_session().create_client(service, region_name="eu-west-2")


def _get_claim(client: Any) -> None:
    client.get_item(TableName="test-ClaimsTable", Key={"claim_id": {"S": "12345678"}})


def _query_school(client: Any) -> None:
    client.query(
        TableName="test-ClaimsTable",
        IndexName="school-index",
        KeyConditionExpression="school_id = :s",
        ExpressionAttributeValues={":s": {"S": "108125"}},
    )


class BenchThing(Model):
    class Meta:
        table_name = "test-BenchThingsTable"
        region = "eu-west-2"

    thing_id = UnicodeAttribute(hash_key=True)


# -- the hook ----------------------------------------------------------------------------------------------------
def test_the_hook_counts_each_dynamodb_call_by_operation_before_a_stubber_answers(counting: Any) -> None:
    # Given a client made while counting, whose calls the Stubber answers at before-call
    counter, history = counting
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("get_item", {})
        stub.add_response("get_item", {})
        stub.add_response("query", EMPTY_QUERY)
        # When it makes three calls
        _get_claim(client)
        _get_claim(client)
        _query_school(client)
    # Then each is counted once, by operation name, and botocore's history agrees
    assert counter.counts == Counter({"GetItem": 2, "Query": 1})
    assert history.counts == counter.counts


def test_the_hook_records_the_table_index_and_calling_function(counting: Any) -> None:
    counter, _ = counting
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("query", EMPTY_QUERY)
        _query_school(client)
    [(operation, site)] = counter.sites
    assert operation == "Query"
    assert site.startswith("ClaimsTable/school-index  tests/unit/test_bench_requests.py:")
    assert site.endswith(" _query_school")
    assert set(counter.site_seconds) == {(operation, site)}  # after-call saw it: the time inside is recorded
    assert counter.site_seconds[(operation, site)] >= 0


def test_the_hook_reaches_pynamodbs_own_botocore_session(counting: Any) -> None:
    # Given a PynamoDB model, whose connection makes its own botocore session (not boto3's)
    counter, history = counting
    client = BenchThing._get_connection().connection.client
    with Stubber(client) as stub:
        stub.add_response("get_item", {"Item": {"thing_id": {"S": "a"}}})
        stub.add_response("query", EMPTY_QUERY)
        # When the model reads
        assert BenchThing.get("a").thing_id == "a"
        assert list(BenchThing.query("a")) == []
    # Then those calls are counted too
    assert counter.counts == Counter({"GetItem": 1, "Query": 1})
    assert history.counts == counter.counts
    assert all(site.startswith("BenchThingsTable  ") for _, site in counter.sites)


def test_other_services_are_not_counted_not_even_dynamodb_streams(counting: Any) -> None:
    counter, history = counting
    streams, sqs = _client("dynamodbstreams"), _client("sqs")
    with Stubber(streams) as streams_stub, Stubber(sqs) as sqs_stub:
        streams_stub.add_response("list_streams", {"Streams": []})
        sqs_stub.add_response("list_queues", {})
        streams.list_streams()
        sqs.list_queues()
    assert counter.counts == Counter()
    assert history.counts == Counter()


def test_a_client_made_before_counting_is_missed_by_the_hook_and_caught_by_the_history() -> None:
    # Given a client made before the hook was installed
    early = _client()
    with Stubber(early) as stub, counting_dynamodb_requests() as (counter, history):
        stub.add_response("get_item", {})
        # When it calls
        _get_claim(early)
    # Then only the history saw it: why the benchmark compares the two
    assert counter.counts == Counter()
    assert history.counts == Counter({"GetItem": 1})


def test_leaving_takes_the_hook_out_and_silences_it() -> None:
    before = list(handlers.BUILTIN_HANDLERS)
    with counting_dynamodb_requests() as (counter, history):
        client = _client()
        assert len(handlers.BUILTIN_HANDLERS) > len(before)
    after = list(handlers.BUILTIN_HANDLERS)
    assert after == before
    with Stubber(client) as stub:
        stub.add_response("get_item", {})
        _get_claim(client)  # the client still has the handler: it must do nothing now
    assert counter.counts == Counter()
    assert history.counts == Counter()


def test_an_inactive_counter_counts_nothing_and_take_starts_again(counting: Any) -> None:
    counter, _ = counting
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("get_item", {})
        stub.add_response("get_item", {})
        _get_claim(client)
        counts, sites, seconds = counter.take()
        counter.active = False
        _get_claim(client)
    assert counts == Counter({"GetItem": 1})
    assert sum(sites.values()) == 1
    assert len(seconds) == 1
    assert counter.counts == Counter()
    assert counter.sites == Counter()


# -- what a request names ----------------------------------------------------------------------------------------
def _params(body: dict[str, Any]) -> dict[str, Any]:
    return {"body": json.dumps(body).encode()}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"TableName": "test-ClaimsTable", "Key": {}}, "ClaimsTable"),
        ({"TableName": "test-ClaimsTable", "IndexName": "school-index"}, "ClaimsTable/school-index"),
        ({"RequestItems": {"test-AllowancesTable": {}, "test-UsersTable": {}}}, "AllowancesTable,UsersTable"),
        (
            {
                "TransactItems": [
                    {"Put": {"TableName": "test-ClaimsTable"}},
                    {"Update": {"TableName": "test-JourneysTable"}},
                    {"Update": {"TableName": "test-AllowancesTable"}},
                    {"Update": {"TableName": "test-AllowancesTable"}},
                ]
            },
            "ClaimsTable,JourneysTable,AllowancesTable",
        ),
    ],
)
def test_the_request_target_is_the_table_and_index_it_names(body: dict[str, Any], expected: str) -> None:
    assert request_target(_params(body)) == expected


def test_a_request_without_a_json_body_has_an_unknown_target() -> None:
    assert request_target({"body": b"not json"}) == "?"
    assert request_target(None) == "?"
    assert request_target(_params({})) == "?"


# -- verdicts ----------------------------------------------------------------------------------------------------
def test_the_same_calls_at_both_sizes_without_a_scan_are_equal() -> None:
    counts = {"GetItem": 3, "Query": 4}
    assert verdict(counts, dict(counts)) == EQUAL == "equal (no scans, no growth)"


def test_more_calls_at_the_larger_size_grow_with_the_difference() -> None:
    judged = verdict({"GetItem": 3, "Query": 4}, {"GetItem": 3, "Query": 6, "BatchGetItem": 1})
    assert judged == "GROWS: BatchGetItem 0 -> 1 (+1), Query 4 -> 6 (+2), total 7 -> 10 (+3)"


def test_a_scan_grows_even_when_the_counts_are_the_same() -> None:
    judged = verdict({"GetItem": 1, "Scan": 1}, {"GetItem": 1, "Scan": 1})
    assert judged.startswith("GROWS")
    assert "Scan 1 at both sizes reads the whole table" in judged


def test_fewer_calls_at_the_larger_size_are_not_equal_either() -> None:
    assert verdict({"Query": 2}, {"Query": 1}) == "GROWS: Query 2 -> 1 (-1), total 2 -> 1 (-1)"


def test_the_columns_always_show_scan_and_put_reads_before_writes() -> None:
    assert operations_in([{"UpdateItem": 1, "GetItem": 2}, {"Zeta": 1, "Query": 0}]) == [
        "GetItem",
        "Scan",
        "UpdateItem",
        "Zeta",
    ]


# -- the table ---------------------------------------------------------------------------------------------------
def _measurement(page: str, claims: int, varies: bool = False, **counts: int) -> PageMeasurement:
    return PageMeasurement(
        page=page,
        claims=claims,
        counts=Counter(counts),
        seconds=[0.030, 0.010, 0.020],
        call_seconds=[0.008, 0.004, 0.006],
        varies=varies,
    )


def test_the_table_has_a_row_per_page_and_size_with_counts_total_and_times() -> None:
    lines = format_table(
        [
            _measurement("Claims list", 10, GetItem=3, Query=4),
            _measurement("Claims list", 5000, varies=True, GetItem=3, Query=5),
        ]
    )
    header, rule, small, large = lines
    assert header.split() == [
        "page", "claims", "in", "table", "GetItem", "Query", "Scan", "total", "page", "ms", "in", "calls", "ms",
    ]  # fmt: skip
    assert set(rule) == {"-"}
    assert small.split() == ["Claims", "list", "10", "3", "4", "0", "7", "20.0", "6.0"]
    assert large.split()[:9] == ["Claims", "list", "5,000", "3", "5", "0", "8", "20.0", "6.0"]
    assert large.endswith("(renders differ: the first is shown)")


def test_a_page_is_judged_on_its_smallest_and_largest_table() -> None:
    judged = verdicts(
        [
            _measurement("Claims list", 5000, GetItem=3, Query=4),
            _measurement("Check your answers", 10, GetItem=6),
            _measurement("Claims list", 10, GetItem=3, Query=4),
            _measurement("Check your answers", 5000, GetItem=6, Scan=1),
        ]
    )
    assert judged == [
        ("Claims list", EQUAL),
        ("Check your answers", "GROWS: Scan 0 -> 1 (+1), total 6 -> 7 (+1)"),
    ]


def test_call_sites_list_count_operation_time_and_where() -> None:
    key = ("Query", "ClaimsTable/school-index  shared/data/claims_store.py:213 ClaimsStore.for_school")
    assert format_sites(Counter({key: 2}), {key: 0.0615}) == [
        "  2 x Query                 61.5 ms  ClaimsTable/school-index  shared/data/claims_store.py:213 "
        "ClaimsStore.for_school"
    ]
    assert format_sites(Counter({key: 1})) == [
        "  1 x Query              ClaimsTable/school-index  shared/data/claims_store.py:213 ClaimsStore.for_school"
    ]


# -- the runner --------------------------------------------------------------------------------------------------
def test_the_runner_lists_the_benchmark_and_selects_it() -> None:
    assert "requests-per-page" in [benchmark.name for benchmark in BENCHMARKS]
    assert _parser().parse_args(["--only", "requests-per-page"]).only == ["requests-per-page"]
