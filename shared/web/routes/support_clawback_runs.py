"""Support console: Clawbacks (ADR 0034). The claims ready for clawback with "Send clawbacks to the payer", the
clawback runs and each run's claims, and the payer's clawback response (upload, check, confirm)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.clawback_file import REQUIRED_HEADERS
from shared.claims.payer_response import PREVIEW_ROWS
from shared.claims.statuses import DISPLAY
from shared.journeys.forms import Errors
from shared.usecases import support_clawbacks
from shared.usecases.support_clawbacks import Confirmed, Rejected, Unfinished, UploadExpired
from shared.web.flash import set_flash, take_flash, take_flash_message
from shared.web.pages import ShowInstead, page, redirect
from shared.web.request import Request, current_request
from shared.web.support import SupportPage, support_page
from shared.web.uploads import MAX_UPLOAD_TEXT

router = Router()

CLAWBACKS = "/support/clawbacks"
SECTION = "Clawbacks"
H1 = "Clawbacks"
SEND = "Send clawbacks to the payer"
UPLOAD_H1 = "Upload clawback response"
CHECK_H1 = "Check the clawback response"
FILE_FIELD = "file"
SEND_FIELD = "send"
EXPIRED = "This upload has expired. Upload the file again"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _run_path(run_id: str) -> str:
    return f"{CLAWBACKS}/{run_id}"


def _index(request: Request, support: SupportPage, errors: Errors | None = None) -> Response[Any]:
    overview = support_clawbacks.clawbacks_overview(request.now)
    return page(
        request,
        "support/clawbacks/index.html",
        h1=H1,
        **support.context(SECTION),
        flash=take_flash(request),
        errors=errors or Errors(),
        overview=overview,
        pending_text=_plural(overview.pending, "claim", "claims"),
        send_text=SEND,
        send_field=SEND_FIELD,
    )


@router.get(CLAWBACKS)
def clawbacks() -> Response[Any]:
    request = current_request(router)
    return _index(request, support_page(request))


@router.post(CLAWBACKS)
def send() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        started = support_clawbacks.send_to_payer(request.field("run_id"), support.user)
    except support_clawbacks.ClawbackRefused as refused:
        errors = Errors()
        errors.add(SEND_FIELD, refused.refusal.value)
        return _index(request, support, errors)
    run_id = request.field("run_id")
    message = f"Clawback run {run_id} started" if started else f"Clawback run {run_id} had already been started"
    set_flash(request, message, CLAWBACKS)
    return redirect(CLAWBACKS)


@router.get(f"{CLAWBACKS}/<run_id>")
def run(run_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = support_clawbacks.run_view(run_id)
    flash = take_flash_message(request)
    return page(
        request,
        "support/clawbacks/run.html",
        h1=f"Clawback run {run_id}",
        **support.context(SECTION),
        flash=flash.text if flash else None,
        flash_kind=flash.kind if flash else None,
        view=view,
        claims=[{"claim": claim, "label": DISPLAY[claim.status].label} for claim in view.claims],
        back_href=CLAWBACKS,
        upload_text=UPLOAD_H1,
    )


@router.post(f"{CLAWBACKS}/<run_id>/retry")
def retry(run_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        retried = support_clawbacks.retry_run(run_id, support.user, request.now)
    except support_clawbacks.ClawbackRefused as refused:
        set_flash(request, refused.refusal.value, _run_path(run_id), "important")
        return redirect(_run_path(run_id))
    message = f"Clawback run {run_id} retried" if retried else f"Clawback run {run_id} had already been retried"
    set_flash(request, message, _run_path(run_id))
    return redirect(_run_path(run_id))


def _upload_page(request: Request, run_id: str, rejected: Rejected | None = None) -> Response[Any]:
    support = support_page(request)
    view = support_clawbacks.answerable_run(run_id)
    errors = Errors()
    if rejected is not None:
        errors.add(FILE_FIELD, rejected.message)
    return page(
        request,
        "support/clawbacks/upload.html",
        h1=UPLOAD_H1,
        **support.context(SECTION),
        errors=errors,
        view=view,
        row_errors=rejected.row_errors if rejected else (),
        error_count=rejected.error_count if rejected else 0,
        headers=REQUIRED_HEADERS,
        max_size=MAX_UPLOAD_TEXT,
        action=f"{_run_path(run_id)}/upload",
        back_href=_run_path(run_id),
    )


@contextmanager
def _upload_again_if_expired(request: Request, run_id: str) -> Iterator[None]:
    try:
        yield
    except UploadExpired:
        raise ShowInstead(_upload_page(request, run_id, Rejected(EXPIRED))) from None


@router.get(f"{CLAWBACKS}/<run_id>/upload")
def upload_form(run_id: str) -> Response[Any]:
    request = current_request(router)
    return _upload_page(request, run_id)


@router.post(f"{CLAWBACKS}/<run_id>/upload")
def upload(run_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    if request.upload_too_large:
        return _upload_page(request, run_id, Rejected(f"The selected file must be smaller than {MAX_UPLOAD_TEXT}"))
    uploaded = request.files.get(FILE_FIELD)
    content = uploaded.content if uploaded else None
    result = support_clawbacks.upload_response(run_id, content, support.user, request.now)
    if isinstance(result, Rejected):
        return _upload_page(request, run_id, result)
    return redirect(f"{_run_path(run_id)}/upload/{result.batch_id}")


@router.get(f"{CLAWBACKS}/<run_id>/upload/<batch_id>")
def check(run_id: str, batch_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    with _upload_again_if_expired(request, run_id):
        found = support_clawbacks.response_confirmation(run_id, batch_id, support.user, request.now)
    if isinstance(found, Rejected):
        return _upload_page(request, run_id, found)
    if isinstance(found, Confirmed):
        return redirect(_run_path(run_id))
    if isinstance(found, Unfinished):
        return page(
            request,
            "support/clawbacks/unfinished.html",
            h1="Finish updating the claims in this clawback response",
            **support.context(SECTION),
            upload=found.upload,
            action=f"{_run_path(run_id)}/upload/{batch_id}",
            cancel_href=_run_path(run_id),
        )
    return page(
        request,
        "support/clawbacks/confirm.html",
        h1=CHECK_H1,
        **support.context(SECTION),
        view=found,
        completed_text=_plural(found.completed, "claim", "claims"),
        preview_size=PREVIEW_ROWS,
        action=f"{_run_path(run_id)}/upload/{batch_id}",
        cancel_href=_run_path(run_id),
        back_href=f"{_run_path(run_id)}/upload",
    )


@router.post(f"{CLAWBACKS}/<run_id>/upload/<batch_id>")
def confirm(run_id: str, batch_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    with _upload_again_if_expired(request, run_id):
        result = support_clawbacks.confirm_response(run_id, batch_id, support.user, request.now)
    if isinstance(result, Rejected):
        return _upload_page(request, run_id, result)
    if result.first_time:
        text = f"Clawback response uploaded: {_plural(result.completed, 'clawback', 'clawbacks')} complete"
        if result.failed:
            text += f", {_plural(result.failed, 'claim', 'claims')} not changed because the claim had changed"
        set_flash(request, text, _run_path(run_id))
    return redirect(_run_path(run_id))
