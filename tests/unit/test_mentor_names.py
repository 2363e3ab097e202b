"""The weekly mentor names refresh's rules (ADR 0037): the rate limit's one-second counters, the waits after a 429,
the week's run, when a run is finished and what its Activity entry says, and the names a claim is shown with."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims import mentor_names as rules
from shared.claims.people import PersonName

AT = dt.datetime(2026, 12, 6, 3, 0, 0, 250_000, tzinfo=dt.UTC)


def test_any_minute_holds_fewer_requests_than_the_teaching_record_allows() -> None:
    # Given one-second counters of 4 places / Then any 60 seconds (61 counters at most) hold 244 requests
    assert rules.worst_case_per_minute() == 244
    assert rules.worst_case_per_minute() <= rules.RATE_LIMIT_PER_MINUTE


def test_every_instant_in_one_second_shares_its_counter_and_the_next_second_has_another() -> None:
    start = AT.replace(microsecond=0)
    assert rules.counter_key(start) == rules.counter_key(start + dt.timedelta(milliseconds=999))
    assert rules.counter_key(start) != rules.counter_key(start + dt.timedelta(seconds=1))
    assert rules.counter_key(start) == f"trs#{int(start.timestamp())}"
    assert rules.next_counter_at(AT) == start + dt.timedelta(seconds=1)
    assert rules.counter_expires(AT) == AT + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("attempt", "retry_after", "wait"),
    [
        (1, None, 1.0),  # no Retry-After: a second, then two, then three
        (3, None, 3.0),
        (1, 2.5, 2.5),  # the Teaching Record's own wait
        (1, 10.0, 10.0),
        (1, 10.5, None),  # longer than a check may wait: back to the queue
        (4, 1.0, None),  # the last attempt: back to the queue
    ],
)
def test_a_429_is_waited_out_or_sent_back_to_the_queue(attempt: int, retry_after: float | None, wait: float) -> None:
    assert rules.retry_wait(attempt, retry_after) == wait


def test_one_check_at_its_slowest_fits_the_consumers_timeout() -> None:
    # 4 attempts x (10 s for a place + 8 s of request timeouts + 10 s Retry-After)
    assert rules.worst_check_seconds() == 112.0


@pytest.mark.parametrize(
    ("at", "run_id"),
    [
        (dt.datetime(2026, 12, 6, 3, 0, tzinfo=dt.UTC), "mentor-names-2026-W49"),  # Sunday 03:00 London
        (dt.datetime(2026, 12, 6, 4, 0, tzinfo=dt.UTC), "mentor-names-2026-W49"),  # a retry an hour later
        (dt.datetime(2026, 12, 13, 3, 0, tzinfo=dt.UTC), "mentor-names-2026-W50"),  # the next week
        (dt.datetime(2027, 1, 3, 3, 0, tzinfo=dt.UTC), "mentor-names-2026-W53"),  # ISO years: 2026 has 53 weeks
        (dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.UTC), "mentor-names-2026-W14"),  # Monday 00:30 BST
    ],
)
def test_one_run_a_week_in_london_time(at: dt.datetime, run_id: str) -> None:
    assert rules.run_id(at) == run_id


def test_a_run_is_finished_once_every_queued_mentor_is_counted() -> None:
    assert not rules.run_finished({rules.CHECKED: 5})  # still queuing: the number is not known yet
    assert not rules.run_finished({rules.MENTORS: 3, rules.CHECKED: 2})
    assert rules.run_finished({rules.MENTORS: 3, rules.CHECKED: 3})
    assert rules.run_finished({rules.MENTORS: 3, rules.CHECKED: 4})  # a check delivered twice
    assert rules.run_finished({rules.MENTORS: 0})


def test_the_run_summary_lists_the_trns_not_found_first() -> None:
    counts = {rules.MENTORS: 3, rules.CHECKED: 3, rules.NOT_FOUND: 2, rules.FAILED: 1}
    assert rules.run_summary(counts, {"2000002", "1000001"}) == (
        "Not found in the Teaching Record (not deleted): TRN 1000001, 2000002"
    )
    assert rules.run_summary({rules.MENTORS: 3, rules.FAILED: 1}, ()) == (
        "Every mentor checked was found; some could not be checked (next week's refresh tries them again)"
    )
    assert rules.run_summary({rules.MENTORS: 3, rules.FAILED: 0}, ()) == "Every mentor was found in the Teaching Record"
    assert rules.run_summary({rules.MENTORS: 0}, ()) == "There were no mentors to check"


def test_a_long_list_of_trns_not_found_is_cut_short_with_how_many_more() -> None:
    trns = {f"{1_000_000 + n}" for n in range(rules.NOT_FOUND_LISTED + 3)}
    summary = rules.run_summary({rules.MENTORS: len(trns)}, trns)
    assert summary.endswith("TRN " + ", ".join(sorted(trns)[: rules.NOT_FOUND_LISTED]) + " and 3 more")


@pytest.mark.parametrize(
    ("outcome", "count"),
    [
        (rules.Outcome.RENAMED, rules.RENAMED),
        (rules.Outcome.NOT_FOUND, rules.NOT_FOUND),
        (rules.Outcome.FAILED, rules.FAILED),
        (rules.Outcome.UNCHANGED, None),
    ],
)
def test_each_outcome_counts_once_on_the_run(outcome: rules.Outcome, count: str | None) -> None:
    assert rules.outcome_count(outcome) == count


def test_a_corrected_capital_is_a_new_name() -> None:
    stored = PersonName(first_name="Ada", last_name="lovelace")
    assert rules.renamed(stored, PersonName(first_name="Ada", last_name="Lovelace"))
    assert not rules.renamed(stored, PersonName(first_name="Ada", last_name="lovelace"))


def test_a_claim_is_shown_with_its_mentors_current_names_and_keeps_its_hours() -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus

    mentors = tuple(
        ClaimMentor(trn=trn, first_name=first, last_name=last, hours=hours, training_type=TrainingType.INITIAL)
        for trn, first, last, hours in (("1000001", "Ada", "Lovelace", 6), ("1000002", "Alan", "Turing", 4))
    )
    claim = Claim(
        reference="10000001",
        school_id="100001",
        school_name="A School",
        provider_code="N97",
        provider_name="A University",
        window_id="w",
        academic_year=AcademicYear(2026),
        status=ClaimStatus.PAID,
        mentors=mentors,
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=4380 * 10,
        created_at=AT,
    )
    shown = rules.with_current_names(claim, {"1000001": PersonName(first_name="Ada", last_name="King")})
    assert [m.full_name for m in shown.mentors] == ["Ada King", "Alan Turing"]  # no record: the claim's name
    assert [(m.trn, m.hours) for m in shown.mentors] == [("1000001", 6), ("1000002", 4)]
    assert shown.amount_pence == claim.amount_pence
    assert claim.mentors[0].full_name == "Ada Lovelace"  # the claim itself is unchanged
