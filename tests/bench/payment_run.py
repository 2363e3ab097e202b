"""Payment run: the claim-window state machine over 2,000 and 20,000 seeded claims of one closed window.

For each size, a fresh moto world (`mock_aws` with Step Functions executing state machines; every resource built
from `template.yaml` by `infrastructure.local.stack.provision`; the task functions run in this process by the
in-process Lambda adapter; the fake Teaching Record server knowing every mentor) is seeded with BatchWriteItem:
the claims of one closed window across many schools and providers, and the schools, providers and allowance
items those claims imply. The data is clean (each mentor at one school, one claim per mentor and provider, each
school's claims in the window under £5,000, no claim submitted by one of its mentors), so no claim is flagged and
every claim is in the file. The real state machine then runs once, with a deterministic execution name.

Measured:

- the execution's wall time (moto's start and stop dates) and claims per second;
- each state's time, from the execution history (entered → exited; a Map's iterations summed);
- per task, its AWS calls (how many, the time inside them, the items Queries returned) and Teaching Record
  lookups, from botocore `before-call`/`after-call` hooks: what is left is the task's own Python;
- with `--trace-file-task`, the peak memory of the GeneratePaymentFile task.
  `functions.generate_payment_file.app.generate_payment_file` is wrapped: `tracemalloc` traces every Python
  allocation made while it runs, and the growth of the process's peak RSS (`ru_maxrss`) is a second figure. Not by
  default: tracemalloc slows every thread of the process while it traces (moto's answers and the Map's pages
  included), which made the file task 7× slower at 500 claims (116 s traced, 17 s untraced) and the run's time
  mostly the tracer's. The timed run is untraced; the judged memory figure is measured on the task alone anyway.

Traced, moto answers the task's calls in this same process, so tracemalloc also sees what moto allocates: the claim
events and the file it stores, and its working memory while it answers (a Query's partition, the items it returns). The
benchmark splits the two at each call into moto (`BotocoreStubber.process_request`): at the call the
traced total and the peak since the previous call close an interval of the task; when moto returns, its answer is
handed to the task as a copy (as bytes off a socket would be), and what moto still holds is the growth over the
call less that copy. That split is approximate: what moto allocates outside its request handler (the response
objects it builds for botocore) and what other threads allocate meanwhile land on the task's side. So the figure
judged against the issue's goal, peak(20,000) within 1.2× of peak(2,000), is measured afterwards on the task alone
(`tests/bench/file_task_memory.py`: moto in another process, the task traced in a fresh interpreter per size); the
split and everything traced are printed beside it.

Three things about moto, not the service, are handled here and printed with the results:

- moto's TransactWriteItems deep-copies every table it touches, to roll back on failure: O(table) per call, and a
  race ("dictionary changed size during iteration") with the ValidateClaims Map's concurrent writes. As in the
  local stack and the test suites, it backs up only the items the transaction names (the same all-or-nothing
  outcome) and moto's DynamoDB answers one request at a time (`infrastructure/local/moto_dynamodb.py`).
- moto answers every Query by reading and sorting the whole table; as in the local stack, it is patched to read
  only the partition asked for (docs/adr/0042-moto-indexes.md), so time per Query no longer grows with the table.
- moto writes each item it returns by looking for each of every attribute value's ten members under six aliases
  (about 5 ms a claim item); as in the local stack, it reads those members directly
  (docs/adr/0046-moto-responses.md), the same bytes about 8× sooner; and it parses each update expression's text
  once, not twice for every claim a transaction updates (the same ADR).
- Python's cyclic garbage collector would traverse every object moto holds for the seeded tables at each
  full collection (9 of them took 14.5 s of a 125 s run at 2,000 claims); the seeded objects are frozen
  (`gc.freeze`) after seeding, as DynamoDB's storage is not in a Lambda's heap. What the run creates is
  collected as usual; the collector's runs and time are printed.
- Validating a page Queries the window's index for its claims and each of its schools' claims (on DynamoDB a
  page's reads do not depend on the window; tests/integration/test_payment_run_tasks.py counts them).
  By default `REAL_VALIDATION_PAGES` pages of each size
  are left to validate for real, spread over the window; the other claims are seeded as validated by an earlier run
  (`validated_run`), which ValidateClaims skips, as it does for a second run of a window. The full validation's
  time is projected from the real pages. `--validate-all` validates every claim.

The outcome is checked before anything is reported (every claim moved to payment_in_progress, the file has one row
per claim and its total is the claims' sum), so a broken run is never measured.

`make bench` runs the sizes of the issue; alone: `python -m tests.bench.payment_run [--quick] [--sizes N ...]
[--validate-all] [--trace-file-task]`. Times are this machine's, in-process under moto: not Lambda's or DynamoDB's.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import gc
import io
import json
import marshal
import math
import os
import random
import resource
import sys
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.bench import Benchmark, Options

__all__ = [
    "BENCHMARK",
    "GOAL_RATIO",
    "QUICK_SIZES",
    "SIZES",
    "CallTimes",
    "MemoryAccount",
    "MemoryFigures",
    "PlannedClaim",
    "PlannedMentor",
    "PlannedProvider",
    "PlannedSchool",
    "RunMeasurement",
    "SeedPlan",
    "StateTime",
    "format_calls",
    "format_states",
    "format_table",
    "main",
    "max_hours_per_claim",
    "measure",
    "measure_one",
    "plan_problems",
    "ratio",
    "real_pages",
    "seed_plan",
    "state_times",
    "verdict",
    "verdict_line",
]

SIZES: tuple[int, ...] = (2_000, 20_000)
QUICK_SIZES: tuple[int, ...] = (200, 2_000)
GOAL_RATIO = 1.2
SEED = 20261125

PAGE_SIZE = 100  # shared.usecases.payment_run_tasks.PAGE_SIZE: the pages ValidateClaims and the file task read
FILE_PAGE_SIZE = 500  # shared.usecases.payment_run_tasks.FILE_PAGE_SIZE: the claims the file task reads per Query
GROUP_SIZE = 49  # shared.data.claims.GROUP_SIZE: the claims the file task moves per transaction
REAL_VALIDATION_PAGES = 2  # pages of each size validated for real (the rest: validated by an earlier run)
MENTORS_PER_SCHOOL = 5
PROVIDERS_PER_SCHOOL = 4
CLAIMS_PER_SCHOOL = MENTORS_PER_SCHOOL * PROVIDERS_PER_SCHOOL  # one claim per mentor and provider
PROVIDERS = 40
SCHOOL_TOTAL_FLAG_PENCE = 500_000  # shared.claims.validation.SCHOOL_TOTAL_FLAG_PENCE (a unit test checks)
INITIAL_HOURS_CAP = 16  # initial training from academic year 2025 to 2026 (shared.claims.allowance)
SUBMITTER_NAME = "Bench Administrator"
WINDOW_ID = "window-bench"
EARLIER_RUN_ID = f"{WINDOW_ID}-run-0"
RUN_ID = f"{WINDOW_ID}-run-1"
CLOSED_DAYS_AGO = 3
REFERENCE_START = 40_000_000
TRN_START = 3_000_000
URN_START = 400_000
FILE_TASK = "GeneratePaymentFile"
PAGE_TASK, PLAN_TASK = "ValidateClaims:page", "ValidateClaims"  # the function's two uses, by the event's action
VALIDATION_MAP, VALIDATION_PAGE = "ValidateClaims", "ValidatePage"
MAP_CONCURRENCY = 5  # ValidateClaims' MaxConcurrency, for the projection (read from the definition when there)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("CloseWindow", "Close"),
    ("PlanValidation", "Plan"),
    ("ValidateClaims", "Validate"),
    ("SupportReview", "Review"),
    ("GeneratePaymentFile", "File"),
    ("NotifyPayer", "Notify"),
)
EXECUTION_TIMEOUT_SECONDS = 4 * 3600.0
POLL_SECONDS = 0.5
MIB = 1024 * 1024

# A district in each funding region, so schools are paid at every rate (shared.claims.regions).
DISTRICTS: tuple[tuple[str, str, int], ...] = (
    ("E09000007", "Camden", 5360),  # Inner London
    ("E09000003", "Barnet", 4825),  # Outer London
    ("E06000036", "Bracknell Forest", 4510),  # Fringe
    ("E08000035", "Leeds", 4380),  # Rest of England
)
FIRST_NAMES = ("Amara", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hari", "Isla", "Jack", "Kemi", "Leo")
LAST_NAMES = ("Adams", "Bello", "Clarke", "Dunn", "Evans", "Fox", "Gill", "Hughes", "Iqbal", "Jones", "Khan")


# -- the seed data (pure) ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlannedProvider:
    code: str
    name: str
    ukprn: str


@dataclass(frozen=True)
class PlannedMentor:
    trn: str
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class PlannedSchool:
    urn: str
    name: str
    district_admin_code: str
    local_authority_name: str
    rate_pence: int
    mentors: tuple[PlannedMentor, ...]
    provider_codes: tuple[str, ...]


@dataclass(frozen=True)
class PlannedClaim:
    reference: str
    school_urn: str
    provider_code: str
    mentor: PlannedMentor
    hours: int
    rate_pence: int
    created_at: dt.datetime
    validated_run: str | None = None  # set: validated by an earlier run, so ValidateClaims skips it

    @property
    def amount_pence(self) -> int:
        return self.hours * self.rate_pence


@dataclass(frozen=True)
class SeedPlan:
    """Everything one run needs in the tables, and the Teaching Record's teachers."""

    window_id: str
    closes_on: dt.date
    academic_year: str
    providers: tuple[PlannedProvider, ...]
    schools: tuple[PlannedSchool, ...]
    claims: tuple[PlannedClaim, ...]

    @property
    def total_pence(self) -> int:
        return sum(claim.amount_pence for claim in self.claims)

    @property
    def mentors(self) -> tuple[PlannedMentor, ...]:
        return tuple(mentor for school in self.schools for mentor in school.mentors)

    @property
    def to_validate(self) -> int:
        return sum(1 for claim in self.claims if claim.validated_run is None)

    @property
    def pages(self) -> int:
        return math.ceil(len(self.claims) / PAGE_SIZE)


