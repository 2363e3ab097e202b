"""What every support console page starts with: a signed-in support user and the console navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.claims.people import Role, User
from shared.web.pages import require_user
from shared.web.request import Request

# Add an entry here when its pages exist (a navigation link must never lead to a 404).
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("Overview", "/support"),
    ("Review", "/support/claims/review"),
    ("Payments", "/support/payments"),
    ("Claim windows", "/support/claim-windows"),
)


@dataclass(frozen=True)
class SupportPage:
    user: User

    @staticmethod
    def context(current: str) -> dict[str, Any]:
        return {"navigation": [{"text": text, "href": href, "active": text == current} for text, href in NAVIGATION]}


def support_page(request: Request) -> SupportPage:
    """The signed-in support user (sign-in redirect for visitors, not authorised for anyone else)."""
    return SupportPage(require_user(request, Role.SUPPORT))
