"""moto writing attribute values directly (infrastructure/local/moto_dynamodb.py) answers with moto's own bytes.

Random items of every attribute type (strings, empty ones included, numbers, binary, the three sets, booleans, NULL,
and maps and lists nested in each other) are written to a table; then every operation that returns items (GetItem,
Query with pages and a projection, Scan, BatchGetItem, TransactGetItems, PutItem, UpdateItem and DeleteItem with
their return values, a failed condition and a cancelled transaction returning the item) is asked of the patched moto
and of moto's own serializer, and the two HTTP bodies must be the same bytes (docs/adr/0046-moto-responses.md)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.core import serialize as moto_serialize
from moto.dynamodb.responses import DynamoHandler

from infrastructure.local import moto_dynamodb
from infrastructure.local.moto_dynamodb import answer_attribute_values_directly

REGION = "eu-west-2"

_text = st.text(alphabet="abcXYZ é£0#.", max_size=6)
_names = st.text(alphabet="abcxyz_.#", min_size=1, max_size=5)
_number = st.one_of(st.integers(-(10**6), 10**6).map(str), st.decimals(-1000, 1000, places=3).map(str))
_scalar = st.one_of(
    _text.map(lambda s: {"S": s}),
    _number.map(lambda n: {"N": n}),
    st.binary(max_size=6).map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.sets(st.text(alphabet="abc", min_size=1, max_size=3), min_size=1, max_size=3).map(lambda s: {"SS": sorted(s)}),
    st.sets(st.integers(-50, 50), min_size=1, max_size=3).map(lambda s: {"NS": sorted(str(n) for n in s)}),
    st.sets(st.binary(min_size=1, max_size=3), min_size=1, max_size=3).map(lambda s: {"BS": sorted(s)}),
)
_value = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.dictionaries(_names, inner, max_size=3).map(lambda m: {"M": m}),
        st.lists(inner, max_size=3).map(lambda values: {"L": values}),
    ),
    max_leaves=12,
)
_attributes = st.dictionaries(_names.filter(lambda n: n not in ("pk", "sk")), _value, max_size=6)


@pytest.fixture(scope="module")
def db(aws: None) -> Iterator[tuple[Any, str, list[bytes]]]:
    answer_attribute_values_directly()
    answer_attribute_values_directly()  # idempotent
    client = boto3.client("dynamodb", region_name=REGION)
    table = f"moto-responses-{uuid.uuid4().hex[:10]}"
    client.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    bodies: list[bytes] = []

    def keep(http_response: Any, **_: Any) -> None:
        bodies.append(http_response.content)

    client.meta.events.register("after-call.dynamodb.*", keep)
    try:
        yield client, table, bodies
    finally:
        client.delete_table(TableName=table)


@contextmanager
def _moto_serializing() -> Iterator[None]:
    """moto's own serializer, unpatched, for the span."""
    assert not getattr(moto_dynamodb._ORIGINAL_STRUCTURE, "__reads_directly__", False)  # moto's own, not ours
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(moto_serialize.BaseJSONSerializer, "_serialize_type_structure", moto_dynamodb._ORIGINAL_STRUCTURE)
        yield


def _both_ways(
    db: tuple[Any, str, list[bytes]], call: str, before: Callable[[], object] | None = None, **request: Any
) -> bytes:
    """The body of `call`, patched and unpatched (each after `before`), after checking they are the same bytes."""
    client, _, bodies = db
    answers: list[bytes] = []
    for unpatched in (False, True):
        if before is not None:
            before()
        del bodies[:]
        with _moto_serializing() if unpatched else nullcontext(), suppress(client.exceptions.ClientError):
            getattr(client, call)(**request)  # an error's body is compared as well
        assert len(bodies) == 1, call
        answers.append(bodies[0])
    assert answers[0] == answers[1], (call, request)
    return answers[0]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(items=st.lists(_attributes, min_size=1, max_size=4), limit=st.integers(1, 3))
