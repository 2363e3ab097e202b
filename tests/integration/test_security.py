"""CSRF, sessions, cookies and security headers."""

from __future__ import annotations

import datetime as dt

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
from tests.support import NOW, Client


def _anne_id(client: Client) -> str:
    client.get("/sign-in")
    form = next(f for f in client.last.soup.find_all("form") if "Anne Wilson" in f.get_text())
    return str(form.find("input", attrs={"name": "user_id"})["value"])


def test_post_without_csrf_token_is_refused(client: Client) -> None:
    user_id = _anne_id(client)
    page = client.post("/sign-in/persona", {"user_id": user_id}, csrf=False)
    assert page.status == 403
    assert page.h1 == "Sorry, you’ll need to start again"
    assert client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").location == "/sign-in"


def test_post_with_another_sessions_token_is_refused(client: Client, apps: dict) -> None:
    user_id = _anne_id(client)
    stranger = Client(web=apps["web"], support=apps["support"])
    stranger.get("/sign-in")
    page = client.post("/sign-in/persona", {"user_id": user_id, "csrf_token": stranger.csrf_token()})
    assert page.status == 403


@pytest.mark.parametrize("token", ["é", "\u00b2", "\x00", "a" * 10_000])
def test_a_post_with_a_token_that_is_not_ascii_is_refused_not_an_error(client: Client, token: str) -> None:
    # Given a session (its token is ASCII) / When a form comes back with a token of other characters
    user_id = _anne_id(client)
    page = client.post("/sign-in/persona", {"user_id": user_id, "csrf_token": token})
    # Then it is the "start again" page, as for any wrong token
    assert page.status == 403
    assert page.h1 == "Sorry, you’ll need to start again"


def test_sign_in_rotates_the_session(client: Client) -> None:
    client.get("/sign-in")
    before = client.cookies["session"]
    client.sign_in("Anne Wilson")
    assert client.cookies["session"] != before


def test_session_cookie_attributes(client: Client) -> None:
    page = client.get("/sign-in")
    cookie = page.headers["Set-Cookie"][0]
    assert cookie.startswith("session=")
    for attribute in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/"):
        assert attribute in cookie


def test_security_headers_on_every_page(client: Client) -> None:
    for page in (client.get("/"), client.get("/no-such-page")):
        headers = {k: v[0] for k, v in page.headers.items()}
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in headers["Content-Security-Policy"]
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_unknown_persona_is_refused(client: Client) -> None:
    client.get("/sign-in")
    page = client.post("/sign-in/persona", {"user_id": "user-not-a-persona"})
    assert page.status == 404


@pytest.mark.parametrize(("idle_minutes", "signed_in"), [(119, True), (121, False)])
def test_sessions_expire_after_two_idle_hours(anne: Client, apps: dict, idle_minutes: int, signed_in: bool) -> None:
    import functions.web.app as web

    client = anne
    web.app.clock = lambda: NOW + dt.timedelta(minutes=idle_minutes)
    try:
        page = client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims")
    finally:
        web.app.clock = lambda: NOW
    assert (page.status == 200) is signed_in


def test_persona_sign_in_is_impossible_unless_configured(client: Client) -> None:
    import functions.web.app as web

    original = web.app.config
    web.app.config = original.model_copy(update={"sign_in_method": "dfe-sign-in"})
    try:
        assert client.get("/sign-in").status == 404
        assert client.request("POST", "/sign-in/persona", {"user_id": "x", "csrf_token": "x"}).status in (403, 404)
    finally:
        web.app.config = original


def test_persona_sign_in_is_never_on_in_production() -> None:
    from shared.config import load_settings
    from tests.support import test_environment

    env = {**test_environment(), "SIGN_IN_METHOD": "persona", "ENVIRONMENT": "production"}
    assert load_settings(env).persona_sign_in_enabled is False
