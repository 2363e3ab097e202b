"""The local stack's lock around moto's DynamoDB operations."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

from infrastructure.local.moto_dynamodb import _OPERATIONS, _serialised, serialise_dynamodb


def test_every_item_operation_is_wrapped_once() -> None:
    serialise_dynamodb()
    first = {name: getattr(DynamoDBBackend, name) for name in _OPERATIONS}
    serialise_dynamodb()
    for name in _OPERATIONS:
        method = getattr(DynamoDBBackend, name)
        assert getattr(method, "__serialised__", False), name
        assert method is first[name]  # not wrapped twice


def test_wrapped_operations_run_one_at_a_time() -> None:
    inside = {"now": 0, "most": 0}
    guard = threading.Lock()

    def slow_operation(self: object) -> None:
        with guard:
            inside["now"] += 1
            inside["most"] = max(inside["most"], inside["now"])
        threading.Event().wait(0.01)
        with guard:
            inside["now"] -= 1

    locked = _serialised(slow_operation)
    threads = [threading.Thread(target=locked, args=(None,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert inside["most"] == 1


def test_a_failed_transaction_puts_back_the_items_it_touched_and_copies_no_table(aws: None) -> None:
    # Given the suite's moto (in this process) and two tables of this test's own, named for it
    import boto3
    import moto.dynamodb.models as models
    import pytest

    from infrastructure.local.moto_dynamodb import back_up_touched_items_only

    back_up_touched_items_only()
    back_up_touched_items_only()  # idempotent
    claims, events = (f"moto-dynamodb-test-{name}-{uuid.uuid4().hex[:8]}" for name in ("Claims", "Events"))
    db = boto3.client("dynamodb", region_name="eu-west-2")
    try:
        for name in (claims, events):
            db.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        db.put_item(TableName=claims, Item={"id": {"S": "a"}, "n": {"N": "1"}})
        db.put_item(TableName=claims, Item={"id": {"S": "b"}, "n": {"N": "1"}})
        copied: list[object] = []
        shim: Any = vars(models)["copy"]
        real_deepcopy = shim.deepcopy

        def watching(value: object, memo: object = None) -> object:
            result = real_deepcopy(value, memo)
            if result is not value:
                copied.append(type(value).__name__)
            return result

        shim.deepcopy = watching
        try:
            failing = [
                {
                    "Update": {
                        "TableName": claims,
                        "Key": {"id": {"S": "a"}},
                        "UpdateExpression": "SET n = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                    }
                },
                {"Put": {"TableName": events, "Item": {"id": {"S": "e1"}}}},
                {
                    "ConditionCheck": {
                        "TableName": claims,
                        "Key": {"id": {"S": "b"}},
                        "ConditionExpression": "n = :five",
                        "ExpressionAttributeValues": {":five": {"N": "5"}},
                    }
                },
            ]
            with pytest.raises(db.exceptions.TransactionCanceledException):
                db.transact_write_items(TransactItems=failing)
        finally:
            del shim.deepcopy
        # Then nothing it wrote is left, and no table was copied
        assert db.get_item(TableName=claims, Key={"id": {"S": "a"}})["Item"]["n"] == {"N": "1"}
        assert "Item" not in db.get_item(TableName=events, Key={"id": {"S": "e1"}})
        assert "Table" not in copied
        # And a transaction that passes writes everything
        db.transact_write_items(TransactItems=failing[:2])
        assert db.get_item(TableName=claims, Key={"id": {"S": "a"}})["Item"]["n"] == {"N": "2"}
        assert "Item" in db.get_item(TableName=events, Key={"id": {"S": "e1"}})
    finally:
        for name in (claims, events):
            db.delete_table(TableName=name)


def test_transactions_stay_inside_the_lock_whichever_patch_comes_first() -> None:
    serialise_dynamodb()
    from infrastructure.local.moto_dynamodb import back_up_touched_items_only

    back_up_touched_items_only()
    method = DynamoDBBackend.transact_write_items
    assert getattr(method, "__serialised__", False)
    assert getattr(method, "__backs_up_items__", False)
