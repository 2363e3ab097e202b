"""The DfE Sign-in OIDC client against a tiny fake OpenID Provider on 127.0.0.1.

The fake serves discovery, the token endpoint (which holds each code to the PKCE challenge it was issued for,
as RFC 7636 §4.6 has a provider do) and userinfo, and is also used by
tests/integration/test_dfe_sign_in.py. Test id_tokens are unsigned (base64url JSON segments): the client
does not check signatures, because the id_token comes straight from the token endpoint over TLS.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.integrations.dfe_sign_in import (
    DfeSignIn,
    IdentityClaims,
    SignInFailed,
    clear_discovery_cache,
    decode_unverified,
    new_code_verifier,
    same_issuer,
)

CLIENT_ID = "claim-test-client"
CLIENT_SECRET = "claim-test-secret"
REDIRECT_URI = "http://127.0.0.1:3000/auth/dfe/callback"
NONCE = "nonce-for-this-attempt"
VERIFIER = "the-code-verifier-of-this-attempt-43-characters-or-more"


def s256(verifier: str) -> str:
    """RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))), without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def unsigned_id_token(claims: dict[str, Any]) -> str:
    def segment(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    # A header that says RS256 and a signature that is not one: the client must not care either way.
    return f"{segment({'alg': 'RS256', 'typ': 'JWT', 'kid': 'test'})}.{segment(claims)}.bm90LWEtc2lnbmF0dXJl"


class FakeProvider:
    """A bounded OpenID Provider on loopback. Use as a context manager; it stops on exit."""

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.codes: dict[str, dict[str, Any]] = {}  # code -> id_token claims, each code single-use
        self.challenges: dict[str, str] = {}  # code -> the code_challenge (S256) of the request it answered
        self.id_tokens: list[str] = []  # every id_token the token endpoint gave out
        self.token_failures: list[int] = []  # statuses to answer the next token requests with
        self.token_requests: list[dict[str, str]] = []
        self.discovery_requests = 0
        self.discovery_overrides: dict[str, Any] = {}
        self.userinfo: dict[str, Any] | None = None
        self.token_response_overrides: dict[str, Any] = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 5  # a stuck test client cannot hold a handler thread for ever

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    provider.discovery_requests += 1
                    self._json(200, provider.discovery())
                elif path == "/me" and provider.userinfo is not None:
                    if self.headers.get("Authorization") != "Bearer fake-access-token":
                        self._json(401, {"error": "invalid_token"})
                    else:
                        self._json(200, provider.userinfo)
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path != "/token":
                    self._json(404, {"error": "not_found"})
                    return
                provider.token_requests.append(form)
                if provider.token_failures:
                    status = provider.token_failures.pop(0)
                    self._json(status, {"error": "server_error" if status >= 500 else "invalid_request"})
                    return
                if form.get("client_id") != provider.client_id or form.get("client_secret") != provider.client_secret:
                    self._json(401, {"error": "invalid_client"})
                    return
                claims = provider.codes.pop(form.get("code", ""), None)
                challenge = provider.challenges.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                if form.get("grant_type") != "authorization_code" or claims is None:
                    self._json(400, {"error": "invalid_grant"})
                    return
                if challenge is not None and not (43 <= len(verifier) <= 128 and s256(verifier) == challenge):
                    self._json(400, {"error": "invalid_grant"})  # RFC 7636 §4.6
                    return
                id_token = unsigned_id_token(claims)
                provider.id_tokens.append(id_token)
                self._json(
                    200,
                    {
                        "access_token": "fake-access-token",
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "id_token": id_token,
                        **provider.token_response_overrides,
                    },
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-dfe-sign-in", daemon=True
        )

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/me",
            "end_session_endpoint": f"{self.issuer}/session/end",
            "response_types_supported": ["code"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            **self.discovery_overrides,
        }

    def issue(self, code: str, *, nonce: str, email: str, code_challenge: str | None = None, **overrides: Any) -> None:
        """Make `code` redeemable once, for an id_token with these claims, by whoever holds the verifier of
        `code_challenge` (by default, of `VERIFIER`)."""
        self.challenges[code] = code_challenge or s256(VERIFIER)
        now = int(time.time())
        self.codes[code] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": "dsi-subject-1",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": email,
            "given_name": "Anne",
            "family_name": "Wilson",
            **overrides,
        }

    def client(self, **kwargs: Any) -> DfeSignIn:
        return DfeSignIn(self.issuer, self.client_id, self.client_secret, retry_pause=0, **kwargs)

    def __enter__(self) -> Self:
        clear_discovery_cache()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
        clear_discovery_cache()


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """What the Powertools logger writes, formatted as in Lambda."""
    from shared.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger._logger.removeHandler(handler)


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with FakeProvider() as fake:
        yield fake


