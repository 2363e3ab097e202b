"""Signing in and out: persona sign-in for local and test copies, DfE Sign-in (OIDC) everywhere else.

Which one a copy of the service uses is `Settings.sign_in_method`; persona sign-in also needs an
environment other than production (`Settings.persona_sign_in_enabled`). See docs/adr/0006-sign-in.md.

DfE Sign-in only says who someone is. Whether they may use this service is ours to decide: the email
address DSI gives must belong to a user who was added to the service, as in the live service.
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
from shared.integrations.dfe_sign_in import DfeSignIn
from shared.integrations.dfe_sign_in import SignInFailed as SignInFailed  # the sign-in pages catch it
from shared.integrations.secrets import secret
from shared.observability import logger
from shared.usecases.access import landing_for

# What the session keeps between leaving for DfE Sign-in and coming back, and after signing in.
STATE_KEY = "dfe_sign_in_state"
NONCE_KEY = "dfe_sign_in_nonce"
SIGN_OUT_HINT_KEY = "dfe_sign_in_id_token"
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

    def __init__(self, id_token_hint: str) -> None:
        super().__init__("no account")
        self.session_data = {SIGN_OUT_HINT_KEY: id_token_hint} if id_token_hint else {}


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
    """A fresh `state` (against forged callbacks) and `nonce` (against replayed id_tokens) for this attempt."""
    _require_dfe_sign_in(config)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    location = dfe_sign_in_client(config).authorization_url(state, nonce, redirect_uri(config))
    return SignInStarted(location, {STATE_KEY: state, NONCE_KEY: nonce})


def _take_pending(session_data: dict[str, Any]) -> tuple[str, str] | None:
    """The attempt's state and nonce, removed from the session: each is good for one callback."""
    state, nonce = session_data.pop(STATE_KEY, None), session_data.pop(NONCE_KEY, None)
    if isinstance(state, str) and isinstance(nonce, str) and state and nonce:
        return state, nonce
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

    The attempt's state and nonce are taken out of `session_data` whatever the outcome.
    """
    _require_dfe_sign_in(config)
    pending = _take_pending(session_data)
    if error:
        raise SignInFailed("provider_error")
    if pending is None or not state or not hmac.compare_digest(state.encode(), pending[0].encode()):
        raise SignInFailed("state_mismatch")
    if not code:
        raise SignInFailed("code_missing")
    identity = dfe_sign_in_client(config).exchange_code(code, redirect_uri(config), nonce=pending[1])
    users = users or Users()
    user = users.by_email(identity.email.lower())
    if user is None:
        raise NoAccount(identity.id_token)
    landing = landing_for(user, users)
    hint = {SIGN_OUT_HINT_KEY: identity.id_token} if identity.id_token else {}
    return SignedIn(user, landing.location or "/organisations", hint)


def sign_out_location(config: Settings, *, signed_in: bool, session_data: Mapping[str, Any]) -> str:
    """Where to go after our session ends: DfE Sign-in's end-session endpoint when there is one, else home.

    Only someone who came through DfE Sign-in is sent there, so that signing out of this service signs
    them out of DSI too (as the live service does) and DSI sends them back to our start page.
    """
    hint = session_data.get(SIGN_OUT_HINT_KEY)
    hint = hint if isinstance(hint, str) and hint else None
    if not _dfe_sign_in_configured(config) or not (signed_in or hint):
        return "/"
    try:
        location = dfe_sign_in_client(config).end_session_url(f"{config.service_url.rstrip('/')}/", hint)
    except SignInFailed as failed:
        logger.warning("dfe sign-out skipped", extra={"reason": failed.reason})
        return "/"
    return location or "/"
