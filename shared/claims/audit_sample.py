"""Choosing the claims to audit after a claim window's payments (docs/domain.md, "Audit and clawback").

Pure: the caller passes the paid claims of the window as candidates and a seed; the same candidates and
seed always give the same sample, so an audit can be re-drawn from its recorded seed (ADR 0029).
"""

from __future__ import annotations

import math
import random
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from enum import StrEnum
from fractions import Fraction

from pydantic import Field

from shared.claims.domain import Domain

HIGH_VALUE_SCHOOL_PENCE = 500_000  # a school whose paid claims total strictly more has all of them audited
OWN_MENTOR_SHARE = Fraction(1, 5)  # of the claims submitted by one of their own mentors, at least this many


class SampleCandidate(Domain):
    """A paid claim that may be chosen for audit."""

    claim_id: str
    reference: str
    school_id: str  # URN
    provider_code: str
    amount_pence: int = Field(ge=0)
    submitted_by_own_mentor: bool  # the claim was submitted by one of the mentors on it
    establishment_type: str
    phase: str
    urban_or_rural: str


class SampleReason(StrEnum):
    HIGH_VALUE_SCHOOL = "school_claims_over_5000"
    OWN_MENTOR = "submitted_by_own_mentor"
    STRATIFIED = "stratified"
    UPLOADED = "uploaded"


_DRAWN = (SampleReason.HIGH_VALUE_SCHOOL, SampleReason.OWN_MENTOR, SampleReason.STRATIFIED)


class SampledClaim(Domain):
    claim_id: str
    reference: str
    reason: SampleReason
    note: str = ""  # an uploaded row's own sample_reason text


class Stratum(Domain):
    """One establishment type × phase × urban/rural group of the paid claims, and what was sampled of it."""

    establishment_type: str
    phase: str
    urban_or_rural: str
    claims: int
    paid_pence: int
    sampled: int
    sampled_pence: int


class Sample(Domain):
    seed: int
    claims: tuple[SampledClaim, ...]
    paid_claims: int
    paid_pence: int
    sampled_pence: int
    by_reason: dict[SampleReason, int]
    strata: tuple[Stratum, ...]

    @property
    def share(self) -> Fraction:
        """The sampled share of the paid value (0 when nothing was paid)."""
        return Fraction(self.sampled_pence, self.paid_pence) if self.paid_pence else Fraction(0)


def new_seed() -> int:
    """A fresh seed for a new audit's sample, recorded with the audit."""
    return secrets.randbits(63)


