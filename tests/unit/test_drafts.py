"""Drafts DfE support prepares (ADR 0022): the pure rules (how the school sees one, when it can be submitted,
its email) and the support journey's steps and school question."""

from __future__ import annotations

import datetime as dt

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.drafts import (
    PREPARED_BY_SUPPORT_LABEL,
    can_submit_draft,
    closes_text,
    draft_prepared_email,
    school_status_text,
)
from shared.claims.emails import SUPPORT_EMAIL
from shared.claims.statuses import ClaimStatus
from shared.claims.windows import ClaimWindow
from shared.journeys.add_claim import (
    DRAFT_FLOW,
    FLOW,
    Answers,
    DraftAnswers,
    SchoolChosen,
    SchoolSearch,
    StepName,
    at,
    parse_school,
    parse_school_option,
)
from shared.journeys.forms import Errors

WINDOW = ClaimWindow(
    window_id="window-2026-11-08-to-2027-01-12-1",
    academic_year=AcademicYear(2026),
    opens_on=dt.date(2026, 11, 8),
    closes_on=dt.date(2027, 1, 12),
)
NOW = dt.datetime(2026, 11, 28, 10, 30, tzinfo=dt.UTC)


def _draft(**changes: object) -> Claim:
    claim = Claim(
        reference="12345678",
        school_id="108125",
        school_name="Meadowbank Primary School",
        provider_code="B68",
        provider_name="University of Leeds",
        window_id=WINDOW.window_id,
        academic_year=AcademicYear(2026),
        status=ClaimStatus.DRAFT,
        mentors=(
            ClaimMentor(
                trn="1000001", first_name="Emily", last_name="Carter", hours=6, training_type=TrainingType.INITIAL
            ),
        ),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=6 * 4380,
        created_at=NOW,
        prepared_by="user-colin-chapman",
    )
    return claim.model_copy(update=changes)


# -- the rules -------------------------------------------------------------------------------------------
def test_the_school_sees_who_prepared_a_draft() -> None:
    assert school_status_text(_draft()) == PREPARED_BY_SUPPORT_LABEL == "Draft — prepared by DfE support"
    assert school_status_text(_draft(prepared_by=None)) == "Draft"  # a school's own draft
    submitted = _draft(status=ClaimStatus.SUBMITTED)  # once submitted it is the school's claim like any other
    assert school_status_text(submitted) == "Submitted"


def test_a_draft_can_be_submitted_only_while_its_own_window_is_open() -> None:
    assert can_submit_draft(_draft(), WINDOW, NOW)
    assert not can_submit_draft(_draft(), None, NOW)
    assert not can_submit_draft(_draft(), WINDOW, dt.datetime(2027, 1, 13, 0, 0, tzinfo=dt.UTC))
    assert not can_submit_draft(_draft(), WINDOW.model_copy(update={"closed_at": NOW}), NOW)
    assert not can_submit_draft(_draft(window_id="another-window"), WINDOW, NOW)
    assert not can_submit_draft(_draft(status=ClaimStatus.EXPIRED), WINDOW, NOW)
    assert not can_submit_draft(_draft(status=ClaimStatus.SUBMITTED), WINDOW, NOW)


def test_the_email_says_what_to_do_and_by_when() -> None:
    email = draft_prepared_email(
        _draft(school_name="Meadowbank *Primary* School"),
        "anne.wilson@example.org",
        window=WINDOW,
        service_url="https://claim.example.gov.uk/",
    )
    assert email.kind == "draft_prepared_by_support"
    assert email.reference == "12345678"
    assert email.subject == "DfE support has prepared a draft claim for Meadowbank Primary School"
    for expected in (
        "Claim reference: 12345678",
        "Accredited provider: University of Leeds",
        "Number of mentor: 1",
        "Amount: £262.80",
        "* change anything that is not right",
        "* submit the claim before the claim window closes at 11:59pm on 12 January 2027",
        "[View the draft claim](https://claim.example.gov.uk/schools/108125/claims/12345678)",
        SUPPORT_EMAIL,
    ):
        assert expected in email.body, expected
    assert "*Primary*" not in email.body  # names from outside are plain text in Notify markdown
    assert closes_text(WINDOW) == "11:59pm on 12 January 2027"


