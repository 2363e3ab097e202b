"""The pure parts of `make bench`: statistics, verdicts, tables and the `-X importtime` parser (no subprocesses)."""

from __future__ import annotations

import io

import pytest

from tests.bench import Options
from tests.bench.__main__ import BENCHMARKS, _parser
from tests.bench.cold_start import (
    FLOOR,
    MARKER,
    OBSERVABILITY,
    ImportTime,
    Measurement,
    Sample,
    Target,
    beyond_floor,
    budget_line,
    child_code,
    format_imports,
    format_table,
    function_targets,
    lambda_environment,
    median_ms,
    parse_importtime,
    parse_sample,
    ratio,
    top_beyond_floor,
    top_cumulative,
    top_self,
    verdict,
)

# Trimmed from a real `python -X importtime -c "import functions.web.app"`, with a stray warning line and a
# circular import that lists `pynamodb.connection.base` twice.
IMPORTTIME_STDERR = """\
import time: self [us] | cumulative | imported package
import time:       230 |        230 |   _io
some warning printed by a library
import time:       221 |        221 |         wrapt.wrappers
import time:     99673 |      99894 |       aws_xray_sdk.core
import time:       327 |     100221 |     shared.observability
import time:      5000 |       5000 |               botocore.config
import time:      1212 |       6212 |             pynamodb.connection.base
import time:       110 |       6322 |           pynamodb.connection
import time:        23 |       6345 |         pynamodb.connection.base
import time:      1191 |       7536 |       pynamodb.models
import time:      5603 |      13139 |     shared.data.items
import time:       358 |     113718 |   shared.web.app
import time:      1109 |     115057 | functions.web.app
"""


def _target(name: str = "WebFunction") -> Target:
    return Target(name=name, module=f"functions.{name.lower()}.app", statements=(f"import {name}",))


def _measurement(target: Target, *milliseconds: float, error: str | None = None) -> Measurement:
    samples = [Sample(seconds=ms / 1000) for ms in milliseconds]
    if error is not None:
        samples.append(Sample(seconds=None, error=error))
    return Measurement(target, samples)


# -- statistics and verdicts -------------------------------------------------------------------------------------
def test_median_of_an_odd_number_of_runs_is_the_middle_one_in_milliseconds() -> None:
    # Given seven runs in seconds, one an outlier
    runs = [0.30, 0.31, 0.29, 0.90, 0.305, 0.295, 0.32]
    # When / Then the median ignores the outlier
    assert median_ms(runs) == pytest.approx(305.0)


def test_median_of_an_even_number_of_runs_is_the_mean_of_the_middle_two() -> None:
    assert median_ms([0.1, 0.2, 0.3, 0.4]) == pytest.approx(250.0)


def test_median_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        median_ms([])


def test_ratio_is_against_the_floor() -> None:
    assert ratio(300.0, 200.0) == pytest.approx(1.5)


def test_ratio_needs_a_positive_floor() -> None:
    with pytest.raises(ValueError, match="positive"):
        ratio(300.0, 0.0)


@pytest.mark.parametrize(
    ("value_ms", "expected"),
    [
        (200.0, "meets"),
        (300.0, "meets"),  # exactly 1.5× is within the goal
        (301.0, "MISSES (+1 ms over)"),
        (450.0, "MISSES (+150 ms over)"),
    ],
)
def test_verdict_against_one_and_a_half_times_the_floor(value_ms: float, expected: str) -> None:
    assert verdict(value_ms, floor_ms=200.0) == expected


def test_verdict_takes_another_goal() -> None:
    assert verdict(250.0, floor_ms=200.0, goal=1.2) == "MISSES (+10 ms over)"


def test_budget_line_states_the_goal_in_milliseconds() -> None:
    assert budget_line(200.0) == "goal: a handler import takes at most 1.5× the floor = 300 ms"


# -- measurements and the table ----------------------------------------------------------------------------------
def test_a_measurement_with_a_failed_import_has_no_median() -> None:
    # Given runs that succeeded and one that failed
    measurement = _measurement(_target(), 300, 310, error="ModuleNotFoundError: No module named 'x'")
    # Then the median is withheld and the error kept
    assert measurement.median_ms is None
    assert measurement.errors == ["ModuleNotFoundError: No module named 'x'"]


