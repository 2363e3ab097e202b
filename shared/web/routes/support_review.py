"""Support console: the review queue and a claim's page, where flagged claims are approved or rejected."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.errors import ConcurrentUpdate, InvalidTransition
from shared.journeys.forms import Errors
from shared.usecases import support_review
from shared.web.flash import set_flash, take_flash
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request
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


@router.get("/support/claims/<reference>")
def claim(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return _claim_page(request, support.context("Review"), reference, Errors(), "", "")


def _claim_page(
    request: Request, context: dict[str, Any], reference: str, errors: Errors, decision: str, reason: str
) -> Response[Any]:
    view = support_review.claim_view(reference)
    return page(
        request,
        "support/claims/claim.html",
        h1=f"Claim {view.claim.reference}",
        **context,
        claim=view.claim,
        in_review=view.in_review,
        reasons=view.reasons,
        events=view.events,
        errors=errors,
        decision=decision,
        reason=reason,
        flash=take_flash(request),
        back_href="/support/claims/review",
    )


@router.post("/support/claims/<reference>/review")
def decide(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    found = support_review.claim(reference)
    decision = request.field("decision")
    reason = " ".join(request.field("reason").split())
    errors = Errors()
    if decision not in ("approve", "reject"):
        errors.add("decision", "Select whether to approve or reject the claim", "decision")
    elif decision == "reject" and not reason:
        errors.add("reason", "Enter why the claim is rejected")
    elif len(reason) > REASON_LIMIT:
        errors.add("reason", f"The reason must be {REASON_LIMIT} characters or fewer")
    if errors:
        return _claim_page(request, support.context("Review"), reference, errors, decision, reason)
    try:
        if decision == "approve":
            support_review.approve(found, support.user, request.now)
            message = f"Claim {reference} approved: it will be in the next payment run of its window"
        else:
            support_review.reject(found, support.user, reason, request.now)
            message = f"Claim {reference} rejected: the school has been told why"
    except (ConcurrentUpdate, InvalidTransition):
        message = f"Claim {reference} had already been decided; nothing was changed"
    set_flash(request, message, "/support/claims/review")
    return redirect("/support/claims/review")
