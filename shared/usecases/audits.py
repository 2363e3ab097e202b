"""Support: audits (ADR 0031). Choose an academic year, preview the sample drawn from its paid claims,
confirm it (the claims move to sampling_in_progress and the audit workflow starts), and list audits and
their claims."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.audit_sample import Sample, SampleCandidate, SampleReason, choose_sample, new_seed
from shared.claims.audit_schedule import STATUS_LABELS, AuditStatus, deadline, is_overdue, submitted_by_own_mentor
from shared.claims.claim import Claim
from shared.claims.people import User
from shared.claims.sample_upload import PREVIEW_ROWS, InvalidFile, RowError, check_rows, read_file
from shared.claims.statuses import DISPLAY, ClaimStatus
from shared.claims.window_rules import academic_year_choices
from shared.data import executions
from shared.data.activity import Activity
from shared.data.audits import Audit, AuditedClaim, Audits
from shared.data.batches import PayerResponses
from shared.data.claims import AuditMark, ClaimsStore
from shared.data.organisations import Organisations
from shared.journeys.audit import FLOW, AuditAnswers, UploadedClaim
from shared.usecases import journeys

SUPPORT = "support"  # the organisation a support user's journeys belong to
REASON_LABELS = {
    SampleReason.HIGH_VALUE_SCHOOL: "School's paid claims total over £5,000",
    SampleReason.OWN_MENTOR: "Submitted by one of its own mentors",
    SampleReason.STRATIFIED: "Random sample by type of school",
}
SELECT_YEAR = "Select an academic year"


def year_choices(now: dt.datetime) -> list[AcademicYear]:
    return academic_year_choices(london_today(now))


def read_year(value: str, now: dt.datetime) -> AcademicYear | None:
    """The academic year chosen, when it is one offered."""
    for year in year_choices(now):
        if value == str(year.start_year):
            return year
    return None


# -- drawing the sample --------------------------------------------------------------------------------
def _paid_claims(year: AcademicYear) -> list[Claim]:
    """The year's paid claims: the listing index (keys), then the claims by BatchGet, consistently, so a
    claim that moved on since the index saw it is left out."""
    references = Audits.paid_references(year)
    claims = ClaimsStore().get_many(references, consistent=True)
    return [claim for claim in claims if claim.status is ClaimStatus.PAID]


def _candidates(claims: list[Claim]) -> list[SampleCandidate]:
    schools = Organisations().schools(claim.school_id for claim in claims)
    candidates = []
    for claim in claims:
        school = schools.get(claim.school_id)
        candidates.append(
            SampleCandidate(
                claim_id=claim.reference,
                reference=claim.reference,
                school_id=claim.school_id,
                provider_code=claim.provider_code,
                amount_pence=claim.amount_pence,
                submitted_by_own_mentor=submitted_by_own_mentor(claim.submitted_by_name, claim.mentors),
                establishment_type=(school.type_of_establishment if school else "") or "Not known",
                phase=(school.phase if school else "") or "Not known",
                urban_or_rural=(school.urban_or_rural if school else "") or "Not known",
            )
        )
    return candidates


def _draw(year: AcademicYear, seed: int) -> tuple[Sample, list[Claim]]:
    claims = _paid_claims(year)
    sample = choose_sample(_candidates(claims), seed)
    chosen = {sampled.claim_id for sampled in sample.claims}
    return sample, [claim for claim in claims if claim.reference in chosen]


@dataclass(frozen=True)
class ReasonRow:
    label: str
    count: int


@dataclass(frozen=True)
class Preview:
    journey_id: str
    year: AcademicYear
    sample: Sample
    reasons: list[ReasonRow]
    providers: int

    @property
    def share_percent(self) -> str:
        share: Fraction = self.sample.share
        return f"{float(share * 100):.1f}%"


@dataclass(frozen=True)
class UploadPreview:
    """An uploaded sample: its claims still paid, their value and providers, and the file's first rows."""

    journey_id: str
    claims: int
    value_pence: int
    providers: int
    years: list[str]
    first_rows: list[UploadedClaim]
    no_longer_paid: int  # named in the file but no longer paid (they will be left out)


@dataclass(frozen=True)
class UploadRejected:
    message: str
    row_errors: tuple[RowError, ...] = ()