def _exchange(
    provider: FakeProvider, code: str = "code-1", nonce: str = NONCE, verifier: str = VERIFIER
) -> IdentityClaims:
    return provider.client().exchange_code(code, REDIRECT_URI, nonce=nonce, code_verifier=verifier)


def _failure(provider: FakeProvider, **claims: Any) -> str:
    provider.issue("code-1", **{"nonce": NONCE, "email": "anne.wilson@example.org", **claims})
    with pytest.raises(SignInFailed) as raised:
        _exchange(provider)
    return raised.value.reason


# -- the authorisation request --------------------------------------------------------------------
def test_authorization_url_asks_for_a_code_with_state_nonce_and_pkce(provider: FakeProvider) -> None:
    # Given a configured client, When it builds the authorisation URL
    url = urlsplit(provider.client().authorization_url("the-state", "the-nonce", REDIRECT_URI, code_verifier=VERIFIER))
    # Then it points at the provider's authorisation endpoint with every parameter of the code flow
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{provider.issuer}/auth"
    assert {k: v[0] for k, v in parse_qs(url.query).items()} == {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "state": "the-state",
        "nonce": "the-nonce",
        "code_challenge": s256(VERIFIER),
        "code_challenge_method": "S256",
    }


def test_a_code_verifier_is_random_and_as_rfc_7636_says() -> None:
    verifiers = {new_code_verifier() for _ in range(20)}
    assert len(verifiers) == 20
    for verifier in verifiers:
        assert 43 <= len(verifier) <= 128
        assert set(verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def test_discovery_is_fetched_once_per_process(provider: FakeProvider) -> None:
    provider.client().authorization_url("s1", "n1", REDIRECT_URI, code_verifier=VERIFIER)
    provider.client().authorization_url("s2", "n2", REDIRECT_URI, code_verifier=VERIFIER)
    assert provider.discovery_requests == 1


# -- the token exchange ---------------------------------------------------------------------------
def test_code_is_exchanged_for_the_users_identity(provider: FakeProvider) -> None:
    # Given DSI issued a code for Anne
    provider.issue("code-1", nonce=NONCE, email="Anne.Wilson@example.org")
    # When it is exchanged
    identity = _exchange(provider)
    # Then her identity comes back, and the client authenticated with client_secret_post
    assert (identity.sub, identity.email, identity.given_name, identity.family_name) == (
        "dsi-subject-1",
        "Anne.Wilson@example.org",
        "Anne",
        "Wilson",
    )
    assert decode_unverified(provider.id_tokens[0])["nonce"] == NONCE
    assert provider.token_requests == [
        {
            "grant_type": "authorization_code",
            "code": "code-1",
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "code_verifier": VERIFIER,
        }
    ]
    # And the identity does not carry the raw id_token on to be kept anywhere
    assert provider.id_tokens[0] not in repr(vars(identity))


def test_a_code_with_the_wrong_verifier_is_refused(provider: FakeProvider) -> None:
    # Given a code issued for the challenge of VERIFIER / When another verifier comes with it
    provider.issue("code-1", nonce=NONCE, email="anne.wilson@example.org")
    with pytest.raises(SignInFailed) as raised:
        _exchange(provider, verifier=new_code_verifier())
    # Then the provider refuses it, as a stolen code would be
    assert raised.value.reason == "token_rejected"


def test_identity_repr_holds_no_personal_data(provider: FakeProvider) -> None:
    provider.issue("code-1", nonce=NONCE, email="anne.wilson@example.org")
    shown = repr(_exchange(provider))
    assert "anne" not in shown.lower()
    assert "dsi-subject-1" in shown


def test_a_code_is_good_once(provider: FakeProvider) -> None:
    provider.issue("code-1", nonce=NONCE, email="anne.wilson@example.org")
    _exchange(provider)
    with pytest.raises(SignInFailed) as raised:
        _exchange(provider)
    assert raised.value.reason == "token_rejected"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"nonce": "another-attempts-nonce"}, "nonce_mismatch"),
        ({"nonce": None}, "nonce_mismatch"),
        ({"aud": "another-client"}, "audience_mismatch"),
        ({"aud": [CLIENT_ID, "another-client"]}, "audience_mismatch"),  # several audiences and no azp
        ({"azp": "another-client"}, "audience_mismatch"),
        ({"iss": "http://127.0.0.1:1"}, "issuer_mismatch"),
        ({"iss": "https://oidc.signin.education.gov.uk"}, "issuer_mismatch"),
        ({"exp": int(time.time()) - 61}, "token_expired"),
        ({"exp": "tomorrow"}, "token_expired"),
        ({"sub": ""}, "claims_missing"),
    ],
)
def test_id_tokens_that_fail_a_check_are_refused(provider: FakeProvider, claims: dict[str, Any], reason: str) -> None:
    assert _failure(provider, **claims) == reason


