"""The payment-run benchmark's pure parts: its seed data, the execution history, the memory split and the verdict
(no sockets, no moto)."""

from __future__ import annotations

import datetime as dt
import socket
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from tests.bench.__main__ import BENCHMARKS, _parser
from tests.bench.payment_run import (
    DISTRICTS,
    EARLIER_RUN_ID,
    FILE_PAGE_SIZE,
    GOAL_RATIO,
    GROUP_SIZE,
    INITIAL_HOURS_CAP,
    MIB,
    PAGE_SIZE,
    PAGE_TASK,
    PROVIDERS,
    SCHOOL_TOTAL_FLAG_PENCE,
    SUBMITTER_NAME,
    CallTimes,
    Invocation,
    MemoryAccount,
    MemoryFigures,
    RunMeasurement,
    SeedPlan,
    StateTime,
    format_calls,
    format_states,
    format_table,
    max_hours_per_claim,
    plan_problems,
    ratio,
    real_pages,
    seed_plan,
    state_times,
    verdict,
    verdict_line,
)

CLOSES_ON = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any network use here is a bug in the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network use in a unit test: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(scope="module")
def plan() -> SeedPlan:
    return seed_plan(2_000, CLOSES_ON)


# -- the seed data ---------------------------------------------------------------------------------------------------
def test_the_plan_has_the_claims_asked_for_and_the_schools_providers_and_mentors_they_imply(plan: SeedPlan) -> None:
    # Given 2,000 claims at 20 per school
    # Then there are 100 schools of 5 mentors each, and every provider named exists
    assert len(plan.claims) == 2_000
    assert len(plan.schools) == 100
    assert len(plan.mentors) == 500
    assert len(plan.providers) == PROVIDERS
    assert {claim.provider_code for claim in plan.claims} <= {provider.code for provider in plan.providers}
    assert plan.academic_year == "2026 to 2027"
    assert plan.pages == 2_000 // PAGE_SIZE


def test_a_number_of_claims_that_does_not_fill_the_last_school_still_gives_exactly_that_many() -> None:
    small = seed_plan(45, CLOSES_ON)
    assert len(small.claims) == 45
    assert len(small.schools) == 3
    assert plan_problems(small) == []


def test_references_urns_and_trns_are_unique_and_references_run_in_order(plan: SeedPlan) -> None:
    references = [claim.reference for claim in plan.claims]
    assert len(set(references)) == len(references)
    assert references == sorted(references)
    assert all(len(reference) == 8 for reference in references)
    assert len({school.urn for school in plan.schools}) == len(plan.schools)
    assert len({mentor.trn for mentor in plan.mentors}) == len(plan.mentors)
    assert all(len(mentor.trn) == 7 and mentor.trn.isdigit() for mentor in plan.mentors)


def test_the_plan_is_clean(plan: SeedPlan) -> None:
    assert plan_problems(plan) == []


def test_each_school_stays_under_the_5000_pound_flag_and_each_mentor_under_the_hours_cap(plan: SeedPlan) -> None:
    totals: Counter[str] = Counter()
    hours: Counter[tuple[str, str]] = Counter()
    for claim in plan.claims:
        totals[claim.school_urn] += claim.amount_pence
        hours[(claim.mentor.trn, claim.provider_code)] += claim.hours
    assert max(totals.values()) <= SCHOOL_TOTAL_FLAG_PENCE
    assert max(hours.values()) <= INITIAL_HOURS_CAP
    assert all(1 <= claim.hours <= max_hours_per_claim() for claim in plan.claims)
    assert plan.total_pence == sum(totals.values())


def test_nobody_submits_a_claim_for_themselves_and_no_mentor_is_claimed_by_two_schools(plan: SeedPlan) -> None:
    assert all(claim.mentor.full_name != SUBMITTER_NAME for claim in plan.claims)
    schools: dict[tuple[str, str], set[str]] = {}
    for claim in plan.claims:
        schools.setdefault((claim.mentor.trn, claim.provider_code), set()).add(claim.school_urn)
    assert all(len(urns) == 1 for urns in schools.values())


