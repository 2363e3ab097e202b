"""Emails as data: what is sent, to whom, and why. The sender (functions/send_email) delivers them
through GOV.UK Notify's one generic template, with subject and body as personalisation, as the live
service does. Bodies are Notify markdown. No email carries a date of birth or a claim amount to a provider.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The shape GOV.UK services accept: something@domain.tld, no spaces. Deliverability is Notify's job.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

GENERIC_TEMPLATE_ID = "a2c0c8f0-6d15-47db-b334-5fe198da1740"
SUPPORT_EMAIL = "ittmentor.funding@education.gov.uk"
SERVICE_NAME = "Claim funding for mentor training"


class EmailMessage(BaseModel):
    """One message on the email queue: everything the sender needs, nothing it must look up."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(description="what the email is, e.g. claim_submitted (for logs and metrics)")
    to: str
    subject: str
    body: str
    reference: str = Field(description="a reference for logs: a claim reference or a user id, never a name")

    @field_validator("to")
    @classmethod
    def _email_shaped(cls, value: str) -> str:
        value = value.strip()
        if not EMAIL_PATTERN.match(value):
            raise ValueError("not an email address")
        return value


def subject_with_environment(subject: str, environment: str) -> str:
    """Non-production emails say where they came from, as the live service's do: "[QA] …"."""
    if environment in ("production", "test"):
        return subject
    return f"[{environment.upper()}] {subject}"


# Notify markdown: headings (#), emphasis (* _), links ([]()), inset (^), quotes (>), code (`), HTML (<>).
_MARKDOWN = re.compile(r"[#*_\[\]()^>`<\\]")


def plain_text(text: str) -> str:
    """Text from outside (a payer's reason, a GIAS name) made safe to drop into a Notify markdown body:
    no formatting characters, one line."""
    return " ".join(_MARKDOWN.sub("", text).split())
