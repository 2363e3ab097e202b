"""The support claims list: DynamoDB requests and items read per page, at 10, 5,000 and 50,000 claims.

The pages are rendered by the support function's handler, as Colin Chapman, in-process under moto's
`mock_aws()` with the test environment and the demo data, first with 10 claims of the latest window's
academic year in the table, then after filling it to 5,000 and again to 50,000. The claims are spread over the window's
months, a tenth of them paid, as a window's claims are once its first run is paid.

Counting is `requests_per_page.counting_dynamodb_requests` (a botocore hook on every client), plus an
`after-call.dynamodb` hook that adds up what DynamoDB read for each call: a Query's or Scan's `ScannedCount`
(items read before any filter: what capacity is charged for), a GetItem's one item, a BatchGetItem's items.
moto answers within DynamoDB's 1 MB page limit, so the number of requests is what AWS would see.

The floor is the cheapest page, a claim reference searched for (one GetItem), rendered in the same process: each
page's time is given as a multiple of it. Times are moto's in this process, not AWS latency; the requests and
items are what carry over (docs/adr/0020-finding-claims.md works out what they cost). moto is patched as in the
local stack (infrastructure/local/moto_dynamodb.py): a Query reads its partition, as DynamoDB's does, so a page's
time should not grow with the table; each page's time at 5,000 claims over its time at 10 is judged against
`GOAL_RATIO` (docs/adr/0042-moto-indexes.md).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.bench import Benchmark, Options
from tests.bench.requests_per_page import _claims, _write, counting_dynamodb_requests

SIZES: tuple[int, ...] = (10, 5_000, 50_000)
RENDERS = 5  # at the judged sizes each page's time is the fastest of these: other work only ever adds to one
GOAL_RATIO = 1.2  # a page at 5,000 claims within 1.2× of its time at 10 (issue 14)
JUDGED: tuple[int, int] = (10, 5_000)


@dataclass
class ItemsRead:
    """What DynamoDB read for each call made while active."""

    active: bool = False
    items: int = 0
    requests: int = 0

    def __call__(self, *args: Any, parsed: Any = None, model: Any = None, **kwargs: Any) -> None:
        if not self.active or not isinstance(parsed, dict):
            return
        self.requests += 1
        name = getattr(model, "name", "")
        if name in ("Query", "Scan"):
            self.items += int(parsed.get("ScannedCount", 0))
        elif name == "GetItem":
            self.items += 1 if parsed.get("Item") else 0
        elif name == "BatchGetItem":
            self.items += sum(len(found) for found in (parsed.get("Responses") or {}).values())

    def take(self) -> tuple[int, int]:
        taken = (self.requests, self.items)
        self.requests = self.items = 0
        return taken


@contextmanager
def counting_items_read() -> Iterator[ItemsRead]:
    from botocore import handlers

    counter = ItemsRead()
    spec = ("after-call.dynamodb", counter, handlers.REGISTER_LAST)
    handlers.BUILTIN_HANDLERS.append(spec)
    try:
        yield counter
    finally:
        counter.active = False
        handlers.BUILTIN_HANDLERS[:] = [e for e in handlers.BUILTIN_HANDLERS if e is not spec]


@dataclass(frozen=True)
class PageCost:
    page: str
    claims: int
    requests: Counter[str]
    items_read: int
    rows: int
    fastest_ms: float

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())


def _spread(items: list[Any], now: dt.datetime) -> None:
    """Listed over the window's months (as `ClaimsStore` lists them), a tenth paid, a few held."""
    rng = random.Random(11)  # reproducible, not secret
    for index, item in enumerate(items):
        created = now - dt.timedelta(seconds=rng.randrange(150 * 24 * 3600))
        item.created_at = created.isoformat()
        item.submitted_at = created
        item.listed_at = f"{created.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S.%fZ}#{item.claim_id}"
        if index % 10 == 0:
            item.status = "paid"
            item.window_status = f"{item.window_id}#paid"
        if index % 500 == 0:
            item.hold_reason = "Bench hold"


