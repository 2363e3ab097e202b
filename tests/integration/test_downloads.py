"""DownloadFunction under moto: a payer's single-use link gives the file once, exactly, then clear pages;
the token is never stored or logged."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

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


@pytest.fixture(scope="module")
def download(aws: None) -> Handler:
    import functions.download_file.app as module

    module.app.clock = lambda: NOW
    return module.lambda_handler


def _issue(run_id: str, content: str = FILE, *, created: dt.datetime = NOW) -> str:
    """A link to a file, as NotifyPayer issues it: the file in S3, the token's hash in DynamoDB."""
    from shared.data.download_tokens import DownloadTokens
    from shared.usecases.payer_links import link_expiry, new_token, token_hash

    key = f"payment-runs/{run_id}/payments-claims-{created:%Y-%m-%dT%H%M%SZ}.csv"
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=os.environ["FILES_BUCKET"], Key=key, Body=content.encode("utf-8")
    )
    token = new_token()
    assert DownloadTokens().issue_for_run(run_id, key, token_hash(token), created, link_expiry(created))
    return token


def _get(handler: Handler, path: str, cookie: str | None = None) -> tuple[Page, dict[str, Any]]:
    response = handler(api_event(path, cookie=cookie), LambdaContextStub())
    headers: dict[str, list[str]] = {k: [str(v)] for k, v in (response.get("headers") or {}).items()}
    headers.update({k: [str(x) for x in v] for k, v in (response.get("multiValueHeaders") or {}).items()})
    page = Page(int(response["statusCode"]), headers, response.get("body") or "")
    if headers.get("Content-Type", [""])[0].startswith("text/html"):
        check_page(page.body)
    return page, response


def _stored(token: str) -> dict[str, Any]:
    from shared.config import settings
    from shared.usecases.payer_links import token_hash

    item: dict[str, Any] = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=settings().download_tokens_table, Key={"token_hash": {"S": token_hash(token)}}
    )["Item"]
    return item


def test_the_first_use_gives_the_exact_file_and_the_second_is_refused(download: Handler) -> None:
    # Given a link the payer was emailed
    token = _issue("window-d1-run-1")
    # When they open it
    page, response = _get(download, f"/downloads/{token}")
    # Then they get the file, byte for byte, as a CSV attachment named for its date, never cached
    assert page.status == 200
    assert response["isBase64Encoded"] is False
    assert page.body.encode("utf-8") == FILE.encode("utf-8")
    assert page.headers["Content-Type"] == ["text/csv; charset=utf-8"]
    assert page.headers["Content-Disposition"] == ['attachment; filename="payments-claims-2026-11-28.csv"']
    assert page.headers["Cache-Control"] == ["no-store"]
    assert page.headers["X-Content-Type-Options"] == ["nosniff"]
    # And the link is now used
    assert "used_at" in _stored(token)
    # When they open it again
    again, _ = _get(download, f"/downloads/{token}")
    # Then a page says it has been used, and gives no file
    assert again.status == 410
    assert again.h1 == "This link has already been used"
    assert "ittmentor.funding@education.gov.uk" in again.text()
    assert "claim_reference" not in again.body


def test_an_expired_link_gives_a_page_and_stays_unused(download: Handler) -> None:
    # Given a link issued 8 days ago (DynamoDB TTL may not have removed it yet)
    token = _issue("window-d2-run-1", created=NOW - dt.timedelta(days=8))
    # When it is opened
    page, _ = _get(download, f"/downloads/{token}")
    # Then a page says it has expired and how to get the file again
    assert page.status == 410
    assert page.h1 == "This link has expired"
    assert "ask us to send the file again" in page.text()
    assert "ittmentor.funding@education.gov.uk" in page.text()
    assert "used_at" not in _stored(token)


def test_an_unknown_or_malformed_link_is_not_found(download: Handler) -> None:
    from shared.usecases.payer_links import new_token

    for path in (f"/downloads/{new_token()}", "/downloads/not-a-token", "/downloads/" + "A" * 44):
        page, _ = _get(download, path)
        assert page.status == 404, path
        assert page.h1 == "Page not found"


def test_the_raw_token_is_stored_nowhere_in_dynamodb(download: Handler) -> None:
    # Given a link that has been issued and used
    token = _issue("window-d3-run-1")
    _get(download, f"/downloads/{token}")
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
    # When it opens the link
    page, _ = _get(download, f"/downloads/{token}", cookie="session=a-support-users-session")
    # Then the file comes back and the session cookie is neither read nor ended
    assert page.status == 200
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
    page, _ = _get(download, f"/downloads/{token}")
    # Then it gets the "already used" page, not a second copy of the file
    assert page.status == 410
    assert page.h1 == "This link has already been used"


def test_a_storage_failure_keeps_the_link_and_logs_no_token(download: Handler, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given S3 fails while the file is read, and the function's log is captured
    import shared.usecases.payer_links as links
    from shared.observability import logger

    token = _issue("window-d6-run-1")

    def broken(key: str, max_bytes: int) -> Any:
        raise ConnectionError("S3 unavailable")

    monkeypatch.setattr(links, "fetch_file", broken)
    log = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(log)
    # When the link is opened
    try:
        page, _ = _get(download, f"/downloads/{token}")
    finally:
        handler.setStream(previous)
    # Then the problem page shows, the link can still be used, and the logs name the link by its hash only
    assert page.status == 500
    assert page.h1 == "Sorry, there is a problem with the service"
    assert "used_at" not in _stored(token)
    logged = log.getvalue()
    assert "download failed" in logged
    assert links.token_hash(token)[:8] in logged
    assert token not in logged
    monkeypatch.undo()
    assert _get(download, f"/downloads/{token}")[0].status == 200


def test_a_file_too_large_for_a_lambda_response_is_handed_over_by_a_short_lived_url(
    download: Handler, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a file larger than a Lambda response may carry (the limit lowered for the test)
    import shared.usecases.payer_links as links

    monkeypatch.setattr(links, "INLINE_LIMIT_BYTES", 100)
    token = _issue("window-d7-run-1")
    # When the link is opened
    page, _ = _get(download, f"/downloads/{token}")
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
    assert _get(download, f"/downloads/{token}")[0].status == 410
