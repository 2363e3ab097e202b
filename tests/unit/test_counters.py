"""The Overview's counters: what a claim adds to its year's counts, and the deltas of each change (ADR 0028)."""

from __future__ import annotations

import datetime as dt
import itertools

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.counters import (
    CountedClaim,
    YearDelta,
    contribution,
    correction,
    delta,
    deltas,
    figures,
    recount,
)
from shared.claims.statuses import DISPLAY, ClaimStatus

# 23:30 on 4 November in London is still 4 November there (GMT), but 5 November at 00:30 BST would not be
SUBMITTED = dt.datetime(2026, 11, 4, 23, 30, tzinfo=dt.UTC)
LABELS = {status: display.label for status, display in DISPLAY.items()}


def _claim(reference: str = "10000001", **changes: object) -> Claim:
    claim = Claim(
        reference=reference,
        school_id="100001",
        school_name="A School",
        provider_code="N97",
        provider_name="A University",
        window_id="w",
        academic_year=AcademicYear(2026),
        status=ClaimStatus.SUBMITTED,
        mentors=(
            ClaimMentor(trn="1000001", first_name="A", last_name="B", hours=10, training_type=TrainingType.INITIAL),
        ),
        region="Inner London",
        hourly_rate_pence=5360,
        amount_pence=53600,
        created_at=SUBMITTED,
        submitted_at=SUBMITTED,
    )
    return claim.model_copy(update=changes)


def test_a_submitted_claim_counts_in_its_status_region_provider_and_day() -> None:
    assert dict(contribution(_claim())) == {
        "n#status#submitted": 1,
        "p#status#submitted": 53600,
        "n#region#Inner London": 1,
        "p#region#Inner London": 53600,
        "n#provider#N97": 1,
        "p#provider#N97": 53600,
        "n#day#2026-11-04": 1,
    }


def test_the_day_is_the_day_in_england() -> None:
    summer = _claim(submitted_at=dt.datetime(2027, 6, 4, 23, 30, tzinfo=dt.UTC))  # 00:30 on 5 June, BST
    assert "n#day#2027-06-05" in contribution(summer)


def test_a_draft_counts_only_in_its_status() -> None:
    draft = _claim(status=ClaimStatus.DRAFT, submitted_at=None)
    assert dict(contribution(draft)) == {"n#status#draft": 1, "p#status#draft": 53600}


def test_submitting_a_draft_moves_it_and_adds_its_region_provider_and_day() -> None:
    draft = _claim(status=ClaimStatus.DRAFT, submitted_at=None)
    assert delta(draft, _claim()) == {
        "n#day#2026-11-04": 1,
        "n#provider#N97": 1,
        "n#region#Inner London": 1,
        "n#status#draft": -1,
        "n#status#submitted": 1,
        "p#provider#N97": 53600,
        "p#region#Inner London": 53600,
        "p#status#draft": -53600,
        "p#status#submitted": 53600,
    }


def test_withdrawing_takes_the_claim_out_of_its_region_and_provider_but_not_its_day() -> None:
    withdrawn = _claim(status=ClaimStatus.WITHDRAWN)
    assert delta(_claim(), withdrawn) == {
        "n#provider#N97": -1,
        "n#region#Inner London": -1,
        "n#status#submitted": -1,
        "n#status#withdrawn": 1,
        "p#provider#N97": -53600,
        "p#region#Inner London": -53600,
        "p#status#submitted": -53600,
        "p#status#withdrawn": 53600,
    }


def test_being_paid_moves_only_the_status() -> None:
    before = _claim(status=ClaimStatus.PAYMENT_IN_PROGRESS)
    assert delta(before, _claim(status=ClaimStatus.PAID)) == {
        "n#status#paid": 1,
        "n#status#payment_in_progress": -1,
        "p#status#paid": 53600,
        "p#status#payment_in_progress": -53600,
    }


def test_an_amendment_moves_only_the_pounds() -> None:
    assert delta(_claim(), _claim(amount_pence=26800)) == {
        "p#provider#N97": -26800,
        "p#region#Inner London": -26800,
        "p#status#submitted": -26800,
    }


def test_a_change_that_moves_nothing_is_empty() -> None:
    assert delta(_claim(), _claim(validated_run="w-run-1")) == {}


