"""An audit's rules: what the provider's answers decide, the school's response, the deadlines and chasers, and
the clawback each mentor's answer leads to (ADR 0030).

The answers themselves (`MentorAnswer`, `ProviderAnswers`, `SchoolResponse`) are `shared.claims.audit_answers`'
models, the ones a claim records, re-exported here so the audit file and the provider's pages use one model.

Deadlines are counted in days in England (Europe/London): an audit requested at 00:30 on 2 March British Summer
Time is requested on 2 March, whatever the UTC date. A deadline day is the last day to answer: it is overdue
from the next day.

Pure: no AWS, HTTP or templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.claims.academic_years import london_today
from shared.claims.allowance import MAX_HOURS_DIGITS
from shared.claims.audit_answers import AUDIT_DAYS, EXPLANATION_LIMIT, RESPONSE_DAYS
from shared.claims.audit_answers import CLAWBACK_PENDING as CLAWBACK_PENDING  # re-exported: the claim's models
from shared.claims.audit_answers import ClawbackRequest as ClawbackRequest
from shared.claims.audit_answers import MentorAnswer as MentorAnswer  # re-exported: one model of an answer
from shared.claims.audit_answers import MentorClawback as MentorClawback
from shared.claims.audit_answers import ProviderAnswers as ProviderAnswers
from shared.claims.audit_answers import SchoolResponse as SchoolResponse
from shared.claims.audit_answers import provider_outcome as provider_outcome
from shared.claims.claim import Claim
from shared.claims.statuses import ClaimStatus

AUDIT_DEADLINE = dt.timedelta(days=AUDIT_DAYS)  # the provider's time to answer, from the request
SCHOOL_RESPONSE_DAYS = RESPONSE_DAYS  # the school's time to respond, from the provider's answer
CHASER_INTERVAL_DAYS = 7  # a reminder a week
MAX_CHASERS = 3


# -- what the answers decide -----------------------------------------------------------------------
def answers_outcome(answers: Iterable[MentorAnswer]) -> ClaimStatus:
    """The same rule as `provider_outcome`, for answers not yet recorded (an uploaded file's): every mentor
    confirmed → paid (the audit passed); any "No" → sampling_provider_not_approved (rejected by provider)."""
    confirmed = [answer.confirmed for answer in answers]
    if not confirmed:
        raise ValueError("an outcome needs at least one answer")
    return ClaimStatus.PAID if all(confirmed) else ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED


# -- the school's response -------------------------------------------------------------------------
AGREES = "agrees"  # the form's fields
EXPLANATION = "explanation"
SELECT_AGREES = "Select whether you agree with your provider"
ENTER_EXPLANATION = "Enter why you disagree"
EXPLANATION_TOO_LONG = f"Explanation must be {EXPLANATION_LIMIT:,} characters or less"


@dataclass(frozen=True)
class SchoolResponseCheck:
    """A school's response form, checked: the answer (None when not given) and the errors by field."""

    agrees: bool | None
    explanation: str
    errors: dict[str, str]

    @property
    def valid(self) -> bool:
        return not self.errors


def check_school_response(agrees: str | None, explanation: str | None) -> SchoolResponseCheck:
    """`agrees` is the radio's value ("yes" or "no"); an explanation is required when disagreeing, at most
    `EXPLANATION_LIMIT` characters (a browser's CRLF line end counts as one, as the character count shows it)
    and dropped when agreeing."""
    errors: dict[str, str] = {}
    text = (explanation or "").replace("\r\n", "\n").strip()
    choice = {"yes": True, "no": False}.get((agrees or "").strip().lower())
    if choice is None:
        errors[AGREES] = SELECT_AGREES
    elif not choice and not text:
        errors[EXPLANATION] = ENTER_EXPLANATION
    elif not choice and len(text) > EXPLANATION_LIMIT:
        errors[EXPLANATION] = EXPLANATION_TOO_LONG
    return SchoolResponseCheck(agrees=choice, explanation=text if choice is False else "", errors=errors)


# -- deadlines and chasers -------------------------------------------------------------------------
def deadline_day(started_at: dt.datetime, days: int = AUDIT_DAYS) -> dt.date:
    """The last day to answer: `days` after the London day it started (the request, or the provider's answer
    for a school's response)."""
    return london_today(started_at) + dt.timedelta(days=days)


def overdue(started_at: dt.datetime, now: dt.datetime, days: int = AUDIT_DAYS) -> bool:
    """Past the deadline day in England (the whole deadline day is still in time)."""
    return london_today(now) > deadline_day(started_at, days)


def chaser_due(started_at: dt.datetime, chasers_sent: int, now: dt.datetime, days: int = AUDIT_DAYS) -> bool:
    """Whether a reminder is due now: the n-th is due from n weeks after the start day, at most `MAX_CHASERS`,
    and none once the deadline has passed (support follows an overdue audit up). A job that missed a week sends
    one reminder, not the ones it missed."""
    if chasers_sent >= MAX_CHASERS or overdue(started_at, now, days):
        return False
    due_on = london_today(started_at) + dt.timedelta(days=CHASER_INTERVAL_DAYS * (chasers_sent + 1))
    return london_today(now) >= due_on


# -- clawback --------------------------------------------------------------------------------------
def clawback_per_mentor(claim: Claim, answers: Sequence[MentorAnswer]) -> tuple[MentorClawback, ...]:
    """Each mentor's clawback, in the claim's mentor order: (hours claimed − hours completed) × the claim's
    hourly rate (a confirmed mentor's is 0). Every mentor of the claim needs exactly one answer."""
    by_trn = {answer.trn: answer for answer in answers}
    if len(by_trn) != len(answers) or set(by_trn) != {mentor.trn for mentor in claim.mentors}:
        raise ValueError(f"the answers do not match the mentors of claim {claim.reference}")
    clawbacks = []
    for mentor in claim.mentors:
        answer = by_trn[mentor.trn]
        completed = mentor.hours if answer.confirmed else answer.hours_completed
        if not 0 <= completed <= mentor.hours:
            raise ValueError(f"claim {claim.reference}: hours completed must be between 0 and {mentor.hours}")
        clawbacks.append(
            MentorClawback(
                trn=mentor.trn,
                hours_claimed=mentor.hours,
                hours_completed=completed,
                hours_clawed_back=mentor.hours - completed,
                hourly_rate_pence=claim.hourly_rate_pence,
            )
        )
    return tuple(clawbacks)


HOURS = "hours"  # the lowering form's fields
REASON = "reason"


@dataclass(frozen=True)
class LoweredClawback:
    """Support's lowering of one mentor's clawback, checked: the clawback (None when invalid) and the errors."""

    clawback: MentorClawback | None
    errors: dict[str, str]


def lower_clawback(clawback: MentorClawback, hours: int | str, reason: str) -> LoweredClawback:
    """Claw back fewer hours than were not completed: 0 to the hours not completed, with a reason."""
    errors: dict[str, str] = {}
    text = str(hours).strip()
    top = clawback.hours_not_completed
    if not text:
        errors[HOURS] = "Enter the number of hours to claw back"
    elif not text.isdecimal() or not text.isascii():
        errors[HOURS] = "Hours to claw back must be a whole number"
    elif len(text) > MAX_HOURS_DIGITS or int(text) > top:
        errors[HOURS] = f"Hours to claw back must be between 0 and {top}"
    if not reason.strip():
        errors[REASON] = "Enter why fewer hours are clawed back"
    if errors:
        return LoweredClawback(None, errors)
    lowered = clawback.model_copy(update={"hours_clawed_back": int(text), "lowered_reason": reason.strip()})
    return LoweredClawback(lowered, {})


def clawback_total_pence(clawbacks: Iterable[MentorClawback]) -> int:
    """The claim's clawback: the sum of its mentors', in pence."""
    return sum(clawback.pence for clawback in clawbacks)
