"""moto's Query reading only the partition asked for (infrastructure/local/moto_dynamodb.py) answers as moto does.

Randomised tables (string or number keys, with or without a sort key, a sparse GSI, a GSI on a number, a GSI
without a sort key, an LSI) go through random writes (puts, updates that add, change or remove index keys,
deletes, transactions that pass and ones that fail, batch writes); after them, every Query the strategy draws
(each key condition operator, filters, pages, both orders, projections, COUNT) is asked of the patched moto and,
on the same table, of moto's own Query (which reads every item), and the two answers must be the same."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.dynamodb.models.table import Table

from infrastructure.local import moto_dynamodb
from infrastructure.local.moto_dynamodb import index_queries_by_partition

REGION = "eu-west-2"
PARTITIONS = ("a", "b", "c")  # few, so partitions hold several items and pages
NUMBERS = (1, 2, 3)
SORTS = ("x1", "x2", "x3", "y1", "y2")

_value = st.sampled_from(PARTITIONS)
_sort = st.sampled_from(SORTS)
_number = st.sampled_from(NUMBERS)
_missing = st.none()


@pytest.fixture(scope="module")
def db(aws: None) -> Any:
    index_queries_by_partition()
    index_queries_by_partition()  # idempotent
    return boto3.client("dynamodb", region_name=REGION)


def _attribute(value: Any) -> dict[str, str]:
    return {"N": str(value)} if isinstance(value, int) else {"S": value}


def _create(db: Any, numeric_hash: bool, with_sort: bool) -> str:
    name = f"moto-partitions-{uuid.uuid4().hex[:10]}"
    hash_type = "N" if numeric_hash else "S"
    key_schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    definitions = [
        {"AttributeName": "pk", "AttributeType": hash_type},
        {"AttributeName": "gh", "AttributeType": "S"},
        {"AttributeName": "gs", "AttributeType": "S"},
        {"AttributeName": "nh", "AttributeType": "N"},
        {"AttributeName": "ns", "AttributeType": "N"},
    ]
    extra: dict[str, Any] = {}
    if with_sort:
        key_schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        definitions.append({"AttributeName": "sk", "AttributeType": "S"})
        extra["LocalSecondaryIndexes"] = [
            {
                "IndexName": "local",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "gs", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    db.create_table(
        TableName=name,
        KeySchema=key_schema,
        AttributeDefinitions=definitions,
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "sparse",
                "KeySchema": [{"AttributeName": "gh", "KeyType": "HASH"}, {"AttributeName": "gs", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "numbers",
                "KeySchema": [{"AttributeName": "nh", "KeyType": "HASH"}, {"AttributeName": "ns", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
            {
                "IndexName": "hash-only",
                "KeySchema": [{"AttributeName": "gh", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]},
            },
        ],
        **extra,
    )
    return name


def _keys(numeric_hash: bool, with_sort: bool) -> st.SearchStrategy[dict[str, Any]]:
    hashes = _number if numeric_hash else _value
    if with_sort:
        return st.fixed_dictionaries({"pk": hashes, "sk": _sort})
    return st.fixed_dictionaries({"pk": hashes})


def _item(keys: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    optional = {
        "gh": st.one_of(_missing, _value),
        "gs": st.one_of(_missing, _sort),
        "nh": st.one_of(_missing, _number),
        "ns": st.one_of(_missing, _number),
        "v": st.one_of(_missing, st.integers(0, 5)),
    }
    return st.tuples(keys, st.fixed_dictionaries(optional)).map(
        lambda pair: {**pair[0], **{name: value for name, value in pair[1].items() if value is not None}}
    )


def _writes(numeric_hash: bool, with_sort: bool) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    keys = _keys(numeric_hash, with_sort)
    item = _item(keys)
    update = st.tuples(
        st.just("update"),
        keys,
        st.sampled_from(["gh", "gs", "nh", "ns", "v"]),
        st.one_of(_missing, _value, _sort, _number),
    )
    write = st.one_of(
        st.tuples(st.just("put"), item),
        update,
        st.tuples(st.just("delete"), keys),
        st.tuples(st.just("transaction"), st.lists(st.one_of(st.tuples(st.just("put"), item), update), max_size=3)),
        st.tuples(st.just("failing transaction"), st.lists(st.tuples(st.just("put"), item), min_size=1, max_size=3)),
        st.tuples(
            st.just("batch"),
            st.lists(st.one_of(st.tuples(st.just("put"), item), st.tuples(st.just("delete"), keys)), max_size=4),
        ),
    )
    return st.lists(write, min_size=1, max_size=25)


def _typed(name: str, value: Any) -> Any:
    if name in ("nh", "ns", "v") and not isinstance(value, int):
        return None  # a number attribute given a string: remove it (DynamoDB refuses the type for a key)
    if name in ("gh", "gs") and isinstance(value, int):
        return None
    return value


def _apply(db: Any, table: str, write: tuple[Any, ...]) -> None:
    kind = write[0]
    if kind == "put":
        db.put_item(TableName=table, Item={name: _attribute(value) for name, value in write[1].items()})
    elif kind == "update":
        db.update_item(TableName=table, Key={n: _attribute(v) for n, v in write[1].items()}, **_update(write))
    elif kind == "delete":
        db.delete_item(TableName=table, Key={n: _attribute(v) for n, v in write[1].items()})
    elif kind in ("transaction", "failing transaction"):
        operations, seen = [], set()
        for operation in write[1]:
            key = tuple(sorted((n, v) for n, v in operation[1].items() if n in ("pk", "sk")))
            if key in seen:
                continue  # DynamoDB refuses two operations on one item in a transaction
            seen.add(key)
            if operation[0] == "put":
                item = {name: _attribute(value) for name, value in operation[1].items()}
                operations.append({"Put": {"TableName": table, "Item": item}})
            else:
                key_attrs = {n: _attribute(v) for n, v in operation[1].items()}
                operations.append({"Update": {"TableName": table, "Key": key_attrs, **_update(operation)}})
        if kind == "failing transaction" and operations:
            operations[-1][next(iter(operations[-1]))]["ConditionExpression"] = "attribute_exists(never)"
        if not operations:
            return
        try:
            db.transact_write_items(TransactItems=operations)
        except db.exceptions.TransactionCanceledException:
            assert kind == "failing transaction"
    elif kind == "batch":
        requests, seen = [], set()
        for operation in write[1]:
            key = tuple(sorted((n, v) for n, v in operation[1].items() if n in ("pk", "sk")))
            if key in seen:
                continue
            seen.add(key)
            attrs = {name: _attribute(value) for name, value in operation[1].items()}
            if operation[0] == "put":
                requests.append({"PutRequest": {"Item": attrs}})
            else:
                requests.append({"DeleteRequest": {"Key": attrs}})
        if requests:
            db.batch_write_item(RequestItems={table: requests})


def _update(write: tuple[Any, ...]) -> dict[str, Any]:
    _, _, name, value = write
    value = _typed(name, value)
    if value is None:
        return {"UpdateExpression": "REMOVE #a", "ExpressionAttributeNames": {"#a": name}}
    return {
        "UpdateExpression": "SET #a = :v",
        "ExpressionAttributeNames": {"#a": name},
        "ExpressionAttributeValues": {":v": _attribute(value)},
    }


# (index, hash attribute, its values, sort attribute or None, its values)
_TARGETS = {
    None: ("pk", None, "sk", SORTS),
    "sparse": ("gh", PARTITIONS, "gs", SORTS),
    "numbers": ("nh", NUMBERS, "ns", NUMBERS),
    "hash-only": ("gh", PARTITIONS, None, None),
    "local": ("pk", None, "gs", SORTS),
}


@st.composite
def _query(draw: Any, numeric_hash: bool, with_sort: bool) -> dict[str, Any]:
    indexes: list[str | None] = [None, "sparse", "numbers", "hash-only"] + (["local"] if with_sort else [])
    index = draw(st.sampled_from(indexes))
    hash_name, hash_values, sort_name, sort_values = _TARGETS[index]
    if hash_values is None:
        hash_values = NUMBERS if numeric_hash else PARTITIONS
    if index is None and not with_sort:
        sort_name = None
    names = {"#h": hash_name}
    values = {":h": _attribute(draw(st.sampled_from(hash_values)))}
    condition = "#h = :h"
    operator = draw(st.sampled_from([None, "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]))
    if sort_name is not None and operator is not None:
        assert sort_values is not None
        if operator == "begins_with" and isinstance(sort_values[0], int):
            operator = "="  # begins_with is for strings
        names["#s"] = sort_name
        first, second = sorted(draw(st.lists(st.sampled_from(sort_values), min_size=2, max_size=2)))
        if operator == "begins_with":
            condition += " AND begins_with(#s, :s1)"
            values[":s1"] = _attribute(first[:1])
        elif operator == "BETWEEN":
            condition += " AND #s BETWEEN :s1 AND :s2"
            values[":s1"], values[":s2"] = _attribute(first), _attribute(second)
        else:
            condition += f" AND #s {operator} :s1"
            values[":s1"] = _attribute(first)
    query: dict[str, Any] = {"KeyConditionExpression": condition, "ScanIndexForward": draw(st.booleans())}
    if index is not None:
        query["IndexName"] = index
    if draw(st.booleans()):
        names["#v"] = "v"
        values[":v"] = {"N": str(draw(st.integers(0, 5)))}
        query["FilterExpression"] = draw(
            st.sampled_from(["#v >= :v", "#v < :v", "attribute_not_exists(#v) OR #v = :v"])
        )
    if draw(st.booleans()):
        query["Limit"] = draw(st.integers(1, 4))
    shape = draw(st.sampled_from(["items", "count", "projection"]))
    if shape == "count":
        query["Select"] = "COUNT"
    elif shape == "projection" and index != "numbers":
        names["#p"] = "v"
        query["ProjectionExpression"] = "pk, #p"
    query["ExpressionAttributeNames"] = {n: v for n, v in names.items() if n in _used(query)}
    query["ExpressionAttributeValues"] = {n: v for n, v in values.items() if n in _used(query)}
    if not query["ExpressionAttributeValues"]:
        del query["ExpressionAttributeValues"]
    return query


def _every_partition(numeric_hash: bool, with_sort: bool) -> list[dict[str, Any]]:
    queries = []
    for index, (hash_name, hash_values, _, _) in _TARGETS.items():
        if index == "local" and not with_sort:
            continue
        for value in hash_values or (NUMBERS if numeric_hash else PARTITIONS):
            query = {
                "KeyConditionExpression": "#h = :h",
                "ExpressionAttributeNames": {"#h": hash_name},
                "ExpressionAttributeValues": {":h": _attribute(value)},
            }
            queries.append(query if index is None else {**query, "IndexName": index})
    return queries


def _used(query: dict[str, Any]) -> str:
    return " ".join(
        str(query.get(part, "")) for part in ("KeyConditionExpression", "FilterExpression", "ProjectionExpression")
    )


def _every_page(db: Any, table: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    """Each page's answer (Items or Count, ScannedCount, LastEvaluatedKey), following LastEvaluatedKey."""
    pages: list[dict[str, Any]] = []
    start: dict[str, Any] | None = None
    while True:
        extra: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
        answer = db.query(TableName=table, **query, **extra)
        pages.append({k: answer.get(k) for k in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")})
        start = answer.get("LastEvaluatedKey")
        if not start or len(pages) > 50:
            return pages


@contextmanager
def _moto_reading_every_item() -> Iterator[None]:
    """moto's own Query, unpatched, for the span: it reads every item of the table."""
    assert not getattr(moto_dynamodb._ORIGINAL_QUERY, "__reads_partition__", False)  # moto's own, not ours
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Table, "query", moto_dynamodb._ORIGINAL_QUERY)
        patch.setattr(Table, "all_items", moto_dynamodb._ORIGINAL_ALL_ITEMS)
        yield


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data(), numeric_hash=st.booleans(), with_sort=st.booleans())
def test_a_query_reading_its_partition_answers_as_moto_reading_every_item(
    db: Any, data: st.DataObject, numeric_hash: bool, with_sort: bool
) -> None:
    # Given a table of random items, written in random ways
    table = _create(db, numeric_hash, with_sort)
    try:
        for write in data.draw(_writes(numeric_hash, with_sort), label="writes"):
            _apply(db, table, write)
            # When a Query is asked between writes (so the partitions are built early and then kept up)
            query = data.draw(_query(numeric_hash, with_sort), label="query")
            patched = _every_page(db, table, query)
            with _moto_reading_every_item():
                unpatched = _every_page(db, table, query)
            # Then every page is moto's own answer
            assert patched == unpatched, query
        # And every partition of every index is asked for, whole, as are random Queries
        queries = _every_partition(numeric_hash, with_sort)
        queries += data.draw(st.lists(_query(numeric_hash, with_sort), min_size=5, max_size=10), label="queries")
        for query in queries:
            patched = _every_page(db, table, query)
            with _moto_reading_every_item():
                unpatched = _every_page(db, table, query)
            assert patched == unpatched, query
    finally:
        db.delete_table(TableName=table)


