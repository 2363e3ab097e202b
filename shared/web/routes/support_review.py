"""Support console: the review queue (a claim's page, where each is decided, is `support_claim`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.usecases import support_review
from shared.web.flash import take_flash
from shared.web.pages import page
from shared.web.request import current_request
from shared.web.support import support_page

router = Router()
REASON_LIMIT = 500


@router.get("/support/claims/review")
def review_queue() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return page(
        request,
        "support/claims/review.html",
        h1="Claims to review",
        **support.context("Review"),
        claims=support_review.queue_with_reasons(),
        flash=take_flash(request),
    )
