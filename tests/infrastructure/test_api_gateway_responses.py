"""API Gateway's own answers are GOV.UK pages, not its JSON: a body over the limits (413), throttling
(429) and a failed integration (5xx) each answer with a page that keeps the invariants of every page, the security
headers, and says what happened; an upload's bytes reach the function untouched (multipart is a binary type)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import check_page

RESPONSES = {"REQUEST_TOO_LARGE": "413", "THROTTLED": "429", "DEFAULT_5XX": None}


def _api(template: dict[str, Any]) -> dict[str, Any]:
    (api,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Api"]
    return dict(api["Properties"])


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_each_gateway_response_is_a_govuk_page_with_the_security_headers(template: dict[str, Any], name: str) -> None:
    response = _api(template)["DefinitionBody"]["x-amazon-apigateway-gateway-responses"][name]
    if RESPONSES[name]:
        assert str(response["statusCode"]) == RESPONSES[name]
    headers = response["responseParameters"]
    assert headers["gatewayresponse.header.Content-Type"] == "'text/html; charset=utf-8'"
    assert headers["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"
    assert headers["gatewayresponse.header.X-Frame-Options"] == "'DENY'"
    templates = response["responseTemplates"]
    assert set(templates) == {"text/html", "application/json"}  # API Gateway picks by the request's Accept
    html = templates["text/html"]
    assert templates["application/json"] == html
    soup = check_page(html)  # one h1, the title pattern, unique ids
    assert soup.select_one('link[href="/assets/govuk-frontend.min.css"]') is not None
    assert "$" not in html  # a gateway response template is a mapping template: no stray variables


def test_the_too_large_page_names_the_limit(template: dict[str, Any]) -> None:
    from shared.web.uploads import MAX_UPLOAD_TEXT

    response = _api(template)["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]["REQUEST_TOO_LARGE"]
    assert (
        f'<h1 class="govuk-heading-l">The selected file must be smaller than {MAX_UPLOAD_TEXT}</h1>'
        in (response["responseTemplates"]["text/html"])
    )


def test_uploads_reach_the_functions_as_the_bytes_sent(template: dict[str, Any]) -> None:
    assert "multipart~1form-data" in _api(template)["BinaryMediaTypes"]
