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


class MentorClawback(Domain):
    """What is clawed back for one mentor: the hours claimed but not completed, at the claim's snapshotted rate.

    `hours_clawed_back` starts as the hours not completed; support may lower it, with a reason
    (`shared.claims.audits.lower_clawback`). Clawed-back hours are NOT given back to the mentor's allowance: the
    hours were claimed (and paid) against it, and the allowance counts claims, not recoveries, so a clawback
    changes no allowance.
    """

    trn: str
    hours_claimed: int
    hours_completed: int
    hours_clawed_back: int
    hourly_rate_pence: int
    lowered_reason: str = ""

    @property
    def hours_not_completed(self) -> int:
        """The most that can be clawed back for this mentor."""
        return self.hours_claimed - self.hours_completed

    @property
    def pence(self) -> int:
        return self.hours_clawed_back * self.hourly_rate_pence

    @property
    def lowered(self) -> bool:
        return self.hours_clawed_back < self.hours_not_completed


# A claim whose clawback is approved waits for a clawback run under this key of the clawback index; the run
# that takes it writes its own id there (on condition that it still reads CLAWBACK_PENDING).
CLAWBACK_PENDING = "pending"


class ClawbackRequest(Domain):
    """A claim's clawback as support asked for it (ADR 0030): each mentor's clawback, who asked and when, and
    the second support user's decision (approved, or rejected with a reason). Recorded on the claim with its
    change to clawback_requires_approval; the decision with its change to clawback_requested or
    clawback_rejected."""

    mentors: tuple[MentorClawback, ...]
    requested_by: str
    requested_by_name: str
    requested_at: dt.datetime
    decided_by: str | None = None
    decided_by_name: str | None = None
    decided_at: dt.datetime | None = None
    rejected_reason: str = ""

    @property
    def total_pence(self) -> int:
        """The claim's clawback: the sum of its mentors', in pence."""
        return sum(mentor.pence for mentor in self.mentors)


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
