"""The checks every submitted claim goes through when its window closes (docs/domain.md, "Checks and risk flags").

Named checks (a failure means the claim cannot be paid as it stands) and risk flags (the claim may be
right, but a person should look). Either sends the claim to support review, with reasons a support
user can read. These are pure functions: the payment-run task gathers the facts and records results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from shared.claims.allowance import cap
from shared.claims.claim import Claim, claim_amount_pence
from shared.claims.money import format_pounds
from shared.claims.organisations import Provider, School
from shared.claims.statuses import holds_hours

SCHOOL_TOTAL_FLAG_PENCE = 500_000  # £5,000


def schools_claiming(claim: Claim, trn: str, claims_of_school: Mapping[str, Sequence[Claim]]) -> int:
    """How many of these schools have a claim holding hours for this mentor with the claim's provider in its
    academic year (`claims_of_school`: each candidate school's claims). At least 1: the claim's own school."""
    return max(
        1,
        sum(
            1
            for claims in claims_of_school.values()
            if any(
                holds_hours(other.status)
                and other.provider_code == claim.provider_code
                and other.academic_year == claim.academic_year
                and any(mentor.trn == trn for mentor in other.mentors)
                for other in claims
            )
        ),
    )


def window_total_pence(claims: Iterable[Claim], window_id: str) -> int:
    """What a school's claims holding hours in a window add up to (the over-£5,000 flag's figure)."""
    return sum(c.amount_pence for c in claims if holds_hours(c.status) and c.window_id == window_id)


class Kind(StrEnum):
    CHECK = "check"
    FLAG = "flag"


@dataclass(frozen=True)
class Finding:
    name: str
    kind: Kind
    passed: bool
    reason: str  # what a support user reads when it did not pass


@dataclass(frozen=True)
class Facts:
    """What the checks need, gathered by the workflow with Gets and Queries (no Scan)."""

    school: School | None  # None: the school is no longer open (gone from GIAS)
    provider: Provider | None
    mentors_found: Mapping[str, bool]  # TRN → still in the Teaching Record System
    hours_claimed: Mapping[str, int]  # TRN → hours on every counting claim with this provider this year
    school_window_total_pence: int  # every counting claim of the school in this window
    schools_per_mentor: Mapping[str, int]  # TRN → schools claiming them with this provider this year


def findings(claim: Claim, facts: Facts) -> list[Finding]:
    year = claim.academic_year
    eligible = facts.school is not None and not facts.school.closed and year.name in facts.school.eligible_years
    missing = [m.full_name for m in claim.mentors if not facts.mentors_found.get(m.trn, False)]
    over = [m.full_name for m in claim.mentors if facts.hours_claimed.get(m.trn, 0) > cap(year, m.training_type)]
    expected = claim_amount_pence(claim.total_hours, claim.hourly_rate_pence)
    submitter = (claim.submitted_by_name or "").strip().lower()
    shared = [m.full_name for m in claim.mentors if facts.schools_per_mentor.get(m.trn, 1) >= 2]
    return [
        Finding(
            "school_open_and_eligible",
            Kind.CHECK,
            eligible,
            f"{claim.school_name} is no longer open, or not eligible for academic year {year.name}",
        ),
        Finding(
            "school_has_vendor_number",
            Kind.CHECK,
            facts.school is None or facts.school.has_vendor_number,  # no school: the check above says so
            "The school has no vendor number",
        ),
        Finding(
            "provider_accredited",
            Kind.CHECK,
            facts.provider is not None and facts.provider.accredited,
            f"{claim.provider_name} is no longer an accredited provider",
        ),
        Finding(
            "mentors_in_teaching_record",
            Kind.CHECK,
            not missing,
            f"Not found in the Teaching Record System: {', '.join(missing)}",
        ),
        Finding(
            "allowance_not_exceeded",
            Kind.CHECK,
            not over,
            f"More hours claimed with {claim.provider_name} than allowed in {year.name} for: {', '.join(over)}",
        ),
        Finding(
            "amount_matches_hours_and_rate",
            Kind.CHECK,
            claim.amount_pence == expected,
            f"The amount {format_pounds(claim.amount_pence)} is not {claim.total_hours} hours × "
            f"{format_pounds(claim.hourly_rate_pence)} ({format_pounds(expected)})",
        ),
        Finding(
            "school_total_over_5000",
            Kind.FLAG,
            facts.school_window_total_pence <= SCHOOL_TOTAL_FLAG_PENCE,
            f"{claim.school_name}'s claims in this window total "
            f"{format_pounds(facts.school_window_total_pence)}, over £5,000",
        ),
        Finding(
            "submitted_by_a_mentor_on_the_claim",
            Kind.FLAG,
            not submitter or all(m.full_name.strip().lower() != submitter for m in claim.mentors),
            f"Submitted by {claim.submitted_by_name}, who is one of the claim's mentors",
        ),
        Finding(
            "mentor_claimed_by_several_schools",
            Kind.FLAG,
            not shared,
            f"Claimed with {claim.provider_name} by two or more schools: {', '.join(shared)}",
        ),
    ]


def needs_review(results: list[Finding]) -> bool:
    return any(not finding.passed for finding in results)


def reasons(results: list[Finding]) -> list[str]:
    return [finding.reason for finding in results if not finding.passed]
