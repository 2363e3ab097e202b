"""Cold start per Lambda function: the time to import its handler module, as a ratio against a floor.

What a cold start pays before the first event is the module-level work of the handler module: imports,
settings validation, binding tables, building the router (docs/architecture.md). For every function in
`template.yaml` a fresh interpreter imports the handler module and times that import with
`time.perf_counter()`. The floor is the same measurement for the libraries every function needs anyway (boto3,
Powertools' Logger/Metrics/Tracer, pydantic, PynamoDB models, Jinja): the goal is at most 1.5× the floor.

Each interpreter runs with the environment a function gets in AWS (`tests.support.test_environment()` plus the
variables the Lambda runtime sets), nothing inherited from the shell. Sockets and DNS are blocked in the child:
a network call at import is reported as a finding (and makes that import fail), never hidden.

The measurements are interleaved (floor, every function, floor, ...) after one untimed warm-up round that writes
bytecode caches, so drift on a busy machine spreads evenly. Each child also reports the CPU time of its imports
(`time.process_time()`), judged against the floor's the same way: on a machine shared with other work the
wall-clock figures are mostly other processes' time, the CPU figures are the import's own. The median of `--runs`
runs is reported with the spread, then `python -X importtime` of the slowest function shows which imports to make
lazy.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tests.bench import Benchmark, Options

__all__ = [
    "BENCHMARK",
    "FLOOR",
    "GOAL_RATIO",
    "OBSERVABILITY",
    "ImportTime",
    "Measurement",
    "Sample",
    "Target",
    "beyond_floor",
    "budget_line",
    "child_code",
    "format_imports",
    "format_table",
    "function_targets",
    "lambda_environment",
    "median_ms",
    "parse_importtime",
    "parse_sample",
    "ratio",
    "top_beyond_floor",
    "top_cumulative",
    "top_self",
    "verdict",
]

GOAL_RATIO = 1.5
TOP = 10
TIMEOUT_SECONDS = 120
MARKER = "cold-start-bench: "

FLOOR_STATEMENTS: tuple[str, ...] = (
    "import boto3",
    "from aws_lambda_powertools import Logger, Metrics, Tracer",
    "import pydantic",
    "import pynamodb.models",
    "import jinja2",
)

# Set by the Lambda runtime itself (not by template.yaml); a shell's AWS_PROFILE or AWS_ENDPOINT_URL is not.
_RUNTIME_ENVIRONMENT = {
    "LANG": "en_US.UTF-8",
    "TZ": ":UTC",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
}


@dataclass(frozen=True)
class Target:
    """What one fresh interpreter imports: a function's handler module, or the floor's libraries."""

    name: str
    module: str | None
    statements: tuple[str, ...]
    environment: tuple[tuple[str, str | None], ...] = ()  # changes to the child's environment (None: unset)


FLOOR = Target(name="floor", module=None, statements=FLOOR_STATEMENTS)
# Not judged: what constructing Powertools' three objects adds with tracing on, as in AWS (in Lambda, so the X-Ray
# SDK's recorder is Lambda's; outside Lambda it would also build a sampler with its own botocore session). The
# functions build the Tracer only where tracing is on (ADR 0043), so here, tracing off, they do not pay this.
OBSERVABILITY = Target(
    name="floor+instances",
    module=None,
    statements=(*FLOOR_STATEMENTS, "Logger(), Metrics(), Tracer()"),
    environment=(
        ("LAMBDA_TASK_ROOT", "/var/task"),
        ("POWERTOOLS_TRACE_DISABLED", None),
        ("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:2000"),
    ),
)


@dataclass(frozen=True)
class Sample:
    """One interpreter's result: the import time, the network calls it tried, the error if the import failed."""

    seconds: float | None
    network: tuple[str, ...] = ()
    error: str | None = None
    cpu_seconds: float | None = None  # time.process_time() over the same imports


@dataclass
class Measurement:
    """Every sample of one target."""

    target: Target
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> list[float]:
        return [sample.seconds for sample in self.samples if sample.seconds is not None and sample.error is None]

    @property
    def errors(self) -> list[str]:
        return sorted({sample.error for sample in self.samples if sample.error is not None})

    @property
    def network(self) -> list[str]:
        return sorted({call for sample in self.samples for call in sample.network})

    @property
    def median_ms(self) -> float | None:
        return median_ms(self.seconds) if self.seconds and not self.errors else None

    def cpu_view(self) -> Measurement:
        """The same samples with their CPU time as their time (for the CPU table)."""
        return Measurement(
            self.target,
            [
                replace(sample, seconds=sample.cpu_seconds if sample.seconds is not None else None)
                for sample in self.samples
            ],
        )


