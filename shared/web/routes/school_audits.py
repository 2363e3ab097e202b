"""A school's response to its provider's audit answers: /schools/{school_id}/claims/{reference}/audit-response
(ADR 0032). Agree, or disagree and say why (up to 2,000 characters), once, within 21 days of the provider's
answer; after that the page says the deadline has passed and has no form."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.claim import Claim
from shared.usecases import school_audit_response
from shared.usecases.school_audit_response import AuditView, ResponseClosed, ResponseForm
from shared.web.flash import set_flash
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request
from shared.web.school import SchoolPage, school_page

router = Router()

H1 = "Respond to your provider"
CLOSED = "The deadline to respond has passed"
RESPONDED = "You have already responded"


def _page(
    request: Request, school: SchoolPage, claim: Claim, view: AuditView, form: ResponseForm, status: int = 200
) -> Response[Any]:
    claim_href = f"/schools/{school.school.organisation_id}/claims/{claim.reference}"
    closed = not view.can_respond
    return page(
        request,
        "schools/audits/respond.html",
        h1=(CLOSED if view.deadline_passed else RESPONDED) if closed else H1,
        status=status if not closed or request.method != "POST" else 409,
        **school.context("Claims"),
        claim=claim,
        audit=view,
        form=form,
        errors=form.errors,
        closed=closed,
        action=f"{claim_href}/audit-response",
        back_href=claim_href,
    )


@router.get("/schools/<school_id>/claims/<reference>/audit-response")
def respond_page(school_id: str, reference: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    claim, view = school_audit_response.response_page(school.school, reference, request.now)
    return _page(request, school, claim, view, school_audit_response.blank_form())


@router.post("/schools/<school_id>/claims/<reference>/audit-response")
def respond(school_id: str, reference: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    claim, view = school_audit_response.response_page(school.school, reference, request.now)
    form = school_audit_response.read_form(request.form)
    if not view.can_respond:
        return _page(request, school, claim, view, form)
    if form.errors:
        return _page(request, school, claim, view, form)
    try:
        school_audit_response.respond(school.school, reference, form, school.user, request.now)
    except ResponseClosed:
        claim, view = school_audit_response.response_page(school.school, reference, request.now)
        return _page(request, school, claim, view, form)
    claim_href = f"/schools/{school_id}/claims/{reference}"
    set_flash(request, "Your response has been sent", claim_href)
    return redirect(claim_href)
