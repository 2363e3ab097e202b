"""Signing in with DfE Sign-in, through the real handlers, against the fake OpenID Provider on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, SeedData
from shared.claims.people import User
from tests.integration.test_dfe_sign_in_client import CLIENT_ID, CLIENT_SECRET, FakeProvider, s256
from tests.support import SESSION_COOKIE, Client, Page

SERVICE_URL = "https://claim.test.example"
START_AGAIN = "Sorry, you’ll need to start again"
NO_ACCOUNT = "Ask for an account to claim funding for mentor training"


@pytest.fixture
def dsi(client: Client) -> Iterator[FakeProvider]:
    """The web function switched to DfE Sign-in, pointed at a fake provider, for one test."""
    import functions.web.app as web

    with FakeProvider(CLIENT_ID, CLIENT_SECRET) as provider:
        original = web.app.config
        web.app.config = original.model_copy(
            update={
                "sign_in_method": "dfe-sign-in",
                "service_url": SERVICE_URL,
                "dfe_sign_in_issuer_url": provider.issuer,
                "dfe_sign_in_client_id": CLIENT_ID,
                "dfe_sign_in_client_secret": CLIENT_SECRET,
            }
        )
        try:
            yield provider
        finally:
            web.app.config = original


@pytest.fixture
def anne(seed: SeedData) -> User:
    from infrastructure.local.seed import persona_ids
    from shared.data.users import Users

    users = Users()
    found = [user for user in (users.get(user_id) for user_id in persona_ids(seed)) if user is not None]
    return next(user for user in found if user.full_name == "Anne Wilson")


def _leave_for_dsi(client: Client, provider: FakeProvider) -> dict[str, str]:
    page = client.get("/sign-in")
    assert page.status == 303
    url = urlsplit(page.location)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{provider.issuer}/auth"
    return {key: values[0] for key, values in parse_qs(url.query).items()}


def _come_back(client: Client, **params: str) -> Page:
    return client.get(f"/auth/dfe/callback?{urlencode(params)}")


def _issue(dsi: FakeProvider, params: dict[str, str], code: str, email: str) -> None:
    """DSI issues `code` for this attempt: for its nonce, redeemable only with its PKCE challenge's verifier."""
    dsi.issue(code, nonce=params["nonce"], email=email, code_challenge=params["code_challenge"])


def _signed_in(client: Client, dsi: FakeProvider, anne: User) -> None:
    params = _leave_for_dsi(client, dsi)
    _issue(dsi, params, "code-anne", anne.email)
    assert _come_back(client, code="code-anne", state=params["state"]).location.startswith("/schools/")


def test_sign_in_sends_the_user_to_dfe_sign_in_with_state_nonce_and_pkce(client: Client, dsi: FakeProvider) -> None:
    # When a visitor starts to sign in
    params = _leave_for_dsi(client, dsi)
    # Then they go to DSI's authorisation endpoint with a code request, a state and a nonce, and a session
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == f"{SERVICE_URL}/auth/dfe/callback"
    assert params["scope"] == "openid email profile"
    assert len(params["state"]) >= 32
    assert len(params["nonce"]) >= 32
    assert params["state"] != params["nonce"]
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43  # base64url of a SHA-256, unpadded
    assert params["code_challenge"] not in (params["state"], params["nonce"])
    assert SESSION_COOKIE in client.cookies
    # And a second attempt has a challenge of its own
    assert (
        _leave_for_dsi(Client(web=client.web, support=client.support), dsi)["code_challenge"]
        != params["code_challenge"]
    )