def test_expiry_allows_a_minute_of_clock_skew(provider: FakeProvider) -> None:
    provider.issue("code-1", nonce=NONCE, email="anne.wilson@example.org", exp=int(time.time()) - 30)
    assert _exchange(provider).sub == "dsi-subject-1"


def test_several_audiences_are_accepted_when_we_are_the_authorised_party(provider: FakeProvider) -> None:
    provider.issue("code-1", nonce=NONCE, email="a@example.org", aud=["x", CLIENT_ID], azp=CLIENT_ID)
    assert _exchange(provider).email == "a@example.org"


def test_a_token_endpoint_5xx_is_retried_once(provider: FakeProvider) -> None:
    # Given the token endpoint fails once with a 500
    provider.issue("code-1", nonce=NONCE, email="anne.wilson@example.org")
    provider.token_failures = [500]
    # When the code is exchanged
    with captured_logs() as logged:
        identity = _exchange(provider)
    # Then the second attempt succeeds, and the logs say so without any code, token, secret or email
    assert identity.email == "anne.wilson@example.org"
    assert len(provider.token_requests) == 2
    assert "retried" in logged.getvalue()
    for secret in ("code-1", CLIENT_SECRET, "anne.wilson", VERIFIER, provider.id_tokens[0]):
        assert secret not in logged.getvalue()


def test_a_token_endpoint_that_keeps_failing_is_given_up_after_one_retry(provider: FakeProvider) -> None:
    provider.token_failures = [502, 503, 200]
    assert _failure(provider) == "token_request_failed"
    assert len(provider.token_requests) == 2


def test_a_token_endpoint_4xx_is_not_retried(provider: FakeProvider) -> None:
    provider.token_failures = [400]
    assert _failure(provider) == "token_rejected"
    assert len(provider.token_requests) == 1


def test_a_wrong_client_secret_is_refused(provider: FakeProvider) -> None:
    provider.issue("code-1", nonce=NONCE, email="anne.wilson@example.org")
    client = DfeSignIn(provider.issuer, CLIENT_ID, "not-the-secret", retry_pause=0)
    with pytest.raises(SignInFailed) as raised:
        client.exchange_code("code-1", REDIRECT_URI, nonce=NONCE, code_verifier=VERIFIER)
    assert raised.value.reason == "token_rejected"


def test_an_unreachable_token_endpoint_is_retried_then_refused(provider: FakeProvider) -> None:
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        closed = unused.getsockname()[1]
    provider.discovery_overrides = {"token_endpoint": f"http://127.0.0.1:{closed}/token"}
    assert _failure(provider) == "token_request_failed"


@pytest.mark.parametrize(
    ("response", "reason"),
    [({"id_token": None}, "token_response_invalid"), ({"id_token": "a.b"}, "id_token_malformed")],
)
def test_a_token_response_without_a_usable_id_token_is_refused(
    provider: FakeProvider, response: dict[str, Any], reason: str
) -> None:
    provider.token_response_overrides = response
    assert _failure(provider) == reason


@pytest.mark.parametrize("token", ["a.b", "a.b.c.d.e", "x.!!!.y", f"x.{base64.urlsafe_b64encode(b'[1]').decode()}.y"])
def test_malformed_id_tokens_are_refused(token: str) -> None:
    with pytest.raises(SignInFailed) as raised:
        decode_unverified(token)
    assert raised.value.reason == "id_token_malformed"


# -- claims from userinfo ---------------------------------------------------------------------------
def test_email_comes_from_userinfo_when_the_id_token_has_none(provider: FakeProvider) -> None:
    provider.issue("code-1", nonce=NONCE, email=None, given_name=None, family_name=None)
    provider.userinfo = {"sub": "dsi-subject-1", "email": "anne.wilson@example.org", "given_name": "Anne"}
    identity = _exchange(provider)
    assert (identity.email, identity.given_name, identity.family_name) == ("anne.wilson@example.org", "Anne", "")


