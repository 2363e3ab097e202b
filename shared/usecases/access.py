"""Who may see which organisation, and where a user lands after signing in."""

from __future__ import annotations

from dataclasses import dataclass

from shared.claims.errors import NotAuthorised, OrganisationNotFound
from shared.claims.organisations import OrganisationRef, OrganisationType, Provider, School
from shared.claims.people import Role, User
from shared.data.organisations import Organisations, Providers
from shared.data.users import Users


@dataclass(frozen=True)
class Landing:
    """Where to send a user who has just signed in (or asked for "/organisations")."""

    location: str | None
    organisations: list[OrganisationRef]


def landing_for(user: User, users: Users | None = None) -> Landing:
    if user.role is Role.SUPPORT:
        return Landing("/support", [])
    organisations = (users or Users()).organisations_of(user.user_id)
    if len(organisations) == 1:
        return Landing(organisations[0].home_path, organisations)
    return Landing(None, organisations)


def school_for(user: User, school_id: str) -> tuple[School, bool]:
    """The school a school user may see, and whether they belong to others too.

    Anything else is "not found", so a URL never reveals that another school exists.
    """
    if user.role is not Role.SCHOOL:
        raise NotAuthorised
    organisations = Users().organisations_of(user.user_id)
    if not any(
        o.organisation_id == school_id and o.organisation_type is OrganisationType.SCHOOL for o in organisations
    ):
        raise OrganisationNotFound(school_id)
    return Organisations().get_school(school_id), len(organisations) > 1


def provider_for(user: User, code: str) -> tuple[Provider, bool]:
    if user.role is not Role.PROVIDER:
        raise NotAuthorised
    organisations = Users().organisations_of(user.user_id)
    if not any(o.organisation_id == code and o.organisation_type is OrganisationType.PROVIDER for o in organisations):
        raise OrganisationNotFound(code)
    return Providers().get(code), len(organisations) > 1
