"""DfE Sign-in: an OpenID Connect client for the authorisation code flow (standard library only).

DfE Sign-in (DSI) authenticates; this service decides who may do what. The flow is:

1. `authorization_url` sends the browser to DSI with a random `state` (kept in our session, checked on
   return), a random `nonce` (echoed inside the id_token) and a PKCE `code_challenge` (S256, RFC 7636) of a
   random `code_verifier` that only our session holds.
2. DSI redirects back to `{service_url}/auth/dfe/callback?code=…&state=…`.
3. `exchange_code` posts the code and the `code_verifier` to the token endpoint (`client_secret_post`), so a
   code stolen or injected from another browser's attempt is worthless, and validates the id_token's claims:
   issuer, audience, expiry and nonce. The raw id_token goes no further than that check (ADR 0040).

The id_token's signature is not checked. It is received directly from the token endpoint over TLS, with the
server's certificate verified, and OpenID Connect Core 1.0 §3.1.3.7 (step 6) allows that TLS server
validation in place of checking the signature. Because that argument rests entirely on TLS, an issuer whose
URL is not https is refused (loopback excepted, for the fake provider in tests), and so is any endpoint in
the discovery document that is not. See docs/adr/0006-sign-in.md.

Logs carry reason codes and HTTP statuses only: never codes, tokens, emails or names.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

from shared.observability import logger

SCOPE = "openid email profile"
TIMEOUT_SECONDS = 5.0
CLOCK_SKEW_SECONDS = 60
MAX_RESPONSE_BYTES = 1024 * 1024
CODE_CHALLENGE_METHOD = "S256"

FailureReason = Literal[
    "not_configured",  # no issuer, client id or client secret
    "insecure_issuer",  # an issuer or endpoint URL that is not https (or loopback http)
    "discovery_failed",  # the discovery document could not be fetched
    "discovery_invalid",  # it was fetched but is not a usable OpenID Provider configuration
    "token_request_failed",  # the token endpoint could not be reached, or kept failing (5xx)
    "token_rejected",  # the token endpoint refused the code (4xx)
    "token_response_invalid",  # no JSON, or no id_token in it
    "id_token_malformed",  # not three base64url JSON segments
    "issuer_mismatch",
    "audience_mismatch",
    "token_expired",
    "nonce_mismatch",
    "claims_missing",  # no subject, or no email address even from the userinfo endpoint
    "userinfo_failed",
    "userinfo_invalid",
    "provider_error",  # DSI sent the user back with `error=…`
    "state_mismatch",  # the callback's state is missing or is not the one we sent
    "code_missing",
]


class SignInFailed(Exception):
    """Signing in with DfE Sign-in did not work. `reason` is a code that is safe to log."""

    def __init__(self, reason: FailureReason) -> None:
        super().__init__(reason)
        self.reason: FailureReason = reason


@dataclass(frozen=True)
class IdentityClaims:
    """Who DfE Sign-in says the user is. Only `sub` appears in a repr; the rest is personal data."""

    sub: str
    email: str = field(repr=False)
    given_name: str = field(repr=False)
    family_name: str = field(repr=False)


@dataclass(frozen=True)
class ProviderMetadata:
    """The parts of the discovery document this client uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str | None
    end_session_endpoint: str | None


# Discovery documents, per issuer URL, for the life of the process (one Lambda execution environment).
_DISCOVERY: dict[str, ProviderMetadata] = {}


