"""SnapStart's runtime hooks (ADR 0043): what the page functions prepare before the snapshot, and what runs after
each restore; nothing is registered where Lambda's hook library is absent."""

from __future__ import annotations

import random
import sys
import types
from collections.abc import Callable
from typing import Any

import pytest

from shared.data.botocore_data import load_dynamodb_data
from shared.snapstart import after_restore, before_snapshot
from shared.usecases.startup import configure
from shared.web.render import compile_pages, environment

Registered = list[tuple[Callable[..., Any], tuple[Any, ...]]]


@pytest.fixture
def runtime_hooks(monkeypatch: pytest.MonkeyPatch) -> tuple[Registered, Registered]:
    """Lambda's `snapshot_restore_py`, as its managed Python runtime provides it, recording what is registered."""
    before: Registered = []
    after: Registered = []
    hooks = types.ModuleType("snapshot_restore_py")
    hooks.register_before_snapshot = lambda function, *args: before.append((function, args))  # type: ignore[attr-defined]
    hooks.register_after_restore = lambda function, *args: after.append((function, args))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", hooks)
    return before, after


def test_hooks_are_registered_with_their_arguments(runtime_hooks: tuple[Registered, Registered]) -> None:
    before, after = runtime_hooks
    assert before_snapshot(print, "a") is True
    assert after_restore(random.seed) is True
    assert before == [(print, ("a",))]
    assert after == [(random.seed, ())]


def test_without_the_runtime_library_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # importing it raises ImportError
    assert before_snapshot(print) is False
    assert after_restore(print) is False


def test_every_function_reads_botocore_data_before_the_snapshot(runtime_hooks: tuple[Registered, Registered]) -> None:
    # Given a function's start-up / Then botocore's DynamoDB data is read into the snapshot (no client, no socket)
    before, _ = runtime_hooks
    configure()
    assert (load_dynamodb_data, ()) in before
    load_dynamodb_data()  # sockets are blocked in this suite: it makes no connection


def test_a_web_function_compiles_every_page_before_the_snapshot(runtime_hooks: tuple[Registered, Registered]) -> None:
    from shared.web.app import WebApp

    # Given a web function being built / Then compiling every page is registered for before the snapshot
    before, _ = runtime_hooks
    app = WebApp([])
    assert (compile_pages, (app.config.templates_path,)) in before
    # And compiling them leaves every page template in the environment's cache, none left for a request
    compiled = compile_pages(app.config.templates_path)
    env = environment(app.config.templates_path)
    assert compiled > 100
    assert env.cache is not None
    assert len(env.cache) >= compiled
    assert any(name.startswith("govuk_frontend_jinja/") for name in env.list_templates(extensions=["html"]))
