"""GOV.UK Notify through its official client (`notifications-python-client`).

Locally the base URL points at the fake Notify on loopback; in AWS at api.notifications.service.gov.uk.
"""

from __future__ import annotations

from functools import lru_cache

from notifications_python_client.notifications import NotificationsAPIClient

from shared.claims.emails import GENERIC_TEMPLATE_ID, EmailMessage, subject_with_environment
from shared.config import settings
from shared.integrations.secrets import secret


@lru_cache(maxsize=1)
def _client() -> NotificationsAPIClient:
    config = settings()
    return NotificationsAPIClient(secret("notify_api_key"), base_url=config.notify_base_url, timeout=10)


def send(message: EmailMessage) -> str:
    """Send one email; returns Notify's notification id. Raises the client's HTTPError on failure."""
    response = _client().send_email_notification(
        email_address=message.to,
        template_id=GENERIC_TEMPLATE_ID,
        personalisation={
            "subject": subject_with_environment(message.subject, settings().environment),
            "body": message.body,
        },
        reference=message.reference,
    )
    return str(response["id"])