def test_the_benchmarks_thresholds_are_the_services() -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType, cap
    from shared.claims.regions import DEFAULT_HOURLY_RATES_PENCE, region_for_district
    from shared.claims.validation import SCHOOL_TOTAL_FLAG_PENCE as SERVICE_FLAG
    from shared.data.claims import GROUP_SIZE as SERVICE_GROUP_SIZE
    from shared.usecases.payment_run_tasks import FILE_PAGE_SIZE as SERVICE_FILE_PAGE_SIZE
    from shared.usecases.payment_run_tasks import PAGE_SIZE as SERVICE_PAGE_SIZE

    assert SCHOOL_TOTAL_FLAG_PENCE == SERVICE_FLAG
    assert PAGE_SIZE == SERVICE_PAGE_SIZE
    assert (FILE_PAGE_SIZE, GROUP_SIZE) == (SERVICE_FILE_PAGE_SIZE, SERVICE_GROUP_SIZE)
    assert cap(AcademicYear.for_date(CLOSES_ON), TrainingType.INITIAL) == INITIAL_HOURS_CAP
    assert [rate for _, _, rate in DISTRICTS] == [
        DEFAULT_HOURLY_RATES_PENCE[region_for_district(code)] for code, _, _ in DISTRICTS
    ]
    assert len({region_for_district(code) for code, _, _ in DISTRICTS}) == 4  # every region is paid


def test_every_claim_passes_the_services_own_checks_and_flags(plan: SeedPlan) -> None:
    # Given the facts the workflow would gather for each claim (every mentor in the Teaching Record)
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.organisations import Provider, School
    from shared.claims.statuses import ClaimStatus
    from shared.claims.validation import Facts, findings, needs_review

    year = AcademicYear.parse(plan.academic_year)
    schools = {
        s.urn: School(
            organisation_id=s.urn,
            urn=s.urn,
            name=s.name,
            vendor_number=f"V{s.urn}",  # as the bench writes its schools
            eligible_years=frozenset({year.name}),
        )
        for s in plan.schools
    }
    provider = Provider(code="B00", name="Bench Provider", provider_type="university", accredited=True, ukprn="1")
    hours: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    for planned in plan.claims:
        hours[(planned.mentor.trn, planned.provider_code)] += planned.hours
        totals[planned.school_urn] += planned.amount_pence
    flagged = []
    for planned in plan.claims:
        mentor = planned.mentor
        claim = Claim(
            reference=planned.reference,
            school_id=planned.school_urn,
            school_name=schools[planned.school_urn].name,
            provider_code=planned.provider_code,
            provider_name=provider.name,
            window_id=plan.window_id,
            academic_year=year,
            status=ClaimStatus.SUBMITTED,
            mentors=(ClaimMentor(trn=mentor.trn, first_name=mentor.first_name, last_name=mentor.last_name,
                                 hours=planned.hours, training_type=TrainingType.INITIAL),),
            region="Rest of England",
            hourly_rate_pence=planned.rate_pence,
            amount_pence=planned.amount_pence,
            created_at=planned.created_at,
            submitted_by_name=SUBMITTER_NAME,
        )  # fmt: skip
        facts = Facts(
            school=schools[planned.school_urn],
            provider=provider,
            mentors_found={mentor.trn: True},
            hours_claimed={mentor.trn: hours[(mentor.trn, planned.provider_code)]},
            school_window_total_pence=totals[planned.school_urn],
            schools_per_mentor={mentor.trn: 1},
        )
        # When the checks run
        if needs_review(findings(claim, facts)):
            flagged.append(planned.reference)
    # Then none needs a review
    assert flagged == []


def test_plan_problems_names_what_would_be_flagged_or_collide(plan: SeedPlan) -> None:
    # Given a plan with a repeated reference, a school over £5,000, a mentor over the cap at a second school,
    # and a claim submitted by its own mentor
    first, second = plan.claims[0], plan.claims[1]
    other_school = next(s for s in plan.schools if s.urn != first.school_urn)
    named = replace(first.mentor, first_name="Bench", last_name="Administrator")
    bad = replace(
        plan,
        claims=(
            replace(first, hours=100),
            replace(second, reference=first.reference),
            replace(first, reference="49999999", school_urn=other_school.urn, rate_pence=other_school.rate_pence),
            replace(plan.claims[2], mentor=named),
        ),
    )
    problems = " | ".join(plan_problems(bad))
    assert f"reference {first.reference} used 2 times" in problems
    assert f"school {first.school_urn}: " in problems
    assert "over 500000" in problems
    assert f"mentor {first.mentor.trn} with {first.provider_code}: claimed by 2 schools" in problems
    assert "is not the school's" in problems  # the first mentor at the other school, and the renamed one
    assert "submitted by its mentor" in problems


def test_the_plan_is_the_same_every_time_and_another_seed_gives_another() -> None:
    assert seed_plan(300, CLOSES_ON) == seed_plan(300, CLOSES_ON)
    assert seed_plan(300, CLOSES_ON) != seed_plan(300, CLOSES_ON, seed=1)


def test_at_least_one_claim() -> None:
    with pytest.raises(ValueError, match="at least one claim"):
        seed_plan(0, CLOSES_ON)


