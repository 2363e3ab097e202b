"""Sending as GOV.UK Notify expects (docs/adr/0038-sending-emails-through-notify.md), with the real
`notifications-python-client` against the fake Notify on loopback: a refused address is recorded on its user and
shown to support, a 429 or 500 is a batch item failure, and Notify's delivery receipts reach the callback route.

Users made here have unique addresses and are deleted after each test.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from infrastructure.local.fake_notify import NotifyServer, SentEmails, notify_server
from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
from shared.claims.emails import EmailMessage
from tests.support import REGION, Client, LambdaContextStub

CALLBACK_TOKEN = "test-callback-token-0123456789"
ANNE_SCHOOL = f"/support/organisations/schools/{ANNE_WILSON_SCHOOL_URN}"


@pytest.fixture
def fake_notify(seed: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[NotifyServer]:
    from shared.integrations import notify

    server = notify_server(SentEmails())
    monkeypatch.setenv("NOTIFY_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("NOTIFY_API_KEY", "test-" + "1" * 36 + "-" + "2" * 36)
    monkeypatch.setenv("NOTIFY_CALLBACK_TOKEN", CALLBACK_TOKEN)
    monkeypatch.setattr(notify, "pacer", notify.Pacer())  # no pause or pacing left by another test
    _reset_clients()
    yield server
    server.shutdown()
    server.server_close()
    _reset_clients()


def _reset_clients() -> None:
    from shared.config import settings
    from shared.integrations import notify

    settings.cache_clear()
    notify._client.cache_clear()


@pytest.fixture
def made_users() -> Iterator[list[str]]:
    """User ids to delete (with their membership of Anne's school) after the test."""
    made: list[str] = []
    yield made
    from shared.data.items import UserItem
    from shared.data.users import Members

    for user_id in made:
        Members().remove(ANNE_WILSON_SCHOOL_URN, user_id)
        UserItem(user_id=user_id).delete()


def _school_user(made: list[str], email: str) -> str:
    """A user of Anne Wilson's school with this address; their id."""
    from shared.claims.organisations import OrganisationType
    from shared.claims.people import Membership, Role, User
    from shared.data.users import Members

    user_id = f"user-{uuid.uuid4()}"
    user = User(user_id=user_id, first_name="Rhiannon", last_name="Test", email=email, role=Role.SCHOOL)
    membership = Membership(
        user_id=user_id,
        organisation_id=ANNE_WILSON_SCHOOL_URN,
        organisation_type=OrganisationType.SCHOOL,
        organisation_name="Meadowbank Primary School",
    )
    assert Members().add(user, membership, new_user=True)
    made.append(user_id)
    return user_id


def _unique(local: str, domain: str = "example.org") -> str:
    return f"{local}.{uuid.uuid4().hex[:10]}@{domain}"


def _message(to: str, reference: str = "user-test") -> EmailMessage:
    return EmailMessage(kind="test", to=to, subject="Subject", body="Hello", reference=reference)


def _event(*messages: EmailMessage) -> tuple[dict[str, Any], list[str]]:
    ids = [f"m-{uuid.uuid4()}" for _ in messages]
    records = [
        {
            "messageId": message_id,
            "receiptHandle": message_id,
            "body": message.model_dump_json(),
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:q",
            "awsRegion": REGION,
        }
        for message_id, message in zip(ids, messages, strict=True)
    ]
    return {"Records": records}, ids


def _failed(response: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def _user_item(user_id: str) -> Any:
    from shared.data.items import UserItem

    return UserItem.get(user_id)


# -- sending ------------------------------------------------------------------------------------------------------
def test_a_batch_is_one_send_per_message_and_only_the_refused_address_is_marked(
    fake_notify: NotifyServer, made_users: list[str], client: Client
) -> None:
    import functions.send_email.app as sender

    # Given a batch of three emails, one to an address Notify refuses (two dots), to a school's user
    good, refused = _unique("ok"), _unique("bad", "example..org")
    user_id = _school_user(made_users, refused)
    event, _ = _event(_message(good), _message(refused), _message(_unique("ok2")))
    # When the sender gets it
    response = sender.lambda_handler(event, LambdaContextStub())
    # Then every message was one request to Notify; none is reported failed (the refusal is not retried)
    assert _failed(response) == []
    assert [status for _, status in fake_notify.answered] == [201, 400, 201]
    assert len(fake_notify.sent.all()) == 2
    # And the refused address's user is marked, with the reason support reads
    item = _user_item(user_id)
    assert item.email_status == "refused"
    assert item.email_failure == "GOV.UK Notify says this is not a valid email address"
    # And support sees it where the school's users are listed
    client.sign_in("Colin Chapman")
    page = client.get(ANNE_SCHOOL)
    (row,) = [r for r in page.soup.select("tbody tr") if refused in r.get_text()]
    text = " ".join(row.get_text().split())
    assert "Emails failing" in text
    assert "Emails to this address are failing: GOV.UK Notify says this is not a valid email address" in text
    # And the same delivery again sends nothing more (idempotent on the SQS message id)
    sender.lambda_handler(event, LambdaContextStub())
    assert len(fake_notify.answered) == 3


def test_a_429_fails_the_item_and_the_rest_of_the_batch_goes_back_unsent(fake_notify: NotifyServer) -> None:
    import functions.send_email.app as sender

    # Given Notify allows one more request this minute
    fake_notify.per_minute = 1
    event, ids = _event(*(_message(_unique(f"r{n}")) for n in range(4)))
    # When a batch of four is sent
    response = sender.lambda_handler(event, LambdaContextStub())
    # Then the first is sent, the second is refused (429) and the last two are not even tried (the sender pauses)
    assert [status for _, status in fake_notify.answered] == [201, 429]
    assert _failed(response) == ids[1:]
    # And once the minute has passed (the pause over), a redelivery sends them
    from shared.integrations import notify

    fake_notify.per_minute = None
    notify.pacer.paused_until = 0.0
    retry, _ = _event()
    retry["Records"] = [r for r in event["Records"] if r["messageId"] in ids[1:]]
    assert _failed(sender.lambda_handler(retry, LambdaContextStub())) == []
    assert len(fake_notify.sent.all()) == 4


@pytest.mark.parametrize("status", [500, 503, 403])
def test_notify_down_or_refusing_the_key_is_retried_and_marks_nobody(
    fake_notify: NotifyServer, made_users: list[str], status: int
) -> None:
    import functions.send_email.app as sender

    # Given Notify answering every request with an error that is not the address's fault
    fake_notify.outage = status
    address = _unique("outage")
    user_id = _school_user(made_users, address)
    event, ids = _event(_message(address), _message(_unique("outage2")))
    # When the batch is sent / Then both are item failures (SQS delivers them again, then dead-letters them)
    assert _failed(sender.lambda_handler(event, LambdaContextStub())) == ids
    assert _user_item(user_id).email_failure is None
    # And when Notify is back, the redelivery sends them once each
    fake_notify.outage = None
    assert _failed(sender.lambda_handler(event, LambdaContextStub())) == []
    assert sorted(e["email_address"] for e in fake_notify.sent.all()) == sorted(
        json.loads(r["body"])["to"] for r in event["Records"]
    )


def test_sends_are_paced_to_stay_within_notifys_rate_limit(fake_notify: NotifyServer) -> None:
    import functions.send_email.app as sender
    from shared.claims.email_delivery import MIN_SECONDS_BETWEEN_SENDS

    # Given a full batch of ten
    event, _ = _event(*(_message(_unique(f"p{n}")) for n in range(10)))
    # When it is sent
    assert _failed(sender.lambda_handler(event, LambdaContextStub())) == []
    # Then the ten requests reached Notify spread over at least nine pacing intervals (10 a second per sender),
    # none bunched together (arrival times jitter a little on loopback)
    times = [at for at, _ in fake_notify.answered]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(times) == 10
    assert times[-1] - times[0] >= 9 * MIN_SECONDS_BETWEEN_SENDS * 0.98
    assert min(gaps) >= MIN_SECONDS_BETWEEN_SENDS / 2


# -- delivery receipts ---------------------------------------------------------------------------------------
def _callback(body: Any, token: str | None = CALLBACK_TOKEN, raw: str | None = None) -> dict[str, Any]:
    import functions.notify_callback.app as callback

    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    event = {
        "httpMethod": "POST",
        "path": "/notify/callback",
        "headers": headers,
        "body": raw if raw is not None else json.dumps(body),
        "isBase64Encoded": False,
    }
    response: dict[str, Any] = callback.lambda_handler(event, LambdaContextStub())
    return response


def _receipt(to: str, status: str, completed_at: str = "2026-12-03T10:00:05.000000Z") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "reference": "user-test",
        "to": to,
        "status": status,
        "created_at": "2026-12-03T10:00:00.000000Z",
        "completed_at": completed_at,
        "sent_at": "2026-12-03T10:00:01.000000Z",
        "notification_type": "email",
        "template_id": "a2c0c8f0-6d15-47db-b334-5fe198da1740",
        "template_version": 1,
    }


@pytest.mark.parametrize(
    ("token", "raw"),
    [(None, None), ("wrong-token", None), ("", None), (CALLBACK_TOKEN + "x", None)],
)
def test_the_callback_refuses_a_missing_or_wrong_token(
    fake_notify: NotifyServer, made_users: list[str], token: str | None, raw: str | None
) -> None:
    address = _unique("token")
    user_id = _school_user(made_users, address)
    response = _callback(_receipt(address, "permanent-failure"), token=token, raw=raw)
    assert response["statusCode"] == 401
    assert _user_item(user_id).email_status is None


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "",
        "[]",
        json.dumps({"id": "x"}),
        json.dumps({**_receipt("a@example.org", "delivered"), "status": "opened"}),
        json.dumps({**_receipt("a@example.org", "delivered"), "notification_type": "sms"}),
        json.dumps({**_receipt("a@example.org", "delivered"), "completed_at": "yesterday"}),
    ],
)
def test_the_callback_answers_400_to_what_is_not_a_receipt(fake_notify: NotifyServer, raw: str) -> None:
    assert _callback(None, raw=raw)["statusCode"] == 400


