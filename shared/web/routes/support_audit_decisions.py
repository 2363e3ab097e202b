"""Support console: deciding a claim after its audit, /support/claims/{reference}/approve-after-audit and
/claw-back (ADR 0032). Each a confirmation page with a reason; only while the claim is rejected by its provider."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.claim_actions import read_reason
from shared.claims.errors import ClaimNotFound
from shared.journeys.forms import Errors
from shared.usecases import support_audit_decision
from shared.usecases.school_audit_response import answer_rows
from shared.usecases.support_audit_decision import AuditDecision
from shared.usecases.support_claim import ActionNotAllowed
from shared.web.flash import set_flash
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request
from shared.web.support import SupportPage, support_page

router = Router()

PAGES = {
    AuditDecision.APPROVE: (
        "approve-after-audit",
        "Are you sure you want to approve this claim?",
        "Approve claim",
        "Enter why you are approving the claim",
        "Claim {reference} approved: it stays paid",
    ),
    AuditDecision.CLAW_BACK: (
        "claw-back",
        "Are you sure you want to claw back this claim?",
        "Claw back",
        "Enter why the funding is clawed back",
        "Claim {reference} is not approved after its audit: its funding is to be clawed back",
    ),
}


def _claim_url(reference: str) -> str:
    return f"/support/claims/{quote(reference, safe='')}"


def _refused(request: Request, reference: str) -> Response[Any]:
    url = _claim_url(reference)
    set_flash(request, "That could not be done: the claim has changed since the page was opened", url, "important")
    return redirect(url)


def _page(
    request: Request, support: SupportPage, reference: str, decision: AuditDecision, reason: str, errors: Errors
) -> Response[Any]:
    try:
        claim = support_audit_decision.claim_to_decide(reference, decision)
    except ValueError:
        raise ClaimNotFound(reference) from None
    slug, h1, button, _, _ = PAGES[decision]
    return page(
        request,
        "support/claims/audit-decision.html",
        h1=h1,
        **support.context("All claims"),
        claim=claim,
        answers=answer_rows(claim),
        button=button,
        action=f"{_claim_url(reference)}/{slug}",
        reason=reason,
        errors=errors,
        back_href=_claim_url(reference),
        clawing_back=decision is AuditDecision.CLAW_BACK,
    )


def _show(reference: str, decision: AuditDecision) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        return _page(request, support, reference, decision, "", Errors())
    except ActionNotAllowed:
        return _refused(request, reference)


def _decide(reference: str, decision: AuditDecision) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    _, _, _, missing, done = PAGES[decision]
    reason, error = read_reason(request.field("reason"), missing)
    try:
        if error:
            errors = Errors()
            errors.add("reason", error)
            return _page(request, support, reference, decision, reason, errors)
        support_audit_decision.decide(reference, decision, reason, support.user, request.now)
    except ActionNotAllowed:
        return _refused(request, reference)
    set_flash(request, done.format(reference=reference), _claim_url(reference))
    return redirect(_claim_url(reference))


@router.get("/support/claims/<reference>/approve-after-audit")
def approve_page(reference: str) -> Response[Any]:
    return _show(reference, AuditDecision.APPROVE)


@router.post("/support/claims/<reference>/approve-after-audit")
def approve(reference: str) -> Response[Any]:
    return _decide(reference, AuditDecision.APPROVE)


@router.get("/support/claims/<reference>/claw-back")
def claw_back_page(reference: str) -> Response[Any]:
    return _show(reference, AuditDecision.CLAW_BACK)


@router.post("/support/claims/<reference>/claw-back")
def claw_back(reference: str) -> Response[Any]:
    return _decide(reference, AuditDecision.CLAW_BACK)
