"""Support console: payments. The payment runs (with "Run payment now" and the files), the payer's
response (upload, check, confirm) and the follow-ups on a claim afterwards (information sent, paid,
rejected by the payer)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.errors import NotFound
from shared.claims.payer_response import PREVIEW_ROWS, REQUIRED_HEADERS, follow_ups_for
from shared.claims.statuses import DISPLAY, ClaimStatus
from shared.journeys.forms import Errors, whole_number
from shared.usecases import payment_runs
from shared.usecases.payer_links import resend_link, resend_plan
from shared.usecases.payer_response import (
    Confirmed,
    Rejected,
    Unfinished,
    UploadExpired,
    apply_follow_up,
    confirm,
    confirmation,
    follow_up_view,
    upload,
)
from shared.web.flash import set_flash, take_flash
from shared.web.pages import ShowInstead, page, redirect
from shared.web.request import Request, current_request
from shared.web.support import support_page
from shared.web.uploads import MAX_UPLOAD_TEXT

router = Router()

PAYMENTS = "/support/payments"
UPLOAD = "/support/payments/upload"
FILE_FIELD = "file"
UPLOAD_H1 = "Upload payer response"
EXPIRED = "This upload has expired. Upload the file again"
# The support claim page (/support/claims/<reference>) is being built separately; until it exists a
# follow-up returns to the Payments page, which lists the claims that still need one.
AFTER_FOLLOW_UP = PAYMENTS


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@router.get(PAYMENTS)
def payments() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    overview = payment_runs.payments_overview(support.user, request.now)
    return page(
        request,
        "support/payments/index.html",
        h1="Payments",
        **support.context("Payments"),
        flash=take_flash(request),
        unfinished=overview.unfinished_uploads,
        runs=overview.runs,
        closed_windows=overview.windows_to_run,
        claims=[
            {"claim": claim, "label": DISPLAY[claim.status].label, "follow_ups": follow_ups_for(claim.status)}
            for claim in overview.follow_ups
        ],
    )


def _upload_page(request: Request, rejected: Rejected | None = None) -> Response[Any]:
    support = support_page(request)
    errors = Errors()
    if rejected is not None:
        errors.add(FILE_FIELD, rejected.message)
    return page(
        request,
        "support/payments/upload.html",
        h1=UPLOAD_H1,
        **support.context("Payments"),
        errors=errors,
        row_errors=rejected.row_errors if rejected else (),
        error_count=rejected.error_count if rejected else 0,
        headers=REQUIRED_HEADERS,
        max_size=MAX_UPLOAD_TEXT,
        back_href=PAYMENTS,
    )


@router.get(UPLOAD)
def upload_form() -> Response[Any]:
    return _upload_page(current_request(router))


@contextmanager
def _upload_again_if_expired(request: Request) -> Iterator[None]:
    """An upload that has expired (or is not this user's) shows the upload page again, saying why."""
    try:
        yield
    except UploadExpired:
        raise ShowInstead(_upload_page(request, Rejected(EXPIRED))) from None


@router.post(UPLOAD)
def upload_file() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    if request.upload_too_large:
        return _upload_page(request, Rejected(f"The selected file must be smaller than {MAX_UPLOAD_TEXT}"))
    uploaded = request.files.get(FILE_FIELD)
    result = upload(uploaded.content if uploaded else None, support.user, request.now)
    if isinstance(result, Rejected):
        return _upload_page(request, result)
    return redirect(f"{UPLOAD}/{result.batch_id}")


@router.get(f"{UPLOAD}/<batch_id>")
def confirm_page(batch_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    with _upload_again_if_expired(request):
        found = confirmation(batch_id, support.user, request.now)
    if isinstance(found, Rejected):
        return _upload_page(request, found)
    if isinstance(found, Confirmed):
        return redirect(PAYMENTS)
    if isinstance(found, Unfinished):
        return page(
            request,
            "support/payments/unfinished.html",
            h1="Finish updating the claims in this payer response",
            **support.context("Payments"),
            view=found,
            action=f"{UPLOAD}/{batch_id}",
            back_href=PAYMENTS,
        )
    return page(
        request,
        "support/payments/confirm.html",
        h1="Check the payer response",
        **support.context("Payments"),
        view=found,
        paid_text=_plural(found.counts.paid, "claim", "claims"),
        information_text=_plural(found.counts.information_requested, "claim", "claims"),
        preview_size=PREVIEW_ROWS,
        action=f"{UPLOAD}/{batch_id}",
        back_href=UPLOAD,
    )


@router.post(f"{UPLOAD}/<batch_id>")
def confirm_upload(batch_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    with _upload_again_if_expired(request):
        result = confirm(batch_id, support.user, request.now)
    if isinstance(result, Rejected):
        return _upload_page(request, result)
    if result.first_time:
        text = (
            f"Payer response uploaded: {_plural(result.counts.paid, 'claim', 'claims')} paid, "
            f"{_plural(result.counts.information_requested, 'claim needs', 'claims need')} more information"
        )
        if result.failed:
            text += f", {_plural(result.failed, 'claim', 'claims')} not changed because the claim had changed"
        set_flash(request, text, PAYMENTS)
    return redirect(PAYMENTS)


# -- follow-ups on one claim -----------------------------------------------------------------------
FOLLOW_UP_H1 = {
    "information-sent": "Confirm the information has been sent to the payer",
    "paid": "Confirm the payer has paid this claim",
    "reject": "Are you sure you want to reject this claim?",
}
REFUSED_H1 = {
    "information-sent": "You cannot confirm information sent for this claim",
    "paid": "You cannot confirm this claim is paid",
    "reject": "You cannot reject this claim",
}


def _follow_up_path(reference: str, slug: str) -> str:
    return f"/support/claims/{reference}/payment/{slug}"


@router.get("/support/claims/<reference>/payment/<slug>")
def follow_up(reference: str, slug: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = follow_up_view(reference, slug)
    return page(
        request,
        "support/payments/follow-up.html",
        h1=FOLLOW_UP_H1[slug] if view.allowed else REFUSED_H1[slug],
        **support.context("Payments"),
        view=view,
        slug=slug,
        status_label=DISPLAY[view.claim.status].label,
        allowed_labels=[DISPLAY[status].label for status in ClaimStatus if status in view.follow_up.from_statuses],
        action=_follow_up_path(reference, slug),
        back_href=AFTER_FOLLOW_UP,
    )


@router.post("/support/claims/<reference>/payment/<slug>")
def apply(reference: str, slug: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    changed = apply_follow_up(reference, slug, support.user, request.now)
    if changed is None:
        return redirect(_follow_up_path(reference, slug))  # the page now says why it cannot be done
    set_flash(request, f"Claim {reference} updated: {changed.status_label}", AFTER_FOLLOW_UP)
    return redirect(AFTER_FOLLOW_UP)


# -- payment runs ----------------------------------------------------------------------------------
@router.get("/support/payments/run/<window_id>")
def confirm_run(window_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    planned = payment_runs.plan(window_id, request.now)
    if planned is None:
        raise NotFound
    return page(
        request,
        "support/payments/run.html",
        h1="Run payment now",
        **support.context("Payments"),
        plan=planned,
        back_href=PAYMENTS,
    )


@router.post("/support/payments/run/<window_id>")
def run_now(window_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    planned = payment_runs.plan(window_id, request.now)
    if planned is None:
        raise NotFound
    number = request.field("run")
    if whole_number(number) != planned.number:
        set_flash(
            request, "Another payment run of this window has just been started: nothing more was started", PAYMENTS
        )
        return redirect(PAYMENTS)
    try:
        started = payment_runs.run_now(window_id, planned.number, support.user)
    except payment_runs.RunInProgress as busy:
        set_flash(
            request, f"Payment run {busy.run_id} of this window is in progress: nothing more was started", PAYMENTS
        )
        return redirect(PAYMENTS)
    message = f"Payment run {started} started" if started else "That payment run had already been started"
    set_flash(request, message, PAYMENTS)
    return redirect(PAYMENTS)


# -- one run: its page, its included claims, "Retry run" ----------------------------------------------
# A run's page is /support/payments/<run id>. Every other page under /support/payments has a fixed first
# segment (upload, run, runs) and the router tries fixed paths before patterns; a pattern matches one segment,
# so /support/payments/upload/<id> or /support/payments/runs/<id>/file never reach this page. No run is named
# "upload", "run" or "runs" (runs are <window id>-run-<n>): those words alone are unknown runs, 404.
REFRESH_SECONDS = 5  # how often the page's script fetches the page again while the run is in progress


def _run_path(run_id: str) -> str:
    return f"{PAYMENTS}/{run_id}"


@router.get(f"{PAYMENTS}/<run_id>")
def run_page(run_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = payment_runs.run_page(run_id)
    return page(
        request,
        "support/payments/run-page.html",
        h1=f"Payment run {view.run_id}",
        **support.context("Payments"),
        view=view,
        flash=take_flash(request),
        run_path=_run_path(view.run_id),
        refresh_seconds=REFRESH_SECONDS,
        back_href=PAYMENTS,
    )


@router.get("/support/payments/runs/<run_id>")
def old_run_page(run_id: str) -> Response[Any]:
    """Where the run's page was: links and bookmarks to it move, for good, to its address."""
    support_page(current_request(router))
    if not payment_runs.run_exists(run_id):
        raise NotFound
    return Response(status_code=301, headers={"Location": _run_path(run_id)}, body="")


@router.get("/support/payments/runs/<run_id>/included-claims")
def included_claims(run_id: str) -> Response[Any]:
    support_page(current_request(router))
    found = payment_runs.included_claims_of(run_id)
    if found is None:
        raise NotFound
    return _csv(*found)


RETRY_H1 = "Retry this payment run"


@router.get("/support/payments/runs/<run_id>/retry")
def confirm_retry(run_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    view = payment_runs.run_page(run_id)
    return page(
        request,
        "support/payments/retry.html",
        h1=RETRY_H1 if view.can_retry else "You cannot retry this payment run",
        **support.context("Payments"),
        view=view,
        back_href=_run_path(run_id),
    )


@router.post("/support/payments/runs/<run_id>/retry")
def retry_run(run_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    try:
        started = payment_runs.retry(run_id, support.user, request.now)
    except payment_runs.RunInProgress as busy:
        set_flash(
            request,
            f"Payment run {busy.run_id} of this window is in progress: retry when it has finished",
            _run_path(run_id),
        )
        return redirect(_run_path(run_id))
    if started is None:
        message = (
            f"Payment run {run_id} is not failed, or has just been retried by someone else: nothing more was started"
        )
    else:
        message = f"Payment run {run_id} is being retried"
    set_flash(request, message, _run_path(run_id))
    return redirect(_run_path(run_id))


@router.get("/support/payments/runs/<run_id>/file")
def run_file(run_id: str) -> Response[Any]:
    request = current_request(router)
    support_page(request)
    found = payment_runs.file_of(run_id)
    if found is None:
        raise NotFound
    return _csv(*found)


def _csv(name: str, body: bytes) -> Response[Any]:
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=body.decode("utf-8"),
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


NEW_LINK_H1 = "Send the payer a new link"


def _new_link_path(run_id: str) -> str:
    return f"/support/payments/runs/{run_id}/new-link"


@router.get("/support/payments/runs/<run_id>/new-link")
def new_link_page(run_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return page(
        request,
        "support/payments/new-link.html",
        h1=NEW_LINK_H1,
        **support.context("Payments"),
        plan=resend_plan(run_id),
        back_href=PAYMENTS,
    )


@router.post("/support/payments/runs/<run_id>/new-link")
def send_new_link(run_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    sent = resend_link(run_id, support.user.full_name, request.now)
    if sent is not None and sent.refusal is not None:
        return redirect(_new_link_path(run_id))  # the page says why not
    if sent is None:
        message = f"A new link for payment run {run_id} had just been sent by someone else: nothing more was sent"
    else:
        sent_to = _plural(len(sent.addresses), "payer address", "payer addresses")
        message = f"New link to the payment file of run {run_id} sent to {sent_to}"
    set_flash(request, message, PAYMENTS)
    return redirect(PAYMENTS)
