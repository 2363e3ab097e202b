"""The payer response through the support function under moto: upload (multipart), every error with
its row number, the confirm page (counts, first 5 rows), confirmation (statuses, events, once only),
the follow-ups on a claim, and who may do any of it."""

from __future__ import annotations

import base64
import itertools
import re
from http.cookies import SimpleCookie
from typing import Any

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, COLIN_CHAPMAN_USER_ID, SeedData
from shared.claims.statuses import ClaimStatus
from tests.support import NOW, Client, LambdaContextStub, Page, api_event, check_page

HEADER = "claim_reference,claim_status,claim_unpaid_reason"
SCHOOL_ID = "payer-response-test-school"  # claims of no real school: no school's pages see them
_references = itertools.count(77_100_001)
_trns = itertools.count(7_100_001)


# -- helpers ---------------------------------------------------------------------------------------
def post_upload(
    client: Client,
    path: str,
    content: bytes | None,
    filename: str = "payer-response.csv",
    csrf: str | None = None,
    base64_encoded: bool = False,
) -> Page:
    """POST a multipart/form-data form as a browser does (the CSRF token first, then the file input;
    an empty input sends an empty filename), through the support handler, and check the page."""
    boundary = "----PayerResponseBoundary8f3a"
    token = client.csrf_token() if csrf is None else csrf
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename if content is not None else ""}"\r\n'
            f"Content-Type: {'text/csv' if content is not None else 'application/octet-stream'}\r\n\r\n"
        ).encode()
        + (content or b"")
        + f"\r\n--{boundary}--\r\n".encode()
    )
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items()) or None
    try:
        text = body.decode("utf-8") if not base64_encoded else None
    except UnicodeDecodeError:
        text = None
    event = api_event(path, "POST", text, cookie)
    if text is None:  # as API Gateway and the local stack pass a body that is not UTF-8 text
        event["body"] = base64.b64encode(body).decode()
        event["isBase64Encoded"] = True
    event["headers"]["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    event["multiValueHeaders"]["Content-Type"] = [event["headers"]["Content-Type"]]
    response = client.support(event, LambdaContextStub())
    headers: dict[str, list[str]] = {k: [str(v)] for k, v in (response.get("headers") or {}).items()}
    headers.update({k: [str(x) for x in v] for k, v in (response.get("multiValueHeaders") or {}).items()})
    for raw in headers.get("Set-Cookie", []):
        jar: SimpleCookie = SimpleCookie()
        jar.load(raw)
        for name, morsel in jar.items():
            client.cookies[name] = morsel.value
    page = Page(int(response["statusCode"]), headers, response.get("body") or "")
    if headers.get("Content-Type", [""])[0].startswith("text/html"):
        check_page(page.body)
    return page


def make_claim(
    seed: SeedData, status: str = "payment_in_progress", hours: int = 6, unpaid_reason: str | None = None
) -> str:
    """A claim put straight into the table in `status`, with its mentor's hours counted."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import allowance_id
    from shared.data.items import AllowanceItem, ClaimItem

    window = seed.claim_windows[0]  # last academic year's window, closed
    provider = seed.providers[0]
    reference = str(next(_references))
    trn = str(next(_trns))
    ClaimItem(
        claim_id=reference,
        reference=reference,
        school_id=SCHOOL_ID,
        school_name="Payer Test Primary School",
        provider_code=provider.code,
        provider_name=provider.name,
        window_id=window.window_id,
        academic_year=window.academic_year,
        status=status,
        window_status=f"{window.window_id}#{status}",
        created_at=NOW.isoformat(),
        submitted_at=NOW,
        submitted_by="user-anne-wilson",
        region="Rest of England",
        hourly_rate_pence=4380,
        total_hours=hours,
        amount_pence=hours * 4380,
        mentors=[{"trn": trn, "first_name": "Pat", "last_name": "Payer", "hours": hours, "training_type": "initial"}],
        version=1,
        unpaid_reason=unpaid_reason,
    ).save()
    year = AcademicYear.parse(window.academic_year)
    AllowanceItem(
        allowance_id=allowance_id(trn, provider.code, year),
        trn=trn,
        provider_code=provider.code,
        academic_year=year.name,
        used=hours,
    ).save()
    return reference


def status_of(reference: str) -> str:
    from shared.data.items import ClaimItem

    return ClaimItem.get(reference).status


def events_of(reference: str) -> list[dict[str, Any]]:
    from shared.data.claims import ClaimsStore

    return ClaimsStore().events(reference)


def stored_uploads() -> list[str]:
    import os

    import boto3

    listing = boto3.client("s3", region_name="eu-west-2").list_objects_v2(
        Bucket=os.environ["FILES_BUCKET"], Prefix="payer-responses/"
    )
    return [item["Key"] for item in listing.get("Contents", [])]


def row_errors(page: Page) -> list[tuple[str, str, str]]:
    table = page.soup.select_one("#row-errors")
    assert table is not None, "no table of row errors"
    found = []
    for row in table.select("tbody tr"):
        cells = [" ".join(cell.get_text().split()) for cell in row.find_all(["th", "td"])]
        found.append((cells[0], cells[1], cells[3]))
    return found


def summary(page: Page) -> list[str]:
    return [" ".join(a.get_text().split()) for a in page.soup.select(".govuk-error-summary a")]


@pytest.fixture
def colin(client: Client) -> Client:
    client.sign_in("Colin Chapman")
    client.get("/support/payments/upload")  # a page with the form: the CSRF token
    return client


def upload_valid(colin: Client, seed: SeedData, paid: int = 2, unpaid: int = 1) -> tuple[str, list[str], list[str]]:
    """Upload a valid file; returns the confirm page's path and the paid and unpaid references."""
    paid_refs = [make_claim(seed) for _ in range(paid)]
    unpaid_refs = [make_claim(seed) for _ in range(unpaid)]
    rows = [f"{r},paid," for r in paid_refs] + [f"{r},unpaid,Bank details do not match" for r in unpaid_refs]
    page = post_upload(colin, "/support/payments/upload", (HEADER + "\n" + "\n".join(rows) + "\n").encode())
    assert page.status == 303, page.body[:2000]
    assert re.fullmatch(r"/support/payments/upload/[0-9a-f]{32}", page.location), page.location
    return page.location, paid_refs, unpaid_refs


# -- the upload page ------------------------------------------------------------------------------
def test_the_upload_page_has_a_csv_file_input_and_help_with_the_headers(colin: Client) -> None:
    page = colin.get("/support/payments/upload")
    assert page.status == 200
    assert page.h1 == "Upload payer response"
    form = page.soup.select_one("form[enctype='multipart/form-data']")
    assert form is not None
    assert form.find("input", attrs={"name": "csrf_token"})
    file_input = form.select_one("input[type=file]#file")
    assert file_input["accept"] == ".csv,text/csv"
    help_text = " ".join(page.soup.select_one(".govuk-details").get_text().split())
    assert "Help with the CSV file" in help_text
    for name in ("claim_reference", "claim_status", "claim_unpaid_reason", "paid", "unpaid"):
        assert name in help_text
    nav = page.soup.select_one(".govuk-service-navigation__item--active")
    assert nav is not None
    assert "Claims" in nav.get_text()  # Payments sits under Claims
    sub = page.soup.select_one(".app-sub-navigation__link[aria-current=page]")
    assert sub is not None
    assert sub.get_text(strip=True) == "Payments"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        pytest.param(None, "", "Select a CSV file to upload", id="no-file"),
        pytest.param(b"", "empty.csv", "The selected file is empty", id="empty"),
        pytest.param(b"\xef\xbb\xbf\r\n\r\n", "blank.csv", "The selected file is empty", id="bom-and-blank-lines"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "logo.png", "The selected file must be a CSV", id="png"
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "named.csv", "The selected file must be a CSV", id="binary-csv"
        ),
        pytest.param(
            b"reference,status,reason\n1,paid,\n",
            "wrong.csv",
            "The selected file must have the columns claim_reference, claim_status and claim_unpaid_reason",
            id="wrong-headers",
        ),
    ],
)
def test_file_problems_are_one_error_on_the_file_input(
    colin: Client, content: bytes | None, filename: str, message: str
) -> None:
    # Given nothing stored yet
    before = stored_uploads()
    # When the file is uploaded
    page = post_upload(colin, "/support/payments/upload", content, filename)
    # Then the page is shown again with the GOV.UK error, linked to the file input, and nothing is stored
    assert page.status == 200
    assert summary(page) == [message]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#file"
    assert message in page.soup.select_one("#file-error").get_text()
    assert page.soup.title.get_text().startswith("Error: Upload payer response")
    assert page.soup.select_one("#row-errors") is None
    assert stored_uploads() == before


