"""School claims: the list, a claim, its confirmation and withdrawing it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.drafts import closes_text, prepared_by_support, school_status_text
from shared.claims.errors import ConcurrentUpdate, WindowClosed
from shared.usecases.claims_list import can_withdraw, claims_page, draft_state, school_claim, withdraw
from shared.usecases.school_audit_response import audit_view
from shared.web.flash import set_flash, take_flash
from shared.web.pages import page, redirect
from shared.web.request import current_request
from shared.web.school import school_page

router = Router()


@router.get("/schools/<school_id>/claims")
def claims(school_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    view = claims_page(school.school, request.now)
    return page(
        request,
        "schools/claims.html",
        h1="Claims",
        **school.context("Claims"),
        view=view,
        window=view.window,
        countdown=view.countdown,
        eligible=view.eligible,
        years=view.years,
        status_text=school_status_text,
        flash=take_flash(request),
    )


@router.get("/schools/<school_id>/claims/<reference>")
def claim(school_id: str, reference: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    found = school_claim(school.school, reference)
    draft = draft_state(school.school, found, request.now)
    return page(
        request,
        "schools/claim.html",
        h1=f"Claim {found.reference}",
        **school.context("Claims"),
        claim=found,
        status_text=school_status_text(found),
        prepared_by_support=prepared_by_support(found),
        draft=draft,
        closes=closes_text(draft.window) if draft and draft.window else "",
        change_href=f"/schools/{school_id}/claims/{reference}/change",
        can_withdraw=can_withdraw(found, request.now),
        back_href=f"/schools/{school_id}/claims",
        flash=take_flash(request),
        audit=audit_view(found, request.now),
    )


@router.get("/schools/<school_id>/claims/<reference>/submitted")
def submitted(school_id: str, reference: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    found = school_claim(school.school, reference)
    return page(request, "schools/claim-submitted.html", h1="Claim submitted", **school.context("Claims"), claim=found)


@router.get("/schools/<school_id>/claims/<reference>/withdraw")
def confirm_withdraw(school_id: str, reference: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    found = school_claim(school.school, reference)
    return page(
        request,
        "schools/claim-withdraw.html",
        h1="Are you sure you want to withdraw this claim?",
        **school.context("Claims"),
        claim=found,
        allowed=can_withdraw(found, request.now),
        back_href=f"/schools/{school_id}/claims/{reference}",
    )


@router.post("/schools/<school_id>/claims/<reference>/withdraw")
def withdraw_claim(school_id: str, reference: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    try:
        withdraw(school.school, school.user, reference, request.now)
    except (WindowClosed, ConcurrentUpdate):
        return redirect(f"/schools/{school_id}/claims/{reference}/withdraw")
    set_flash(request, f"Claim {reference} has been withdrawn", f"/schools/{school_id}/claims/{reference}")
    return redirect(f"/schools/{school_id}/claims/{reference}")
