"""Make moto's in-memory DynamoDB answer one request at a time, as DynamoDB's operations are atomic.

moto serves requests on threads and its DynamoDB backend has no locking: a transaction's condition
checks and writes can interleave with another request ("dictionary changed size during iteration", or
two transactions both passing `used <= cap - hours`). Real DynamoDB serialises conflicting
transactions, so the local stack and the concurrency test serialise moto's DynamoDB operations behind
one lock. Our own code gets no help from this: it still has to carry the conditions (the concurrency
test fails without them).
"""

from __future__ import annotations

import copy
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


# -- transactions: back up the items they touch, not whole tables ------------------------------------
# moto's TransactWriteItems deep-copies every table it names before writing, to roll back on failure:
# seconds a transaction once a table holds thousands of items (the integration suite measured 15 s for
# one against its seeded tables), where DynamoDB's cost does not depend on the table at all. Patched,
# a transaction copies only the items it names and puts those back if it fails: the same
# all-or-nothing outcome, at the cost of the items. moto's own condition checks and writes are unchanged.
_ORIGINAL_TRANSACT = DynamoDBBackend.transact_write_items
_IN_TRANSACTION = threading.local()


class _TablesNotCopiedInTransactions:
    """Stands in for the `copy` module inside `moto.dynamodb.models`: while a patched transaction runs on
    this thread, `deepcopy` of a whole table returns the table itself; anything else is really copied."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        if getattr(_IN_TRANSACTION, "active", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _item_key(table: Any, operation: dict[str, Any]) -> dict[str, Any]:
    if "Key" in operation:
        return dict(operation["Key"])
    item = operation.get("Item", {})
    return {name: item[name] for name in (table.hash_key_attr, table.range_key_attr) if name and name in item}


def _backing_up_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    backups: list[tuple[Any, Any, Any, Any]] = []
    for entry in transact_items:
        _, operation = next(iter(entry.items()))
        table = self.tables.get(operation.get("TableName"))
        if table is None:
            continue
        try:
            hash_value, range_value = self.get_keys_value(table, _item_key(table, operation))
        except Exception:  # noqa: BLE001, S112 - moto reports the bad key itself when it writes
            continue
        backups.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
    _IN_TRANSACTION.active = True
    try:
        _ORIGINAL_TRANSACT(self, transact_items)
    except Exception:
        for table, hash_value, range_value, item in reversed(backups):
            if range_value is None:
                table.items.pop(hash_value, None)
                if item is not None:
                    table.items[hash_value] = item
            else:
                table.items[hash_value].pop(range_value, None)
                if item is not None:
                    table.items[hash_value][range_value] = item
        raise
    finally:
        _IN_TRANSACTION.active = False


_backing_up_items.__backs_up_items__ = True  # type: ignore[attr-defined]


def back_up_touched_items_only() -> None:
    """Idempotent: moto's TransactWriteItems backs up the items it names instead of whole tables. Kept
    inside the lock when `serialise_dynamodb` has run (in either order)."""
    import moto.dynamodb.models as models

    current = DynamoDBBackend.transact_write_items
    if getattr(current, "__backs_up_items__", False) or getattr(
        getattr(current, "__wrapped__", None), "__backs_up_items__", False
    ):
        return
    vars(models)["copy"] = _TablesNotCopiedInTransactions()
    replacement: Callable[..., Any] = _backing_up_items
    if getattr(current, "__serialised__", False):
        replacement = _serialised(_backing_up_items)
    DynamoDBBackend.transact_write_items = replacement  # type: ignore[method-assign]