def test_a_group_of_changes_is_one_summed_delta_per_year() -> None:
    # Given three claims paid in one group, and one of another year
    changes = [
        (_claim(str(n), status=ClaimStatus.PAYMENT_IN_PROGRESS), _claim(str(n), status=ClaimStatus.PAID))
        for n in range(3)
    ]
    other = _claim("9", academic_year=AcademicYear(2025))
    changes.append((other, other.model_copy(update={"status": ClaimStatus.WITHDRAWN})))
    # When the deltas are summed
    found = deltas(changes)
    # Then each year has one
    assert [d.year for d in found] == ["2025 to 2026", "2026 to 2027"]
    assert found[1].counts == {
        "n#status#paid": 3,
        "n#status#payment_in_progress": -3,
        "p#status#paid": 3 * 53600,
        "p#status#payment_in_progress": -3 * 53600,
    }
    assert found[1].provider_names == {}  # no provider counter moved
    assert found[0].provider_names == {"N97": "A University"}


def test_a_claim_never_changes_year() -> None:
    import pytest

    with pytest.raises(ValueError, match="academic year"):
        deltas([(_claim(), _claim(academic_year=AcademicYear(2027)))])


def test_the_deltas_of_a_claims_life_add_up_to_its_recount() -> None:
    # Given a claim drafted, submitted, amended, sent to the payer and paid
    states = [
        None,
        _claim(status=ClaimStatus.DRAFT, submitted_at=None),
        _claim(),
        _claim(amount_pence=42880),
        _claim(amount_pence=42880, status=ClaimStatus.PAYMENT_IN_PROGRESS),
        _claim(amount_pence=42880, status=ClaimStatus.PAID),
    ]
    summed: dict[str, int] = {}
    for before, after in itertools.pairwise(states):
        for name, value in delta(before, after).items():
            summed[name] = summed.get(name, 0) + value
    # Then the counters equal what counting the claim as it is gives
    (year,) = recount([states[-1]])  # type: ignore[list-item]
    assert {k: v for k, v in summed.items() if v} == year.counts


def test_a_recount_reads_rows_as_the_listing_index_gives_them() -> None:
    row = CountedClaim(AcademicYear(2026), ClaimStatus.PAID, 100, "Fringe", "G56", "Nottingham", SUBMITTED)
    (year,) = recount([row])
    assert year.counts["p#region#Fringe"] == 100
    assert year.provider_names == {"G56": "Nottingham"}


def test_a_correction_is_what_makes_the_counters_read_the_recount() -> None:
    assert correction({"a": 3, "b": 1}, {"a": 1, "c": 2}) == {"a": 2, "b": 1, "c": -2}
    assert correction({"a": 1}, {"a": 1}) == {}


def test_figures_order_statuses_as_the_table_and_the_rest_by_pounds() -> None:
    counts = {
        "n#status#paid": 2,
        "p#status#paid": 200,
        "n#status#submitted": 1,
        "p#status#submitted": 50,
        "n#region#Fringe": 1,
        "p#region#Fringe": 50,
        "n#region#Inner London": 2,
        "p#region#Inner London": 200,
        "n#day#2026-11-05": 3,
        "n#status#withdrawn": 0,
        **{f"n#provider#P{n:02d}": 1 for n in range(12)},
        **{f"p#provider#P{n:02d}": 10 * n for n in range(12)},
    }
    days = [dt.date(2026, 11, 4), dt.date(2026, 11, 5)]
    found = figures("2026 to 2027", counts, LABELS, {"P11": "Eleven"}, days)
    assert [(f.label, f.claims, f.pence) for f in found.by_status] == [("Submitted", 1, 50), ("Paid", 2, 200)]
    assert [f.label for f in found.by_region] == ["Inner London", "Fringe"]
    assert len(found.by_provider) == 10  # the top 10 by pounds
    assert found.by_provider[0].label == "Eleven"
    assert found.by_provider[1].label == "P10"
    assert [(d.day.day, d.claims) for d in found.per_day] == [(4, 0), (5, 3)]
    assert (found.total_claims, found.total_pence) == (3, 250)


def test_a_year_delta_with_nothing_in_it_is_left_out() -> None:
    assert deltas([(_claim(), _claim(validated_run="r"))]) == []
    assert YearDelta("2026 to 2027", {}).provider_names == {}


def test_an_activity_count_of_one_is_singular() -> None:
    from shared.claims.activity import count_phrase

    # Given counts as entries record them; When each is phrased; Then one of a plural noun is singular
    assert count_phrase("rows", 1) == "1 row"
    assert count_phrase("rows read", 1) == "1 row read"
    assert count_phrase("rows read", 50_210) == "50,210 rows read"
    assert count_phrase("claims checked", 1) == "1 claim checked"
    assert count_phrase("newly eligible", 1) == "1 newly eligible"
