"""An audit's rules: the outcome of the answers, the school's response form, the deadlines and chasers in
England's days, and each mentor's clawback."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.audits import (
    AUDIT_DEADLINE,
    ENTER_EXPLANATION,
    EXPLANATION_TOO_LONG,
    MAX_CHASERS,
    SCHOOL_RESPONSE_DAYS,
    SELECT_AGREES,
    MentorAnswer,
    MentorClawback,
    answers_outcome,
    chaser_due,
    check_school_response,
    clawback_per_mentor,
    clawback_total_pence,
    deadline_day,
    lower_clawback,
    overdue,
)
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.statuses import TRANSITIONS, ClaimStatus, releases_hours

RATE = 4380
T = TrainingType
CLAIM = Claim(
    reference="20000001",
    school_id="100001",
    school_name="Alpha Primary School",
    provider_code="P1",
    provider_name="Best Practice Network",
    window_id="w",
    academic_year=AcademicYear(2026),
    status=ClaimStatus.SAMPLING_NOT_APPROVED,
    mentors=(
        ClaimMentor(trn="1000001", first_name="Ada", last_name="Lovelace", hours=16, training_type=T.INITIAL),
        ClaimMentor(trn="1000002", first_name="Alan", last_name="Turing", hours=6, training_type=T.REFRESHER),
    ),
    region="Rest of England",
    hourly_rate_pence=RATE,
    amount_pence=22 * RATE,
    created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
)
YES_1 = MentorAnswer(trn="1000001", confirmed=True, hours_completed=16)
NO_1 = MentorAnswer(trn="1000001", confirmed=False, hours_completed=10, reason="Too many hours")
YES_2 = MentorAnswer(trn="1000002", confirmed=True, hours_completed=6)
NO_2 = MentorAnswer(trn="1000002", confirmed=False, hours_completed=0, reason="Not employed at the school")


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


# -- the outcome -----------------------------------------------------------------------------------
def test_every_mentor_confirmed_passes_the_audit_and_any_no_is_rejected_by_the_provider() -> None:
    assert answers_outcome([YES_1, YES_2]) is ClaimStatus.PAID
    assert answers_outcome([YES_1, NO_2]) is ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED
    # and both are changes the transition table allows from an audit in progress
    assert (ClaimStatus.SAMPLING_IN_PROGRESS, ClaimStatus.PAID) in TRANSITIONS
    assert (ClaimStatus.SAMPLING_IN_PROGRESS, ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED) in TRANSITIONS


def test_no_answers_have_no_outcome() -> None:
    with pytest.raises(ValueError, match="at least one answer"):
        answers_outcome([])


# -- the school's response -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("agrees", "explanation", "errors"),
    [
        (None, "", {"agrees": SELECT_AGREES}),
        ("maybe", "", {"agrees": SELECT_AGREES}),
        ("no", "   ", {"explanation": ENTER_EXPLANATION}),
        ("no", "x" * 2001, {"explanation": EXPLANATION_TOO_LONG}),
    ],
)
def test_a_school_response_needs_an_answer_and_a_reason_to_disagree(
    agrees: str | None, explanation: str, errors: dict[str, str]
) -> None:
    check = check_school_response(agrees, explanation)
    assert not check.valid
    assert check.errors == errors


def test_the_messages_are_the_services_wording() -> None:
    assert SELECT_AGREES == "Select whether you agree with your provider"
    assert ENTER_EXPLANATION == "Enter why you disagree"
    assert EXPLANATION_TOO_LONG == "Explanation must be 2,000 characters or less"


def test_an_explanation_of_2000_characters_with_browser_line_ends_is_allowed() -> None:
    # Given 2,000 characters, two of them line ends a browser sends as CRLF
    text = "a" * 999 + "\r\n" + "b" * 998 + "\r\n" + "c"

    # When the response is checked, Then it is valid and kept with plain line ends
    check = check_school_response("no", text)
    assert check.valid
    assert check.agrees is False
    assert len(check.explanation) == 2000


def test_agreeing_drops_any_explanation() -> None:
    check = check_school_response("yes", "We accept")
    assert (check.valid, check.agrees, check.explanation) == (True, True, "")


# -- deadlines and chasers -------------------------------------------------------------------------
def test_the_deadline_is_21_days_after_the_day_in_england() -> None:
    # Given an audit requested at 23:30 UTC on 31 May: already 1 June in London (BST)
    requested = _utc(2027, 5, 31, 23, 30)

    # Then the deadline is 21 days after 1 June, and that whole day is in time
    assert dt.timedelta(days=21) == AUDIT_DEADLINE
    assert deadline_day(requested) == dt.date(2027, 6, 22)
    assert not overdue(requested, _utc(2027, 6, 22, 22, 59))  # 23:59 on 22 June in London
    assert overdue(requested, _utc(2027, 6, 22, 23, 0))  # midnight: 23 June in London


def test_the_schools_response_has_its_own_days_from_the_providers_answer() -> None:
    answered = _utc(2027, 1, 10, 12)
    assert deadline_day(answered, SCHOOL_RESPONSE_DAYS) == dt.date(2027, 1, 31)
    assert overdue(answered, _utc(2027, 2, 1, 0), SCHOOL_RESPONSE_DAYS)


def test_a_chaser_is_due_each_week_at_most_three_times() -> None:
    requested = _utc(2027, 1, 4, 9)  # a Monday

    # Then none in the first week, then one a week, each only once
    assert not chaser_due(requested, 0, _utc(2027, 1, 10, 23))
    assert chaser_due(requested, 0, _utc(2027, 1, 11, 0))
    assert not chaser_due(requested, 1, _utc(2027, 1, 17, 12))
    assert chaser_due(requested, 1, _utc(2027, 1, 18, 12))
    assert chaser_due(requested, 2, _utc(2027, 1, 25, 12))  # the deadline day itself
    assert not chaser_due(requested, MAX_CHASERS, _utc(2027, 1, 25, 12))


def test_no_chaser_once_the_deadline_has_passed() -> None:
    requested = _utc(2027, 1, 4, 9)
    assert not chaser_due(requested, 2, _utc(2027, 1, 26, 9))


def test_a_job_that_missed_weeks_sends_one_chaser_not_all() -> None:
    requested = _utc(2027, 1, 4, 9)
    assert chaser_due(requested, 0, _utc(2027, 1, 20, 9))
    assert not chaser_due(requested, 1, _utc(2027, 1, 17, 9))


# -- clawback --------------------------------------------------------------------------------------
def test_the_clawback_is_the_hours_not_completed_at_the_claims_snapshotted_rate() -> None:
    # Given one mentor who completed 10 of 16 hours and one who completed none of 6
    clawbacks = clawback_per_mentor(CLAIM, [NO_2, NO_1])

    # Then each is clawed back for the hours not completed, in the claim's mentor order
    assert [(c.trn, c.hours_claimed, c.hours_completed, c.hours_clawed_back, c.pence) for c in clawbacks] == [
        ("1000001", 16, 10, 6, 6 * RATE),
        ("1000002", 6, 0, 6, 6 * RATE),
    ]
    assert clawback_total_pence(clawbacks) == 12 * RATE == 52560


def test_a_confirmed_mentor_is_not_clawed_back() -> None:
    clawbacks = clawback_per_mentor(CLAIM, [YES_1, NO_2])
    assert [c.pence for c in clawbacks] == [0, 6 * RATE]


@pytest.mark.parametrize(
    "answers",
    [
        [NO_1],  # a mentor missing
        [NO_1, NO_2, MentorAnswer(trn="1000009", confirmed=True, hours_completed=1)],  # a stranger
        [NO_1, NO_1, NO_2],  # a mentor twice
        [MentorAnswer(trn="1000001", confirmed=False, hours_completed=17, reason="x"), NO_2],  # more than claimed
    ],
)
def test_answers_that_do_not_fit_the_claim_are_refused(answers: list[MentorAnswer]) -> None:
    with pytest.raises(ValueError, match="claim 20000001"):
        clawback_per_mentor(CLAIM, answers)


def test_support_may_lower_a_clawback_with_a_reason() -> None:
    # Given a mentor clawed back for 6 hours
    clawback = clawback_per_mentor(CLAIM, [NO_1, YES_2])[0]

    # When support lowers it to 2 hours with a reason
    lowered = lower_clawback(clawback, "2", "The school sent the mentor's timesheets")

    # Then 2 hours at the rate are clawed back, and the 6 not completed are still known
    assert lowered.errors == {}
    assert lowered.clawback is not None
    assert (lowered.clawback.hours_clawed_back, lowered.clawback.pence) == (2, 2 * RATE)
    assert lowered.clawback.hours_not_completed == 6
    assert lowered.clawback.lowered
    assert lowered.clawback.lowered_reason == "The school sent the mentor's timesheets"
    assert lower_clawback(clawback, 0, "Evidence").clawback == clawback.model_copy(
        update={"hours_clawed_back": 0, "lowered_reason": "Evidence"}
    )


@pytest.mark.parametrize(
    ("hours", "reason", "errors"),
    [
        ("", "Evidence", {"hours": "Enter the number of hours to claw back"}),
        ("2.5", "Evidence", {"hours": "Hours to claw back must be a whole number"}),
        ("-1", "Evidence", {"hours": "Hours to claw back must be a whole number"}),
        ("7", "Evidence", {"hours": "Hours to claw back must be between 0 and 6"}),
        ("9" * 5000, "Evidence", {"hours": "Hours to claw back must be between 0 and 6"}),  # past int()'s limit
        ("2", "  ", {"reason": "Enter why fewer hours are clawed back"}),
    ],
)
def test_a_lowered_clawback_is_0_to_the_hours_not_completed_with_a_reason(
    hours: str, reason: str, errors: dict[str, str]
) -> None:
    clawback = clawback_per_mentor(CLAIM, [NO_1, YES_2])[0]
    assert lower_clawback(clawback, hours, reason).errors == errors
    assert lower_clawback(clawback, hours, reason).clawback is None


def test_clawed_back_hours_are_not_given_back_to_the_allowance() -> None:
    # No change on the way from an audit to a completed clawback releases the claim's hours
    clawback_path = [
        (ClaimStatus.SAMPLING_IN_PROGRESS, ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED),
        (ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED, ClaimStatus.SAMPLING_NOT_APPROVED),
        (ClaimStatus.SAMPLING_NOT_APPROVED, ClaimStatus.CLAWBACK_REQUIRES_APPROVAL),
        (ClaimStatus.CLAWBACK_REQUIRES_APPROVAL, ClaimStatus.CLAWBACK_REQUESTED),
        (ClaimStatus.CLAWBACK_REQUESTED, ClaimStatus.CLAWBACK_IN_PROGRESS),
        (ClaimStatus.CLAWBACK_IN_PROGRESS, ClaimStatus.CLAWBACK_COMPLETE),
    ]
    assert all(change in TRANSITIONS for change in clawback_path)
    assert not any(releases_hours(*change) for change in clawback_path)
    # and a clawback holds hours and pence only: nothing in it names an allowance
    assert "allowance" not in " ".join(MentorClawback.model_fields)