def test_a_measurement_collects_network_calls_once_each() -> None:
    calls = ("connect ('169.254.169.254', 80)",)
    measurement = Measurement(_target(), [Sample(0.3, network=calls), Sample(0.3, network=calls)])
    assert measurement.network == ["connect ('169.254.169.254', 80)"]


def test_table_has_a_row_per_target_with_median_spread_ratio_and_verdict() -> None:
    # Given the floor, the reference, a fast and a slow function, and one that cannot be imported
    measurements = [
        _measurement(FLOOR, 190, 200, 210),
        _measurement(OBSERVABILITY, 290, 300, 310),
        _measurement(_target("Fast"), 250, 260, 270),
        _measurement(_target("Slow"), 400, 450, 500),
        _measurement(_target("Broken"), error="ImportError: boom"),
    ]
    # When the table is formatted against the floor's median
    lines = format_table(measurements, floor_ms=200.0)
    rows = {line.split()[0]: line for line in lines[2:]}
    # Then each row says what it measured and how it compares
    assert "goal <= 1.5x" in lines[0]
    assert set(lines[1]) == {"-"}
    assert rows["floor"].split()[3:] == ["200.0", "190-210", "1.00x", "(the", "floor)"]
    assert rows["floor+instances"].endswith("1.50x  (reference, not judged)")
    assert rows["Fast"].split()[1:] == ["functions.fast.app", "260.0", "250-270", "1.30x", "meets"]
    assert rows["Slow"].endswith("2.25x  MISSES (+150 ms over)")
    assert rows["Broken"].endswith("IMPORT FAILED: ImportError: boom")
    # And the floor's imports are spelled out
    assert any(line.strip().startswith("floor: (import boto3;") for line in lines)


def test_table_columns_line_up() -> None:
    measurements = [_measurement(FLOOR, 200), _measurement(_target("AVeryLongFunctionNameIndeed"), 300)]
    lines = format_table(measurements, floor_ms=200.0)
    assert len({len(line) for line in lines[:2]}) == 1
    assert lines[2].index("200.0") == lines[3].index("300.0")


# -- the child interpreter ---------------------------------------------------------------------------------------
def test_child_code_is_valid_python_that_times_the_statements() -> None:
    code = child_code(["import json", "from os import path"])
    compile(code, "<child>", "exec")
    assert "    import json\n    from os import path\n" in code
    assert code.index("_start = time.perf_counter()") < code.index("import json\n")


def test_child_code_blocks_the_network_before_timing() -> None:
    code = child_code(["import boto3"])
    assert code.index("socket.socket.connect =") < code.index("_start = time.perf_counter()")
    assert "socket.getaddrinfo =" in code


def test_parse_sample_reads_the_last_marker_line_after_any_logs() -> None:
    stdout = (
        f'{{"level": "INFO", "message": "cold start"}}\n\n{MARKER}{{"seconds": 0.25, "network": [], "error": null}}\n'
    )
    assert parse_sample(stdout) == Sample(seconds=0.25)


def test_parse_sample_reads_the_cpu_time_and_the_cpu_view_judges_by_it() -> None:
    # Given a child's line with both times
    sample = parse_sample(f'{MARKER}{{"seconds": 0.5, "cpu_seconds": 0.2, "network": [], "error": null}}')
    assert sample == Sample(seconds=0.5, cpu_seconds=0.2)
    # When its measurement is seen by CPU time / Then the CPU time is its time
    assert Measurement(_target(), [sample, Sample(seconds=None, error="boom")]).cpu_view().seconds == [0.2]


def test_parse_sample_keeps_network_calls_and_errors() -> None:
    stdout = f'{MARKER}{{"seconds": 0.1, "network": ["connect (\'10.0.0.1\', 443)"], "error": "OSError: blocked"}}'
    sample = parse_sample(stdout)
    assert sample.network == ("connect ('10.0.0.1', 443)",)
    assert sample.error == "OSError: blocked"


