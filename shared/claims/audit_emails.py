"""The emails of an audit (ADR 0031): the request to a provider's users, and the weekly chasers.

Pure: a provider, the link to its audit pages and the deadline in, an `EmailMessage` out. Bodies are GOV.UK
Notify markdown; no claim's personal data is in them, only how many claims and where to answer.
"""

from __future__ import annotations

import datetime as dt

from shared.claims.emails import SERVICE_NAME, EmailMessage
from shared.claims.payer_emails import claims_phrase

AUDIT_REQUESTED_KIND = "audit_requested"
AUDIT_CHASER_KIND = "audit_chaser"


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def audit_requested(to: str, *, provider_code: str, claims: int, link: str, deadline: dt.date) -> EmailMessage:
    body = "\n".join(
        [
            f"We are auditing claims made through {SERVICE_NAME}. "
            f"{claims_phrase(claims).capitalize()} your organisation is named on "
            f"{'has' if claims == 1 else 'have'} been chosen.",
            "",
            "For each mentor on each claim, tell us whether they completed the hours claimed:",
            link,
            "",
            f"You must answer by {_date(deadline)}. That is 21 days from this email.",
        ]
    )
    return EmailMessage(
        kind=AUDIT_REQUESTED_KIND,
        to=to,
        subject=f"Claims for mentor training to audit - {SERVICE_NAME}",
        body=body,
        reference=provider_code,
    )


def audit_chaser(
    to: str, *, provider_code: str, claims: int, link: str, deadline: dt.date, number: int
) -> EmailMessage:
    body = "\n".join(
        [
            f"{claims_phrase(claims).capitalize()} we asked you to check for our audit "
            f"{'is' if claims == 1 else 'are'} still waiting for your answers.",
            "",
            "Answer for each mentor on each claim:",
            link,
            "",
            f"The deadline for your answers is {_date(deadline)}.",
        ]
    )
    return EmailMessage(
        kind=AUDIT_CHASER_KIND,
        to=to,
        subject=f"Reminder {number}: claims for mentor training to audit - {SERVICE_NAME}",
        body=body,
        reference=provider_code,
    )
