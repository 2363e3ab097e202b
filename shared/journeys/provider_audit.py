"""A provider answering an audit of one claim: for each mentor "Did {mentor} complete {n} hours of training with
you?"; for a "No", how many hours they did complete and why; then check answers and "Submit response" (ADR 0032).

The answers are kept server-side with the journey (ADR 0018); the mentors and their hours come from the claim,
read on every page, so the journey keeps only what the provider said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import Field

from shared.journeys.flow import CHECK, Flow, JourneyAnswers, Location, Step
from shared.journeys.forms import Errors, Form, value, whole_number

KIND = "provider_audit"
REASON_LIMIT = 2_000


class StepName:
    MENTOR = "mentor"
    HOURS = "hours"
    CHECK = CHECK


class AuditAnswers(JourneyAnswers):
    reference: str
    mentor_trns: list[str]
    confirmed: dict[str, bool] = Field(default_factory=dict)
    hours: dict[str, int] = Field(default_factory=dict)
    reasons: dict[str, str] = Field(default_factory=dict)

    def not_confirmed(self) -> list[str]:
        return [trn for trn in self.mentor_trns if self.confirmed.get(trn) is False]

    def set_confirmed(self, trn: str, confirmed: bool) -> None:
        self.confirmed = {**self.confirmed, trn: confirmed}
        if confirmed:  # a "Yes" needs no hours or reason
            self.hours = {k: v for k, v in self.hours.items() if k != trn}
            self.reasons = {k: v for k, v in self.reasons.items() if k != trn}

    def set_hours(self, trn: str, hours: int, reason: str) -> None:
        self.hours = {**self.hours, trn: hours}
        self.reasons = {**self.reasons, trn: reason}


FLOW: Flow[AuditAnswers] = Flow(
    KIND,
    [
        Step(StepName.MENTOR, each=lambda a: a.mentor_trns, answered_item=lambda a, trn: trn in a.confirmed),
        Step(StepName.HOURS, each=lambda a: a.not_confirmed(), answered_item=lambda a, trn: trn in a.hours),
        Step(CHECK),
    ],
)


def at(step: str, trn: str | None = None) -> Location:
    return Location(step, trn)


def confirmed_question(mentor: str, hours: int) -> str:
    return f"Did {mentor} complete {hours} hours of training with you?"


def hours_question(mentor: str) -> str:
    return f"How many hours of training did {mentor} complete?"


def parse_confirmed(form: Form, mentor: str, hours: int) -> bool | Errors:
    answer = value(form, "confirmed")
    if answer in ("yes", "no"):
        return answer == "yes"
    errors = Errors()
    errors.add("confirmed", f"Select whether {mentor} completed {hours} hours of training with you")
    return errors


@dataclass
class HoursForm:
    """The hours page as posted (shown back when it is wrong), and what it said when it is right."""

    hours_text: str
    reason: str
    errors: Errors = field(default_factory=Errors)
    hours: int | None = None


def parse_hours(form: Form, claimed: int) -> HoursForm:
    """The hours a mentor completed (a whole number from 0 to those claimed) and the reason for the difference."""
    read = HoursForm(value(form, "hours_completed").strip(), value(form, "reason").strip())
    if not read.hours_text:
        read.errors.add("hours_completed", "Enter the number of hours")
    else:
        hours = whole_number(read.hours_text)
        if hours is None:
            read.errors.add("hours_completed", "Enter a whole number")
        elif hours > claimed:
            read.errors.add("hours_completed", f"Number of hours must be {claimed} or fewer")
        else:
            read.hours = hours
    if not read.reason:
        read.errors.add("reason", "Enter a reason")
    elif len(read.reason) > REASON_LIMIT:
        read.errors.add("reason", "Reason must be 2,000 characters or less")
    return read


def start_answers(reference: str, trns: Sequence[str]) -> AuditAnswers:
    return AuditAnswers(reference=reference, mentor_trns=list(trns))


# -- the audit file: uploaded answers kept until "Confirm upload" ------------------------------------------
FILE_KIND = "provider_audit_file"


class FileAnswers(JourneyAnswers):
    """An uploaded audit file's answers, by claim reference, each mentor's answer as the claim will keep it."""

    answers: dict[str, list[dict[str, object]]]


FILE_FLOW: Flow[FileAnswers] = Flow(FILE_KIND, [Step(CHECK)])
