"""The payment run's Teaching Record lookups (ADR 0044), against the fake Teaching Record on loopback
(infrastructure/local/fakes.py) answering in a set time, and the rate-limit counters under moto.

A page's distinct TRNs are looked up before any of its claims is checked, in parallel, each request taking a
place in the one-second counters the weekly names refresh takes places in (ADR 0037), so the two together never
send the Teaching Record more than `PER_SECOND` requests in a second. The fake counts every request by the second
of the same clock the counters are keyed by, so "no second held more than 4" is what the Teaching Record saw.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from infrastructure.local.fakes import API_KEY, TeachingRecordServer, teaching_record_server
from infrastructure.local.seed_data import SeedTeacher
from tests.integration.test_payment_run_tasks import world  # noqa: F401 - the last test's provider and schools
from tests.support import NOW

BIRTH = dt.date(1980, 1, 1)
YEAR = "2026 to 2027"
_trns = iter(range(100_000))


def _new_trns(count: int) -> list[str]:
    return [f"97{next(_trns):05d}" for _ in range(count)]


def _claim(reference: str, trns: list[str]) -> Any:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus

    return Claim(
        reference=reference,
        school_id="lookup-school",
        school_name="Lookup School",
        provider_code="LOOKUP",
        provider_name="Lookup University",
        window_id="lookup-window",
        academic_year=AcademicYear.parse(YEAR),
        status=ClaimStatus.SUBMITTED,
        mentors=tuple(
            ClaimMentor(trn=trn, first_name="Sam", last_name=f"M{trn}", hours=6, training_type=TrainingType.INITIAL)
            for trn in trns
        ),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=6 * len(trns) * 4380,
        created_at=NOW,
        submitted_at=NOW,
        submitted_by="u",
        submitted_by_name="Someone",
    )


def _page(trns: list[str], per_claim: int = 1) -> list[Any]:
    """Claims naming the TRNs, `per_claim` mentors each (and every TRN twice: a page looks each up once)."""
    groups = [trns[i : i + per_claim] for i in range(0, len(trns), per_claim)]
    return [_claim(f"LOOK{n:05d}", group) for n, group in enumerate(groups + groups)]


def _gather(claims: list[Any]) -> Any:
    """What `validate_page` gathers for a page: its facts, then each claim's."""
    from shared.usecases.payment_run_tasks import _PageFacts

    finder = _PageFacts("lookup-window", claims)
    for claim in claims:
        finder.facts(claim)
    return finder


def _teacher(trn: str) -> SeedTeacher:
    return SeedTeacher(trn=trn, first_name="Sam", last_name=f"M{trn}", date_of_birth=BIRTH)


