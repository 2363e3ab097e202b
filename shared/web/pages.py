"""Rendering responses and the access checks every page makes."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from shared.claims.errors import NotAuthorised, NotFound
from shared.claims.people import Role, User
from shared.config import settings
from shared.web.render import render_page
from shared.web.request import Request


class SignInRequired(Exception):
    """The page needs a signed-in user; they are sent to sign in."""


class ShowInstead(Exception):
    """A helper found the page cannot be shown, and has the page that says why: the web shell answers with it
    (so routes do not check whether a helper returned a value or a page)."""

    def __init__(self, response: Response[Any]) -> None:
        super().__init__(response.status_code)
        self.response = response


def page(request: Request, template: str, *, h1: str, status: int = 200, **context: Any) -> Response[str]:
    """Render a page. Invalid POSTs re-render with 200 and `errors`; the title follows the h1.

    Forms put `request.csrf_token` in a hidden field; asking for it starts a visitor's session,
    so pages without forms never write one.
    """
    values: dict[str, Any] = {
        "h1": h1,
        "request": request,
        "user": request.user,
        "csp_nonce": request.nonce,
        **context,
    }
    body = render_page(settings().templates_path, template, values)
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=body)


def redirect(location: str) -> Response[str]:
    """After a valid POST (and for navigation): 303 See Other."""
    return Response(status_code=303, headers={"Location": location}, body="")


def require_user(request: Request, role: Role | None = None) -> User:
    if request.user is None:
        raise SignInRequired
    if role is not None and request.user.role is not role:
        raise NotAuthorised
    return request.user


def require_found(condition: bool) -> None:
    if not condition:
        raise NotFound
