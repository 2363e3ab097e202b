"""Test helpers shared by the suites: the environment, tables from template.yaml, a web client and
the page checks every rendered page must pass."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
REGION = "eu-west-2"
SERVICE = "Claim funding for mentor training"
# A fixed "now" for integration tests: a Saturday in the 2026 to 2027 academic year.
NOW = dt.datetime(2026, 11, 28, 10, 30, tzinfo=dt.UTC)
# The session cookie's name where cookies are Secure, as in the test copy and every deployed one (ADR 0040).
SESSION_COOKIE = "__Host-session"


def table_name(logical_id: str) -> str:
    return f"test-{logical_id}"


def test_environment() -> dict[str, str]:
    from infrastructure.local.template import load_template, table_definitions

    tables = table_definitions(load_template(ROOT / "template.yaml"), table_name)
    env = {name: spec.create_kwargs["TableName"] for name, spec in tables.items()}
    env.update(
        {
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "ENVIRONMENT": "test",
            "FILES_BUCKET": "test-files",
            "EMAIL_QUEUE_URL": "",
            "SIGN_IN_METHOD": "persona",
            "POWERTOOLS_SERVICE_NAME": "claim-funding-for-mentors",
            "POWERTOOLS_METRICS_NAMESPACE": "ClaimFundingForMentors",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_DEV": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def apply_test_environment() -> None:
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(test_environment())
    from shared.config import settings

    settings.cache_clear()


def create_tables() -> None:
    """Every table exactly as template.yaml defines it (keys, indexes, TTL): models cannot drift."""
    import boto3

    from infrastructure.local.template import load_template, table_definitions

    client = boto3.client("dynamodb", region_name=REGION)
    for spec in table_definitions(load_template(ROOT / "template.yaml"), table_name).values():
        client.create_table(**spec.create_kwargs)
        if spec.ttl_attribute:
            client.update_time_to_live(
                TableName=spec.create_kwargs["TableName"],
                TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
            )


# -- one suite's AWS, isolated from the others' ----------------------------------------------------
def moto_in_process_active() -> bool:
    """Whether a `mock_aws` is open in this process (moto counts them, nested ones included)."""
    if "moto.core.models" not in sys.modules:
        return False  # moto was never imported: a suite that does not use it does not pay for its import
    from moto.core.models import MockAWS

    return bool(MockAWS._nested_count)


def reset_moto() -> None:
    """Forget every resource moto holds in this process: what `POST /moto-api/reset` does to a server.

    moto's backends are process-global: a `ThreadedMotoServer` serves the same ones as `mock_aws`, and
    stopping a server leaves its tables behind for the next suite."""
    if "moto.core.models" not in sys.modules:
        return
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


def forget_aws_clients() -> None:
    """Drop what the service caches for the AWS in force when it was first used: `settings()`, every
    module-level `lru_cache` under shared/ (the boto3 clients: a client keeps the endpoint it was made with),
    PynamoDB's per-model connections, and the function modules (each `app` keeps the settings it was
    imported with: the next import is a cold start in the environment of the suite that makes it), and what this
    thread keeps in a module's `threading.local` (the transactions' connection)."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("shared."):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == name:
                value.cache_clear()
            elif isinstance(value, threading.local):
                vars(value).clear()  # this thread's (a transaction's connection keeps its endpoint)
    pynamodb_models = sys.modules.get("pynamodb.models")
    models: list[type[Any]] = [pynamodb_models.Model] if pynamodb_models else []
    while models:
        model = models.pop()
        models.extend(model.__subclasses__())
        model._connection = None
    for name in [name for name in sys.modules if name == "functions" or name.startswith("functions.")]:
        del sys.modules[name]


@contextlib.contextmanager
def isolated_suite() -> Iterator[None]:
    """What every suite's package-scoped fixture wraps it in, so suites can share one pytest process (and
    an xdist worker can go from one suite to another): it starts from no moto state, the test environment
    and no cached clients, and puts the process environment back as it found it when the suite ends."""
    if moto_in_process_active():
        raise RuntimeError("a mock_aws from another suite is still open: its fixture must be package-scoped")
    saved = dict(os.environ)
    reset_moto()
    apply_test_environment()
    forget_aws_clients()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_moto()
        forget_aws_clients()


# -- pages -------------------------------------------------------------------------------------
class PageProblem(AssertionError):
    pass


def check_page(html: str) -> BeautifulSoup:
    """The invariants of every page (docs/conventions.md): one h1, the title pattern, unique ids,
    error-summary links that resolve, a CSRF token in every POST form."""
    soup = BeautifulSoup(html, "html.parser")
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        raise PageProblem(f"expected one <h1>, found {len(h1s)}")
    h1 = " ".join(h1s[0].get_text().split())
    title = " ".join((soup.title.get_text() if soup.title else "").split())
    summary = soup.select_one(".govuk-error-summary")
    prefix = "Error: " if summary else ""
    expected = f"{prefix}{h1} - {SERVICE} - GOV.UK"
    if title != expected:
        raise PageProblem(f"title {title!r}, expected {expected!r}")
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise PageProblem(f"duplicate ids: {sorted(duplicates)}")
    if summary:
        for link in summary.select("a[href^='#']"):
            target = str(link["href"])[1:]
            if target not in ids:
                raise PageProblem(f"error summary link #{target} has no target")
    for form in soup.find_all("form"):
        # A form posting elsewhere (a presigned POST to the files bucket, ADR 0026) carries that place's own
        # proof (the signed policy), not the service's CSRF token.
        offsite = str(form.get("action", "")).startswith(("https://", "http://"))
        if (
            str(form.get("method", "get")).lower() == "post"
            and not offsite
            and not form.find("input", attrs={"name": "csrf_token"})
        ):
            raise PageProblem(f"POST form to {form.get('action')} has no CSRF token")
    return soup


