"""Teaching Record requests within the rate limit (ADR 0037, ADR 0044): `shared.usecases.teaching_record_places`
with an in-memory counter for DynamoDB's and a fake client for the Teaching Record, so the waits, retries and the
workers' sharing of a second's places are seen exactly. The real counters and the fake Teaching Record on
loopback are tests/integration/test_validation_lookups.py."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest

from infrastructure.local.template import load_template
from shared.claims import teaching_record_lookups as lookups
from shared.claims.mentor_names import PER_SECOND, RETRY_ATTEMPTS
from shared.integrations.teaching_record import TeacherRecord, TeachingRecordRateLimited, TeachingRecordUnavailable
from shared.usecases.teaching_record_places import CheckLater, look_up, look_up_all, take_place
from tests.support import ROOT

START = dt.datetime(2026, 12, 6, 3, 0, tzinfo=dt.UTC)  # on a second's start


class Places:
    """The counters: `take` as `RateLimits.take` does it (one more while below the limit), under a lock."""

    def __init__(self, before_take: Callable[[], None] = lambda: None) -> None:
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.before_take = before_take

    def take(self, key: str, limit: int, expires_at: dt.datetime) -> int | None:
        self.before_take()
        with self.lock:
            if self.hits[key] >= limit:
                return None
            self.hits[key] += 1
            return self.hits[key]


class Full(Places):
    def take(self, key: str, limit: int, expires_at: dt.datetime) -> int | None:
        return None


class FakeClock:
    """Time that moves only when someone sleeps (or `advance`s it); safe to share between threads."""

    def __init__(self) -> None:
        self.at, self.lock, self.slept = START, threading.Lock(), list[float]()

    def now(self) -> dt.datetime:
        with self.lock:
            return self.at

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        with self.lock:
            self.slept.append(seconds)

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.at += dt.timedelta(seconds=seconds)


def _record(trn: str) -> TeacherRecord:
    return TeacherRecord(trn=trn, first_name="Sam", last_name="Mentor")


# -- one request, one place ------------------------------------------------------------------------------------------
def test_a_429_is_waited_out_and_its_retry_takes_a_place_of_its_own() -> None:
    # Given a Teaching Record that answers 429 "Retry-After: 2" once, then the teacher
    clock, places, limited = FakeClock(), Places(), [TeachingRecordRateLimited(2.0)]

    def find(trn: str) -> TeacherRecord | None:
        if limited:
            raise limited.pop()
        return _record(trn)

    # When it is asked / Then the answer is the teacher's, after waiting 2 s, and both requests took a place
    assert look_up("1000001", clock.now, clock.sleep, places=places, find=find) == _record("1000001")
    assert clock.slept == [2.0]
    assert sum(places.hits.values()) == 2


def test_429s_to_the_last_attempt_are_check_later_never_not_found() -> None:
    clock, places = FakeClock(), Places()

    def find(trn: str) -> TeacherRecord | None:
        raise TeachingRecordRateLimited(None)

    with pytest.raises(CheckLater):
        look_up("1000001", clock.now, clock.sleep, places=places, find=find)
    assert sum(places.hits.values()) == RETRY_ATTEMPTS
    assert clock.slept == [1.0, 2.0, 3.0]  # no Retry-After: 1, 2, 3 s


@pytest.mark.parametrize(
    ("retry_unavailable", "asked", "slept"), [(False, 1, []), (True, lookups.UNAVAILABLE_ATTEMPTS, [1.0, 2.0])]
)
def test_a_teaching_record_that_does_not_answer_is_asked_again_only_when_the_caller_says(
    retry_unavailable: bool, asked: int, slept: list[float]
) -> None:
    # Given a Teaching Record that never answers
    clock, places, calls = FakeClock(), Places(), []

    def find(trn: str) -> TeacherRecord | None:
        calls.append(trn)
        raise TeachingRecordUnavailable("status 503")

    # When the names refresh (no retry: its queue delivers again) or the checks (retry) ask / Then CheckLater
    with pytest.raises(CheckLater):
        look_up("1000001", clock.now, clock.sleep, places=places, find=find, retry_unavailable=retry_unavailable)
    assert len(calls) == asked
    assert clock.slept == slept


def test_no_wait_goes_past_until() -> None:
    # Given every second's places already taken by others
    clock, places = FakeClock(), Full()
    until = START + dt.timedelta(seconds=3.5)
    # When a place is waited for until 3.5 s from now / Then it waits for 3 seconds' counters and gives up
    with pytest.raises(CheckLater):
        take_place(clock.now, clock.sleep, until=until, places=places)
    assert clock.now() <= until
    assert clock.slept == [1.0, 1.0, 1.0]


def test_a_retry_after_past_until_is_check_later_at_once() -> None:
    clock, places = FakeClock(), Places()

    def find(trn: str) -> TeacherRecord | None:
        raise TeachingRecordRateLimited(5.0)

    with pytest.raises(CheckLater):
        look_up("1000001", clock.now, clock.sleep, until=START + dt.timedelta(seconds=4), places=places, find=find)
    assert clock.slept == []


def test_a_place_whose_second_ended_while_it_was_taken_is_taken_again() -> None:
    # Given a counter write so slow (the first time) that the second ends while it is made
    clock = FakeClock()
    clock.advance(0.9)
    slow = iter([0.3])
    places = Places(before_take=lambda: clock.advance(next(slow, 0.0)))
    # When a place is taken / Then the first (of a second gone) is of no use: the request has one in its own second
    take_place(clock.now, clock.sleep, places=places)
    second = int(START.timestamp())
    assert places.hits == Counter({f"trs#{second}": 1, f"trs#{second + 1}": 1})


# -- a page's TRNs, in parallel ----------------------------------------------------------------------------------------
def test_a_pages_trns_are_asked_at_once_within_the_seconds_places() -> None:
    # Given 10 TRNs, a Teaching Record answering in 50 ms and the real clock (from a second's start)
    places, lock, sent, in_flight, most = Places(), threading.Lock(), list[float](), [0], [0]

    def find(trn: str) -> TeacherRecord | None:
        with lock:
            sent.append(time.time())
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.05)
        with lock:
            in_flight[0] -= 1
        return _record(trn) if trn.endswith(("0", "2", "4")) else None

    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    trns = [f"100000{n}" for n in range(10)]
    time.sleep(1 - time.time() % 1 + 0.01)
    # When they are looked up
    answers = look_up_all(trns, clock, time.sleep, until=clock() + dt.timedelta(seconds=30), places=places, find=find)
    # Then 4 were in flight at once, no second held more than 4, and each answer is the TRN's own
    assert most[0] == PER_SECOND
    assert max(Counter(int(at) for at in sent).values()) == PER_SECOND
    assert sorted(places.hits.values()) == [2, 4, 4]
    assert answers == {trn: _record(trn) if trn.endswith(("0", "2", "4")) else None for trn in trns}


def test_one_trn_that_cannot_be_answered_is_check_later_for_the_whole_page() -> None:
    clock, places = FakeClock(), Places()

    def find(trn: str) -> TeacherRecord | None:
        if trn == "1000003":
            raise TeachingRecordUnavailable("no response")
        return _record(trn)

    with pytest.raises(CheckLater):
        look_up_all(
            [f"100000{n}" for n in range(8)],
            clock.now,
            clock.sleep,
            until=START + dt.timedelta(seconds=60),
            places=places,
            find=find,
        )


def test_no_trns_ask_nothing() -> None:
    assert look_up_all([], FakeClock().now, time.sleep, until=START) == {}


# -- a page's time -----------------------------------------------------------------------------------------------------
def test_a_pages_lookups_end_well_inside_the_functions_timeout() -> None:
    # Given ValidateClaimsFunction's timeout in template.yaml
    function = load_template(ROOT / "template.yaml")["Resources"]["ValidateClaimsFunction"]["Properties"]
    assert function["Timeout"] == lookups.PAGE_TIMEOUT_SECONDS
    # Then the slowest lookups leave the page's reads and writes (seconds on DynamoDB) at least a minute
    assert lookups.slowest_page_lookup_seconds() + 60 <= lookups.PAGE_TIMEOUT_SECONDS
    assert lookups.WORKERS == PER_SECOND
