"""One Logger, Metrics and Tracer for every function (Powertools).

Logs carry references (ids, claim references), never names, emails or dates of birth.

The tracer is Powertools' `Tracer` only where tracing is on: in Lambda, unless `POWERTOOLS_TRACE_DISABLED` says
otherwise (Powertools' own rule, `tracing_enabled`). Building a `Tracer` imports the X-Ray SDK, whose recorder
creates a botocore session and an X-Ray client at import, even when tracing is disabled: about a fifth of a
function's cold start that buys nothing where no trace is sent (the local stack, the tests, the benches).
There the tracer is `UntracedTracer`, whose decorator returns the handler unchanged. In AWS the functions'
`Tracing: Active` keeps both Lambda's own segments and the SDK's subsegments for every AWS call (ADR 0043).

SnapStart (WebFunction, SupportFunction): every execution environment restored from one snapshot starts with the
same `random` state, seeded before the snapshot; `reseed_after_restore` registers a reseed from the OS after each
restore (the Lambda runtime's `snapshot_restore_py`; elsewhere nothing is restored and nothing is registered).
The service's own secrets and ids come from `secrets`, which reads the OS at each call, never from `random`.
"""

from __future__ import annotations

import os
import random
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.shared import constants
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice

from shared.snapstart import after_restore

__all__ = [
    "TracerLike",
    "UntracedTracer",
    "build_tracer",
    "logger",
    "metrics",
    "reseed_after_restore",
    "tracer",
    "tracing_enabled",
]

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


def reseed_after_restore() -> bool:
    """Register `random.seed()` (from the OS) to run after each SnapStart restore; False where there is no
    runtime hook library (outside Lambda's managed runtime), True once registered."""
    return after_restore(random.seed)


reseed_after_restore()
logger = Logger()
metrics = Metrics()
tracer: TracerLike = build_tracer()
