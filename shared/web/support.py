"""What every support console page starts with: a signed-in support user and the console navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.claims.people import Role, User
from shared.web.pages import require_user
from shared.web.request import Request

# Add an entry here when its pages exist (a navigation link must never lead to a 404). The header will read
# Overview, Claims, Organisations, Users, Settings, Activity.
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("Overview", "/support"),
    ("Claims", "/support/claims"),
    ("Organisations", "/support/organisations"),
    ("Users", "/support/users"),
    ("Settings", "/support/settings"),
    ("Activity", "/support/activity"),
)
# Pages under Settings (/support/settings links them): the header shows Settings as current on each.
SETTINGS_SECTION: frozenset[str] = frozenset({"Settings", "Claim windows", "Funding rates", "School data", "Emails"})
# The Claims section's sub-navigation: a page names its entry and the header shows Claims as current.
CLAIMS_SECTION: tuple[tuple[str, str], ...] = (
    ("All claims", "/support/claims"),
    ("Review", "/support/claims/review"),
    ("Payments", "/support/payments"),
    ("Audits", "/support/audits"),
    ("Clawbacks", "/support/clawbacks"),
)


@dataclass(frozen=True)
class SupportPage:
    user: User

    @staticmethod
    def context(current: str) -> dict[str, Any]:
        """The header's navigation with `current` marked (a Claims sub-page marks Claims and itself below)."""
        in_claims = any(text == current for text, _ in CLAIMS_SECTION)
        section = "Claims" if in_claims else "Settings" if current in SETTINGS_SECTION else current
        return {
            "navigation": [{"text": text, "href": href, "active": text == section} for text, href in NAVIGATION],
            "sub_navigation": [{"text": text, "href": href, "active": text == current} for text, href in CLAIMS_SECTION]
            if in_claims
            else [],
        }


def support_page(request: Request) -> SupportPage:
    """The signed-in support user (sign-in redirect for visitors, not authorised for anyone else)."""
    return SupportPage(require_user(request, Role.SUPPORT))
