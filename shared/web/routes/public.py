"""Pages anyone can reach: start, sign in and out, the organisation chooser, content pages."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.errors import NotAuthorised, NotFound
from shared.claims.windows import countdown, current_window
from shared.data.repositories import ClaimWindows
from shared.observability import logger
from shared.usecases.access import landing_for
from shared.usecases.sign_in import personas, sign_in_as_persona
from shared.web.pages import page, redirect, require_user
from shared.web.request import Request

router = Router()


def _request() -> Request:
    request: Request = router.context["request"]
    return request


@router.get("/")
def start() -> Response[Any]:
    request = _request()
    window = current_window(ClaimWindows().all(), request.now)
    return page(
        request,
        "start.html",
        h1="Claim funding for mentor training",
        window=window,
        countdown=countdown(window, request.now) if window else None,
    )


@router.get("/sign-in")
def sign_in() -> Response[Any]:
    request = _request()
    if request.user is not None:
        return _landing(request)
    config = router.context["config"]
    if config.persona_sign_in_enabled:
        return page(request, "sign-in/personas.html", h1="Sign in", personas=personas(config))
    raise NotFound  # DfE Sign-in (OIDC) is wired in when the service is deployed; see ADR 0006.


@router.post("/sign-in/persona")
def sign_in_persona() -> Response[Any]:
    request = _request()
    config = router.context["config"]
    if not config.persona_sign_in_enabled:
        raise NotFound
    try:
        user = sign_in_as_persona(config, request.field("user_id"))
    except NotAuthorised:
        raise NotFound from None
    request.start_signed_in_session(user)
    logger.info("signed in", extra={"user_id": user.user_id, "method": "persona"})
    landing = landing_for(user)
    return redirect(landing.location or "/organisations")


@router.get("/sign-out")
def sign_out() -> Response[Any]:
    request = _request()
    request.end_session()
    return redirect("/")


@router.get("/organisations")
def choose_organisation() -> Response[Any]:
    request = _request()
    require_user(request)
    return _landing(request, always_list=True)


def _landing(request: Request, always_list: bool = False) -> Response[Any]:
    user = require_user(request)
    landing = landing_for(user)
    if landing.location and (not always_list or not landing.organisations):
        return redirect(landing.location)
    if not landing.organisations:
        return page(request, "errors/no-organisation.html", status=403, h1="Tell us which organisation you’re part of")
    return page(request, "organisations/choose.html", h1="Choose an organisation", organisations=landing.organisations)


_CONTENT = {
    "/accessibility": (
        "Accessibility statement",
        [
            "This service is built to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA.",
            "Every page is checked with automated accessibility tests before it is released.",
            "If you find a problem, email ittmentor.funding@education.gov.uk.",
        ],
    ),
    "/cookies": (
        "Cookies",
        [
            "This service uses one essential cookie, called session, to keep you signed in. "
            "It expires when you sign out or after 2 hours without activity.",
            "We do not use analytics or advertising cookies.",
        ],
    ),
    "/privacy": (
        "Privacy notice",
        [
            "The Department for Education uses the information in your claims "
            "to pay grant funding for mentor training.",
            "We use a mentor’s date of birth only to find them in the Teaching Record System. We do not store it.",
        ],
    ),
}


@router.get("/accessibility")
@router.get("/cookies")
@router.get("/privacy")
def content() -> Response[Any]:
    request = _request()
    h1, paragraphs = _CONTENT[request.path]
    return page(request, "content.html", h1=h1, paragraphs=paragraphs)
