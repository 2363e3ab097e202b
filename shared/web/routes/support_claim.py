"""Support console: a claim's page (summary, mentors, history) and acting on it — assign, Zendesk ticket,
notes, hold, amend, review decisions and undoing them. Each action is a form (and, for an amendment, a
check page) posting to the claim; the claim page says what happened."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.claim_actions import (
    NOTE_LIMIT,
    REASON_LIMIT,
    REJECT_REASON_LABELS,
    RejectReason,
    read_amendment,
    read_note,
    read_reason,
    read_rejection,
    read_zendesk_url,
)
from shared.claims.errors import (
    AllowanceExceeded,
    ClaimNotFound,
    ConcurrentUpdate,
    InvalidTransition,
    VendorNumberMissing,
)
from shared.journeys.forms import Errors, whole_number
from shared.usecases import support_claim, support_review
from shared.usecases.support_claim import ActionNotAllowed
from shared.web.flash import set_flash, take_flash_message
from shared.web.pages import ShowInstead, page, redirect
from shared.web.request import Request, current_request
from shared.web.support import SupportPage, support_page

router = Router()

BACK_PREFIXES = ("/support/claims", "/support/payments")


def _claim_url(reference: str) -> str:
    return f"/support/claims/{quote(reference, safe='')}"


def back_from(request: Request) -> str:
    """Where the claim page's back link goes: the page the user came from (the list with its filters, the
    review queue, a payment run), never another site."""
    came_from = request.arg("from")
    if came_from.startswith(BACK_PREFIXES) and not came_from.startswith("//") and "\\" not in came_from:
        return came_from
    return "/support/claims"


def _view(reference: str) -> support_claim.ClaimPage:
    try:
        return support_claim.claim_page(reference)
    except ClaimNotFound:
        raise
    except ValueError:  # a reference that is not one (odd characters in the path)
        raise ClaimNotFound(reference) from None


def _claim_page(
    request: Request, support: SupportPage, reference: str, errors: Errors | None = None, **form: Any
) -> Response[Any]:
    view = _view(reference)
    back = back_from(request)
    return page(
        request,
        "support/claims/claim.html",
        h1=f"Claim {view.claim.reference}",
        **support.context("Review" if back.startswith("/support/claims/review") else "All claims"),
        view=view,
        claim=view.claim,
        errors=errors or Errors(),
        form=form,
        reject_reasons=[(r.value, REJECT_REASON_LABELS[r]) for r in RejectReason],
        flash=take_flash_message(request),
        back_href=back,
        from_query=f"?from={quote(back, safe='')}" if request.arg("from") else "",
    )


@router.get("/support/claims/<reference>")
def claim(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return _claim_page(request, support, reference)


def _done(request: Request, reference: str, message: str, refused: bool = False) -> Response[Any]:
    url = _claim_url(reference)
    set_flash(request, message, url, "important" if refused else "success")
    return redirect(url)


def _action_page(
    request: Request, support: SupportPage, reference: str, template: str, h1: str, **context: Any
) -> Response[Any]:
    view = _view(reference)
    return page(
        request,
        template,
        h1=h1,
        **support.context("All claims"),
        view=view,
        claim=view.claim,
        back_href=_claim_url(reference),
        errors=context.pop("errors", Errors()),
        **context,
    )


def _refused(request: Request, reference: str, error: Exception) -> Response[Any]:
    message = {
        ActionNotAllowed: "That could not be done: the claim has changed since the page was opened",
        ConcurrentUpdate: "That could not be done: someone changed the claim at the same moment. Try again",
        InvalidTransition: "That could not be done: the claim's status no longer allows it",
    }.get(type(error), "That could not be done")
    return _done(request, reference, f"{message}.", refused=True)


# -- assign -------------------------------------------------------------------------------------------
@router.get("/support/claims/<reference>/assign")
def assign_page(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return _assign_page(request, support, reference, Errors(), "")


def _assign_page(request: Request, support: SupportPage, reference: str, errors: Errors, chosen: str) -> Response[Any]:
    return _action_page(
        request,
        support,
        reference,
        "support/claims/assign.html",
        "Who should this claim be assigned to?",
        users=support_claim.support_users(),
        chosen=chosen,
        errors=errors,
    )


@router.post("/support/claims/<reference>/assign")
def assign(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    chosen = request.field("assignee")
    if chosen == "me":
        chosen = support.user.user_id
    if chosen == "nobody":
        support_claim.unassign(reference, support.user, request.now)
        return _done(request, reference, "The claim is no longer assigned to anyone")
    try:
        assignee = support_claim.assign(reference, chosen, support.user, request.now)
    except ActionNotAllowed:
        errors = Errors()
        errors.add("assignee", "Select who the claim should be assigned to", "assignee")
        return _assign_page(request, support, reference, errors, chosen)
    who = "you" if assignee.user_id == support.user.user_id else assignee.full_name
    return _done(request, reference, f"Claim assigned to {who}")


# -- Zendesk ticket -----------------------------------------------------------------------------------
@router.get("/support/claims/<reference>/zendesk")
def zendesk_page(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = _view(reference)
    return _zendesk_page(request, support, reference, Errors(), view.claim.zendesk_url or "")


def _zendesk_page(request: Request, support: SupportPage, reference: str, errors: Errors, url: str) -> Response[Any]:
    return _action_page(
        request, support, reference, "support/claims/zendesk.html", "Zendesk ticket", url=url, errors=errors
    )


@router.post("/support/claims/<reference>/zendesk")
def zendesk(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    if request.field("remove") == "yes":
        support_claim.link_zendesk(reference, None, support.user, request.now)
        return _done(request, reference, "Zendesk ticket removed")
    url, error = read_zendesk_url(request.field("zendesk_url"), support_claim.zendesk_host())
    if error:
        errors = Errors()
        errors.add("zendesk_url", error)
        return _zendesk_page(request, support, reference, errors, url)
    support_claim.link_zendesk(reference, url, support.user, request.now)
    return _done(request, reference, "Zendesk ticket linked")


# -- notes --------------------------------------------------------------------------------------------
@router.get("/support/claims/<reference>/notes/new")
def note_page(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return _note_page(request, support, reference, Errors(), "")


def _note_page(request: Request, support: SupportPage, reference: str, errors: Errors, note: str) -> Response[Any]:
    return _action_page(
        request,
        support,
        reference,
        "support/claims/note.html",
        "Add a note",
        note=note,
        limit=NOTE_LIMIT,
        errors=errors,
    )


@router.post("/support/claims/<reference>/notes")
def add_note(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    note, error = read_note(request.field("note"))
    if error:
        errors = Errors()
        errors.add("note", error)
        return _note_page(request, support, reference, errors, note)
    support_claim.add_note(reference, note, support.user, request.now)
    return _done(request, reference, "Note added")


# -- hold ---------------------------------------------------------------------------------------------
@router.get("/support/claims/<reference>/hold")
def hold_page(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = _view(reference)
    if view.claim.on_hold:
        return _action_page(request, support, reference, "support/claims/remove-hold.html", "Remove the hold")
    if not view.can_hold:
        raise ShowInstead(_refused(request, reference, ActionNotAllowed(reference, "hold")))
    return _hold_page(request, support, reference, Errors(), "")


def _hold_page(request: Request, support: SupportPage, reference: str, errors: Errors, reason: str) -> Response[Any]:
    return _action_page(
        request,
        support,
        reference,
        "support/claims/hold.html",
        "Put claim on hold",
        reason=reason,
        limit=REASON_LIMIT,
        errors=errors,
    )


@router.post("/support/claims/<reference>/hold")
def hold(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    reason, error = read_reason(request.field("reason"), "Enter why the claim is on hold")
    if error:
        errors = Errors()
        errors.add("reason", error)
        return _hold_page(request, support, reference, errors, reason)
    try:
        support_claim.hold(reference, reason, support.user, request.now)
    except ActionNotAllowed as refused:
        return _refused(request, reference, refused)
    return _done(request, reference, "Claim put on hold: no payment run will take it until the hold is removed")


@router.post("/support/claims/<reference>/hold/remove")
def remove_hold(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        support_claim.remove_hold(reference, support.user, request.now)
    except ActionNotAllowed as refused:
        return _refused(request, reference, refused)
    return _done(request, reference, "Hold removed: the next payment run of its window can pay the claim")


# -- amend --------------------------------------------------------------------------------------------
@router.get("/support/claims/<reference>/amend/<trn>")
def amend_page(reference: str, trn: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return _amend_page(request, support, reference, trn, Errors(), {})


def _amend_page(
    request: Request, support: SupportPage, reference: str, trn: str, errors: Errors, form: dict[str, str]
) -> Response[Any]:
    view = _view(reference)
    limits = support_claim.amend_limits(view.claim, trn)
    if limits is None:
        raise ClaimNotFound(reference)
    if not view.can_amend:
        raise ShowInstead(_refused(request, reference, ActionNotAllowed(reference, "amend")))
    return _action_page(
        request,
        support,
        reference,
        "support/claims/amend.html",
        f"Change {limits.mentor.full_name}'s hours",
        limits=limits,
        form=form,
        errors=errors,
    )


def _read_amendment(request: Request, reference: str, trn: str) -> tuple[Any, Errors, dict[str, str]]:
    view = _view(reference)
    limits = support_claim.amend_limits(view.claim, trn)
    if limits is None:
        raise ClaimNotFound(reference)
    form = {name: request.field(name) for name in ("change", "hours", "reason", "version")}
    amendment, found = read_amendment(view.claim, trn, form["change"], form["hours"], form["reason"], limits.most)
    errors = Errors()
    for field, message in found.items():
        errors.add(field, message, f"{field}" if field != "change" else "change")
    return amendment, errors, form


@router.post("/support/claims/<reference>/amend/<trn>")
def amend_check(reference: str, trn: str) -> Response[Any]:
    """The amendment checked: a page to confirm it (old → new hours and amount)."""
    request = current_request(router)
    support = support_page(request)
    amendment, errors, form = _read_amendment(request, reference, trn)
    if errors:
        return _amend_page(request, support, reference, trn, errors, form)
    view = _view(reference)
    new_total = view.claim.total_hours - amendment.old_hours + amendment.new_hours
    return _action_page(
        request,
        support,
        reference,
        "support/claims/amend-check.html",
        "Check the amendment",
        amendment=amendment,
        mentor=next(m for m in view.claim.mentors if m.trn == trn),
        new_amount_pence=new_total * view.claim.hourly_rate_pence,
        version=form["version"] or view.claim.version,
        form=form,
    )


@router.post("/support/claims/<reference>/amend/<trn>/confirm")
def amend(reference: str, trn: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    amendment, errors, form = _read_amendment(request, reference, trn)
    if errors:
        return _amend_page(request, support, reference, trn, errors, form)
    version = whole_number(form["version"])
    try:
        support_claim.amend(reference, amendment, -1 if version is None else version, support.user, request.now)
    except AllowanceExceeded:
        errors = Errors()
        errors.add("hours", "That is more hours than the mentor has left with this provider this year", "hours")
        return _amend_page(request, support, reference, trn, errors, form)
    except (ActionNotAllowed, ConcurrentUpdate) as refused:
        return _refused(request, reference, refused)
    return _done(request, reference, "Claim amended: the amount has been worked out again at its hourly rate")


# -- review decisions -----------------------------------------------------------------------------------
@router.post("/support/claims/<reference>/review")
def decide(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = _view(reference)
    decision = request.field("decision")
    codes = request.fields("reject_reasons")
    other = request.field("reject_other")
    errors = Errors()
    rejection = None
    if decision not in ("approve", "reject"):
        errors.add("decision", "Select whether to approve or reject the claim", "decision")
    elif decision == "reject":
        rejection, found = read_rejection(codes, other)
        for field, message in found.items():
            errors.add(field, message, field)
    if errors:
        return _claim_page(request, support, reference, errors, decision=decision, reasons=codes, other=other)
    try:
        if rejection is not None:
            support_review.reject(view.claim, support.user, rejection, request.now)
            message = f"Claim {reference} rejected: the school has been told why"
        else:
            support_review.approve(view.claim, support.user, request.now)
            message = f"Claim {reference} approved: it will be in the next payment run of its window"
    except VendorNumberMissing as missing:
        errors.add("decision", f"Add a vendor number for {missing.school_name} before approving this claim")
        return _claim_page(request, support, reference, errors, decision=decision, reasons=codes, other=other)
    except (ConcurrentUpdate, InvalidTransition):
        message = f"Claim {reference} had already been decided; nothing was changed"
    set_flash(request, message, "/support/claims/review")
    return redirect("/support/claims/review")


@router.get("/support/claims/<reference>/undo")
def undo_page(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return _undo_page(request, support, reference, Errors(), "")


def _undo_page(request: Request, support: SupportPage, reference: str, errors: Errors, reason: str) -> Response[Any]:
    view = _view(reference)
    if not view.can_undo:
        raise ShowInstead(_refused(request, reference, ActionNotAllowed(reference, "undo")))
    return _action_page(
        request, support, reference, "support/claims/undo.html", "Undo decision", reason=reason, errors=errors
    )


@router.post("/support/claims/<reference>/undo")
def undo(reference: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    reason, error = read_reason(request.field("reason"), "Enter why the decision is undone")
    if error:
        errors = Errors()
        errors.add("reason", error)
        return _undo_page(request, support, reference, errors, reason)
    try:
        support_claim.undo_decision(reference, reason, support.user, request.now)
    except (ActionNotAllowed, ConcurrentUpdate, InvalidTransition) as refused:
        return _refused(request, reference, refused)
    return _done(request, reference, "Decision undone: the claim is back in support review")
