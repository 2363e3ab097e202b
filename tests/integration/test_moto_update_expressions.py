"""moto parsing each update expression once (infrastructure/local/moto_dynamodb.py) updates items as moto does.

Random sequences of updates, drawn from a small set of expressions so that each text comes back many times (SET,
arithmetic, if_not_exists, list_append, nested paths, REMOVE of attributes and list elements, ADD and DELETE on
numbers and sets, clauses combined, lower case and odd spacing, and expressions moto refuses: overlapping paths, an
unknown placeholder, bad syntax), alone and in transactions, are applied to two tables: one by the patched moto, one
by moto parsing every time. Each answer (the item returned, or the error's code and message) and each item after
it must be the same (docs/adr/0046-moto-responses.md)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infrastructure.local import moto_dynamodb
from infrastructure.local.moto_dynamodb import parse_update_expressions_once

REGION = "eu-west-2"
EXPRESSIONS = (
    "SET #a = :v",
    "SET #a = :v, #b = :w",
    "set #a=:v",
    "SET   #a =   :v ,#b= :w",
    "SET #n = #n + :one",
    "SET #n = if_not_exists(#n, :zero) + :one",
    "SET #l = list_append(if_not_exists(#l, :empty), :list)",
    "SET #m.#a = :v",
    "SET #l[0] = :v",
    "REMOVE #b",
    "REMOVE #l[0]",
    "REMOVE #a, #b",
    "ADD #n :one",
    "ADD #s :set",
    "DELETE #s :set",
    "SET #a = :v REMOVE #b",
    "SET #a = :v ADD #n :one",
    "SET #m = :map",
    "SET #a = :v, #a = :w",  # overlapping paths: refused
    "SET #a = :missing",  # a placeholder without a value: refused
    "SET #a = = :v",  # bad syntax: refused
    "SET a = :v",
)
VALUES: dict[str, Any] = {
    ":v": {"S": "value"},
    ":w": {"N": "7"},
    ":one": {"N": "1"},
    ":zero": {"N": "0"},
    ":empty": {"L": []},
    ":list": {"L": [{"S": "x"}]},
    ":set": {"SS": ["p", "q"]},
    ":map": {"M": {"a": {"S": "inner"}}},
}
NAMES = {"#a": "a", "#b": "b", "#n": "n", "#l": "l", "#m": "m", "#s": "s"}


@pytest.fixture(scope="module")
def db(aws: None) -> Iterator[tuple[Any, str, str]]:
    parse_update_expressions_once()
    parse_update_expressions_once()  # idempotent
    client = boto3.client("dynamodb", region_name=REGION)
    tables = tuple(f"moto-updates-{name}-{uuid.uuid4().hex[:8]}" for name in ("patched", "unpatched"))
    for table in tables:
        client.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    try:
        yield client, tables[0], tables[1]
    finally:
        for table in tables:
            client.delete_table(TableName=table)


@contextmanager
def _moto_parsing_every_time() -> Iterator[None]:
    """moto's own `UpdateExpressionParser.make`, unpatched, for the span."""
    parser = moto_dynamodb.UpdateExpressionParser
    assert not getattr(moto_dynamodb._ORIGINAL_MAKE.__func__, "__parses_once__", False)  # moto's own, not ours
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parser, "make", moto_dynamodb._ORIGINAL_MAKE)
        yield


def _placeholders(expression: str) -> dict[str, Any]:
    names = {name: NAMES[name] for name in re.findall(r"#\w+", expression)}
    values = {value: VALUES[value] for value in re.findall(r":\w+", expression) if value in VALUES}
    return {"ExpressionAttributeNames": names, **({"ExpressionAttributeValues": values} if values else {})}


def _answer(client: Any, call: str, **request: Any) -> Any:
    try:
        answer = getattr(client, call)(**request)
    except client.exceptions.ClientError as error:
        return ("error", error.response["Error"].get("Code"), error.response["Error"].get("Message"))
    answer.pop("ResponseMetadata", None)
    return answer