class InFlight:
    """Wraps the client's `find_teacher`: how many requests were in flight at once, and which TRNs were asked."""

    def __init__(self, find: Callable[..., Any]) -> None:
        self.find, self.lock, self.now, self.most, self.asked = find, threading.Lock(), 0, 0, Counter[str]()
        self.sent: list[float] = []  # when each request went (wall clock)
        self.done: list[float] = []  # when each answer came back

    def __call__(self, trn: str, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.sent.append(time.time())
            self.now += 1
            self.most = max(self.most, self.now)
            self.asked[trn] += 1
        try:
            return self.find(trn, *args, **kwargs)
        finally:
            with self.lock:
                self.now -= 1
                self.done.append(time.time())

    def seconds(self) -> float:
        """From the first request to the last answer: the lookups' own time (not the page's reads before them)."""
        return max(self.done) - min(self.sent)


@pytest.fixture
def records(seed: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., TeachingRecordServer]]:
    """Start a fake Teaching Record (its latency and limit the test's), the client pointed at it. Its clock is
    the wall clock, as the counters' keys are."""
    from shared.config import settings
    from shared.integrations import teaching_record

    started: list[TeachingRecordServer] = []
    client = teaching_record.find_teacher  # before `in_flight` wraps it: the warm-up below is not the test's

    def start(latency: float, teachers: list[str], **limits: Any) -> TeachingRecordServer:
        server = teaching_record_server(
            [_teacher(trn) for trn in teachers], clock=time.time, latency_seconds=latency, **limits
        )
        started.append(server)
        monkeypatch.setenv("TEACHING_RECORD_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
        monkeypatch.setenv("TEACHING_RECORD_API_KEY", API_KEY)
        settings.cache_clear()
        teaching_record.reset_session()
        # The client's first request builds its Session: done here, so the test's requests go when they took places
        client("0000000", None, retries=False)
        server.answered.clear()
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()
    teaching_record.reset_session()
    settings.cache_clear()


@pytest.fixture
def in_flight(records: Callable[..., TeachingRecordServer], monkeypatch: pytest.MonkeyPatch) -> InFlight:
    """Every request the client sends, the checks' and the names refresh's, through one `InFlight`."""
    from shared.integrations import teaching_record
    from shared.usecases import payment_run_tasks

    wrapper = InFlight(teaching_record.find_teacher)
    monkeypatch.setattr(payment_run_tasks, "find_teacher", wrapper)
    monkeypatch.setattr(teaching_record, "find_teacher", wrapper)
    return wrapper


def _at_a_second_boundary() -> None:
    """Start just after a second begins, so the test's seconds are the counters' seconds from the first request."""
    time.sleep(1 - time.time() % 1 + 0.01)


def _per_second(sent: list[float]) -> Counter[int]:
    """Requests sent in each second of the wall clock (the counters' seconds), counted as the client sends them:
    the fake's own clock sees each a moment later, which may be in the next second."""
    return Counter(int(at) for at in sent)


# -- (a) in parallel ----------------------------------------------------------------------------------------------
def test_a_pages_lookups_run_in_parallel_at_the_limit_not_one_after_another(
    records: Callable[..., TeachingRecordServer], in_flight: InFlight
) -> None:
    from shared.claims.mentor_names import PER_SECOND

    # Given a page naming 12 distinct TRNs (each on two claims) and a Teaching Record answering in 500 ms
    trns = _new_trns(12)
    records(0.5, trns)
    _at_a_second_boundary()
    # When the page's facts are gathered
    facts = _gather(_page(trns))
    # Then each TRN was asked once, 4 at a time: 3 seconds' places, about 2.5 s, where one after another is 6 s
    assert in_flight.asked == Counter(dict.fromkeys(trns, 1))
    assert in_flight.most == PER_SECOND
    assert in_flight.seconds() < len(trns) * 0.5 - 2
    assert max(_per_second(in_flight.sent).values()) == PER_SECOND
    assert facts.teachers == dict.fromkeys(trns, True)


def test_at_100_ms_a_page_takes_its_lookups_over_the_limit_seconds(
    records: Callable[..., TeachingRecordServer], in_flight: InFlight
) -> None:
    from shared.claims.mentor_names import PER_SECOND

    # Given a page of 12 distinct TRNs and a Teaching Record answering in 100 ms (alone it would take 10 a second)
    trns = _new_trns(12)
    records(0.1, trns)
    _at_a_second_boundary()
    # When the page's facts are gathered
    _gather(_page(trns, per_claim=3))
    # Then they took the 3 seconds' places they need, 4 a second (the last second's from its start): 12 / 4 - 1 +
    # 0.1 s at most, where the Teaching Record alone would answer them in 1.2 s
    assert in_flight.seconds() < len(trns) / PER_SECOND - 1 + 0.5
    assert sorted(_per_second(in_flight.sent).values()) == [PER_SECOND] * 3
    assert in_flight.most == PER_SECOND


# -- (b) within the limit, with the names refresh at the same time -------------------------------------------------
def test_validation_and_the_names_refresh_together_never_pass_the_limit(
    records: Callable[..., TeachingRecordServer], in_flight: InFlight
) -> None:
    from shared.claims.mentor_names import PER_SECOND
    from shared.usecases import mentor_names

    # Given a page of 12 TRNs to validate while two refresh consumers check 4 TRNs each, at 100 ms an answer
    page, refreshed = _new_trns(12), _new_trns(8)
    server = records(0.1, page + refreshed[:4])
    refresh_results: dict[str, Any] = {}

    def consumer(trns: list[str]) -> None:
        clock = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
        for trn in trns:
            refresh_results[trn] = mentor_names._look_up(trn, clock, time.sleep)

    consumers = [threading.Thread(target=consumer, args=(refreshed[n::2],)) for n in range(2)]
    _at_a_second_boundary()
    # When they run at once
    for thread in consumers:
        thread.start()
    facts = _gather(_page(page))
    for thread in consumers:
        thread.join()
    # Then every TRN was answered, and no second held more than 4 requests between them
    seconds = _per_second(in_flight.sent)
    assert sum(seconds.values()) == len(server.answered) == 20
    assert max(seconds.values()) <= PER_SECOND
    assert not [status for _, status in server.answered if status == 429]
    assert facts.teachers == dict.fromkeys(page, True)
    assert {trn for trn, record in refresh_results.items() if record is not None} == set(refreshed[:4])


# -- (c) the same answers ------------------------------------------------------------------------------------------
def test_the_answers_are_the_ones_asked_one_at_a_time(
    records: Callable[..., TeachingRecordServer], in_flight: InFlight
) -> None:
    from shared.integrations.teaching_record import find_teacher

    # Given a page of 10 TRNs of which the Teaching Record has 6
    trns = _new_trns(10)
    records(0.0, trns[:3] + trns[5:8])
    claims = _page(trns, per_claim=2)
    # When the page's facts are gathered
    facts = _gather(claims)
    # Then each mentor is found or not exactly as a lookup of their TRN alone says
    serial = {trn: find_teacher(trn, None) is not None for trn in trns}
    assert facts.teachers == serial
    assert sum(serial.values()) == 6
    assert [facts.facts(claim).mentors_found for claim in claims] == [
        {m.trn: serial[m.trn] for m in claim.mentors} for claim in claims
    ]


# -- a busy or silent Teaching Record --------------------------------------------------------------------------------
def test_429s_are_waited_out_and_a_busy_teaching_record_never_makes_a_mentor_not_found(
    records: Callable[..., TeachingRecordServer],
) -> None:
    # Given a Teaching Record that answers only 3 requests in any 2 seconds (429 with Retry-After to the rest)
    trns = _new_trns(6)
    server = records(0.0, trns, per_window=3, window_seconds=2.0)
    # When a page of 6 TRNs is looked up
    facts = _gather(_page(trns))
    # Then the 429s were waited out and every mentor is found
    assert [status for _, status in server.answered].count(429) >= 1
    assert facts.teachers == dict.fromkeys(trns, True)


def test_a_teaching_record_that_cannot_answer_fails_the_page_for_a_retry_before_any_claim_is_checked(
    world: None,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from shared.data.claims import ClaimsStore
    from shared.integrations.teaching_record import TeachingRecordUnavailable
    from shared.usecases import payment_run_tasks
    from shared.usecases.payment_run_tasks import TransientError
    from tests.integration.test_payment_run_tasks import _claim as window_claim
    from tests.integration.test_payment_run_tasks import _seed, _validate, _window

    # Given a page of two claims, the Teaching Record answering for the first mentor and never for the second
    _window(window_id := "w-lookups-down")
    first, second = _new_trns(2)
    claims = [window_claim("LKD00001", window_id, 0, first, 6), window_claim("LKD00002", window_id, 1, second, 6)]
    _seed(claims)

    def find(trn: str, *args: Any, **kwargs: Any) -> object:
        if trn == second:
            raise TeachingRecordUnavailable("status 503")
        return object()

    monkeypatch.setattr(payment_run_tasks, "find_teacher", find)
    # When the page is validated / Then it fails as one Step Functions retries (TransientError)
    with pytest.raises(TransientError):
        _validate(window_id, "LKD00001", "LKD00002")
    # And no claim was checked: the first is not validated, the second not flagged "not found"
    assert [ClaimsStore().get(c.reference).validated_run for c in claims] == [None, None]
    assert [ClaimsStore().get(c.reference).status.value for c in claims] == ["submitted", "submitted"]
