"""The local API Gateway answers as the template configures the real one: a body over the limits is its 413 GOV.UK
page, a function that fails is its 5xx GOV.UK page, and a multipart upload reaches the function base64-encoded,
byte for byte (a binary media type). Served on loopback, with handlers of this module's own."""

from __future__ import annotations

import base64
import http.client
from collections.abc import Iterator
from typing import Any

import pytest

from infrastructure.local.api import LocalApi, serve
from infrastructure.local.lambda_adapter import HandlerRegistry
from infrastructure.local.stack import free_port
from infrastructure.local.template import Route, binary_media_types, gateway_responses

SEEN: list[dict[str, Any]] = []


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    SEEN.append(event)
    return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "ok"}


def fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("the function failed")


@pytest.fixture(scope="module")
def api(template: dict[str, Any]) -> Iterator[str]:
    registry = HandlerRegistry()
    registry.register("echo", __name__, "echo")
    registry.register("fail", __name__, "fail")
    routes = [Route(function="Echo", path="/echo", method="ANY"), Route(function="Fail", path="/fail", method="ANY")]
    local = LocalApi(
        routes,
        registry,
        {"Echo": "echo", "Fail": "fail"},
        "eu-west-2",
        gateway_responses=gateway_responses(template),
        binary_types=binary_media_types(template),
    )
    port = free_port()
    server = serve(local, "127.0.0.1", port, lambda _: None)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.shutdown()


def _post(host: str, path: str, body: bytes, content_type: str) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection(host, timeout=30)
    connection.request("POST", path, body=body, headers={"Content-Type": content_type})
    response = connection.getresponse()
    text = response.read().decode("utf-8")
    return response.status, {k.lower(): v for k, v in response.getheaders()}, text


def test_a_body_over_api_gateways_limit_is_the_too_large_page(api: str) -> None:
    status, headers, text = _post(api, "/echo", b"x" * (10 * 1024 * 1024 + 1), "multipart/form-data; boundary=b")
    assert status == 413
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["x-frame-options"] == "DENY"
    assert "The selected file must be smaller than 5MB" in text


def test_an_event_over_lambdas_limit_is_the_too_large_page_too(api: str) -> None:
    SEEN.clear()
    status, _, text = _post(api, "/echo", b"x" * (5 * 1024 * 1024), "multipart/form-data; boundary=b")  # 6.7 MB
    assert status == 413
    assert "The selected file must be smaller than 5MB" in text
    assert SEEN == []  # the function never ran


def test_a_multipart_upload_reaches_the_function_byte_for_byte(api: str) -> None:
    SEEN.clear()
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\ncaf\xe9\r\n--b--\r\n'
    status, _, _ = _post(api, "/echo", body, "multipart/form-data; boundary=b")
    assert status == 200
    (event,) = SEEN
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body


def test_a_form_post_stays_text(api: str) -> None:
    SEEN.clear()
    _post(api, "/echo", b"a=1&b=%C3%A9", "application/x-www-form-urlencoded")
    (event,) = SEEN
    assert (event["isBase64Encoded"], event["body"]) == (False, "a=1&b=%C3%A9")


def test_a_function_that_fails_is_the_problem_page(api: str) -> None:
    status, headers, text = _post(api, "/fail", b"a=1", "application/x-www-form-urlencoded")
    assert status == 502
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "Sorry, there is a problem with the service" in text
