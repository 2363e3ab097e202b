"""Run Lambda functions in-process inside moto (moto only knows how to run them in Docker).

moto's `LambdaFunction._invoke_lambda(event)` is the one private method replaced: it returns
`(payload_json, errored, logs)`. Ours imports the function's real handler module and calls it, so
`lambda:invoke` tasks, Retry/Catch on `errorType` and `.waitForTaskToken` behave as on AWS.
`tests/unit/test_lambda_adapter.py` fails loudly if a moto upgrade moves or changes that method.
"""

from __future__ import annotations

import importlib
import inspect
import json
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from moto.awslambda.models import LambdaFunction

Handler = Callable[[Any, Any], Any]
EXPECTED_SIGNATURE = "(self, event: 'str | None' = None) -> 'tuple[str, bool, str]'"


@dataclass(frozen=True)
class LambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = ""
    function_version: str = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class HandlerRegistry:
    """Function name → the real handler, imported on first use (as Lambda would on a cold start)."""

    def __init__(self) -> None:
        self._modules: dict[str, tuple[str, str]] = {}
        self._loaded: dict[str, Handler] = {}

    def register(self, function_name: str, module: str, attribute: str = "lambda_handler") -> None:
        self._modules[function_name] = (module, attribute)
        self._loaded.pop(function_name, None)

    def handler(self, function_name: str) -> Handler:
        if function_name not in self._loaded:
            module, attribute = self._modules[function_name]
            self._loaded[function_name] = getattr(importlib.import_module(module), attribute)
        return self._loaded[function_name]

    def __contains__(self, function_name: object) -> bool:
        return function_name in self._modules


def invoke(registry: HandlerRegistry, function: Any, event: Any) -> tuple[str, bool, str]:
    """Call the handler the way Lambda does; exceptions become Lambda's error payload."""
    payload = json.loads(event) if isinstance(event, (str, bytes)) else event
    context = LambdaContext(
        function_name=function.function_name,
        invoked_function_arn=function.function_arn,
        aws_request_id=str(uuid.uuid4()),
    )
    try:
        result = registry.handler(function.function_name)(payload, context)
    except Exception as error:  # noqa: BLE001 - Lambda turns any exception into an error payload
        body = {
            "errorMessage": str(error),
            "errorType": type(error).__name__,
            "requestId": context.aws_request_id,
            "stackTrace": traceback.format_tb(error.__traceback__),
        }
        return json.dumps(body), True, ""
    return json.dumps(result), False, ""


def check_moto_seam() -> None:
    """Refuse to run if moto's private method is no longer what the adapter replaces."""
    original = getattr(LambdaFunction, "_invoke_lambda", None)
    if original is None:
        raise RuntimeError("moto.awslambda.models.LambdaFunction._invoke_lambda is gone: update lambda_adapter")
    signature = str(inspect.signature(original))
    if signature != EXPECTED_SIGNATURE and "_in_process" not in getattr(original, "__name__", ""):
        raise RuntimeError(f"moto's _invoke_lambda changed to {signature}: update lambda_adapter")


@contextmanager
def in_process_lambdas(registry: HandlerRegistry) -> Iterator[HandlerRegistry]:
    """Within the block, every moto Lambda invocation runs the registered handler in this process."""
    check_moto_seam()
    original = LambdaFunction._invoke_lambda

    def _invoke_lambda_in_process(self: Any, event: str | None = None) -> tuple[str, bool, str]:
        if self.function_name not in registry:
            raise RuntimeError(f"no in-process handler registered for {self.function_name}")
        return invoke(registry, self, event)

    LambdaFunction._invoke_lambda = _invoke_lambda_in_process  # type: ignore[method-assign]
    try:
        yield registry
    finally:
        LambdaFunction._invoke_lambda = original  # type: ignore[method-assign]