@dataclass(frozen=True)
class ImportTime:
    """One line of `python -X importtime`: microseconds, nesting depth, and the module that imported it."""

    module: str
    self_us: int
    cumulative_us: int
    depth: int
    imported_by: str | None = None
    beyond_floor_us: int | None = None  # set by `beyond_floor`: self time of it and its non-floor imports


# -- pure parts --------------------------------------------------------------------------------------------------
def median_ms(seconds: Sequence[float]) -> float:
    """The median of durations in seconds, in milliseconds."""
    if not seconds:
        raise ValueError("no samples")
    return statistics.median(seconds) * 1000


def ratio(value_ms: float, floor_ms: float) -> float:
    if floor_ms <= 0:
        raise ValueError(f"the floor must be positive, got {floor_ms}")
    return value_ms / floor_ms


def verdict(value_ms: float, floor_ms: float, goal: float = GOAL_RATIO) -> str:
    """`meets` when within `goal` × the floor, else `MISSES` with how far over the budget it is."""
    if ratio(value_ms, floor_ms) <= goal:
        return "meets"
    return f"MISSES (+{value_ms - goal * floor_ms:.0f} ms over)"


def budget_line(floor_ms: float, goal: float = GOAL_RATIO) -> str:
    return f"goal: a handler import takes at most {goal:g}× the floor = {goal * floor_ms:.0f} ms"


def function_targets(handlers: Mapping[str, tuple[str, str]]) -> list[Target]:
    """`function_handlers(template)` → one target per function, importing its handler module."""
    from infrastructure.local.stack import function_module

    targets = []
    for logical_id, (code_uri, handler) in handlers.items():
        module, _ = function_module(code_uri, handler)
        targets.append(Target(name=logical_id, module=module, statements=(f"import {module}",)))
    return targets


def lambda_environment(function_name: str) -> dict[str, str]:
    """The whole environment of a child interpreter: the functions' test environment and the runtime's own."""
    from tests.support import test_environment

    return {**test_environment(), **_RUNTIME_ENVIRONMENT, "AWS_LAMBDA_FUNCTION_NAME": function_name}


_CHILD_PREAMBLE = """\
import socket
import time

_network = []
_error = None


def _blocked(kind, target):
    _network.append(f"{kind} {target!r}")
    raise OSError(f"blocked by the cold-start benchmark: {kind} {target!r} during import")


socket.socket.connect = lambda self, address, *a, **k: _blocked("connect", address)
socket.socket.connect_ex = lambda self, address, *a, **k: _blocked("connect", address)
socket.create_connection = lambda address, *a, **k: _blocked("connect", address)
socket.getaddrinfo = lambda host, port, *a, **k: _blocked("getaddrinfo", (host, port))
socket.gethostbyname = lambda host: _blocked("gethostbyname", host)
socket.gethostbyname_ex = lambda host: _blocked("gethostbyname", host)
socket.gethostbyaddr = lambda address: _blocked("gethostbyaddr", address)
"""


def child_code(statements: Sequence[str]) -> str:
    """The program a fresh interpreter runs: block the network, time the imports, print one result line."""
    body = "".join(f"    {statement}\n" for statement in statements)
    return (
        _CHILD_PREAMBLE
        + "_start = time.perf_counter()\n"
        + "_cpu_start = time.process_time()\n"
        + "try:\n"
        + body
        + "except BaseException as exception:\n"
        + "    _error = f'{type(exception).__name__}: {exception}'\n"
        + "_seconds = time.perf_counter() - _start\n"
        + "_cpu_seconds = time.process_time() - _cpu_start\n"
        + "import json\n"
        + f"print('\\n{MARKER}' + json.dumps({{'seconds': _seconds, 'cpu_seconds': _cpu_seconds, "
        + "'network': _network, 'error': _error}))\n"
    )


