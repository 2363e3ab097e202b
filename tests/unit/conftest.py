"""The unit suite is pure: no AWS (not even moto in-process) and no sockets, loopback and Unix ones included.

pytest-socket's `socket_disabled`, requested by an autouse fixture, makes any socket a test or its fixtures
open fail with `SocketBlockedError`. A test that needs a server, moto or a socket belongs in tests/integration.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# Importing shared.observability where tracing is on builds Powertools' Tracer, whose X-Ray SDK makes a UDP socket
# for its emitter (ADR 0043; tracing is off in tests, so it does not here). Were it on, that would be an import side
# effect, not a test using the network, so it happens here, before any test runs with sockets blocked.
import shared.observability  # noqa: F401
from tests.support import isolated_suite


@pytest.fixture(scope="package", autouse=True)
def isolated() -> Iterator[None]:
    """No environment or cached settings from another suite in the same process (tests.support)."""
    with isolated_suite():
        yield


@pytest.fixture(autouse=True)
def _no_sockets(socket_disabled: None) -> None:
    """Every unit test runs with sockets blocked (pytest-socket's `socket_disabled` fixture)."""


@pytest.fixture
def machine_in_new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's own time zone set to New York (neither UTC nor London), for the length of one test: a rule
    that must use UTC or England's time shows it does not fall back on the machine's."""
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
