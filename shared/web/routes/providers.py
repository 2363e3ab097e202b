"""Accredited provider pages: /providers/{code}/... (only for users of that provider)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.usecases.access import provider_for
from shared.web.pages import page, require_user
from shared.web.request import Request

router = Router()


def _request() -> Request:
    request: Request = router.context["request"]
    return request


@router.get("/providers/<code>/claims")
def claims(code: str) -> Response[Any]:
    request = _request()
    user = require_user(request)
    provider, several = provider_for(user, code)
    return page(
        request,
        "providers/claims.html",
        h1="Claims",
        organisation=provider,
        can_change_organisation=several,
        navigation=[{"text": "Claims", "href": f"/providers/{code}/claims", "active": True}],
    )
