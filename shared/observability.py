"""One Logger, Metrics and Tracer for every function (Powertools).

Logs carry references (ids, claim references), never names, emails or dates of birth.

The tracer is Powertools' `Tracer` only where tracing is on: in Lambda, unless `POWERTOOLS_TRACE_DISABLED` says
otherwise (Powertools' own rule, `tracing_enabled`). Building a `Tracer` imports the X-Ray SDK, whose recorder
creates a botocore session and an X-Ray client at import, even when tracing is disabled: about a fifth of a
function's cold start that buys nothing where no trace is sent (the local stack, the tests, the benches).
There the tracer is `UntracedTracer`, whose decorator returns the handler unchanged. In AWS the functions'
`Tracing: Active` keeps both Lambda's own segments and the SDK's subsegments for every AWS call (ADR 0043).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.shared import constants
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice

__all__ = ["TracerLike", "UntracedTracer", "build_tracer", "logger", "metrics", "tracer", "tracing_enabled"]

# Most page views publish no business metric; an empty flush is normal, not a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


def tracing_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether Powertools' `Tracer()` would trace here: in Lambda (`LAMBDA_TASK_ROOT`), not under SAM CLI or
    Chalice's local mode, and not switched off with `POWERTOOLS_TRACE_DISABLED` (the same rule as
    `Tracer._is_tracer_disabled`, read without importing the X-Ray SDK)."""
    source = os.environ if environ is None else environ
    if resolve_truthy_env_var_choice(env=source.get(constants.TRACER_DISABLED_ENV, "false")):
        return False
    in_lambda = bool(source.get(constants.LAMBDA_TASK_ROOT_ENV))
    emulated = bool(source.get(constants.SAM_LOCAL_ENV) or source.get(constants.CHALICE_LOCAL_ENV))
    return in_lambda and not emulated


class TracerLike(Protocol):
    """What the functions use of a tracer: Powertools' `Tracer` and `UntracedTracer` both have it."""

    def capture_lambda_handler(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Callable[..., Any]: ...


class UntracedTracer:
    """The tracer where tracing is off: the decorator returns the handler it is given, unchanged, and nothing of
    the X-Ray SDK is imported."""

    def capture_lambda_handler(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Callable[..., Any]:
        if lambda_handler is None:
            return _unchanged
        return lambda_handler


def _unchanged(function: Callable[..., Any]) -> Callable[..., Any]:
    return function


def build_tracer(environ: Mapping[str, str] | None = None) -> TracerLike:
    """Powertools' Tracer (the X-Ray SDK, every supported library patched) where tracing is on, else one that
    costs nothing."""
    return Tracer() if tracing_enabled(environ) else UntracedTracer()


logger = Logger()
metrics = Metrics()
tracer: TracerLike = build_tracer()
