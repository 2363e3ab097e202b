"""A fake of GOV.UK Notify on loopback (ADR 0038): `POST /v2/notifications/email` answered as Notify answers it, so
the real `notifications-python-client` is what the local stack and the tests exercise.

- Addresses Notify would refuse (consecutive dots, a domain label that is not letters, digits and hyphens, a
  one-letter top-level domain) are answered 400 `ValidationError` "email_address Not a valid email address".
- With `per_minute` set, a request past that many in any 60 seconds is answered 429 `RateLimitError`.
- `outage` set to a status (500, 503) answers every send with it, as Notify does when it is down.
- With `callback_url` set, each accepted email is followed by a delivery receipt POSTed there with the callback's
  bearer token, as Notify does: `delivered`, or what Notify's simulated addresses give
  (`temp-fail@simulator.notify` a temporary failure, `perm-fail@simulator.notify` a permanent one).
- `GET /` lists what was sent (a page for people running the stack) and `GET /emails.json` the same for tests.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CALLBACK_TOKEN = "local-notify-callback-token"  # noqa: S105 - the local stack's callback bearer token (AWS: a secret)

# Notify's simulated addresses (its documentation's "smoke testing" ones) and the receipt each gives
SIMULATED_RECEIPTS = {
    "temp-fail@simulator.notify": "temporary-failure",
    "perm-fail@simulator.notify": "permanent-failure",
}
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", re.IGNORECASE)


def notify_accepts(address: str) -> bool:
    """Roughly Notify's own check of an email address (its `validate_email_address`)."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain or ".." in address or len(address) > 320:
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels) and len(labels[-1]) >= 2


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


class NotifyServer(ThreadingHTTPServer):
    """The fake's server; its settings may be changed while it runs."""

    sent: SentEmails
    per_minute: int | None
    outage: int | None
    callback_url: str | None
    callback_token: str | None
    clock: Callable[[], float]
    answered: list[tuple[float, int]]  # each send's (time, status)
    receipts: list[tuple[dict[str, Any], int]]  # each receipt POSTed and the callback's answer (0: no answer)
    lock: threading.Lock

    def admit(self, address: str) -> int:
        """The status this send gets: 201; the outage's; 429 past the rate limit; 400 for an address Notify refuses."""
        with self.lock:
            now = self.clock()
            status = 201
            if self.outage is not None:
                status = self.outage
            elif self.per_minute is not None:
                recent = [at for at, answer in self.answered if answer != 429 and now - at < 60]
                if len(recent) >= self.per_minute:
                    status = 429
            if status == 201 and not notify_accepts(address):
                status = 400
            self.answered.append((now, status))
            return status

    def post_receipt(self, receipt: dict[str, Any]) -> None:
        """POST one receipt to the callback, as Notify does once an email is delivered or has failed."""
        request = urllib.request.Request(
            str(self.callback_url),
            data=json.dumps(receipt).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.callback_token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = int(response.status)
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        with self.lock:
            self.receipts.append((receipt, status))


_ERRORS = {
    400: ("ValidationError", "email_address Not a valid email address"),
    403: ("AuthError", "Invalid token: API key not found"),
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    500: ("Exception", "Internal server error"),
    503: ("Exception", "Service unavailable"),
}


def notify_server(
    sent: SentEmails,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    per_minute: int | None = None,
    callback_url: str | None = None,
    callback_token: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> NotifyServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server: NotifyServer

        def log_message(self, format: str, *args: Any) -> None:
            return

        def send_json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def send_error_json(self, status: int) -> None:
            error, message = _ERRORS.get(status, ("Exception", "Internal server error"))
            self.send_json(status, {"errors": [{"error": error, "message": message}], "status_code": status})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}"
            if self.path != "/v2/notifications/email" or not self.headers.get("Authorization", "").startswith(
                "Bearer "
            ):
                self.send_error_json(403)
                return
            email = json.loads(body)
            status = self.server.admit(str(email.get("email_address", "")))
            if status != 201:
                self.send_error_json(status)
                return
            notification_id = str(uuid.uuid4())
            created_at = dt.datetime.now(dt.UTC).isoformat()
            sent.add({**email, "id": notification_id, "sent_at": created_at})
            self.send_json(
                201,
                {
                    "id": notification_id,
                    "reference": email.get("reference"),
                    "content": {"subject": (email.get("personalisation") or {}).get("subject", ""), "body": ""},
                    "template": {"id": email.get("template_id"), "version": 1, "uri": ""},
                    "uri": f"/v2/notifications/{notification_id}",
                },
            )
            if self.server.callback_url:
                address = str(email["email_address"])
                receipt = {
                    "id": notification_id,
                    "reference": email.get("reference"),
                    "to": address,
                    "status": SIMULATED_RECEIPTS.get(address.lower(), "delivered"),
                    "created_at": created_at,
                    "completed_at": dt.datetime.now(dt.UTC).isoformat(),
                    "sent_at": created_at,
                    "notification_type": "email",
                    "template_id": email.get("template_id"),
                    "template_version": 1,
                }
                threading.Thread(target=self.server.post_receipt, args=(receipt,), daemon=True).start()

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

    server = NotifyServer((host, port), Handler)
    server.sent, server.per_minute, server.outage = sent, per_minute, None
    server.callback_url, server.callback_token, server.clock = callback_url, callback_token, clock
    server.answered, server.receipts, server.lock = [], [], threading.Lock()
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="fake-notify", daemon=True).start()
    return server
