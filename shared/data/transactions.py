"""DynamoDB transactions and conditional writes: one connection per thread, DynamoDB's limits checked
before a transaction is sent, and reading why a write was refused.

Building a PynamoDB `Connection` builds a botocore session and client (about 0.3 s and 10 MiB, measured by
`make bench`); every transaction used to pay that. `write_transaction()` reuses one per thread instead (botocore
clients are not shared across threads here, so the payment run's Map and moto's threads stay apart).

DynamoDB cancels a TransactWriteItems of more than 100 actions or 4 MB with a ValidationException, which moto
does not reproduce and which reads like any other failure. `write_transaction()` counts before it sends and
raises `TransactionTooLarge`, a programming error no retry can mend (ADR 0015).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from shared.config import settings

_THREAD = threading.local()
_CONDITION_FAILED = "ConditionalCheckFailed"
MAX_TRANSACTION_ITEMS = 100
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024


class TransactionTooLarge(ValueError):
    """A transaction would pass DynamoDB's limit of 100 actions or 4 MB: the code must split it."""


class CheckedTransactWrite(TransactWrite):
    """A TransactWrite that refuses, before sending, what DynamoDB would refuse for its size; and that can
    say which of its items a cancelled transaction failed on, by the labels they were added with.

    PynamoDB sends condition checks, then deletes, then puts, then updates, whatever order they were
    added in, and DynamoDB's cancellation reasons follow that order: `failed_labels` follows it too.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._labels: dict[str, list[str]] = {"check": [], "delete": [], "put": [], "update": []}

    def condition_check(
        self,
        model_cls: type[Model],
        hash_key: Any,
        range_key: Any | None = None,
        condition: Condition | None = None,
        *,
        label: str = "",
    ) -> None:
        super().condition_check(model_cls, hash_key, range_key=range_key, condition=condition)
        self._labels["check"].append(label)

    def delete(
        self, model: Model, condition: Condition | None = None, *, add_version_condition: bool = True, label: str = ""
    ) -> None:
        super().delete(model, condition=condition, add_version_condition=add_version_condition)
        self._labels["delete"].append(label)

    def save(
        self, model: Model, condition: Condition | None = None, return_values: str | None = None, *, label: str = ""
    ) -> None:
        super().save(model, condition=condition, return_values=return_values)
        self._labels["put"].append(label)

    def update(
        self,
        model: Model,
        actions: list[Action],
        condition: Condition | None = None,
        return_values: str | None = None,
        *,
        add_version_condition: bool = True,
        label: str = "",
    ) -> None:
        super().update(
            model,
            actions,
            condition=condition,
            return_values=return_values,
            add_version_condition=add_version_condition,
        )
        self._labels["update"].append(label)

    def sent_labels(self) -> list[str]:
        """Each item's label in the order DynamoDB receives them."""
        return [label for kind in ("check", "delete", "put", "update") for label in self._labels[kind]]

    def failed_labels(self, error: TransactWriteError) -> list[str]:
        """The labels of the items whose condition failed, in the order sent."""
        codes = [reason.code if reason else None for reason in error.cancellation_reasons or []]
        return [label for label, code in zip(self.sent_labels(), codes, strict=False) if code == _CONDITION_FAILED]

    def conflicted(self, error: TransactWriteError) -> bool:
        """Cancelled because another transaction was changing one of its items at the same moment."""
        return any(
            reason is not None and reason.code == "TransactionConflict" for reason in error.cancellation_reasons or []
        )

    def item_count(self) -> int:
        return sum(
            len(items)
            for items in (self._condition_check_items, self._delete_items, self._put_items, self._update_items)
        )

    def estimated_bytes(self) -> int:
        """An upper bound of the request's size: its operations as JSON (attribute names, values, types)."""
        operations = (self._condition_check_items, self._delete_items, self._put_items, self._update_items)
        return sum(len(json.dumps(item, default=str)) for items in operations for item in items)

    def _commit(self) -> Any:
        count = self.item_count()
        if count > MAX_TRANSACTION_ITEMS:
            raise TransactionTooLarge(f"{count} actions in one transaction (DynamoDB takes {MAX_TRANSACTION_ITEMS})")
        size = self.estimated_bytes()
        if size > MAX_TRANSACTION_BYTES:
            raise TransactionTooLarge(f"about {size} bytes in one transaction (DynamoDB takes 4 MB)")
        return super()._commit()


def connection() -> Connection:
    """This thread's connection (a new one if the region changed, as tests change it)."""
    region = settings().aws_region
    found: Connection | None = getattr(_THREAD, "connection", None)
    if found is None or getattr(_THREAD, "region", None) != region:
        found = Connection(region=region)
        _THREAD.connection, _THREAD.region = found, region
    return found


def write_transaction() -> CheckedTransactWrite:
    """`with write_transaction() as t: ...`: a TransactWriteItems on this thread's connection, checked
    against DynamoDB's limits before it is sent."""
    return CheckedTransactWrite(connection=connection())


def conditional(write: Callable[[], object]) -> bool:
    """Run one conditional PutItem, UpdateItem or DeleteItem: False when its condition failed (someone else
    changed the item first), True when it was written; any other error is raised."""
    try:
        write()
    except (PutError, UpdateError, DeleteError) as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def last_condition_failed(error: TransactWriteError) -> bool:
    """The transaction's last item failed its condition (the item the caller put last to ask "is it new?")."""
    reasons = error.cancellation_reasons
    last = reasons[-1] if reasons else None
    return last is not None and last.code == _CONDITION_FAILED


def any_condition_failed(error: TransactWriteError) -> bool:
    return any(reason is not None and reason.code == _CONDITION_FAILED for reason in error.cancellation_reasons or [])
