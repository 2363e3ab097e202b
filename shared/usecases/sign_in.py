"""Signing in: persona sign-in for local and test copies, DfE Sign-in (OIDC) in AWS."""

from __future__ import annotations

from dataclasses import dataclass

from shared.claims.errors import NotAuthorised
from shared.claims.models import User
from shared.config import Settings
from shared.data.repositories import Users


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
