"""CSRF, sessions, cookies and security headers."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import operator
from collections.abc import Iterator
from typing import Any

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
from tests.support import NOW, SESSION_COOKIE, Client


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
    before = client.cookies[SESSION_COOKIE]
    client.sign_in("Anne Wilson")
    assert client.cookies[SESSION_COOKIE] != before


@contextlib.contextmanager
def _web_config(**changes: object) -> Iterator[None]:
    import functions.web.app as web

    original = web.app.config
    web.app.config = original.model_copy(update=changes)
    try:
        yield
    finally:
        web.app.config = original


def test_session_cookie_attributes(client: Client) -> None:
    # Where cookies are Secure (every deployed copy): the __Host- prefix, so only this origin can set it
    page = client.get("/sign-in")
    cookie = page.headers["Set-Cookie"][0]
    assert cookie.startswith("__Host-session=")
    attributes = [part.strip() for part in cookie.split(";")[1:]]
    for attribute in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/"):
        assert attribute in attributes
    assert not any(part.lower().startswith("domain") for part in attributes)  # __Host- forbids a Domain


def test_an_insecure_copy_names_its_cookie_without_the_host_prefix(apps: dict) -> None:
    # A browser refuses a __Host- cookie that is not Secure: a copy served over plain http uses a plain name
    with _web_config(cookie_secure=False):
        client = Client(web=apps["web"], support=apps["support"])
        cookie = client.get("/sign-in").headers["Set-Cookie"][0]
        assert cookie.startswith("session=")
        assert "Secure" not in cookie
        client.sign_in("Anne Wilson")
        assert client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").status in (200, 303)
        assert client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").location != "/sign-in"


def test_a_session_cookie_without_the_host_prefix_is_ignored_where_cookies_are_secure(anne: Client) -> None:
    # Given Anne's live session, sent under the plain name (as a sibling site or plain http could set it)
    token = anne.cookies.pop(SESSION_COOKIE)
    anne.cookies["session"] = token
    # Then it is not her session
    assert anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").location == "/sign-in"


def test_a_get_of_sign_out_does_not_end_the_session(anne: Client) -> None:
    # An <img src="/sign-out"> on another site makes the browser GET it, with the cookie (SameSite=Lax)
    page = anne.get("/sign-out")
    assert page.status == 200
    assert page.h1 == "Sign out"
    assert SESSION_COOKIE in anne.cookies
    assert anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").status == 200


def test_sign_out_is_a_post_with_the_sessions_csrf_token(anne: Client) -> None:
    # Every page's header has "Sign out" as a button, of a form that posts the session's token
    soup = anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").soup
    header = soup.select_one("header")
    button = header.find("button", string="Sign out")
    assert button["type"] == "submit"
    assert header.find("a", href="/sign-out") is None
    form = soup.find("form", id=button["form"])
    assert (form["method"], form["action"]) == ("post", "/sign-out")
    assert form.find("input", attrs={"name": "csrf_token"})["value"] == anne.csrf_token()
    # And the page's own forms come before it
    assert soup.find_all("form")[-1] is form
    # A forged POST (no token) is refused and ends nothing
    assert anne.post("/sign-out", csrf=False).status == 403
    assert anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").status == 200
    # The button signs out
    token = anne.cookies[SESSION_COOKIE]
    page = anne.post("/sign-out")
    assert (page.status, page.location) == (303, "/")
    assert SESSION_COOKIE not in anne.cookies
    assert anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").location == "/sign-in"
    # And the session has ended where it is kept: its old cookie, sent again, is signed out too
    anne.cookies[SESSION_COOKIE] = token
    assert anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").location == "/sign-in"


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


def _session_item(client: Client) -> Any:
    from pynamodb.exceptions import DoesNotExist

    from shared.data.items import SessionItem

    try:
        return SessionItem.get(hashlib.sha256(client.cookies[SESSION_COOKIE].encode()).hexdigest())
    except DoesNotExist:
        return None


def test_a_session_ends_twelve_hours_after_sign_in_however_active(anne: Client) -> None:
    import functions.web.app as web

    token = anne.cookies[SESSION_COOKIE]
    item = _session_item(anne)
    assert item is not None
    # The item's TTL is never later than twelve hours after sign-in
    assert item.expires_at <= (NOW + dt.timedelta(hours=12)).timestamp()
    try:
        # Given Anne active every 100 minutes (never idle long enough to be signed out)
        for minutes in [*range(100, 12 * 60, 100), 12 * 60 - 1]:
            web.app.clock = functools.partial(operator.add, NOW, dt.timedelta(minutes=minutes))
            assert anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").status == 200, minutes
            item = _session_item(anne)
            assert item is not None
            assert item.expires_at <= (NOW + dt.timedelta(hours=12)).timestamp()
        # When twelve hours have passed since she signed in
        web.app.clock = lambda: NOW + dt.timedelta(hours=12, minutes=1)
        page = anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims")
    finally:
        web.app.clock = lambda: NOW
    # Then she is signed out: the sign-in page, the cookie cleared and the session ended in the table (no user,
    # nothing kept, idle since 1970: TTL removes it), so its token is refused even by a clock set back
    assert page.location == "/sign-in"
    assert SESSION_COOKIE not in anne.cookies
    anne.cookies[SESSION_COOKIE] = token
    ended = _session_item(anne)
    assert ended is not None
    assert (ended.user_id, ended.csrf_token, ended.last_seen_at.year) == (None, "", 1970)
    assert anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").location == "/sign-in"


def test_the_absolute_lifetime_is_a_setting() -> None:
    import secrets

    from shared.config import load_settings
    from shared.data.sessions import Sessions, StoredSession
    from tests.support import test_environment

    assert load_settings(test_environment()).session_lifetime_hours == 12
    assert load_settings({**test_environment(), "SESSION_LIFETIME_HOURS": "1"}).session_lifetime_hours == 1
    sessions = Sessions(idle=dt.timedelta(hours=2), lifetime=dt.timedelta(hours=1))
    session = StoredSession(secrets.token_urlsafe(32), "csrf", None, NOW)
    sessions.save(session, NOW)
    sessions.save(session, NOW + dt.timedelta(minutes=50))
    assert sessions.load(session.token, NOW + dt.timedelta(minutes=59)) is not None
    assert sessions.load(session.token, NOW + dt.timedelta(minutes=61)) is None


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
