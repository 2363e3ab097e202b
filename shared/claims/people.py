"""People: a person's names, users of the service and their roles, and memberships of organisations."""

from __future__ import annotations

from enum import StrEnum

from shared.claims.domain import Domain
from shared.claims.email_delivery import EmailFailure
from shared.claims.organisations import OrganisationType


class PersonName(Domain):
    """A person's names, as the Teaching Record or the person gave them, and the full name pages show."""

    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Role(StrEnum):
    SCHOOL = "school"
    SUPPORT = "support"
    PROVIDER = "provider"


class User(PersonName):
    user_id: str
    email: str
    role: Role
    email_failure: EmailFailure | None = None  # GOV.UK Notify cannot deliver to the address (ADR 0038)


class Membership(Domain):
    user_id: str
    organisation_id: str
    organisation_type: OrganisationType
    organisation_name: str
