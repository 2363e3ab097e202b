"""Fakes of the outside world on loopback: the Teaching Record System (GOV.UK Notify's is fake_notify.py).

Each is a small HTTP server speaking the real API's shape, so the real clients in
`shared.integrations` are what the local stack and the tests exercise.
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infrastructure.local.seed_data import SeedTeacher


def _start(server: ThreadingHTTPServer, name: str) -> ThreadingHTTPServer:
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server


class _JsonHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def send_json(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# -- Teaching Record System -----------------------------------------------------------------------
API_KEY = "local-teaching-record-key"


class TeachingRecordServer(ThreadingHTTPServer):
    """The fake's server. `records` may be changed while it runs (a teacher renamed, a record gone); with
    `per_window` set it answers 429 with Retry-After to a request past that many in any `window_seconds` (the real
    service allows 300 a minute); `answered` lists each request as (time by its `clock`, 429 if refused else 0).
    With `latency_seconds` set, every answer takes that long (the real service is not instant: benchmarks and
    tests of parallel lookups need a round trip to overlap)."""

    records: dict[str, SeedTeacher]
    per_window: int | None
    window_seconds: float
    latency_seconds: float
    clock: Callable[[], float]
    answered: list[tuple[float, int]]
    lock: threading.Lock

    def admit(self) -> float | None:
        """Count a request: None when it is within the limit, else the seconds until it would be."""
        with self.lock:
            now = self.clock()
            if self.per_window is not None:
                recent = [at for at, status in self.answered if status != 429 and now - at < self.window_seconds]
                if len(recent) >= self.per_window:
                    self.answered.append((now, 429))
                    return max(0.0, self.window_seconds - (now - min(recent)))
            self.answered.append((now, 0))
            return None


def teaching_record_server(
    teachers: Iterable[SeedTeacher],
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    per_window: int | None = None,
    window_seconds: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
    latency_seconds: float = 0.0,
) -> TeachingRecordServer:
    """`GET /v3/teachers/{trn}?dateOfBirth=YYYY-MM-DD`: 200 with names, or 404 problem JSON when the
    TRN is unknown or the date of birth does not match (as the real API does)."""

    class Handler(_JsonHandler):
        server: TeachingRecordServer

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self.send_json(401, {"title": "Unauthorized", "status": 401})
                return
            wait = self.server.admit()
            if self.server.latency_seconds:
                time.sleep(self.server.latency_seconds)
            if wait is not None:
                self.send_response(429)
                self.send_header("Retry-After", str(max(1, math.ceil(wait))))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            records = self.server.records
            if not url.path.startswith("/v3/teachers/"):
                self.send_json(404, {"title": "Not Found", "status": 404})
                return
            trn = url.path.removeprefix("/v3/teachers/")
            birth = next(iter(parse_qs(url.query).get("dateOfBirth") or []), None)
            teacher = records.get(trn)
            if teacher is None or (birth is not None and birth != teacher.date_of_birth.isoformat()):
                self.send_json(
                    404,
                    {
                        "type": "https://tools.ietf.org/html/rfc9110#section-15.5.5",
                        "title": "Not Found",
                        "status": 404,
                        "traceId": str(uuid.uuid4()),
                    },
                    "application/problem+json",
                )
                return
            self.send_json(
                200,
                {
                    "trn": teacher.trn,
                    "firstName": teacher.first_name,
                    "middleName": "",
                    "lastName": teacher.last_name,
                    "dateOfBirth": teacher.date_of_birth.isoformat(),
                },
            )

    server = TeachingRecordServer((host, port), Handler)
    server.records = {teacher.trn: teacher for teacher in teachers}
    server.per_window, server.window_seconds, server.clock = per_window, window_seconds, clock
    server.answered, server.lock = [], threading.Lock()
    server.latency_seconds = latency_seconds
    _start(server, "fake-teaching-record")
    return server