def clear_discovery_cache() -> None:
    _DISCOVERY.clear()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: a token request must reach the token endpoint itself, or fail."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    """Built on first use: it loads the CA bundle, which a cold start of every page need not pay."""
    return urllib.request.build_opener(_NoRedirects)


class DfeSignIn:
    """One configured DfE Sign-in client. Cheap to build: nothing is fetched until it is needed."""

    def __init__(
        self,
        issuer_url: str,
        client_id: str,
        client_secret: str | Callable[[], str],
        *,
        timeout: float = TIMEOUT_SECONDS,
        retry_pause: float = 0.2,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not issuer_url or not client_id:
            raise SignInFailed("not_configured")
        _require_secure(issuer_url)
        self.issuer_url = issuer_url.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout
        self.retry_pause = retry_pause
        self.clock = clock

    # -- discovery ------------------------------------------------------------------------------
    def metadata(self) -> ProviderMetadata:
        cached = _DISCOVERY.get(self.issuer_url)
        if cached is not None:
            return cached
        request = urllib.request.Request(  # noqa: S310 - the URL was checked to be https (or loopback)
            f"{self.issuer_url}/.well-known/openid-configuration", headers={"Accept": "application/json"}
        )
        document = self._json(request, step="discovery", unreachable="discovery_failed", refused="discovery_failed")
        metadata = self._metadata_from(document)
        _DISCOVERY[self.issuer_url] = metadata
        return metadata

    def _metadata_from(self, document: dict[str, Any]) -> ProviderMetadata:
        def url(name: str) -> str | None:
            value = document.get(name)
            if value is None:
                return None
            if not isinstance(value, str) or not value:
                raise SignInFailed("discovery_invalid")
            _require_secure(value)
            return value

        def required(name: str) -> str:
            value = url(name)
            if value is None:
                raise SignInFailed("discovery_invalid")
            return value

        issuer = required("issuer")
        # OpenID Connect Discovery §4.3: the document must be for the issuer we asked about.
        if not same_issuer(issuer, self.issuer_url):
            raise SignInFailed("issuer_mismatch")
        return ProviderMetadata(
            issuer=issuer,
            authorization_endpoint=required("authorization_endpoint"),
            token_endpoint=required("token_endpoint"),
            userinfo_endpoint=url("userinfo_endpoint"),
            end_session_endpoint=url("end_session_endpoint"),
        )

    # -- the flow -------------------------------------------------------------------------------
    def authorization_url(self, state: str, nonce: str, redirect_uri: str, *, code_verifier: str) -> str:
        """The authorisation request, with the S256 challenge of `code_verifier` (`new_code_verifier`)."""
        endpoint = self.metadata().authorization_endpoint
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": SCOPE,
                "state": state,
                "nonce": nonce,
                "code_challenge": code_challenge(code_verifier),
                "code_challenge_method": CODE_CHALLENGE_METHOD,
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    def exchange_code(self, code: str, redirect_uri: str, *, nonce: str, code_verifier: str) -> IdentityClaims:
        """Swap the authorisation code (with the attempt's PKCE verifier) for tokens; the validated identity."""
        metadata = self.metadata()
        form = urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": self.client_id,
                "client_secret": self._secret(),
                "code_verifier": code_verifier,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the endpoint was checked to be https (or loopback)
            metadata.token_endpoint,
            data=form,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
        tokens = self._json(request, step="token", unreachable="token_request_failed", refused="token_rejected")
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise SignInFailed("token_response_invalid")
        claims = self._validated_claims(id_token, metadata, nonce)
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise SignInFailed("claims_missing")
        if not isinstance(claims.get("email"), str) or not claims.get("email"):
            # Some providers put profile claims only in the userinfo response, not in the id_token.
            access_token = tokens.get("access_token")
            claims = {**claims, **self._userinfo(metadata, access_token, subject)}
        email = claims.get("email")
        if not isinstance(email, str) or not email.strip():
            raise SignInFailed("claims_missing")
        return IdentityClaims(
            sub=subject,
            email=email.strip(),
            given_name=_text(claims.get("given_name")),
            family_name=_text(claims.get("family_name")),
        )

    def end_session_url(self, post_logout_redirect_uri: str) -> str | None:
        """Where to send the browser to sign out of DfE Sign-in too, or None if DSI offers no such endpoint.

        OpenID Connect RP-Initiated Logout 1.0 §2 without `id_token_hint` (we do not keep the raw id_token,
        ADR 0040): `client_id` lets DSI check `post_logout_redirect_uri` against our registration; DSI may ask
        the user to confirm signing out of DSI, which the spec has a provider do when no hint is given."""
        endpoint = self.metadata().end_session_endpoint
        if endpoint is None:
            return None
        params = {"post_logout_redirect_uri": post_logout_redirect_uri, "client_id": self.client_id}
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"

    # -- checks ---------------------------------------------------------------------------------
    def _validated_claims(self, id_token: str, metadata: ProviderMetadata, nonce: str) -> dict[str, Any]:
        """OpenID Connect Core §3.1.3.7, except the signature (see the module docstring)."""
        claims = decode_unverified(id_token)
        issuer = claims.get("iss")
        if not isinstance(issuer, str) or not same_issuer(issuer, metadata.issuer):
            raise SignInFailed("issuer_mismatch")
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or self.client_id not in audiences:
            raise SignInFailed("audience_mismatch")
        authorised_party = claims.get("azp")
        if (len(audiences) > 1 or authorised_party is not None) and authorised_party != self.client_id:
            raise SignInFailed("audience_mismatch")
        expires = claims.get("exp")
        if isinstance(expires, bool) or not isinstance(expires, int | float):
            raise SignInFailed("token_expired")
        if expires + CLOCK_SKEW_SECONDS <= self.clock():
            raise SignInFailed("token_expired")
        returned_nonce = claims.get("nonce")
        if (
            not isinstance(returned_nonce, str)
            or not nonce
            or not hmac.compare_digest(returned_nonce.encode(), nonce.encode())
        ):
            raise SignInFailed("nonce_mismatch")
        return claims

    def _userinfo(self, metadata: ProviderMetadata, access_token: object, subject: str) -> dict[str, Any]:
        if metadata.userinfo_endpoint is None or not isinstance(access_token, str) or not access_token:
            raise SignInFailed("claims_missing")
        request = urllib.request.Request(  # noqa: S310 - the endpoint was checked to be https (or loopback)
            metadata.userinfo_endpoint,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
        info = self._json(request, step="userinfo", unreachable="userinfo_failed", refused="userinfo_failed")
        # Core §5.3.2: the userinfo response is about this id_token's subject, or it is ignored.
        if info.get("sub") != subject:
            raise SignInFailed("userinfo_invalid")
        return {name: info[name] for name in ("email", "given_name", "family_name") if name in info}

    def _secret(self) -> str:
        try:
            value = self._client_secret() if callable(self._client_secret) else self._client_secret
        except RuntimeError:  # `shared.integrations.secrets.secret` when nothing is configured
            raise SignInFailed("not_configured") from None
        if not value:
            raise SignInFailed("not_configured")
        return value

    # -- HTTP -----------------------------------------------------------------------------------
    def _json(
        self,
        request: urllib.request.Request,
        *,
        step: Literal["discovery", "token", "userinfo"],
        unreachable: FailureReason,
        refused: FailureReason,
    ) -> dict[str, Any]:
        """Send once, and once more after a connection error or a 5xx; 4xx is final. Returns a JSON object."""
        for attempt in (1, 2):
            try:
                with _opener().open(request, timeout=self.timeout) as response:
                    body = response.read(MAX_RESPONSE_BYTES + 1)
            except urllib.error.HTTPError as error:
                error.close()
                if error.code >= 500 and attempt == 1:
                    logger.warning("dfe sign-in request retried", extra={"step": step, "status": error.code})
                    time.sleep(self.retry_pause)
                    continue
                logger.warning("dfe sign-in request refused", extra={"step": step, "status": error.code})
                raise SignInFailed(unreachable if error.code >= 500 else refused) from None
            except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
                if attempt == 1:
                    logger.warning("dfe sign-in request retried", extra={"step": step, "error": type(error).__name__})
                    time.sleep(self.retry_pause)
                    continue
                logger.warning("dfe sign-in request failed", extra={"step": step, "error": type(error).__name__})
                raise SignInFailed(unreachable) from None
            return _json_object(body, step)
        raise SignInFailed(unreachable)  # pragma: no cover - the loop always returns or raises


# -- PKCE (RFC 7636) ----------------------------------------------------------------------------
def new_code_verifier() -> str:
    """A fresh `code_verifier`: 64 random bytes as base64url, 86 characters of the unreserved set (§4.1)."""
    return secrets.token_urlsafe(64)


def code_challenge(code_verifier: str) -> str:
    """The S256 `code_challenge` of a verifier (§4.2): BASE64URL(SHA256(ASCII(code_verifier))), unpadded."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


# -- helpers ------------------------------------------------------------------------------------
_INVALID_RESPONSE: dict[str, FailureReason] = {
    "discovery": "discovery_invalid",
    "token": "token_response_invalid",
    "userinfo": "userinfo_invalid",
}


def _json_object(body: bytes, step: str) -> dict[str, Any]:
    invalid = _INVALID_RESPONSE[step]
    if len(body) > MAX_RESPONSE_BYTES:
        raise SignInFailed(invalid)
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SignInFailed(invalid) from None
    if not isinstance(value, dict):
        raise SignInFailed(invalid)
    return value


def decode_unverified(id_token: str) -> dict[str, Any]:
    """The claims of a compact JWS, without checking its signature (see the module docstring)."""
    segments = id_token.split(".")
    if len(segments) != 3:  # five segments would be an encrypted token, which we never asked for
        raise SignInFailed("id_token_malformed")
    try:
        payload = base64.urlsafe_b64decode(segments[1] + "=" * (-len(segments[1]) % 4))
        claims = json.loads(payload)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise SignInFailed("id_token_malformed") from None
    if not isinstance(claims, dict):
        raise SignInFailed("id_token_malformed")
    return claims


def same_issuer(first: str, second: str) -> bool:
    """Issuer URLs compared as URLs: DSI names itself `https://…:443`, with the default port spelled out."""
    return _issuer_key(first) == _issuer_key(second)


def _issuer_key(url: str) -> tuple[str, str, int | None, str]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return ("", url, None, "")
    default = {"https": 443, "http": 80}.get(parts.scheme.lower())
    return (parts.scheme.lower(), (parts.hostname or "").lower(), port or default, parts.path.rstrip("/"))


def _require_secure(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        return
    raise SignInFailed("insecure_issuer")


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