def choose_sample(candidates: Sequence[SampleCandidate], seed: int, share: Fraction = Fraction(1, 10)) -> Sample:
    """The claims to audit among `candidates` (the window's paid claims), drawn with `random.Random(seed)`.

    In order: every claim of a school whose paid claims total over £5,000; then own-mentor claims at random
    until at least 20% of them (rounded up) are in, counting those already in; then, in each establishment
    type × phase × urban/rural stratum (GIAS's urban/rural classes folded to the two), claims at random
    until the stratum's sampled value reaches `share` of its paid value (rounded up to a penny). Each
    stratum then holds its share to within one claim's value, unless the first two rules already took
    more, and the whole sample at least `share` of the paid value.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible from the recorded seed; new_seed() is the secret part
    ordered = sorted(candidates, key=lambda c: (c.reference, c.claim_id))
    chosen: dict[str, SampleReason] = {}

    by_school: dict[str, int] = defaultdict(int)
    for candidate in ordered:
        by_school[candidate.school_id] += candidate.amount_pence
    for candidate in ordered:
        if by_school[candidate.school_id] > HIGH_VALUE_SCHOOL_PENCE:
            chosen[candidate.claim_id] = SampleReason.HIGH_VALUE_SCHOOL

    own = [c for c in ordered if c.submitted_by_own_mentor]
    wanted = math.ceil(len(own) * OWN_MENTOR_SHARE)
    still_wanted = wanted - sum(1 for c in own if c.claim_id in chosen)
    if still_wanted > 0:
        left = [c for c in own if c.claim_id not in chosen]
        for candidate in rng.sample(left, still_wanted):
            chosen[candidate.claim_id] = SampleReason.OWN_MENTOR

    strata = _strata(ordered)
    for key in sorted(strata):  # a fixed order of draws: the seed alone decides the sample
        members = strata[key]
        target = math.ceil(share * sum(c.amount_pence for c in members))
        sampled = sum(c.amount_pence for c in members if c.claim_id in chosen)
        if sampled < target:
            left = [c for c in members if c.claim_id not in chosen]
            rng.shuffle(left)
            for candidate in left:
                if sampled >= target:
                    break
                chosen[candidate.claim_id] = SampleReason.STRATIFIED
                sampled += candidate.amount_pence

    picked = {
        c.claim_id: SampledClaim(claim_id=c.claim_id, reference=c.reference, reason=chosen[c.claim_id])
        for c in ordered
        if c.claim_id in chosen
    }
    return _summary(ordered, strata, picked, seed, _DRAWN)


def uploaded_sample(candidates: Sequence[SampleCandidate], uploaded: Sequence[SampledClaim]) -> Sample:
    """A sample chosen outside the service (the "Upload a sample" file's claims), summed as a drawn one is, so
    an audit records the same figures either way. Its seed is 0: nothing was drawn. An uploaded claim that is
    not among `candidates` (no longer paid since the file was checked) is left out."""
    ordered = sorted(candidates, key=lambda c: (c.reference, c.claim_id))
    chosen = {claim.claim_id: claim for claim in uploaded}
    return _summary(ordered, _strata(ordered), chosen, 0, (SampleReason.UPLOADED,))


def _strata(ordered: Sequence[SampleCandidate]) -> dict[tuple[str, str, str], list[SampleCandidate]]:
    strata: dict[tuple[str, str, str], list[SampleCandidate]] = defaultdict(list)
    for candidate in ordered:
        strata[_stratum_key(candidate)].append(candidate)
    return strata


def _summary(
    ordered: Sequence[SampleCandidate],
    strata: Mapping[tuple[str, str, str], Sequence[SampleCandidate]],
    chosen: Mapping[str, SampledClaim],
    seed: int,
    reasons: Sequence[SampleReason],
) -> Sample:
    """The sample of `chosen` (by claim id) among the candidates, in reference order, with its totals."""
    summaries = tuple(
        Stratum(
            establishment_type=key[0],
            phase=key[1],
            urban_or_rural=key[2],
            claims=len(members),
            paid_pence=sum(c.amount_pence for c in members),
            sampled=sum(1 for c in members if c.claim_id in chosen),
            sampled_pence=sum(c.amount_pence for c in members if c.claim_id in chosen),
        )
        for key, members in sorted(strata.items())
    )
    picked = [chosen[c.claim_id] for c in ordered if c.claim_id in chosen]
    by_reason = dict.fromkeys(reasons, 0)
    for claim in picked:
        by_reason[claim.reason] = by_reason.get(claim.reason, 0) + 1
    return Sample(
        seed=seed,
        claims=tuple(picked),
        paid_claims=len(ordered),
        paid_pence=sum(c.amount_pence for c in ordered),
        sampled_pence=sum(stratum.sampled_pence for stratum in summaries),
        by_reason=by_reason,
        strata=summaries,
    )


def urban_or_rural(classification: str) -> str:
    """GIAS's urban/rural class folded to the stratum's "Urban" or "Rural" ("(England/Wales) Rural village" is
    Rural); anything else (blank, "Not known") as it is, so such schools stay a stratum of their own."""
    words = classification.lower()
    if "urban" in words:
        return "Urban"
    if "rural" in words:
        return "Rural"
    return classification


def _stratum_key(candidate: SampleCandidate) -> tuple[str, str, str]:
    return (candidate.establishment_type, candidate.phase, urban_or_rural(candidate.urban_or_rural))
