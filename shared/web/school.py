"""What every school page starts with: the signed-in member, the school, the grant-conditions gate
and the navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.claims.organisations import School
from shared.claims.people import User
from shared.usecases.access import school_for
from shared.web.pages import require_user
from shared.web.request import Request

NAVIGATION = (
    ("Claims", "claims"),
    ("Mentors", "mentors"),
    ("Users", "users"),
    ("Organisation details", "organisation-details"),
)


class GrantConditionsRequired(Exception):
    """A school's first user must accept the grant conditions before any other school page."""

    def __init__(self, school_id: str) -> None:
        super().__init__(school_id)
        self.school_id = school_id


@dataclass(frozen=True)
class SchoolPage:
    user: User
    school: School
    several: bool

    @property
    def base(self) -> str:
        return f"/schools/{self.school.organisation_id}"

    def context(self, current: str) -> dict[str, Any]:
        """Template values every school page needs: organisation, switcher, navigation."""
        return {
            "organisation": self.school,
            "can_change_organisation": self.several,
            "navigation": [
                {"text": text, "href": f"{self.base}/{path}", "active": text == current} for text, path in NAVIGATION
            ],
        }


def school_page(request: Request, school_id: str, *, gate: bool = True) -> SchoolPage:
    """The school, if the signed-in user is a member (404 otherwise), behind the grant-conditions gate."""
    user = require_user(request)
    school, several = school_for(user, school_id)
    if gate and school.grant_conditions_accepted_at is None:
        raise GrantConditionsRequired(school_id)
    return SchoolPage(user, school, several)
