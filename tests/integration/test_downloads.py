"""DownloadFunction under moto: a payer's single-use link opens a page with a "Download the file" button;
only pressing it (a POST) uses the link up and gives the file, once, exactly; then clear pages. An email
security scanner that fetches the link first changes nothing. The token is never stored or logged."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
import pytest

from tests.support import NOW, REGION, LambdaContextStub, Page, api_event, check_page

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

# A payment file as GeneratePaymentFile writes it: UTF-8, a neutralised formula, quotes, a Welsh name.
FILE = (
    "claim_reference,school_urn,vendor_number,school_name,school_local_authority,provider_name,claim_amount,"
    "school_type_of_establishment,school_group,claim_submission_date,claim_status,claim_unpaid_reason\r\n"
    "10000001,100001,V1,Ysgol Gymraeg Bro Môr,Leeds,Sheffield Hallam University,438.00,Community school,"
    'Local authority maintained schools,2026-11-20,submitted,\r\n10000002,100002,,"\'=HYPERLINK(""x"") Academy",'
    "Camden,Sheffield Hallam University,262.80,Academy converter,Academies,2026-11-21,submitted,\r\n"
)
ROWS, TOTAL_PENCE = 2, 43800 + 26280

# The service's own origin (settings().service_url in the test environment), and a browser's form post from it.
SERVICE_ORIGIN = "http://127.0.0.1:3000"
SAME_ORIGIN = {"Origin": SERVICE_ORIGIN, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"}
# What a mail security scanner sends: a browser-like User-Agent, no cookies, no Origin.
SCANNER = {
    "User-Agent": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"
    ),
    "Accept": "text/html,application/xhtml+xml,*/*",
}
CROSS_SITE_H1 = "Sorry, you’ll need to start again"


@pytest.fixture(scope="module")
def download(aws: None) -> Handler:
    import functions.download_file.app as module

    module.app.clock = lambda: NOW
    return module.lambda_handler


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """The function's log, captured."""
    from shared.observability import logger

    captured = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(captured)
    try:
        yield captured
    finally:
        handler.setStream(previous)


def _issue(run_id: str, content: str = FILE, *, created: dt.datetime = NOW) -> str:
    """A link to a file, as NotifyPayer issues it: the file in S3, the token's hash in DynamoDB."""
    from shared.data.download_tokens import DownloadTokens
    from shared.usecases.payer_links import link_expiry, new_token, token_hash

    key = f"payment-runs/{run_id}/payments-claims-{created:%Y-%m-%dT%H%M%SZ}.csv"
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=os.environ["FILES_BUCKET"], Key=key, Body=content.encode("utf-8")
    )
    token = new_token()
    assert DownloadTokens().issue_for_run(
        run_id, key, token_hash(token), created, link_expiry(created), row_count=ROWS, total_pence=TOTAL_PENCE
    )
    return token


def _call(
    handler: Handler,
    path: str,
    method: str = "GET",
    *,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    cookie: str | None = None,
) -> tuple[Page, dict[str, Any]]:
    body = urlencode(form) if form is not None else None
    event = api_event(path, method, body, cookie=cookie)
    for name, value in (headers or {}).items():
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
    response = handler(event, LambdaContextStub())
    found: dict[str, list[str]] = {k: [str(v)] for k, v in (response.get("headers") or {}).items()}
    found.update({k: [str(x) for x in v] for k, v in (response.get("multiValueHeaders") or {}).items()})
    page = Page(int(response["statusCode"]), found, response.get("body") or "")
    if found.get("Content-Type", [""])[0].startswith("text/html"):
        check_page(page.body)
    return page, response


def _get(
    handler: Handler, path: str, cookie: str | None = None, headers: dict[str, str] | None = None
) -> tuple[Page, dict[str, Any]]:
    return _call(handler, path, headers=headers, cookie=cookie)


def _post(
    handler: Handler,
    token: str,
    headers: dict[str, str] | None = None,
    cookie: str | None = None,
    form: dict[str, str] | None = None,
) -> tuple[Page, dict[str, Any]]:
    """Pressing "Download the file": the form on the link's page, posted back to the link from the service."""
    fields = form if form is not None else {"csrf_token": token}
    sent = SAME_ORIGIN if headers is None else headers
    return _call(handler, f"/downloads/{token}", "POST", form=fields, headers=sent, cookie=cookie)