def test_every_row_error_is_shown_at_once_with_its_row_number_and_nothing_changes(
    colin: Client, seed: SeedData
) -> None:
    # Given two waiting claims and one already paid
    first, second = make_claim(seed), make_claim(seed)
    paid = make_claim(seed, status="paid")
    content = (
        f"{HEADER}\r\n"
        f"{first},PAID ,\r\n"  # row 2: fine
        f",paid,\r\n"  # row 3: no reference
        f"99999999,paid,\r\n"  # row 4: not a claim
        f"{paid},paid,\r\n"  # row 5: not waiting
        f"\r\n"  # row 6: blank, skipped
        f"{second},maybe,\r\n"  # row 7: bad status
        f"{second},unpaid,\r\n"  # row 8: twice, and no reason
    ).encode()
    before = stored_uploads()
    # When
    page = post_upload(colin, "/support/payments/upload", content)
    # Then every problem, on the row a spreadsheet shows it
    assert page.status == 200
    assert summary(page) == ["Fix the 6 errors in the selected file and upload it again"]
    assert row_errors(page) == [
        ("3", "claim_reference", "Enter a claim reference"),
        ("4", "claim_reference", "Enter a valid claim reference"),
        ("5", "claim_reference", "This claim is not waiting for a payer response: its status is Paid"),
        ("7", "claim_status", "Claim status must be paid or unpaid"),
        ("8", "claim_reference", f"Remove this row: claim {second} is already in row 7"),
        ("8", "claim_unpaid_reason", "Enter a reason why the claim is unpaid"),
    ]
    assert "6 errors in the file" in page.text()
    # And nothing was written
    assert [status_of(r) for r in (first, second, paid)] == ["payment_in_progress", "payment_in_progress", "paid"]
    assert stored_uploads() == before


