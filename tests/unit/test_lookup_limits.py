"""Failed mentor lookup limits (ADR 14): the window a moment is in, its key, the limits, and when to try again."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.academic_years import LONDON
from shared.claims.lookup_limits import (
    SCHOOL_LIMIT,
    USER_LIMIT,
    Scope,
    clock_time,
    limits,
    reached,
    reached_by_this_one,
    try_again_after,
    window_end,
    window_key,
    window_start,
)

UTC = dt.UTC


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# -- windows and keys ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "key"),
    [
        (_utc(2026, 12, 2, 14, 0, 0), "mentor-lookup#user#user-1#2026-12-02T14"),
        (_utc(2026, 12, 2, 14, 59, 59), "mentor-lookup#user#user-1#2026-12-02T14"),
        (dt.datetime(2026, 12, 2, 14, 59, 59, 999_999, tzinfo=UTC), "mentor-lookup#user#user-1#2026-12-02T14"),
        (_utc(2026, 12, 2, 15, 0, 0), "mentor-lookup#user#user-1#2026-12-02T15"),
        (_utc(2026, 12, 31, 23, 30), "mentor-lookup#user#user-1#2026-12-31T23"),
        # A London time in summer is keyed by its hour in UTC (15:30 BST is 14:30 UTC)
        (dt.datetime(2026, 7, 1, 15, 30, tzinfo=LONDON), "mentor-lookup#user#user-1#2026-07-01T14"),
    ],
)
def test_a_moment_is_keyed_by_its_clock_hour_in_utc(now: dt.datetime, key: str) -> None:
    assert window_key(Scope.USER, "user-1", now) == key


def test_the_two_hours_of_the_autumn_clock_change_are_two_windows() -> None:
    # 1:30am happens twice in London on 25 October 2026 (BST, then GMT): they are different windows
    first = dt.datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=0)
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1)
    assert window_key(Scope.USER, "u", first) == "mentor-lookup#user#u#2026-10-25T00"
    assert window_key(Scope.USER, "u", second) == "mentor-lookup#user#u#2026-10-25T01"


def test_users_schools_and_windows_have_their_own_counters() -> None:
    now = _utc(2026, 12, 2, 14, 10)
    keys = {
        window_key(Scope.USER, "a", now),
        window_key(Scope.USER, "b", now),
        window_key(Scope.SCHOOL, "a", now),
        window_key(Scope.USER, "a", now + dt.timedelta(hours=1)),
    }
    assert len(keys) == 4
    assert window_key(Scope.SCHOOL, "100001", now) == "mentor-lookup#school#100001#2026-12-02T14"


def test_a_window_is_the_hour_a_moment_is_in() -> None:
    now = _utc(2026, 12, 2, 14, 37, 12)
    assert window_start(now) == _utc(2026, 12, 2, 14)
    assert window_end(now) == _utc(2026, 12, 2, 15)
    assert window_end(_utc(2026, 12, 2, 15)) == _utc(2026, 12, 2, 16)


def test_a_time_without_a_zone_or_a_key_without_an_id_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        window_key(Scope.USER, "u", dt.datetime(2026, 12, 2, 14, 0))
    with pytest.raises(ValueError, match="id"):
        window_key(Scope.SCHOOL, "", _utc(2026, 12, 2, 14))


def test_the_user_and_school_limits_and_when_their_counters_expire() -> None:
    now = _utc(2026, 12, 2, 14, 10)
    user, school = limits("user-1", "100001", now)
    assert (user.scope, user.key, user.limit) == (Scope.USER, "mentor-lookup#user#user-1#2026-12-02T14", 10)
    assert (school.scope, school.key, school.limit) == (Scope.SCHOOL, "mentor-lookup#school#100001#2026-12-02T14", 30)
    for limit in (user, school):
        assert limit.window_ends_at == _utc(2026, 12, 2, 15)
        # kept a day after the window, then DynamoDB TTL removes it
        assert limit.expires_at == _utc(2026, 12, 3, 15)


# -- the limits ------------------------------------------------------------------------------------
def test_ten_failed_lookups_reach_a_users_limit_and_thirty_a_schools() -> None:
    assert (USER_LIMIT, SCHOOL_LIMIT) == (10, 30)
    assert not reached(0, USER_LIMIT)
    assert not reached(9, USER_LIMIT)
    assert reached(10, USER_LIMIT)
    assert reached(11, USER_LIMIT)
    assert not reached(29, SCHOOL_LIMIT)
    assert reached(30, SCHOOL_LIMIT)


def test_only_the_failed_lookup_that_makes_the_count_equal_the_limit_is_the_lockout() -> None:
    assert [count for count in range(1, 13) if reached_by_this_one(count, USER_LIMIT)] == [10]
    assert [count for count in range(1, 40) if reached_by_this_one(count, SCHOOL_LIMIT)] == [30]


# -- try again after -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # winter (GMT): London is UTC
        (_utc(2026, 12, 2, 14, 10), "Try again after 3:00pm"),
        (_utc(2026, 12, 2, 8, 59, 59), "Try again after 9:00am"),
        (_utc(2026, 12, 2, 11, 5), "Try again after midday"),
        (_utc(2026, 12, 2, 23, 15), "Try again after midnight"),
        # summer (BST): London is an hour ahead
        (_utc(2026, 7, 1, 13, 59), "Try again after 3:00pm"),
        (_utc(2026, 7, 1, 10, 15), "Try again after midday"),
        (_utc(2026, 7, 1, 22, 15), "Try again after midnight"),
        (_utc(2026, 7, 1, 23, 15), "Try again after 1:00am"),
        # spring forward, 29 March 2026: 00:30 GMT's window ends at 01:00 UTC, which is 2:00am BST
        (_utc(2026, 3, 29, 0, 30), "Try again after 2:00am"),
        (_utc(2026, 3, 29, 1, 30), "Try again after 3:00am"),
        # fall back, 25 October 2026: the first 1:30am (BST) ends at 01:00 UTC, which is 1:00am GMT
        (_utc(2026, 10, 25, 0, 30), "Try again after 1:00am"),
        (_utc(2026, 10, 25, 1, 30), "Try again after 2:00am"),
        (_utc(2026, 10, 24, 23, 30), "Try again after 1:00am"),  # 00:30 BST, ends 00:00 UTC = 1:00am BST
    ],
)
def test_try_again_after_the_end_of_the_window_in_london_time(now: dt.datetime, expected: str) -> None:
    assert try_again_after(now) == expected


# -- the edges the mutation run found untested (docs/mutation.md) ---------------------------------------------------
class _NoOffset(dt.tzinfo):
    """A time zone that does not know its offset: a time in it is not an instant."""

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta | None:
        return None

    def dst(self, when: dt.datetime | None) -> dt.timedelta | None:
        return None

    def tzname(self, when: dt.datetime | None) -> str | None:
        return None


def test_a_time_whose_zone_has_no_offset_is_refused_in_so_many_words() -> None:
    # Given a time with a zone but no offset, and one with no zone
    for naive in (dt.datetime(2026, 12, 2, 14, 0, tzinfo=_NoOffset()), dt.datetime(2026, 12, 2, 14, 0)):
        # When its window is asked for / Then it is refused, saying what is needed
        with pytest.raises(ValueError, match=r"^an aware instant is needed$"):
            window_start(naive)


def test_a_key_without_an_id_is_refused_in_so_many_words() -> None:
    with pytest.raises(ValueError, match=r"^a user or school id is needed$"):
        window_key(Scope.USER, "", _utc(2026, 12, 2, 14))


def test_a_window_starts_on_the_hour_exactly() -> None:
    # Given a moment with microseconds / Then its window starts at 14:00:00.000000
    assert window_start(_utc(2026, 12, 2, 14, 37, 12) + dt.timedelta(microseconds=999_999)) == _utc(2026, 12, 2, 14)


@pytest.mark.usefixtures("machine_in_new_york")
def test_windows_are_utc_hours_whatever_the_machine_s_time_zone() -> None:
    # Given a machine set to New York time / When a London afternoon is keyed
    now = dt.datetime(2026, 12, 2, 14, 37, tzinfo=LONDON)
    # Then the window is still the UTC hour, in UTC
    assert window_key(Scope.USER, "u", now) == "mentor-lookup#user#u#2026-12-02T14"
    assert window_start(now).utcoffset() == dt.timedelta(0)
    assert window_start(now).tzinfo is UTC


@pytest.mark.parametrize(
    ("at", "text"),
    [
        (_utc(2026, 12, 2, 0, 30), "12:30am"),
        (_utc(2026, 12, 2, 11, 59), "11:59am"),
        (_utc(2026, 12, 2, 12, 30), "12:30pm"),
        (_utc(2026, 12, 2, 13, 5), "1:05pm"),
    ],
)
def test_a_time_of_day_is_written_the_gov_uk_way_on_either_side_of_midnight_and_midday(
    at: dt.datetime, text: str
) -> None:
    # Given a time in winter (London is UTC) / Then it reads as GOV.UK writes times
    assert clock_time(at) == text
