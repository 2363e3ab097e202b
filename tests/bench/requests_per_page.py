"""DynamoDB requests per page: does a school page cost the same with 10 claims in the table as with 5,000?

Two pages of Anne Wilson's school are rendered through the web function's handler, in-process under moto's
`mock_aws()` (no sockets) with the environment and demo data the integration tests use: the school's Claims list
and the add-claim journey's "Check your answers" page (its first view, which records that it was seen, and a
view again). Each is measured with 10 claims in the claims table and again after filling it to 5,000: the
claims are mostly other schools', plus the same few of Anne's school in both runs, so her pages show the same.

Counting. PynamoDB does not use boto3's session: every `Connection` builds its own botocore session
(`botocore.session.get_session()`, one per thread), so a handler registered on `boto3.DEFAULT_SESSION` or on one
client misses its calls. The hook goes where moto puts its own stubber, `botocore.handlers.BUILTIN_HANDLERS`,
which every botocore session registers when it is created (and each client copies from its session), so it is on
every client made afterwards: boto3's, PynamoDB's, Powertools'. The event is `before-call`, emitted once per API
call by `BaseClient._make_api_call` just before the request is sent (after validation; retries are the same call,
not counted again). `before-call` is emitted until a handler answers the call, and botocore runs handlers of a
wildcard pattern before those of a longer name (`before-call.*.*` before `before-call.dynamodb.GetItem`), so the
hook is registered first on `before-call.*.*`, the pattern botocore's own Stubber uses, and keeps only
`before-call.dynamodb.<Operation>`: it runs before anything that could answer (moto answers later, at
`before-send`). As a check that nothing went round the hook (a client created before it was installed),
botocore's global history recorder, which `_make_api_call` tells of every call of every client, counts the same
calls independently; the two must agree.

Each counted call also records where it came from: the innermost frame in the project's own code (`shared/`,
`functions/`), so a page whose count grows names the code path that does it.

The times are the median of `RENDERS` renders of each page, in this process under moto: they compare the two
table sizes on this machine and are not DynamoDB's or Lambda's latency.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from tests.bench import Benchmark, Options

if TYPE_CHECKING:
    from tests.support import Page

__all__ = [
    "BENCHMARK",
    "OPERATION_ORDER",
    "ApiCallHistory",
    "DynamoDBRequestCounter",
    "PageMeasurement",
    "counting_dynamodb_requests",
    "format_sites",
    "format_table",
    "measure",
    "operations_in",
    "request_target",
    "verdict",
    "verdicts",
]

SIZES: tuple[int, ...] = (10, 5_000)
OWN_CLAIMS = 3  # Anne's school's own claims: the same in every run, so the pages show the same
RENDERS = 5
SLOWER_FACTOR, SLOWER_FLOOR = 3.0, 0.010  # a call that takes this much longer at the larger size is listed
EQUAL = "equal (no scans, no growth)"
EVENT = "before-call.*.*"  # every service: the handler keeps DynamoDB's (see the module docstring)
SERVICE = "dynamodb"

# Reads first, then writes; any other operation seen is listed after these, alphabetically.
OPERATION_ORDER: tuple[str, ...] = (
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "TransactGetItems",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "DescribeTable",
)

_ROOT = Path(__file__).resolve().parents[2]
PROJECT_CODE: tuple[Path, ...] = (_ROOT / "shared", _ROOT / "functions")


# -- counting ----------------------------------------------------------------------------------------------------
def _site(frame: FrameType | None, roots: Sequence[Path]) -> str:
    """The innermost frame in `roots` (`shared/data/claims.py:214 ClaimsStore.for_school`), or `?`."""
    prefixes = tuple(str(root) + os.sep for root in roots)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(prefixes):
            relative = os.path.relpath(filename, _ROOT) if filename.startswith(str(_ROOT)) else filename
            return f"{relative}:{frame.f_lineno} {frame.f_code.co_qualname}"
        frame = frame.f_back
    return "?"


def request_target(params: Any) -> str:
    """The table (and index) a DynamoDB request names, from its JSON body: `ClaimsTable/school-index`.

    Tables are shown by logical id (the test names are `test-<logical id>`); a batch or transaction lists each.
    """
    body = params.get("body") if isinstance(params, dict) else None
    try:
        data = json.loads(body or b"{}")
    except (TypeError, ValueError):
        return "?"
    if not isinstance(data, dict):
        return "?"
    names: list[str] = []
    if "TableName" in data:
        names.append(str(data["TableName"]) + (f"/{data['IndexName']}" if data.get("IndexName") else ""))
    names.extend(str(name) for name in data.get("RequestItems") or {})
    for entry in data.get("TransactItems") or []:
        for action in entry.values() if isinstance(entry, dict) else ():
            if isinstance(action, dict) and "TableName" in action:
                names.append(str(action["TableName"]))
    shown = [name.removeprefix("test-") for name in dict.fromkeys(names)]
    return ",".join(shown) or "?"


@dataclass(eq=False)
class DynamoDBRequestCounter:
    """Botocore `before-call` and `after-call` handlers: DynamoDB calls by operation name and by caller, and the
    time spent inside them (from just before the call is answered to its parsed response).

    Counts only while `active`: installed handlers stay on the clients that copied them, so an inactive counter
    must do nothing.
    """

    roots: tuple[Path, ...] = PROJECT_CODE
    active: bool = True
    counts: Counter[str] = field(default_factory=Counter)
    sites: Counter[tuple[str, str]] = field(default_factory=Counter)
    site_seconds: dict[tuple[str, str], float] = field(default_factory=dict)
    _started: dict[int, tuple[tuple[str, str], float]] = field(default_factory=dict)

    def __call__(self, *args: Any, model: Any = None, event_name: str = "", **kwargs: Any) -> None:
        if not self.active or not event_name.startswith(f"before-call.{SERVICE}."):
            return  # returning None lets the call go on: a counter never answers a call
        operation = getattr(model, "name", None) or event_name.rsplit(".", 1)[-1] or "?"
        where = f"{request_target(kwargs.get('params'))}  {_site(sys._getframe(1), self.roots)}"
        key = (operation, where)
        self.counts[operation] += 1
        self.sites[key] += 1
        context = kwargs.get("context")
        if context is not None:  # the same dict reaches after-call
            self._started[id(context)] = (key, time.perf_counter())

    def after_call(self, *args: Any, context: Any = None, **kwargs: Any) -> None:
        started = self._started.pop(id(context), None) if context is not None else None
        if started is not None and self.active:
            key, start = started
            self.site_seconds[key] = self.site_seconds.get(key, 0.0) + time.perf_counter() - start

    @property
    def seconds(self) -> float:
        return sum(self.site_seconds.values())

    def take(self) -> tuple[Counter[str], Counter[tuple[str, str]], dict[tuple[str, str], float]]:
        """The counts and times so far, and start again from zero."""
        taken = (self.counts, self.sites, self.site_seconds)
        self.counts, self.sites, self.site_seconds, self._started = Counter(), Counter(), {}, {}
        return taken


@dataclass(eq=False)
class ApiCallHistory:
    """A botocore history handler: every API call any client makes, whatever session it came from."""

    service: str = SERVICE
    active: bool = True
    counts: Counter[str] = field(default_factory=Counter)

    def emit(self, event_type: str, payload: Any, source: str) -> None:
        is_call = self.active and event_type == "API_CALL" and isinstance(payload, dict)
        if is_call and payload.get("service") == self.service:
            self.counts[str(payload.get("operation"))] += 1

    def take(self) -> Counter[str]:
        counts, self.counts = self.counts, Counter()
        return counts


@contextmanager
def counting_dynamodb_requests(
    counter: DynamoDBRequestCounter | None = None,
) -> Iterator[tuple[DynamoDBRequestCounter, ApiCallHistory]]:
    """Count every DynamoDB call of every botocore client created inside the block (and check it independently).

    The hook is added to `botocore.handlers.BUILTIN_HANDLERS`, which each new botocore session registers: boto3's
    default session and each PynamoDB connection's own session. On leaving, it is taken out again and both
    counters go inactive.
    """
    from botocore import handlers
    from botocore.history import get_global_history_recorder

    counter = counter or DynamoDBRequestCounter()
    counter.active = True
    specs = [
        (EVENT, counter, handlers.REGISTER_FIRST),
        (f"after-call.{SERVICE}", counter.after_call, handlers.REGISTER_LAST),
        (f"after-call-error.{SERVICE}", counter.after_call, handlers.REGISTER_LAST),
    ]
    handlers.BUILTIN_HANDLERS.extend(specs)
    history = ApiCallHistory()
    recorder = get_global_history_recorder()
    was_enabled = bool(getattr(recorder, "_enabled", False))
    recorder.add_handler(history)  # the recorder has no remove: the handler goes inactive on leaving
    recorder.enable()
    try:
        yield counter, history
    finally:
        counter.active = False
        history.active = False
        if not was_enabled:
            recorder.disable()
        handlers.BUILTIN_HANDLERS[:] = [e for e in handlers.BUILTIN_HANDLERS if not any(e is spec for spec in specs)]


# -- the pure parts ----------------------------------------------------------------------------------------------
@dataclass
class PageMeasurement:
    """One page at one table size: the DynamoDB calls of one render, by operation and by caller, and the times."""

    page: str
    claims: int
    counts: Counter[str]
    sites: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)  # each timed render, whole
    call_seconds: list[float] = field(default_factory=list)  # each timed render, inside DynamoDB calls
    site_seconds: dict[tuple[str, str], float] = field(default_factory=dict)  # the counted render, per caller
    history: Counter[str] = field(default_factory=Counter)
    varies: bool = False  # the renders timed did not all make the same calls

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.seconds) * 1000 if self.seconds else None

    @property
    def median_call_ms(self) -> float | None:
        return statistics.median(self.call_seconds) * 1000 if self.call_seconds else None


def operations_in(counts: Sequence[Mapping[str, int]]) -> list[str]:
    """The operations to show as columns: Scan always (a zero is the point), the rest when any count has them."""
    seen = {operation for count in counts for operation, number in count.items() if number} | {"Scan"}
    known = [operation for operation in OPERATION_ORDER if operation in seen]
    return known + sorted(seen - set(OPERATION_ORDER))


def verdict(small: Mapping[str, int], large: Mapping[str, int]) -> str:
    """`equal (no scans, no growth)`, or `GROWS` with every operation whose count differs (and any Scan)."""
    operations = operations_in([small, large])
    changed = [op for op in operations if small.get(op, 0) != large.get(op, 0)]
    scans = small.get("Scan", 0) or large.get("Scan", 0)
    if not changed and not scans:
        return EQUAL
    parts = [
        f"{op} {small.get(op, 0)} -> {large.get(op, 0)} ({large.get(op, 0) - small.get(op, 0):+d})" for op in changed
    ]
    small_total, large_total = sum(small.values()), sum(large.values())
    if changed:
        parts.append(f"total {small_total} -> {large_total} ({large_total - small_total:+d})")
    if scans and "Scan" not in changed:
        parts.append(f"Scan {small.get('Scan', 0)} at both sizes reads the whole table")
    return "GROWS: " + ", ".join(parts)


def _ms(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "-"


def format_table(measurements: Sequence[PageMeasurement]) -> list[str]:
    """One row per page and table size: requests by operation, the total, and median times in process."""
    operations = operations_in([m.counts for m in measurements])
    page_width = max([len("page"), *(len(m.page) for m in measurements)])
    widths = [max(len(op), 3) for op in operations]
    header = (
        f"{'page':<{page_width}}  {'claims in table':>15}  "
        + "  ".join(f"{op:>{width}}" for op, width in zip(operations, widths, strict=True))
        + f"  {'total':>5}  {'page ms':>7}  {'in calls ms':>11}"
    )
    lines = [header, "-" * len(header)]
    for m in measurements:
        cells = "  ".join(f"{m.counts.get(op, 0):>{width}}" for op, width in zip(operations, widths, strict=True))
        note = "  (renders differ: the first is shown)" if m.varies else ""
        lines.append(
            f"{m.page:<{page_width}}  {m.claims:>15,}  {cells}  {m.total:>5}  {_ms(m.median_ms):>7}  "
            f"{_ms(m.median_call_ms):>11}{note}"
        )
    return lines


def format_sites(
    sites: Mapping[tuple[str, str], int], seconds: Mapping[tuple[str, str], float] | None = None
) -> list[str]:
    """`  1 x GetItem   0.6 ms  shared/data/sessions.py:35 Sessions.load`, in the order the calls were first made."""
    lines = []
    for (operation, site), number in sites.items():
        spent = f"{seconds.get((operation, site), 0.0) * 1000:7.1f} ms  " if seconds is not None else ""
        lines.append(f"  {number} x {operation:<18} {spent}{site}")
    return lines


def verdicts(measurements: Sequence[PageMeasurement]) -> list[tuple[str, str]]:
    """Per page, its verdict from its smallest and largest table (pages in the order first measured)."""
    return [(page, verdict(small.counts, large.counts)) for page, small, large in _pairs(measurements)]


def _pairs(measurements: Sequence[PageMeasurement]) -> list[tuple[str, PageMeasurement, PageMeasurement]]:
    """Per page, its measurements at the smallest and the largest table."""
    pairs = []
    for page in dict.fromkeys(m.page for m in measurements):
        rows = sorted((m for m in measurements if m.page == page), key=lambda m: m.claims)
        pairs.append((page, rows[0], rows[-1]))
    return pairs


# -- the data ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _World:
    """What setting up gives: the demo data and the handler to drive."""

    seed: Any
    web: Callable[[dict[str, Any], Any], dict[str, Any]]
    mentors: dict[str, tuple[str, str]]


ANNE_MENTORS = {"1000001": ("Emily", "Carter"), "1000002": ("James", "Okafor"), "1000003": ("Priya", "Shah")}
OWN_CLAIMS_MENTOR = "1000003"  # not claimed for in the journey: its hours left stay the same
JOURNEY_PROVIDER = "N97"  # Sheffield Hallam University, accredited
JOURNEY_HOURS: dict[str, int | str] = {"1000001": 4, "1000002": 6}


def _claims(seed: Any, total: int, now: dt.datetime) -> list[Any]:
    """`total` ClaimItems of the current window: `OWN_CLAIMS` of Anne Wilson's school first, then other schools'.

    Deterministic (a fixed random seed): the first N of a longer list are the list for N.
    """
    from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
    from shared.claims.academic_years import AcademicYear
    from shared.claims.regions import DEFAULT_HOURLY_RATES_PENCE, region_for_district
    from shared.data.items import ClaimItem

    rng = random.Random(3)  # reproducible demo claims, not secrets
    year = AcademicYear.for_date(now.date())
    window = next(w for w in seed.claim_windows if w.academic_year == year.name)
    opened = dt.datetime.combine(window.opens_on, dt.time(9), dt.UTC)
    seconds_open = max(int((now - opened).total_seconds()), 1)
    anne = next(s for s in seed.schools if s.urn == ANNE_WILSON_SCHOOL_URN)
    others = [s for s in seed.schools if s.urn != ANNE_WILSON_SCHOOL_URN]
    providers = [p for p in seed.providers if p.accredited]
    teachers = list(seed.teachers)
    references = rng.sample(range(10_000_000, 100_000_000), total)
    items = []
    for index, reference in enumerate(references):
        own = index < OWN_CLAIMS
        school = anne if own else rng.choice(others)
        provider = providers[index % len(providers)] if own else rng.choice(providers)
        if own:
            first, last = ANNE_MENTORS[OWN_CLAIMS_MENTOR]
            named = [(OWN_CLAIMS_MENTOR, first, last, 2, "initial")]
        else:
            named = [
                (t.trn, t.first_name, t.last_name, rng.randint(1, 20), rng.choice(("initial", "refresher")))
                for t in rng.sample(teachers, rng.randint(1, 3))
            ]
        mentors = [
            {"trn": trn, "first_name": first, "last_name": last, "hours": hours, "training_type": kind}
            for trn, first, last, hours, kind in named
        ]
        region = region_for_district(school.district_admin_code)
        rate = DEFAULT_HOURLY_RATES_PENCE[region]
        hours = sum(entry[3] for entry in named)
        created = opened + dt.timedelta(seconds=rng.randrange(seconds_open))
        items.append(
            ClaimItem(
                claim_id=str(reference),
                reference=str(reference),
                school_id=school.urn,
                school_name=school.name,
                provider_code=provider.code,
                provider_name=provider.name,
                window_id=window.window_id,
                academic_year=year.name,
                status="submitted",
                window_status=f"{window.window_id}#submitted",
                created_at=created.isoformat(),
                submitted_at=created,
                submitted_by="user-anne-wilson" if own else f"user-bench-{index}",
                submitted_by_name="Anne Wilson" if own else "A Teacher",
                region=region.value,
                hourly_rate_pence=rate,
                total_hours=hours,
                amount_pence=hours * rate,
                mentors=mentors,
                version=1,
            )
        )
    return items


def _write(items: Sequence[Any]) -> None:
    from shared.data.items import AllowanceItem, ClaimItem

    with ClaimItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    # Anne's school's own claims use hours: keep the allowances they took, as a submission would.
    used: Counter[str] = Counter()
    for item in items:
        if item.submitted_by == "user-anne-wilson":
            for mentor in item.mentors:
                data = mentor.as_dict() if hasattr(mentor, "as_dict") else dict(mentor)
                used[f"{data['trn']}#{item.provider_code}#{item.academic_year[:4]}"] += int(data["hours"])
    for allowance_id, hours in used.items():
        trn, code, start = allowance_id.split("#")
        AllowanceItem(
            allowance_id=allowance_id, trn=trn, provider_code=code, academic_year=f"{start} to {int(start) + 1}"
        ).update(actions=[AllowanceItem.used.add(hours)])


def _set_up() -> _World:
    """Tables from template.yaml, the demo data, Anne's mentors and accepted grant conditions, the web handler."""
    from infrastructure.local.seed import load, persona_ids
    from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
    from shared.config import settings
    from shared.data.items import bind_tables
    from tests.integration.claims_helpers import add_school_mentor
    from tests.support import NOW, apply_test_environment, create_tables, set_grant_conditions

    apply_test_environment()
    create_tables()
    bind_tables(settings())
    seed = load(NOW.date())
    os.environ["PERSONA_USER_IDS"] = ",".join(persona_ids(seed))
    settings.cache_clear()
    set_grant_conditions(ANNE_WILSON_SCHOOL_URN, accepted=True)
    for trn, (first, last) in ANNE_MENTORS.items():
        add_school_mentor(ANNE_WILSON_SCHOOL_URN, trn, first, last)

    import functions.web.app as web

    web.app.clock = lambda: NOW
    bind_tables(web.app.config)
    return _World(seed=seed, web=web.lambda_handler, mentors=ANNE_MENTORS)