def test_a_file_of_many_bad_rows_shows_the_first_fifty_and_the_count(colin: Client) -> None:
    # Given a file of 120 rows naming no claim
    content = (HEADER + "\n" + "\n".join(f"{99_000_000 + n},paid," for n in range(120)) + "\n").encode()
    # When it is uploaded / Then the page names the count and lists only the first 50 rows
    page = post_upload(colin, "/support/payments/upload", content)
    assert page.status == 200
    assert summary(page) == ["Fix the 120 errors in the selected file and upload it again"]
    assert len(row_errors(page)) == 50
    assert row_errors(page)[0][0] == "2"
    assert "Showing the first 50 of 120 errors." in page.text()


def test_a_csv_saved_by_excel_on_windows_is_read_as_windows_1252(colin: Client, seed: SeedData) -> None:
    # Given a waiting claim and a response whose reason has a character Windows-1252 writes as one byte
    reference = make_claim(seed)
    content = f"{HEADER}\r\n{reference},unpaid,Bank details for the caf\u00e9 account \u2013 wrong\r\n".encode("cp1252")
    # When it is uploaded / Then it is read, the reason as it was typed
    page = post_upload(colin, "/support/payments/upload", content)
    assert page.status == 303, summary(colin.last) if colin.last else page.status
    confirm = colin.follow(page)
    assert "Bank details for the caf\u00e9 account \u2013 wrong" in confirm.text()


def test_a_file_over_the_size_limit_is_refused_with_its_own_message(colin: Client) -> None:
    page = post_upload(colin, "/support/payments/upload", HEADER.encode() + b"\n" + b"x" * (5 * 1024 * 1024))
    assert page.status == 200
    assert summary(page) == ["The selected file must be smaller than 5MB"]


def test_an_upload_without_the_csrf_token_is_refused(colin: Client, seed: SeedData) -> None:
    before = stored_uploads()
    page = post_upload(colin, "/support/payments/upload", f"{HEADER}\n{make_claim(seed)},paid,\n".encode(), csrf="")
    assert page.status == 403
    assert stored_uploads() == before


