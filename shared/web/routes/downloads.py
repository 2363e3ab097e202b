"""The payer's single-use links: GET /downloads/<token> gives the file once, then a page that says why not.

Served by DownloadFunction, not the web or support functions. The path holds the token, which is a secret:
nothing here logs the path, and unexpected errors are logged by the link's hash before the problem page.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.errors import NotFound
from shared.observability import logger
from shared.usecases.payer_links import (
    CSV_CONTENT_TYPE,
    DownloadOutcome,
    link_reference,
    open_download,
    token_hash,
)
from shared.web.pages import page, redirect
from shared.web.request import Request

router = Router()

EXPIRED_H1 = "This link has expired"
USED_H1 = "This link has already been used"
REPLACED_H1 = "This link has been replaced"


def _request() -> Request:
    request: Request = router.context["request"]
    return request


def without_cookies(event: dict[str, Any]) -> dict[str, Any]:
    """The event without its Cookie header: a download never reads, renews or ends a session."""
    cleaned = dict(event)
    for name in ("headers", "multiValueHeaders"):
        headers = event.get(name)
        if isinstance(headers, dict):
            cleaned[name] = {key: value for key, value in headers.items() if key.lower() != "cookie"}
    return cleaned


@router.get("/downloads/<token>")
def download(token: str) -> Response[Any]:
    request = _request()
    try:
        result = open_download(token, request.now)
    except NotFound:
        raise
    except Exception:  # noqa: BLE001 - logged here by the link's hash: the shared handler would log the path
        logger.exception("download failed", extra={"link": link_reference(token_hash(token))})
        return page(request, "errors/problem.html", status=500, h1="Sorry, there is a problem with the service")
    if result.outcome is DownloadOutcome.EXPIRED:
        return page(request, "downloads/expired.html", status=410, h1=EXPIRED_H1)
    if result.outcome is DownloadOutcome.REPLACED:
        return page(request, "downloads/replaced.html", status=410, h1=REPLACED_H1)
    if result.outcome is DownloadOutcome.USED:
        return page(request, "downloads/used.html", status=410, h1=USED_H1)
    if result.outcome is DownloadOutcome.REDIRECT:
        return redirect(result.url)
    return Response(
        status_code=200,
        content_type=CSV_CONTENT_TYPE,
        body=result.content,
        headers={
            "Content-Disposition": f'attachment; filename="{result.filename}"',
            "Cache-Control": "no-store",
        },
    )