def parse_sample(stdout: str, stderr: str = "", returncode: int = 0) -> Sample:
    """The child's result line (the last line starting with the marker; handlers may print logs before it)."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARKER):
            data: dict[str, Any] = json.loads(line.removeprefix(MARKER))
            cpu = data.get("cpu_seconds")
            return Sample(
                seconds=float(data["seconds"]),
                network=tuple(str(call) for call in data.get("network") or ()),
                error=data.get("error"),
                cpu_seconds=None if cpu is None else float(cpu),
            )
    last = (stderr.strip().splitlines() or ["no output"])[-1]
    return Sample(seconds=None, error=f"interpreter exited {returncode} without a result: {last}")


def parse_importtime(stderr: str) -> list[ImportTime]:
    """The entries of `python -X importtime` output, in its order (a module after everything it imported).

    Lines look like `import time:       626 |     112948 |     shared.observability`; two spaces of indent
    per level of nesting. Other stderr lines and the header are skipped.
    """
    raw: list[tuple[str, int, int, int]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3:
            continue
        self_text, cumulative_text, name = parts
        if not (self_text.strip().isdigit() and cumulative_text.strip().isdigit()):
            continue  # the header
        indent = len(name) - len(name.lstrip(" ")) - 1  # one space follows the `|`
        raw.append((name.strip(), int(self_text), int(cumulative_text), max(indent, 0) // 2))

    entries: list[ImportTime] = []
    for index, (module, self_us, cumulative_us, depth) in enumerate(raw):
        # The importer is the next entry one level up: importtime prints a module after its imports.
        imported_by = next((later[0] for later in raw[index + 1 :] if later[3] < depth), None)
        entries.append(ImportTime(module, self_us, cumulative_us, depth, imported_by))
    return entries


def _deduplicated(entries: Sequence[ImportTime]) -> list[ImportTime]:
    """One entry per module (a circular import can list a module twice), keeping its largest cumulative."""
    best: dict[str, ImportTime] = {}
    for entry in entries:
        if entry.module not in best or entry.cumulative_us > best[entry.module].cumulative_us:
            best[entry.module] = entry
    return list(best.values())


def top_cumulative(entries: Sequence[ImportTime], count: int = TOP) -> list[ImportTime]:
    return sorted(_deduplicated(entries), key=lambda entry: entry.cumulative_us, reverse=True)[:count]


def top_self(entries: Sequence[ImportTime], count: int = TOP) -> list[ImportTime]:
    return sorted(_deduplicated(entries), key=lambda entry: entry.self_us, reverse=True)[:count]


def beyond_floor(entries: Sequence[ImportTime], floor: Sequence[ImportTime]) -> list[ImportTime]:
    """The entries for modules the floor does not import, each with what it costs on top of the floor.

    A module's cumulative time includes floor libraries it happened to import first (`shared.config` pulling in
    pydantic); `beyond_floor_us` counts only the self time of the module and of its non-floor imports, which is
    what making it lazy (or removing it) would save against the floor.
    """
    floor_modules = {entry.module for entry in floor}
    extra: list[ImportTime] = []
    for index, entry in enumerate(entries):
        if entry.module in floor_modules:
            continue
        total = entry.self_us
        for earlier in reversed(entries[:index]):  # its imports come just before it, one level deeper or more
            if earlier.depth <= entry.depth:
                break
            if earlier.module not in floor_modules:
                total += earlier.self_us
        extra.append(replace(entry, beyond_floor_us=total))
    return extra


def top_beyond_floor(entries: Sequence[ImportTime], count: int = TOP) -> list[ImportTime]:
    return sorted(_deduplicated(entries), key=lambda entry: entry.beyond_floor_us or 0, reverse=True)[:count]


def format_imports(entries: Sequence[ImportTime]) -> list[str]:
    """Rows of import times; a `beyond floor ms` column first when the entries have it."""
    width = max([len("module"), *(len(entry.module) for entry in entries)])
    extra = any(entry.beyond_floor_us is not None for entry in entries)
    first = "beyond floor ms  " if extra else ""
    lines = [f"  {first}{'cumulative ms':>13}  {'self ms':>8}  {'module':<{width}}  imported by"]
    for entry in entries:
        beyond = f"{(entry.beyond_floor_us or 0) / 1000:15.1f}  " if extra else ""
        lines.append(
            f"  {beyond}{entry.cumulative_us / 1000:13.1f}  {entry.self_us / 1000:8.1f}  {entry.module:<{width}}  "
            f"{entry.imported_by or '(top level)'}"
        )
    return lines


def _describe(target: Target) -> str:
    return target.module or f"({'; '.join(target.statements)})"


def format_table(measurements: Sequence[Measurement], floor_ms: float, goal: float = GOAL_RATIO) -> list[str]:
    """One row per target: median, spread, ratio to the floor and the verdict against the goal.

    The floor's row says so; a target without a handler module other than the floor is a reference row, shown
    for comparison and not judged.
    """
    name_width = max([len("function"), *(len(m.target.name) for m in measurements)])
    module_width = max([len("imports"), *(len(m.target.module or "") for m in measurements)])
    header = (
        f"{'function':<{name_width}}  {'imports':<{module_width}}  {'median ms':>9}  {'min-max ms':>10}  "
        f"{'x floor':>7}  goal <= {goal:g}x"
    )
    lines = [header, "-" * len(header)]
    for measurement in measurements:
        target = measurement.target
        value = measurement.median_ms
        start = f"{target.name:<{name_width}}  {target.module or '(see below)':<{module_width}}"
        if value is None:
            problem = "; ".join(measurement.errors) or "no samples"
            lines.append(f"{start}  {'-':>9}  {'-':>10}  {'-':>7}  IMPORT FAILED: {problem}")
            continue
        spread = f"{min(measurement.seconds) * 1000:.0f}-{max(measurement.seconds) * 1000:.0f}"
        if target.module is None:
            judged = "(the floor)" if target == FLOOR else "(reference, not judged)"
        else:
            judged = verdict(value, floor_ms, goal)
        lines.append(f"{start}  {value:9.1f}  {spread:>10}  {ratio(value, floor_ms):6.2f}x  {judged}")
    unnamed = [m.target for m in measurements if m.target.module is None]
    lines.extend(f"  {target.name}: {_describe(target)}" for target in unnamed)
    return lines


# -- measuring ---------------------------------------------------------------------------------------------------
def _run_child(target: Target, extra_flags: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    from tests.support import ROOT

    environment = lambda_environment(target.name)
    for name, value in target.environment:
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, *extra_flags, "-c", child_code(target.statements)],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def _sample(target: Target) -> Sample:
    try:
        completed = _run_child(target)
    except subprocess.TimeoutExpired:
        return Sample(seconds=None, error=f"no result within {TIMEOUT_SECONDS} s")
    return parse_sample(completed.stdout, completed.stderr, completed.returncode)


def _importtime(target: Target) -> list[ImportTime]:
    """`python -X importtime` of a target (empty when the interpreter does not finish in time)."""
    try:
        completed = _run_child(target, ("-X", "importtime"))
    except subprocess.TimeoutExpired:
        return []
    return parse_importtime(completed.stderr)


def _progress(text: str) -> None:
    if sys.stderr.isatty():
        print(text, end="", file=sys.stderr, flush=True)


def measure(targets: Sequence[Target], runs: int) -> list[Measurement]:
    """One untimed warm-up round, then `runs` interleaved rounds over every target."""
    _progress("warming up")
    for target in targets:
        _sample(target)
    measurements = [Measurement(target) for target in targets]
    for round_number in range(1, runs + 1):
        _progress(f" {round_number}")
        for measurement in measurements:
            measurement.samples.append(_sample(measurement.target))
    _progress("\n")
    return measurements


def run(options: Options) -> None:
    from infrastructure.local.template import function_handlers, load_template
    from tests.support import ROOT

    functions_only = function_targets(function_handlers(load_template(ROOT / "template.yaml")))
    targets = [FLOOR, OBSERVABILITY, *functions_only]
    options.print(
        f"{len(targets)} kinds of fresh interpreter ({len(functions_only)} functions, the floor and a reference) "
        f"x {options.runs} runs, interleaved after one warm-up round; network blocked; the environment of "
        "tests.support.test_environment() (tracing disabled) and the Lambda runtime's variables"
    )
    measurements = measure(targets, options.runs)
    floor = measurements[0]
    functions = [m for m in measurements if m.target.module is not None]
    floor_ms = floor.median_ms
    if floor_ms is None:
        options.print(f"The floor itself failed to import: {'; '.join(floor.errors)}. Nothing to compare against.")
        return

    options.print(budget_line(floor_ms))
    options.print()
    for line in format_table(measurements, floor_ms):
        options.print(line)

    options.print()
    with_network = [m for m in measurements if m.network]
    if with_network:
        options.print("FINDING: network calls at import (blocked here; in AWS they would slow every cold start):")
        for measurement in with_network:
            options.print(f"  {measurement.target.name}: {', '.join(measurement.network)}")
    else:
        options.print("No network call was attempted at import by the floor or any function.")

    failed = [m.target.name for m in functions if m.median_ms is None]
    missing = [m.target.name for m in functions if m.median_ms is not None and m.median_ms > GOAL_RATIO * floor_ms]
    if failed:
        options.print(f"Import FAILED (not measured): {', '.join(failed)}")
    if missing:
        options.print(f"MISS the goal (> {GOAL_RATIO:g}x the floor): {', '.join(missing)}")
    elif not failed:
        options.print(f"Every function meets the goal (<= {GOAL_RATIO:g}x the floor).")
    _print_cpu(options, measurements)
    _print_tracing_note(options, measurements)

    measured = [m for m in functions if m.median_ms is not None]
    if not measured:
        return
    slowest = max(measured, key=lambda m: m.median_ms or 0.0)
    entries = _importtime(slowest.target)
    floor_entries = _importtime(FLOOR)
    options.print()
    if not entries or not floor_entries:
        options.print(f"python -X importtime of {slowest.target.name} or the floor gave no result in time.")
        return
    options.print(
        f"Slowest: {slowest.target.name} ({slowest.target.module}). "
        f"python -X importtime, top {TOP} by cumulative time (one run, includes importtime's own overhead):"
    )
    for line in format_imports(top_cumulative(entries)):
        options.print(line)
    extra = beyond_floor(entries, floor_entries)
    options.print()
    options.print(
        f"Not imported by the floor: {len(_deduplicated(extra))} modules, "
        f"{sum(entry.self_us for entry in _deduplicated(extra)) / 1000:.0f} ms of self time. Top {TOP} by time "
        "beyond the floor (self time of the module and its non-floor imports: what making it lazy would save):"
    )
    for line in format_imports(top_beyond_floor(extra)):
        options.print(line)
    options.print()
    options.print(f"Top {TOP} of those by self time (work done in the module body itself):")
    for line in format_imports(top_self(extra)):
        options.print(line)


def _print_cpu(options: Options, measurements: Sequence[Measurement]) -> None:
    """The same imports by CPU time: what the import itself computes, which other processes on a shared machine
    do not inflate (the wall-clock spread above is mostly theirs). Lambda gives a 512 MB function a share of one
    vCPU, so this work is what a cold start waits for there, stretched by that share."""
    cpu = [measurement.cpu_view() for measurement in measurements]
    floor_ms = cpu[0].median_ms
    if floor_ms is None:
        return
    options.print()
    options.print(f"CPU time of the same imports (time.process_time()), {budget_line(floor_ms)}:")
    for line in format_table(cpu, floor_ms):
        options.print(line)
    functions = [m for m in cpu if m.target.module is not None and m.median_ms is not None]
    missing = [m.target.name for m in functions if (m.median_ms or 0.0) > GOAL_RATIO * floor_ms]
    if missing:
        options.print(f"By CPU time, MISS the goal (> {GOAL_RATIO:g}x the floor): {', '.join(missing)}")
    else:
        options.print(f"By CPU time, every function meets the goal (<= {GOAL_RATIO:g}x the floor).")


def _print_tracing_note(options: Options, measurements: Sequence[Measurement]) -> None:
    """Tracing is off here; in AWS it is on, and every function's cold start also imports the X-Ray SDK."""
    by_name = {m.target.name: m.cpu_view().median_ms for m in measurements}
    floor_ms, traced_ms = by_name.get(FLOOR.name), by_name.get(OBSERVABILITY.name)
    if floor_ms is None or traced_ms is None:
        return
    options.print(
        f"Tracing is off here, so no function imports the X-Ray SDK (ADR 0043). In AWS it is on: building "
        f"Powertools' three utilities with it, in Lambda's mode ({OBSERVABILITY.name}), costs "
        f"{traced_ms - floor_ms:.0f} ms of CPU on top of the floor, paid by each function's cold start, except "
        "WebFunction's and SupportFunction's, which SnapStart pays once per published version."
    )


BENCHMARK = Benchmark(
    name="cold-start",
    summary=f"import time of each Lambda handler module vs a floor of its libraries (goal <= {GOAL_RATIO:g}x)",
    run=run,
)