@pytest.mark.parametrize(
    ("pages", "wanted", "expected"),
    [(20, 2, [0, 10]), (200, 2, [0, 100]), (2, 2, [0, 1]), (1, 2, [0]), (5, None, [0, 1, 2, 3, 4]), (5, 0, [])],
)
def test_real_pages_are_spread_over_the_window(pages: int, wanted: int | None, expected: list[int]) -> None:
    assert real_pages(pages, wanted) == expected


def test_only_the_real_pages_claims_are_left_to_validate(plan: SeedPlan) -> None:
    # Given 2,000 claims with 2 of the 20 pages validated for real
    unvalidated = [index for index, claim in enumerate(plan.claims) if claim.validated_run is None]
    # Then those are the claims of pages 0 and 10, and the others were validated by an earlier run
    assert unvalidated == [*range(100), *range(1_000, 1_100)]
    assert plan.to_validate == 200
    assert {claim.validated_run for claim in plan.claims} == {None, EARLIER_RUN_ID}
    assert seed_plan(300, CLOSES_ON, validate_pages=None).to_validate == 300


# -- the execution history ---------------------------------------------------------------------------------------
def _event(kind: str, name: str, seconds: float) -> dict[str, Any]:
    details = "stateEnteredEventDetails" if kind.endswith("Entered") else "stateExitedEventDetails"
    return {
        "type": kind,
        "timestamp": dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds),
        details: {"name": name},
    }


def test_state_times_from_entered_to_exited_in_the_order_first_entered() -> None:
    events = [
        {"type": "ExecutionStarted", "timestamp": dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)},
        _event("TaskStateEntered", "CloseWindow", 0.0),
        _event("TaskStateExited", "CloseWindow", 0.5),
        _event("MapStateEntered", "ValidateClaims", 0.5),
        _event("TaskStateEntered", "ValidatePage", 0.6),
        _event("TaskStateEntered", "ValidatePage", 0.7),  # two iterations at once
        _event("TaskStateExited", "ValidatePage", 2.6),
        _event("TaskStateExited", "ValidatePage", 3.7),
        _event("MapStateExited", "ValidateClaims", 4.0),
        _event("TaskStateEntered", "GeneratePaymentFile", 4.0),
        _event("TaskStateExited", "GeneratePaymentFile", 14.0),
        _event("SucceedStateEntered", "Succeeded", 14.0),
    ]
    times = state_times(events)
    assert [t.name for t in times] == ["CloseWindow", "ValidateClaims", "ValidatePage", "GeneratePaymentFile"]
    assert times[0] == StateTime("CloseWindow", 0.5, 1)
    assert times[1] == StateTime("ValidateClaims", 3.5, 1)
    assert times[2].entries == 2
    assert times[2].seconds == pytest.approx(2.0 + 3.0)
    assert times[3].seconds == pytest.approx(10.0)


def test_state_times_reads_timestamps_as_moto_and_botocore_give_them() -> None:
    # Given an ISO string, epoch seconds and a naive datetime (taken as UTC)
    started = dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC)
    entered_a, exited_a, entered_b = (
        _event("TaskStateEntered", "A", 0),
        _event("TaskStateExited", "A", 0),
        _event("TaskStateEntered", "B", 0),
    )
    entered_a["timestamp"] = started.isoformat()
    exited_a["timestamp"] = started.timestamp() + 1.25
    entered_b["timestamp"] = dt.datetime(2026, 11, 28, 10)
    events = [entered_a, exited_a, entered_b]
    assert state_times(events) == [StateTime("A", 1.25, 1)]  # B never exited: left out


# -- the verdict -------------------------------------------------------------------------------------------------
def test_ratio_is_the_larger_runs_figure_over_the_smallers() -> None:
    assert ratio(10, 12) == pytest.approx(1.2)
    with pytest.raises(ValueError, match="positive"):
        ratio(0, 1)


@pytest.mark.parametrize(
    ("small", "large", "expected"),
    [
        (10, 10, "within 1.2×"),
        (10, 12, "within 1.2×"),
        (10, 9, "within 1.2×"),
        (10, 12.01, "GROWS (goal: within 1.2×)"),
    ],
)
def test_verdict_against_one_point_two_times(small: float, large: float, expected: str) -> None:
    assert verdict(small, large) == expected
    assert GOAL_RATIO == 1.2


def test_verdict_line_states_both_figures_the_ratio_and_the_verdict() -> None:
    line = verdict_line("file task's own peak", (2_000, 20_000), 10 * MIB, 25 * MIB)
    assert line == (
        "file task's own peak: 25.00 MiB at 20,000 claims / 10.00 MiB at 2,000 = 2.50× (+15.00 MiB) "
        "-> GROWS (goal: within 1.2×)"
    )
    assert verdict_line("x", (2_000, 20_000), 10 * MIB, 11 * MIB).endswith("= 1.10× (+1.00 MiB) -> within 1.2×")


