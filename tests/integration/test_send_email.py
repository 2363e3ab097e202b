"""The email sender: queue → SendEmailFunction → GOV.UK Notify (the fake on loopback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infrastructure.local.fake_notify import SentEmails, notify_server
from infrastructure.local.queues import QueuePoller
from shared.claims.emails import EmailMessage
from tests.support import REGION, LambdaContextStub


@pytest.fixture
def notify(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[SentEmails]:
    sent = SentEmails()
    server = notify_server(sent)
    monkeypatch.setenv("NOTIFY_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("NOTIFY_API_KEY", "test-" + "1" * 36 + "-" + "2" * 36)
    _reset_clients()
    yield sent
    server.shutdown()
    server.server_close()
    _reset_clients()


def _reset_clients() -> None:
    from shared.config import settings
    from shared.integrations import notify

    settings.cache_clear()
    notify._client.cache_clear()


def _message(to: str = "anne.wilson@example.org", reference: str = "user-anne-wilson") -> EmailMessage:
    return EmailMessage(
        kind="test",
        to=to,
        subject="Invitation to join Claim funding for mentor training",
        body="Hello",
        reference=reference,
    )


def _event(*records: tuple[str, EmailMessage]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": message_id,
                "receiptHandle": message_id,
                "body": message.model_dump_json(),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:q",
                "awsRegion": REGION,
            }
            for message_id, message in records
        ]
    }


def test_a_queued_email_is_sent_once_even_if_delivered_twice(notify: SentEmails) -> None:
    import functions.send_email.app as sender

    # Given a message delivered by SQS
    event = _event(("m-1", _message()))
    # When the sender gets it, and SQS delivers it again
    assert sender.lambda_handler(event, LambdaContextStub()) == {"batchItemFailures": []}
    assert sender.lambda_handler(event, LambdaContextStub()) == {"batchItemFailures": []}
    # Then Notify received it once, through the generic template with subject and body
    emails = notify.all()
    assert len(emails) == 1
    assert emails[0]["email_address"] == "anne.wilson@example.org"
    assert emails[0]["template_id"] == "a2c0c8f0-6d15-47db-b334-5fe198da1740"
    assert emails[0]["personalisation"] == {
        "subject": "Invitation to join Claim funding for mentor training",
        "body": "Hello",
    }
    assert emails[0]["reference"] == "user-anne-wilson"


def test_a_failed_send_is_reported_as_a_partial_batch_failure(
    notify: SentEmails, monkeypatch: pytest.MonkeyPatch
) -> None:
    import functions.send_email.app as sender

    def refuse(message: EmailMessage) -> str:
        if message.to.startswith("bounce"):
            raise ConnectionError("Notify is down")
        from shared.integrations.notify import send

        return send(message)

    monkeypatch.setattr(sender, "send", refuse)
    result = sender.lambda_handler(
        _event(("ok-1", _message()), ("bad-1", _message("bounce@example.org"))), LambdaContextStub()
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad-1"}]}
    assert [e["email_address"] for e in notify.all()] == ["anne.wilson@example.org"]


def test_the_local_queue_poller_deletes_only_what_was_sent(notify: SentEmails) -> None:
    # Given a real queue with two messages, one of which the function reports as failed
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="test-poller", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    for message in (_message(), _message("bounce@example.org")):
        sqs.send_message(QueueUrl=queue_url, MessageBody=message.model_dump_json())

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failed = [r["messageId"] for r in event["Records"] if json.loads(r["body"])["to"].startswith("bounce")]
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}

    poller = QueuePoller(sqs, handler, "test-send-email", queue_url, batch_size=10)
    # When it polls once
    assert poller.poll_once(wait_seconds=0) == 1
    # Then only the failed message is left on the queue
    left = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"])["to"] for m in left] == ["bounce@example.org"]


def test_email_messages_refuse_what_is_not_an_address() -> None:
    with pytest.raises(ValueError, match="not an email address"):
        _message("not an address")
