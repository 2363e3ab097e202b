"""The cold-first-response benchmark's pure parts: the child's program, its result line, the table."""

from __future__ import annotations

from tests.bench.cold_first_response import (
    FLOOR,
    GOAL_RATIO,
    MARKER,
    Measurement,
    Sample,
    Scenario,
    child_code,
    format_table,
    parse_sample,
    verdict,
)

WEB = Scenario("WebFunction GET /", "WebFunction", "functions.web.app", "/")


def test_the_goal_is_the_issues_and_the_verdict_says_how_far_over() -> None:
    assert GOAL_RATIO == 1.3
    assert verdict(130.0, 100.0) == "meets"
    assert verdict(150.0, 100.0) == "MISSES (+20 ms over)"


def test_the_child_programs_compile_and_time_the_import_before_the_first_call() -> None:
    for scenario in (FLOOR, WEB):
        code = child_code(scenario.statements, "WebFunction")
        compile(code, "<child>", "exec")
        # The network guard is in place before anything is imported, and the call comes after the import's time
        assert code.index("socket.socket.connect = _guarded_connect") < code.index("_start, _cpu_start")
        assert code.index("_imported, _cpu_imported") < code.index("_response = handler(_event, _Context())")
    assert "import functions.web.app as function_module" in WEB.statements[0]


def test_parse_sample_reads_both_steps_both_ways_and_a_redirect() -> None:
    line = (
        '{"import": 0.5, "request": 0.25, "status": 303, "location": "/sign-in", "network": [], "error": null, '
        '"cpu_import": 0.4, "cpu_request": 0.1}'
    )
    sample = parse_sample(f'{{"level": "INFO"}}\n{MARKER}{line}\n')
    assert sample.total_seconds == 0.75
    assert sample.answer == "303 to /sign-in"
    assert (sample.cpu_import_seconds, sample.cpu_request_seconds) == (0.4, 0.1)


def test_a_server_error_is_a_failed_sample_not_a_time() -> None:
    sample = parse_sample(f'{MARKER}{{"import": 0.5, "request": 0.1, "status": 500, "network": [], "error": null}}')
    assert sample.error == "answered 500"
    assert sample.total_seconds is None


def test_parse_sample_without_a_result_reports_the_last_stderr_line() -> None:
    sample = parse_sample("", "Traceback ...\nImportError: boom\n", 1)
    assert sample.error == "interpreter exited 1 without a result: ImportError: boom"


def test_the_table_judges_each_total_against_the_floors() -> None:
    floor = Measurement(FLOOR, [Sample(0.3, 0.7, 404), Sample(0.32, 0.68, 404), Sample(0.31, 0.69, 404)])
    web = Measurement(WEB, [Sample(0.9, 0.6, 200), Sample(1.0, 0.5, 200), Sample(0.95, 0.55, 200)])
    lines = format_table([floor, web], floor)
    rows = {line.split()[0]: line for line in lines[2:]}
    assert "goal <= 1.3x" in lines[0]
    assert rows["floor"].endswith("1.00x  (the floor)")
    assert rows["WebFunction"].endswith("1.50x  MISSES (+200 ms over)")
    # And by CPU time, from the same samples
    cpu = web.cpu_view()
    assert cpu.total_ms is None  # these samples carry no CPU times


def test_restored_children_stand_in_for_the_runtime_hooks_and_run_them_around_the_snapshot() -> None:
    code = child_code(WEB.statements, "WebFunction", restored=True)
    compile(code, "<child>", "exec")
    # The hook library is in place before the import; before-snapshot hooks (latest first) are part of the init,
    # after-restore hooks (in order) part of the timed first request
    assert code.index('sys.modules["snapshot_restore_py"] = _hooks') < code.index("import functions.web.app")
    assert code.index("reversed(_before_snapshot)") < code.index("_imported, _cpu_imported")
    assert code.index("_imported, _cpu_imported") < code.index("in _after_restore:") < code.index("handler(_event")
    assert "snapshot_restore_py" not in child_code(WEB.statements, "WebFunction")
