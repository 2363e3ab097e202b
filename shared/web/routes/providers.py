"""Accredited provider pages: /providers/{code}/... (only for users of that provider)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.usecases.access import provider_for
from shared.web.pages import page, require_user
from shared.web.request import current_request

router = Router()


@router.get("/providers/<code>/claims")
def claims(code: str) -> Response[Any]:
    request = current_request(router)
    user = require_user(request)
    provider, several = provider_for(user, code)
    return page(
        request,
        "providers/claims.html",
        h1="Claims",
        organisation=provider,
        can_change_organisation=several,
        navigation=navigation(code, "Claims"),
    )


def navigation(code: str, active: str) -> list[dict[str, object]]:
    """The provider pages' header: Claims, Audits."""
    return [
        {"text": text, "href": f"/providers/{code}/{slug}", "active": text == active}
        for text, slug in (("Claims", "claims"), ("Audits", "audits"))
    ]
