"""Choosing the audit sample: the rules hold for any paid claims (hypothesis draws them), the draw is
reproducible from its seed, and the edge cases (nothing paid, one stratum, a rule that alone exceeds the
share, claims of no value) give what an auditor would expect."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.claims.audit_sample import (
    HIGH_VALUE_SCHOOL_PENCE,
    Sample,
    SampleCandidate,
    SampledClaim,
    SampleReason,
    choose_sample,
    new_seed,
    uploaded_sample,
    urban_or_rural,
)

TYPES = ("Academy converter", "Community school", "Free schools")
PHASES = ("Primary", "Secondary")
PLACES = ("Urban", "Rural", "(England/Wales) Rural village", "Not known")


def _candidate(
    number: int,
    amount_pence: int,
    school_id: str = "100001",
    *,
    own: bool = False,
    stratum: tuple[str, str, str] = (TYPES[0], PHASES[0], PLACES[0]),
) -> SampleCandidate:
    return SampleCandidate(
        claim_id=f"claim-{number}",
        reference=f"{90_000_000 + number}",
        school_id=school_id,
        provider_code="G56",
        amount_pence=amount_pence,
        submitted_by_own_mentor=own,
        establishment_type=stratum[0],
        phase=stratum[1],
        urban_or_rural=stratum[2],
    )


@st.composite
def candidates(draw: st.DrawFn) -> list[SampleCandidate]:
    """Up to 80 paid claims over a few schools (so some schools pass £5,000) and a few strata, some of no value."""
    count = draw(st.integers(min_value=0, max_value=80))
    schools = draw(st.integers(min_value=1, max_value=12))
    return [
        _candidate(
            number,
            draw(st.one_of(st.just(0), st.integers(min_value=1, max_value=260_000))),
            f"{100_000 + draw(st.integers(min_value=1, max_value=schools))}",
            own=draw(st.booleans()),
            stratum=(draw(st.sampled_from(TYPES)), draw(st.sampled_from(PHASES)), draw(st.sampled_from(PLACES))),
        )
        for number in range(count)
    ]


seeds = st.integers(min_value=0, max_value=2**63 - 1)
PROPERTY = settings(max_examples=200, deadline=None)


def _chosen(sample: Sample) -> set[str]:
    return {claim.claim_id for claim in sample.claims}


def _stratum(candidate: SampleCandidate) -> tuple[str, str, str]:
    return (candidate.establishment_type, candidate.phase, urban_or_rural(candidate.urban_or_rural))


# -- properties -----------------------------------------------------------------------------------
@PROPERTY
@given(candidates(), seeds)
def test_the_sample_is_at_least_a_tenth_of_the_paid_value(paid: list[SampleCandidate], seed: int) -> None:
    # Given any paid claims of some value / When the sample is drawn
    sample = choose_sample(paid, seed)
    # Then it holds at least 10% of their value, and its totals are the claims'
    assert sample.paid_pence == sum(c.amount_pence for c in paid)
    assert sample.paid_claims == len(paid)
    in_sample = [c for c in paid if c.claim_id in _chosen(sample)]
    assert sample.sampled_pence == sum(c.amount_pence for c in in_sample)
    if sample.paid_pence > 0:
        assert sample.share >= Fraction(1, 10)
        assert sample.sampled_pence * 10 >= sample.paid_pence


@PROPERTY
@given(candidates(), seeds)
def test_every_claim_of_a_school_over_5000_pounds_is_in(paid: list[SampleCandidate], seed: int) -> None:
    sample = choose_sample(paid, seed)
    totals: dict[str, int] = defaultdict(int)
    for candidate in paid:
        totals[candidate.school_id] += candidate.amount_pence
    reasons = {claim.claim_id: claim.reason for claim in sample.claims}
    for candidate in paid:
        if totals[candidate.school_id] > HIGH_VALUE_SCHOOL_PENCE:
            assert reasons.get(candidate.claim_id) is SampleReason.HIGH_VALUE_SCHOOL
        else:
            assert reasons.get(candidate.claim_id) is not SampleReason.HIGH_VALUE_SCHOOL


@PROPERTY
@given(candidates(), seeds)
def test_at_least_a_fifth_of_own_mentor_claims_are_in_rounded_up(paid: list[SampleCandidate], seed: int) -> None:
    sample = choose_sample(paid, seed)
    own = [c for c in paid if c.submitted_by_own_mentor]
    own_in = [c for c in own if c.claim_id in _chosen(sample)]
    assert len(own_in) >= math.ceil(len(own) / 5)
    # and the rule adds only what the first rule had not already put in
    drawn_for_it = sample.by_reason[SampleReason.OWN_MENTOR]
    own_ids = {c.claim_id for c in own}
    high_value = {c.claim_id for c in sample.claims if c.reason is SampleReason.HIGH_VALUE_SCHOOL}
    high_value_own = len(high_value & own_ids)
    assert drawn_for_it == max(0, math.ceil(len(own) / 5) - high_value_own)


@PROPERTY
@given(candidates(), seeds, st.randoms(use_true_random=False))
def test_the_same_seed_gives_the_same_sample_whatever_order_the_claims_come_in(
    paid: list[SampleCandidate], seed: int, shuffler: random.Random
) -> None:
    # Given the same claims read back in another order (a query's order is not promised)
    shuffled = list(paid)
    shuffler.shuffle(shuffled)
    # When the sample is drawn again from the recorded seed / Then it is the same sample
    assert choose_sample(shuffled, seed) == choose_sample(paid, seed)


@PROPERTY
@given(candidates(), seeds)
def test_each_stratum_holds_its_share_of_value_within_one_claim(paid: list[SampleCandidate], seed: int) -> None:
    sample = choose_sample(paid, seed)
    reasons = {claim.claim_id: claim.reason for claim in sample.claims}
    members: dict[tuple[str, str, str], list[SampleCandidate]] = defaultdict(list)
    for candidate in paid:
        members[_stratum(candidate)].append(candidate)
    assert [(s.establishment_type, s.phase, s.urban_or_rural) for s in sample.strata] == sorted(members)
    for stratum in sample.strata:
        key = (stratum.establishment_type, stratum.phase, stratum.urban_or_rural)
        group = members[key]
        target = math.ceil(Fraction(stratum.paid_pence, 10))
        by_rules = sum(c.amount_pence for c in group if reasons.get(c.claim_id) not in (None, SampleReason.STRATIFIED))
        stratified = [c.amount_pence for c in group if reasons.get(c.claim_id) is SampleReason.STRATIFIED]
        assert stratum.claims == len(group)
        assert stratum.paid_pence == sum(c.amount_pence for c in group)
        assert stratum.sampled == sum(1 for c in group if c.claim_id in reasons)
        assert stratum.sampled_pence == by_rules + sum(stratified)
        if by_rules >= target:
            # the first two rules already took the stratum's share: nothing is drawn for it
            assert stratified == []
        else:
            # drawn until the target was met, and not one claim more
            assert target <= stratum.sampled_pence < target + max(stratified)


@PROPERTY
@given(candidates(), seeds)
def test_no_claim_is_in_twice_and_every_one_is_a_candidate(paid: list[SampleCandidate], seed: int) -> None:
    sample = choose_sample(paid, seed)
    ids = [claim.claim_id for claim in sample.claims]
    assert len(ids) == len(set(ids))
    by_id = {c.claim_id: c for c in paid}
    assert all(by_id[claim.claim_id].reference == claim.reference for claim in sample.claims)
    assert [claim.reference for claim in sample.claims] == sorted(claim.reference for claim in sample.claims)
    assert sum(sample.by_reason.values()) == len(sample.claims)
    assert SampleReason.UPLOADED not in sample.by_reason


def test_different_seeds_usually_give_different_samples() -> None:
    # Given 400 claims of ordinary value in twelve strata, none from a school over £5,000
    rng = random.Random(7)
    paid = [
        _candidate(
            n,
            rng.randint(20_000, 120_000),
            f"{100_000 + n}",
            own=n % 9 == 0,
            stratum=(rng.choice(TYPES), rng.choice(PHASES), rng.choice(PLACES)),
        )
        for n in range(400)
    ]
    # When twenty audits each draw with a fresh seed
    samples = {tuple(sorted(_chosen(choose_sample(paid, new_seed())))) for _ in range(20)}
    # Then (nearly) every one is different
    assert len(samples) >= 19


def test_new_seeds_are_not_repeated() -> None:
    assert len({new_seed() for _ in range(100)}) == 100


# -- edge cases ---------------------------------------------------------------------------------------
def test_no_candidates_is_an_empty_sample() -> None:
    sample = choose_sample([], seed=1)
    assert sample.claims == ()
    assert (sample.paid_claims, sample.paid_pence, sample.sampled_pence) == (0, 0, 0)
    assert sample.share == 0
    assert sample.strata == ()
    assert sample.by_reason == dict.fromkeys(
        (SampleReason.HIGH_VALUE_SCHOOL, SampleReason.OWN_MENTOR, SampleReason.STRATIFIED), 0
    )


def test_all_claims_in_one_stratum_draw_a_tenth_of_it() -> None:
    # Given 50 claims of £1,000 from 50 schools, all in one stratum, none own-mentor
    paid = [_candidate(n, 100_000, f"{100_000 + n}") for n in range(50)]
    # When
    sample = choose_sample(paid, seed=3)
    # Then exactly 5 claims (10% of £50,000) are drawn, all stratified
    assert len(sample.claims) == 5
    assert sample.by_reason[SampleReason.STRATIFIED] == 5
    assert sample.share == Fraction(1, 10)
    assert len(sample.strata) == 1


def test_a_school_exactly_at_5000_pounds_is_not_taken_whole_but_one_penny_over_is() -> None:
    at = [_candidate(n, 100_000, "100001") for n in range(5)]  # £5,000 exactly
    over = [*at, _candidate(9, 1, "100001")]
    assert choose_sample(at, seed=1).by_reason[SampleReason.HIGH_VALUE_SCHOOL] == 0
    assert choose_sample(over, seed=1).by_reason[SampleReason.HIGH_VALUE_SCHOOL] == 6


def test_a_rule_that_alone_exceeds_the_share_draws_nothing_more() -> None:
    # Given one school over £5,000 that is most of the value, in the only stratum
    big = [_candidate(n, 200_000, "100001") for n in range(3)]
    small = [_candidate(10 + n, 10_000, f"{100_010 + n}") for n in range(10)]
    # When
    sample = choose_sample([*big, *small], seed=5)
    # Then only that school's claims are in: 600,000 of 700,000 pence, far over 10%
    assert _chosen(sample) == {c.claim_id for c in big}
    assert sample.by_reason[SampleReason.STRATIFIED] == 0
    assert sample.share == Fraction(6, 7)


def test_own_mentor_claims_already_taken_count_towards_their_fifth() -> None:
    # Given 10 own-mentor claims, 2 of them from a school over £5,000
    high = [_candidate(n, 300_000, "100001", own=True) for n in range(2)]
    others = [_candidate(10 + n, 1_000, f"{100_010 + n}", own=True) for n in range(8)]
    # When
    sample = choose_sample([*high, *others], seed=11)
    # Then the 2 already in are the fifth: none is drawn for the rule
    assert sample.by_reason[SampleReason.OWN_MENTOR] == 0


def test_a_fifth_of_own_mentor_claims_is_rounded_up() -> None:
    # Given 6 own-mentor claims of no value (so only the rule can take them)
    paid = [_candidate(n, 0, f"{100_000 + n}", own=True) for n in range(6)]
    sample = choose_sample(paid, seed=2)
    assert sample.by_reason[SampleReason.OWN_MENTOR] == 2  # 6 / 5 = 1.2, rounded up
    assert sample.sampled_pence == 0
    assert sample.share == 0


def test_claims_of_no_value_are_never_drawn_for_value() -> None:
    # Given a stratum of claims worth nothing and another worth something
    nothing = [_candidate(n, 0, f"{100_000 + n}", stratum=(TYPES[1], PHASES[1], PLACES[1])) for n in range(20)]
    some = [_candidate(50 + n, 40_000, f"{100_050 + n}") for n in range(20)]
    sample = choose_sample([*nothing, *some], seed=4)
    assert not _chosen(sample) & {c.claim_id for c in nothing}
    assert sample.share == Fraction(1, 10)


@pytest.mark.parametrize(
    ("classification", "folded"),
    [
        ("(England/Wales) Urban major conurbation", "Urban"),
        ("(England/Wales) Urban city and town in a sparse setting", "Urban"),
        ("(England/Wales) Rural village", "Rural"),
        ("(England/Wales) Rural hamlet and isolated dwellings", "Rural"),
        ("Not known", "Not known"),
        ("", ""),
    ],
)
def test_gias_urban_and_rural_classes_fold_to_two(classification: str, folded: str) -> None:
    assert urban_or_rural(classification) == folded


def test_schools_in_two_urban_classes_are_one_stratum() -> None:
    # Given claims in a conurbation and in a town, the same type and phase
    paid = [
        _candidate(1, 10_000, "100001", stratum=(TYPES[0], PHASES[0], "(England/Wales) Urban major conurbation")),
        _candidate(2, 10_000, "100002", stratum=(TYPES[0], PHASES[0], "(England/Wales) Urban city and town")),
    ]
    # Then they are one stratum, Urban
    assert [(s.urban_or_rural, s.claims) for s in choose_sample(paid, seed=1).strata] == [("Urban", 2)]


def test_another_share_can_be_asked_for() -> None:
    paid = [_candidate(n, 10_000, f"{100_000 + n}") for n in range(100)]
    assert choose_sample(paid, seed=8, share=Fraction(1, 4)).share == Fraction(1, 4)


def test_a_negative_amount_is_not_a_candidate() -> None:
    with pytest.raises(ValidationError):
        _candidate(1, -1)


def test_a_recorded_seed_draws_the_same_claims_later() -> None:
    # Given fixed claims and a recorded seed / When drawn again, from claims read back in another order
    rng = random.Random(1)
    paid = [
        _candidate(
            n,
            rng.randint(1, 150_000),
            f"{100_000 + n % 40}",
            own=n % 7 == 0,
            stratum=(rng.choice(TYPES), PHASES[0], PLACES[0]),
        )
        for n in range(60)
    ]
    sample = choose_sample(list(reversed(paid)), seed=20261202)
    # Then the very claims first drawn: a change to the draw would make recorded audits irreproducible
    assert [(claim.reference, claim.reason) for claim in sample.claims] == [
        ("90000014", SampleReason.OWN_MENTOR),
        ("90000022", SampleReason.STRATIFIED),
        ("90000028", SampleReason.OWN_MENTOR),
        ("90000029", SampleReason.STRATIFIED),
        ("90000044", SampleReason.STRATIFIED),
    ]


# -- an uploaded sample ---------------------------------------------------------------------------------
def test_an_uploaded_sample_is_summed_as_a_drawn_one() -> None:
    # Given four paid claims in two strata and a file naming two of them (in another order) and one no longer paid
    paid = [
        _candidate(1, 10_000, "100001"),
        _candidate(2, 30_000, "100002"),
        _candidate(3, 20_000, "100003", stratum=(TYPES[1], PHASES[1], "(England/Wales) Rural village")),
        _candidate(4, 40_000, "100004", stratum=(TYPES[1], PHASES[1], PLACES[1])),
    ]

    def uploaded(number: int) -> SampledClaim:
        return SampledClaim(
            claim_id=f"claim-{number}", reference=f"{90_000_000 + number}", reason=SampleReason.UPLOADED, note="QA"
        )

    # When
    sample = uploaded_sample(paid, [uploaded(3), uploaded(1), uploaded(9)])
    # Then the claims are in reference order with their notes, and the totals and strata are the candidates'
    assert [(c.claim_id, c.note) for c in sample.claims] == [("claim-1", "QA"), ("claim-3", "QA")]
    assert (sample.seed, sample.paid_claims, sample.paid_pence, sample.sampled_pence) == (0, 4, 100_000, 30_000)
    assert sample.by_reason == {SampleReason.UPLOADED: 2}
    assert [(s.urban_or_rural, s.claims, s.sampled, s.paid_pence, s.sampled_pence) for s in sample.strata] == [
        ("Urban", 2, 1, 40_000, 10_000),
        ("Rural", 2, 1, 60_000, 20_000),
    ]
    assert sample.share == Fraction(3, 10)
