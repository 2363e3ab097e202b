"""School pages: /schools/{school_id}/... (only for members of that school)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.usecases.claims_list import claims_page
from shared.web.pages import page
from shared.web.request import Request
from shared.web.school import school_page

router = Router()


def _request() -> Request:
    request: Request = router.context["request"]
    return request


@router.get("/schools/<school_id>/claims")
def claims(school_id: str) -> Response[Any]:
    request = _request()
    school = school_page(request, school_id)
    view = claims_page(school.school, request.now)
    return page(
        request,
        "schools/claims.html",
        h1="Claims",
        **school.context("Claims"),
        window=view.window,
        countdown=view.countdown,
        eligible=view.eligible,
        years=view.years,
    )