def _apply(client: Any, table: str, key: dict[str, Any], step: tuple[str, list[str]]) -> Any:
    kind, expressions = step
    if kind == "update":
        return _answer(
            client,
            "update_item",
            TableName=table,
            Key=key,
            UpdateExpression=expressions[0],
            ReturnValues="ALL_NEW",
            **_placeholders(expressions[0]),
        )
    items = [{"Update": {"TableName": table, "Key": key, "UpdateExpression": expressions[0]}}]
    items[0]["Update"].update(_placeholders(expressions[0]))
    for number, expression in enumerate(expressions[1:], start=1):  # other items of the same table
        other = {"pk": {"S": f"{key['pk']['S']}-{number}"}}
        items.append({"Update": {"TableName": table, "Key": other, "UpdateExpression": expression}})
        items[-1]["Update"].update(_placeholders(expression))
    return _answer(client, "transact_write_items", TransactItems=items)


_expression = st.sampled_from(EXPRESSIONS)
_step = st.one_of(
    st.tuples(st.just("update"), st.lists(_expression, min_size=1, max_size=1)),
    st.tuples(st.just("transaction"), st.lists(_expression, min_size=1, max_size=3)),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps=st.lists(_step, min_size=1, max_size=12))
def test_updates_answer_and_leave_items_as_moto_parsing_every_time(
    db: tuple[Any, str, str], steps: list[tuple[str, list[str]]]
) -> None:
    # Given the same item in two tables
    client, patched_table, unpatched_table = db
    key = {"pk": {"S": uuid.uuid4().hex}}
    for table in (patched_table, unpatched_table):
        client.put_item(TableName=table, Item={**key, "n": {"N": "1"}, "l": {"L": [{"S": "first"}]}})
    for step in steps:
        # When each step is applied to one table patched and to the other by moto parsing every time
        patched = _apply(client, patched_table, key, step)
        with _moto_parsing_every_time():
            unpatched = _apply(client, unpatched_table, key, step)
        # Then the answers and the items are the same
        assert _without_table(patched, patched_table) == _without_table(unpatched, unpatched_table), step
        assert _item(client, patched_table, key) == _item(client, unpatched_table, key), step


def _item(client: Any, table: str, key: dict[str, Any]) -> Any:
    return client.get_item(TableName=table, Key=key).get("Item")


def _without_table(answer: Any, table: str) -> str:
    """The answer as text without its table's name (the consumed capacity and some errors name it)."""
    return json.dumps(answer, sort_keys=True, default=str).replace(table, "<table>")


def test_a_text_is_parsed_once_and_a_refused_one_every_time(db: tuple[Any, str, str]) -> None:
    # Given the parser counted
    client, table, _ = db
    key = {"pk": {"S": uuid.uuid4().hex}}
    parsed: list[str] = []
    original = moto_dynamodb._ORIGINAL_MAKE.__func__

    def counting(cls: type, text: str) -> Any:
        parsed.append(text)
        return original(cls, text)

    expression = f"SET #a = :v, #b = :w, #counted{uuid.uuid4().hex[:6]} = :v"
    name = expression.rsplit(" = ", 1)[0].rsplit(", ", 1)[1]
    names = {"#a": "a", "#b": "b", name: "c"}
    values = {":v": VALUES[":v"], ":w": VALUES[":w"]}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(moto_dynamodb, "_ORIGINAL_MAKE", classmethod(counting))
        # When the same update is made three times, and a refused one twice
        for _ in range(3):
            client.update_item(
                TableName=table,
                Key=key,
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        for _ in range(2):
            with pytest.raises(client.exceptions.ClientError):
                client.update_item(
                    TableName=table, Key=key, UpdateExpression="SET #a = = :v", ExpressionAttributeNames={"#a": "a"}
                )
    # Then the text was parsed once (moto would have parsed it six times), the refused one each time
    assert parsed.count(expression) == 1
    assert parsed.count("SET #a = = :v") == 2
