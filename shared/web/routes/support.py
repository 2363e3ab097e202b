"""The DfE support console: /support/... (support users only). /support is the Overview."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.counters import YearFigures
from shared.claims.money import format_pounds
from shared.usecases.support_overview import overview
from shared.web.charts import BarChart, LineChart, bar_chart, line_chart
from shared.web.pages import page
from shared.web.request import current_request
from shared.web.support import support_page

router = Router()


def _claims(count: int) -> str:
    return f"{count:,} {'claim' if count == 1 else 'claims'}"


def _whole_pounds(pence: int) -> str:
    return f"£{pence // 100:,}"


def _charts(figures: YearFigures) -> dict[str, BarChart | LineChart]:
    """The Overview's charts: pictures of its tables (which stay the accessible source of truth)."""
    year = figures.year
    return {
        "status": bar_chart(
            "chart-status",
            f"Claims by status, {year}",
            [(f.label, f.claims) for f in figures.by_status],
            _claims,
            lambda n: f"{n:,}",
        ),
        "region": bar_chart(
            "chart-region",
            f"Amount claimed by funding region, {year}",
            [(f.label, f.pence) for f in figures.by_region],
            format_pounds,
            _whole_pounds,
        ),
        "provider": bar_chart(
            "chart-provider",
            f"Amount claimed by the 10 accredited providers with the most, {year}",
            [(f.label, f.pence) for f in figures.by_provider],
            format_pounds,
            _whole_pounds,
        ),
        "per_day": line_chart(
            "chart-per-day", f"Claims submitted each day, {year}", [(d.day, d.claims) for d in figures.per_day]
        ),
    }


@router.get("/support")
def index() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = overview(request.now, request.arg("year") or None)
    return page(
        request,
        "support/index.html",
        h1="Support console",
        **support.context("Overview"),
        view=view,
        charts=_charts(view.figures),
    )
