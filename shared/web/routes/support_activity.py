"""Activity (/support/activity): every bulk or setting action in the console, newest first, 25 a page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.activity import ActivityEntry, count_phrase
from shared.usecases.support_activity import activity_page
from shared.web.pages import page
from shared.web.render import format_datetime
from shared.web.request import current_request
from shared.web.support import support_page

router = Router()
ACTIVITY = "/support/activity"


def counts_text(entry: ActivityEntry) -> str:
    """ "50,210 rows read, 12 added": each count with its name, in the order recorded."""
    return ", ".join(count_phrase(name, value) for name, value in entry.counts.items())


def _row(entry: ActivityEntry) -> dict[str, Any]:
    return {
        "when": format_datetime(entry.at),
        "who": entry.actor_name or entry.actor_id,
        "what": entry.label,
        "summary": entry.summary,
        "counts": counts_text(entry),
        "link": entry.link,
    }


@router.get(ACTIVITY)
def activity() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = activity_page(request.now, after=request.arg("after"), before=request.arg("before"))
    pagination: dict[str, Any] = {}
    if view.newer:
        pagination["previous"] = {"href": f"{ACTIVITY}?{urlencode({'before': view.newer})}", "labelText": "Newer"}
    if view.older:
        pagination["next"] = {"href": f"{ACTIVITY}?{urlencode({'after': view.older})}", "labelText": "Older"}
    return page(
        request,
        "support/activity/index.html",
        h1="Activity",
        **support.context("Activity"),
        rows=[_row(entry) for entry in view.entries],
        pagination=pagination,
    )
