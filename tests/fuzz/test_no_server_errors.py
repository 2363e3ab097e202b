"""No input produces a 5xx (hypothesis): every route of WebFunction and SupportFunction, driven with generated
methods, paths (each route's parameters as real ids or anything), query strings, form bodies (unicode, huge,
missing and repeated fields), content types, bodies that are not forms at all, and cookies (none, made up, or a
signed-in persona's session with its real CSRF token, so a POST reaches its route). Every answer is below 500,
carries the security headers, and an HTML answer is a GOV.UK page."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, SeedData
from tests.support import Client, LambdaContextStub, api_event

PARAMETER = re.compile(r"<(\w+)>")
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")
# Each persona, and a page of theirs with a form (its CSRF token is the session's)
PERSONAS = {
    "Anne Wilson": f"/schools/{ANNE_WILSON_SCHOOL_URN}/users/new",
    "Colin Chapman": "/support/audits/new",
    "Patricia Adeyemi": "/providers/N97/audits/upload",
}
EXAMPLES = 400


def _routes(module: Any) -> list[tuple[str, str]]:
    resolver = module.app.resolver
    return sorted({(route.method, route.path) for route in [*resolver._static_routes, *resolver._dynamic_routes]})


@pytest.fixture(scope="module")
def sessions(apps: dict[str, Any]) -> list[tuple[str, str]]:
    """(cookie, CSRF token) of each persona, signed in once."""
    from tests.support import set_grant_conditions

    set_grant_conditions(ANNE_WILSON_SCHOOL_URN, accepted=True)
    found = []
    for persona, form_page in PERSONAS.items():
        client = Client(web=apps["web"], support=apps["support"])
        client.sign_in(persona)
        client.get(form_page)
        found.append(("; ".join(f"{k}={v}" for k, v in client.cookies.items()), client.csrf_token()))
    return found


def _known_ids(seed: SeedData) -> list[str]:
    """Ids that exist, so generated paths reach past "not found" into the routes."""
    ids = [ANNE_WILSON_SCHOOL_URN, "N97", "1000001", "window-2026-to-2027-1", "2026", "2026-to-2027"]
    ids += [user.user_id for user in seed.users[:3]] + [school.urn for school in seed.schools[:2]]
    return ids


text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
values = st.one_of(text, st.just(""), st.sampled_from(["0", "1", "²", "٣", "-1", "1e9", "9" * 30, "%", "\x00"]))
huge = st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "𝔘", "<", "1"]), st.integers(10_000, 400_000))
field_names = st.one_of(
    st.sampled_from(
        ["csrf_token", "hours", "provider_code", "mentor_trns", "reason", "q", "page", "academic_year", "email",
         "first_name", "last_name", "trn", "day", "month", "year", "confirmed", "agrees", "explanation", "run",
         "version", "status", "user_id", "vendor_number", "hours_completed", "search", "file", "choice"]
    ),
    text,
)  # fmt: skip


@st.composite
def requests(draw: st.DrawFn, routes: list[tuple[str, str]], ids: list[str]) -> tuple[str, str, dict[str, Any]]:
    method, pattern = draw(st.sampled_from(routes))
    method = draw(st.one_of(st.just(method), st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"])))
    path = PARAMETER.sub(lambda _: quote(draw(st.one_of(st.sampled_from(ids), text.filter(bool))), safe=""), pattern)
    if draw(st.booleans()):
        path += draw(st.sampled_from(["/", "//", "/x", "/%00", "/..", "/%2e%2e"]))
    query = urlencode(draw(st.lists(st.tuples(field_names, values), max_size=4)))
    return method, path, {"query": query}


@st.composite
def bodies(draw: st.DrawFn, csrf: str | None) -> tuple[str | None, str, bool]:
    """(body, content type, base64-encoded)."""
    kind = draw(st.sampled_from(["form", "form", "form", "huge", "multipart", "json", "binary", "none"]))
    if kind == "none":
        return None, "application/x-www-form-urlencoded", False
    if kind == "json":
        return draw(st.sampled_from(['{"a": 1}', "[", "null", '"é"'])), "application/json", False
    if kind == "binary":
        raw = draw(st.binary(max_size=200))
        return base64.b64encode(raw).decode(), draw(st.sampled_from(["application/octet-stream", "text/csv"])), True
    if kind == "multipart":
        boundary = draw(st.sampled_from(["b", "----x", ""]))
        part = draw(values)
        body = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n{part}\r\n'
        if draw(st.booleans()):
            body += f"--{boundary}--\r\n"
        return body, f"multipart/form-data; boundary={boundary}", False
    fields = draw(st.lists(st.tuples(field_names, st.one_of(values, huge) if kind == "huge" else values), max_size=6))
    token = draw(st.sampled_from(["real", "real", "real", "made up", "none"]))
    if token == "made up":
        fields.insert(0, ("csrf_token", draw(values)))
    elif token == "real" and csrf is not None:
        fields.insert(0, ("csrf_token", csrf))  # mostly the real token: the route itself runs
    content_type = draw(
        st.sampled_from(["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1", ""])
    )
    return urlencode(fields), content_type, False


def _check(response: dict[str, Any], method: str, path: str) -> None:
    status = int(response["statusCode"])
    assert status < 500, f"{method} {path} → {status}"
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    headers |= {k.lower(): v for k, v in (response.get("multiValueHeaders") or {}).items()}
    for name in SECURITY_HEADERS:
        assert name.lower() in headers, f"{method} {path}: no {name}"
    content_type = str(headers.get("content-type", ""))
    if "text/html" in content_type and status != 304:
        assert "govuk-template" in (response.get("body") or ""), f"{method} {path}: not a GOV.UK page"


def _drive(
    handler: Callable[[dict[str, Any], Any], dict[str, Any]],
    routes: list[tuple[str, str]],
    ids: list[str],
    sessions: list[tuple[str, str]],
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same examples every run: a failure reproduces, CI does not flake
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        method, path, extra = data.draw(requests(routes, ids))
        session = data.draw(st.one_of(st.none(), st.sampled_from(sessions)))
        cookie = session[0] if session else data.draw(st.one_of(st.none(), st.just("session=forged"), text))
        body, content_type, encoded = data.draw(bodies(session[1] if session else None))
        event = api_event(path, method, body if method == "POST" else None, cookie or None, extra["query"])
        event["headers"]["Content-Type"] = content_type
        event["multiValueHeaders"]["Content-Type"] = [content_type]
        event["isBase64Encoded"] = encoded and method == "POST"
        _check(handler(event, LambdaContextStub()), method, path)

    run()


def test_web_function_answers_every_input_without_a_server_error(
    apps: dict[str, Any], seed: SeedData, sessions: list[tuple[str, str]]
) -> None:
    import functions.web.app as web

    _drive(apps["web"], _routes(web), _known_ids(seed), sessions)


def test_support_function_answers_every_input_without_a_server_error(
    apps: dict[str, Any], seed: SeedData, sessions: list[tuple[str, str]]
) -> None:
    import functions.support.app as support

    _drive(apps["support"], _routes(support), _known_ids(seed), sessions)
