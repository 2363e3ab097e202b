"""Claim window rules: order, overlap, academic-year fit, status, ids and the run input."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.academic_years import LONDON, AcademicYear
from shared.claims.window_rules import (
    CLOSE_BEFORE_OPEN,
    CLOSES_WITHIN_ANOTHER,
    CONTAINS_CLAIMS,
    HAS_CLOSED,
    OPENS_WITHIN_ANOTHER,
    SELECT_ACADEMIC_YEAR,
    WindowStatus,
    academic_year_choices,
    can_change,
    can_close_now,
    check_window,
    fitting_years,
    next_window_id,
    parse_academic_year,
    removal_refusal,
    status_of,
)
from shared.claims.windows import ClaimWindow

D = dt.date
AY_2026 = AcademicYear(2026)
# An existing window: 1 May to 19 July 2027, for 2026 to 2027
EXISTING = ClaimWindow(
    window_id="window-2026-to-2027-1", academic_year=AY_2026, opens_on=D(2027, 5, 1), closes_on=D(2027, 7, 19)
)


def _at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=LONDON)


def test_a_window_that_fits_has_no_problems() -> None:
    assert check_window(D(2027, 9, 1), D(2027, 10, 31), AcademicYear(2027), [EXISTING]) == {}


def test_the_close_date_must_be_after_the_open_date() -> None:
    # Given a window that closes before, or on the day, it opens
    for closes in (D(2027, 8, 1), D(2027, 8, 2)):
        # Then the close date is wrong
        assert check_window(D(2027, 8, 2), closes, AcademicYear(2026), [])["closes_on"] == CLOSE_BEFORE_OPEN


@pytest.mark.parametrize(
    ("opens", "closes", "expected"),
    [
        (D(2027, 4, 1), D(2027, 5, 1), {"closes_on": CLOSES_WITHIN_ANOTHER}),  # closes on the other's first day
        (D(2027, 7, 19), D(2027, 8, 20), {"opens_on": OPENS_WITHIN_ANOTHER}),  # opens on the other's last day
        (D(2027, 5, 10), D(2027, 6, 1), {"opens_on": OPENS_WITHIN_ANOTHER, "closes_on": CLOSES_WITHIN_ANOTHER}),
    ],
)
def test_dates_within_another_window_are_refused(opens: dt.date, closes: dt.date, expected: dict[str, str]) -> None:
    assert check_window(opens, closes, AY_2026, [EXISTING]) == expected


def test_a_window_around_another_is_refused() -> None:
    problems = check_window(D(2027, 4, 1), D(2027, 8, 1), AY_2026, [EXISTING])
    assert problems == {
        "opens_on": "Select dates that do not include an existing claim window (1 May 2027 to 19 July 2027)"
    }


def test_a_window_being_changed_does_not_overlap_itself() -> None:
    assert check_window(D(2027, 5, 2), D(2027, 7, 20), AY_2026, [EXISTING], window_id=EXISTING.window_id) == {}


def test_the_academic_year_is_required() -> None:
    assert check_window(D(2027, 9, 1), D(2027, 10, 1), None, []) == {"academic_year": SELECT_ACADEMIC_YEAR}


def test_a_window_is_for_the_year_of_its_dates_or_the_one_before() -> None:
    # Given a September window (1 September to 31 October 2027)
    opens, closes = D(2027, 9, 1), D(2027, 10, 31)
    # Then it may be for 2027 to 2028 or, paying the previous year late, 2026 to 2027
    assert fitting_years(opens, closes) == (AcademicYear(2026), AcademicYear(2027))
    assert check_window(opens, closes, AcademicYear(2026), []) == {}
    assert check_window(opens, closes, AcademicYear(2027), []) == {}
    # But not for 2025 to 2026 or 2028 to 2029
    message = "Select an academic year that starts between 1 September 2026 and 1 September 2027"
    assert check_window(opens, closes, AcademicYear(2025), []) == {"academic_year": message}
    assert check_window(opens, closes, AcademicYear(2028), []) == {"academic_year": message}


def test_a_window_with_claims_keeps_its_academic_year() -> None:
    problems = check_window(D(2027, 5, 1), D(2027, 7, 19), AcademicYear(2025), [], locked_year=AY_2026)
    assert problems == {
        "academic_year": "Select 2026 to 2027, because this claim window contains claims for that academic year"
    }


def test_the_form_offers_the_previous_current_and_next_years() -> None:
    assert academic_year_choices(D(2026, 11, 28)) == [AcademicYear(2025), AcademicYear(2026), AcademicYear(2027)]
    # And a changed window's own year, when it is older
    assert AcademicYear(2023) in academic_year_choices(D(2026, 11, 28), AcademicYear(2023))


def test_only_an_offered_year_is_accepted() -> None:
    choices = academic_year_choices(D(2026, 11, 28))
    assert parse_academic_year("2026", choices) == AY_2026
    for value in ("", "2019", "2026 to 2027", "<script>"):
        assert parse_academic_year(value, choices) is None


def test_status_follows_the_london_clock_and_the_workflow() -> None:
    # Upcoming until midnight on the open date, open until 23:59:59 on the close date (BST in July)
    assert status_of(EXISTING, _at(D(2027, 4, 30), 23, 59, 59)) is WindowStatus.UPCOMING
    assert status_of(EXISTING, _at(D(2027, 5, 1), 0)) is WindowStatus.OPEN
    assert status_of(EXISTING, _at(D(2027, 7, 19), 23, 59, 59)) is WindowStatus.OPEN
    assert status_of(EXISTING, _at(D(2027, 7, 20), 0)) is WindowStatus.CLOSED
    # 23:30 UTC on the close date is already 00:30 the next day in London
    assert status_of(EXISTING, dt.datetime(2027, 7, 19, 23, 30, tzinfo=dt.UTC)) is WindowStatus.CLOSED
    # And a window the workflow has closed is closed, whatever its dates
    closed = EXISTING.model_copy(update={"closed_at": _at(D(2027, 6, 1), 9)})
    assert status_of(closed, _at(D(2027, 6, 1), 10)) is WindowStatus.CLOSED
    assert WindowStatus.OPEN.label == "Open"


def test_what_support_may_do_with_a_window() -> None:
    open_now = _at(D(2027, 6, 1), 10)
    closed = EXISTING.model_copy(update={"closed_at": open_now})
    assert can_change(EXISTING, open_now)
    assert not can_change(closed, open_now)
    assert not can_change(EXISTING, _at(D(2027, 7, 20), 9))
    # Removal: refused with claims, or once closed
    assert removal_refusal(EXISTING, open_now, has_claims=False) is None
    assert removal_refusal(EXISTING, open_now, has_claims=True) == CONTAINS_CLAIMS
    assert removal_refusal(closed, open_now, has_claims=False) == HAS_CLOSED
    # Close now: once open, until the workflow has closed it (also when its schedule is late)
    assert not can_close_now(EXISTING, _at(D(2027, 4, 1), 9))
    assert can_close_now(EXISTING, open_now)
    assert can_close_now(EXISTING, _at(D(2027, 7, 21), 9))
    assert not can_close_now(closed, open_now)


def test_window_ids_count_up_per_academic_year() -> None:
    assert next_window_id(AY_2026, []) == "window-2026-to-2027-1"
    existing = ["window-2026-to-2027-1", "window-2026-to-2027-3", "window-2025-to-2026-7", "w1"]
    assert next_window_id(AY_2026, existing) == "window-2026-to-2027-4"


def test_drafts_go_to_the_next_window_of_the_same_academic_year() -> None:
    from shared.claims.window_rules import window_for_drafts

    year, next_year = AcademicYear(2026), AcademicYear(2027)
    closing = ClaimWindow(
        window_id="a", academic_year=year, opens_on=dt.date(2026, 9, 1), closes_on=dt.date(2026, 11, 30)
    )
    later = ClaimWindow(window_id="c", academic_year=year, opens_on=dt.date(2027, 5, 1), closes_on=dt.date(2027, 6, 30))
    sooner = ClaimWindow(window_id="b", academic_year=year, opens_on=dt.date(2027, 1, 1), closes_on=dt.date(2027, 2, 1))
    other_year = ClaimWindow(
        window_id="d", academic_year=next_year, opens_on=dt.date(2026, 12, 1), closes_on=dt.date(2026, 12, 20)
    )
    assert window_for_drafts(closing, [closing, later, other_year, sooner]) == sooner
    assert window_for_drafts(later, [closing, later, other_year, sooner]) is None


# -- the edges the mutation run found untested (docs/mutation.md) ---------------------------------------------------
def test_a_window_can_be_closed_from_the_instant_it_opens() -> None:
    # Given the window's opening instant, midnight in London, and the second before it
    opens = _at(D(2027, 5, 1), 0)
    # Then support may close it from that instant, and not a second earlier
    assert can_close_now(EXISTING, opens)
    assert not can_close_now(EXISTING, opens - dt.timedelta(seconds=1))


def test_a_window_that_cannot_be_changed_says_why() -> None:
    from shared.claims.window_rules import WindowNotChangeable

    # When a closed window is refused
    error = WindowNotChangeable(HAS_CLOSED)
    # Then the reason is both the error's message and its reason
    assert str(error) == HAS_CLOSED
    assert error.reason == HAS_CLOSED


def test_when_the_open_date_was_wrong_only_the_close_date_is_checked() -> None:
    # Given an open date the date parser already refused, and a close date clear of every window
    problems = check_window(None, D(2027, 8, 20), AY_2026, [EXISTING])
    # Then there is no further problem: neither the dates' order, nor a window inside them, nor the year
    assert problems == {}


def test_when_the_close_date_was_wrong_only_the_open_date_is_checked() -> None:
    # Given a close date the date parser already refused, and an open date before an existing window
    problems = check_window(D(2027, 4, 1), None, AY_2026, [EXISTING])
    # Then there is no further problem either
    assert problems == {}


def test_dates_in_the_wrong_order_are_not_also_checked_against_the_academic_year() -> None:
    # Given a window that closes the day it opens, for a year its dates could never be for
    problems = check_window(D(2027, 9, 1), D(2027, 9, 1), AcademicYear(2020), [])
    # Then only the order of the dates is wrong: the year is checked once the dates are right
    assert problems == {"closes_on": CLOSE_BEFORE_OPEN}


def test_a_window_opening_the_day_another_closes_does_not_take_its_drafts() -> None:
    from shared.claims.window_rules import window_for_drafts

    # Given a closing window and another of the same year that opens on its close date, and a later one
    year = AcademicYear(2026)
    closing = ClaimWindow(window_id="a", academic_year=year, opens_on=D(2026, 9, 1), closes_on=D(2026, 11, 30))
    same_day = ClaimWindow(window_id="b", academic_year=year, opens_on=D(2026, 11, 30), closes_on=D(2026, 12, 20))
    later = ClaimWindow(window_id="c", academic_year=year, opens_on=D(2027, 1, 4), closes_on=D(2027, 2, 1))
    # Then the drafts go to a window that opens after the close date
    assert window_for_drafts(closing, [closing, same_day, later]) == later
