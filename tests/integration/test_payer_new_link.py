"""Payments → "Send the payer a new link": a support user replaces a payment run's link. The payer gets a
new single-use link by email, the old one stops working with a page that says so, and the run records who."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import boto3
import pytest

from tests.support import NOW, REGION, Client, LambdaContextStub, Page, api_event, check_page, queued_emails

PAYER = "payments@payer.example.gov.uk"
BACKUP = "backup@payer.example.gov.uk"
FILE = b"claim_reference,claim_amount\r\n10000001,438.00\r\n"


@pytest.fixture
def payer_addresses(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from shared.config import settings

    monkeypatch.setenv("PAYER_EMAIL_ADDRESSES", f"{PAYER}, {BACKUP}")
    settings.cache_clear()
    yield
    monkeypatch.undo()
    settings.cache_clear()


@pytest.fixture
def colin(client: Client, configured: dict[str, str], payer_addresses: None) -> Client:
    client.sign_in("Colin Chapman")
    client.get("/support/payments/upload")  # a page with a form: his CSRF token
    queued_emails()  # start from an empty queue
    return client


def _call(path: str, method: str = "GET", form: dict[str, str] | None = None) -> Page:
    import functions.download_file.app as module

    module.app.clock = lambda: NOW + dt.timedelta(hours=1)
    event = api_event(path, method, urlencode(form) if form is not None else None)
    if method == "POST":  # a browser's post from the link's page
        event["headers"].update({"Origin": "http://127.0.0.1:3000", "Sec-Fetch-Site": "same-origin"})
    response = module.lambda_handler(event, LambdaContextStub())
    page = Page(int(response["statusCode"]), {}, response.get("body") or "")
    if "<html" in page.body:
        check_page(page.body)
    return page


def _opened(path: str) -> Page:
    """The page a payer's link opens (opening it changes nothing)."""
    return _call(path)


def _download(path: str) -> Page:
    """What the payer gets from a link: its page, then, if the page offers it, the "Download the file" button."""
    opened = _opened(path)
    if opened.status != 200:
        return opened
    form = opened.soup.find("form", method="post")
    assert form is not None, opened.body
    assert " ".join(form.find("button").get_text().split()) == "Download the file"
    fields = {str(i["name"]): str(i.get("value", "")) for i in form.find_all("input", attrs={"name": True})}
    return _call(str(form.get("action") or path), "POST", fields)


def _run_emailed(run_id: str, rows: int = 1) -> str:
    """A run whose file the payer was emailed a link to (as NotifyPayer leaves it); returns that link's token."""
    from shared.data.batches import PaymentRuns
    from shared.data.download_tokens import DownloadTokens
    from shared.usecases.payer_links import link_expiry, new_token, token_hash

    runs = PaymentRuns()
    runs.start(run_id, None, "schedule", "scheduler", NOW)
    key = f"payment-runs/{run_id}/payments.csv"
    boto3.client("s3", region_name=REGION).put_object(Bucket=os.environ["FILES_BUCKET"], Key=key, Body=FILE)
    runs.record_file(run_id, key, "sha", rows, 43800 * rows)
    token = new_token()
    tokens = DownloadTokens()
    assert tokens.issue_for_run(run_id, key, token_hash(token), NOW, link_expiry(NOW))
    tokens.mark_queued(run_id, NOW)
    runs.record_payer_notified(run_id, NOW, notice="emailed", emails=2)
    _complete(run_id, rows)
    return token


def _complete(run_id: str, rows: int) -> None:
    """The run's file reconciled and the run finished, as the workflow leaves it."""
    from shared.claims.payment_runs import Reconciliation
    from shared.data.batches import PaymentRuns

    runs = PaymentRuns()
    checked = Reconciliation(rows, 43800 * rows, rows, 43800 * rows, rows)
    runs.record_reconciliation(run_id, checked, sha256_verified=True, at=NOW, included_key=None)
    runs.finish(run_id, NOW)


def _token_in(body: str) -> str:
    found = re.search(r"/downloads/([A-Za-z0-9_-]{43})", body)
    assert found, body
    return found.group(1)


def test_support_sends_a_new_link_and_the_old_one_stops_working(colin: Client) -> None:
    # Given the payer was emailed a link to run nl1's file and has lost it
    old = _run_emailed("window-nl1-run-1")
    # When Colin chooses "Send the payer a new link" on the Payments page
    payments = colin.get("/support/payments")
    link = payments.soup.find("a", href="/support/payments/runs/window-nl1-run-1/new-link")
    assert link is not None
    assert "Send the payer a new link" in link.get_text()
    page = colin.get("/support/payments/runs/window-nl1-run-1/new-link")
    # Then the page says what will happen, to whom, and that the old link stops working
    assert page.h1 == "Send the payer a new link"
    assert f"{PAYER}" in page.text()
    assert BACKUP in page.text()
    assert "The link sent before will stop working." in page.text()
    assert "1 claim, totalling £438.00" in page.text()
    # When he sends it
    sent = colin.post("/support/payments/runs/window-nl1-run-1/new-link")
    assert (sent.status, sent.location) == (303, "/support/payments")
    after = colin.get("/support/payments")
    assert "New link to the payment file of run window-nl1-run-1 sent to 2 payer addresses" in after.text()
    assert "New link sent" in after.text()
    assert "by Colin Chapman" in after.text()
    # Then each payer address gets an email with the same new link, saying it replaces the earlier one
    emails = queued_emails()
    assert sorted(e["to"] for e in emails) == sorted([PAYER, BACKUP])
    assert "The link in our earlier email no longer works." in emails[0]["body"]
    new = _token_in(emails[0]["body"])
    assert new != old
    assert _token_in(emails[1]["body"]) == new
    # And the old link gives a page that says it was replaced, not the file
    replaced = _download(f"/downloads/{old}")
    assert replaced.status == 410
    assert "This link has been replaced" in replaced.body
    assert "claim_reference" not in replaced.body
    # And the new link opens a page about the same file, then gives the file, once
    opened = _opened(f"/downloads/{new}")
    assert opened.h1 == "Download the payment file"
    assert "Claims 1" in opened.text()
    assert "Total £438.00" in opened.text()
    assert _download(f"/downloads/{new}").body == FILE.decode()
    assert _download(f"/downloads/{new}").status == 410
    # And the run records who sent it
    from shared.data.batches import PaymentRuns

    run = PaymentRuns().get("window-nl1-run-1")
    assert run is not None
    assert run.link_resent_by == "Colin Chapman"


