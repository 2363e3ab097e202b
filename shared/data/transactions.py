"""DynamoDB transactions: one PynamoDB connection per thread, and reading why a transaction was cancelled.

Building a PynamoDB `Connection` builds a botocore session and client (about 0.3 s and 10 MiB, measured by
`make bench`); every transaction used to pay that. `write_transaction()` reuses one per thread instead (botocore
clients are not shared across threads here, so the payment run's Map and moto's threads stay apart).
"""

from __future__ import annotations

import threading

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from shared.config import settings

_THREAD = threading.local()
_CONDITION_FAILED = "ConditionalCheckFailed"


def connection() -> Connection:
    """This thread's connection (a new one if the region changed, as tests change it)."""
    region = settings().aws_region
    found: Connection | None = getattr(_THREAD, "connection", None)
    if found is None or getattr(_THREAD, "region", None) != region:
        found = Connection(region=region)
        _THREAD.connection, _THREAD.region = found, region
    return found


def write_transaction() -> TransactWrite:
    """`with write_transaction() as t: ...`: a TransactWriteItems on this thread's connection."""
    return TransactWrite(connection=connection())


def last_condition_failed(error: TransactWriteError) -> bool:
    """The transaction's last item failed its condition (the item the caller put last to ask "is it new?")."""
    reasons = error.cancellation_reasons
    last = reasons[-1] if reasons else None
    return last is not None and last.code == _CONDITION_FAILED


def any_condition_failed(error: TransactWriteError) -> bool:
    return any(reason is not None and reason.code == _CONDITION_FAILED for reason in error.cancellation_reasons or [])
