"""Support console: Settings → Emails, /support/settings/emails (ADR 0039): every email the service sends, from the
catalogue (`shared.claims.email_catalogue`), who gets it and when, and each one previewed with example data as its
recipient would read it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.email_catalogue import BY_SLUG, CATALOGUE, SERVICE_URL
from shared.claims.emails import SERVICE_NAME
from shared.claims.errors import NotFound
from shared.web.notify_markdown import render
from shared.web.pages import page
from shared.web.request import current_request
from shared.web.support import support_page

router = Router()

EMAILS = "/support/settings/emails"
EMAILS_H1 = "Emails"


@router.get(EMAILS)
def emails_page() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return page(request, "support/settings/emails.html", h1=EMAILS_H1, **support.context(EMAILS_H1), entries=CATALOGUE)


@router.get(f"{EMAILS}/<slug>")
def email_page(slug: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    entry = BY_SLUG.get(slug)
    if entry is None:
        raise NotFound(slug)
    message = entry.example()
    return page(
        request,
        "support/settings/email.html",
        h1=entry.name,
        **support.context(EMAILS_H1),
        entry=entry,
        message=message,
        body_html=render(message.body),
        sender=SERVICE_NAME,
        example_url=SERVICE_URL,
        back=EMAILS,
    )