@dataclass
class Page:
    status: int
    headers: dict[str, list[str]]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", [""])[0]

    @property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.body, "html.parser")

    @property
    def h1(self) -> str:
        tag = self.soup.find("h1")
        return " ".join(tag.get_text().split()) if tag else ""

    def text(self) -> str:
        return " ".join(self.soup.get_text().split())


class LambdaContextStub:
    function_name = "test-function"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:test-function"
    aws_request_id = "test-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def api_event(
    path: str, method: str = "GET", body: str | None = None, cookie: str | None = None, query: str = ""
) -> dict[str, Any]:
    from urllib.parse import parse_qs

    headers = {"Host": "127.0.0.1", "Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    multi = parse_qs(query, keep_blank_values=True) or None
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi.items()} if multi else None,
        "multiValueQueryStringParameters": multi,
        "pathParameters": None,
        "requestContext": {
            "requestId": "test",
            "path": path,
            "stage": "live",
            "httpMethod": method,
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


@dataclass
class Client:
    """A browser-like client over the handlers: keeps the session cookie, finds CSRF tokens,
    routes /support to the support function like API Gateway, and checks every HTML page."""

    web: Callable[[dict[str, Any], Any], dict[str, Any]]
    support: Callable[[dict[str, Any], Any], dict[str, Any]]
    cookies: dict[str, str] = field(default_factory=dict)
    last: Page | None = None
    _csrf: str | None = None

    def _handler(self, path: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        return self.support if path == "/support" or path.startswith("/support/") else self.web

    def request(self, method: str, path: str, data: dict[str, Any] | None = None, check: bool = True) -> Page:
        path, _, query = path.partition("?")
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items()) or None
        body = urlencode(data or {}, doseq=True) if method == "POST" else None
        response = self._handler(path)(api_event(path, method, body, cookie, query), LambdaContextStub())
        headers: dict[str, list[str]] = {k: [str(v)] for k, v in (response.get("headers") or {}).items()}
        headers.update({k: [str(x) for x in v] for k, v in (response.get("multiValueHeaders") or {}).items()})
        for raw in headers.get("Set-Cookie", []):
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                before = self.cookies.get(name)
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
                if self.cookies.get(name) != before:
                    self._csrf = None  # a new or ended session: the old token is no longer any good
        page = Page(int(response["statusCode"]), headers, response.get("body") or "")
        if check and headers.get("Content-Type", [""])[0].startswith("text/html"):
            check_page(page.body)
        self.last = page
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.body)
        if found:
            self._csrf = found.group(1)  # one token per session: remember it as a browser's forms would
        return page

    def get(self, path: str, check: bool = True) -> Page:
        return self.request("GET", path, check=check)

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True) -> Page:
        values = dict(data or {})
        if csrf and "csrf_token" not in values:
            values["csrf_token"] = self.csrf_token()
        return self.request("POST", path, values)

    def csrf_token(self) -> str:
        assert self._csrf is not None, "open a page with a form first"
        return self._csrf

    def sign_in(self, full_name: str) -> Page:
        self.get("/sign-in")
        soup = self.last.soup if self.last else None
        assert soup is not None
        for form in soup.find_all("form"):
            button = form.find("button")
            if button and button.get_text(strip=True) == f"Sign in as {full_name}":
                user_id = form.find("input", attrs={"name": "user_id"})["value"]
                return self.post("/sign-in/persona", {"user_id": user_id})
        raise AssertionError(f"no persona called {full_name}")

    def sign_out(self) -> Page:
        """Sign out as a browser does: the "Sign out" button (a POST with the session's CSRF token). The sign-out
        page is what a GET of /sign-out shows; without a session to end it redirects and there is nothing to do."""
        page = self.get("/sign-out")
        if page.status != 200:
            return page
        form = page.soup.find("form", attrs={"action": "/sign-out", "method": "post"})
        assert form is not None, "no sign-out form"
        return self.post("/sign-out")

    def follow(self, page: Page) -> Page:
        assert page.status in (302, 303), page.status
        return self.get(page.location)


def set_grant_conditions(urn: str, accepted: bool) -> None:
    """Put a school's grant-condition acceptance into a known state for a test."""
    from shared.data.items import OrganisationItem

    item = OrganisationItem(organisation_id=urn)
    if accepted:
        item.update(
            actions=[
                OrganisationItem.grant_conditions_accepted_at.set(NOW),
                OrganisationItem.grant_conditions_accepted_by.set("user-anne-wilson"),
            ]
        )
    else:
        item.update(
            actions=[
                OrganisationItem.grant_conditions_accepted_at.remove(),
                OrganisationItem.grant_conditions_accepted_by.remove(),
            ]
        )


def queued_emails() -> list[dict[str, Any]]:
    """Take every message off the test email queue (as the sender would), oldest first."""
    import json

    import boto3

    sqs = boto3.client("sqs", region_name=REGION)
    url = os.environ["EMAIL_QUEUE_URL"]
    found: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
