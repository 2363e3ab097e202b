"""The DfE support console: /support/... (support users only)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.usecases.support_overview import overview
from shared.web.pages import page
from shared.web.render import format_date
from shared.web.request import current_request
from shared.web.support import support_page

router = Router()


@router.get("/support")
def index() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = overview(request.now)
    window = view.window
    window_text = (
        f"{window.academic_year.name}: {format_date(window.opens_on)} to {format_date(window.closes_on)}"
        if window
        else "No claim window is open"
    )
    return page(
        request,
        "support/index.html",
        h1="Support console",
        **support.context("Overview"),
        school_count=str(view.school_count),
        provider_count=str(view.provider_count),
        window_text=window_text,
    )
