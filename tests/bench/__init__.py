"""Benchmarks run by `make bench` (`python -m tests.bench`): measurements, not tests.

A benchmark prints what it measured and how that compares with its goal; it never fails the build, so
`make bench` exits 0 whatever the numbers are. It is not part of `make test`.

Each benchmark is a module of this package exposing `BENCHMARK`, a `Benchmark`. To add one, write
`tests/bench/<name>.py` with a `BENCHMARK` and append it to `BENCHMARKS` in `tests/bench/__main__.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

__all__ = ["Benchmark", "Options"]


@dataclass(frozen=True)
class Options:
    """What every benchmark is given: how many times to repeat a measurement, and where to print."""

    runs: int
    out: TextIO

    def print(self, line: str = "") -> None:
        print(line, file=self.out, flush=True)


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: a short name for `--only`, a one-line summary, and the function that runs it."""

    name: str
    summary: str
    run: Callable[[Options], None]
