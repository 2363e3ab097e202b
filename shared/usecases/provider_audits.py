"""A provider's audits: the claims naming it under audit, and its answers to one (ADR 0032).

The list is one Query on the claims' provider index, filtered to claims under audit (no Scan). A claim is only
ever shown to the provider it names (anything else is "not found", so a URL never reveals another provider's
claim). Submitting stores the answers and moves the claim in ONE conditional write with its event, through the
transition table: all confirmed → paid (the audit passed), any not → rejected by the provider, who has then
answered (a second submission finds answers there and is refused).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.audit_answers import MentorAnswer, ProviderAnswers, provider_outcome
from shared.claims.audit_file import AuditFileResult, audit_file_name, audit_file_rows, read_audit_answers
from shared.claims.audits import deadline_day
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.errors import ClaimNotFound, ConcurrentUpdate, DomainError
from shared.claims.organisations import Provider
from shared.claims.people import User
from shared.claims.statuses import ClaimStatus
from shared.data.claims import ClaimsStore, StatusChange
from shared.data.organisations import Organisations
from shared.journeys.provider_audit import AuditAnswers
from shared.observability import logger, metrics
from shared.usecases.mentor_names import with_current_names
from shared.usecases.school_audit_response import tell_school


class AlreadyAnswered(DomainError):
    """The claim's audit has been answered (by this provider, in another tab or a second click)."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"claim {reference} has already been answered")
        self.reference = reference


@dataclass(frozen=True)
class AuditRow:
    claim: Claim
    deadline: dt.date | None


def _deadline(claim: Claim) -> dt.date | None:
    """The audit's deadline: its own (written when the audit started), or 21 days after it was requested; None
    when neither is recorded."""
    if claim.audit_deadline is not None:
        return claim.audit_deadline
    return deadline_day(claim.audit_requested_at) if claim.audit_requested_at is not None else None


def audits(provider: Provider) -> list[AuditRow]:
    """The provider's claims under audit, oldest first."""
    claims = with_current_names(ClaimsStore().for_provider(provider.code, ClaimStatus.SAMPLING_IN_PROGRESS))
    return [AuditRow(claim, _deadline(claim)) for claim in claims]


@dataclass(frozen=True)
class AuditFile:
    filename: str
    content: str


def audit_file(provider: Provider) -> AuditFile:
    """The provider's claims under audit as the audit file (one row per mentor, with each school's details):
    the list's Query, one BatchGet of the schools and one of the mentors' current names (ADR 0037)."""
    claims = with_current_names(ClaimsStore().for_provider(provider.code, ClaimStatus.SAMPLING_IN_PROGRESS))
    schools = Organisations().schools(claim.school_id for claim in claims) if claims else {}
    return AuditFile(
        audit_file_name(provider.name),
        audit_file_rows((claim, schools.get(claim.school_id)) for claim in claims),
    )


def audit_claim(provider: Provider, reference: str) -> AuditRow:
    """One claim under audit naming the provider. ClaimNotFound for another provider's claim or one that was
    never audited; AlreadyAnswered once answered."""
    claim = ClaimsStore().get(reference)
    if claim.provider_code != provider.code:
        raise ClaimNotFound(reference)
    if claim.provider_answers is not None:
        raise AlreadyAnswered(reference)
    if claim.status is not ClaimStatus.SAMPLING_IN_PROGRESS:
        raise ClaimNotFound(reference)
    return AuditRow(claim, _deadline(claim))


def audit_claim_shown(provider: Provider, reference: str) -> AuditRow:
    """`audit_claim` for the provider's pages: each mentor by their current name (ADR 0037). Only shown: the
    answers are stored against the claim as `submit` reads it."""
    row = audit_claim(provider, reference)
    return AuditRow(with_current_names([row.claim])[0], row.deadline)


def mentor_of(claim: Claim, trn: str) -> ClaimMentor:
    for mentor in claim.mentors:
        if mentor.trn == trn:
            return mentor
    raise ClaimNotFound(claim.reference)


