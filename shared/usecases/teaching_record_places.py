"""Requests to the Teaching Record within its rate limit: each first takes a place in the one-second counters.

The weekly names refresh (ADR 0037) and the payment run's checks (ADR 0044) both ask the Teaching Record by TRN
alone, and both take their places in the same counters (`trs#<epoch second>`, at most `PER_SECOND` places each:
`shared.claims.mentor_names`), so whatever runs at once the service sends it at most 4 requests in a second, 244
in a minute, under the 300 it allows. Every request is one that took a place: the client is called with
`retries=False` (urllib3's own retries would send requests nobody counted), and a 429 is waited out here, each
retry in a place of its own.

Time is the caller's `clock` and `sleep`, so the tests and the benchmark run it on a fake or an offset clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from shared.claims import mentor_names as rules
from shared.claims import teaching_record_lookups as lookups
from shared.claims.errors import DomainError
from shared.data.rate_limits import RateLimits
from shared.integrations import teaching_record
from shared.integrations.teaching_record import TeacherRecord, TeachingRecordRateLimited, TeachingRecordUnavailable
from shared.observability import metrics

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], None]
Find = Callable[[str], TeacherRecord | None]  # exactly one request: the client with `retries=False`


class CheckLater(DomainError):
    """The Teaching Record kept answering 429 or did not answer, or no place came free in time: ask again later
    (the names refresh's message goes back to its queue; a validation page is retried by the state machine)."""


class Places(Protocol):
    """The counters a request takes its place in (`shared.data.rate_limits.RateLimits`; a fake in unit tests)."""

    def take(self, key: str, limit: int, expires_at: dt.datetime) -> int | None: ...


def _find_once(trn: str) -> TeacherRecord | None:
    return teaching_record.find_teacher(trn, None, retries=False)


def take_place(clock: Clock, sleep: Sleep, *, until: dt.datetime | None = None, places: Places | None = None) -> None:
    """Wait for a place in the current second's counter. `CheckLater` rather than wait past `until` (by default
    `LONGEST_WAIT_FOR_A_PLACE` from now). A place whose second ended while it was being taken (a slow write) is of
    no use: the request would go in a second it has no place in, so another is taken."""
    counters = places if places is not None else RateLimits()
    now = clock()
    latest = until if until is not None else now + dt.timedelta(seconds=rules.LONGEST_WAIT_FOR_A_PLACE)
    while True:
        key = rules.counter_key(now)
        if counters.take(key, rules.PER_SECOND, rules.counter_expires(now)) is not None:
            now = clock()
            if rules.counter_key(now) == key:
                return
            continue
        pause = max(0.01, (rules.next_counter_at(now) - now).total_seconds())
        if now + dt.timedelta(seconds=pause) > latest:
            raise CheckLater("no place in the rate limit")
        sleep(pause)
        now = clock()


def look_up(
    trn: str,
    clock: Clock,
    sleep: Sleep,
    *,
    until: dt.datetime | None = None,
    places: Places | None = None,
    find: Find | None = None,
    retry_unavailable: bool = False,
) -> TeacherRecord | None:
    """The Teaching Record's answer for the TRN, each request (a retried 429 too) in a place of its own: a 429 is
    waited out (its Retry-After, else 1, 2, 3 s; `RETRY_ATTEMPTS` requests). With `retry_unavailable` a request it
    did not answer is asked again after 1, 2 s (`UNAVAILABLE_ATTEMPTS`); without, that is `CheckLater` at once.
    `CheckLater` when it keeps answering 429, cannot answer, or a wait would go past `until`."""
    ask = find if find is not None else _find_once
    limited = unavailable = 0
    while True:
        take_place(clock, sleep, until=until, places=places)
        try:
            return ask(trn)
        except TeachingRecordRateLimited as answer:
            metrics.add_metric(name="TeachingRecordRateLimited", unit="Count", value=1)
            limited += 1
            wait = rules.retry_wait(limited, answer.retry_after)
            reason = "the Teaching Record answered 429"
        except TeachingRecordUnavailable:
            unavailable += 1
            wait = lookups.unavailable_wait(unavailable) if retry_unavailable else None
            reason = "the Teaching Record did not answer"
        if wait is None or (until is not None and clock() + dt.timedelta(seconds=wait) > until):
            raise CheckLater(reason)
        sleep(wait)


def look_up_all(
    trns: Iterable[str],
    clock: Clock,
    sleep: Sleep,
    *,
    until: dt.datetime,
    places: Places | None = None,
    find: Find | None = None,
    workers: int = lookups.WORKERS,
) -> dict[str, TeacherRecord | None]:
    """Each distinct TRN's answer, asked `workers` at a time, every request in a place of the shared counters (so
    the workers together stay within the limit, and with whatever else asks at the same time). A TRN that cannot be
    answered by `until` is `CheckLater` for the lot: the requests not yet started are cancelled, and no answer is
    returned, so a caller never treats an unanswered TRN as one the Teaching Record does not have."""
    wanted = list(dict.fromkeys(trns))
    if not wanted:
        return {}
    counters = places if places is not None else RateLimits()
    with ThreadPoolExecutor(max_workers=min(workers, len(wanted)), thread_name_prefix="teaching-record") as pool:
        futures: dict[str, Future[TeacherRecord | None]] = {
            trn: pool.submit(
                look_up, trn, clock, sleep, until=until, places=counters, find=find, retry_unavailable=True
            )
            for trn in wanted
        }
        try:
            return {trn: future.result() for trn, future in futures.items()}
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise
