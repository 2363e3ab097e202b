"""Support console: audits, /support/audits (ADR 0031).

The list of audits and the claims under them → "Start an audit": the academic year → the sample's preview
(its claims, value, share of the paid total, each rule's count, the strata and the seed) → "Confirm sample".
The preview's year and seed are a journey's answers, server-side (ADR 0018), so "Confirm sample" samples
exactly what was previewed, once.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.journeys.forms import Errors, value
from shared.usecases import audits
from shared.web.flash import set_flash, take_flash
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request
from shared.web.support import SupportPage, support_page
from shared.web.uploads import MAX_UPLOAD_TEXT

router = Router()

BASE = "/support/audits"
NAV = "Audits"
YEAR = "academic_year"
UPLOAD = f"{BASE}/upload"
FILE_FIELD = "file"


def _check(journey_id: str) -> str:
    return f"{BASE}/answers/{journey_id}/check"


def _year_page(request: Request, support: SupportPage, chosen: str = "", errors: Errors | None = None) -> Response[Any]:
    return page(
        request,
        "support/audits/new.html",
        h1="Start an audit",
        **support.context(NAV),
        back=BASE,
        action=f"{BASE}/new",
        year_items=[
            {"value": str(year.start_year), "text": year.name, "checked": chosen == str(year.start_year)}
            for year in audits.year_choices(request.now)
        ],
        errors=errors,
    )


@router.get(BASE)
def list_audits() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return page(
        request,
        "support/audits/index.html",
        h1="Audits",
        **support.context(NAV),
        listing=audits.audits_page(request.now),
        banner=take_flash(request),
        base=BASE,
    )


@router.get(f"{BASE}/new")
def choose_year() -> Response[Any]:
    request = current_request(router)
    return _year_page(request, support_page(request))


@router.post(f"{BASE}/new")
def submit_year() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    chosen = value(request.form, YEAR)
    year = audits.read_year(chosen, request.now)
    if year is None:
        errors = Errors()
        errors.add(YEAR, audits.SELECT_YEAR)
        return _year_page(request, support, chosen, errors)
    return redirect(_check(audits.start(support.user, year, request.now)))


def _upload_page(
    request: Request, support: SupportPage, rejected: audits.UploadRejected | None = None
) -> Response[Any]:
    errors = Errors()
    if rejected is not None:
        errors.add(FILE_FIELD, rejected.message)
    return page(
        request,
        "support/audits/upload.html",
        h1="Upload a sample",
        **support.context(NAV),
        errors=errors,
        row_errors=rejected.row_errors if rejected else (),
        max_size=MAX_UPLOAD_TEXT,
        action=UPLOAD,
        back=BASE,
    )


@router.get(UPLOAD)
def upload_form() -> Response[Any]:
    request = current_request(router)
    return _upload_page(request, support_page(request))


@router.post(UPLOAD)
def upload_file() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    if request.upload_too_large:
        too_large = audits.UploadRejected(f"The selected file must be smaller than {MAX_UPLOAD_TEXT}")
        return _upload_page(request, support, too_large)
    uploaded = request.files.get(FILE_FIELD)
    result = audits.upload_sample(uploaded.content if uploaded else None, support.user, request.now)
    if isinstance(result, audits.UploadRejected):
        return _upload_page(request, support, result)
    return redirect(_check(result))


@router.get(f"{BASE}/answers/<journey_id>/check")
def preview(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    shown = audits.preview(journey_id, support.user, request.now)
    if isinstance(shown, str):  # confirmed already
        return redirect(BASE)
    if isinstance(shown, audits.UploadPreview):
        return page(
            request,
            "support/audits/check-upload.html",
            h1="Check the sample",
            **support.context(NAV),
            back=UPLOAD,
            action=_check(journey_id),
            cancel=BASE,
            preview=shown,
        )
    return page(
        request,
        "support/audits/check.html",
        h1="Check the sample",
        **support.context(NAV),
        back=f"{BASE}/new",
        action=_check(journey_id),
        cancel=BASE,
        preview=shown,
    )


@router.post(f"{BASE}/answers/<journey_id>/check")
def confirm(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    confirmed = audits.confirm(journey_id, support.user, request.now)
    if confirmed.first_time:
        skipped = f" ({confirmed.skipped} changed since the preview and were left out)" if confirmed.skipped else ""
        noun = "claim" if confirmed.sampled == 1 else "claims"
        set_flash(request, f"Audit started: {confirmed.sampled} {noun} sampled{skipped}", BASE)
    return redirect(BASE)
