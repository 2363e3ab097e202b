"""The tracer: Powertools' X-Ray Tracer only where tracing is on (ADR 0043)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import types
from typing import Any

import pytest

from shared.observability import UntracedTracer, build_tracer, reseed_after_restore, tracing_enabled
from tests import support

IN_LAMBDA = {"LAMBDA_TASK_ROOT": "/var/task"}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (IN_LAMBDA, True),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "false"}, True),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "true"}, False),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "1"}, False),
        ({**IN_LAMBDA, "AWS_SAM_LOCAL": "true"}, False),
        ({**IN_LAMBDA, "AWS_CHALICE_CLI_MODE": "true"}, False),
        ({}, False),
    ],
)
def test_tracing_is_on_only_in_lambda_unless_switched_off(environ: dict[str, str], expected: bool) -> None:
    # Given an environment / When asked whether to trace / Then Powertools' own rule is applied
    assert tracing_enabled(environ) is expected


def test_without_tracing_the_decorators_return_the_function_itself() -> None:
    # Given the tracer of an environment that does not trace
    tracer = build_tracer({})
    assert isinstance(tracer, UntracedTracer)

    def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
        return event

    # When a handler is decorated, with and without arguments / Then it is the handler itself
    assert tracer.capture_lambda_handler(capture_response=False)(handler) is handler
    assert tracer.capture_lambda_handler(handler) is handler


def test_after_a_snapstart_restore_random_is_reseeded_from_the_os(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given Lambda's runtime hook library (as its managed Python runtime provides it)
    registered: list[Any] = []
    hooks = types.ModuleType("snapshot_restore_py")
    hooks.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", hooks)
    # When the hooks are registered / Then random.seed (from the OS when called without a seed) runs after a restore
    assert reseed_after_restore() is True
    assert registered == [random.seed]


def test_outside_lambda_no_restore_hook_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # importing it raises ImportError
    assert reseed_after_restore() is False


_CHILD = """
import json, sys
import shared.observability as observability
print(json.dumps({
    "xray": sorted(name for name in sys.modules if name.startswith("aws_xray_sdk.core")),
    "tracer": type(observability.tracer).__name__,
}))
"""


def _import_in_fresh_interpreter(environ: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD],
        env=environ,
        cwd=support.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def test_where_tracing_is_off_the_x_ray_sdk_is_never_imported() -> None:
    # Given the tests' environment (POWERTOOLS_TRACE_DISABLED, not in Lambda), as the local stack and benches run
    # When shared.observability is imported in a fresh interpreter
    result = _import_in_fresh_interpreter(support.test_environment())
    # Then no X-Ray SDK module was loaded (its import builds a botocore session and an X-Ray client)
    assert result == {"xray": [], "tracer": "UntracedTracer"}


def test_in_lambda_with_tracing_on_the_tracer_is_powertools_x_ray_tracer() -> None:
    # Given the environment of a function in AWS (tracing not switched off)
    environ = {key: value for key, value in support.test_environment().items() if key != "POWERTOOLS_TRACE_DISABLED"}
    environ.update({**IN_LAMBDA, "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000"})
    # When shared.observability is imported / Then it is Powertools' Tracer, over the X-Ray SDK
    result = _import_in_fresh_interpreter(environ)
    assert result["tracer"] == "Tracer"
    assert "aws_xray_sdk.core" in result["xray"]
