"""Fakes of the outside world on loopback: the Teaching Record System and GOV.UK Notify.

Each is a small HTTP server speaking the real API's shape, so the real clients in
`shared.integrations` are what the local stack and the tests exercise.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
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


def teaching_record_server(
    teachers: Iterable[SeedTeacher], host: str = "127.0.0.1", port: int = 0
) -> ThreadingHTTPServer:
    """`GET /v3/teachers/{trn}?dateOfBirth=YYYY-MM-DD`: 200 with names, or 404 problem JSON when the
    TRN is unknown or the date of birth does not match (as the real API does)."""
    records = {teacher.trn: teacher for teacher in teachers}

    class Handler(_JsonHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self.send_json(401, {"title": "Unauthorized", "status": 401})
                return
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

    return _start(ThreadingHTTPServer((host, port), Handler), "fake-teaching-record")


# -- GOV.UK Notify --------------------------------------------------------------------------------
@dataclass
class SentEmails:
    emails: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, email: dict[str, Any]) -> None:
        with self.lock:
            self.emails.append(email)

    def all(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.emails)


def notify_server(sent: SentEmails, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """`POST /v2/notifications/email` as Notify answers it; `GET /` lists what was sent (a page for
    people running the stack) and `GET /emails.json` the same for tests."""

    class Handler(_JsonHandler):
        def do_POST(self) -> None:
            if self.path != "/v2/notifications/email" or not self.headers.get("Authorization", "").startswith(
                "Bearer "
            ):
                self.send_json(
                    403, {"errors": [{"error": "AuthError", "message": "Invalid token"}], "status_code": 403}
                )
                return
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            notification_id = str(uuid.uuid4())
            sent.add({**body, "id": notification_id, "sent_at": dt.datetime.now(dt.UTC).isoformat()})
            self.send_json(
                201,
                {
                    "id": notification_id,
                    "reference": body.get("reference"),
                    "content": {"subject": (body.get("personalisation") or {}).get("subject", ""), "body": ""},
                    "template": {"id": body.get("template_id"), "version": 1, "uri": ""},
                    "uri": f"/v2/notifications/{notification_id}",
                },
            )

        def do_GET(self) -> None:
            if self.path == "/emails.json":
                self.send_json(200, sent.all())
                return
            rows = "".join(
                f"<tr><td>{html.escape(e['sent_at'])}</td><td>{html.escape(e.get('email_address', ''))}</td>"
                f"<td>{html.escape(str((e.get('personalisation') or {}).get('subject', '')))}</td>"
                f"<td><pre>{html.escape(str((e.get('personalisation') or {}).get('body', '')))}</pre></td></tr>"
                for e in reversed(sent.all())
            )
            page = (
                "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
                "<title>Sent emails - local GOV.UK Notify</title></head><body><h1>Sent emails</h1>"
                "<table><thead><tr><th>Sent</th><th>To</th><th>Subject</th><th>Body</th></tr></thead>"
                f"<tbody>{rows}</tbody></table></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    return _start(ThreadingHTTPServer((host, port), Handler), "fake-notify")