# -- the support journey ---------------------------------------------------------------------------------
def test_the_support_journey_asks_the_school_first_and_has_no_confirm_step() -> None:
    answers = DraftAnswers()
    assert DRAFT_FLOW.first_missing(answers) == at(StepName.SCHOOL)
    assert not DRAFT_FLOW.reachable(answers, at(StepName.PROVIDER))
    answers.choose_school("108125")
    assert DRAFT_FLOW.next_after(answers) == at(StepName.PROVIDER)
    answers.choose_provider("B68")
    answers.choose_mentors(["1000001"])
    assert DRAFT_FLOW.next_after(answers) == at(StepName.HOURS, "1000001")
    answers.set_hours("1000001", 6)
    assert DRAFT_FLOW.next_after(answers) == at(StepName.CHECK)  # hours are confirmed by the school
    assert DRAFT_FLOW.back_from(answers, at(StepName.PROVIDER)) == at(StepName.SCHOOL)
    assert DRAFT_FLOW.back_from(answers, at(StepName.SCHOOL_OPTIONS)) == at(StepName.SCHOOL)
    assert DRAFT_FLOW.kind != FLOW.kind  # a support user's journey is never opened as a school's


def test_a_new_school_starts_provider_mentors_and_hours_again() -> None:
    answers = DraftAnswers()
    answers.choose_school("108125")
    answers.choose_provider("B68")
    answers.choose_mentors(["1000001"])
    answers.set_hours("1000001", 6)
    answers.seen_check = True
    answers.choose_school("108125")
    assert answers.hours == {"1000001": 6}  # the same school keeps the answers
    answers.choose_school("100001")
    assert (answers.provider_code, answers.mentor_trns, answers.hours, answers.seen_check) == (None, [], {}, False)
    assert DraftAnswers.model_validate(answers.stored()) == answers


def test_a_schools_journey_over_a_draft_starts_filled_in_and_confirms_hours_again() -> None:
    answers = Answers.from_draft("12345678", "B68", {"1000002": 4, "1000001": 6})
    assert (answers.draft_reference, answers.provider_code, answers.mentor_trns) == (
        "12345678",
        "B68",
        ["1000002", "1000001"],
    )
    assert FLOW.first_missing(answers) == at(StepName.CONFIRM)  # then check answers and the declaration
    assert FLOW.reachable(answers, at(StepName.HOURS, "1000001"))
    assert FLOW.back_from(answers, at(StepName.PROVIDER)) == at(StepName.CHECK)


def _refusal(school_id: str) -> str | None:
    return {"999999": "unknown", "107310": "not eligible"}.get(school_id)


def test_the_school_question() -> None:
    assert parse_school({"school_search": [" 108125 "]}, _refusal) == SchoolChosen("108125")
    assert parse_school({"school_search": ["meadowbank"]}, _refusal) == SchoolSearch("meadowbank")
    assert parse_school({"school_search": ["１０８１２５"]}, _refusal) == SchoolSearch("１０８１２５")  # not a URN
    for form, message in (({}, "Enter a school name or URN"), ({"school_search": ["999999"]}, "unknown")):
        errors = parse_school(form, _refusal)
        assert isinstance(errors, Errors)
        assert errors.summary == [{"text": message, "href": "#school-search"}]


def test_the_school_search_results() -> None:
    assert parse_school_option({"school_id": ["108125"]}, _refusal) == SchoolChosen("108125")
    for form, message in (({}, "Select a school"), ({"school_id": ["107310"]}, "not eligible")):
        errors = parse_school_option(form, _refusal)
        assert isinstance(errors, Errors)
        assert errors.summary == [{"text": message, "href": "#school_id"}]
