"""One validation page's Teaching Record lookups (ADR 0044): 100 claims with distinct TRNs, against the fake
Teaching Record on 127.0.0.1 answering in 100 ms, the rate-limit counters under moto in this process.

- **serial, uncounted**: the checks as they were before ADR 0044, `find_teacher(trn, None)` one TRN after another
  with no place in the counters. The floor of a page's lookups: 100 x 100 ms = 10 s, at 10 a second, which is
  past the 4 a second the names refresh keeps to and the 5 a second (300 a minute) the Teaching Record allows.
- **parallel, within the limit**: `_PageFacts`, as `validate_page` gathers a page's facts now: the page's TRNs
  asked 4 at a time, each request in a place of the one-second counters the names refresh shares. Its floor is
  the limit's, 100 / 4 = 25 s (24 s from the start of a second: the first second's places are used at once).
- the same at **400 ms** an answer, where one request at a time within the limit would go at 1 / 0.4 = 2.5 a
  second (40 s, computed) and the 4 workers still go at the limit.

Each is measured once (`--runs` is not used): the time is the limit's and the fake's latency, not noise, and
the three take about a minute. Printed: wall time, lookups a second, and the most requests the fake saw in any
one second of its clock (the counters' seconds: the wall clock) and in any 60 s, against the limits.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.bench import Benchmark, Options

CLAIMS = 100  # one validation page (payment_run_tasks.PAGE_SIZE), one distinct mentor each
LATENCY_SECONDS = 0.1
SLOW_LATENCY_SECONDS = 0.4
TRN_START = 8_800_000


@dataclass(frozen=True)
class Measured:
    name: str
    seconds: float
    lookups: int
    found: int
    most_in_a_second: int
    most_in_a_minute: int

    @property
    def per_second(self) -> float:
        return self.lookups / self.seconds if self.seconds else 0.0


def _trns() -> list[str]:
    return [str(TRN_START + n) for n in range(CLAIMS)]


def _claims(trns: list[str]) -> list[Any]:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus

    now = dt.datetime.now(dt.UTC)
    return [
        Claim(
            reference=f"BENCH{n:05d}",
            school_id=f"bench-school-{n % 20}",
            school_name="Bench School",
            provider_code="BENCH",
            provider_name="Bench University",
            window_id="bench-window",
            academic_year=AcademicYear.parse("2026 to 2027"),
            status=ClaimStatus.SUBMITTED,
            mentors=(
                ClaimMentor(trn=trn, first_name="Sam", last_name="Mentor", hours=6, training_type=TrainingType.INITIAL),
            ),
            region="Rest of England",
            hourly_rate_pence=4380,
            amount_pence=6 * 4380,
            created_at=now,
            submitted_at=now,
            submitted_by="bench",
            submitted_by_name="Bench",
        )
        for n, trn in enumerate(trns)
    ]


@contextmanager
def _world() -> Iterator[None]:
    """moto with every table of template.yaml, one DynamoDB request at a time (as the local stack and the tests)."""
    from moto import mock_aws

    from infrastructure.local.moto_dynamodb import serialise_dynamodb
    from tests.support import apply_test_environment, create_tables

    saved = dict(os.environ)
    apply_test_environment()
    serialise_dynamodb()
    try:
        with mock_aws():
            create_tables()
            from shared.config import settings
            from shared.data.items import ALL_ITEMS, bind_tables

            settings.cache_clear()
            bind_tables(settings())
            for model in ALL_ITEMS:
                model._connection = None  # PynamoDB keeps one per item class
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        from shared.config import settings

        settings.cache_clear()


def _measure(name: str, latency: float, trns: list[str], look_up: Callable[[list[str]], int]) -> Measured:
    """Start a fake Teaching Record answering in `latency` with every TRN, point the client at it, and time
    `look_up` from the start of a second (the counters' seconds), as a page's lookups would start at any time."""
    from infrastructure.local.fakes import API_KEY, teaching_record_server
    from infrastructure.local.seed_data import SeedTeacher
    from shared.config import settings
    from shared.integrations import teaching_record

    teachers = [SeedTeacher(trn, "Sam", "Mentor", dt.date(1985, 1, 1)) for trn in trns]
    server = teaching_record_server(teachers, clock=time.time, latency_seconds=latency)
    try:
        os.environ.update(
            {
                "TEACHING_RECORD_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}",
                "TEACHING_RECORD_API_KEY": API_KEY,
            }
        )
        settings.cache_clear()
        teaching_record.reset_session()
        teaching_record.find_teacher("0000000", None, retries=False)  # the Session is built before the clock starts
        server.answered.clear()
        time.sleep(1 - time.time() % 1 + 0.01)
        begun = time.perf_counter()
        found = look_up(trns)
        seconds = time.perf_counter() - begun
        times = sorted(at for at, status in server.answered if status != 429)
    finally:
        server.shutdown()
        server.server_close()
        teaching_record.reset_session()
    per_second = Counter(int(at) for at in times)
    in_a_minute = max((sum(1 for later in times if at <= later < at + 60) for at in times), default=0)
    return Measured(name, seconds, len(times), found, max(per_second.values(), default=0), in_a_minute)


def _serial(trns: list[str]) -> int:
    """The checks before ADR 0044: one TRN after another, the client's own retries, no place in the counters."""
    from shared.integrations.teaching_record import find_teacher

    return sum(find_teacher(trn, None) is not None for trn in trns)


def _parallel(trns: list[str]) -> int:
    """As `validate_page` gathers a page's facts now."""
    from shared.usecases.payment_run_tasks import _PageFacts

    facts = _PageFacts("bench-window", _claims(trns))
    return sum(facts.teachers.values())


def run(options: Options) -> None:
    from shared.claims.mentor_names import PER_SECOND, RATE_LIMIT_PER_MINUTE, worst_case_per_minute
    from shared.claims.teaching_record_lookups import WORKERS

    options.print(
        f"{CLAIMS} claims with distinct TRNs on one page; fake Teaching Record on 127.0.0.1; limit {PER_SECOND} a "
        f"second in shared counters ({worst_case_per_minute()} in any minute; the Teaching Record allows "
        f"{RATE_LIMIT_PER_MINUTE}); {WORKERS} workers"
    )
    trns = _trns()
    with _world():
        results = [
            _measure(f"serial, uncounted, {LATENCY_SECONDS * 1000:.0f} ms", LATENCY_SECONDS, trns, _serial),
            _measure(f"parallel, within the limit, {LATENCY_SECONDS * 1000:.0f} ms", LATENCY_SECONDS, trns, _parallel),
            _measure(
                f"parallel, within the limit, {SLOW_LATENCY_SECONDS * 1000:.0f} ms",
                SLOW_LATENCY_SECONDS,
                trns,
                _parallel,
            ),
        ]
    options.print(f"  {'':44} {'wall s':>7} {'lookups/s':>9} {'found':>5} {'max/s':>5} {'max/60 s':>8}")
    for measured in results:
        over = " OVER the limit" if measured.most_in_a_second > PER_SECOND else ""
        options.print(
            f"  {measured.name:44} {measured.seconds:7.2f} {measured.per_second:9.2f} {measured.found:5d} "
            f"{measured.most_in_a_second:5d} {measured.most_in_a_minute:8d}{over}"
        )
    limit_floor = CLAIMS / PER_SECOND - 1
    serial_floor = CLAIMS * LATENCY_SECONDS
    options.print(
        f"  floors: serial {serial_floor:.1f} s at {LATENCY_SECONDS * 1000:.0f} ms (no limit); within the limit "
        f"{limit_floor:.0f}-{CLAIMS / PER_SECOND:.0f} s at any latency up to 1 s with {WORKERS} workers; one request "
        f"at a time within the limit would take {CLAIMS * max(SLOW_LATENCY_SECONDS, 1 / PER_SECOND):.0f} s at "
        f"{SLOW_LATENCY_SECONDS * 1000:.0f} ms (computed)"
    )
    parallel = results[1]
    options.print(
        f"  parallel at {LATENCY_SECONDS * 1000:.0f} ms: {parallel.seconds / serial_floor:.2f}x the serial floor, "
        f"{parallel.seconds / (CLAIMS / PER_SECOND):.2f}x the limit's {CLAIMS / PER_SECOND:.0f} s; the fake saw at "
        f"most {parallel.most_in_a_second} in a second (limit {PER_SECOND})"
    )


BENCHMARK = Benchmark(
    "validation-lookups",
    "a validation page's 100 Teaching Record lookups at 100 ms: serial and uncounted vs parallel within the limit",
    run,
)
