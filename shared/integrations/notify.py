"""GOV.UK Notify through its official client (`notifications-python-client`).

Locally the base URL points at the fake Notify on loopback; in AWS at api.notifications.service.gov.uk.
Sends are paced (at least `MIN_SECONDS_BETWEEN_SENDS` apart in one process) and after a 429 this process sends
nothing for `RATE_LIMITED_PAUSE_SECONDS` (docs/adr/0038-sending-emails-through-notify.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from shared.claims.email_delivery import (
    MIN_SECONDS_BETWEEN_SENDS,
    NOTIFY_CONNECT_TIMEOUT_SECONDS,
    NOTIFY_READ_TIMEOUT_SECONDS,
    RATE_LIMITED_PAUSE_SECONDS,
)
from shared.claims.emails import GENERIC_TEMPLATE_ID, EmailMessage, subject_with_environment
from shared.config import settings
from shared.integrations.secrets import secret


class NotifyError(Exception):
    """Notify did not accept the email: its HTTP status (503 when there was no answer) and (error, message) pairs."""

    def __init__(self, status_code: int, errors: list[tuple[str, str]]) -> None:
        super().__init__(f"GOV.UK Notify answered {status_code}: {', '.join(error for error, _ in errors)}")
        self.status_code = status_code
        self.errors = errors


class Paused(NotifyError):
    """Not sent: Notify said 429 a moment ago, so this process waits before it sends again."""

    def __init__(self) -> None:
        super().__init__(429, [("RateLimitError", "paused after Notify's rate limit")])


class Pacer:
    """Sends of one process, at least `interval` seconds apart; none until `paused_until` after a 429."""

    def __init__(
        self,
        interval: float = MIN_SECONDS_BETWEEN_SENDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self.last_send: float | None = None
        self.paused_until = 0.0
        self.lock = threading.Lock()

    def wait_turn(self) -> None:
        with self.lock:
            now = self.clock()
            if now < self.paused_until:
                raise Paused
            if self.last_send is not None and now - self.last_send < self.interval:
                self.sleep(self.interval - (now - self.last_send))
                now = self.clock()
            self.last_send = now

    def pause(self, seconds: float = RATE_LIMITED_PAUSE_SECONDS) -> None:
        with self.lock:
            self.paused_until = self.clock() + seconds


pacer = Pacer()


@lru_cache(maxsize=1)
def _client() -> NotificationsAPIClient:
    config = settings()
    return NotificationsAPIClient(
        secret("notify_api_key"),
        base_url=config.notify_base_url,
        timeout=(NOTIFY_CONNECT_TIMEOUT_SECONDS, NOTIFY_READ_TIMEOUT_SECONDS),
    )


def _errors(error: APIError) -> list[tuple[str, str]]:
    message: Any = error.message
    if isinstance(message, list):
        return [(str(e.get("error", "")), str(e.get("message", ""))) for e in message if isinstance(e, dict)]
    return [("", str(message))]


def send(message: EmailMessage) -> str:
    """Send one email; returns Notify's notification id. Raises NotifyError when Notify did not take it."""
    pacer.wait_turn()
    try:
        response = _client().send_email_notification(
            email_address=message.to,
            template_id=GENERIC_TEMPLATE_ID,
            personalisation={
                "subject": subject_with_environment(message.subject, settings().environment),
                "body": message.body,
            },
            reference=message.reference,
        )
    except APIError as error:
        if error.status_code == 429:
            pacer.pause()
        raise NotifyError(error.status_code, _errors(error)) from error
    return str(response["id"])