def upload_sample(content: bytes | None, user: User, now: dt.datetime) -> str | UploadRejected:
    """Check an uploaded sample (the file, then every row: `shared.claims.sample_upload`): the problems, or a
    journey holding its claims for the preview and "Confirm sample". Nothing changes until then."""
    try:
        parsed = read_file(content)
    except InvalidFile as error:
        return UploadRejected(error.message)
    statuses = PayerResponses.claim_statuses(parsed.references)
    checked = check_rows(parsed, {reference: (reference, status) for reference, status in statuses.items()})
    if not checked.valid:
        return UploadRejected(_errors_text(checked.error_count), checked.shown_errors)
    answers = AuditAnswers(uploaded=[UploadedClaim(reference=c.reference, note=c.note) for c in checked.claims])
    return journeys.start(FLOW, user.user_id, SUPPORT, answers, now)


def _errors_text(count: int) -> str:
    return "The selected file has 1 error" if count == 1 else f"The selected file has {count} errors"


def _uploaded_claims(answers: AuditAnswers) -> list[Claim]:
    """An uploaded sample's claims that are still paid (BatchGets by reference, consistent)."""
    claims = ClaimsStore().get_many([row.reference for row in answers.uploaded], consistent=True)
    return [claim for claim in claims if claim.status is ClaimStatus.PAID]


def start(user: User, year: AcademicYear, now: dt.datetime) -> str:
    """A new audit journey for the year with a fresh seed: the preview is drawn with it, and so is the
    sample "Confirm sample" takes."""
    answers = AuditAnswers(academic_year=year.start_year, seed=new_seed())
    return journeys.start(FLOW, user.user_id, SUPPORT, answers, now)


def _open(journey_id: str, user: User, now: dt.datetime) -> journeys.Opened[AuditAnswers]:
    return journeys.open_journey(FLOW, AuditAnswers, journey_id, user.user_id, SUPPORT, now)


def preview(journey_id: str, user: User, now: dt.datetime) -> Preview | UploadPreview | str:
    """The sample the journey's year and seed draw (or its uploaded claims), or, once confirmed, the audit's id."""
    opened = _open(journey_id, user, now)
    if opened.result is not None:
        return opened.result
    if opened.answers.is_upload:
        claims = _uploaded_claims(opened.answers)
        return UploadPreview(
            journey_id=journey_id,
            claims=len(claims),
            value_pence=sum(claim.amount_pence for claim in claims),
            providers=len({claim.provider_code for claim in claims}),
            years=sorted({claim.academic_year.name for claim in claims}),
            first_rows=opened.answers.uploaded[:PREVIEW_ROWS],
            no_longer_paid=len(opened.answers.uploaded) - len(claims),
        )
    year = AcademicYear(opened.answers.academic_year)
    sample, claims = _draw(year, opened.answers.seed)
    reasons = [ReasonRow(label, sample.by_reason.get(reason, 0)) for reason, label in REASON_LABELS.items()]
    return Preview(journey_id, year, sample, reasons, len({claim.provider_code for claim in claims}))


@dataclass(frozen=True)
class Confirmed:
    audit_id: str
    sampled: int
    skipped: int
    first_time: bool


def audit_id_for(journey_id: str) -> str:
    """The audit a journey confirms: one id per journey, so two "Confirm sample" clicks make one audit."""
    return f"audit-{journey_id}"


