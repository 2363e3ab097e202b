"""PynamoDB's botocore sessions share one data loader, so botocore's JSON is read once a process (ADR 0043).

PynamoDB gives every model's connection its own botocore session (`botocore.session.get_session()`, one per
thread), and each session has its own data loader: the first request to each table loads and parses DynamoDB's
service model, the endpoints and the partitions again. Measured: eight DynamoDB clients from eight sessions take
about 515 ms of CPU, from eight sessions sharing one loader about 130 ms (the first alone, about 65 ms). A support
page that reads eight tables paid that on a cold start's first request.

The sessions stay separate (one per connection and thread, as PynamoDB wants: credentials and clients are still
each session's own); only the loader, a read-only cache of botocore's bundled data files, is shared. botocore's
`Loader` caches each file the first time it is asked for; two threads asking at once at worst both read it.
"""

from __future__ import annotations

import threading

import botocore.session
import pynamodb.connection.base as pynamodb_connection
from botocore.loaders import Loader

__all__ = ["load_dynamodb_data", "session_with_shared_data", "share_botocore_data"]

_lock = threading.Lock()
_state: dict[str, Loader] = {}


def session_with_shared_data() -> botocore.session.Session:
    """A new botocore session, as `botocore.session.get_session()` makes, whose data loader is the process's."""
    session = botocore.session.get_session()
    with _lock:
        loader = _state.get("loader")
        if loader is None:
            _state["loader"] = session.get_component("data_loader")
        else:
            session.register_component("data_loader", loader)
    return session


def share_botocore_data() -> None:
    """Make PynamoDB's connections build their sessions with `session_with_shared_data` (idempotent)."""
    pynamodb_connection.get_session = session_with_shared_data  # type: ignore[attr-defined]


def load_dynamodb_data() -> None:
    """Read DynamoDB's service model and the endpoints into the shared loader, without a client (none is made,
    so no credentials and no connection): for a SnapStart function's before-snapshot hook (ADR 0043)."""
    session = session_with_shared_data()
    session.get_service_model("dynamodb")
    session.get_component("endpoint_resolver")