def _claims_in_table() -> int:
    from shared.data.items import ClaimItem

    return int(ClaimItem.describe_table().get("ItemCount", 0))


# -- measuring ---------------------------------------------------------------------------------------------------
@dataclass
class _Render:
    path: str
    counts: Counter[str]
    sites: Counter[tuple[str, str]]
    site_seconds: dict[tuple[str, str], float]
    history: Counter[str]
    seconds: float

    @property
    def call_seconds(self) -> float:
        return sum(self.site_seconds.values())


@dataclass
class _Recorder:
    """Wraps the web handler: each request's DynamoDB calls and time, nothing counted between requests."""

    web: Callable[[dict[str, Any], Any], dict[str, Any]]
    counter: DynamoDBRequestCounter
    history: ApiCallHistory
    renders: list[_Render] = field(default_factory=list)

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.counter.take()
        self.history.take()
        self.counter.active = self.history.active = True
        start = time.perf_counter()
        try:
            return self.web(event, context)
        finally:
            seconds = time.perf_counter() - start
            self.counter.active = self.history.active = False
            counts, sites, site_seconds = self.counter.take()
            self.renders.append(
                _Render(str(event.get("path")), counts, sites, site_seconds, self.history.take(), seconds)
            )


def _no_support(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise AssertionError(f"this benchmark does not visit the support function: {event.get('path')}")


def _expect(page: Page, h1: str) -> None:
    """The page rendered is the one meant (a redirect or an error page would be measuring something else)."""
    if page.status != 200 or page.h1 != h1:
        raise RuntimeError(f"expected the {h1!r} page, got {page.status} {page.h1!r}")


def _measurement(page: str, claims: int, timed: Sequence[_Render]) -> PageMeasurement:
    """The calls of the first render timed (and whether the others differ), the times of all of them."""
    counted = timed[0]
    return PageMeasurement(
        page=page,
        claims=claims,
        counts=counted.counts,
        sites=counted.sites,
        seconds=[r.seconds for r in timed],
        call_seconds=[r.call_seconds for r in timed],
        site_seconds=counted.site_seconds,
        history=counted.history,
        varies=any(r.counts != counted.counts or r.history != r.counts for r in timed),
    )


def _measure_pages(recorder: _Recorder, claims: int) -> list[PageMeasurement]:
    """The Claims list `RENDERS` times; `RENDERS` journeys to their first check your answers; one again RENDERS times.

    One untimed view of each page first, so a template compiled on first use is not in the times.
    """
    from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
    from tests.integration.claims_helpers import claim_through_check, start_claim
    from tests.support import Client

    school = ANNE_WILSON_SCHOOL_URN
    client = Client(web=recorder, support=_no_support)
    client.sign_in("Anne Wilson")

    def journey_to_check() -> tuple[str, _Render]:
        base = start_claim(client, school)
        page = claim_through_check(client, base, JOURNEY_PROVIDER, JOURNEY_HOURS)
        _expect(page, "Check your answers")
        render = recorder.renders[-1]
        assert render.path == f"{base}/check", render.path
        return base, render

    client.get(f"/schools/{school}/claims")
    base, _ = journey_to_check()
    client.get(f"{base}/check")

    recorder.renders.clear()
    for _ in range(RENDERS):
        page = client.get(f"/schools/{school}/claims")
        _expect(page, "Claims")
        listed_claims = set(re.findall(rf'href="/schools/{school}/claims/(\d{{8}})"', page.body))
        if len(listed_claims) != OWN_CLAIMS:  # the same page at every size, or the comparison means nothing
            raise RuntimeError(f"the Claims list shows {len(listed_claims)} claims, expected {OWN_CLAIMS}")
    listed = list(recorder.renders)

    first_views = [journey_to_check()[1] for _ in range(RENDERS)]

    recorder.renders.clear()
    for _ in range(RENDERS):
        page = client.get(f"{base}/check")
        _expect(page, "Check your answers")
    again = list(recorder.renders)
    return [
        _measurement("Claims list", claims, listed),
        _measurement("Check your answers (first view)", claims, first_views),
        _measurement("Check your answers (again)", claims, again),
    ]


def measure(sizes: Sequence[int] = SIZES) -> tuple[list[PageMeasurement], list[str]]:
    """Every page at every table size, in one moto world whose claims table grows between sizes."""
    from moto import mock_aws

    from tests.support import NOW

    notes: list[str] = []
    saved = dict(os.environ)
    try:
        with counting_dynamodb_requests() as (counter, history), mock_aws():
            counter.active = history.active = False  # nothing counts outside a request
            start = time.perf_counter()
            world = _set_up()
            items = _claims(world.seed, max(sizes), NOW)
            notes.append(f"set up (tables, demo data, mentors): {time.perf_counter() - start:.1f} s")
            recorder = _Recorder(world.web, counter, history)
            measurements: list[PageMeasurement] = []
            written = 0
            for size in sorted(sizes):
                start = time.perf_counter()
                _write(items[written:size])
                written = size
                in_table = _claims_in_table()
                notes.append(
                    f"{in_table:,} claims in the table ({OWN_CLAIMS} of them Anne Wilson's school's), "
                    f"written with BatchWriteItem in {time.perf_counter() - start:.1f} s"
                )
                measurements.extend(_measure_pages(recorder, in_table))
    finally:
        os.environ.clear()
        os.environ.update(saved)
        from shared.config import settings

        settings.cache_clear()
    return measurements, notes


def _print_sources(options: Options, measurements: Sequence[PageMeasurement]) -> None:
    """Per page: each call of one render, where it came from and the time inside it at both sizes."""
    pairs = _pairs(measurements)
    smallest, largest = pairs[0][1].claims, pairs[0][2].claims
    options.print(
        f"Where each page's DynamoDB calls go (table/index) and come from (innermost project frame), with the time "
        f"inside each at {smallest:,} -> {largest:,} claims (one render, moto):"
    )
    for page, small, large in pairs:
        options.print(f"{page}:")
        for (operation, site), number in large.sites.items():
            before = small.site_seconds.get((operation, site), 0.0) * 1000
            after = large.site_seconds.get((operation, site), 0.0) * 1000
            was = small.sites[(operation, site)]
            options.print(
                f"  {number} x {operation:<12} {before:6.1f} -> {after:6.1f} ms  {site}"
                + (f"  (was {was} x)" if was != number else "")
            )
        for (operation, site), number in (small.sites - large.sites).items():
            options.print(f"  (only at {smallest:,}) {number} x {operation}  {site}")

    slower = [
        (page, operation, site, small.site_seconds.get(key, 0.0) * 1000, large.site_seconds.get(key, 0.0) * 1000)
        for page, small, large in pairs
        for key in large.sites
        for operation, site in [key]
        if large.site_seconds.get(key, 0.0) > SLOWER_FACTOR * small.site_seconds.get(key, 0.0) + SLOWER_FLOOR
    ]
    if not slower:
        return
    options.print()
    options.print(
        f"The same call, slower at {largest:,} claims (more than {SLOWER_FACTOR:g}x + {SLOWER_FLOOR * 1000:.0f} ms):"
    )
    for page, operation, site, before, after in slower:
        options.print(f"  {page}: {operation} {site}: {before:.1f} -> {after:.1f} ms")
    if any(operation == "Query" and "/" in site.split()[0] for _, operation, site, _, _ in slower):
        options.print(
            "  moto answers a Query on a global secondary index by reading every item of the table "
            "(moto.dynamodb.models.table.Table.query loops over all_items()); DynamoDB reads only the index "
            "partition asked for. That time is moto's, not the page's: the number of requests is what carries "
            "over to AWS."
        )


def run(options: Options) -> None:
    options.print(
        f"Anne Wilson's school, pages rendered by the web function's handler in this process under moto "
        f"(mock_aws, no sockets), the test environment and demo data; {OWN_CLAIMS} of her school's claims in every "
        f"run, the rest other schools'. Counted with a botocore '{EVENT}' hook (registered first, keeping "
        f"before-call.{SERVICE}.*) on every session via botocore.handlers.BUILTIN_HANDLERS, checked against "
        "botocore's global API-call history."
    )
    start = time.perf_counter()
    try:
        measurements, notes = measure()
    except Exception as error:  # noqa: BLE001 - a benchmark reports what stopped it and exits 0
        options.print(f"NOT MEASURED: {type(error).__name__}: {error}")
        return
    for note in notes:
        options.print(f"  {note}")
    options.print()
    for line in format_table(measurements):
        options.print(line)
    options.print(
        f"Requests: one render (the first of those timed). Times: the median of {RENDERS} renders (first view: "
        f"{RENDERS} journeys), in-process under moto on this machine, NOT AWS latency; 'in calls' is the part spent "
        "inside DynamoDB calls, i.e. in moto's Python answering them."
    )

    options.print()
    judged_pages = verdicts(measurements)
    for page, judged in judged_pages:
        options.print(f"{page}: {judged}")

    missed = [m for m in measurements if m.history != m.counts]
    options.print()
    if missed:
        options.print("MISMATCH between the hook and botocore's history (a client the hook did not reach):")
        for m in missed:
            options.print(f"  {m.page}, {m.claims:,} claims: hook {dict(m.counts)}, history {dict(m.history)}")
    else:
        total = sum(m.total for m in measurements)
        options.print(
            f"Hook and botocore's global API-call history agree on every counted render ({total} calls in all)."
        )

    options.print()
    _print_sources(options, measurements)
    for page, small, large in _pairs(measurements):
        if verdict(small.counts, large.counts) == EQUAL:
            continue
        options.print()
        options.print(f"{page}: calls at {large.claims:,} claims on top of those at {small.claims:,}:")
        for line in format_sites(large.sites - small.sites):
            options.print(line)
    options.print()
    options.print(f"whole benchmark: {time.perf_counter() - start:.1f} s")


BENCHMARK = Benchmark(
    name="requests-per-page",
    summary="DynamoDB requests per page of a school with 10 and 5,000 claims in the table (goal: equal, no scans)",
    run=run,
)