def provider_answers(claim: Claim, answers: AuditAnswers, user: User, now: dt.datetime) -> ProviderAnswers:
    """The journey's answers as the claim keeps them, in the claim's mentor order."""
    return ProviderAnswers(
        answered_at=now,
        answered_by=user.user_id,
        answered_by_name=user.full_name,
        answers=tuple(
            MentorAnswer(trn=m.trn, confirmed=True, hours_completed=m.hours)
            if answers.confirmed[m.trn]
            else MentorAnswer(
                trn=m.trn, confirmed=False, hours_completed=answers.hours[m.trn], reason=answers.reasons[m.trn]
            )
            for m in claim.mentors
        ),
    )


def _answer(claim: Claim, given: ProviderAnswers, actor: str, now: dt.datetime) -> Claim:
    """Store the answers and move the claim in one conditional write with its event (AlreadyAnswered when
    answers got there first); the school is emailed when the provider did not confirm everything."""
    to_status = provider_outcome(given)
    names = {m.trn: (m.full_name, m.hours) for m in claim.mentors}
    detail = {
        "answers": [
            {**a.model_dump(mode="json"), "mentor": names[a.trn][0], "hours_claimed": names[a.trn][1]}
            for a in given.answers
        ]
    }
    change = StatusChange(claim, to_status, detail=detail, provider_answers=given)
    try:
        updated = ClaimsStore().apply(change, actor, now)
    except ConcurrentUpdate:
        if ClaimsStore().get(claim.reference).provider_answers is not None:
            raise AlreadyAnswered(claim.reference) from None
        raise
    logger.info("audit answered", extra={"reference": claim.reference, "to": to_status.value})
    metrics.add_metric(name="AuditAnswered", unit="Count", value=1)
    if to_status is ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED:
        tell_school(updated)
    return updated


def submit(provider: Provider, answers: AuditAnswers, user: User, now: dt.datetime) -> Claim:
    """Store the answers and move the claim, once (AlreadyAnswered for a second time). After the deadline a
    provider may still answer: the audit workflow marks it overdue, it does not close it."""
    row = audit_claim(provider, answers.reference)
    claim = row.claim
    if sorted(answers.mentor_trns) != sorted(m.trn for m in claim.mentors):
        raise ConcurrentUpdate(claim.reference)  # the claim's mentors changed since the journey started
    return _answer(claim, provider_answers(claim, answers, user, now), user.user_id, now)


# -- the audit file uploaded --------------------------------------------------------------------------
def read_file(provider: Provider, content: bytes) -> AuditFileResult:
    """The uploaded file checked against the provider's claims under audit (InvalidFile when unreadable)."""
    claims = ClaimsStore().for_provider(provider.code, ClaimStatus.SAMPLING_IN_PROGRESS)
    return read_audit_answers(content, {claim.reference: claim for claim in claims})


@dataclass(frozen=True)
class FileOutcome:
    answered: int
    skipped: int  # answered meanwhile (on the pages, another upload) or no longer under audit


def submit_file(
    provider: Provider, answers: dict[str, tuple[MentorAnswer, ...]], user: User, now: dt.datetime
) -> FileOutcome:
    """Each claim of the file answered as on the pages, one conditional write each; a claim answered
    meanwhile, or no longer this provider's under audit, is skipped, never answered twice."""
    answered = skipped = 0
    for reference, mentors in sorted(answers.items()):
        try:
            claim = audit_claim(provider, reference).claim
            if sorted(a.trn for a in mentors) != sorted(m.trn for m in claim.mentors):
                raise ConcurrentUpdate(reference)
            given = ProviderAnswers(
                answered_at=now, answered_by=user.user_id, answered_by_name=user.full_name, answers=mentors
            )
            _answer(claim, given, user.user_id, now)
            answered += 1
        except (AlreadyAnswered, ClaimNotFound, ConcurrentUpdate):
            skipped += 1
    return FileOutcome(answered, skipped)
