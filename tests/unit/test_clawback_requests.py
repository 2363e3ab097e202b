"""The rules of asking for a claim's clawback and of deciding it: what support may lower, the £0 refusal, who
may decide, the rejection's reason."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.audit_answers import ClawbackRequest, MentorClawback
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.clawback_requests import (
    LOWERED_REASON_TOO_LONG,
    NOTHING_TO_CLAW_BACK,
    REJECTION_MISSING,
    REJECTION_TOO_LONG,
    NothingToClawBack,
    OwnClawback,
    can_request,
    check_can_decide,
    check_lowering,
    check_total,
    read_rejection,
    with_lowerings,
)
from shared.claims.statuses import ClaimStatus

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
DEFAULT = MentorClawback(trn="1", hours_claimed=6, hours_completed=2, hours_clawed_back=4, hourly_rate_pence=4380)


def _claim(status: ClaimStatus, requested_by: str | None = None) -> Claim:
    clawback = (
        ClawbackRequest(mentors=(DEFAULT,), requested_by=requested_by, requested_by_name="C", requested_at=NOW)
        if requested_by
        else None
    )
    return Claim(
        reference="12345678",
        school_id="1",
        school_name="S",
        provider_code="N97",
        provider_name="P",
        window_id="w",
        academic_year=AcademicYear(2026),
        status=status,
        mentors=(ClaimMentor(trn="1", first_name="A", last_name="L", hours=6, training_type=TrainingType.INITIAL),),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=6 * 4380,
        created_at=NOW,
        clawback=clawback,
    )


def test_the_hours_not_completed_need_no_reason() -> None:
    checked = check_lowering(DEFAULT, "4", "")
    assert checked.errors == {}
    assert checked.clawback is not None
    assert not checked.clawback.lowered


def test_fewer_hours_need_a_reason_and_are_kept_with_it() -> None:
    assert check_lowering(DEFAULT, "3", " ").errors == {"reason": "Enter why fewer hours are clawed back"}
    checked = check_lowering(DEFAULT, "0", " Records found ")
    assert checked.clawback is not None
    assert (checked.clawback.hours_clawed_back, checked.clawback.lowered_reason) == (0, "Records found")


@pytest.mark.parametrize(
    ("hours", "error"),
    [
        ("5", "Hours to claw back must be between 0 and 4"),
        ("²", "Hours to claw back must be a whole number"),
        ("٣", "Hours to claw back must be a whole number"),
        ("1.5", "Hours to claw back must be a whole number"),
        ("", "Enter the number of hours to claw back"),
    ],
)
def test_hours_must_be_a_whole_number_up_to_the_hours_not_completed(hours: str, error: str) -> None:
    checked = check_lowering(DEFAULT, hours, "why")
    assert checked.errors == {"hours": error}
    assert checked.clawback is None


def test_a_reason_has_a_limit_counting_a_browsers_line_end_as_one() -> None:
    assert check_lowering(DEFAULT, "1", "a\r\n" * 249 + "ab").errors == {}  # 749 sent, 500 as typed
    assert check_lowering(DEFAULT, "1", "a" * 501).errors == {"reason": LOWERED_REASON_TOO_LONG}


def test_lowerings_apply_only_below_the_hours_not_completed() -> None:
    other = DEFAULT.model_copy(update={"trn": "2"})
    chosen = with_lowerings([DEFAULT, other], {"1": 1, "2": 9}, {"1": "why", "2": "no"})
    assert [(c.hours_clawed_back, c.lowered_reason) for c in chosen] == [(1, "why"), (4, "")]


def test_a_clawback_of_nothing_is_refused() -> None:
    assert check_total([DEFAULT], "1") == 4 * 4380
    with pytest.raises(NothingToClawBack):
        check_total([DEFAULT.model_copy(update={"hours_clawed_back": 0})], "1")
    assert NOTHING_TO_CLAW_BACK == "The clawback must be more than £0: approve the claim instead"


def test_who_may_decide_a_clawback() -> None:
    waiting = _claim(ClaimStatus.CLAWBACK_REQUIRES_APPROVAL, requested_by="colin")
    assert check_can_decide(waiting, "sam")
    with pytest.raises(OwnClawback):
        check_can_decide(waiting, "colin")
    assert not check_can_decide(_claim(ClaimStatus.CLAWBACK_REQUESTED, requested_by="colin"), "sam")


def test_a_clawback_is_requested_only_after_claw_back_or_a_rejected_clawback() -> None:
    # (without the provider's answers nothing can be worked out)
    assert not can_request(_claim(ClaimStatus.SAMPLING_NOT_APPROVED))
    assert not can_request(_claim(ClaimStatus.PAID))


def test_a_rejection_needs_a_reason_of_at_most_two_thousand_characters() -> None:
    assert read_rejection("  ") == ("", REJECTION_MISSING)
    assert read_rejection("x" * 2001)[1] == REJECTION_TOO_LONG
    assert read_rejection(" Too much \r\n") == ("Too much", None)
