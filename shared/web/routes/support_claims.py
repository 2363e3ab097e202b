"""Support console: All claims, the list every claim can be found from (search, filters, pages)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.claim_search import SEARCH_LABEL
from shared.usecases import support_claims
from shared.web.flash import take_flash
from shared.web.pages import page
from shared.web.request import current_request
from shared.web.support import support_page

router = Router()


def checkbox_items(options: Iterable[support_claims.Option]) -> list[dict[str, Any]]:
    return [{"value": o.value, "text": o.text, "checked": o.checked} for o in options]


def page_numbers(current: int, last: int) -> list[int | None]:
    """The pagination component's numbers: first, last, and those beside the current page (None: an ellipsis)."""
    shown = sorted({1, last, current - 1, current, current + 1} & set(range(1, last + 1)))
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@router.get("/support/claims")
def all_claims() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = support_claims.claims_list(request.query, support.user, request.now)
    filters = view.filters
    return page(
        request,
        "support/claims/index.html",
        h1="Claims",
        **support.context("All claims"),
        view=view,
        search_label=SEARCH_LABEL,
        checkbox_items=checkbox_items,
        page_numbers=page_numbers(filters.page, view.pages),
        back_query=urlencode({"from": f"/support/claims?{filters.query()}"}),
        flash=take_flash(request),
    )