def test_a_permanent_failure_marks_the_user_and_a_later_delivery_clears_it(
    fake_notify: NotifyServer, made_users: list[str], client: Client
) -> None:
    # Given a school user
    address = _unique("receipt")
    user_id = _school_user(made_users, address)
    # When Notify reports a permanent failure to their address
    assert _callback(_receipt(address.upper(), "permanent-failure"))["statusCode"] == 200
    # Then the user is marked and support sees why
    item = _user_item(user_id)
    assert (item.email_status, item.email_failure) == (
        "permanent-failure",
        "the email provider could not deliver to this address (it may not exist)",
    )
    client.sign_in("Colin Chapman")
    text = " ".join(client.get(ANNE_SCHOOL).text().split())
    assert "Emails to this address are failing: the email provider could not deliver to this address" in text
    assert "(since 3 December 2026)" in text
    # When an older receipt arrives late, nothing changes
    assert _callback(_receipt(address, "delivered", "2026-12-03T09:00:00.000000Z"))["statusCode"] == 200
    assert _user_item(user_id).email_failure is not None
    # When a temporary failure arrives later, it is recorded but does not clear the mark
    assert _callback(_receipt(address, "temporary-failure", "2026-12-03T11:00:00.000000Z"))["statusCode"] == 200
    item = _user_item(user_id)
    assert (item.email_status, item.email_failure is not None) == ("temporary-failure", True)
    # When a later email is delivered, the mark goes
    assert _callback(_receipt(address, "delivered", "2026-12-03T12:00:00.000000Z"))["statusCode"] == 200
    item = _user_item(user_id)
    assert (item.email_status, item.email_failure, item.email_failed_at) == ("delivered", None, None)
    assert "Emails failing" not in client.get(ANNE_SCHOOL).text()


