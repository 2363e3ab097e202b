"""Support console: All claims, the list every claim can be found from (search, filters, pages)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.claim_search import SEARCH_LABEL
from shared.claims.claims_export import ExportStatus
from shared.journeys.forms import Errors
from shared.usecases import claims_export, support_claims
from shared.web.flash import take_flash
from shared.web.pages import page, redirect
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


def search_errors(error: str | None) -> Errors:
    """A list's search box's error (a GET form: nothing else on it is refused), for the error summary."""
    errors = Errors()
    if error:
        errors.add("search", error)
    return errors


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
        errors=search_errors(filters.errors[0] if filters.errors else None),
        search_label=SEARCH_LABEL,
        checkbox_items=checkbox_items,
        page_numbers=page_numbers(filters.page, view.pages),
        back_query=urlencode({"from": f"/support/claims?{filters.query()}"}),
        flash=take_flash(request),
    )


# -- "Download claims (CSV)": the export of the list's claims (ADR 0021) ----------------------------------------
EXPORTS = "/support/claims/exports"
EXPORT_H1 = {
    ExportStatus.PREPARING: "Your export is being prepared",
    ExportStatus.READY: "Your export is ready",
    ExportStatus.FAILED: "Your export could not be prepared",
    ExportStatus.EXPIRED: "Your export is no longer available",
}


@router.post(EXPORTS)
def request_export() -> Response[Any]:
    """The list's "Download claims (CSV)" button (and a failed export's "Try again"): the export is prepared by
    a task, and its page says when it is ready."""
    request = current_request(router)
    support = support_page(request)
    export_id = claims_export.request_export(request.field("query"), support.user, request.now)
    return redirect(f"{EXPORTS}/{export_id}")


@router.get(f"{EXPORTS}/<export_id>")
def export_page(export_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = claims_export.export_page(export_id, support.user, request.now)
    return page(
        request,
        "support/claims/export.html",
        h1=EXPORT_H1[view.status],
        **support.context("All claims"),
        view=view,
        statuses=ExportStatus,
        export_path=f"{EXPORTS}/{view.export_id}",
        back_href=f"/support/claims?{view.list_query}",
    )


@router.get(f"{EXPORTS}/<export_id>/download")
def download_export(export_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    found = claims_export.download(export_id, support.user, request.now)
    if found.content is None and found.url:
        return redirect(found.url)
    return Response(
        status_code=200,
        content_type=claims_export.CSV_CONTENT_TYPE,
        body=(found.content or b"").decode("utf-8"),
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"', "Cache-Control": "no-store"},
    )