def test_the_token_request_carries_the_verifier_of_the_challenge(client: Client, dsi: FakeProvider, anne: User) -> None:
    # Given Anne left for DSI with a challenge, and DSI issued a code bound to it
    params = _leave_for_dsi(client, dsi)
    _issue(dsi, params, "code-anne", anne.email)
    # When she comes back
    page = _come_back(client, code="code-anne", state=params["state"])
    # Then the code was redeemed with a verifier (RFC 7636 §4.1) that hashes to the challenge, and she is in
    verifier = dsi.token_requests[0]["code_verifier"]
    assert 43 <= len(verifier) <= 128
    assert set(verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    assert s256(verifier) == params["code_challenge"]
    assert page.location == f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims"
    # And the verifier is spent with the attempt: the session no longer holds it
    assert verifier not in str(_session_data(client))


def test_a_code_issued_for_another_challenge_is_refused(client: Client, dsi: FakeProvider, anne: User) -> None:
    # Given a code someone obtained for another attempt's challenge (a stolen or injected code)
    params = _leave_for_dsi(client, dsi)
    dsi.issue("code-anne", nonce=params["nonce"], email=anne.email, code_challenge=s256("x" * 43))
    # When it comes back with this attempt's state
    page = _come_back(client, code="code-anne", state=params["state"])
    # Then DSI refuses our verifier for it, and she must start again
    assert page.status == 403
    assert page.h1 == START_AGAIN
    assert client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").location == "/sign-in"


def _session_data(client: Client) -> dict[str, object]:
    import hashlib

    from shared.data.items import SessionItem

    item = SessionItem.get(hashlib.sha256(client.cookies[SESSION_COOKIE].encode()).hexdigest())
    return item.data.as_dict() if hasattr(item.data, "as_dict") else dict(item.data or {})


def test_the_session_keeps_no_id_token(client: Client, dsi: FakeProvider, anne: User) -> None:
    _signed_in(client, dsi, anne)
    stored = str(_session_data(client))
    for id_token in dsi.id_tokens:
        for segment in id_token.split("."):
            assert segment not in stored


def test_a_known_user_is_signed_in_and_lands_on_their_claims(client: Client, dsi: FakeProvider, anne: User) -> None:
    # Given Anne left for DSI and DSI issued a code for her (with her email in another case)
    params = _leave_for_dsi(client, dsi)
    before = client.cookies[SESSION_COOKIE]
    _issue(dsi, params, "code-anne", anne.email.upper())
    # When DSI sends her back with the code and our state
    page = _come_back(client, code="code-anne", state=params["state"])
    # Then she is signed in, with a new session, on her school's claims page
    assert page.status == 303
    assert page.location == f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims"
    assert client.cookies[SESSION_COOKIE] != before
    landed = client.follow(page)  # her claims, or first the grant conditions her school must accept
    assert landed.status == 200 or landed.location.startswith(f"/schools/{ANNE_WILSON_SCHOOL_URN}/")
    assert dsi.token_requests[0]["redirect_uri"] == f"{SERVICE_URL}/auth/dfe/callback"
    # And signing in again goes straight to her claims
    assert client.get("/sign-in").location == f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims"


def test_sign_out_also_signs_out_of_dfe_sign_in(client: Client, dsi: FakeProvider, anne: User) -> None:
    _signed_in(client, dsi, anne)
    page = client.sign_out()
    url = urlsplit(page.location)
    assert page.status == 303
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{dsi.issuer}/session/end"
    # RP-Initiated Logout without the raw id_token: the client, and where to come back to (ADR 0040)
    assert {key: values[0] for key, values in parse_qs(url.query).items()} == {
        "post_logout_redirect_uri": f"{SERVICE_URL}/",
        "client_id": CLIENT_ID,
    }
    assert SESSION_COOKIE not in client.cookies
    assert client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").location == "/sign-in"


def test_a_callback_with_the_wrong_state_is_refused(client: Client, dsi: FakeProvider, anne: User) -> None:
    # Given Anne left for DSI, and a code exists for her
    params = _leave_for_dsi(client, dsi)
    _issue(dsi, params, "code-anne", anne.email)
    # When the callback carries another state
    page = _come_back(client, code="code-anne", state="not-the-state")
    # Then she must start again, is not signed in, and the code was never redeemed
    assert page.status == 403
    assert page.h1 == START_AGAIN
    assert dsi.token_requests == []
    assert client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims").location == "/sign-in"
    # And the attempt is spent: the right state no longer works either
    assert _come_back(client, code="code-anne", state=params["state"]).status == 403


def test_a_callback_without_a_session_is_refused(client: Client, dsi: FakeProvider) -> None:
    page = _come_back(client, code="code-anne", state="any-state")
    assert page.status == 403
    assert page.h1 == START_AGAIN


def test_an_unknown_email_gets_the_no_account_page(client: Client, dsi: FakeProvider) -> None:
    # Given someone with a DSI account that nobody added to the service
    params = _leave_for_dsi(client, dsi)
    _issue(dsi, params, "code-stranger", "stranger@example.org")
    # When DSI sends them back
    page = _come_back(client, code="code-stranger", state=params["state"])
    # Then they are told to ask for an account, and can sign out of DSI to try another one
    assert page.status == 403
    assert page.h1 == NO_ACCOUNT
    assert page.soup.find("a", href="/sign-out") is not None
    assert client.get("/sign-out").h1 == "Sign out"
    assert urlsplit(client.sign_out().location).path == "/session/end"


def test_dfe_sign_in_reporting_an_error_is_refused(client: Client, dsi: FakeProvider) -> None:
    params = _leave_for_dsi(client, dsi)
    page = _come_back(client, error="access_denied", state=params["state"])
    assert page.status == 403
    assert page.h1 == START_AGAIN


def test_a_code_the_token_endpoint_refuses_is_refused(client: Client, dsi: FakeProvider) -> None:
    params = _leave_for_dsi(client, dsi)
    page = _come_back(client, code="a-code-dsi-never-issued", state=params["state"])
    assert page.status == 403
    assert page.h1 == START_AGAIN
    assert len(dsi.token_requests) == 1


def test_an_id_token_for_another_attempt_is_refused(client: Client, dsi: FakeProvider, anne: User) -> None:
    params = _leave_for_dsi(client, dsi)
    dsi.issue("code-anne", nonce="another-attempts-nonce", email=anne.email, code_challenge=params["code_challenge"])
    page = _come_back(client, code="code-anne", state=params["state"])
    assert page.status == 403
    assert page.h1 == START_AGAIN


def test_the_callback_does_not_exist_for_persona_sign_in(client: Client) -> None:
    assert _come_back(client, code="x", state="y").status == 404


def test_a_misconfigured_dfe_sign_in_shows_the_problem_page(client: Client, dsi: FakeProvider) -> None:
    dsi.discovery_overrides = {"issuer": "https://somewhere-else.example"}
    page = client.get("/sign-in")
    assert page.status == 500
    assert page.h1 == "Sorry, there is a problem with the service"
