"""API Gateway on loopback: each SAM `Api` event of `template.yaml` becomes a route that builds a REST
API proxy event and calls the function's real handler, in this process. /assets is served from npm.
"""

from __future__ import annotations

import base64
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infrastructure.local.assets import asset_files, content_type
from infrastructure.local.lambda_adapter import HandlerRegistry, LambdaContext
from infrastructure.local.template import GatewayResponse, Route

MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
DISCARD_LIMIT = 64 * 1024 * 1024  # an oversized body read and dropped; past this the connection just closes
MAX_EVENT = 6 * 1024 * 1024  # Lambda's synchronous request limit: the event, base64 and all


@dataclass(frozen=True)
class CompiledRoute:
    route: Route
    pattern: re.Pattern[str]
    literal: int  # how specific the path is: API Gateway prefers literal segments over proxies

    def matches(self, path: str, method: str) -> dict[str, str] | None:
        if self.route.method not in ("ANY", method):
            return None
        found = self.pattern.fullmatch(path)
        return found.groupdict() if found else None


def compile_route(route: Route) -> CompiledRoute:
    parts = []
    literal = 0
    for segment in route.path.strip("/").split("/") if route.path != "/" else []:
        if segment.endswith("+}"):
            parts.append(f"(?P<{segment[1:-2]}>.+)")
        elif segment.startswith("{"):
            parts.append(f"(?P<{segment[1:-1]}>[^/]+)")
        else:
            parts.append(re.escape(segment))
            literal += 1
    pattern = re.compile("/" + "/".join(parts))
    return CompiledRoute(route, pattern, literal * 2 + (0 if "+}" in route.path else 1))


def proxy_event(
    route: Route,
    path: str,
    method: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    path_parameters: dict[str, str],
    binary_types: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """A REST API (v1) Lambda proxy event, as API Gateway sends it: a body of one of the API's binary media types
    (or one that is not UTF-8) base64-encoded."""
    multi_query = dict(parse_qs(query, keep_blank_values=True).items())
    text_body: str | None
    is_base64 = False
    media_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "").split(";")[0]
    if not body:
        text_body = None
    elif media_type.strip().lower() in binary_types:
        text_body = base64.b64encode(body).decode()
        is_base64 = True
    else:
        try:
            text_body = body.decode("utf-8")
        except UnicodeDecodeError:
            text_body = base64.b64encode(body).decode()
            is_base64 = True
    request_id = str(uuid.uuid4())
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "queryStringParameters": {key: values[-1] for key, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": method,
            "path": f"/live{path}",
            "stage": "live",
            "requestId": request_id,
            "identity": {"sourceIp": "127.0.0.1", "userAgent": headers.get("User-Agent", "")},
        },
        "body": text_body,
        "isBase64Encoded": is_base64,
    }


class LocalApi:
    """Routes requests to handlers; one request per function at a time, as one Lambda container does."""

    def __init__(
        self,
        routes: list[Route],
        registry: HandlerRegistry,
        function_names: dict[str, str],
        region: str,
        gateway_responses: dict[str, GatewayResponse] | None = None,
        binary_types: frozenset[str] = frozenset(),
    ) -> None:
        self.gateway_responses = gateway_responses or {}
        self.binary_types = binary_types
        self.routes = sorted((compile_route(r) for r in routes), key=lambda c: -c.literal)
        self.registry = registry
        self.function_names = function_names
        self.region = region
        self.locks = {logical_id: threading.Lock() for logical_id in function_names}
        self.assets = asset_files()

    def find(self, path: str, method: str) -> tuple[Route, dict[str, str]] | None:
        for compiled in self.routes:
            parameters = compiled.matches(path, method)
            if parameters is not None:
                return compiled.route, parameters
        return None

    def call(self, route: Route, event: dict[str, Any]) -> dict[str, Any]:
        name = self.function_names[route.function]
        context = LambdaContext(
            function_name=name,
            invoked_function_arn=f"arn:aws:lambda:{self.region}:123456789012:function:{name}",
            aws_request_id=event["requestContext"]["requestId"],
        )
        with self.locks[route.function]:
            response: dict[str, Any] = self.registry.handler(name)(event, context)
        return response


def _handler_class(api: LocalApi, log: Callable[[str], None]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "local-api-gateway"

        def log_message(self, format: str, *args: Any) -> None:
            log(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}")

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_HEAD(self) -> None:
            self._handle()

        def _handle(self) -> None:
            url = urlsplit(self.path)
            if url.path.startswith("/assets/"):
                self._asset(url.path.removeprefix("/assets/"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._discard(length)  # read what the browser sends, so it sees the page rather than a reset
                self._gateway("REQUEST_TOO_LARGE", 413, b"Request too large")
                return
            body = self.rfile.read(length) if length else b""
            method = "GET" if self.command == "HEAD" else self.command
            found = api.find(url.path, method)
            if found is None:
                self._send(403, {"Content-Type": "application/json"}, b'{"message":"Missing Authentication Token"}')
                return
            route, parameters = found
            headers = dict(self.headers.items())
            event = proxy_event(route, url.path, method, url.query, headers, body, parameters, api.binary_types)
            if len(event.get("body") or "") > MAX_EVENT:  # Lambda refuses the invocation; API Gateway says 413
                self._gateway("REQUEST_TOO_LARGE", 413, b"Request too large")
                return
            try:
                response = api.call(route, event)
            except Exception as error:  # noqa: BLE001 - API Gateway answers 502 when the function fails
                log(f"function error: {type(error).__name__}: {error}")
                self._gateway("DEFAULT_5XX", 502, b'{"message":"Internal server error"}')
                return
            self._respond(response)

        def _respond(self, response: dict[str, Any]) -> None:
            payload = response.get("body") or ""
            data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode("utf-8")
            self.send_response(int(response.get("statusCode", 200)))
            headers: dict[str, list[str]] = {}
            for key, value in (response.get("headers") or {}).items():
                headers.setdefault(key, []).append(str(value))
            for key, values in (response.get("multiValueHeaders") or {}).items():
                headers[key] = [str(v) for v in values]
            for key, values in headers.items():
                if key.lower() == "content-length":
                    continue
                for value in values:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _discard(self, length: int) -> None:
            left = min(length, DISCARD_LIMIT)
            while left > 0:
                chunk = self.rfile.read(min(left, 1024 * 1024))
                if not chunk:
                    return
                left -= len(chunk)

        def _gateway(self, name: str, status: int, fallback: bytes) -> None:
            """API Gateway's own answer: the template's gateway response of that type, or its default."""
            configured = api.gateway_responses.get(name)
            if configured is None:
                self._send(status, {"Content-Type": "application/json"}, fallback)
                return
            self._send(configured.status, configured.headers, configured.body.encode("utf-8"))

        def _asset(self, name: str) -> None:
            path = api.assets.get(name)
            if path is None:
                self._send(404, {"Content-Type": "text/plain"}, b"Not found")
                return
            self._send(200, {"Content-Type": content_type(path), "Cache-Control": "max-age=3600"}, path.read_bytes())

        def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Handler


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog is 5: with more browsers (or a load test's users) connecting at once than
    # that, the kernel resets the rest, where API Gateway would take them all
    request_queue_size = 128


def serve(api: LocalApi, host: str, port: int, log: Callable[[str], None]) -> ThreadingHTTPServer:
    server = _Server((host, port), _handler_class(api, log))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="local-api", daemon=True).start()
    return server