def test_parse_sample_without_a_result_reports_the_last_stderr_line() -> None:
    sample = parse_sample("", "Traceback ...\nSegmentation fault\n", -11)
    assert sample.seconds is None
    assert sample.error == "interpreter exited -11 without a result: Segmentation fault"


def test_function_targets_import_each_handler_module() -> None:
    handlers = {"WebFunction": ("functions/web/", "app.lambda_handler")}
    assert function_targets(handlers) == [
        Target(name="WebFunction", module="functions.web.app", statements=("import functions.web.app",))
    ]


def test_children_get_the_aws_environment_and_nothing_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a developer shell pointing at a local endpoint with a profile
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    monkeypatch.setenv("AWS_PROFILE", "dev")
    # When the child environment is built
    environment = lambda_environment("WebFunction")
    # Then it is the test environment plus the runtime's variables, and nothing else
    assert "AWS_ENDPOINT_URL" not in environment
    assert "AWS_PROFILE" not in environment
    assert environment["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == "WebFunction"
    assert environment["CLAIMS_TABLE"] == "test-ClaimsTable"


# -- -X importtime -----------------------------------------------------------------------------------------------
def test_importtime_parser_reads_every_entry_with_depth_and_importer() -> None:
    entries = parse_importtime(IMPORTTIME_STDERR)
    assert len(entries) == 12  # header and the warning skipped
    top = entries[-1]
    assert top == ImportTime("functions.web.app", 1109, 115057, depth=0, imported_by=None)
    xray = next(entry for entry in entries if entry.module == "aws_xray_sdk.core")
    assert (xray.self_us, xray.cumulative_us, xray.depth, xray.imported_by) == (
        99673,
        99894,
        3,
        "shared.observability",
    )
    assert next(e for e in entries if e.module == "shared.web.app").imported_by == "functions.web.app"
    assert next(e for e in entries if e.module == "botocore.config").imported_by == "pynamodb.connection.base"


def test_importtime_parser_ignores_text_that_is_not_importtime() -> None:
    assert parse_importtime("Traceback (most recent call last):\nimport time: garbage\n") == []


def test_top_cumulative_lists_each_module_once_largest_first() -> None:
    top = top_cumulative(parse_importtime(IMPORTTIME_STDERR), count=4)
    assert [entry.module for entry in top] == [
        "functions.web.app",
        "shared.web.app",
        "shared.observability",
        "aws_xray_sdk.core",
    ]
    assert [e.module for e in top_cumulative(parse_importtime(IMPORTTIME_STDERR))].count(
        "pynamodb.connection.base"
    ) == 1


def test_top_self_finds_the_module_doing_work_in_its_body() -> None:
    assert top_self(parse_importtime(IMPORTTIME_STDERR), count=1)[0].module == "aws_xray_sdk.core"


def test_beyond_floor_counts_only_what_the_floor_does_not_import() -> None:
    # Given a floor that imports pynamodb (and so botocore)
    entries = parse_importtime(IMPORTTIME_STDERR)
    floor = [
        ImportTime(module, 1, 1, 0)
        for module in ("_io", "pynamodb.models", "pynamodb.connection", "pynamodb.connection.base", "botocore.config")
    ]
    # When the function's entries are compared with it
    extra = {entry.module: entry.beyond_floor_us for entry in beyond_floor(entries, floor)}
    # Then floor modules are gone, and a module's cost excludes the floor libraries it happened to import first
    assert "pynamodb.models" not in extra
    assert "_io" not in extra
    assert extra["shared.data.items"] == 5603
    assert extra["shared.observability"] == 327 + 99673 + 221
    assert extra["functions.web.app"] == 1109 + 358 + 5603 + 327 + 99673 + 221
    ranked = top_beyond_floor(beyond_floor(entries, floor), count=2)
    assert [entry.module for entry in ranked] == ["functions.web.app", "shared.web.app"]


def test_format_imports_shows_the_beyond_floor_column_only_when_known() -> None:
    plain = format_imports([ImportTime("jinja2", 1000, 70000, 1, "shared.web.render")])
    assert plain[0].split() == ["cumulative", "ms", "self", "ms", "module", "imported", "by"]
    assert plain[1].split() == ["70.0", "1.0", "jinja2", "shared.web.render"]
    extra = format_imports([ImportTime("x", 1000, 2000, 0, None, beyond_floor_us=1500)])
    assert extra[0].split()[:3] == ["beyond", "floor", "ms"]
    assert extra[1].split() == ["1.5", "2.0", "1.0", "x", "(top", "level)"]


# -- the runner --------------------------------------------------------------------------------------------------
def test_runner_lists_cold_start_and_takes_runs() -> None:
    assert [benchmark.name for benchmark in BENCHMARKS] == [
        "cold-start",
        "cold-first-response",
        "requests-per-page",
        "claims-list",
        "payment-run",
        "gias-import",
        "gias-nightly",
        "audit-sample",
        "audit-workflow",
        "validation-lookups",
        "deadline-day",
        "cost",
    ]
    arguments = _parser().parse_args(["--runs", "3", "--only", "cold-start"])
    assert (arguments.runs, arguments.only) == (3, ["cold-start"])


def test_runner_refuses_zero_runs() -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["--runs", "0"])