def test_userinfo_about_someone_else_is_refused(provider: FakeProvider) -> None:
    provider.userinfo = {"sub": "another-subject", "email": "someone@example.org"}
    assert _failure(provider, email=None) == "userinfo_invalid"


def test_no_email_anywhere_is_refused(provider: FakeProvider) -> None:
    provider.discovery_overrides = {"userinfo_endpoint": None}
    assert _failure(provider, email=None) == "claims_missing"


# -- the issuer and its endpoints -------------------------------------------------------------------
@pytest.mark.parametrize(
    "issuer", ["http://oidc.signin.education.gov.uk", "http://10.0.0.1", "ftp://127.0.0.1", "file:///etc", ""]
)
def test_an_issuer_that_is_not_https_is_refused(issuer: str) -> None:
    with pytest.raises(SignInFailed) as raised:
        DfeSignIn(issuer, CLIENT_ID, CLIENT_SECRET)
    assert raised.value.reason == ("not_configured" if not issuer else "insecure_issuer")


@pytest.mark.parametrize("issuer", ["https://oidc.signin.education.gov.uk", "http://127.0.0.1:9", "http://localhost"])
def test_https_and_loopback_issuers_are_accepted(issuer: str) -> None:
    assert DfeSignIn(issuer, CLIENT_ID, CLIENT_SECRET).issuer_url == issuer


def test_an_endpoint_that_is_not_https_is_refused(provider: FakeProvider) -> None:
    provider.discovery_overrides = {"token_endpoint": "http://oidc.example.org/token"}
    with pytest.raises(SignInFailed) as raised:
        provider.client().authorization_url("s", "n", REDIRECT_URI, code_verifier=VERIFIER)
    assert raised.value.reason == "insecure_issuer"


def test_a_discovery_document_for_another_issuer_is_refused(provider: FakeProvider) -> None:
    provider.discovery_overrides = {"issuer": "https://evil.example.org"}
    with pytest.raises(SignInFailed) as raised:
        provider.client().authorization_url("s", "n", REDIRECT_URI, code_verifier=VERIFIER)
    assert raised.value.reason == "issuer_mismatch"


def test_an_unreachable_issuer_fails_discovery() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = unused.getsockname()[1]
    with pytest.raises(SignInFailed) as raised:
        DfeSignIn(f"http://127.0.0.1:{closed}", CLIENT_ID, CLIENT_SECRET, retry_pause=0).metadata()
    assert raised.value.reason == "discovery_failed"


def test_a_missing_client_secret_is_a_configuration_error(provider: FakeProvider) -> None:
    provider.issue("code-1", nonce=NONCE, email="anne.wilson@example.org")
    with pytest.raises(SignInFailed) as raised:
        DfeSignIn(provider.issuer, CLIENT_ID, "").exchange_code(
            "code-1", REDIRECT_URI, nonce=NONCE, code_verifier=VERIFIER
        )
    assert raised.value.reason == "not_configured"


def test_issuers_compare_as_urls() -> None:
    # DfE Sign-in's issuer claim spells out the default port.
    assert same_issuer("https://oidc.signin.education.gov.uk:443", "https://oidc.signin.education.gov.uk/")
    assert not same_issuer("https://oidc.signin.education.gov.uk:8443", "https://oidc.signin.education.gov.uk")
    assert not same_issuer("http://oidc.signin.education.gov.uk", "https://oidc.signin.education.gov.uk")


# -- signing out ------------------------------------------------------------------------------------
def test_end_session_url_names_the_client_and_where_to_come_back_to(provider: FakeProvider) -> None:
    # RP-Initiated Logout 1.0 §2: client_id, so the provider can check post_logout_redirect_uri without an
    # id_token_hint (the raw id_token is not kept: ADR 0040)
    location = provider.client().end_session_url("http://127.0.0.1:3000/")
    assert location is not None
    url = urlsplit(location)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{provider.issuer}/session/end"
    assert {k: v[0] for k, v in parse_qs(url.query).items()} == {
        "post_logout_redirect_uri": "http://127.0.0.1:3000/",
        "client_id": CLIENT_ID,
    }


def test_no_end_session_url_without_an_end_session_endpoint(provider: FakeProvider) -> None:
    provider.discovery_overrides = {"end_session_endpoint": None}
    assert provider.client().end_session_url("http://127.0.0.1:3000/") is None
