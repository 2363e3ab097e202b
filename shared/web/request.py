"""The request as the pages see it: parsed form, cookies, the session and the signed-in user."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.people import User
from shared.usecases.sessions import StoredSession
from shared.web.uploads import MalformedUpload, UploadedFile, is_multipart, parse_multipart

MAX_FORM_BYTES = 64 * 1024


def parse_cookies(headers: dict[str, str]) -> dict[str, str]:
    raw = headers.get("cookie") or headers.get("Cookie") or ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001 - a malformed Cookie header is treated as no cookies
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


class Form(dict[str, list[str]]):
    """A posted form: its text fields (name → values), and the files a multipart/form-data post carried."""

    def __init__(
        self,
        fields: dict[str, list[str]] | None = None,
        files: dict[str, UploadedFile] | None = None,
        upload_too_large: bool = False,
    ) -> None:
        super().__init__(fields or {})
        self.files: dict[str, UploadedFile] = files or {}
        self.upload_too_large = upload_too_large


def _header(event: dict[str, Any], name: str) -> str:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value or "")
    return ""


def _multipart(event: dict[str, Any], content_type: str) -> Form:
    """An upload form. API Gateway passes the body as text unless it is a binary media type."""
    raw = event.get("body") or ""
    try:
        body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8", "surrogateescape")
        found = parse_multipart(body, content_type)
    except (MalformedUpload, ValueError):
        return Form()  # no fields, so no CSRF token: the "start again" page
    return Form(found.fields, found.files, found.too_large)


def parse_form(event: dict[str, Any]) -> Form:
    content_type = _header(event, "content-type")
    if is_multipart(content_type):
        return _multipart(event, content_type)
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    if len(body) > MAX_FORM_BYTES:
        return Form()
    return Form(parse_qs(body, keep_blank_values=True))


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    cookies: dict[str, str]
    now: dt.datetime
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    session: StoredSession | None = None
    user: User | None = None
    session_dirty: bool = False
    ended_session_token: str | None = None

    def field(self, name: str) -> str:
        values = self.form.get(name) or [""]
        return values[0]

    def fields(self, name: str) -> list[str]:
        return self.form.get(name) or []

    @property
    def files(self) -> dict[str, UploadedFile]:
        """Files of a multipart/form-data post (none for any other request)."""
        return self.form.files if isinstance(self.form, Form) else {}

    @property
    def upload_too_large(self) -> bool:
        return isinstance(self.form, Form) and self.form.upload_too_large

    def arg(self, name: str) -> str:
        values = self.query.get(name) or [""]
        return values[0]

    def ensure_session(self) -> StoredSession:
        """The visitor's session, started now if they have none (the CSRF token lives in it)."""
        if self.session is None:
            self.session = StoredSession(
                token=secrets.token_urlsafe(32),
                csrf_token=secrets.token_urlsafe(32),
                user_id=None,
                last_seen_at=self.now,
            )
            self.session_dirty = True
        return self.session

    @property
    def csrf_token(self) -> str:
        return self.ensure_session().csrf_token

    def start_signed_in_session(self, user: User) -> None:
        """A fresh session id on sign-in, so a token seen before sign-in is worthless after it."""
        if self.session is not None:
            self.ended_session_token = self.session.token
        self.session = None
        session = self.ensure_session()
        session.user_id = user.user_id
        self.user = user

    def end_session(self) -> None:
        if self.session is not None:
            self.ended_session_token = self.session.token
        self.session = None
        self.user = None


def current_request(router: Router) -> Request:
    """The request the web shell put in the router's context (each route's first line)."""
    request: Request = router.context["request"]
    return request