def _stored(token: str) -> dict[str, Any]:
    from shared.config import settings
    from shared.usecases.payer_links import token_hash

    item: dict[str, Any] = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=settings().download_tokens_table, Key={"token_hash": {"S": token_hash(token)}}
    )["Item"]
    return item


def _assert_the_file(page: Page, response: dict[str, Any]) -> None:
    """The file, byte for byte, as a CSV attachment named for its date, never cached."""
    assert page.status == 200
    assert response["isBase64Encoded"] is False
    assert page.body.encode("utf-8") == FILE.encode("utf-8")
    assert page.headers["Content-Type"] == ["text/csv; charset=utf-8"]
    assert page.headers["Content-Disposition"] == ['attachment; filename="payments-claims-2026-11-28.csv"']
    assert page.headers["Cache-Control"] == ["no-store"]
    assert page.headers["X-Content-Type-Options"] == ["nosniff"]


def test_a_mail_scanner_opening_the_link_leaves_it_for_the_payer(download: Handler) -> None:
    # Given a link the payer was emailed
    token = _issue("window-d0-run-1")
    # When the mail system's scanner fetches it on arrival, twice, with no cookies
    for _ in range(2):
        scanned, _ = _get(download, f"/downloads/{token}", headers=SCANNER)
        # Then it gets the page with the button, not the file
        assert scanned.status == 200
        assert scanned.h1 == "Download the payment file"
        assert "claim_reference" not in scanned.body
    # And the link is still unused
    assert "used_at" not in _stored(token)
    # When the payer opens it and presses "Download the file"
    opened, _ = _get(download, f"/downloads/{token}")
    assert opened.status == 200
    page, response = _post(download, token)
    # Then they get the file
    _assert_the_file(page, response)
    assert "used_at" in _stored(token)


def test_the_page_shows_the_file_its_claims_total_and_expiry_with_one_button(download: Handler) -> None:
    # Given a link to a file of 2 claims totalling £700.80, issued at 10:30am on 28 November 2026
    token = _issue("window-d8-run-1")
    # When it is opened
    page, _ = _get(download, f"/downloads/{token}")
    # Then a GOV.UK page names the file the browser will save, the claims in it, their total and the expiry
    assert page.status == 200
    assert page.headers["Content-Type"][0].startswith("text/html")
    assert page.headers["Cache-Control"] == ["no-store"]
    assert page.h1 == "Download the payment file"
    text = page.text()
    rows = {
        " ".join(row.select_one(".govuk-summary-list__key").get_text().split()): " ".join(
            row.select_one(".govuk-summary-list__value").get_text().split()
        )
        for row in page.soup.select(".govuk-summary-list__row")
    }
    assert rows == {
        "File name": "payments-claims-2026-11-28.csv",
        "Claims": "2",
        "Total": "£700.80",
        "Link expires": "5 December 2026 at 10:30am (UK time)",
    }
    # And it says the link works once
    assert "This link can only be used once" in text
    # And the one form posts to the same link, without JavaScript, with a "Download the file" button
    (form,) = page.soup.find_all("form")
    assert str(form.get("method")).lower() == "post"
    assert form.get("action") in (None, "", f"/downloads/{token}")
    button = form.find("button")
    assert button is not None
    assert " ".join(button.get_text().split()) == "Download the file"
    # And opening the page neither starts a session nor uses the link
    assert "Set-Cookie" not in page.headers
    assert "used_at" not in _stored(token)


def test_the_first_press_gives_the_exact_file_and_the_second_is_refused(download: Handler) -> None:
    # Given a link the payer was emailed, opened
    token = _issue("window-d1-run-1")
    assert _get(download, f"/downloads/{token}")[0].status == 200
    # When they press "Download the file"
    page, response = _post(download, token)
    # Then they get the file, byte for byte, as a CSV attachment named for its date, never cached
    _assert_the_file(page, response)
    # And the link is now used
    assert "used_at" in _stored(token)
    # When they press it again
    again, _ = _post(download, token)
    # Then a page says it has been used, and gives no file
    assert again.status == 410
    assert again.h1 == "This link has already been used"
    assert "ittmentor.funding@education.gov.uk" in again.text()
    assert "claim_reference" not in again.body
    # And opening the link again says the same
    reopened, _ = _get(download, f"/downloads/{token}")
    assert reopened.status == 410
    assert reopened.h1 == "This link has already been used"
    assert "claim_reference" not in reopened.body


