"""Support console: requesting a claim's clawback after its audit and a second support user deciding it
(ADR 0033).

- /support/claims/{reference}/clawback: "Check the clawback" (each mentor's clawback, the rate, the total) and
  "Request clawback";
- /support/claims/{reference}/clawback/{trn}: how many hours to claw back for a mentor, and why fewer;
- /support/claims/{reference}/approve-clawback and /reject-clawback: a different support user's decision.

The lowerings are a journey (`shared.journeys.clawback`, ADR 0018), started by the first lowering; its id
travels as `?journey=` (and a hidden field), so the check page needs none until something is lowered.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.clawback_requests import (
    LOWERED_REASON_LIMIT,
    NOTHING_TO_CLAW_BACK,
    NothingToClawBack,
    OwnClawback,
    read_rejection,
)
from shared.claims.errors import ClaimNotFound, NotFound
from shared.claims.money import format_pounds
from shared.journeys import clawback as journey
from shared.journeys.clawback import FLOW, ClawbackAnswers
from shared.journeys.flow import Location
from shared.journeys.forms import Errors
from shared.usecases import clawback_requests, journeys
from shared.usecases.support_claim import ActionNotAllowed
from shared.web.flash import set_flash
from shared.web.journeys import open_step
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request
from shared.web.support import SupportPage, support_page

router = Router()

SUPPORT = "support"  # the organisation a support user's journeys belong to
JOURNEY = "journey"  # the query parameter (and hidden field) that carries the journey's id
REFUSED = "That could not be done: the claim has changed since the page was opened"
OWN = "Another support user must approve this clawback: nothing was changed"


def _claim_url(reference: str) -> str:
    return f"/support/claims/{quote(reference, safe='')}"


def _base(reference: str) -> str:
    return f"{_claim_url(reference)}/clawback"


def _with_journey(url: str, journey_id: str) -> str:
    return f"{url}?{JOURNEY}={quote(journey_id, safe='')}" if journey_id else url


def _address(reference: str, journey_id: str) -> Any:
    def address(place: Location) -> str:
        url = _base(reference) if place.step == journey.CHECK_PAGE.step else f"{_base(reference)}/{place.item}"
        return _with_journey(url, journey_id)

    return address


def _refused(request: Request, reference: str, message: str = REFUSED) -> Response[Any]:
    url = _claim_url(reference)
    set_flash(request, message, url, "important")
    return redirect(url)


def _claim(reference: str) -> Any:
    try:
        return clawback_requests.claim_to_request(reference)
    except ClaimNotFound:
        raise
    except ActionNotAllowed:
        raise
    except ValueError:
        raise ClaimNotFound(reference) from None


def _answers(request: Request, support: SupportPage, reference: str, journey_id: str) -> ClawbackAnswers | None:
    """The journey's lowerings, if there is a journey; NotFound for one that is not this user's (a finished one
    sends the user to the claim)."""
    if not journey_id:
        return None
    opened = open_step(
        FLOW,
        ClawbackAnswers,
        journey_id,
        journey.CHECK_PAGE,
        _address(reference, journey_id),
        owner=support.user.user_id,
        organisation_id=SUPPORT,
        now=request.now,
        finished=lambda _: _claim_url(reference),
    )
    if opened.answers.reference != reference:
        raise NotFound
    return opened.answers


def _journey_id(request: Request) -> str:
    return request.field(JOURNEY) if request.method == "POST" else request.arg(JOURNEY)


# -- check the clawback ---------------------------------------------------------------------------------------
def _check_page(
    request: Request, support: SupportPage, reference: str, journey_id: str, errors: Errors
) -> Response[Any]:
    claim = _claim(reference)
    view = clawback_requests.proposed(claim, _answers(request, support, reference, journey_id))
    return page(
        request,
        "support/claims/clawback-check.html",
        h1="Check the clawback",
        **support.context("All claims"),
        claim=claim,
        view=view,
        journey_id=journey_id,
        change_href=lambda trn: _with_journey(f"{_base(reference)}/{quote(trn, safe='')}", journey_id),
        action=_base(reference),
        errors=errors,
        back_href=_claim_url(reference),
    )


@router.get("/support/claims/<reference>/clawback")
def check(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        return _check_page(request, support, reference, request.arg(JOURNEY), Errors())
    except ActionNotAllowed:
        return _refused(request, reference)


@router.post("/support/claims/<reference>/clawback")
def request_clawback(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    journey_id = _journey_id(request)
    try:
        answers = _answers(request, support, reference, journey_id)
        clawback_requests.request(reference, answers, support.user, request.now)
    except NothingToClawBack:
        errors = Errors()
        errors.add("clawback", NOTHING_TO_CLAW_BACK, "clawback")
        return _check_page(request, support, reference, journey_id, errors)
    except ActionNotAllowed:
        return _refused(request, reference)
    if journey_id:
        journeys.finish(journey_id, "requested")
    set_flash(
        request,
        f"Clawback requested for claim {reference}: another support user must approve it",
        _claim_url(reference),
    )
    return redirect(_claim_url(reference))


# -- one mentor's hours ---------------------------------------------------------------------------------------
def _mentor_page(
    request: Request,
    support: SupportPage,
    reference: str,
    trn: str,
    journey_id: str,
    form: dict[str, str] | None,
    errors: Errors,
) -> Response[Any]:
    claim = _claim(reference)
    answers = _answers(request, support, reference, journey_id)
    row = clawback_requests.mentor_row(claim, trn, answers)
    if row is None:
        raise ClaimNotFound(reference)
    if form is None:
        form = {"hours": str(row.clawback.hours_clawed_back), "reason": row.clawback.lowered_reason}
    return page(
        request,
        "support/claims/clawback-mentor.html",
        h1=journey.hours_question(row.mentor.full_name),
        **support.context("All claims"),
        claim=claim,
        row=row,
        form=form,
        reason_question=journey.REASON_QUESTION,
        reason_limit=LOWERED_REASON_LIMIT,
        journey_id=journey_id,
        action=f"{_base(reference)}/{quote(trn, safe='')}",
        errors=errors,
        back_href=_with_journey(_base(reference), journey_id),
    )


@router.get("/support/claims/<reference>/clawback/<trn>")
def mentor(reference: str, trn: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        return _mentor_page(request, support, reference, trn, request.arg(JOURNEY), None, Errors())
    except ActionNotAllowed:
        return _refused(request, reference)


@router.post("/support/claims/<reference>/clawback/<trn>")
def lower(reference: str, trn: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    journey_id = _journey_id(request)
    hours, reason = journey.read_form(request.form)
    try:
        claim = _claim(reference)
        answers = _answers(request, support, reference, journey_id) or clawback_requests.start_answers(claim)
        lowering = clawback_requests.lower(claim, trn, hours, reason, answers)
        if lowering is None:
            raise ClaimNotFound(reference)
        if lowering.errors:
            errors = Errors()
            for name in (journey.HOURS, journey.REASON):
                if name in lowering.errors:
                    errors.add(name, lowering.errors[name])
            form = {"hours": hours, "reason": reason}
            return _mentor_page(request, support, reference, trn, journey_id, form, errors)
    except ActionNotAllowed:
        return _refused(request, reference)
    if journey_id:
        journeys.save(journey_id, answers, request.now)
    else:
        journey_id = journeys.start(FLOW, support.user.user_id, SUPPORT, answers, request.now)
    return redirect(_with_journey(_base(reference), journey_id))


# -- approve or reject ----------------------------------------------------------------------------------------
def _decision_page(
    request: Request, support: SupportPage, reference: str, approving: bool, reason: str, errors: Errors
) -> Response[Any]:
    try:
        claim = clawback_requests.claim_to_decide(reference, support.user)
    except ValueError:
        raise ClaimNotFound(reference) from None
    view = clawback_requests.requested_view(claim)
    return page(
        request,
        "support/claims/clawback-decision.html",
        h1="Are you sure you want to approve this clawback?"
        if approving
        else "Are you sure you want to reject this clawback?",
        **support.context("All claims"),
        claim=claim,
        view=view,
        approving=approving,
        reason=reason,
        action=f"{_claim_url(reference)}/{'approve' if approving else 'reject'}-clawback",
        errors=errors,
        back_href=_claim_url(reference),
    )


def _show_decision(reference: str, approving: bool) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        return _decision_page(request, support, reference, approving, "", Errors())
    except OwnClawback:
        return _refused(request, reference, OWN)
    except ActionNotAllowed:
        return _refused(request, reference)


@router.get("/support/claims/<reference>/approve-clawback")
def approve_page(reference: str) -> Response[Any]:
    return _show_decision(reference, approving=True)


@router.post("/support/claims/<reference>/approve-clawback")
def approve(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        approved = clawback_requests.approve(reference, support.user, request.now)
    except OwnClawback:
        return _refused(request, reference, OWN)
    except ActionNotAllowed:
        return _refused(request, reference)
    total = approved.clawback.total_pence if approved.clawback else 0
    set_flash(
        request,
        f"Clawback of {format_pounds(total)} approved for claim {reference}: the school has been told",
        _claim_url(reference),
    )
    return redirect(_claim_url(reference))


@router.get("/support/claims/<reference>/reject-clawback")
def reject_page(reference: str) -> Response[Any]:
    return _show_decision(reference, approving=False)


@router.post("/support/claims/<reference>/reject-clawback")
def reject(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    reason, error = read_rejection(request.field("reason"))
    try:
        if error:
            errors = Errors()
            errors.add("reason", error)
            return _decision_page(request, support, reference, False, reason, errors)
        clawback_requests.reject(reference, reason, support.user, request.now)
    except OwnClawback:
        return _refused(request, reference, OWN)
    except ActionNotAllowed:
        return _refused(request, reference)
    set_flash(request, f"Clawback rejected for claim {reference}", _claim_url(reference))
    return redirect(_claim_url(reference))