def test_options_print_to_their_stream() -> None:
    out = io.StringIO()
    Options(runs=1, out=out).print("hello")
    assert out.getvalue() == "hello\n"


# -- audit-sample ---------------------------------------------------------------------------------------------------
def test_the_audit_sample_bench_spreads_its_claims_as_the_live_service_has_them() -> None:
    from collections import Counter

    from tests.bench.audit_sample import lines, measure, paid_candidates

    # Given the bench's generated paid claims (fewer than it uses, for speed)
    candidates = paid_candidates(2_000)
    schools = Counter[str]()
    for candidate in candidates:
        schools[candidate.school_id] += candidate.amount_pence
    # Then every rule has claims to act on: schools over £5,000 (a few), own-mentor claims, many strata
    assert len(candidates) == len({c.reference for c in candidates}) == 2_000
    assert 0 < sum(1 for total in schools.values() if total > 500_000) < len(schools) / 10
    assert 0 < sum(c.submitted_by_own_mentor for c in candidates) < len(candidates) / 5
    assert len({(c.establishment_type, c.phase, c.urban_or_rural) for c in candidates}) > 20
    # and When measured once, the figures are printed
    printed = lines(measure(candidates, runs=1), runs=1)
    assert printed[0].startswith("2,000 paid claims")
    assert "ratio" in printed[1]
    assert "peak memory" in printed[2]


def test_a_benchmark_leaves_no_environment_or_cached_settings_to_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a benchmark that points the service at an endpoint (as one that starts the local stack does)
    from shared.config import settings
    from tests.bench import Benchmark
    from tests.bench.__main__ import run_isolated

    monkeypatch.setenv("BENCH_ISOLATION_PROBE", "before")
    seen: list[object] = []

    def run(options: Options) -> None:
        import os

        from shared.data import transactions

        os.environ["BENCH_ISOLATION_PROBE"] = "changed by the benchmark"
        settings.cache_clear()
        transactions._THREAD.connection = "a connection to the benchmark's endpoint"  # as connection() keeps it
        seen.append(settings())

    # When it has run
    run_isolated(Benchmark("probe", "sets the environment", run), Options(runs=1, out=io.StringIO()))
    # Then the environment is as it was and the settings it cached are forgotten
    import os

    assert os.environ["BENCH_ISOLATION_PROBE"] == "before"
    from shared.data import transactions

    assert settings() is not seen[0]
    assert getattr(transactions._THREAD, "connection", None) is None  # it keeps the endpoint it was made for


def test_a_benchmark_that_raises_is_reported_and_the_run_goes_on() -> None:
    from tests.bench import Benchmark
    from tests.bench.__main__ import run_isolated

    def broken(options: Options) -> None:
        raise RuntimeError("the local stack went away")

    out = io.StringIO()
    run_isolated(Benchmark("broken", "raises", broken), Options(runs=1, out=out))
    assert "NOT MEASURED: broken stopped: RuntimeError: the local stack went away" in out.getvalue()
