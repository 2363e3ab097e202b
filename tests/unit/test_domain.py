"""Pure domain rules: academic years, windows and countdowns, regions, statuses, money, CSV cells."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.academic_years import LONDON, AcademicYear
from shared.claims.errors import InvalidTransition
from shared.claims.files import PAYMENT_FILE_HEADERS, csv_lines, safe_cell
from shared.claims.money import format_csv_amount, format_pounds
from shared.claims.regions import FRINGE_CODES, INNER_LONDON_CODES, OUTER_LONDON_CODES, Region, region_for_district
from shared.claims.statuses import DISPLAY, TRANSITIONS, ClaimStatus, releases_hours, transition
from shared.claims.windows import ClaimWindow, Countdown, countdown, current_window


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (dt.date(2026, 8, 31), "2025 to 2026"),
        (dt.date(2026, 9, 1), "2026 to 2027"),
        (dt.date(2027, 1, 1), "2026 to 2027"),
    ],
)
def test_academic_year_runs_september_to_august(day: dt.date, name: str) -> None:
    assert AcademicYear.for_date(day).name == name
    assert AcademicYear.parse(name) == AcademicYear.for_date(day)


def test_academic_year_names_must_be_consecutive() -> None:
    with pytest.raises(ValueError, match="not an academic year"):
        AcademicYear.parse("2026 to 2028")


def _window(opens: dt.date, closes: dt.date) -> ClaimWindow:
    return ClaimWindow(window_id="w", academic_year=AcademicYear(2026), opens_on=opens, closes_on=closes)


def test_window_closes_at_one_second_to_midnight_in_london_even_in_summer() -> None:
    window = _window(dt.date(2026, 5, 1), dt.date(2026, 7, 19))
    # 23:59:59 BST is 22:59:59 UTC
    assert window.is_open(dt.datetime(2026, 7, 19, 22, 59, 59, tzinfo=dt.UTC))
    assert not window.is_open(dt.datetime(2026, 7, 19, 23, 0, 0, tzinfo=dt.UTC))
    assert not window.is_open(dt.datetime(2026, 4, 30, 22, 59, tzinfo=dt.UTC))  # 23:59 on 30 April in London
    assert window.is_open(dt.datetime(2026, 4, 30, 23, 0, tzinfo=dt.UTC))  # midnight on 1 May in London


def test_a_closed_window_is_not_open_before_its_close_date() -> None:
    window = _window(dt.date(2026, 11, 1), dt.date(2027, 1, 12)).model_copy(
        update={"closed_at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC)}
    )
    assert not window.is_open(dt.datetime(2026, 12, 2, tzinfo=dt.UTC))


def test_countdown_shows_from_30_days_before_close() -> None:
    window = _window(dt.date(2026, 11, 1), dt.date(2027, 1, 12))
    assert countdown(window, dt.datetime(2026, 12, 12, 12, tzinfo=LONDON)) is None  # 31 days left
    shown = countdown(window, dt.datetime(2026, 12, 13, 12, tzinfo=LONDON))
    assert shown is not None
    assert shown.text == "There are 30 days remaining"
    assert countdown(window, dt.datetime(2027, 1, 11, 9, tzinfo=LONDON)).text == "There is 1 day remaining"


def test_countdown_on_the_last_day_is_in_hours_and_minutes() -> None:
    window = _window(dt.date(2026, 11, 1), dt.date(2027, 1, 12))
    assert (
        countdown(window, dt.datetime(2027, 1, 12, 20, 15, 30, tzinfo=LONDON)).text
        == "There are 3 hours and 44 minutes remaining"
    )
    assert (
        countdown(window, dt.datetime(2027, 1, 12, 22, 58, 0, tzinfo=LONDON)).text
        == "There are 1 hour and 1 minute remaining"
    )


def test_current_window_and_overlap() -> None:
    autumn = _window(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    spring = ClaimWindow(
        window_id="s", academic_year=AcademicYear(2026), opens_on=dt.date(2026, 10, 31), closes_on=dt.date(2027, 3, 1)
    )
    assert autumn.overlaps(spring)
    assert spring.overlaps(autumn)
    assert current_window([autumn, spring], dt.datetime(2026, 12, 1, tzinfo=dt.UTC)) == spring
    assert current_window([autumn], dt.datetime(2026, 12, 1, tzinfo=dt.UTC)) is None


def test_regions_from_district_codes() -> None:
    assert (len(INNER_LONDON_CODES), len(OUTER_LONDON_CODES), len(FRINGE_CODES)) == (19, 14, 33)
    assert region_for_district("E09000002") is Region.INNER_LONDON  # Barking and Dagenham: DfE pay area, not ONS
    assert region_for_district("E09000003") is Region.OUTER_LONDON
    assert region_for_district("E06000060") is Region.FRINGE  # Buckinghamshire
    assert region_for_district("E07000004") is Region.REST_OF_ENGLAND  # Aylesbury Vale is not in the list
    assert region_for_district(None) is Region.REST_OF_ENGLAND


def test_every_status_has_a_label_and_transitions_only_between_known_statuses() -> None:
    assert set(DISPLAY) == set(ClaimStatus)
    assert DISPLAY[ClaimStatus.PAYMENT_IN_PROGRESS].label == "Payer payment review"
    assert all(a in ClaimStatus and b in ClaimStatus for a, b in TRANSITIONS)


def test_transitions_are_refused_unless_in_the_table() -> None:
    assert transition(ClaimStatus.SUBMITTED, ClaimStatus.WITHDRAWN) == "withdrawn_by_school"
    with pytest.raises(InvalidTransition):
        transition(ClaimStatus.PAID, ClaimStatus.SUBMITTED)
    with pytest.raises(InvalidTransition):
        transition(ClaimStatus.WITHDRAWN, ClaimStatus.SUBMITTED)


def test_hours_are_released_only_when_leaving_a_counting_status() -> None:
    assert releases_hours(ClaimStatus.SUBMITTED, ClaimStatus.WITHDRAWN)
    assert releases_hours(ClaimStatus.SUPPORT_REVIEW, ClaimStatus.REJECTED)
    assert releases_hours(ClaimStatus.PAYMENT_INFORMATION_SENT, ClaimStatus.PAYMENT_NOT_APPROVED)
    assert not releases_hours(ClaimStatus.SUBMITTED, ClaimStatus.PAYMENT_IN_PROGRESS)
    assert not releases_hours(ClaimStatus.DRAFT, ClaimStatus.EXPIRED)  # a draft never held hours


def test_money_formats() -> None:
    assert format_pounds(87600) == "£876.00"
    assert format_pounds(107200) == "£1,072.00"
    assert format_pounds(5) == "£0.05"
    assert format_csv_amount(107200) == "1072.00"
    assert format_csv_amount(-4380) == "-43.80"


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1", "-1+1", "-A1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value: str) -> None:
    assert safe_cell(value) == "'" + value


def test_csv_lines_stream_with_crlf_and_quoting() -> None:
    lines = list(csv_lines(PAYMENT_FILE_HEADERS[:2], [("12345678", "Smith, Jones & Co")]))
    assert lines == [b"claim_reference,school_urn\r\n", b'12345678,"Smith, Jones & Co"\r\n']


# -- the edges the mutation run found untested (docs/mutation.md) ---------------------------------------------------
def test_a_refused_transition_says_from_which_status_to_which() -> None:
    # When a paid claim is moved back to submitted
    with pytest.raises(InvalidTransition) as raised:
        transition(ClaimStatus.PAID, ClaimStatus.SUBMITTED)
    # Then the error names both statuses, in its message and its attributes
    assert str(raised.value) == "paid -> submitted"
    assert (raised.value.from_status, raised.value.to_status) == (ClaimStatus.PAID, ClaimStatus.SUBMITTED)


def test_zero_is_formatted_without_a_sign() -> None:
    # Given a claim worth nothing / Then neither format puts a minus in front of it
    assert format_pounds(0) == "£0.00"
    assert format_csv_amount(0) == "0.00"


def test_negative_amounts_such_as_clawbacks_carry_a_minus_before_the_pound_sign() -> None:
    # Given clawback amounts, which are negative / Then the minus comes first, once
    assert format_pounds(-4380) == "-£43.80"
    assert format_pounds(-107200) == "-£1,072.00"
    assert format_pounds(-1) == "-£0.01"
    assert format_csv_amount(-1) == "-0.01"
    # And a penny either side of zero keeps its own sign
    assert format_pounds(1) == "£0.01"
    assert format_csv_amount(1) == "0.01"


def test_an_empty_cell_stays_empty() -> None:
    # Given a cell with no value / Then the CSV has nothing in it (not "None")
    assert safe_cell(None) == ""
    assert list(csv_lines(("a", "b"), [(None, "x")]))[1] == b",x\r\n"


def test_windows_that_do_not_share_a_day_do_not_overlap() -> None:
    # Given two windows a day apart
    autumn = _window(dt.date(2026, 9, 1), dt.date(2026, 10, 30))
    spring = _window(dt.date(2026, 10, 31), dt.date(2027, 3, 1))
    # Then neither overlaps the other
    assert not autumn.overlaps(spring)
    assert not spring.overlaps(autumn)


def test_a_countdown_of_days_has_no_hours_or_minutes() -> None:
    # Given a window closing in 5 days, asked at 10:17
    window = _window(dt.date(2026, 11, 1), dt.date(2027, 1, 12))
    # Then the countdown is the days alone
    assert countdown(window, dt.datetime(2027, 1, 7, 10, 17, tzinfo=LONDON)) == Countdown(days=5, hours=0, minutes=0)


def test_an_hour_to_go_on_the_last_day_is_one_hour_and_no_minutes() -> None:
    # Given the last day, one hour before 23:59:59
    window = _window(dt.date(2026, 11, 1), dt.date(2027, 1, 12))
    shown = countdown(window, dt.datetime(2027, 1, 12, 22, 59, 59, tzinfo=LONDON))
    # Then it is exactly 1 hour and 0 minutes
    assert shown == Countdown(days=0, hours=1, minutes=0)
    assert shown.text == "There are 1 hour and 0 minutes remaining"


@pytest.mark.usefixtures("machine_in_new_york")
def test_the_countdown_counts_days_in_england_whatever_the_machine_s_time_zone() -> None:
    # Given a summer window closing on 19 July, and 23:30 UTC on 18 July (00:30 on the 19th in London)
    window = _window(dt.date(2026, 5, 1), dt.date(2026, 7, 19))
    shown = countdown(window, dt.datetime(2026, 7, 18, 23, 30, tzinfo=dt.UTC))
    # Then in England it is already the last day: 23 hours and 29 minutes left
    assert shown == Countdown(days=0, hours=23, minutes=29)
