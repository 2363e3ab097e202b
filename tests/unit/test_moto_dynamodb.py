"""The local stack's lock around moto's DynamoDB operations."""

from __future__ import annotations

import threading

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