def test_a_query_reads_only_its_partition(db: Any) -> None:
    # Given a table of 600 items in 200 partitions, each item also in one of 200 partitions of an index
    table = _create(db, numeric_hash=False, with_sort=True)
    try:
        requests = [
            {"PutRequest": {"Item": {"pk": {"S": f"p{n % 200}"}, "sk": {"S": f"s{n}"}, "gh": {"S": f"g{n % 200}"}}}}
            for n in range(600)
        ]
        for start in range(0, len(requests), 25):
            db.batch_write_item(RequestItems={table: requests[start : start + 25]})
        db.update_item(
            TableName=table,
            Key={"pk": {"S": "p7"}, "sk": {"S": "s7"}},
            UpdateExpression="SET gh = :g",
            ExpressionAttributeValues={":g": {"S": "g8"}},
        )
        read: list[int] = []
        all_items = Table.all_items

        def counting(self: Table) -> Any:
            items = all_items(self)
            read.append(len(items))
            return items

        # When the base table and the index are queried for one partition each
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Table, "all_items", counting)
            base = db.query(
                TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p7"}}
            )
            index = db.query(
                TableName=table,
                IndexName="hash-only",
                KeyConditionExpression="gh = :g",
                ExpressionAttributeValues={":g": {"S": "g8"}},
            )
        # Then each read its partition's items, not the table's 600 (the updated item moved to its new partition)
        assert base["Count"] == 3
        assert sorted(item["sk"]["S"] for item in index["Items"]) == ["s208", "s408", "s7", "s8"]
        assert read == [3, 4]
    finally:
        db.delete_table(TableName=table)


def test_updates_stay_inside_the_lock_whichever_patch_comes_first() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    from infrastructure.local.moto_dynamodb import serialise_dynamodb

    index_queries_by_partition()
    serialise_dynamodb()
    index_queries_by_partition()
    method = DynamoDBBackend.update_item
    assert getattr(method, "__serialised__", False)
    assert getattr(getattr(method, "__wrapped__", None), "__reindexes__", False)
    assert getattr(Table.query, "__reads_partition__", False)
