"""Make moto's in-memory DynamoDB answer one request at a time, as DynamoDB's operations are atomic.

moto serves requests on threads and its DynamoDB backend has no locking: a transaction's condition
checks and writes can interleave with another request ("dictionary changed size during iteration", or
two transactions both passing `used <= cap - hours`). Real DynamoDB serialises conflicting
transactions, so the local stack and the concurrency test serialise moto's DynamoDB operations behind
one lock. Our own code gets no help from this: it still has to carry the conditions (the concurrency
test fails without them).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

_LOCK = threading.RLock()
_OPERATIONS = (
    "batch_get_item",
    "batch_write_item",
    "delete_item",
    "execute_statement",
    "execute_transaction",
    "get_item",
    "put_item",
    "query",
    "scan",
    "transact_get_items",
    "transact_write_items",
    "update_item",
)


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    locked.__serialised__ = True  # type: ignore[attr-defined]
    return locked


def serialise_dynamodb() -> None:
    """Idempotent: wrap each item operation of moto's DynamoDB backend in one process-wide lock."""
    for name in _OPERATIONS:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "__serialised__", False):
            setattr(DynamoDBBackend, name, _serialised(method))