def _pages(items: list[Any]) -> list[tuple[str, str]]:
    """(what, path): the list as opened, filtered, deep, and each kind of search."""
    known = items[len(items) // 2]
    name_word = known.school_name.split()[0]
    return [
        ("search: a claim reference (the floor)", f"/support/claims?search={known.claim_id}"),
        ("the list as first opened (latest year)", "/support/claims"),
        ("filtered: status Paid", "/support/claims?status=paid"),
        ("filtered: status and region", "/support/claims?status=submitted&region=Inner+London"),
        ("filtered: on hold", "/support/claims?hold=yes"),
        ("page 40 of the list", "/support/claims?page=40"),
        ("every year (no year chosen)", "/support/claims?filtered=yes"),
        ("search: a URN", f"/support/claims?search={known.school_id}"),
        (f'search: a school name ("{name_word}")', f"/support/claims?search={name_word}"),
    ]


def measure(
    sizes: Sequence[int] = SIZES, on_size: Callable[[list[PageCost]], None] | None = None
) -> tuple[list[PageCost], list[str]]:
    """Every page's cost at each size; `on_size` gets each size's costs as soon as they are measured (the
    50,000-claim half takes most of the run under moto)."""
    from moto import mock_aws

    from infrastructure.local.moto_dynamodb import (
        answer_attribute_values_directly,
        back_up_touched_items_only,
        index_queries_by_partition,
        parse_update_expressions_once,
    )
    from tests.bench.requests_per_page import _set_up
    from tests.support import NOW, Client

    notes: list[str] = []
    saved = dict(os.environ)
    costs: list[PageCost] = []
    back_up_touched_items_only()  # as the local stack and the integration suite
    index_queries_by_partition()
    answer_attribute_values_directly()  # and writes the items it returns out quickly (ADR 46)
    parse_update_expressions_once()  # and parses each update expression once (ADR 46)
    try:
        with counting_dynamodb_requests() as (counter, history), counting_items_read() as read, mock_aws():
            counter.active = history.active = False
            start = time.perf_counter()
            world = _set_up()
            import functions.support.app as support
            from shared.data.items import bind_tables
            from shared.usecases.support_overview import rebuild_counters

            support.app.clock = lambda: NOW
            bind_tables(support.app.config)
            items = _claims(world.seed, max(sizes), NOW)
            _spread(items, NOW)
            notes.append(f"set up (tables, demo data): {time.perf_counter() - start:.1f} s")
            client = Client(web=world.web, support=support.lambda_handler)
            client.sign_in("Colin Chapman")
            written = 0
            for size in sorted(sizes):
                start = time.perf_counter()
                _write(items[written:size])
                for year in sorted({item.academic_year for item in items[written:size]}):
                    rebuild_counters(year)  # the Overview's counters, as every write through the store keeps them
                written = size
                notes.append(f"{size:,} claims written in {time.perf_counter() - start:.1f} s")
                for what, path in _pages(items[:size]):
                    times: list[float] = []
                    requests: Counter[str] = Counter()
                    items_read = rows = 0
                    for attempt in range(RENDERS if size in JUDGED else 1):  # 50,000: its reads, not its time
                        counter.take()
                        read.take()
                        counter.active = read.active = True
                        began = time.perf_counter()
                        page = client.get(path)
                        times.append(time.perf_counter() - began)
                        counter.active = read.active = False
                        counts, _, _ = counter.take()
                        _, scanned = read.take()
                        if attempt == 0:
                            requests, items_read = counts, scanned
                            rows = len(page.soup.select("tbody tr"))
                    costs.append(PageCost(what, size, requests, items_read, rows, min(times) * 1000))
                if on_size is not None:
                    on_size([cost for cost in costs if cost.claims == size])
    finally:
        os.environ.clear()
        os.environ.update(saved)
        from shared.config import settings

        settings.cache_clear()
    return costs, notes


def format_table(costs: Sequence[PageCost]) -> list[str]:
    floors = {c.claims: c.fastest_ms for c in costs if c.page.endswith("(the floor)")}
    lines = [f"{'page':<42} {'claims':>7} {'requests':>9} {'items read':>11} {'rows':>5} {'x floor':>8}  by operation"]
    for cost in costs:
        ratio = cost.fastest_ms / floors[cost.claims] if floors.get(cost.claims) else float("nan")
        operations = ", ".join(f"{n} {op}" for op, n in sorted(cost.requests.items()))
        lines.append(
            f"{cost.page:<42} {cost.claims:>7,} {cost.total_requests:>9} {cost.items_read:>11,} {cost.rows:>5} "
            f"{ratio:>7.1f}x  {operations}"
        )
    return lines


def format_verdicts(costs: Sequence[PageCost], sizes: tuple[int, int] = JUDGED) -> list[str]:
    """Each page's fastest time at the larger size over its time at the smaller, against `GOAL_RATIO`."""
    small, large = sizes
    times = {(c.page, c.claims): c.fastest_ms for c in costs}
    lines = []
    for page in dict.fromkeys(c.page for c in costs):
        if (page, small) not in times or (page, large) not in times:
            continue
        ratio = times[page, large] / times[page, small] if times[page, small] > 0 else float("inf")
        verdict = "within" if ratio <= GOAL_RATIO else "OVER"
        lines.append(
            f"  {page:<42} {times[page, small]:>7.1f} ms at {small:,}, {times[page, large]:>7.1f} ms at {large:,}: "
            f"{ratio:.2f}× -> {verdict} {GOAL_RATIO}×"
        )
    return lines


def _print_verdicts(options: Options, costs: Sequence[PageCost]) -> None:
    verdicts = format_verdicts(costs)
    if verdicts:
        options.print(f"VERDICT each page's time at {JUDGED[1]:,} claims over its time at {JUDGED[0]:,}:")
        for line in verdicts:
            options.print(line)


def _print_table(options: Options, costs: Sequence[PageCost]) -> None:
    for line in format_table(costs):
        options.print(line)


def run(options: Options) -> None:
    options.print(
        "Support claims list pages rendered by the support function's handler as Colin Chapman, in-process under "
        "moto; requests counted on every botocore client, items read from each response's ScannedCount."
    )
    start = time.perf_counter()
    so_far: list[PageCost] = []

    def on_size(measured: list[PageCost]) -> None:
        _print_table(options, measured)
        so_far.extend(measured)
        if measured and measured[0].claims == JUDGED[1]:  # judged as soon as measured: 50,000 takes long
            _print_verdicts(options, so_far)

    try:
        costs, notes = measure(on_size=on_size)
    except Exception as error:  # noqa: BLE001 - a benchmark reports what stopped it and exits 0
        options.print(f"NOT MEASURED: {type(error).__name__}: {error}")
        return
    for note in notes:
        options.print(f"  {note}")
    scans = sum(c.requests.get("Scan", 0) for c in costs)
    options.print(f"Scans in any page: {scans}. Whole benchmark: {time.perf_counter() - start:.0f} s.")
    options.print(
        "'x floor': the page's fastest time over the reference search's at the same size, both in this process "
        "under moto (patched as the local stack is, so that a Query reads only its partition; a Scan still reads "
        "the table, as DynamoDB's does: the requests and items read are the figures that carry over)."
    )


BENCHMARK = Benchmark(
    "claims-list", "support claims list: requests, items read and time per page at 10, 5k and 50k (goal 1.2×)", run
)