# -- the confirm page and confirmation ------------------------------------------------------------
def test_a_valid_file_shows_the_counts_and_the_first_five_rows_and_changes_nothing(
    colin: Client, seed: SeedData
) -> None:
    # Given seven waiting claims: five paid, two needing information, in a file with a BOM and CRLF
    paid = [make_claim(seed) for _ in range(5)]
    unpaid = [make_claim(seed) for _ in range(2)]
    rows = [f"{unpaid[0]},Unpaid,Wrong bank details"] + [f"{r}, paid ," for r in paid] + [f"{unpaid[1]},UNPAID,No URN"]
    content = b"\xef\xbb\xbf" + (f"{HEADER},school_name\r\n" + "".join(f"{r},x\r\n" for r in rows)).encode()
    # When it is uploaded
    page = post_upload(colin, "/support/payments/upload", content)
    # Then the browser goes to the confirm page
    assert page.status == 303, page.body[:3000]
    confirm = colin.get(page.location)
    assert confirm.status == 200
    assert confirm.h1 == "Check the payer response"
    counts = " ".join(confirm.soup.select_one("#counts").get_text().split())
    assert "Claims to mark as paid 5 claims" in counts
    assert "Claims where the payer needs information 2 claims" in counts
    preview = confirm.soup.select("#preview tbody tr")
    assert len(preview) == 5
    assert [tr.find_all(["th", "td"])[1].get_text(strip=True) for tr in preview] == [unpaid[0], *paid[:4]]
    assert preview[0].find_all(["th", "td"])[0].get_text(strip=True) == "2"
    assert "First 5 rows of the file" in confirm.text()
    buttons = [b.get_text(strip=True) for b in confirm.soup.select("form button")]
    assert buttons == ["Confirm upload"]
    assert confirm.soup.find("a", string="Cancel")["href"] == "/support/payments"
    # And the file is stored exactly as uploaded, and no claim has changed
    batch_id = page.location.rsplit("/", 1)[1]
    from shared.data.files import read

    assert read(f"payer-responses/{batch_id}.csv") == content
    assert {status_of(r) for r in paid + unpaid} == {"payment_in_progress"}


def test_confirming_changes_each_claim_once_with_an_event(colin: Client, seed: SeedData) -> None:
    from shared.data.items import BatchItem, ClaimItem

    path, paid, unpaid = upload_valid(colin, seed, paid=2, unpaid=1)
    batch_id = path.rsplit("/", 1)[1]
    colin.get(path)
    # When Colin confirms
    page = colin.post(path)
    # Then the claims have moved, with the payer's reason kept
    assert page.status == 303
    assert page.location == "/support/payments"
    assert [status_of(r) for r in paid] == ["paid", "paid"]
    assert status_of(unpaid[0]) == "payment_information_requested"
    assert ClaimItem.get(unpaid[0]).unpaid_reason == "Bank details do not match"
    assert ClaimItem.get(paid[0]).unpaid_reason is None
    # And each change wrote one event naming Colin and the upload
    for reference, action in [(paid[0], "paid_by_payer"), (unpaid[0], "payer_requested_information")]:
        events = events_of(reference)
        assert len(events) == 1
        assert events[0]["action"] == action
        assert events[0]["from"] == "payment_in_progress"
        assert events[0]["actor"] == COLIN_CHAPMAN_USER_ID
        assert batch_id in events[0]["reason"]
    assert "Bank details do not match" in events_of(unpaid[0])[0]["reason"]
    # And the batch is confirmed with its counts, and the success banner says what happened
    item = BatchItem.get(batch_id)
    assert (item.kind, item.status) == ("payer_response", "confirmed")
    assert item.counts.as_dict() == {"paid": 2, "information_requested": 1, "failed": 0}
    landing = colin.get("/support/payments")
    banner = landing.soup.select_one(".govuk-notification-banner--success")
    assert banner is not None
    assert "2 claims paid, 1 claim needs more information" in banner.get_text()
    # When the confirmation is sent again (a double click, the back button)
    again = colin.post(path)
    # Then nothing more happens
    assert again.status == 303
    assert len(events_of(paid[0])) == 1
    assert colin.get("/support/payments").soup.select_one(".govuk-notification-banner--success") is None
    assert colin.get(path).location == "/support/payments"


