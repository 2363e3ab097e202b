"""What a provider answers about an audited claim, and what the school says back (ADR 0032).

A provider answers each mentor of a claim under audit: did the mentor complete the hours claimed with them?
"No" carries the hours the mentor did complete (0 to the hours claimed) and a reason. Any "No" means the
provider did not confirm the claim, and the school may respond within `RESPONSE_DAYS` of the provider's
answer: agree, or disagree and say why. Support then decides (approve the claim, or claw it back).

The deadlines, the school's form and the clawback are `shared.claims.audits`' rules. Pure: no AWS, HTTP or
templates.
"""

from __future__ import annotations

import datetime as dt

from shared.claims.domain import Domain
from shared.claims.emails import SUPPORT_EMAIL, EmailMessage, plain_text
from shared.claims.statuses import ClaimStatus

AUDIT_DAYS = 21  # a provider's time to answer, from the audit's request
RESPONSE_DAYS = 21  # a school's time to respond, from the provider's answer
EXPLANATION_LIMIT = 2_000


class MentorAnswer(Domain):
    """A provider's answer for one mentor of the claim."""

    trn: str
    confirmed: bool
    hours_completed: int  # the hours claimed when confirmed
    reason: str = ""


class ProviderAnswers(Domain):
    """A provider's answers for a claim: who answered, when, each mentor's answer in the claim's order."""

    answered_at: dt.datetime
    answered_by: str
    answered_by_name: str
    answers: tuple[MentorAnswer, ...]

    @property
    def all_confirmed(self) -> bool:
        return all(answer.confirmed for answer in self.answers)


class SchoolResponse(Domain):
    """The school's response to a provider that did not confirm all the training."""

    agrees: bool
    explanation: str = ""
    responded_at: dt.datetime
    responded_by: str
    responded_by_name: str


def provider_outcome(answers: ProviderAnswers) -> ClaimStatus:
    """All confirmed: the audit passed and the claim is paid again; any not: the provider did not approve it."""
    return ClaimStatus.PAID if answers.all_confirmed else ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED


PROVIDER_NOT_CONFIRMED_KIND = "claim_audit_provider_not_confirmed"


def _london_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def provider_not_confirmed_email(
    reference: str, provider_name: str, address: str, *, claim_url: str, respond_by: dt.date
) -> EmailMessage:
    """To one user of the school: the provider did not confirm all the training of an audited claim."""
    lines = [
        f"{plain_text(provider_name)} did not confirm all the training in claim {reference}.",
        "",
        f"You can see their answers and respond by {_london_date(respond_by)}.",
        "",
        f"[View the claim]({claim_url})",
        "",
        f"If you have a question, email {SUPPORT_EMAIL}.",
    ]
    return EmailMessage(
        kind=PROVIDER_NOT_CONFIRMED_KIND,
        to=address,
        subject=f"Your provider did not confirm all the training in claim {reference}",
        body="\n".join(lines),
        reference=reference,
    )
