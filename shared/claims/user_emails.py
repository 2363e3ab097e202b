"""The emails a school user gets when a colleague adds them to a school or removes them from one.

Pure: a user and a school name in, an `EmailMessage` out. Bodies are GOV.UK Notify markdown. Names are
typed by a colleague, so characters that Notify markdown treats as formatting are taken out of them
before they go into a body; the reference is the user id, never a name.
"""

from __future__ import annotations

import re

from shared.claims.emails import SERVICE_NAME, SUPPORT_EMAIL, EmailMessage
from shared.claims.people import User

INVITATION_KIND = "user_invited"
REMOVAL_KIND = "user_removed"
INVITATION_SUBJECT = f"Invitation to join {SERVICE_NAME}"
REMOVAL_SUBJECT = f"You have been removed from {SERVICE_NAME}"

# Notify markdown: headings (#), emphasis (* _), links ([]()), inset (^), quotes (>), code (`), HTML (<>).
_MARKDOWN = re.compile(r"[#*_\[\]()^>`<\\]")


def plain_text(text: str) -> str:
    """Typed text made safe to drop into a Notify markdown body: no formatting, one line."""
    return " ".join(_MARKDOWN.sub("", text).split())


def sign_in_url(service_url: str) -> str:
    return f"{service_url.rstrip('/')}/sign-in"


def invitation(user: User, school_name: str, service_url: str) -> EmailMessage:
    """To a user who has just been added to a school."""
    school = plain_text(school_name)
    body = "\n".join(
        [
            f"Dear {plain_text(user.full_name)},",
            "",
            f"You have been added to {SERVICE_NAME} for {school}.",
            "",
            "# What the service is for",
            "",
            "Use this service to claim funding for the time your general mentors spend in initial teacher "
            "training (ITT) mentor training with an accredited ITT provider.",
            "",
            "# Sign in",
            "",
            f"You need a DfE Sign-in account that uses this email address ({user.email}). If you do not have "
            "one, you can create one when you sign in.",
            "",
            f"Sign in to {SERVICE_NAME}:",
            sign_in_url(service_url),
            "",
            "# Get help",
            "",
            f"If you were not expecting this email, or you need help, email {SUPPORT_EMAIL}",
        ]
    )
    return EmailMessage(
        kind=INVITATION_KIND, to=user.email, subject=INVITATION_SUBJECT, body=body, reference=user.user_id
    )


def removal(user: User, school_name: str) -> EmailMessage:
    """To a user who has just been removed from a school."""
    school = plain_text(school_name)
    body = "\n".join(
        [
            f"Dear {plain_text(user.full_name)},",
            "",
            f"You have been removed from {SERVICE_NAME} for {school}.",
            "",
            f"You can no longer claim funding for mentor training for {school}.",
            "",
            f"If you think this is a mistake, email {SUPPORT_EMAIL}",
        ]
    )
    return EmailMessage(kind=REMOVAL_KIND, to=user.email, subject=REMOVAL_SUBJECT, body=body, reference=user.user_id)