def confirm(journey_id: str, user: User, now: dt.datetime) -> Confirmed:
    """Record the audit, move its sampled claims paid → sampling_in_progress (claims that changed since are
    skipped and counted), start its workflow (named by the audit id) and record it in Activity. A second
    confirmation of the journey does nothing more (but start the workflow of an audit whose claims were
    moved and whose start failed)."""
    opened = _open(journey_id, user, now)
    audit_id = audit_id_for(journey_id)
    if opened.result is not None:
        _start_if_not_started(opened.result)
        return Confirmed(opened.result, 0, 0, first_time=False)
    answers = opened.answers
    why: dict[str, dict[str, Any]]
    if answers.is_upload:
        claims = _uploaded_claims(answers)
        notes = {row.reference: row.note for row in answers.uploaded}
        why = {c.reference: {"sample_reason": SampleReason.UPLOADED.value, "note": notes[c.reference]} for c in claims}
        year_name = ", ".join(sorted({claim.academic_year.name for claim in claims}))
        seed, sampled_pence, paid = 0, sum(claim.amount_pence for claim in claims), len(claims)
    else:
        year = AcademicYear(answers.academic_year)
        sample, claims = _draw(year, answers.seed)
        reasons = {sampled.reference: sampled.reason for sampled in sample.claims}
        why = {c.reference: {"sample_reason": reasons[c.reference].value} for c in claims}
        year_name = year.name
        seed, sampled_pence, paid = sample.seed, sample.sampled_pence, sample.paid_claims
    due = deadline(now)
    audit = Audit(
        audit_id=audit_id,
        academic_year=year_name,
        seed=seed,
        started_by=user.user_id,
        started_by_name=user.full_name,
        created_at=now,
        status=AuditStatus.SAMPLING_CONFIRMED,
        providers=tuple(sorted({claim.provider_code for claim in claims})),
        counts={"sampled": len(claims), "sampled_pence": sampled_pence, "paid": paid},
        requested_at=now,
        deadline=due,
    )
    if not Audits().create(audit):
        _start_if_not_started(audit_id)
        return Confirmed(audit_id, 0, 0, first_time=False)
    journeys.finish(journey_id, audit_id)
    sampled = Audits.sample(claims, AuditMark(audit_id, now, due), user.user_id, now, why)
    Audits().record_counts(audit_id, moved=len(sampled.moved), skipped=len(sampled.skipped))
    executions.start(audit_id, {"audit_id": audit_id}, executions.audit_state_machine_arn())
    Activity().record(
        ActivityEntry(
            activity_id=f"audit-started-{audit_id}",
            kind=ActivityKind.AUDIT_STARTED,
            at=now,
            actor_id=user.user_id,
            actor_name=user.full_name,
            summary=f"Audit of {year_name}: {_claims(len(sampled.moved))} sampled"
            + (" (uploaded)" if answers.is_upload else ""),
            counts={"sampled": len(sampled.moved), "skipped": len(sampled.skipped), "providers": len(audit.providers)},
            link="/support/audits",
        )
    )
    return Confirmed(audit_id, len(sampled.moved), len(sampled.skipped), first_time=True)


def _start_if_not_started(audit_id: str) -> None:
    """An audit whose claims were all moved (its "moved" count is recorded) but whose workflow never started
    (Step Functions was unavailable at the first "Confirm sample"): start it now, under the same name."""
    audit = Audits().get(audit_id)
    if audit is None or audit.status is not AuditStatus.SAMPLING_CONFIRMED or "moved" not in audit.counts:
        return
    machine = executions.audit_state_machine_arn()
    if executions.describe(audit_id, machine) is None:
        executions.start(audit_id, {"audit_id": audit_id}, machine)


def _claims(count: int) -> str:
    return f"{count} claim" if count == 1 else f"{count} claims"


# -- the list ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditRow:
    audit: Audit

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.audit.status][0]

    @property
    def status_colour(self) -> str:
        return STATUS_LABELS[self.audit.status][1]


@dataclass(frozen=True)
class AuditedClaimRow:
    claim: AuditedClaim
    overdue: bool

    @property
    def status_label(self) -> str:
        return DISPLAY[self.claim.status].label

    @property
    def status_colour(self) -> str:
        return DISPLAY[self.claim.status].colour


@dataclass(frozen=True)
class AuditsPage:
    audits: list[AuditRow]
    claims: list[AuditedClaimRow]


def audits_page(now: dt.datetime) -> AuditsPage:
    """Every audit (the kind index), and the claims under each (the audit index)."""
    audits = Audits().all()
    rows: list[AuditedClaimRow] = []
    for audit in audits:
        for claim in Audits.claims_of(audit.audit_id):
            waiting = claim.status is ClaimStatus.SAMPLING_IN_PROGRESS
            overdue = waiting and is_overdue(claim.deadline, now, marked=audit.overdue_at is not None)
            rows.append(AuditedClaimRow(claim, overdue))
    return AuditsPage([AuditRow(audit) for audit in audits], rows)
