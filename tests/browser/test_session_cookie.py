"""Chromium keeps the session cookie exactly as the web functions set it, sends it back and lets it go on sign-out:
`__Host-session` where cookies are Secure (every deployed copy, over https), the plain name where they are not
(ADR 0040). The responses are the service's own `Set-Cookie` values, answered for the copy's origin by
Playwright, so no stack is needed; the local stack (Secure cookies on loopback) is every other browser test."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Route

from shared.config import Settings, load_settings
from shared.web.app import session_cookie, session_cookie_name
from tests import support

PAGE = "<!doctype html><html lang='en'><title>Cookie</title><h1>Cookie</h1></html>"


def _config(secure: bool) -> Settings:
    return load_settings({**support.test_environment(), "COOKIE_SECURE": "true" if secure else "false"})


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context()
    yield opened
    opened.close()


def _serve(context: BrowserContext, origin: str, set_cookie: dict[str, str]) -> list[str]:
    """Answer every request to `origin` with `set_cookie[path]` (if any); the Cookie headers the browser sent."""
    sent: list[str] = []

    def answer(route: Route) -> None:
        sent.append(route.request.all_headers().get("cookie", ""))
        headers = {"Content-Type": "text/html; charset=utf-8"}
        value = set_cookie.get(urlsplit(route.request.url).path)
        if value:
            headers["Set-Cookie"] = value
        route.fulfill(status=200, headers=headers, body=PAGE)

    context.route(f"{origin}/**", answer)
    return sent


@pytest.mark.parametrize(
    ("secure", "origin", "name"),
    [(True, "https://claim.test.example", "__Host-session"), (False, "http://claim.test.example", "session")],
)
def test_the_browser_keeps_the_session_cookie_as_set(
    context: BrowserContext, secure: bool, origin: str, name: str
) -> None:
    config = _config(secure)
    assert session_cookie_name(config) == name
    sent = _serve(
        context,
        origin,
        {
            "/sign-in": str(session_cookie(config, "the-session-token")),
            "/sign-out": str(session_cookie(config, "", expire=True)),
        },
    )
    page = context.new_page()
    # When the service sets the cookie
    page.goto(f"{origin}/sign-in")
    # Then the browser keeps it, as set: HttpOnly, SameSite=Lax, for the host only, Secure where configured
    (kept,) = context.cookies(origin)
    assert (kept["name"], kept["value"], kept["path"]) == (name, "the-session-token", "/")
    assert kept["domain"] == "claim.test.example"  # no leading dot: a host-only cookie
    assert (kept["httpOnly"], kept["sameSite"], kept["secure"]) == (True, "Lax", secure)
    # And sends it back with the next request
    page.goto(f"{origin}/claims")
    assert f"{name}=the-session-token" in sent[-1]
    # And lets it go when the service ends the session
    page.goto(f"{origin}/sign-out")
    assert context.cookies(origin) == []


def test_a_host_prefixed_cookie_that_is_not_secure_is_refused(context: BrowserContext) -> None:
    # Why a copy whose cookies are not Secure has a plain name: the browser drops a __Host- cookie without Secure
    insecure = session_cookie(_config(False), "the-session-token")
    insecure.name = "__Host-session"
    _serve(context, "http://claim.test.example", {"/sign-in": str(insecure)})
    context.new_page().goto("http://claim.test.example/sign-in")
    assert context.cookies("http://claim.test.example") == []
