"""Support asking for a claim's clawback after its audit (ADR 0033): "Check the clawback" shows each mentor's
clawback; "Change" for a mentor asks "How many hours should be clawed back for {mentor}?" and, when fewer than
the hours not completed, why; back to the check page; "Request clawback".

The answers kept server-side with the journey (ADR 0018) are only support's lowerings: the mentors, their hours
and the provider's answers come from the claim, read on every page, and the clawback rules
(`shared.claims.audits.lower_clawback`) are the use case's to apply.
"""

from __future__ import annotations

from pydantic import Field

from shared.journeys.flow import CHECK, Flow, JourneyAnswers, Location, Step
from shared.journeys.forms import Form, value

KIND = "clawback_request"

HOURS = "hours"  # the lowering form's fields (shared.claims.audits.HOURS, REASON)
REASON = "reason"
MENTOR = "mentor"  # a mentor's page: /support/claims/{reference}/clawback/{trn}


class ClawbackAnswers(JourneyAnswers):
    """The claim and, by TRN, the hours support chose to claw back for a mentor and why."""

    reference: str
    mentor_trns: list[str]
    hours: dict[str, int] = Field(default_factory=dict)
    reasons: dict[str, str] = Field(default_factory=dict)

    def set_hours(self, trn: str, hours: int, reason: str) -> None:
        self.hours = {**self.hours, trn: hours}
        self.reasons = {**self.reasons, trn: reason}

    def clear(self, trn: str) -> None:
        """Back to the hours not completed: no lowering."""
        self.hours = {k: v for k, v in self.hours.items() if k != trn}
        self.reasons = {k: v for k, v in self.reasons.items() if k != trn}


# Every mentor's page is optional (its default is the hours not completed), so the check page is always next.
FLOW: Flow[ClawbackAnswers] = Flow(
    KIND,
    [
        Step(MENTOR, each=lambda a: a.mentor_trns, answered_item=lambda a, trn: True),
        Step(CHECK),
    ],
)

CHECK_PAGE = Location(CHECK)


def mentor_page(trn: str) -> Location:
    return Location(MENTOR, trn)


def hours_question(mentor: str) -> str:
    return f"How many hours should be clawed back for {mentor}?"


REASON_QUESTION = "Why are fewer hours being clawed back?"


def read_form(form: Form) -> tuple[str, str]:
    """The hours (as typed) and the reason, for the use case to check."""
    return value(form, HOURS), value(form, REASON)
