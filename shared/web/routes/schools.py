"""School pages: /schools/{school_id}/... (only for members of that school)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.models import School
from shared.usecases.access import school_for
from shared.usecases.claims_list import claims_page
from shared.web.pages import page, require_user
from shared.web.request import Request

router = Router()


def _request() -> Request:
    request: Request = router.context["request"]
    return request


def _navigation(school: School, current: str) -> list[dict[str, Any]]:
    base = f"/schools/{school.organisation_id}"
    items = [("Claims", f"{base}/claims")]
    return [{"text": text, "href": href, "active": text == current} for text, href in items]


@router.get("/schools/<school_id>/claims")
def claims(school_id: str) -> Response[Any]:
    request = _request()
    user = require_user(request)
    school, several = school_for(user, school_id)
    view = claims_page(school, request.now)
    return page(
        request,
        "schools/claims.html",
        h1="Claims",
        organisation=school,
        can_change_organisation=several,
        navigation=_navigation(school, "Claims"),
        window=view.window,
        countdown=view.countdown,
        eligible=view.eligible,
        years=view.years,
    )