def test_every_response_with_items_is_moto_own_bytes(
    db: tuple[Any, str, list[bytes]], items: list[dict[str, Any]], limit: int
) -> None:
    # Given a partition of random items of every attribute type
    client, table, _ = db
    partition = {"S": uuid.uuid4().hex}
    keys = [{"pk": partition, "sk": {"N": str(n)}} for n in range(len(items))]
    for key, attributes in zip(keys, items, strict=True):
        client.put_item(TableName=table, Item={**attributes, **key})
    first = keys[0]
    # When each operation that returns items is asked, patched and unpatched, then the bodies are the same
    _both_ways(db, "get_item", TableName=table, Key=first)
    _both_ways(db, "get_item", TableName=table, Key={"pk": partition, "sk": {"N": "99"}})  # no item
    query = {"TableName": table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": partition}}
    _both_ways(db, "query", **query)
    _both_ways(db, "query", **query, Limit=limit, ScanIndexForward=False)  # a LastEvaluatedKey
    _both_ways(db, "query", **query, ProjectionExpression="sk, #a", ExpressionAttributeNames={"#a": "a"})
    _both_ways(db, "query", **query, Select="COUNT", ReturnConsumedCapacity="TOTAL")
    _both_ways(db, "scan", TableName=table, Limit=limit)
    _both_ways(db, "batch_get_item", RequestItems={table: {"Keys": keys}})
    _both_ways(db, "transact_get_items", TransactItems=[{"Get": {"TableName": table, "Key": key}} for key in keys])
    whole = {**items[0], **first}
    _both_ways(db, "put_item", TableName=table, Item=whole, ReturnValues="ALL_OLD")  # the same item: idempotent
    update = {"UpdateExpression": "SET #t = :t", "ExpressionAttributeNames": {"#t": "touched"}}
    touched = {":t": {"M": {"at": {"N": "1"}, "by": {"L": [{"S": "x"}, {"NULL": True}]}}}}
    for returned in ("ALL_NEW", "UPDATED_NEW", "ALL_OLD"):
        _both_ways(
            db, "update_item", TableName=table, Key=first, **update, ExpressionAttributeValues=touched,
            ReturnValues=returned,
        )  # fmt: skip
    failing = {"ConditionExpression": "attribute_not_exists(pk)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    _both_ways(db, "put_item", TableName=table, Item=whole, **failing)
    _both_ways(
        db,
        "transact_write_items",
        TransactItems=[{"Put": {"TableName": table, "Item": whole, **failing}}],
    )
    last = {**items[-1], **keys[-1]}
    _both_ways(
        db, "delete_item", lambda: client.put_item(TableName=table, Item=last), TableName=table, Key=keys[-1],
        ReturnValues="ALL_OLD",
    )  # fmt: skip


def test_attribute_values_are_not_looked_for_under_aliases(db: tuple[Any, str, list[bytes]]) -> None:
    # Given an item of 30 attributes
    client, table, _ = db
    key = {"pk": {"S": uuid.uuid4().hex}, "sk": {"N": "1"}}
    client.put_item(TableName=table, Item={**key, **{f"a{n}": {"S": f"value {n}"} for n in range(30)}})
    picked: list[str] = []
    picker = moto_serialize.AttributePicker.__call__

    def counting(self: Any, context: Any) -> Any:
        picked.append(context.key)
        return picker(self, context)

    # When it is read patched, and with moto's own serializer
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(moto_serialize.AttributePicker, "__call__", counting)
        client.get_item(TableName=table, Key=key)
        patched = len(picked)
        del picked[:]
        with _moto_serializing():
            client.get_item(TableName=table, Key=key)
        unpatched = len(picked)
    # Then moto's serializer picks each of the 32 values' ten members, the patch only the response's own members
    assert unpatched >= 32 * 10
    assert patched <= 2


def test_a_response_transformer_takes_moto_own_path(db: tuple[Any, str, list[bytes]]) -> None:
    # Given a transformer of string values registered for DynamoDB's responses
    client, table, _ = db
    key = {"pk": {"S": uuid.uuid4().hex}, "sk": {"N": "1"}}
    client.put_item(TableName=table, Item={**key, "name": {"S": "quiet"}})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DynamoHandler, "RESPONSE_KEY_PATH_TO_TRANSFORMER", {"name.S": lambda value: f"{value}!"})
        # When the item is read, patched and unpatched
        body = _both_ways(db, "get_item", TableName=table, Key=key)
    # Then both applied it, as moto does
    assert b'"quiet!"' in body
