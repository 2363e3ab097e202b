"""Pages anyone can reach: start, sign in and out, the organisation chooser, content pages."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.emails import SUPPORT_EMAIL
from shared.claims.errors import NotAuthorised, NotFound
from shared.claims.windows import countdown
from shared.config import Settings
from shared.observability import logger
from shared.usecases import claim_windows
from shared.usecases.access import landing_for
from shared.usecases.sign_in import (
    CALLBACK_PATH,
    NoAccount,
    SignInFailed,
    came_through_dfe_sign_in,
    finish_dfe_sign_in,
    personas,
    sign_in_as_persona,
    sign_out_location,
    start_dfe_sign_in,
)
from shared.web.pages import page, redirect, require_user
from shared.web.request import Request, current_request

router = Router()


def _config() -> Settings:
    config: Settings = router.context["config"]
    return config


@router.get("/")
def start() -> Response[Any]:
    request = current_request(router)
    window = claim_windows.current(request.now)
    return page(
        request,
        "start.html",
        h1="Claim funding for mentor training",
        window=window,
        countdown=countdown(window, request.now) if window else None,
    )


@router.get("/sign-in")
def sign_in() -> Response[Any]:
    request = current_request(router)
    if request.user is not None:
        return _landing(request)
    config = _config()
    if config.persona_sign_in_enabled:
        return page(request, "sign-in/personas.html", h1="Sign in", personas=personas(config))
    if config.sign_in_method != "dfe-sign-in":
        raise NotFound  # persona sign-in asked for where it is never allowed (production)
    started = start_dfe_sign_in(config)
    request.ensure_session().data.update(started.session_data)
    request.session_dirty = True
    return redirect(started.location)


@router.get(CALLBACK_PATH)
def dfe_sign_in_callback() -> Response[Any]:
    request = current_request(router)
    config = _config()
    if config.sign_in_method != "dfe-sign-in":
        raise NotFound
    if request.user is not None:
        return _landing(request)
    session_data = request.session.data if request.session is not None else {}
    if request.session is not None:
        request.session_dirty = True  # the attempt's state and nonce are spent, whatever happens next
    try:
        signed_in = finish_dfe_sign_in(
            config, session_data, code=request.arg("code"), state=request.arg("state"), error=request.arg("error")
        )
    except NoAccount as refused:
        logger.info("sign-in refused", extra={"reason": "no_account", "method": "dfe-sign-in"})
        # Kept so that "sign out" on the page signs them out of DfE Sign-in, to try another account.
        request.ensure_session().data.update(refused.session_data)
        request.session_dirty = True
        return page(
            request, "errors/no-account.html", status=403, h1="Ask for an account to claim funding for mentor training"
        )
    except SignInFailed as failed:
        logger.info("sign-in refused", extra={"reason": failed.reason, "method": "dfe-sign-in"})
        return page(request, "errors/session-ended.html", status=403, h1="Sorry, you’ll need to start again")
    request.start_signed_in_session(signed_in.user)
    request.ensure_session().data.update(signed_in.session_data)
    logger.info("signed in", extra={"user_id": signed_in.user.user_id, "method": "dfe-sign-in"})
    return redirect(signed_in.location)


@router.post("/sign-in/persona")
def sign_in_persona() -> Response[Any]:
    request = current_request(router)
    config = _config()
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
def sign_out_page() -> Response[Any]:
    """A GET never signs out (another site's link or image could make one): it shows the "Sign out" button."""
    request = current_request(router)
    session_data = request.session.data if request.session is not None else {}
    through_dsi = came_through_dfe_sign_in(session_data)
    if request.user is None and not through_dsi:
        return redirect("/")
    return page(request, "sign-out.html", h1="Sign out", through_dfe_sign_in=through_dsi)


@router.post("/sign-out")
def sign_out() -> Response[Any]:
    request = current_request(router)
    location = sign_out_location(
        _config(),
        signed_in=request.user is not None,
        session_data=request.session.data if request.session is not None else {},
    )
    request.end_session()
    return redirect(location)


@router.get("/organisations")
def choose_organisation() -> Response[Any]:
    request = current_request(router)
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
            f"If you find a problem, email {SUPPORT_EMAIL}.",
        ],
    ),
    "/cookies": (
        "Cookies",
        [
            "This service uses one essential cookie, called __Host-session, to keep you signed in. "
            "It expires when you sign out, after 2 hours without activity or 12 hours after you signed in.",
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
    request = current_request(router)
    h1, paragraphs = _CONTENT[request.path]
    return page(request, "content.html", h1=h1, paragraphs=paragraphs)