def test_a_second_new_link_replaces_the_first_new_link(colin: Client) -> None:
    _run_emailed("window-nl2-run-1")
    colin.post("/support/payments/runs/window-nl2-run-1/new-link")
    first = _token_in(queued_emails()[0]["body"])
    colin.post("/support/payments/runs/window-nl2-run-1/new-link")
    second = _token_in(queued_emails()[0]["body"])
    assert _download(f"/downloads/{first}").status == 410
    assert _download(f"/downloads/{second}").status == 200


def test_a_run_without_claims_in_its_file_has_nothing_to_send(colin: Client) -> None:
    _run_emailed("window-nl3-run-1", rows=0)
    assert (
        colin.get("/support/payments").soup.find("a", href="/support/payments/runs/window-nl3-run-1/new-link") is None
    )
    page = colin.get("/support/payments/runs/window-nl3-run-1/new-link")
    assert "no payment file with claims in it" in page.text()
    assert page.soup.find("form", action="/support/payments/runs/window-nl3-run-1/new-link") is None
    colin.post("/support/payments/runs/window-nl3-run-1/new-link")
    assert queued_emails() == []


def test_without_a_payer_address_nothing_is_sent_and_the_page_says_why(
    colin: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.config import settings

    old = _run_emailed("window-nl4-run-1")
    monkeypatch.setenv("PAYER_EMAIL_ADDRESSES", "")
    settings.cache_clear()
    page = colin.get("/support/payments/runs/window-nl4-run-1/new-link")
    assert "No payer email address is set up" in page.text()
    colin.post("/support/payments/runs/window-nl4-run-1/new-link")
    assert queued_emails() == []
    assert _download(f"/downloads/{old}").status == 200  # the old link still works


def test_the_post_needs_the_csrf_token_and_an_unknown_run_is_not_found(colin: Client) -> None:
    old = _run_emailed("window-nl5-run-1")
    forged = colin.post("/support/payments/runs/window-nl5-run-1/new-link", csrf=False)
    assert forged.status == 403
    assert queued_emails() == []
    assert colin.get("/support/payments/runs/window-nope-run-1/new-link", check=False).status == 404
    assert _download(f"/downloads/{old}").status == 200


def test_a_school_user_cannot_send_a_link(client: Client) -> None:
    _run_emailed("window-nl6-run-1")
    client.sign_in("Anne Wilson")
    page = client.get("/support/payments/runs/window-nl6-run-1/new-link", check=False)
    assert page.status in (403, 404)


def test_replacing_a_link_that_changed_meanwhile_writes_nothing(payer_addresses: None, aws: None) -> None:
    """Two support users press "Send new link" at the same moment: the one whose read is stale writes nothing."""
    from shared.data.download_tokens import DownloadTokens
    from shared.usecases.payer_links import link_expiry, new_token, token_hash

    old = _run_emailed("window-nl7-run-1")
    tokens = DownloadTokens()
    key = "payment-runs/window-nl7-run-1/payments.csv"
    first, second = new_token(), new_token()
    assert tokens.issue_for_run(
        "window-nl7-run-1", key, token_hash(first), NOW, link_expiry(NOW), replacing=token_hash(old)
    )
    assert not tokens.issue_for_run(
        "window-nl7-run-1", key, token_hash(second), NOW, link_expiry(NOW), replacing=token_hash(old)
    )
    assert tokens.get(token_hash(second)) is None
    link = tokens.run_link("window-nl7-run-1")
    assert link is not None
    assert link.token_hash == token_hash(first)


def test_if_the_emails_cannot_be_queued_pressing_again_sends_a_working_link(
    colin: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new link is stored (the old one dead) but its emails fail to queue: the page is the problem page,
    and sending again replaces the unsent link with one the payer does get."""
    from shared.data.emails import enqueue as real
    from shared.usecases import payer_links

    old = _run_emailed("window-nl8-run-1")

    def queue_down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("the queue is unavailable")

    monkeypatch.setattr(payer_links, "enqueue", queue_down)
    failed = colin.post("/support/payments/runs/window-nl8-run-1/new-link")
    assert failed.status == 500
    assert queued_emails() == []
    assert _download(f"/downloads/{old}").status == 410  # replaced in the same write as the new one
    monkeypatch.setattr(payer_links, "enqueue", real)
    again = colin.post("/support/payments/runs/window-nl8-run-1/new-link")
    assert again.status == 303
    emails = queued_emails()
    assert len(emails) == 2
    assert _download(f"/downloads/{_token_in(emails[0]['body'])}").status == 200
