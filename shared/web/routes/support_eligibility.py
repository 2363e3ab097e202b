"""Support console: upload the schools eligible for an academic year (select the year, upload a CSV), check
them, confirm. Nothing changes a school before "Confirm upload" (ADR 0025)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.eligibility_upload import MAX_ERRORS_SHOWN, PREVIEW_ROWS
from shared.journeys.forms import Errors
from shared.usecases.eligibility_upload import (
    BASE,
    Confirmed,
    Preview,
    Rejected,
    UnknownYear,
    UploadExpired,
    academic_years,
    confirm,
    confirmation,
    upload,
    upload_path,
)
from shared.web.pages import ShowInstead, page, redirect
from shared.web.request import Request, current_request
from shared.web.support import support_page
from shared.web.uploads import MAX_UPLOAD_TEXT

router = Router()

SECTION = "Organisations"
AFTER = "/support/organisations"  # the Organisations list, which links here
YEAR_FIELD = "academic_year"
FILE_FIELD = "file"
UPLOAD_H1 = "Upload eligible schools"
CHECK_H1 = "Check the eligible schools"
DONE_H1 = "Eligible schools uploaded"
UNFINISHED_H1 = "Finish making these schools eligible"
EXPIRED = "This upload has expired. Upload the file again"
SELECT_YEAR = "Select the academic year the schools are eligible for"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _upload_page(
    request: Request, chosen: str = "", rejected: Rejected | None = None, errors: Errors | None = None
) -> Response[Any]:
    support = support_page(request)
    errors = errors or Errors()
    if rejected is not None:
        errors.add(FILE_FIELD, rejected.message)
    return page(
        request,
        "support/organisations/eligible-schools/upload.html",
        h1=UPLOAD_H1,
        **support.context(SECTION),
        errors=errors,
        years=[year.name for year in academic_years(request.now)],
        chosen=chosen,
        row_errors=rejected.row_errors if rejected else (),
        error_count=rejected.error_count if rejected else 0,
        errors_shown=MAX_ERRORS_SHOWN,
        max_size=MAX_UPLOAD_TEXT,
        action=BASE,
        cancel_href=AFTER,
        back_href=AFTER,
    )


@router.get(BASE)
def upload_form() -> Response[Any]:
    request = current_request(router)
    return _upload_page(request, request.arg(YEAR_FIELD))


@contextmanager
def _upload_again_if_expired(request: Request) -> Iterator[None]:
    """An upload that has expired shows the upload page again, saying why."""
    try:
        yield
    except UploadExpired:
        raise ShowInstead(_upload_page(request, rejected=Rejected(EXPIRED))) from None


@router.post(BASE)
def upload_file() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    chosen = request.field(YEAR_FIELD)
    errors = Errors()
    if chosen not in {year.name for year in academic_years(request.now)}:
        errors.add(YEAR_FIELD, SELECT_YEAR)
        chosen = ""
    uploaded = request.files.get(FILE_FIELD)
    if request.upload_too_large:
        errors.add(FILE_FIELD, f"The selected file must be smaller than {MAX_UPLOAD_TEXT}")
    elif uploaded is None:
        errors.add(FILE_FIELD, "Select a CSV file to upload")
    if errors or uploaded is None:
        return _upload_page(request, chosen, errors=errors)
    try:
        result = upload(uploaded.content, chosen, support.user, request.now)
    except UnknownYear:  # the years changed between the check and the upload (a window was removed)
        errors.add(YEAR_FIELD, SELECT_YEAR)
        return _upload_page(request, errors=errors)
    if isinstance(result, Rejected):
        return _upload_page(request, chosen, rejected=result)
    return redirect(upload_path(result.batch_id))


@router.get(f"{BASE}/<batch_id>")
def check_page(batch_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    with _upload_again_if_expired(request):
        found = confirmation(batch_id, support.user, request.now)
    if isinstance(found, Rejected):
        return _upload_page(request, rejected=found)
    action = upload_path(batch_id)
    if isinstance(found, Confirmed):
        done = found.upload
        return page(
            request,
            "support/organisations/eligible-schools/done.html",
            h1=DONE_H1,
            **support.context(SECTION),
            upload=done,
            newly_text=_plural(done.newly_eligible, "school is", "schools are"),
            already_text=_plural(done.already_eligible, "school was", "schools were"),
            after_href=AFTER,
        )
    if not isinstance(found, Preview):
        return page(
            request,
            "support/organisations/eligible-schools/unfinished.html",
            h1=UNFINISHED_H1,
            **support.context(SECTION),
            upload=found.upload,
            action=action,
            cancel_href=AFTER,
            back_href=AFTER,
        )
    checked = found.checked
    return page(
        request,
        "support/organisations/eligible-schools/check.html",
        h1=CHECK_H1,
        **support.context(SECTION),
        upload=found.upload,
        checked=checked,
        schools_text=_plural(len(checked.schools), "school", "schools"),
        newly_text=_plural(checked.newly_eligible, "school", "schools"),
        already_text=_plural(checked.already_eligible, "school", "schools"),
        preview_size=PREVIEW_ROWS,
        action=action,
        cancel_href=AFTER,
        back_href=f"{BASE}?{YEAR_FIELD}={found.upload.academic_year.replace(' ', '+')}",
    )


@router.post(f"{BASE}/<batch_id>")
def confirm_upload(batch_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    with _upload_again_if_expired(request):
        result = confirm(batch_id, support.user, request.now)
    if isinstance(result, Rejected):
        return _upload_page(request, rejected=result)
    return redirect(upload_path(batch_id))
