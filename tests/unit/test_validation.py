"""The named checks and risk flags run on every claim when its window closes."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.organisations import Provider, School
from shared.claims.statuses import ClaimStatus
from shared.claims.validation import Facts, Kind, findings, needs_review, reasons

YEAR = AcademicYear(2026)
SCHOOL = School(
    organisation_id="108125",
    urn="108125",
    name="Meadowbank Primary School",
    eligible_years=frozenset({"2026 to 2027"}),
    vendor_number="V108125",
)
PROVIDER = Provider(
    code="N97", name="Sheffield Hallam University", provider_type="university", accredited=True, ukprn="10064688"
)


def _claim(**changes: object) -> Claim:
    claim = Claim(
        reference="12345678",
        school_id="108125",
        school_name="Meadowbank Primary School",
        provider_code="N97",
        provider_name="Sheffield Hallam University",
        window_id="w",
        academic_year=YEAR,
        status=ClaimStatus.SUBMITTED,
        mentors=(
            ClaimMentor(
                trn="1000001", first_name="Emily", last_name="Carter", hours=16, training_type=TrainingType.INITIAL
            ),
            ClaimMentor(
                trn="1000002", first_name="James", last_name="Okafor", hours=6, training_type=TrainingType.REFRESHER
            ),
        ),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=22 * 4380,
        created_at=dt.datetime(2026, 11, 28, tzinfo=dt.UTC),
        submitted_by_name="Anne Wilson",
    )
    return claim.model_copy(update=changes)


def _facts(**changes: object) -> Facts:
    facts = Facts(
        school=SCHOOL,
        provider=PROVIDER,
        mentors_found={"1000001": True, "1000002": True},
        hours_claimed={"1000001": 16, "1000002": 6},
        school_window_total_pence=96360,
        schools_per_mentor={"1000001": 1, "1000002": 1},
    )
    return Facts(**{**facts.__dict__, **changes})


def test_a_clean_claim_passes_everything() -> None:
    results = findings(_claim(), _facts())
    assert [f.name for f in results] == [
        "school_open_and_eligible",
        "school_has_vendor_number",
        "provider_accredited",
        "mentors_in_teaching_record",
        "allowance_not_exceeded",
        "amount_matches_hours_and_rate",
        "school_total_over_5000",
        "submitted_by_a_mentor_on_the_claim",
        "mentor_claimed_by_several_schools",
    ]
    assert not needs_review(results)


@pytest.mark.parametrize(
    ("facts", "claim", "reason"),
    [
        (
            {"school": None},
            {},
            "Meadowbank Primary School is no longer open, or not eligible for academic year 2026 to 2027",
        ),
        ({"school": SCHOOL.model_copy(update={"eligible_years": frozenset()})}, {}, "not eligible"),
        ({"school": SCHOOL.model_copy(update={"closed": True})}, {}, "is no longer open"),
        ({"school": SCHOOL.model_copy(update={"vendor_number": None})}, {}, "The school has no vendor number"),
        ({"school": SCHOOL.model_copy(update={"vendor_number": "  "})}, {}, "The school has no vendor number"),
        (
            {"provider": PROVIDER.model_copy(update={"accredited": False})},
            {},
            "Sheffield Hallam University is no longer an accredited provider",
        ),
        (
            {"mentors_found": {"1000001": True, "1000002": False}},
            {},
            "Not found in the Teaching Record System: James Okafor",
        ),
        ({"hours_claimed": {"1000001": 17, "1000002": 6}}, {}, "than allowed in 2026 to 2027 for: Emily Carter"),
        ({"hours_claimed": {"1000001": 16, "1000002": 7}}, {}, "for: James Okafor"),  # refresher cap is 6
        ({"school_window_total_pence": 500_001}, {}, "total £5,000.01, over £5,000"),
        ({}, {"amount_pence": 22 * 4380 + 1}, "The amount £963.61 is not 22 hours × £43.80 (£963.60)"),
        ({}, {"submitted_by_name": "emily carter"}, "Submitted by emily carter, who is one of the claim's mentors"),
        ({"schools_per_mentor": {"1000001": 2, "1000002": 1}}, {}, "by two or more schools: Emily Carter"),
    ],
)
def test_each_problem_sends_the_claim_to_review_with_a_reason(
    facts: dict[str, object], claim: dict[str, object], reason: str
) -> None:
    results = findings(_claim(**claim), _facts(**facts))
    assert needs_review(results)
    assert len(reasons(results)) == 1
    assert reason in reasons(results)[0]


def test_exactly_5000_pounds_is_not_flagged() -> None:
    assert not needs_review(findings(_claim(), _facts(school_window_total_pence=500_000)))


# -- the facts the payment run gathers ------------------------------------------------------------
def test_schools_claiming_counts_schools_whose_claim_still_holds_the_mentors_hours() -> None:
    from shared.claims.validation import schools_claiming

    claim = _claim()
    other = _claim(reference="22222222", school_id="200002")
    withdrawn = _claim(reference="33333333", school_id="300003", status=ClaimStatus.WITHDRAWN)
    draft = _claim(reference="44444444", school_id="400004", status=ClaimStatus.DRAFT)
    other_provider = _claim(reference="55555555", school_id="500005", provider_code="B20")
    last_year = _claim(reference="66666666", school_id="600006", academic_year=AcademicYear(2025))
    claims_of = {
        "108125": [claim],
        "200002": [other],
        "300003": [withdrawn],
        "400004": [draft],
        "500005": [other_provider],
        "600006": [last_year],
    }
    assert schools_claiming(claim, "1000001", claims_of) == 2
    assert schools_claiming(claim, "9999999", claims_of) == 1  # nobody else: the claim's own school
    assert schools_claiming(claim, "1000001", {"108125": [claim]}) == 1


def test_a_schools_window_total_counts_only_claims_holding_hours_in_that_window() -> None:
    from shared.claims.validation import window_total_pence

    claims = [
        _claim(amount_pence=100_000),
        _claim(reference="2", amount_pence=300_000),
        _claim(reference="3", amount_pence=900_000, status=ClaimStatus.WITHDRAWN),
        _claim(reference="4", amount_pence=900_000, status=ClaimStatus.DRAFT),
        _claim(reference="5", amount_pence=900_000, window_id="another"),
    ]
    assert window_total_pence(claims, "w") == 400_000


# -- the edges the mutation run found untested (docs/mutation.md) ---------------------------------------------------
def test_the_first_six_are_checks_and_the_last_three_risk_flags() -> None:
    # Then a failed check and a raised flag can be told apart on the review page
    assert [f.kind for f in findings(_claim(), _facts())] == [Kind.CHECK] * 6 + [Kind.FLAG] * 3


def test_a_mentor_the_teaching_record_lookup_did_not_answer_for_counts_as_not_found() -> None:
    # Given facts that say nothing about one of the mentors
    results = findings(_claim(), _facts(mentors_found={"1000001": True}))
    # Then that mentor is not in the Teaching Record System, as far as the checks know
    assert reasons(results) == ["Not found in the Teaching Record System: James Okafor"]


def test_mentors_with_no_hours_or_schools_gathered_have_claimed_nothing_elsewhere() -> None:
    # Given facts with no hours and no other schools for either mentor / Then nothing fails or is flagged
    assert not needs_review(findings(_claim(), _facts(hours_claimed={}, schools_per_mentor={})))


def test_every_mentor_a_reason_is_about_is_named_in_it() -> None:
    # Given both mentors missing, over their allowance and claimed by another school
    results = findings(
        _claim(),
        _facts(
            mentors_found={},
            hours_claimed={"1000001": 17, "1000002": 7},
            schools_per_mentor={"1000001": 2, "1000002": 3},
        ),
    )
    # Then each reason names both, in the claim's order, separated by commas
    assert reasons(results) == [
        "Not found in the Teaching Record System: Emily Carter, James Okafor",
        "More hours claimed with Sheffield Hallam University than allowed in 2026 to 2027 for: Emily Carter, "
        "James Okafor",
        "Claimed with Sheffield Hallam University by two or more schools: Emily Carter, James Okafor",
    ]


def test_a_claim_with_no_submitter_s_name_is_not_flagged_as_submitted_by_its_mentor() -> None:
    # Given a claim whose submitter's name was not recorded, for a mentor known by one name
    mononym = ClaimMentor(trn="1000003", first_name="", last_name="Xxxx", hours=4, training_type=TrainingType.INITIAL)
    claim = _claim(submitted_by_name=None, mentors=(mononym,), amount_pence=4 * 4380)
    facts = _facts(mentors_found={"1000003": True}, hours_claimed={"1000003": 4}, schools_per_mentor={})
    # Then nobody is taken for its submitter
    assert not needs_review(findings(claim, facts))
