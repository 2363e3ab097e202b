"""Sending through GOV.UK Notify (ADR 0038): the rate limit's arithmetic, what Notify's answers mean, its receipts,
the callback's bearer token, and the sender's pacing (with a fake clock)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from infrastructure.local.fake_notify import notify_accepts
from shared.claims import email_delivery as delivery
from shared.claims.email_delivery import DeliveryReceipt, Refusal, bearer_token, refusal


def test_the_senders_stay_within_notifys_limit_with_room_to_spare() -> None:
    # 4 senders x 10 sends a second = 40 a second = 2,400 a minute: 80% of Notify's 3,000
    per_minute = delivery.SENDERS * 60 / delivery.MIN_SECONDS_BETWEEN_SENDS
    assert per_minute == delivery.TARGET_SENDS_PER_MINUTE == 2_400
    assert per_minute <= delivery.NOTIFY_REQUESTS_PER_MINUTE * 0.8
    # A batch at its slowest: 10 x (3 s + 5 s + 0.1 s)
    assert delivery.worst_batch_seconds() == pytest.approx(81.0)


@pytest.mark.parametrize(
    ("status", "errors", "expected"),
    [
        (400, [("ValidationError", "email_address Not a valid email address")], Refusal.ADDRESS),
        (400, [("BadRequestError", "email_address Not a valid email address")], Refusal.ADDRESS),
        (400, [("BadRequestError", "Can't send to this recipient using a team-only API key")], Refusal.TEMPORARY),
        (400, [("BadRequestError", "Missing personalisation: body")], Refusal.TEMPORARY),
        (400, [("ValidationError", "personalisation body is too long")], Refusal.TEMPORARY),
        (403, [("AuthError", "Invalid token: API key not found")], Refusal.TEMPORARY),
        (
            429,
            [("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds")],
            Refusal.RATE_LIMITED,
        ),
        (429, [("TooManyRequestsError", "Exceeded send limits (250000) for today")], Refusal.RATE_LIMITED),
        (500, [("Exception", "Internal server error")], Refusal.TEMPORARY),
        (503, [("", "Request failed")], Refusal.TEMPORARY),
    ],
)
def test_what_each_of_notifys_answers_means(status: int, errors: list[tuple[str, str]], expected: Refusal) -> None:
    assert refusal(status, errors) is expected


def _receipt(**changes: object) -> dict[str, object]:
    return {
        "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
        "reference": "user-1",
        "to": "anne@example.org",
        "status": "permanent-failure",
        "created_at": "2026-12-03T10:00:00.000000Z",
        "completed_at": "2026-12-03T10:00:05.000000Z",
        "sent_at": "2026-12-03T10:00:01.000000Z",
        "notification_type": "email",
        **changes,
    }


def test_a_receipt_is_read_with_its_time_and_what_it_means_for_the_address() -> None:
    receipt = DeliveryReceipt.model_validate({**_receipt(), "template_id": "x", "template_version": 1})
    assert receipt.at == dt.datetime(2026, 12, 3, 10, 0, 5, tzinfo=dt.UTC)
    assert receipt.failure == "the email provider could not deliver to this address (it may not exist)"
    for status in ("delivered", "temporary-failure", "technical-failure"):
        assert DeliveryReceipt.model_validate(_receipt(status=status)).failure is None
    waiting = DeliveryReceipt.model_validate(
        _receipt(completed_at=None, sent_at=None, created_at="2026-12-03T09:00:00")
    )
    assert waiting.at == dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "changes",
    [{"status": "sending"}, {"notification_type": "sms"}, {"to": ""}, {"created_at": "soon"}, {"id": ""}],
)
def test_what_is_not_a_receipt_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        DeliveryReceipt.model_validate(_receipt(**changes))


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc123", "abc123"),
        ("bearer  abc123 ", "abc123"),
        ("Basic abc123", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("", None),
        (None, None),
    ],
)
def test_the_bearer_token_is_read_from_the_authorization_header(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("address", "accepted"),
    [
        ("anne@example.org", True),
        ("perm-fail@simulator.notify", True),
        ("anne@example..org", False),
        ("anne@-example.org", False),
        ("anne@example.o", False),
        ("anne@exa_mple.org", False),
        ("@example.org", False),
    ],
)
def test_the_fake_refuses_what_notify_refuses(address: str, accepted: bool) -> None:
    assert notify_accepts(address) is accepted


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_the_pacer_spaces_sends_and_pauses_after_a_429() -> None:
    from shared.integrations.notify import Pacer, Paused

    clock = _Clock()
    pacer = Pacer(interval=0.1, clock=clock, sleep=clock.sleep)
    # Given sends in a row: the first goes at once, the next waits out the interval
    pacer.wait_turn()
    clock.now += 0.03
    pacer.wait_turn()
    clock.now += 0.5
    pacer.wait_turn()
    assert clock.slept == [0.07]
    # When Notify says 429, nothing is sent for the pause, then sends go again
    pacer.pause(60)
    clock.now += 59.9
    with pytest.raises(Paused):
        pacer.wait_turn()
    clock.now += 0.2
    pacer.wait_turn()