# -- the memory split ------------------------------------------------------------------------------------------------
def test_memory_account_separates_what_moto_keeps_from_what_the_task_holds() -> None:
    # Given the task started with 100 bytes traced
    account = MemoryAccount(base=100)
    # When the task reaches 600 and calls moto, which rises to 1,200 and returns at 900 with a 100-byte answer
    account.task_interval(600)
    account.moto_call(before=500, after=900, peak=1_200, handed_over=100)
    # Then moto keeps 300, used 700 over the call, and the task's own peak so far is 500
    assert (account.moto_held, account.moto_working_peak, account.task_peak) == (300, 700, 500)
    # When the task then peaks at 1,000 traced (300 of it moto's)
    account.task_interval(1_000)
    # Then its own peak is 600, the overall peak 1,100 (moto's call), and one call was counted
    assert (account.task_peak, account.peak, account.calls) == (600, 1_100, 1)


def test_memory_account_with_moto_freeing_what_it_held() -> None:
    account = MemoryAccount()
    account.moto_call(before=0, after=1_000, peak=1_000, handed_over=0)  # stores a part of the file
    account.moto_call(before=1_000, after=400, peak=2_000, handed_over=0)  # joins the parts, frees them
    assert account.moto_held == 400
    account.task_interval(450)
    assert account.task_peak == 50


# -- the tables --------------------------------------------------------------------------------------------------
def _measurement(claims: int, own: int, cpu: float) -> RunMeasurement:
    calls = CallTimes()
    calls.add("GeneratePaymentFile", "dynamodb Query window-status-index", 0.5, items=100)
    calls.add("GeneratePaymentFile", "dynamodb Query window-status-index", 0.7, items=100)
    calls.add("GeneratePaymentFile", "dynamodb GetItem", 0.004)
    calls.invocations += [
        Invocation(PAGE_TASK, 3.0, cpu, validated=100),
        Invocation(PAGE_TASK, 4.0, cpu + 1, validated=100),
        Invocation(PAGE_TASK, 0.5, 0.4, validated=0),
        Invocation("GeneratePaymentFile", 10.0, 9.0, validated=None),
    ]
    return RunMeasurement(
        claims=claims,
        wall_seconds=claims / 100,
        states=[StateTime("CloseWindow", 0.1), StateTime("ValidatePage", 7.5, 3), StateTime("GeneratePaymentFile", 9)],
        memory=MemoryFigures(peak_bytes=own * 2, task_peak_bytes=own, maxrss_growth_bytes=3 * MIB),
        calls=calls,
        validated=200,
        pages=claims // PAGE_SIZE,
    )


def test_table_has_a_row_per_size_with_wall_time_claims_per_second_steps_and_memory() -> None:
    lines = format_table([_measurement(2_000, 10 * MIB, 2.0), _measurement(20_000, 11 * MIB, 20.0)])
    assert all(column in lines[0] for column in ("claims/s", "File s", "of which own", "RSS delta MiB"))
    assert set(lines[1]) == {"-"}
    assert lines[2].split()[:4] == ["2,000", "20.0", "100.0", "0.1"]
    assert lines[3].split()[-3:] == ["22.00", "11.00", "3.0"]
    assert "-" in lines[2].split()  # a step the history does not have
    assert len({len(line) for line in lines}) == 1  # columns line up


def test_states_table_shows_a_maps_iterations() -> None:
    lines = format_states([_measurement(2_000, MIB, 1.0)])
    assert "2,000 claims" in lines[0]
    assert any("ValidatePage" in line and "7.50 s (3 runs)" in line for line in lines)


def test_calls_table_shows_count_time_per_call_and_items() -> None:
    lines = format_calls([_measurement(2_000, MIB, 1.0)], "GeneratePaymentFile")
    query = next(line for line in lines if "Query" in line)
    assert query.split()[-4:] == ["2", "1.2", "600.0", "100"]
    assert format_calls([_measurement(2_000, MIB, 1.0)], "NoSuchTask") == []


def test_validation_projection_from_the_pages_validated_for_real() -> None:
    run = _measurement(20_000, MIB, 20.0)
    assert [i.cpu_seconds for i in run.pages_of(validated=True)] == [20.0, 21.0]
    assert run.real_page_cpu_seconds == pytest.approx(20.5)
    assert run.projected_validation_cpu_seconds == pytest.approx(20.5 * 200)
    assert run.claims_per_second == pytest.approx(100.0)


# -- the runner ----------------------------------------------------------------------------------------------------
def test_the_runner_knows_the_benchmark() -> None:
    assert "payment-run" in [benchmark.name for benchmark in BENCHMARKS]
    assert _parser().parse_args(["--only", "payment-run"]).only == ["payment-run"]