def test_an_expired_link_gives_a_page_and_stays_unused(download: Handler) -> None:
    # Given a link issued 8 days ago (DynamoDB TTL may not have removed it yet)
    token = _issue("window-d2-run-1", created=NOW - dt.timedelta(days=8))
    # When it is opened, or its button pressed from a page opened earlier
    for page, _ in (_get(download, f"/downloads/{token}"), _post(download, token)):
        # Then a page says it has expired and how to get the file again
        assert page.status == 410
        assert page.h1 == "This link has expired"
        assert "ask us to send the file again" in page.text()
        assert "ittmentor.funding@education.gov.uk" in page.text()
    assert "used_at" not in _stored(token)


def test_an_unknown_or_malformed_link_is_not_found(download: Handler) -> None:
    from shared.usecases.payer_links import new_token

    for token in (new_token(), "not-a-token", "A" * 44):
        for page, _ in (_get(download, f"/downloads/{token}"), _post(download, token)):
            assert page.status == 404, token
            assert page.h1 == "Page not found"


def test_the_raw_token_is_stored_nowhere_in_dynamodb(download: Handler) -> None:
    # Given a link that has been issued, opened and used
    token = _issue("window-d3-run-1")
    _get(download, f"/downloads/{token}")
    assert _post(download, token)[0].status == 200
    # When every table is read
    client = boto3.client("dynamodb", region_name=REGION)
    everything = []
    for table in client.list_tables()["TableNames"]:
        everything += client.scan(TableName=table)["Items"]
    # Then the token appears in none of them (only its SHA-256 does)
    dumped = json.dumps(everything, ensure_ascii=False)
    assert token not in dumped
    from shared.usecases.payer_links import token_hash

    assert token_hash(token) in dumped


def test_a_download_never_touches_a_visitors_session(download: Handler) -> None:
    # Given a support user's browser, with a session cookie for the same site
    token = _issue("window-d4-run-1")
    # When it opens the link and presses the button
    opened, _ = _get(download, f"/downloads/{token}", cookie="session=a-support-users-session")
    page, _ = _post(download, token, cookie="session=a-support-users-session")
    # Then the page and the file come back and the session cookie is neither read nor ended
    assert opened.status == 200
    assert page.status == 200
    assert "Set-Cookie" not in opened.headers
    assert "Set-Cookie" not in page.headers


