"""A school answering its provider's audit answers (ADR 0032): told by email when the provider did not confirm
all the training, it sees the answers on the claim's page and may agree, or disagree and say why, once, within
21 days of the provider's answer. The response is kept on the claim with its event; the status stays "rejected
by provider" for support to decide (approve the claim, or claw it back).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.audit_answers import ProviderAnswers, SchoolResponse, provider_not_confirmed_email
from shared.claims.audits import (
    AGREES,
    EXPLANATION,
    SCHOOL_RESPONSE_DAYS,
    check_school_response,
    deadline_day,
    overdue,
)
from shared.claims.claim import Claim
from shared.claims.errors import ClaimNotFound, DomainError
from shared.claims.organisations import School
from shared.claims.people import User
from shared.claims.school_emails import school_response_received_email
from shared.claims.statuses import ClaimStatus
from shared.config import settings
from shared.data.claims import ClaimsStore
from shared.data.emails import enqueue
from shared.data.users import member_emails
from shared.journeys.forms import Errors, Form, value
from shared.observability import logger, metrics
from shared.usecases.school_emails import tell_school_users


def response_deadline(answers: ProviderAnswers) -> dt.date:
    """The last day (in England) the school may respond: 21 days after the provider's answer."""
    return deadline_day(answers.answered_at, SCHOOL_RESPONSE_DAYS)


def response_overdue(answers: ProviderAnswers, now: dt.datetime) -> bool:
    return overdue(answers.answered_at, now, SCHOOL_RESPONSE_DAYS)


class ResponseClosed(DomainError):
    """The school may not respond (any more): the deadline passed, or it has responded."""


@dataclass(frozen=True)
class ResponseForm:
    agrees: str
    explanation: str
    errors: Errors


def tell_school(claim: Claim) -> int:
    """Email each user of the claim's school that the provider did not confirm all the training; the number
    queued. A failure is logged and left: the provider's answers stand."""
    if claim.provider_answers is None:
        return 0
    try:
        url = f"{settings().service_url.rstrip('/')}/schools/{claim.school_id}/claims/{claim.reference}"
        deadline = response_deadline(claim.provider_answers)
        messages = [
            provider_not_confirmed_email(
                claim.reference, claim.provider_name, address, claim_url=url, respond_by=deadline
            )
            for address in member_emails(claim.school_id)
        ]
        if messages:
            enqueue(messages)
    except Exception:  # noqa: BLE001 - the answers stand; the email failure is reported
        logger.exception("audit email not queued", extra={"reference": claim.reference})
        return 0
    metrics.add_metric(name="AuditEmailsQueued", unit="Count", value=len(messages))
    return len(messages)


def can_respond(claim: Claim, now: dt.datetime) -> bool:
    answers = claim.provider_answers
    return (
        claim.status is ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED
        and answers is not None
        and not answers.all_confirmed
        and claim.school_response is None
        and not response_overdue(answers, now)
    )


def blank_form() -> ResponseForm:
    return ResponseForm("", "", Errors())


def read_form(form: Form) -> ResponseForm:
    """The posted form, checked by the audit rules (`check_school_response`)."""
    agrees = value(form, AGREES)
    checked = check_school_response(agrees, value(form, EXPLANATION))
    errors = Errors()
    for name in (AGREES, EXPLANATION):
        if name in checked.errors:
            errors.add(name, checked.errors[name])
    return ResponseForm(agrees, value(form, EXPLANATION).strip() if agrees == "no" else "", errors)


def respond(school: School, reference: str, form: ResponseForm, user: User, now: dt.datetime) -> Claim:
    """Keep the school's response on its claim (ClaimNotFound for another school's; ResponseClosed after the
    deadline or a second time)."""
    store = ClaimsStore()
    claim = store.get(reference)
    if claim.school_id != school.organisation_id:
        raise ClaimNotFound(reference)
    if not can_respond(claim, now):
        raise ResponseClosed(reference)
    response = SchoolResponse(
        agrees=form.agrees == "yes",
        explanation=check_school_response(form.agrees, form.explanation).explanation,
        responded_at=now,
        responded_by=user.user_id,
        responded_by_name=user.full_name,
    )
    try:
        updated = store.record_school_response(claim, response, user.user_id, now)
    except DomainError as error:
        raise ResponseClosed(reference) from error
    logger.info("audit response recorded", extra={"reference": reference, "agrees": response.agrees})
    service_url = settings().service_url
    tell_school_users(
        updated.school_id,
        lambda address: school_response_received_email(
            updated, address, agrees=response.agrees, service_url=service_url
        ),
        reference,
    )
    metrics.add_metric(name="AuditResponseRecorded", unit="Count", value=1)
    return updated


@dataclass(frozen=True)
class AnswerRow:
    mentor: str
    hours_claimed: int
    confirmed: bool
    hours_completed: int
    reason: str


@dataclass(frozen=True)
class AuditView:
    """What a claim's page shows of its audit: the provider's answers per mentor, the school's response, and
    whether (and until when) the school may respond."""

    answers: list[AnswerRow]
    response: SchoolResponse | None
    can_respond: bool
    respond_by: dt.date | None
    deadline_passed: bool


def answer_rows(claim: Claim) -> list[AnswerRow]:
    if claim.provider_answers is None:
        return []
    mentors = {m.trn: m for m in claim.mentors}
    rows = []
    for answer in claim.provider_answers.answers:
        mentor = mentors.get(answer.trn)
        rows.append(
            AnswerRow(
                mentor=mentor.full_name if mentor else f"TRN {answer.trn}",
                hours_claimed=mentor.hours if mentor else answer.hours_completed,
                confirmed=answer.confirmed,
                hours_completed=answer.hours_completed,
                reason=answer.reason,
            )
        )
    return rows


def audit_view(claim: Claim, now: dt.datetime) -> AuditView | None:
    """The audit's part of the claim's page, for a claim whose provider did not confirm all the training."""
    answers = claim.provider_answers
    if answers is None or answers.all_confirmed:
        return None
    deadline = response_deadline(answers)
    return AuditView(
        answers=answer_rows(claim),
        response=claim.school_response,
        can_respond=can_respond(claim, now),
        respond_by=deadline,
        deadline_passed=response_overdue(answers, now) and claim.school_response is None,
    )


def response_page(school: School, reference: str, now: dt.datetime) -> tuple[Claim, AuditView]:
    """The claim and its audit for the respond page (ClaimNotFound for another school's claim or one with no
    provider answers to respond to)."""
    claim = ClaimsStore().get(reference)
    if claim.school_id != school.organisation_id:
        raise ClaimNotFound(reference)
    view = audit_view(claim, now)
    if view is None:
        raise ClaimNotFound(reference)
    return claim, view
