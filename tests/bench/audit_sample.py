"""Choosing the audit sample among 20,000 paid claims: time, as a ratio to a floor, and peak memory.

A window's paid claims number about 20,000 nationally. The candidates are generated here with a spread like the
live service's (`paid_candidates`): most schools have one or two claims of a few hundred pounds, a few have many
(so their total passes £5,000), about one claim in twelve was submitted by one of its own mentors, and the
strata (GIAS's establishment types, phases and urban/rural classes) are uneven, as England's schools are.

Time is the median of `--runs` draws, each with its own seed, beside a floor measured in the same process:
sorting the candidates by reference, which every draw does first, so the ratio says what the rules cost over
the least a reproducible draw must do. Peak memory is `tracemalloc`'s over one more draw (not timed: tracing
slows it), with the candidates already in memory, as the audit task has them after reading its claims.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shared.claims.audit_sample import Sample, SampleCandidate, choose_sample
from tests.bench import Benchmark, Options

CLAIMS = 20_000
GOAL_SECONDS = 1.0  # well inside a task's timeout, with room for reading the claims and writing the sample

# (establishment type, weight): roughly England's mix of schools that take trainee teachers
TYPES = (
    ("Academy converter", 30),
    ("Community school", 25),
    ("Voluntary aided school", 10),
    ("Academy sponsor led", 10),
    ("Voluntary controlled school", 7),
    ("Free schools", 5),
    ("Foundation school", 4),
    ("Community special school", 3),
    ("Academy special converter", 2),
    ("Pupil referral unit", 1),
    ("Further education", 1),
    ("Other independent school", 2),
)
PHASES = (("Primary", 60), ("Secondary", 30), ("All-through", 3), ("Nursery", 2), ("16 plus", 2), ("Not applicable", 3))
PLACES = (
    ("(England/Wales) Urban major conurbation", 35),
    ("(England/Wales) Urban minor conurbation", 4),
    ("(England/Wales) Urban city and town", 40),
    ("(England/Wales) Rural town and fringe", 10),
    ("(England/Wales) Rural village", 8),
    ("(England/Wales) Rural hamlet and isolated dwellings", 3),
)
RATES_PENCE = (5_360, 4_825, 4_510, 4_380)  # the four regions' hourly rates
PROVIDERS = ("G56", "L27", "N97", "B20", "E14", "M40", "S17", "W53")


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in choices], weights=[weight for _, weight in choices])[0]


def paid_candidates(count: int = CLAIMS, seed: int = 29) -> list[SampleCandidate]:
    """`count` paid claims spread over schools as the live service's are (see the module's docstring)."""
    rng = random.Random(seed)
    candidates: list[SampleCandidate] = []
    urn = 100_000
    while len(candidates) < count:
        urn += 1
        school = (_weighted(rng, TYPES), _weighted(rng, PHASES), _weighted(rng, PLACES))
        rate = rng.choice(RATES_PENCE)
        roll = rng.random()
        claims = 1 if roll < 0.75 else rng.randint(2, 3) if roll < 0.97 else rng.randint(4, 9)
        for _ in range(min(claims, count - len(candidates))):
            mentors = rng.choices((1, 2, 3, 4, 6), weights=(60, 25, 9, 4, 2))[0]
            hours = sum(rng.choice((6, 10, 12, 16, 16, 20)) for _ in range(mentors))
            number = len(candidates)
            candidates.append(
                SampleCandidate(
                    claim_id=f"{number:032x}",
                    reference=f"{rng.randint(100, 999)}{number:05d}",  # unique, and not in claim order
                    school_id=str(urn),
                    provider_code=rng.choice(PROVIDERS),
                    amount_pence=hours * rate,
                    submitted_by_own_mentor=rng.random() < 0.08,
                    establishment_type=school[0],
                    phase=school[1],
                    urban_or_rural=school[2],
                )
            )
    return candidates


@dataclass(frozen=True)
class Measured:
    claims: int
    strata: int
    floor_seconds: float
    draw_seconds: float
    peak_bytes: int
    sample: Sample

    @property
    def ratio(self) -> float:
        return self.draw_seconds / self.floor_seconds if self.floor_seconds else float("inf")


def _median_seconds(work: Callable[[int], object], runs: int) -> float:
    times: list[float] = []
    for run in range(runs):
        gc.collect()
        start = time.perf_counter()
        work(run)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(candidates: Sequence[SampleCandidate], runs: int) -> Measured:
    floor = _median_seconds(lambda _: sorted(candidates, key=lambda c: (c.reference, c.claim_id)), runs)
    draw = _median_seconds(lambda run: choose_sample(candidates, seed=run + 1), runs)
    gc.collect()
    tracemalloc.start()
    sample = choose_sample(candidates, seed=runs + 1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measured(
        claims=len(candidates),
        strata=len(sample.strata),
        floor_seconds=floor,
        draw_seconds=draw,
        peak_bytes=peak,
        sample=sample,
    )


def lines(measured: Measured, runs: int) -> list[str]:
    sample = measured.sample
    verdict = "within" if measured.draw_seconds <= GOAL_SECONDS else "OVER"
    reasons = ", ".join(f"{reason.value} {count:,}" for reason, count in sample.by_reason.items())
    return [
        f"{measured.claims:,} paid claims (£{sample.paid_pence / 100:,.0f}) in {measured.strata} strata",
        f"draw: median {measured.draw_seconds * 1000:.0f} ms of {runs} runs ({verdict} the {GOAL_SECONDS:.0f} s goal); "
        f"floor (sorting the candidates): {measured.floor_seconds * 1000:.1f} ms; ratio {measured.ratio:.1f}x",
        f"peak memory (tracemalloc, one draw): {measured.peak_bytes / 2**20:.2f} MiB "
        f"({measured.peak_bytes / measured.claims:,.0f} bytes a claim)",
        f"sample: {len(sample.claims):,} claims, {float(sample.share):.1%} of the value ({reasons})",
    ]


def run(options: Options) -> None:
    candidates = paid_candidates()
    measured = measure(candidates, options.runs)
    for text in lines(measured, options.runs):
        options.print(text)


BENCHMARK = Benchmark(
    name="audit-sample",
    summary=f"audit sample: time (vs sorting, the floor) and peak memory choosing among {CLAIMS:,} paid claims",
    run=run,
)