def academic_year_name(day: dt.date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start} to {start + 1}"


def max_hours_per_claim(claims_per_school: int = CLAIMS_PER_SCHOOL) -> int:
    """The most hours a claim may have so that a school's claims stay at or under the £5,000 flag at the highest
    hourly rate (and no mentor passes the initial training cap with a provider)."""
    highest_rate = max(rate for _, _, rate in DISTRICTS)
    return min(SCHOOL_TOTAL_FLAG_PENCE // (claims_per_school * highest_rate), INITIAL_HOURS_CAP)


def real_pages(pages: int, wanted: int | None = REAL_VALIDATION_PAGES) -> list[int]:
    """Which pages (by index, in reference order) are validated for real: `wanted` of them, spread evenly from
    the first; every page when `wanted` is None or at least `pages`."""
    if wanted is None or wanted >= pages:
        return list(range(pages))
    if wanted < 1:
        return []
    return sorted({index * pages // wanted for index in range(wanted)})


def seed_plan(
    claims: int, closes_on: dt.date, seed: int = SEED, validate_pages: int | None = REAL_VALIDATION_PAGES
) -> SeedPlan:
    """`claims` clean claims of one closed window, with their schools, providers and mentors (deterministic).

    Each school has `MENTORS_PER_SCHOOL` mentors of its own and works with `PROVIDERS_PER_SCHOOL` of the
    `PROVIDERS` providers; it claims once per mentor and provider (the last school may claim less), one mentor per
    claim, 1 to `max_hours_per_claim()` hours at its region's rate. References run in order, so the claims of
    page `p` (of `PAGE_SIZE`) are those numbered from `p × PAGE_SIZE`; the pages `real_pages` does not pick are
    marked validated by an earlier run.
    """
    if claims < 1:
        raise ValueError(f"at least one claim, got {claims}")
    rng = random.Random(seed)
    year = academic_year_name(closes_on)
    opened = dt.datetime.combine(closes_on - dt.timedelta(days=60), dt.time(9), dt.UTC)
    providers = tuple(
        PlannedProvider(code=f"B{index:02d}", name=f"Bench Provider {index:02d}", ukprn=f"{10_090_000 + index}")
        for index in range(PROVIDERS)
    )
    codes = [provider.code for provider in providers]
    hours_limit = max_hours_per_claim()
    real = set(real_pages(math.ceil(claims / PAGE_SIZE), validate_pages))
    schools: list[PlannedSchool] = []
    planned: list[PlannedClaim] = []
    for school_index in range(math.ceil(claims / CLAIMS_PER_SCHOOL)):
        code, authority, rate = DISTRICTS[school_index % len(DISTRICTS)]
        mentors = tuple(
            PlannedMentor(
                trn=str(TRN_START + school_index * MENTORS_PER_SCHOOL + number),
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
            )
            for number in range(MENTORS_PER_SCHOOL)
        )
        school = PlannedSchool(
            urn=str(URN_START + school_index),
            name=f"Bench School {school_index:05d}",
            district_admin_code=code,
            local_authority_name=authority,
            rate_pence=rate,
            mentors=mentors,
            provider_codes=tuple(rng.sample(codes, PROVIDERS_PER_SCHOOL)),
        )
        schools.append(school)
        for provider_code in school.provider_codes:
            for mentor in mentors:
                if len(planned) == claims:
                    break
                index = len(planned)
                planned.append(
                    PlannedClaim(
                        reference=str(REFERENCE_START + index),
                        school_urn=school.urn,
                        provider_code=provider_code,
                        mentor=mentor,
                        hours=rng.randint(1, hours_limit),
                        rate_pence=rate,
                        created_at=opened + dt.timedelta(seconds=rng.randrange(50 * 24 * 3600)),
                        validated_run=None if index // PAGE_SIZE in real else EARLIER_RUN_ID,
                    )
                )
    return SeedPlan(WINDOW_ID, closes_on, year, providers, tuple(schools), tuple(planned))


def plan_problems(plan: SeedPlan) -> list[str]:
    """Whatever would make a claim fail a check or raise a flag (docs/domain.md), or collide: empty when clean."""
    problems: list[str] = []
    for label, values in (
        ("reference", [claim.reference for claim in plan.claims]),
        ("URN", [school.urn for school in plan.schools]),
        ("TRN", [mentor.trn for mentor in plan.mentors]),
        ("provider code", [provider.code for provider in plan.providers]),
    ):
        problems += [f"{label} {value} used {count} times" for value, count in Counter(values).items() if count > 1]
    schools = {school.urn: school for school in plan.schools}
    providers = {provider.code for provider in plan.providers}
    totals: Counter[str] = Counter()
    hours: Counter[tuple[str, str]] = Counter()
    claiming: dict[tuple[str, str], set[str]] = {}
    for claim in plan.claims:
        school = schools.get(claim.school_urn)
        if school is None:
            problems.append(f"claim {claim.reference}: no school {claim.school_urn}")
            continue
        if claim.provider_code not in providers:
            problems.append(f"claim {claim.reference}: no provider {claim.provider_code}")
        if claim.mentor not in school.mentors:
            problems.append(f"claim {claim.reference}: mentor {claim.mentor.trn} is not the school's")
        if claim.rate_pence != school.rate_pence:
            problems.append(f"claim {claim.reference}: rate {claim.rate_pence} is not the school's")
        if claim.mentor.full_name.strip().lower() == SUBMITTER_NAME.lower():
            problems.append(f"claim {claim.reference}: submitted by its mentor")
        if claim.hours < 1:
            problems.append(f"claim {claim.reference}: {claim.hours} hours")
        totals[claim.school_urn] += claim.amount_pence
        key = (claim.mentor.trn, claim.provider_code)
        hours[key] += claim.hours
        claiming.setdefault(key, set()).add(claim.school_urn)
    problems += [
        f"school {urn}: {pence} pence in the window, over {SCHOOL_TOTAL_FLAG_PENCE}"
        for urn, pence in totals.items()
        if pence > SCHOOL_TOTAL_FLAG_PENCE
    ]
    problems += [
        f"mentor {trn} with {code}: {used} hours, over {INITIAL_HOURS_CAP}"
        for (trn, code), used in hours.items()
        if used > INITIAL_HOURS_CAP
    ]
    problems += [
        f"mentor {trn} with {code}: claimed by {len(urns)} schools"
        for (trn, code), urns in claiming.items()
        if len(urns) > 1
    ]
    return problems


# -- execution history (pure) --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StateTime:
    """A state's time in one execution: the sum over every time it was entered, and how many times."""

    name: str
    seconds: float
    entries: int = 1


def state_times(events: Sequence[Mapping[str, Any]]) -> list[StateTime]:
    """Per state, in the order first entered: the time from each `...StateEntered` to a `...StateExited` of the
    same name, summed (a Map's iterations, even concurrent ones, sum to the same total whatever pairs with what);
    a state still running, or one with no exit event (Succeed, Fail), is left out."""
    entered: dict[str, list[dt.datetime]] = {}
    totals: dict[str, list[float]] = {}
    order: list[str] = []
    for event in events:
        kind = str(event.get("type", ""))
        if kind.endswith("StateEntered"):
            name = str(event["stateEnteredEventDetails"]["name"])
            entered.setdefault(name, []).append(_timestamp(event["timestamp"]))
            if name not in order:
                order.append(name)
        elif kind.endswith("StateExited"):
            name = str(event["stateExitedEventDetails"]["name"])
            starts = entered.get(name)
            if starts:
                totals.setdefault(name, []).append((_timestamp(event["timestamp"]) - starts.pop(0)).total_seconds())
    return [StateTime(name, sum(totals[name]), len(totals[name])) for name in order if name in totals]


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    return dt.datetime.fromisoformat(str(value))


# -- the verdict (pure) --------------------------------------------------------------------------------------------
def ratio(small: float, large: float) -> float:
    if small <= 0:
        raise ValueError(f"the smaller run's figure must be positive, got {small}")
    return large / small


def verdict(small: float, large: float, goal: float = GOAL_RATIO) -> str:
    """`within 1.2×` when the larger run's figure is at most `goal` times the smaller's, else `GROWS`."""
    return f"within {goal:g}×" if ratio(small, large) <= goal else f"GROWS (goal: within {goal:g}×)"


def verdict_line(label: str, sizes: tuple[int, int], small_bytes: int, large_bytes: int) -> str:
    """`label: 2.10 MiB at 20,000 claims / 2.00 MiB at 2,000 = 1.05× (+0.10 MiB) -> within 1.2×`."""
    small_n, large_n = sizes
    return (
        f"{label}: {large_bytes / MIB:.2f} MiB at {large_n:,} claims / {small_bytes / MIB:.2f} MiB at {small_n:,} "
        f"= {ratio(small_bytes, large_bytes):.2f}× ({(large_bytes - small_bytes) / MIB:+.2f} MiB) "
        f"-> {verdict(small_bytes, large_bytes)}"
    )


# -- memory accounting (pure: tracemalloc's numbers in, the split out) ---------------------------------------------
@dataclass
class MemoryAccount:
    """The traced memory of one task, split at each call into moto into the task's and moto's.

    Between calls only the task allocates: the peak of such an interval, less what moto holds, is the task's.
    Over a call only moto allocates (the task waits): what it still holds afterwards is the growth over the call,
    less the answer handed to the task (which the task then owns).
    """

    base: int = 0  # traced when the task started
    moto_held: int = 0  # allocated by moto during the task and still held (stored items, the file)
    peak: int = 0  # the highest traced total, above `base`
    task_peak: int = 0  # the highest of the task's own, above `base`
    moto_working_peak: int = 0  # the most moto allocated within one call, above the total when it began
    calls: int = 0

    def task_interval(self, peak: int) -> None:
        """An interval of the task's own work ended with this peak traced total."""
        self.peak = max(self.peak, peak - self.base)
        self.task_peak = max(self.task_peak, peak - self.base - self.moto_held)

    def moto_call(self, before: int, after: int, peak: int, handed_over: int) -> None:
        """A call into moto: the traced total before and after it, the peak during it, and the bytes of the
        answer given to the task (0 when moto's own objects were given, which then count as moto's)."""
        self.calls += 1
        self.peak = max(self.peak, peak - self.base)
        self.moto_working_peak = max(self.moto_working_peak, peak - before)
        self.moto_held += after - before - handed_over


# -- what one run measured -----------------------------------------------------------------------------------------
@dataclass
class MemoryFigures:
    """The file task's memory: traced peaks (all, the task's own, moto's), what moto kept, peak RSS growth."""

    peak_bytes: int = 0
    task_peak_bytes: int = 0
    moto_held_bytes: int = 0
    moto_working_peak_bytes: int = 0
    retained_bytes: int = 0
    calls: int = 0
    maxrss_growth_bytes: int = 0
    maxrss_before_bytes: int = 0
    seconds: float = 0.0
    traced: bool = True  # False: the task ran untraced (the timed run), and only `seconds` was measured


@dataclass(frozen=True)
class Invocation:
    """One task invocation: wall seconds, its thread's CPU seconds (what it costs without other threads), and the
    claims it validated (a ValidateClaims page's answer), if it says."""

    task: str
    seconds: float
    cpu_seconds: float
    validated: int | None = None


@dataclass
class CallTimes:
    """Per task: AWS calls by service, operation and index, and Teaching Record lookups; how many, the time,
    and the items Queries and Scans returned. And every task invocation."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: dict[tuple[str, str], float] = field(default_factory=dict)
    items: Counter[tuple[str, str]] = field(default_factory=Counter)
    invocations: list[Invocation] = field(default_factory=list)

    def add(self, task: str, call: str, seconds: float, items: int = 0) -> None:
        key = (task, call)
        self.counts[key] += 1
        self.seconds[key] = self.seconds.get(key, 0.0) + seconds
        self.items[key] += items

    def tasks(self) -> list[str]:
        return list(dict.fromkeys(task for task, _ in self.counts))

    def task_seconds(self, task: str) -> float:
        return sum(seconds for (name, _), seconds in self.seconds.items() if name == task)

    def of(self, task: str) -> list[tuple[str, int, float, int]]:
        """(call, count, seconds, items) of one task, the most time first."""
        rows = [
            (call, self.counts[(name, call)], self.seconds[(name, call)], self.items[(name, call)])
            for name, call in self.counts
            if name == task
        ]
        return sorted(rows, key=lambda row: row[2], reverse=True)


@dataclass
class RunMeasurement:
    claims: int
    wall_seconds: float
    states: list[StateTime]
    memory: MemoryFigures
    calls: CallTimes
    validated: int = 0  # claims the run validated for real
    pages: int = 0
    seed_seconds: float = 0.0
    file_bytes: int = 0
    schools: int = 0
    checked: str = ""
    warnings: list[str] = field(default_factory=list)
    map_concurrency: int = MAP_CONCURRENCY
    cpu_seconds: float = 0.0  # this process's CPU (every thread) from the start of the execution to its end
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average as the execution began and ended
    gc_seconds: dict[int, float] = field(
        default_factory=dict
    )  # the cyclic collector's time during the run, by generation
    gc_runs: Counter[int] = field(default_factory=Counter)

    @property
    def claims_per_second(self) -> float:
        return self.claims / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def state(self, name: str) -> StateTime | None:
        return next((state for state in self.states if state.name == name), None)

    def pages_of(self, validated: bool) -> list[Invocation]:
        """The ValidateClaims pages that validated claims (True) or found them all validated already (False)."""
        return [
            i
            for i in self.calls.invocations
            if i.task == PAGE_TASK and i.validated is not None and (i.validated > 0) == validated
        ]

    @property
    def real_page_cpu_seconds(self) -> float | None:
        """The mean CPU time of a page validated for real (its thread's: moto's answers included, other pages not)."""
        pages = self.pages_of(validated=True)
        return sum(i.cpu_seconds for i in pages) / len(pages) if pages else None

    @property
    def projected_validation_cpu_seconds(self) -> float | None:
        """Every page validated for real, in CPU seconds of this process (one interpreter runs them one at a
        time, whatever the Map's concurrency), from the real pages' mean."""
        each = self.real_page_cpu_seconds
        return None if each is None else each * self.pages


def _short(name: str) -> str:
    return dict(COLUMNS).get(name, name)


def format_table(runs: Sequence[RunMeasurement]) -> list[str]:
    """One row per size: wall time, claims per second, each step's seconds, the file task's memory."""
    steps = [name for name, _ in COLUMNS]
    widths = [max(len(_short(name)) + 2, 7) for name in steps]
    header = (
        f"{'claims':>7}  {'wall s':>7}  {'claims/s':>8}  "
        + "  ".join(f"{_short(name) + ' s':>{width}}" for name, width in zip(steps, widths, strict=True))
        + f"  {'file task peak MiB':>18}  {'of which own':>12}  {'RSS delta MiB':>13}"
    )
    lines = [header, "-" * len(header)]
    for run in runs:
        cells = []
        for name, width in zip(steps, widths, strict=True):
            state = run.state(name)
            cells.append(f"{state.seconds:>{width}.1f}" if state is not None else f"{'-':>{width}}")
        memory = run.memory
        traced = (
            f"  {memory.peak_bytes / MIB:>18.2f}  {memory.task_peak_bytes / MIB:>12.2f}  "
            f"{memory.maxrss_growth_bytes / MIB:>13.1f}"
            if memory.traced
            else f"  {'-':>18}  {'-':>12}  {'-':>13}"
        )
        lines.append(
            f"{run.claims:>7,}  {run.wall_seconds:>7.1f}  {run.claims_per_second:>8.1f}  " + "  ".join(cells) + traced
        )
    return lines


def format_states(runs: Sequence[RunMeasurement]) -> list[str]:
    """Every state of the history (a Map's iterations summed, with how many), one column per size."""
    names = list(dict.fromkeys(state.name for run in runs for state in run.states))
    width = max([len("state"), *(len(name) for name in names)])
    header = f"  {'state':<{width}}" + "".join(f"  {f'{run.claims:,} claims':>22}" for run in runs)
    lines = [header]
    for name in names:
        cells = []
        for run in runs:
            state = run.state(name)
            if state is None:
                cells.append(f"  {'-':>22}")
            else:
                times = f" ({state.entries} runs)" if state.entries > 1 else ""
                cells.append(f"  {f'{state.seconds:.2f} s{times}':>22}")
        lines.append(f"  {name:<{width}}" + "".join(cells))
    return lines


def format_calls(runs: Sequence[RunMeasurement], task: str) -> list[str]:
    """One task's calls at each size: count, time inside them, ms per call, items returned per call."""
    calls = list(dict.fromkeys(call for run in runs for call, *_ in run.calls.of(task)))
    if not calls:
        return []
    width = max(len(call) for call in calls)
    lines = [
        f"  {'call':<{width}}"
        + "".join(f"  {f'{run.claims:,}: n':>10} {'s':>7} {'ms/call':>8} {'items/call':>10}" for run in runs)
    ]
    for call in calls:
        cells = []
        for run in runs:
            row = next((r for r in run.calls.of(task) if r[0] == call), None)
            if row is None:
                cells.append(f"  {'-':>10} {'-':>7} {'-':>8} {'-':>10}")
                continue
            _, count, seconds, items = row
            per = f"{items / count:.0f}" if items else "-"
            cells.append(f"  {count:>10,} {seconds:>7.1f} {seconds / count * 1000:>8.1f} {per:>10}")
        lines.append(f"  {call:<{width}}" + "".join(cells))
    return lines


# -- measuring: hooks on botocore and moto -------------------------------------------------------------------------
@dataclass(eq=False)
class _CallTimer:
    """botocore `before-call`/`after-call` handlers: the AWS calls of the task running on each thread."""

    times: CallTimes
    current: dict[int, str] = field(default_factory=dict)  # thread id → the task running on it
    _started: dict[int, tuple[str, float]] = field(default_factory=dict)

    def before(self, *args: Any, context: Any = None, event_name: str = "", params: Any = None, **kw: Any) -> None:
        if threading.get_ident() not in self.current or context is None:
            return
        _, service, operation = [*event_name.split("."), "?", "?"][:3]
        call = f"{service} {operation}"
        if operation in {"Query", "Scan"}:
            call += f" {_index_name(params)}"
        self._started[id(context)] = (call, time.perf_counter())

    def after(self, *args: Any, context: Any = None, parsed: Any = None, **kwargs: Any) -> None:
        started = self._started.pop(id(context), None) if context is not None else None
        task = self.current.get(threading.get_ident())
        if started is None or task is None:
            return
        call, start = started
        items = len(parsed.get("Items") or ()) if isinstance(parsed, dict) else 0
        self.times.add(task, call, time.perf_counter() - start, items)

    def task(self, name: str, call: Callable[[], Any]) -> Any:
        thread = threading.get_ident()
        self.current[thread] = name
        try:
            return call()
        finally:
            self.current.pop(thread, None)


def _index_name(params: Any) -> str:
    """The table (or index) a Query names, from the request body: `ClaimsTable/window-status-index` → the index."""
    body = params.get("body") if isinstance(params, dict) else None
    try:
        data = json.loads(body or b"{}")
    except (TypeError, ValueError):
        return "?"
    if not isinstance(data, dict):
        return "?"
    index = data.get("IndexName")
    return str(index) if index else str(data.get("TableName", "?")).removeprefix("test-")


@contextmanager
def _timing_calls(timer: _CallTimer) -> Iterator[None]:
    """The timer's handlers on every botocore session created inside the block (boto3's and PynamoDB's)."""
    from botocore import handlers

    specs = [
        ("before-call.*.*", timer.before, handlers.REGISTER_FIRST),
        ("after-call.*.*", timer.after, handlers.REGISTER_LAST),
        ("after-call-error.*.*", timer.after, handlers.REGISTER_LAST),
    ]
    handlers.BUILTIN_HANDLERS.extend(specs)
    try:
        yield
    finally:
        handlers.BUILTIN_HANDLERS[:] = [e for e in handlers.BUILTIN_HANDLERS if not any(e is s for s in specs)]


def _maxrss_bytes() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024  # KiB on Linux


@dataclass(eq=False)
class _MemoryProbe:
    """Wraps the file task's use case: tracemalloc over the real call, split by `MemoryAccount` at moto's door (or,
    untraced, only the call's time)."""

    real: Callable[..., Any]
    trace: bool = True
    figures: MemoryFigures = field(default_factory=MemoryFigures)
    account: MemoryAccount | None = None
    thread: int | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.trace:
            start = time.perf_counter()
            try:
                return self.real(*args, **kwargs)
            finally:
                self.figures = MemoryFigures(seconds=time.perf_counter() - start, traced=False)
        gc.collect()
        rss = _maxrss_bytes()
        tracemalloc.start(1)
        self.account = MemoryAccount(base=tracemalloc.get_traced_memory()[0])
        tracemalloc.reset_peak()
        self.thread = threading.get_ident()
        start = time.perf_counter()
        try:
            return self.real(*args, **kwargs)
        finally:
            seconds = time.perf_counter() - start
            account, self.account, self.thread = self.account, None, None
            current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            account.task_interval(peak)
            self.figures = MemoryFigures(
                peak_bytes=account.peak,
                task_peak_bytes=account.task_peak,
                moto_held_bytes=account.moto_held,
                moto_working_peak_bytes=account.moto_working_peak,
                retained_bytes=current - account.base,
                calls=account.calls,
                maxrss_growth_bytes=_maxrss_bytes() - rss,
                maxrss_before_bytes=rss,
                seconds=seconds,
            )

    def process_request(self, original: Callable[[Any, Any], Any], stubber: Any, request: Any) -> Any:
        """moto answering one call: accounted when it is the traced task's, on its thread."""
        account = self.account
        if account is None or threading.get_ident() != self.thread:
            return original(stubber, request)
        before, peak = tracemalloc.get_traced_memory()
        account.task_interval(peak)
        tracemalloc.reset_peak()
        result = original(stubber, request)
        blob = None
        if result is not None and getattr(request, "method", "") != "GET":  # a GET's body streams on AWS
            status, headers, body = result
            try:
                blob = marshal.dumps((status, dict(headers), body))
            except ValueError:
                blob = None  # not plain data: moto's own objects are handed over, and counted as moto's
            else:
                del status, headers, body
                result = None
        after, peak = tracemalloc.get_traced_memory()
        account.moto_call(before, after, peak, sys.getsizeof(blob) if blob is not None else 0)
        tracemalloc.reset_peak()
        if blob is not None:
            result = marshal.loads(blob)
        return result


@contextmanager
def _probing(probe: _MemoryProbe) -> Iterator[None]:
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.process_request

    def process_request(stubber: Any, request: Any) -> Any:
        return probe.process_request(original, stubber, request)

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        BotocoreStubber.process_request = original  # type: ignore[method-assign]


@dataclass(eq=False)
class _Collections:
    """The cyclic garbage collector's runs and time by generation, from `gc.callbacks`, while `active`."""

    active: bool = True
    seconds: dict[int, float] = field(default_factory=dict)
    runs: Counter[int] = field(default_factory=Counter)
    _started: float = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self.active:
            generation = int(info.get("generation", -1))
            self.runs[generation] += 1
            self.seconds[generation] = self.seconds.get(generation, 0.0) + time.perf_counter() - self._started


@contextmanager
def _timing_collections() -> Iterator[_Collections]:
    collections = _Collections()
    gc.callbacks.append(collections)
    try:
        yield collections
    finally:
        gc.callbacks.remove(collections)


# -- measuring: the world, the data, the run -----------------------------------------------------------------------
def _teachers(plan: SeedPlan) -> list[Any]:
    from infrastructure.local.seed_data import SeedTeacher

    return [SeedTeacher(m.trn, m.first_name, m.last_name, dt.date(1985, 1, 1)) for m in plan.mentors]


def _seed(plan: SeedPlan) -> None:
    """The window, providers and schools with their repositories; claims and allowances with BatchWriteItem."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType, allowance_id
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.organisations import Provider, School
    from shared.claims.regions import region_for_district
    from shared.claims.statuses import ClaimStatus
    from shared.claims.windows import ClaimWindow
    from shared.data.claim_windows import ClaimWindows
    from shared.data.claims import _to_item
    from shared.data.items import AllowanceItem, ClaimItem
    from shared.data.organisations import Organisations, Providers

    year = AcademicYear.parse(plan.academic_year)
    ClaimWindows().put(
        ClaimWindow(
            window_id=plan.window_id,
            academic_year=year,
            opens_on=plan.closes_on - dt.timedelta(days=60),
            closes_on=plan.closes_on,
        )
    )
    for provider in plan.providers:
        Providers().put(
            Provider(
                code=provider.code,
                name=provider.name,
                provider_type="university",
                accredited=True,
                ukprn=provider.ukprn,
            )
        )
    organisations = Organisations()
    for school in plan.schools:  # put_school is the one mapping of a school to its item: a PutItem each
        organisations.put_school(
            School(
                organisation_id=school.urn,
                urn=school.urn,
                name=school.name,
                district_admin_code=school.district_admin_code,
                local_authority_name=school.local_authority_name,
                type_of_establishment="Community school",
                group="Local authority maintained schools",
                vendor_number=f"V{school.urn}",
                eligible_years=frozenset({plan.academic_year}),
            )
        )
    schools = {school.urn: school for school in plan.schools}
    providers = {provider.code: provider for provider in plan.providers}
    with ClaimItem.batch_write() as claims, AllowanceItem.batch_write() as allowances:
        for planned in plan.claims:
            school, mentor = schools[planned.school_urn], planned.mentor
            claim = Claim(
                reference=planned.reference,
                school_id=school.urn,
                school_name=school.name,
                provider_code=planned.provider_code,
                provider_name=providers[planned.provider_code].name,
                window_id=plan.window_id,
                academic_year=year,
                status=ClaimStatus.SUBMITTED,
                mentors=(
                    ClaimMentor(
                        trn=mentor.trn,
                        first_name=mentor.first_name,
                        last_name=mentor.last_name,
                        hours=planned.hours,
                        training_type=TrainingType.INITIAL,
                    ),
                ),
                region=region_for_district(school.district_admin_code).value,
                hourly_rate_pence=planned.rate_pence,
                amount_pence=planned.amount_pence,
                created_at=planned.created_at,
                submitted_at=planned.created_at,
                submitted_by=f"user-bench-{school.urn}",
                submitted_by_name=SUBMITTER_NAME,
                validated_run=planned.validated_run,
            )
            claims.save(_to_item(claim))
            allowances.save(
                AllowanceItem(
                    allowance_id=allowance_id(mentor.trn, planned.provider_code, year),
                    trn=mentor.trn,
                    provider_code=planned.provider_code,
                    academic_year=plan.academic_year,
                    used=planned.hours,
                    school_ids={school.urn},
                )
            )


def _check(plan: SeedPlan, run_id: str) -> tuple[str, list[str], int]:
    """The run did what it should, or RuntimeError: every claim payment_in_progress, the file one row per claim
    with the claims' total. The run record's counts are compared too (a warning: pages add to them concurrently,
    and moto's UpdateItem is not atomic across threads). A Scan: the benchmark's check, not the service's."""
    import boto3

    from shared.config import settings
    from shared.data.batches import PaymentRuns
    from shared.data.items import ClaimItem

    statuses = Counter(item.status for item in ClaimItem.scan(attributes_to_get=["claim_id", "status"]))
    if statuses != Counter({"payment_in_progress": len(plan.claims)}):
        raise RuntimeError(f"claims by status after the run: {dict(statuses)}")
    run = PaymentRuns().get(run_id)
    if run is None or not run.file_key:
        raise RuntimeError(f"no payment file recorded for {run_id}: {run}")
    owned = Counter(item.payment_run_id for item in ClaimItem.scan(attributes_to_get=["claim_id", "payment_run_id"]))
    if owned != Counter({run_id: len(plan.claims)}):
        raise RuntimeError(f"claims by owning run after the run: {dict(owned)}")
    reconciled = run.reconciliation
    if reconciled is None or not reconciled.passed:
        raise RuntimeError(f"the run's file did not reconcile: {reconciled}")
    content: bytes = (
        boto3.client("s3", region_name=settings().aws_region)
        .get_object(Bucket=settings().files_bucket, Key=run.file_key)["Body"]
        .read()
    )
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))
    references = sorted(row["claim_reference"] for row in rows)
    total = sum(int(Decimal(row["claim_amount"]) * 100) for row in rows)
    if references != sorted(claim.reference for claim in plan.claims):
        raise RuntimeError(f"the file has {len(rows)} rows ({len(set(references))} references), not the claims")
    if total != plan.total_pence:
        raise RuntimeError(f"the file's total is {total} pence, the claims' {plan.total_pence}")
    warnings: list[str] = []
    counts = dict(run.counts)
    wanted = {"validated": plan.to_validate, "flagged": 0, "in_file": len(plan.claims), "moved": len(plan.claims)}
    wrong = {key: counts.get(key) for key, value in wanted.items() if counts.get(key) != value}
    if wrong or run.row_count != len(rows) or run.total_pence != plan.total_pence:
        warnings.append(
            f"the run record says {counts}, row_count {run.row_count}, total {run.total_pence}; "
            f"expected {wanted}, {len(rows)}, {plan.total_pence}"
        )
    checked = (
        f"{len(plan.claims):,} claims in payment_in_progress; the file has {len(rows):,} rows = "
        f"{reconciled.owned:,} claims owned by the run = {reconciled.moved:,} moved (reconciliation passed), "
        f"total £{total / 100:,.2f} = the claims' sum"
    )
    return checked, warnings, len(content)


def _printed(text: str) -> list[str]:
    """What the tasks printed on stdout (set aside so the tables stay readable), as a warning when anything."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    return [f"the tasks printed {len(lines)} lines on stdout (set aside), the first: {lines[0][:160]}"]


def _validated(payload: str) -> int | None:
    try:
        answer = json.loads(payload)
    except ValueError:
        return None
    value = answer.get("validated") if isinstance(answer, dict) else None
    return int(value) if isinstance(value, int) else None


def _map_concurrency(definition: str) -> int:
    try:
        states = json.loads(definition).get("States", {})
    except ValueError:
        return MAP_CONCURRENCY
    return int(states.get(VALIDATION_MAP, {}).get("MaxConcurrency") or MAP_CONCURRENCY)


@contextmanager
def _world(plan: SeedPlan) -> Iterator[Any]:
    """A fresh moto with what template.yaml describes, tasks in this process, the fake Teaching Record."""
    from moto import mock_aws

    from infrastructure.local.fakes import API_KEY, teaching_record_server
    from infrastructure.local.lambda_adapter import in_process_lambdas
    from infrastructure.local.moto_dynamodb import (
        answer_attribute_values_directly,
        back_up_touched_items_only,
        index_queries_by_partition,
        parse_update_expressions_once,
        serialise_dynamodb,
    )
    from infrastructure.local.stack import provision
    from infrastructure.local.template import load_template
    from tests.support import ROOT, apply_test_environment, table_name

    apply_test_environment()
    serialise_dynamodb()  # as the local stack and the workflow tests (see infrastructure/local/moto_dynamodb.py)
    back_up_touched_items_only()
    index_queries_by_partition()  # as the local stack: a Query reads its partition, not the whole table
    answer_attribute_values_directly()  # and writes the items it returns out quickly (ADR 46)
    parse_update_expressions_once()  # and parses each update expression once (ADR 46)
    teaching_record = teaching_record_server(_teachers(plan))
    try:
        os.environ.update(
            {
                "TEACHING_RECORD_BASE_URL": f"http://127.0.0.1:{teaching_record.server_address[1]}",
                "TEACHING_RECORD_API_KEY": API_KEY,
                "REVIEW_TIMEOUT_SECONDS": "2",  # a flagged claim (there should be none) stops nothing for long
                "PAYER_EMAIL_ADDRESSES": "payments@payer.example.gov.uk",
            }
        )
        with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            provisioned = provision(load_template(ROOT / "template.yaml"), table_name, os.environ["FILES_BUCKET"])
            os.environ.update(provisioned.environment)
            from shared.config import settings
            from shared.data import emails, files
            from shared.data.items import ALL_ITEMS, bind_tables

            settings.cache_clear()
            files._s3.cache_clear()  # clients of an earlier world would still work, without this world's hooks
            emails._sqs.cache_clear()
            bind_tables(settings())
            for model in ALL_ITEMS:
                model._connection = None  # PynamoDB keeps one per item class
            with in_process_lambdas(provisioned.registry):
                yield provisioned
    finally:
        teaching_record.shutdown()
        teaching_record.server_close()


def _execute(arn: str, run_id: str, window_id: str) -> tuple[float, list[dict[str, Any]]]:
    """Start the run and wait for it: moto's wall time and the execution history, or RuntimeError."""
    import boto3

    from tests.support import REGION

    sfn = boto3.client("stepfunctions", region_name=REGION)
    execution = sfn.start_execution(
        stateMachineArn=arn,
        name=run_id,
        input=json.dumps({"window_id": window_id, "run_id": run_id, "trigger": "person", "started_by": "bench"}),
    )["executionArn"]
    deadline = time.monotonic() + EXECUTION_TIMEOUT_SECONDS
    while True:
        description = sfn.describe_execution(executionArn=execution)
        if description["status"] != "RUNNING":
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{run_id} still running after {EXECUTION_TIMEOUT_SECONDS:.0f} s")
        time.sleep(POLL_SECONDS)
    events: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        extra = {"nextToken": token} if token else {}
        page = sfn.get_execution_history(executionArn=execution, maxResults=1000, **extra)
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            break
    if description["status"] != "SUCCEEDED":
        failed: dict[str, Any] = next((e for e in reversed(events) if "Failed" in str(e.get("type"))), {})
        raise RuntimeError(f"{run_id} {description['status']}: {json.dumps(failed, default=str)[:2000]}")
    wall = (_timestamp(description["stopDate"]) - _timestamp(description["startDate"])).total_seconds()
    return wall, events


def measure_one(
    claims: int, validate_pages: int | None = REAL_VALIDATION_PAGES, trace_memory: bool = False
) -> RunMeasurement:
    """One size in a fresh world: seed, run the state machine once, check the outcome, and what it cost (the file
    task's memory too with `trace_memory`, which slows the run)."""
    from unittest import mock

    import boto3

    from infrastructure.local import lambda_adapter
    from tests.support import REGION

    closes_on = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=CLOSED_DAYS_AGO)
    plan = seed_plan(claims, closes_on, validate_pages=validate_pages)
    problems = plan_problems(plan)
    if problems:
        raise RuntimeError(f"the seed data is not clean: {problems[:5]}")
    saved = dict(os.environ)
    timer = _CallTimer(CallTimes())
    try:
        with ExitStack() as stack:
            stack.enter_context(_timing_calls(timer))  # before any client exists, so that every client has it
            provisioned = stack.enter_context(_world(plan))
            arn = provisioned.state_machine_arns["ClaimWindowStateMachine"]
            definition = boto3.client("stepfunctions", region_name=REGION).describe_state_machine(stateMachineArn=arn)[
                "definition"
            ]
            start = time.perf_counter()
            _seed(plan)
            seed_seconds = time.perf_counter() - start
            # The seeded tables stand for DynamoDB's storage, which is not in a Lambda's heap: the cyclic collector
            # leaves them alone (gen2 collections of 2,000 claims' moto objects took 14.5 of a 125 s run otherwise)
            gc.collect()
            gc.freeze()

            import functions.generate_payment_file.app as file_task
            import shared.usecases.payment_run_tasks as use_cases

            probe = _MemoryProbe(vars(file_task)["generate_payment_file"], trace=trace_memory)
            stack.enter_context(mock.patch.object(file_task, "generate_payment_file", probe))
            stack.enter_context(_probing(probe))
            lookup = vars(use_cases)["find_teacher"]

            def timed_lookup(*args: Any, **kwargs: Any) -> Any:
                begun = time.perf_counter()
                try:
                    return lookup(*args, **kwargs)
                finally:
                    task = timer.current.get(threading.get_ident(), PAGE_TASK)  # a page's lookups run on its workers
                    timer.times.add(task, "teaching-record GET", time.perf_counter() - begun)

            stack.enter_context(mock.patch.object(use_cases, "find_teacher", timed_lookup))
            invoke = lambda_adapter.invoke
            names = {name: logical for logical, name in provisioned.function_names.items()}

            def labelled(registry: Any, function: Any, event: Any) -> tuple[str, bool, str]:
                name = names.get(function.function_name, function.function_name).removesuffix("Function")
                payload = json.loads(event) if isinstance(event, (str, bytes)) else event
                if isinstance(payload, dict) and payload.get("action"):
                    name += f":{payload['action']}"
                wall, cpu = time.perf_counter(), time.thread_time()
                result: tuple[str, bool, str] = timer.task(name, lambda: invoke(registry, function, event))
                timer.times.invocations.append(
                    Invocation(name, time.perf_counter() - wall, time.thread_time() - cpu, _validated(result[0]))
                )
                return result

            stack.enter_context(mock.patch.object(lambda_adapter, "invoke", labelled))
            printed = stack.enter_context(contextlib.redirect_stdout(io.StringIO()))  # the tasks' prints
            collector = stack.enter_context(_timing_collections())
            load_before, cpu_before = os.getloadavg()[0], time.process_time()
            wall, events = _execute(arn, RUN_ID, plan.window_id)
            cpu, load = time.process_time() - cpu_before, (load_before, os.getloadavg()[0])
            collector.active = False
            checked, warnings, file_bytes = _check(plan, RUN_ID)
    finally:
        gc.unfreeze()
        os.environ.clear()
        os.environ.update(saved)
        from shared.config import settings

        settings.cache_clear()
    return RunMeasurement(
        claims=claims,
        wall_seconds=wall,
        states=state_times(events),
        memory=probe.figures,
        calls=timer.times,
        validated=plan.to_validate,
        pages=plan.pages,
        seed_seconds=seed_seconds,
        cpu_seconds=cpu,
        load=load,
        gc_seconds=dict(collector.seconds),
        gc_runs=collector.runs,
        file_bytes=file_bytes,
        schools=len(plan.schools),
        checked=checked,
        warnings=warnings + _printed(printed.getvalue()),
        map_concurrency=_map_concurrency(definition),
    )


def measure(
    sizes: Sequence[int] = SIZES,
    validate_pages: int | None = REAL_VALIDATION_PAGES,
    out: Callable[[str], None] | None = None,
    trace_memory: bool = False,
) -> list[RunMeasurement]:
    """Every size in turn, smallest first, each in its own world (reported as it finishes when `out` is given)."""
    runs = []
    for claims in sorted(sizes):
        start = time.perf_counter()
        run = measure_one(claims, validate_pages, trace_memory)
        runs.append(run)
        if out is not None:
            out(
                f"  {claims:,} claims: seeded in {run.seed_seconds:.1f} s, run in {run.wall_seconds:.1f} s, "
                f"{time.perf_counter() - start:.1f} s in all; {run.checked}"
            )
            for warning in run.warnings:
                out(f"    WARNING: {warning}")
    return runs


# -- reporting -----------------------------------------------------------------------------------------------------
def _print_results(options: Options, runs: Sequence[RunMeasurement]) -> None:
    options.print()
    for line in format_table(runs):
        options.print(line)
    for run in runs:
        options.print(
            f"  {run.claims:,} claims: this process used {run.cpu_seconds:.1f} CPU s (every thread) over the "
            f"run's {run.wall_seconds:.1f} s, while the machine's load average went from {run.load[0]:.1f} to "
            f"{run.load[1]:.1f} on {os.cpu_count()} CPUs (moto, the tasks and the Map's pages share one "
            "interpreter: on an idle machine the run takes about its CPU time plus its waits); Python's cyclic "
            "garbage collector ran "
            + ", ".join(
                f"{run.gc_runs[generation]:,} times for {run.gc_seconds.get(generation, 0.0):.1f} s in generation "
                f"{generation}"
                for generation in sorted(run.gc_runs)
            )
        )
    options.print(
        "  wall: the execution's start to stop (moto's dates). Steps: from the execution history (Validate: the Map). "
        "File task peak: every Python allocation traced while the task ran, above its start; of which own: the "
        "task's, PynamoDB's and botocore's, without what moto (in this process) allocated. RSS delta: growth of the "
        "process's peak RSS (ru_maxrss) during the file task, moto's stored data included."
    )
    options.print()
    _print_memory(options, runs)
    options.print()
    options.print("Each state (from the execution history; a Map's iterations summed, how many in brackets):")
    for line in format_states(runs):
        options.print(line)
    for task in (FILE_TASK, PAGE_TASK, PLAN_TASK):
        lines = format_calls(runs, task)
        if not lines:
            continue
        options.print()
        totals = "; ".join(
            f"{run.claims:,}: {run.calls.task_seconds(task):.1f} s in calls of {_invoked_seconds(run, task):.1f} s"
            for run in runs
        )
        options.print(f"{task} calls ({totals}; the rest is the task's own Python):")
        for line in lines:
            options.print(line)
    options.print()
    _print_validation(options, runs)
    options.print()
    _print_reading(options, runs)


def _invoked_seconds(run: RunMeasurement, task: str) -> float:
    return sum(invocation.seconds for invocation in run.calls.invocations if invocation.task == task)


def _print_memory(options: Options, runs: Sequence[RunMeasurement]) -> None:
    if not all(run.memory.traced for run in runs):
        options.print(
            "Memory of the file task in this run: not traced (tracemalloc would slow every thread, so the times above "
            "would be the tracer's; --trace-file-task traces it). Its memory alone is measured below."
        )
        return
    options.print("Memory of the file task (tracemalloc over the real call):")
    for run in runs:
        memory = run.memory
        options.print(
            f"  {run.claims:>7,} claims: own peak {memory.task_peak_bytes / MIB:.2f} MiB, everything traced "
            f"{memory.peak_bytes / MIB:.2f} MiB; moto kept {memory.moto_held_bytes / MIB:.2f} MiB (events, claim "
            f"versions, the file) and used up to {memory.moto_working_peak_bytes / MIB:.2f} MiB answering one of "
            f"{memory.calls:,} calls; {memory.seconds:.1f} s traced; the file {run.file_bytes / MIB:.2f} MiB; peak RSS "
            f"{memory.maxrss_before_bytes / MIB:.0f} MiB before, +{memory.maxrss_growth_bytes / MIB:.1f} MiB"
        )
    small, large = runs[0], runs[-1]
    if len(runs) < 2 or small.memory.task_peak_bytes <= 0 or small.memory.peak_bytes <= 0:
        options.print("  no verdict: it needs two sizes with a measured file task")
        return
    sizes = (small.claims, large.claims)
    own = verdict_line("file task's own peak", sizes, small.memory.task_peak_bytes, large.memory.task_peak_bytes)
    everything = verdict_line(
        "everything traced, moto included", sizes, small.memory.peak_bytes, large.memory.peak_bytes
    )
    options.print(f"  (split at moto's door; judged below on the file task alone) {own}")
    options.print(f"  (not judged: moto's storage is not the Lambda's memory) {everything}")


def _print_validation(options: Options, runs: Sequence[RunMeasurement]) -> None:
    options.print("Validation (pages of the ValidateClaims Map):")
    for run in runs:
        real, skipped = run.pages_of(validated=True), run.pages_of(validated=False)
        each = run.real_page_cpu_seconds
        if each is None:
            options.print(f"  {run.claims:,} claims: no page validated for real")
            continue
        reads = sum(items for call, _, _, items in run.calls.of(PAGE_TASK) if "Query" in call)
        skip_each = sum(i.cpu_seconds for i in skipped) / len(skipped) if skipped else None
        projected = run.projected_validation_cpu_seconds or 0.0
        options.print(
            f"  {run.claims:,} claims: {len(real)} pages validated for real, {each:.1f} CPU s each"
            + (f" ({len(skipped)} pages of claims validated earlier, {skip_each:.2f} s each)" if skip_each else "")
            + f"; the pages' Queries returned {reads / max(len(real) + len(skipped), 1):,.0f} items a page on average "
            f"(every page its own claims; real pages also their schools'). Every one of "
            f"{run.pages} pages for real: {projected:,.0f} CPU s here ({projected / 60:.0f} min)"
        )


def _print_reading(options: Options, runs: Sequence[RunMeasurement]) -> None:
    """What the numbers say, in sentences."""
    small, large = runs[0], runs[-1]
    options.print("Reading:")
    file_small, file_large = small.state(FILE_TASK), large.state(FILE_TASK)
    if file_small and file_large and len(runs) >= 2:
        inside = large.calls.task_seconds(FILE_TASK) / max(_invoked_seconds(large, FILE_TASK), 1e-9)
        growth = file_large.seconds / max(file_small.seconds, 1e-9)
        options.print(
            f"  The file task took {file_small.seconds:.1f} s for {small.claims:,} claims and "
            f"{file_large.seconds:.1f} s for {large.claims:,} ({growth:.1f}× "
            f"for {large.claims / small.claims:.0f}× the claims{'; tracemalloc on' if large.memory.traced else ''}), "
            f"{inside:.0%} of it inside calls to "
            f"moto. It reads the window {FILE_PAGE_SIZE} claims a Query (their schools in one BatchGet a page), then "
            f"moves the claims of the file {GROUP_SIZE} to a TransactWriteItems: about "
            f"{large.claims // GROUP_SIZE * 2 + large.claims // FILE_PAGE_SIZE * 2:,} DynamoDB requests for "
            f"{large.claims:,} claims, a few seconds on DynamoDB against the function's Timeout of 300 s."
        )
    pages = [
        (run.claims, row)
        for run in runs
        for row in run.calls.of(FILE_TASK)
        if row[0].startswith("dynamodb Query window-status")
    ]
    if len(pages) >= 2:
        (n1, q1), (n2, q2) = pages[0], pages[-1]
        options.print(
            f"  A page of the window's claims (Query on window-status-index, up to {FILE_PAGE_SIZE} claims) took "
            f"{q1[2] / q1[1] * 1000:.0f} ms with {n1:,} claims in the table and {q2[2] / q2[1] * 1000:.0f} ms with "
            f"{n2:,}: moto, patched as the local stack, reads the Query's partition (as DynamoDB does) and writes "
            "out its items directly; what is left is moto's copying of every item it returns, botocore's and "
            "PynamoDB's reading them, and waiting for moto's one lock while the other tasks' calls hold it."
        )
    if len(runs) >= 2 and small.memory.task_peak_bytes and large.file_bytes:
        grown = (large.memory.task_peak_bytes - small.memory.task_peak_bytes) / MIB
        file_grown = (large.file_bytes - small.file_bytes) / MIB
        options.print(
            f"  The file task's own peak grew by {grown:+.2f} MiB from {small.claims:,} to {large.claims:,} claims. "
            f"Over the same step the file grew by {file_grown:.2f} MiB (to {large.file_bytes / MIB:.2f} MiB) and "
            f"the schools in it from {small.schools:,} to {large.schools:,}. The file is spooled to a temporary file "
            "(Lambda's /tmp) and uploaded from there, and the task holds one page of claims and of their schools "
            "at a time: what it holds is set by the page, not by the window."
        )
    real_small, real_large = small.real_page_cpu_seconds, large.real_page_cpu_seconds
    if real_small and real_large and len(runs) >= 2:
        options.print(
            f"  A page of validation cost {real_small:.1f} CPU s at {small.claims:,} claims and {real_large:.1f} at "
            f"{large.claims:,} ({real_large / real_small:.1f}×). A page reads its own claims, their allowance "
            "items (BatchGet) and its schools' claims: on DynamoDB the same whatever the window, and here too now "
            "that moto's Queries read only their partitions."
        )


def run(options: Options) -> None:
    _run(options, SIZES, REAL_VALIDATION_PAGES)


def _run(options: Options, sizes: Sequence[int], validate_pages: int | None, trace_memory: bool = False) -> None:
    pages = "every page" if validate_pages is None else f"{validate_pages} pages of {PAGE_SIZE} claims"
    options.print(
        f"The claim-window state machine from template.yaml executed by moto (mock_aws, in this process, the tasks "
        f"run in-process by the Lambda adapter) over {' and '.join(f'{n:,}' for n in sorted(sizes))} clean claims of "
        f"one closed window ({CLAIMS_PER_SCHOOL} claims per school, {PROVIDERS} providers); {pages} of each size "
        "validated for real, the rest validated by an earlier run. moto's TransactWriteItems backs up the items "
        "it touches, not whole tables, a Query reads only its partition, items are written out without alias "
        "look-ups and an update expression is parsed once; the seeded tables are left out of the garbage collector "
        "(see the module docstring)"
        + ("; the file task traced by tracemalloc (slower)." if trace_memory else "; nothing traced.")
    )
    start = time.perf_counter()
    try:
        runs = measure(sizes, validate_pages, out=options.print, trace_memory=trace_memory)
    except Exception as error:  # noqa: BLE001 - a benchmark reports what stopped it and exits 0
        options.print(f"NOT MEASURED: {type(error).__name__}: {error}")
        return
    _print_results(options, runs)
    options.print()
    _print_file_task_alone(options, sizes)
    options.print()
    options.print(f"whole benchmark: {time.perf_counter() - start:.1f} s")


def _print_file_task_alone(options: Options, sizes: Sequence[int]) -> None:
    """The judged memory figure: the file task in a fresh interpreter, moto in another process (file_task_memory)."""
    from tests.bench.file_task_memory import measure_in_fresh_interpreter

    options.print(
        "Memory of the file task alone (tests/bench/file_task_memory.py: moto in another process, tracemalloc over "
        "the task in a fresh interpreter per size, responses read off a socket as on Lambda):"
    )
    measured = []
    for claims in sorted(sizes):
        try:
            one = measure_in_fresh_interpreter(claims)
        except Exception as error:  # noqa: BLE001 - a benchmark reports what stopped it and exits 0
            options.print(f"  {claims:,} claims: NOT MEASURED: {type(error).__name__}: {error}")
            return
        measured.append(one)
        options.print(
            f"  {claims:>7,} claims: peak {one.peak_bytes / MIB:.2f} MiB, still held at the end "
            f"{one.retained_bytes / MIB:.2f} MiB (clients and botocore's loaded models), {one.seconds:.1f} s "
            f"({one.claims / one.seconds:.0f} claims/s), {one.rows:,} rows, {one.moved:,} claims moved, the file "
            f"{one.file_bytes / MIB:.2f} MiB"
        )
    if len(measured) >= 2:
        small, large = measured[0], measured[-1]
        line = verdict_line("file task's peak", (small.claims, large.claims), small.peak_bytes, large.peak_bytes)
        options.print(f"  VERDICT {line}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.payment_run", description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES} instead of {SIZES}")
    group.add_argument("--sizes", type=int, nargs="+", metavar="N", help="the numbers of claims to run")
    parser.add_argument("--validate-all", action="store_true", help="validate every claim for real")
    parser.add_argument(
        "--trace-file-task",
        action="store_true",
        help="trace the file task's memory in the run (tracemalloc: the run is several times slower)",
    )
    arguments = parser.parse_args(argv)
    sizes = QUICK_SIZES if arguments.quick else tuple(arguments.sizes or SIZES)
    pages = None if arguments.validate_all else REAL_VALIDATION_PAGES
    _run(Options(runs=1, out=sys.stdout), sizes, pages, arguments.trace_file_task)
    return 0


BENCHMARK = Benchmark(
    name="payment-run",
    summary="the payment run over 2,000 and 20,000 claims: wall time, claims/s, file task peak memory (goal 1.2×)",
    run=run,
)


if __name__ == "__main__":
    raise SystemExit(main())
