"""`make bench`: run every benchmark (or those named with `--only`) and print what they measured.

Exit code 0 whatever the numbers are: a benchmark is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Sequence

from tests.bench import (
    Benchmark,
    Options,
    audit_sample,
    audit_workflow,
    claims_list,
    cold_first_response,
    cold_start,
    cost_model,
    deadline_day,
    gias_import,
    gias_nightly,
    payment_run,
    requests_per_page,
    validation_lookups,
)

BENCHMARKS: tuple[Benchmark, ...] = (
    cold_start.BENCHMARK,
    cold_first_response.BENCHMARK,
    requests_per_page.BENCHMARK,
    claims_list.BENCHMARK,
    payment_run.BENCHMARK,
    gias_import.BENCHMARK,
    gias_nightly.BENCHMARK,
    audit_sample.BENCHMARK,
    audit_workflow.BENCHMARK,
    validation_lookups.BENCHMARK,
    deadline_day.BENCHMARK,
    cost_model.BENCHMARK,  # after deadline-day: it prices what that run measured
)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="Measure the service (not part of make test; always exits 0).",
        epilog="benchmarks: " + "; ".join(f"{b.name}: {b.summary}" for b in BENCHMARKS),
    )
    parser.add_argument("--runs", type=_positive, default=7, help="repeat each measurement N times (default 7)")
    parser.add_argument(
        "--only",
        action="append",
        choices=[benchmark.name for benchmark in BENCHMARKS],
        help="run only this benchmark (repeatable)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    options = Options(runs=arguments.runs, out=sys.stdout)
    selected = [b for b in BENCHMARKS if not arguments.only or b.name in arguments.only]
    options.print(
        f"Python {platform.python_version()} ({platform.python_implementation()}, {sys.executable}) "
        f"on {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )
    for benchmark in selected:
        options.print()
        options.print(f"== {benchmark.name}: {benchmark.summary}")
        run_isolated(benchmark, options)
    return 0


def run_isolated(benchmark: Benchmark, options: Options) -> None:
    """Run one benchmark (one that raises is reported as not measured), then put back the environment and forget
    every AWS client, setting and function module the service cached: a benchmark that started the local stack
    leaves clients pointed at its stopped endpoint, and the next one's tables would be bound to them."""
    from tests.support import forget_aws_clients

    saved = dict(os.environ)
    try:
        benchmark.run(options)
    except Exception as error:  # noqa: BLE001 - a benchmark that fails is reported, and the others still run
        options.print(f"NOT MEASURED: {benchmark.name} stopped: {type(error).__name__}: {error}")
    finally:
        os.environ.clear()
        os.environ.update(saved)
        forget_aws_clients()


if __name__ == "__main__":
    raise SystemExit(main())
