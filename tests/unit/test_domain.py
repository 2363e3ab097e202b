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
from shared.claims.windows import ClaimWindow, countdown, current_window


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


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value: str) -> None:
    assert safe_cell(value) == "'" + value


def test_csv_lines_stream_with_crlf_and_quoting() -> None:
    lines = list(csv_lines(PAYMENT_FILE_HEADERS[:2], [("12345678", "Smith, Jones & Co")]))
    assert lines == [b"claim_reference,school_urn\r\n", b'12345678,"Smith, Jones & Co"\r\n']
