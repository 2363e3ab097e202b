"""Support console: Settings, /support/settings, and its School data page (ADR 0026).

Settings lists the service's settings pages (claim windows, funding rates, school data). School data shows the
latest import of GIAS's establishment data and, unless one is running, a form that uploads the extract straight
to the files bucket (a presigned POST: the file never passes through API Gateway or Lambda). S3 sends the
browser back to /uploaded, which asks to import the file; "Import school data" queues the import.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.gias import MAX_UPLOAD_BYTES, SKIP_REASONS, ImportStatus
from shared.config import settings
from shared.journeys.forms import Errors
from shared.usecases import school_data
from shared.usecases.school_data import PAGE, Started
from shared.web.app import security_headers
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request
from shared.web.support import SupportPage, support_page

router = Router()

SETTINGS = "/support/settings"
SETTINGS_H1 = "Settings"
SCHOOL_DATA_H1 = "School data"
IMPORT_H1 = "Import school data"
IMPORTS = f"{PAGE}/imports"
FILE_FIELD = "file"
IMPORTING = "The school data is being imported"
LATEST = "latest-import"  # the id of the page's section on the latest import
BUSY = "School data is already being imported. Upload the file again when that import has finished"
NOT_GIAS = "The selected file must be GIAS establishment data: it has no {column} column"

LINKS = (
    ("Claim windows", "/support/claim-windows", "When schools can claim, and when each payment run starts."),
    ("Funding rates", "/support/settings/funding-rates", "The hourly rate of each funding region, by academic year."),
    ("School data", PAGE, "Schools from Get information about schools (GIAS): upload its establishment data."),
    ("Emails", "/support/settings/emails", "Every email the service sends: who gets it, when, and what it says."),
)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


@router.get(SETTINGS)
def settings_page() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return page(
        request,
        "support/settings/index.html",
        h1=SETTINGS_H1,
        **support.context(SETTINGS_H1),
        links=[{"text": text, "href": href, "description": description} for text, href, description in LINKS],
    )


def _school_data(request: Request, support: SupportPage, errors: Errors | None = None) -> Response[Any]:
    view = school_data.school_data_page(request.now)
    response = page(
        request,
        "support/settings/school-data.html",
        h1=SCHOOL_DATA_H1,
        **support.context(SCHOOL_DATA_H1),
        view=view,
        statuses=ImportStatus,
        reasons=SKIP_REASONS,
        importing_text=IMPORTING,
        latest_id=LATEST,
        max_size=_megabytes(MAX_UPLOAD_BYTES),
        errors=errors or Errors(),
        file_field=FILE_FIELD,
    )
    if view.upload is not None:
        # The upload form posts to the bucket: this page's policy lets it (and only this page's).
        parts = urlsplit(view.upload.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        response.headers["Content-Security-Policy"] = security_headers(request.nonce, settings(), origin)[
            "Content-Security-Policy"
        ]
    return response


@router.get(PAGE)
def school_data_page() -> Response[Any]:
    request = current_request(router)
    return _school_data(request, support_page(request))


@router.get(school_data.UPLOADED)
def uploaded() -> Response[Any]:
    """Where S3 sends the browser after the upload (with the file's bucket, key and ETag in the query)."""
    request = current_request(router)
    support = support_page(request)
    found = school_data.uploaded_file(request.arg("key"))
    return page(
        request,
        "support/settings/school-data-uploaded.html",
        h1=IMPORT_H1,
        **support.context(SCHOOL_DATA_H1),
        import_id=found.import_id,
        size=_megabytes(found.size),
        action=IMPORTS,
        back=PAGE,
    )


@router.post(IMPORTS)
def start_import() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    outcome = school_data.start_import(request.field("import_id"), support.user, request.now)
    if outcome.started in (Started.STARTED, Started.ALREADY):
        return redirect(PAGE)  # the page says the school data is being imported
    errors = Errors()
    if outcome.started is Started.BUSY:
        errors.add(FILE_FIELD, BUSY, target=LATEST)  # no upload form while an import runs: its status instead
    else:
        errors.add(FILE_FIELD, NOT_GIAS.format(column=outcome.missing[0]))
    return _school_data(request, support, errors)
