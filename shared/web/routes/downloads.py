"""The payer's single-use links. GET /downloads/<token> shows a page about the file with a "Download the file"
button and changes nothing (mail security scanners fetch every link in an email on arrival); the button's
POST /downloads/<token> gives the file once, then a page that says why not.

Served by DownloadFunction, not the web or support functions. The path holds the token, which is a secret:
nothing here logs the path, and unexpected errors are logged by the link's hash before the problem page.
The function has no session, so its `WebApp` checks a POST's origin instead of a session's CSRF token
(ADR 12); the form carries the link's own token as its `csrf_token`, and a POST without it is refused.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.errors import NotFound
from shared.observability import logger
from shared.usecases.payer_links import (
    CSV_CONTENT_TYPE,
    DownloadOutcome,
    download_page,
    link_reference,
    open_download,
    token_hash,
)
from shared.web.pages import page, redirect
from shared.web.request import Request, current_request

router = Router()

PAGE_H1 = "Download the payment file"
CLAWBACK_PAGE_H1 = "Download the clawback file"
EXPIRED_H1 = "This link has expired"
USED_H1 = "This link has already been used"
REPLACED_H1 = "This link has been replaced"
START_AGAIN_H1 = "Sorry, you’ll need to start again"

_GONE = {
    DownloadOutcome.EXPIRED: ("downloads/expired.html", EXPIRED_H1),
    DownloadOutcome.REPLACED: ("downloads/replaced.html", REPLACED_H1),
    DownloadOutcome.USED: ("downloads/used.html", USED_H1),
}


def without_cookies(event: dict[str, Any]) -> dict[str, Any]:
    """The event without its Cookie header: a download never reads, renews or ends a session."""
    cleaned = dict(event)
    for name in ("headers", "multiValueHeaders"):
        headers = event.get(name)
        if isinstance(headers, dict):
            cleaned[name] = {key: value for key, value in headers.items() if key.lower() != "cookie"}
    return cleaned


def _guarded[T](request: Request, token: str, action: Callable[[], T]) -> T | Response[Any]:
    """Run the use case; an unexpected error is logged by the link's hash (the shared handler would log
    the path, which holds the token) and is the problem page. NotFound is the shared 404 page."""
    try:
        return action()
    except NotFound:
        raise
    except Exception:  # noqa: BLE001 - logged here by the link's hash: the shared handler would log the path
        logger.exception("download failed", extra={"link": link_reference(token_hash(token))})
        return page(request, "errors/problem.html", status=500, h1="Sorry, there is a problem with the service")


def _gone(request: Request, outcome: DownloadOutcome) -> Response[Any] | None:
    if outcome not in _GONE:
        return None
    template, h1 = _GONE[outcome]
    return page(request, template, status=410, h1=h1)


@router.get("/downloads/<token>")
def show_download(token: str) -> Response[Any]:
    request = current_request(router)
    result = _guarded(request, token, lambda: download_page(token, request.now))
    if isinstance(result, Response):
        return result
    gone = _gone(request, result.outcome)
    if gone is not None:
        return gone
    h1 = CLAWBACK_PAGE_H1 if result.clawback else PAGE_H1
    return page(request, "downloads/download.html", h1=h1, token=token, file=result)


@router.post("/downloads/<token>")
def download(token: str) -> Response[Any]:
    request = current_request(router)
    # The form's hidden field is the link's token (there is no session to hold a CSRF token); WebApp has
    # already refused a POST from another origin.
    if not hmac.compare_digest(request.field("csrf_token").encode(), token.encode()):
        return page(request, "errors/session-ended.html", status=403, h1=START_AGAIN_H1)
    result = _guarded(request, token, lambda: open_download(token, request.now))
    if isinstance(result, Response):
        return result
    gone = _gone(request, result.outcome)
    if gone is not None:
        return gone
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
