"""Support users: who may be one (an email address on one of DfE's domains), and the emails they get when they
are added or removed.

Pure: answers and a list of domains in, problems by field out; a user in, an `EmailMessage` out. Names are
typed by a colleague, so Notify markdown is taken out of them before they go into a body.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.claims.emails import EMAIL_PATTERN, SERVICE_NAME, SUPPORT_EMAIL, EmailMessage
from shared.claims.errors import DomainError
from shared.claims.people import User
from shared.claims.user_emails import plain_text, sign_in_url

FIRST_NAME = "first_name"
LAST_NAME = "last_name"
EMAIL = "email"
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 100

ENTER_FIRST_NAME = "Enter a first name"
ENTER_LAST_NAME = "Enter a last name"
FIRST_NAME_TOO_LONG = f"First name must be {MAX_NAME_LENGTH} characters or less"
LAST_NAME_TOO_LONG = f"Last name must be {MAX_NAME_LENGTH} characters or less"
ENTER_EMAIL = "Enter an email address"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@education.gov.uk"
NOT_DFE = "Enter an email address on a DfE domain, like name@education.gov.uk"
EMAIL_TAKEN = "A support user with this email address already exists"

ADDED_KIND = "support_user_added"
REMOVED_KIND = "support_user_removed"
ADDED_SUBJECT = "You have been added as a support user"
REMOVED_SUBJECT = "You have been removed as a support user"


class EmailTaken(DomainError):
    """Another user (a support user, or anyone) already has this email address."""


class CannotRemoveYourself(DomainError):
    """A support user may remove other support users, never themselves."""


def domains_of(setting: str) -> frozenset[str]:
    """The configured DfE domains ("education.gov.uk,digital.education.gov.uk"), lower case, blanks dropped."""
    return frozenset(part.strip().lower().removeprefix("@") for part in setting.split(",") if part.strip())


def on_domains(email: str, domains: frozenset[str]) -> bool:
    """Whether the address's domain is exactly one of `domains` (a look-alike such as education.gov.uk.evil.com
    or evil-education.gov.uk is not)."""
    _, at, domain = email.strip().lower().rpartition("@")
    return bool(at) and domain in domains


def problems(answers: Mapping[str, str], domains: frozenset[str]) -> dict[str, str]:
    """What is wrong with the details on their own: field name → message, in page order."""
    found: dict[str, str] = {}
    for name, missing, too_long in (
        (FIRST_NAME, ENTER_FIRST_NAME, FIRST_NAME_TOO_LONG),
        (LAST_NAME, ENTER_LAST_NAME, LAST_NAME_TOO_LONG),
    ):
        text = answers.get(name, "").strip()
        if not text:
            found[name] = missing
        elif len(text) > MAX_NAME_LENGTH:
            found[name] = too_long
    email = answers.get(EMAIL, "").strip()
    if not email:
        found[EMAIL] = ENTER_EMAIL
    elif len(email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(email):
        found[EMAIL] = EMAIL_FORMAT
    elif not on_domains(email, domains):
        found[EMAIL] = NOT_DFE
    return found


def check_removal(actor: User, user: User) -> None:
    if actor.user_id == user.user_id:
        raise CannotRemoveYourself


def added(user: User, service_url: str) -> EmailMessage:
    """To a support user who has just been added."""
    body = "\n".join(
        [
            f"Dear {plain_text(user.full_name)},",
            "",
            f"You have been added as a support user of {SERVICE_NAME}.",
            "",
            "# Sign in",
            "",
            f"You need a DfE Sign-in account that uses this email address ({user.email}). If you do not have "
            "one, you can create one when you sign in.",
            "",
            f"Sign in to {SERVICE_NAME}:",
            sign_in_url(service_url),
            "",
            f"If you were not expecting this email, email {SUPPORT_EMAIL}",
        ]
    )
    return EmailMessage(kind=ADDED_KIND, to=user.email, subject=ADDED_SUBJECT, body=body, reference=user.user_id)


def removed(user: User) -> EmailMessage:
    """To a support user who has just been removed."""
    body = "\n".join(
        [
            f"Dear {plain_text(user.full_name)},",
            "",
            f"You have been removed as a support user of {SERVICE_NAME}. You can no longer sign in to it.",
            "",
            f"If you think this is a mistake, email {SUPPORT_EMAIL}",
        ]
    )
    return EmailMessage(kind=REMOVED_KIND, to=user.email, subject=REMOVED_SUBJECT, body=body, reference=user.user_id)