def test_a_receipt_for_an_address_no_user_has_is_accepted(fake_notify: NotifyServer) -> None:
    response = _callback(_receipt(_unique("payer"), "permanent-failure"))
    assert (response["statusCode"], json.loads(response["body"])) == (200, {"message": "Recorded"})


def test_a_base64_encoded_receipt_is_read(fake_notify: NotifyServer, made_users: list[str]) -> None:
    import functions.notify_callback.app as callback

    address = _unique("b64")
    user_id = _school_user(made_users, address)
    body = base64.b64encode(json.dumps(_receipt(address, "delivered")).encode()).decode()
    event = {"headers": {"authorization": f"Bearer {CALLBACK_TOKEN}"}, "body": body, "isBase64Encoded": True}
    assert callback.lambda_handler(event, LambdaContextStub())["statusCode"] == 200
    assert _user_item(user_id).email_status == "delivered"


def test_the_fake_notify_posts_receipts_like_notify_simulated_addresses(
    fake_notify: NotifyServer, made_users: list[str]
) -> None:
    """The fake's callbacks reach the handler as Notify's would (through a tiny loopback route to the handler)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import functions.send_email.app as sender

    class Route(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            import functions.notify_callback.app as callback

            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            answer = callback.lambda_handler(
                {"headers": dict(self.headers.items()), "body": body, "isBase64Encoded": False}, LambdaContextStub()
            )
            self.send_response(answer["statusCode"])
            self.send_header("Content-Length", "0")
            self.end_headers()

    api = ThreadingHTTPServer(("127.0.0.1", 0), Route)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    try:
        fake_notify.callback_url = f"http://127.0.0.1:{api.server_address[1]}/notify/callback"
        fake_notify.callback_token = CALLBACK_TOKEN
        # Given a user with Notify's permanent-failure simulated address, and another with an ordinary one
        failing = _school_user(made_users, "perm-fail@simulator.notify")
        delivered_address = _unique("delivered")
        delivered = _school_user(made_users, delivered_address)
        event, _ = _event(_message("perm-fail@simulator.notify"), _message(delivered_address))
        # When both are sent, and Notify posts its receipts
        assert _failed(sender.lambda_handler(event, LambdaContextStub())) == []
        deadline = time.monotonic() + 10
        while len(fake_notify.receipts) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        # Then each receipt was accepted, and recorded on its user
        assert sorted((r["status"], status) for r, status in fake_notify.receipts) == [
            ("delivered", 200),
            ("permanent-failure", 200),
        ]
        assert _user_item(failing).email_failure is not None
        assert (_user_item(delivered).email_status, _user_item(delivered).email_failure) == ("delivered", None)
    finally:
        api.shutdown()
        api.server_close()


def test_the_sample_event_is_a_receipt_the_callback_accepts(
    fake_notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import functions.notify_callback.app as callback
    from shared.config import settings
    from tests.support import ROOT

    # Given the token the sample event carries (for `sam local invoke` with NOTIFY_CALLBACK_TOKEN set to it)
    monkeypatch.setenv("NOTIFY_CALLBACK_TOKEN", "sample-notify-callback-token")
    settings.cache_clear()
    event = json.loads((ROOT / "events" / "notify_callback" / "delivered-receipt.json").read_text())
    assert callback.lambda_handler(event, LambdaContextStub())["statusCode"] == 200
    settings.cache_clear()


def test_support_users_show_a_failing_address_too(fake_notify: NotifyServer, client: Client) -> None:
    from shared.claims.people import Role
    from shared.data.items import UserItem
    from shared.data.users import Users

    # Given Notify reported a permanent failure to Sam Brooks's address (a support user of the demo data)
    sam = next(u for u in Users().with_role(Role.SUPPORT) if u.full_name == "Sam Brooks")
    try:
        assert _callback(_receipt(sam.email, "permanent-failure", "2026-12-03T10:00:05.000000Z"))["statusCode"] == 200
        # When Support → Users is opened / Then his row says so, and Colin Chapman's does not
        client.sign_in("Colin Chapman")
        page = client.get("/support/users")
        rows = {r.find("td").get_text(strip=True): " ".join(r.get_text().split()) for r in page.soup.select("tbody tr")}
        assert "Emails to this address are failing: the email provider could not deliver" in rows["Sam Brooks"]
        assert "Emails failing" not in rows["Colin Chapman"]
    finally:
        item = UserItem.get(sam.user_id)
        item.update(
            actions=[
                UserItem.email_status.remove(),
                UserItem.email_status_at.remove(),
                UserItem.email_failure.remove(),
                UserItem.email_failed_at.remove(),
            ]
        )
