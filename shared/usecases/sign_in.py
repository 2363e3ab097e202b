"""Signing in and out: persona sign-in for local and test copies, DfE Sign-in (OIDC) everywhere else.

Which one a copy of the service uses is `Settings.sign_in_method`; persona sign-in also needs an
environment other than production (`Settings.persona_sign_in_enabled`). See docs/adr/0006-sign-in.md.

DfE Sign-in only says who someone is. Whether they may use this service is ours to decide: the email
address DSI gives must belong to a user who was added to the service, as in the live service.

Each attempt's `state`, `nonce` and PKCE `code_verifier` wait in the (server-side) session until DSI sends the
browser back, and are spent by that callback. After it the session keeps no token from DSI, only that the
person came through DSI (for signing them out of it too): ADR 0040.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.claims.errors import NotAuthorised, NotFound
from shared.claims.people import User
from shared.config import Settings
from shared.data.users import Users
from shared.integrations.dfe_sign_in import DfeSignIn, new_code_verifier
from shared.integrations.dfe_sign_in import SignInFailed as SignInFailed  # the sign-in pages catch it
from shared.integrations.secrets import secret
from shared.observability import logger
from shared.usecases.access import landing_for

# What the session keeps between leaving for DfE Sign-in and coming back, and after signing in.
STATE_KEY = "dfe_sign_in_state"
NONCE_KEY = "dfe_sign_in_nonce"
VERIFIER_KEY = "dfe_sign_in_code_verifier"
# Not a token: only that this session came back from DSI, so that signing out goes to DSI's end-session too.
CAME_THROUGH_DSI_KEY = "signed_in_through"
CAME_THROUGH_DSI = "dfe-sign-in"
CALLBACK_PATH = "/auth/dfe/callback"


# -- persona sign-in (never in production) ----------------------------------------------------------
@dataclass(frozen=True)
class Persona:
    user: User
    description: str


_DESCRIPTIONS = {"school": "School user", "support": "DfE support user", "provider": "Accredited provider user"}


def personas(config: Settings) -> list[Persona]:
    """The configured personas, in the configured order; none unless persona sign-in is on."""
    if not config.persona_sign_in_enabled:
        return []
    users = Users()
    found = []
    for user_id in [part.strip() for part in config.persona_user_ids.split(",") if part.strip()]:
        user = users.get(user_id)
        if user is not None:
            organisations = users.organisations_of(user_id)
            names = ", ".join(o.name for o in organisations)
            description = _DESCRIPTIONS[user.role.value] + (f" ({names})" if names else "")
            found.append(Persona(user, description))
    return found


def sign_in_as_persona(config: Settings, user_id: str) -> User:
    for persona in personas(config):
        if persona.user.user_id == user_id:
            return persona.user
    raise NotAuthorised


# -- DfE Sign-in ----------------------------------------------------------------------------------
class NoAccount(Exception):
    """DfE Sign-in knows this person, but nobody has added them to this service."""

    def __init__(self) -> None:
        super().__init__("no account")
        self.session_data = {CAME_THROUGH_DSI_KEY: CAME_THROUGH_DSI}


@dataclass(frozen=True)
class SignInStarted:
    """Where to send the browser, and what the session must keep until it comes back."""

    location: str
    session_data: dict[str, str] = field(repr=False)


@dataclass(frozen=True)
class SignedIn:
    user: User
    location: str
    session_data: dict[str, str] = field(repr=False)


def dfe_sign_in_client(config: Settings) -> DfeSignIn:
    """The configured client; the secret is read only when a code is exchanged."""
    client_secret = config.dfe_sign_in_client_secret
    return DfeSignIn(
        config.dfe_sign_in_issuer_url,
        config.dfe_sign_in_client_id,
        client_secret or (lambda: secret("dfe_sign_in_client_secret")),
    )


def _dfe_sign_in_configured(config: Settings) -> bool:
    return config.sign_in_method == "dfe-sign-in" and bool(
        config.dfe_sign_in_issuer_url and config.dfe_sign_in_client_id
    )


def _require_dfe_sign_in(config: Settings) -> None:
    """A copy of the service with no way to sign in has no sign-in pages (as with persona sign-in)."""
    if not _dfe_sign_in_configured(config):
        logger.warning("dfe sign-in is not configured")
        raise NotFound


def redirect_uri(config: Settings) -> str:
    return f"{config.service_url.rstrip('/')}{CALLBACK_PATH}"


def start_dfe_sign_in(config: Settings) -> SignInStarted:
    """A fresh `state` (against forged callbacks), `nonce` (against replayed id_tokens) and PKCE `code_verifier`
    (against stolen or injected codes) for this attempt."""
    _require_dfe_sign_in(config)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), new_code_verifier()
    location = dfe_sign_in_client(config).authorization_url(state, nonce, redirect_uri(config), code_verifier=verifier)
    return SignInStarted(location, {STATE_KEY: state, NONCE_KEY: nonce, VERIFIER_KEY: verifier})


@dataclass(frozen=True)
class _Pending:
    state: str
    nonce: str
    code_verifier: str = field(repr=False)


def _take_pending(session_data: dict[str, Any]) -> _Pending | None:
    """The attempt's state, nonce and verifier, removed from the session: each is good for one callback."""
    found = [session_data.pop(key, None) for key in (STATE_KEY, NONCE_KEY, VERIFIER_KEY)]
    if all(isinstance(value, str) and value for value in found):
        return _Pending(*found)
    return None


def finish_dfe_sign_in(
    config: Settings,
    session_data: dict[str, Any],
    *,
    code: str,
    state: str,
    error: str,
    users: Users | None = None,
) -> SignedIn:
    """The user DfE Sign-in sent back, and where they land. Raises `SignInFailed` (start again) or `NoAccount`.

    The attempt's state, nonce and verifier are taken out of `session_data` whatever the outcome.
    """
    _require_dfe_sign_in(config)
    pending = _take_pending(session_data)
    if error:
        raise SignInFailed("provider_error")
    if pending is None or not state or not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise SignInFailed("state_mismatch")
    if not code:
        raise SignInFailed("code_missing")
    identity = dfe_sign_in_client(config).exchange_code(
        code, redirect_uri(config), nonce=pending.nonce, code_verifier=pending.code_verifier
    )
    users = users or Users()
    user = users.by_email(identity.email.lower())
    if user is None:
        raise NoAccount
    landing = landing_for(user, users)
    return SignedIn(user, landing.location or "/organisations", {CAME_THROUGH_DSI_KEY: CAME_THROUGH_DSI})


def sign_out_location(config: Settings, *, signed_in: bool, session_data: Mapping[str, Any]) -> str:
    """Where to go after our session ends: DfE Sign-in's end-session endpoint when there is one, else home.

    Only someone who came through DfE Sign-in is sent there, so that signing out of this service signs
    them out of DSI too (as the live service does) and DSI sends them back to our start page.
    """
    if not _dfe_sign_in_configured(config) or not (signed_in or came_through_dfe_sign_in(session_data)):
        return "/"
    try:
        location = dfe_sign_in_client(config).end_session_url(f"{config.service_url.rstrip('/')}/")
    except SignInFailed as failed:
        logger.warning("dfe sign-out skipped", extra={"reason": failed.reason})
        return "/"
    return location or "/"


def came_through_dfe_sign_in(session_data: Mapping[str, Any]) -> bool:
    """Whether this session came back from DfE Sign-in (signed in, or refused for want of an account)."""
    return session_data.get(CAME_THROUGH_DSI_KEY) == CAME_THROUGH_DSI
