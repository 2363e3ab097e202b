"""The one way a web function is put together: routers, middleware, error pages, the handler.

Every request: parse → load session and user → check CSRF on POST → route → security headers,
session cookie. Domain errors become pages here and nowhere else.

CSRF is the session's token in every form, except for the one function built with `csrf="origin"`
(DownloadFunction, which has no session: the secret in its URL is the credential, ADR 12): there a POST
is accepted only from the service's own origin.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.claims.errors import NotAuthorised, NotFound, TooMuchToKeep
from shared.config import Settings
from shared.observability import logger, metrics, tracer
from shared.snapstart import before_snapshot
from shared.usecases.sessions import SessionStore
from shared.usecases.startup import configure
from shared.web.journeys import GoTo
from shared.web.pages import ShowInstead, SignInRequired, page
from shared.web.render import compile_pages
from shared.web.request import Request, parse_cookies, parse_form
from shared.web.school import GrantConditionsRequired

Clock = Callable[[], dt.datetime]
CsrfCheck = Literal["session", "origin"]

# Sec-Fetch-Site values of a request the service's own page made, or the browser itself (history, bookmark).
_OWN_FETCH_SITES = frozenset({"same-origin", "none"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def security_headers(nonce: str, config: Settings, form_origin: str = "") -> dict[str, str]:
    """The headers of every response; `form_origin`: one more origin a page's form may post to (the files bucket,
    for a form that uploads straight to it: ADR 0026)."""
    form_action = "'self'"
    if config.dfe_sign_in_issuer_url:
        form_action += f" {config.dfe_sign_in_issuer_url}"
    if form_origin:
        form_action += f" {form_origin}"
    return {
        "Content-Security-Policy": (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        ),
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), geolocation=(), microphone=()",
        "Cache-Control": "no-store",
    }


def web_origin(url: str) -> tuple[str, str, int] | None:
    """The origin (scheme, host, port) of an http(s) URL or Origin header value; None for anything else
    (`null`, an opaque origin, or garbage)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def from_own_origin(headers: Mapping[str, str], service_url: str) -> bool:
    """Whether a POST came from the service's own pages, by what the browser says about it (headers with
    lower-case names): `Sec-Fetch-Site` absent, `same-origin` or `none`, and `Origin` (or, without it,
    `Referer`) absent or of `service_url`'s origin. Browsers send `Origin` on every form POST and cannot be
    made to forge it; a client that sends neither header is not a browser, so not a forgery's victim."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.strip().lower() not in _OWN_FETCH_SITES:
        return False
    claimed = headers.get("origin")
    if claimed is None:
        claimed = headers.get("referer")
    if claimed is None:
        return True
    own = web_origin(service_url)
    return own is not None and web_origin(claimed) == own


START_AGAIN_H1 = "Sorry, you’ll need to start again"

# The session cookie's name (ADR 0040). Where cookies are Secure (every deployed copy, and the local stack on
# loopback, which browsers treat as secure) the `__Host-` prefix: a browser then keeps it only if it is Secure,
# for Path=/ and with no Domain, so no other site (a sibling subdomain, plain http) can set or overwrite it.
# A copy whose cookies are not Secure cannot use the prefix (browsers refuse the cookie): it has a plain name.
SECURE_SESSION_COOKIE = "__Host-session"
INSECURE_SESSION_COOKIE = "session"


def session_cookie_name(config: Settings) -> str:
    return SECURE_SESSION_COOKIE if config.cookie_secure else INSECURE_SESSION_COOKIE


def session_cookie(config: Settings, value: str, expire: bool = False) -> Cookie:
    """The session cookie as every response sets it: HttpOnly, SameSite=Lax, Path=/, no Domain, and Secure
    (with the `__Host-` name) wherever `config.cookie_secure`."""
    return Cookie(
        name=session_cookie_name(config),
        value=value,
        path="/",
        secure=config.cookie_secure,
        http_only=True,
        same_site=SameSite.LAX_MODE,
        max_age=0 if expire else None,
    )


class WebApp:
    """A Powertools resolver with the project's middleware and error pages.

    `csrf="origin"` is for DownloadFunction only: its POSTs carry no session token (it has no sessions) and
    are checked by `from_own_origin` instead. Every other function keeps the default, the session's token.
    """

    def __init__(self, routers: Sequence[Router], clock: Clock = _utcnow, csrf: CsrfCheck = "session") -> None:
        self.config = configure()
        self.csrf = csrf
        self.clock = clock
        self.sessions = SessionStore(
            dt.timedelta(minutes=self.config.session_idle_minutes),
            dt.timedelta(hours=self.config.session_lifetime_hours),
        )
        self.resolver = APIGatewayRestResolver(strip_prefixes=None)
        self.resolver.use(middlewares=[self._middleware])
        for router in routers:
            self.resolver.include_router(router)
        self.resolver.not_found(self._not_found)
        # SnapStart (ADR 0043): the snapshot holds every template compiled, not each restored environment's first
        # requests compiling them. Only a function with SnapStart on is ever snapshotted.
        before_snapshot(compile_pages, self.config.templates_path)

    # -- middleware -------------------------------------------------------------------------
    def _middleware(self, app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
        """The whole request inside the error handling: reading it, its session, the CSRF check, the route and
        saving the session. Whatever a request holds, the answer is a GOV.UK page with the security headers."""
        event = app.current_event
        request = Request(
            method=(event.http_method or "GET").upper(), path=event.path or "/", query={}, form={}, cookies={},
            now=self.clock(),
        )  # fmt: skip
        try:
            headers = {str(key).lower(): str(value) for key, value in (event.headers or {}).items()}
            request.query = {
                key: list(values) for key, values in (event.multi_value_query_string_parameters or {}).items()
            }
            request.cookies = parse_cookies(headers)
            request.form = parse_form(event.raw_event) if request.method == "POST" else {}
            self._load_session(request)
            app.append_context(request=request, config=self.config)
            if self.config.service_unavailable:
                response = page(request, "errors/unavailable.html", status=503, h1="Sorry, the service is unavailable")
                response.headers["Retry-After"] = "3600"
            elif request.method == "POST" and not self._post_allowed(request, headers):
                response = page(request, "errors/session-ended.html", status=403, h1=START_AGAIN_H1)
            else:
                response = next_middleware(app)
        except Exception as error:  # noqa: BLE001 - every error becomes a GOV.UK page, here only
            app.append_context(request=request, config=self.config)
            response = self._error_page(request, error)
        try:
            self._finish(request, response)
        except Exception as error:  # noqa: BLE001 - the session could not be saved: say so, never a bare 502
            response = self._error_page(request, error)
            for name, value in security_headers(request.nonce, self.config).items():
                response.headers.setdefault(name, value)
        return response

    def _load_session(self, request: Request) -> None:
        token = request.cookies.get(session_cookie_name(self.config))
        if not token:
            return
        found = self.sessions.load(token, request.now)
        if found is None:
            return
        session, request.user = found
        request.session = session
        # Keep the session alive, writing at most once a minute.
        if request.now - session.last_seen_at > dt.timedelta(minutes=1):
            request.session_dirty = True

    def _post_allowed(self, request: Request, headers: Mapping[str, str]) -> bool:
        if self.csrf == "origin":
            if from_own_origin(headers, self.config.service_url):
                return True
            # Never the path (it holds the link's secret), nor a Referer's path: the claimed origin only.
            claimed = web_origin(headers.get("origin") or headers.get("referer") or "")
            logger.warning(
                "csrf check failed",
                extra={
                    "check": "origin",
                    "origin": f"{claimed[0]}://{claimed[1]}:{claimed[2]}" if claimed else "opaque or none",
                    "sec_fetch_site": headers.get("sec-fetch-site", "")[:20],
                },
            )
            return False
        if self._csrf_ok(request):
            return True
        logger.info("csrf check failed", extra={"path": request.path})
        return False

    @staticmethod
    def _csrf_ok(request: Request) -> bool:
        if request.session is None:
            return False
        # As bytes: compare_digest refuses str with characters outside ASCII (a form can send anything)
        return hmac.compare_digest(request.field("csrf_token").encode(), request.session.csrf_token.encode())

    def _finish(self, request: Request, response: Response[Any]) -> None:
        if request.ended_session_token:
            self.sessions.end(request.ended_session_token)
        if request.session is not None and request.session_dirty:
            self.sessions.save(request.session, request.now)
            response.cookies.append(self._cookie(request.session.token))
        elif request.session is None and session_cookie_name(self.config) in request.cookies:
            response.cookies.append(self._cookie("", expire=True))
        for name, value in security_headers(request.nonce, self.config).items():
            response.headers.setdefault(name, value)

    def _cookie(self, value: str, expire: bool = False) -> Cookie:
        return session_cookie(self.config, value, expire)

    # -- error pages ------------------------------------------------------------------------
    @staticmethod
    def _error_page(request: Request, error: Exception) -> Response[Any]:
        """Typed errors to pages, in one place. Anything unexpected is logged and is a 500."""
        if isinstance(error, ShowInstead):
            return error.response
        if isinstance(error, GoTo):
            return Response(status_code=303, headers={"Location": error.location}, body="")
        if isinstance(error, SignInRequired):
            return Response(status_code=303, headers={"Location": "/sign-in"}, body="")
        if isinstance(error, GrantConditionsRequired):
            location = f"/schools/{error.school_id}/grant-conditions"
            return Response(status_code=303, headers={"Location": location}, body="")
        if isinstance(error, NotFound):
            return page(request, "errors/not-found.html", status=404, h1="Page not found")
        if isinstance(error, NotAuthorised):
            return page(request, "errors/not-authorised.html", status=403, h1="Your account is not authorised")
        if isinstance(error, TooMuchToKeep):
            return page(request, "errors/too-much.html", status=413, h1="Sorry, there is too much to save")
        logger.exception("unhandled error", extra={"path": request.path})
        return page(request, "errors/problem.html", status=500, h1="Sorry, there is a problem with the service")

    def _not_found(self, _: Exception) -> Response[Any]:
        request: Request = self.resolver.context["request"]
        return page(request, "errors/not-found.html", status=404, h1="Page not found")

    # -- entry point ------------------------------------------------------------------------
    def handler(self) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
        resolver = self.resolver

        @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
        @tracer.capture_lambda_handler(capture_response=False)
        @metrics.log_metrics
        def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
            response: dict[str, Any] = resolver.resolve(event, context)
            return response

        entry: Callable[[dict[str, Any], LambdaContext], dict[str, Any]] = lambda_handler
        return entry