def test_a_confirmation_that_stops_part_way_is_finished_by_confirming_again(
    colin: Client, seed: SeedData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request dies after the first group (as at API Gateway's 29 s): the batch stays applying, its
    page offers to update the rest, and the second confirmation changes each remaining claim once."""
    from shared.data.claims import GROUP_SIZE
    from shared.data.items import BatchItem
    from shared.usecases import payer_response

    path, paid, unpaid = upload_valid(colin, seed, paid=60, unpaid=5)
    batch_id = path.rsplit("/", 1)[1]
    from shared.usecases.bulk import apply_group as real

    calls = {"n": 0}

    def dies_after_one_group(*args: Any, **kwargs: Any) -> list[str]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise TimeoutError("the request ran out of time")
        return real(*args, **kwargs)

    monkeypatch.setattr(payer_response, "apply_group", dies_after_one_group)
    with pytest.raises(TimeoutError):
        payer_response.confirm(batch_id, _colin_user(), NOW)
    assert BatchItem.get(batch_id).status == "applying"
    assert sum(status_of(r) == "paid" for r in paid) == GROUP_SIZE
    monkeypatch.setattr(payer_response, "apply_group", real)
    # When Colin opens Payments, a banner links to the unfinished upload
    payments = colin.get("/support/payments")
    banner = payments.soup.find("a", href=path)
    assert banner is not None
    assert banner.get_text(strip=True) == "Update the remaining claims"
    assert "has not finished updating its claims" in payments.text()
    # And the upload's page says the update stopped and offers to finish it
    page = colin.get(path)
    assert page.h1 == "Finish updating the claims in this payer response"
    assert "Claims already updated will not change again." in page.text()
    # And confirming again updates the rest, each claim once
    done = colin.post(path)
    assert done.status == 303
    assert [status_of(r) for r in paid] == ["paid"] * 60
    assert [status_of(r) for r in unpaid] == ["payment_information_requested"] * 5
    assert all(len(events_of(r)) == 1 for r in paid + unpaid)
    item = BatchItem.get(batch_id)
    assert (item.status, item.counts.as_dict()) == ("confirmed", {"paid": 60, "information_requested": 5, "failed": 0})
    assert colin.get("/support/payments").soup.find("a", href=path) is None


def test_confirming_writes_claims_fifty_to_a_transaction(colin: Client, seed: SeedData) -> None:
    from tests.integration.test_payment_run_tasks import dynamodb_requests

    path, paid, _ = upload_valid(colin, seed, paid=120, unpaid=0)
    with dynamodb_requests() as seen:
        assert colin.post(path).status == 303
    assert [status_of(r) for r in paid] == ["paid"] * 120
    assert seen.calls["TransactWriteItems"] == 3  # 49 + 49 + 22 (GROUP_SIZE), not 120
    assert seen.calls["GetItem"] < 10  # the session, the user, the batch: not a claim each


def _colin_user() -> Any:
    from shared.data.users import Users

    user = Users().get(COLIN_CHAPMAN_USER_ID)
    assert user is not None
    return user


def test_confirmation_checks_the_claims_again(colin: Client, seed: SeedData) -> None:
    from shared.data.items import BatchItem, ClaimItem

    path, paid, _unpaid = upload_valid(colin, seed, paid=2, unpaid=0)
    # Given one claim was paid some other way after the upload
    ClaimItem(claim_id=paid[1]).update(actions=[ClaimItem.status.set("paid")])
    # When the upload is confirmed
    page = colin.post(path)
    # Then the errors are shown, and nothing changed
    assert page.status == 200
    assert row_errors(page) == [
        ("3", "claim_reference", "This claim is not waiting for a payer response: its status is Paid")
    ]
    assert status_of(paid[0]) == "payment_in_progress"
    assert events_of(paid[0]) == []
    assert BatchItem.get(path.rsplit("/", 1)[1]).status == "pending"


def test_an_upload_expires_after_a_day(colin: Client, seed: SeedData) -> None:
    from shared.data.items import BatchItem

    path, paid, _ = upload_valid(colin, seed, paid=1, unpaid=0)
    import datetime as dt

    BatchItem(batch_id=path.rsplit("/", 1)[1]).update(
        actions=[BatchItem.created_at.set((NOW - dt.timedelta(days=2)).isoformat())]
    )
    assert summary(colin.get(path)) == ["This upload has expired. Upload the file again"]
    page = colin.post(path)
    assert summary(page) == ["This upload has expired. Upload the file again"]
    assert status_of(paid[0]) == "payment_in_progress"


def test_only_the_uploader_can_see_or_confirm_an_upload(client: Client, seed: SeedData) -> None:
    client.sign_in("Colin Chapman")
    client.get("/support/payments/upload")
    path, paid, _ = upload_valid(client, seed, paid=1, unpaid=0)
    client.sign_out()
    client.sign_in("Sam Brooks")
    assert client.get(path).status == 404
    client.get("/support/payments/upload")
    assert client.post(path).status == 404
    assert status_of(paid[0]) == "payment_in_progress"
    assert client.get("/support/payments/upload/no-such-upload").status == 404


# -- follow-ups on a claim ------------------------------------------------------------------------
def test_information_sent_then_paid(colin: Client, seed: SeedData) -> None:
    reference = make_claim(seed, status="payment_information_requested", unpaid_reason="Bank details wrong")
    # Given the payments page lists the claim with its follow-ups
    landing = colin.get("/support/payments")
    row = next(tr for tr in landing.soup.select("#follow-ups tbody tr") if reference in tr.get_text())
    assert "Bank details wrong" in row.get_text()
    links = {" ".join(a.get_text().split()): a["href"] for a in row.select("a")}
    assert links == {
        f"Confirm information sent for claim {reference}": f"/support/claims/{reference}/payment/information-sent",
        f"Reject claim for claim {reference}": f"/support/claims/{reference}/payment/reject",
    }
    # When support confirms the information was sent
    page = colin.get(f"/support/claims/{reference}/payment/information-sent")
    assert page.h1 == "Confirm the information has been sent to the payer"
    assert "Bank details wrong" in page.text()
    done = colin.post(f"/support/claims/{reference}/payment/information-sent")
    # Then
    assert done.status == 303
    assert done.location == "/support/payments"
    assert status_of(reference) == "payment_information_sent"
    assert f"Claim {reference} updated: Information sent to payer" in colin.get("/support/payments").text()
    # When support confirms the claim paid
    assert colin.get(f"/support/claims/{reference}/payment/paid").h1 == "Confirm the payer has paid this claim"
    colin.post(f"/support/claims/{reference}/payment/paid")
    # Then
    assert status_of(reference) == "paid"
    actions = [(e["action"], e["actor"]) for e in events_of(reference)]
    assert actions == [("information_sent_to_payer", COLIN_CHAPMAN_USER_ID), ("paid_by_payer", COLIN_CHAPMAN_USER_ID)]
    landing = colin.get("/support/payments")
    assert f"Claim {reference} updated: Paid" in landing.text()
    assert all(reference not in tr.get_text() for tr in landing.soup.select("#follow-ups tbody tr"))


@pytest.mark.parametrize("status", ["payment_information_requested", "payment_information_sent"])
def test_reject_releases_the_hours(colin: Client, seed: SeedData, status: str) -> None:
    from shared.data.items import AllowanceItem, ClaimItem

    reference = make_claim(seed, status=status, hours=6)
    page = colin.get(f"/support/claims/{reference}/payment/reject")
    assert page.h1 == "Are you sure you want to reject this claim?"
    assert "This will result in this claim not being paid" in page.text()
    assert colin.post(f"/support/claims/{reference}/payment/reject").status == 303
    assert status_of(reference) == "payment_not_approved"
    claim = ClaimItem.get(reference)
    raw = claim.mentors[0]
    mentor = raw.as_dict() if hasattr(raw, "as_dict") else dict(raw)
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import allowance_id

    key = allowance_id(mentor["trn"], claim.provider_code, AcademicYear.parse(claim.academic_year))
    assert int(AllowanceItem.get(key).used) == 0
    assert events_of(reference)[-1]["action"] == "rejected_by_payer"


@pytest.mark.parametrize(
    ("status", "slug", "h1"),
    [
        ("paid", "reject", "You cannot reject this claim"),
        ("payment_in_progress", "information-sent", "You cannot confirm information sent for this claim"),
        ("payment_information_requested", "paid", "You cannot confirm this claim is paid"),
        ("payment_information_sent", "information-sent", "You cannot confirm information sent for this claim"),
    ],
)
def test_a_follow_up_in_the_wrong_status_is_refused(
    colin: Client, seed: SeedData, status: str, slug: str, h1: str
) -> None:
    reference = make_claim(seed, status=status)
    path = f"/support/claims/{reference}/payment/{slug}"
    page = colin.get(path)
    assert page.status == 200
    assert page.h1 == h1
    assert page.soup.select("main form[method=post]") == []
    # A POST anyway (a stale tab) changes nothing and returns to the page that says why
    done = colin.post(path)
    assert done.status == 303
    assert done.location == path
    assert status_of(reference) == status
    assert events_of(reference) == []


def test_unknown_claims_and_follow_ups_are_not_found(colin: Client, seed: SeedData) -> None:
    assert colin.get("/support/claims/99999998/payment/reject").status == 404
    reference = make_claim(seed, status="payment_information_requested")
    assert colin.get(f"/support/claims/{reference}/payment/refund").status == 404
    assert colin.post(f"/support/claims/{reference}/payment/refund").status == 404


# -- who may ---------------------------------------------------------------------------------------
def _payment_routes() -> list[tuple[str, str]]:
    import functions.support.app as support

    resolver = support.app.resolver
    return [
        (route.method, route.path)
        for route in resolver._static_routes + resolver._dynamic_routes
        if route.path.startswith("/support/payments") or "/payment/" in route.path
    ]


def test_a_school_user_is_not_authorised_for_any_payments_url(client: Client, seed: SeedData) -> None:
    from tests.support import set_grant_conditions

    reference = make_claim(seed, status="payment_information_requested")
    set_grant_conditions(ANNE_WILSON_SCHOOL_URN, accepted=True)
    client.sign_in("Anne Wilson")
    client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/users/new")  # a page with a form: Anne's CSRF token
    token = client.csrf_token()
    values = {
        "reference": reference,
        "slug": "reject",
        "batch_id": "0" * 32,
        "window_id": "window-2025-to-2026-1",
        "run_id": "x",
    }
    routes = _payment_routes()
    assert len(routes) >= 7, routes  # every payments route is in the loop
    for method, path in routes:
        url = re.sub(r"<(\w+)>", lambda m: values[m.group(1)], path)
        page = client.request(method, url, {"csrf_token": token} if method == "POST" else None)
        assert (page.status, page.h1) == (403, "Your account is not authorised"), f"{method} {path}"
    # A multipart upload too
    upload = post_upload(client, "/support/payments/upload", f"{HEADER}\n{reference},paid,\n".encode(), csrf=token)
    assert upload.status == 403
    assert status_of(reference) == "payment_information_requested"
    assert events_of(reference) == []


def test_a_visitor_is_sent_to_sign_in(client: Client) -> None:
    values = {
        "reference": "12345678",
        "slug": "paid",
        "batch_id": "0" * 32,
        "window_id": "window-2025-to-2026-1",
        "run_id": "x",
    }
    for method, path in _payment_routes():
        if method == "GET":
            url = re.sub(r"<(\w+)>", lambda m: values[m.group(1)], path)
            page = client.get(url)
            assert (page.status, page.location) == (303, "/sign-in"), path


# -- the status change that carries the payer's reason ---------------------------------------------
def test_change_status_sets_keeps_or_removes_the_unpaid_reason(seed: SeedData) -> None:
    from shared.data.claims import ClaimsStore
    from shared.data.items import ClaimItem

    store = ClaimsStore()
    reference = make_claim(seed)
    # Set, in the same write as the status
    claim = store.change_status(
        store.get(reference), ClaimStatus.PAYMENT_INFORMATION_REQUESTED, "u", NOW, unpaid_reason="No URN"
    )
    assert ClaimItem.get(reference).unpaid_reason == "No URN"
    # Left alone by default (the existing callers)
    claim = store.change_status(claim, ClaimStatus.PAYMENT_INFORMATION_SENT, "u", NOW)
    assert ClaimItem.get(reference).unpaid_reason == "No URN"
    # Removed with None
    store.change_status(claim, ClaimStatus.PAID, "u", NOW, unpaid_reason=None)
    item = ClaimItem.get(reference)
    assert (item.status, int(item.version)) == ("paid", 4)
    assert item.unpaid_reason is None
