"""A claim: one school, one accredited provider, one or more mentors with their hours.

The hourly rate and the amount are snapshotted at submission (integer pence), so a later rate
correction never re-prices a submitted claim (the live service recomputes them).
"""

from __future__ import annotations

import datetime as dt
import secrets

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.audit_answers import ClawbackRequest, ProviderAnswers, SchoolResponse
from shared.claims.domain import Domain
from shared.claims.people import PersonName
from shared.claims.statuses import DISPLAY, ClaimStatus

REFERENCE_DIGITS = 8
# A submission is one DynamoDB transaction: the claim, the journey, the window and mentor-list checks, one
# allowance item per mentor and the event (4 + n + 1 of DynamoDB's 100 items; see ClaimsStore.submit).
MAX_MENTORS_PER_CLAIM = 50


class ClaimMentor(PersonName):
    trn: str
    hours: int
    training_type: TrainingType


class Claim(Domain):
    reference: str
    school_id: str
    school_name: str
    provider_code: str
    provider_name: str
    window_id: str
    academic_year: AcademicYear
    status: ClaimStatus
    mentors: tuple[ClaimMentor, ...]
    region: str
    hourly_rate_pence: int
    amount_pence: int  # snapshotted at submission; the window-close checks compare it with hours × rate
    created_at: dt.datetime
    submitted_at: dt.datetime | None = None
    submitted_by: str | None = None
    submitted_by_name: str | None = None
    version: int = 1
    validated_run: str | None = None  # set when the window-close checks pass, or support approves it
    payment_run_id: str | None = None  # the payment run that owns the claim (set once, never changed)
    payment_file_key: str | None = None  # the payment file the claim went to the payer in
    assigned_to: str | None = None  # the support user looking after it
    zendesk_url: str | None = None  # the support ticket about it
    hold_reason: str | None = None  # on hold while set: no payment run takes it
    prepared_by: str | None = None  # a draft DfE support prepared for the school
    provider_answers: ProviderAnswers | None = None  # the provider's answers to an audit (ADR 0032)
    school_response: SchoolResponse | None = None  # the school's response to them
    audit_requested_at: dt.datetime | None = None  # under audit since (ADR 0031)
    audit_deadline: dt.date | None = None  # the provider's last day to answer (ADR 0031)
    clawback: ClawbackRequest | None = None  # the clawback support asked for after its audit (ADR 0030)
    clawback_run_id: str | None = None  # CLAWBACK_PENDING once approved; then the clawback run that owns it

    @property
    def on_hold(self) -> bool:
        return self.hold_reason is not None

    @property
    def listed_at(self) -> dt.datetime:
        """When it entered the claims list: submitted, or created (a draft)."""
        return self.submitted_at or self.created_at

    @property
    def total_hours(self) -> int:
        return sum(mentor.hours for mentor in self.mentors)

    @property
    def status_label(self) -> str:
        return DISPLAY[self.status].label


def claim_amount_pence(total_hours: int, hourly_rate_pence: int) -> int:
    """Hours × rate, in pence: exact, no rounding anywhere."""
    if total_hours < 0 or hourly_rate_pence < 0:
        raise ValueError("hours and rates are never negative")
    return total_hours * hourly_rate_pence


def listing_key(claim: Claim) -> str:
    """The claims list's order, newest first: the instant it was listed (UTC, fixed width) and its reference."""
    return f"{claim.listed_at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S.%fZ}#{claim.reference}"


def new_reference() -> str:
    """An 8-digit reference that never starts with 0 (the live service's are up to 8 digits,
    unpadded, so they sort and read inconsistently). Uniqueness is enforced by the write."""
    return str(secrets.randbelow(9 * 10 ** (REFERENCE_DIGITS - 1)) + 10 ** (REFERENCE_DIGITS - 1))
