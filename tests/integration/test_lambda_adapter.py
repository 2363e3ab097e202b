"""The in-process Lambda adapter and the one moto seam it replaces."""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from typing import Any

import pytest
from moto.awslambda.models import LambdaFunction

from infrastructure.local.lambda_adapter import (
    EXPECTED_SIGNATURE,
    HandlerRegistry,
    check_moto_seam,
    in_process_lambdas,
    invoke,
)


@dataclass
class FakeFunction:
    function_name: str = "f"
    function_arn: str = "arn:aws:lambda:eu-west-2:123456789012:function:f"


def test_moto_still_has_the_private_method_the_adapter_replaces() -> None:
    # A moto upgrade that renames or reshapes _invoke_lambda must fail here, loudly.
    assert str(inspect.signature(LambdaFunction._invoke_lambda)) == EXPECTED_SIGNATURE
    check_moto_seam()


def test_check_refuses_a_changed_seam(monkeypatch: pytest.MonkeyPatch) -> None:
    def changed(self: Any, event: str, extra: int) -> None: ...

    monkeypatch.setattr(LambdaFunction, "_invoke_lambda", changed)
    with pytest.raises(RuntimeError, match="changed"):
        check_moto_seam()


def test_handler_result_is_returned_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = HandlerRegistry()
    monkeypatch.setattr(
        "importlib.import_module",
        lambda _: type("M", (), {"h": staticmethod(lambda e, c: {"got": e, "name": c.function_name})}),
    )
    registry.register("f", "anything", "h")
    payload, errored, _ = invoke(registry, FakeFunction(), json.dumps({"a": 1}))
    assert errored is False
    assert json.loads(payload) == {"got": {"a": 1}, "name": "f"}


def test_exceptions_become_lambda_error_payloads(monkeypatch: pytest.MonkeyPatch) -> None:
    class TransientError(Exception):
        pass

    def handler(event: Any, context: Any) -> None:
        raise TransientError("throttled")

    registry = HandlerRegistry()
    monkeypatch.setattr("importlib.import_module", lambda _: type("M", (), {"h": staticmethod(handler)}))
    registry.register("f", "anything", "h")
    payload, errored, _ = invoke(registry, FakeFunction(), "{}")
    body = json.loads(payload)
    assert errored is True
    assert (body["errorType"], body["errorMessage"]) == ("TransientError", "throttled")
    assert body["stackTrace"]


def test_patch_is_removed_after_the_block() -> None:
    original = LambdaFunction._invoke_lambda
    with in_process_lambdas(HandlerRegistry()):
        assert LambdaFunction._invoke_lambda is not original
    assert LambdaFunction._invoke_lambda is original