def test_losing_the_race_to_use_a_link_is_already_used(download: Handler, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given another request uses the link between this one reading it and marking it used
    from shared.data.download_tokens import DownloadTokens
    from shared.data.files import fetch_file
    from shared.usecases.payer_links import token_hash

    token = _issue("window-d5-run-1")

    def fetch_then_lose(key: str, max_bytes: int) -> Any:
        DownloadTokens().use(token_hash(token), NOW)
        return fetch_file(key, max_bytes)

    monkeypatch.setattr("shared.usecases.payer_links.fetch_file", fetch_then_lose)
    # When this request finishes
    page, _ = _post(download, token)
    # Then it gets the "already used" page, not a second copy of the file
    assert page.status == 410
    assert page.h1 == "This link has already been used"


def test_a_storage_failure_keeps_the_link_and_logs_no_token(
    download: Handler, monkeypatch: pytest.MonkeyPatch, log: io.StringIO
) -> None:
    # Given S3 fails while the file is read, and the function's log is captured
    import shared.usecases.payer_links as links

    token = _issue("window-d6-run-1")

    def broken(key: str, max_bytes: int) -> Any:
        raise ConnectionError("S3 unavailable")

    monkeypatch.setattr(links, "fetch_file", broken)
    # When the button is pressed
    page, _ = _post(download, token)
    # Then the problem page shows, the link can still be used, and the logs name the link by its hash only
    assert page.status == 500
    assert page.h1 == "Sorry, there is a problem with the service"
    assert "used_at" not in _stored(token)
    logged = log.getvalue()
    assert "download failed" in logged
    assert links.token_hash(token)[:8] in logged
    assert token not in logged
    monkeypatch.undo()
    assert _post(download, token)[0].status == 200


def test_a_file_too_large_for_a_lambda_response_is_handed_over_by_a_short_lived_url(
    download: Handler, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a file larger than a Lambda response may carry (the limit lowered for the test)
    import shared.usecases.payer_links as links

    monkeypatch.setattr(links, "INLINE_LIMIT_BYTES", 100)
    token = _issue("window-d7-run-1")
    # When the link is opened, the page still shows, and the link is not used
    assert _get(download, f"/downloads/{token}")[0].status == 200
    assert "used_at" not in _stored(token)
    # When the button is pressed
    page, _ = _post(download, token)
    # Then the browser is sent to a presigned URL for that file, valid for a minute, saved under the same name
    assert page.status == 303
    location = urlsplit(page.location)
    assert location.path.endswith("/payment-runs/window-d7-run-1/payments-claims-2026-11-28T103000Z.csv")
    query = parse_qs(location.query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-disposition"] == ['attachment; filename="payments-claims-2026-11-28.csv"']
    assert query["response-cache-control"] == ["no-store"]
    assert page.headers["Cache-Control"] == ["no-store"]
    # And the link is used up
    assert "used_at" in _stored(token)
    assert _post(download, token)[0].status == 410


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},  # a browser that sends no Fetch Metadata
        {"Origin": "null"},  # an opaque origin: a sandboxed frame, a data: URL
        {"Origin": "https://127.0.0.1:3000"},  # another scheme
        {"Origin": "http://127.0.0.1:4000"},  # another port
        {"Origin": SERVICE_ORIGIN, "Sec-Fetch-Site": "same-site"},  # a sibling site that claims to be us
        {"Sec-Fetch-Site": "cross-site"},
        {"Referer": "https://evil.example/downloads/page"},
    ],
    ids=["cross-site", "evil-origin", "null-origin", "scheme", "port", "same-site", "fetch-site", "referer"],
)
def test_a_post_from_another_site_is_refused_and_leaves_the_link(
    download: Handler, headers: dict[str, str], log: io.StringIO
) -> None:
    # Given a link, and a page on another site that knows it and posts to it
    token = _issue(f"window-d9-{uuid.uuid4().hex[:8]}-run-1")
    # When the other site's form is submitted
    page, _ = _post(download, token, headers=headers)
    # Then the "start again" page shows, and no file
    assert page.status == 403
    assert page.h1 == CROSS_SITE_H1
    assert "claim_reference" not in page.body
    # And the link is still unused, and the log of the refusal does not carry the token
    assert "used_at" not in _stored(token)
    assert "csrf check failed" in log.getvalue()
    assert token not in log.getvalue()
    # And the payer's own press still gives the file
    _assert_the_file(*_post(download, token))


@pytest.mark.parametrize(
    "headers",
    [
        SAME_ORIGIN,
        {"Origin": SERVICE_ORIGIN},  # no Fetch Metadata
        {"Referer": f"{SERVICE_ORIGIN}/downloads/page", "Sec-Fetch-Site": "same-origin"},  # no Origin
        {"Sec-Fetch-Site": "none"},  # the browser itself, e.g. a form resubmitted from history
        {},  # no browser headers at all
    ],
    ids=["browser", "origin-only", "referer-only", "fetch-site-none", "none"],
)
def test_a_post_from_the_service_itself_gives_the_file(download: Handler, headers: dict[str, str]) -> None:
    token = _issue(f"window-d10-{uuid.uuid4().hex[:8]}-run-1")
    _assert_the_file(*_post(download, token, headers=headers))


def test_a_post_without_the_forms_token_is_refused_and_leaves_the_link(download: Handler) -> None:
    # Given a link
    token = _issue("window-d11-run-1")
    other = _issue("window-d12-run-1")
    # When it is posted to from the service without the form's hidden field, or with another link's
    for form in ({}, {"csrf_token": ""}, {"csrf_token": other}):
        page, _ = _post(download, token, form=form)
        # Then the "start again" page shows and the link is unused
        assert page.status == 403
        assert page.h1 == CROSS_SITE_H1
    assert "used_at" not in _stored(token)
    assert "used_at" not in _stored(other)


def test_every_other_function_still_needs_the_sessions_token(apps: dict[str, Handler]) -> None:
    # Given the web function (built without csrf="origin"), and a post from the service's own origin
    for handler in (apps["web"], apps["support"]):
        # When it carries no session's CSRF token
        page, _ = _call(handler, "/sign-in/persona", "POST", form={"user_id": "x"}, headers=SAME_ORIGIN)
        # Then the origin alone is not enough
        assert page.status == 403
        assert page.h1 == CROSS_SITE_H1
