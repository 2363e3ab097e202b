"""The nightly GIAS import end to end (ADR 0035): rows per second and peak memory at 5,000 vs 50,000 rows.

What the nightly Lambdas do, in one fresh interpreter per size (`python -m tests.bench.gias_nightly N` prints one
JSON line): the fetch (`fetch_nightly`: the fake GIAS on loopback streams a generated extract with GIAS's real
header row, ISO-8859-1, into the files bucket, and the import is recorded and queued), then the import task's use
case (`run_import`: the extract streamed back from S3 into the schools). moto runs in a child process (as in
`gias_import`), so what S3 and DynamoDB store is not this process's memory; `tracemalloc` traces the fetch and the
import together, after the clients are made (a warm Lambda has them). The fake GIAS runs in this process: its
memory, a row at a time, is traced too. Goal: the peak at 50,000 rows within 1.2x of the peak at 5,000.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.bench import Benchmark, Options

ROOT = Path(__file__).resolve().parents[2]
SIZES = (5_000, 50_000)
GOAL_RATIO = 1.2
MEASURE_TIMEOUT_SECONDS = 3 * 3600
NOW = dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)


@dataclass(frozen=True)
class NightlyRun:
    rows: int
    file_bytes: int
    fetch_seconds: float
    import_seconds: float
    peak_bytes: int
    added: int
    closed: int
    skipped: int

    @property
    def rows_per_second(self) -> float:
        """Rows imported a second, fetch included (the night's whole job)."""
        seconds = self.fetch_seconds + self.import_seconds
        return self.rows / seconds if seconds else 0.0


def measure(rows: int) -> NightlyRun:
    """Serve a generated extract of `rows` rows from the fake GIAS, fetch it and import it against a fresh moto."""
    from infrastructure.local.fake_gias import every_day, generated_rows, gias_server
    from tests.bench.file_task_memory import _moto_server

    server = gias_server(every_day(lambda: generated_rows(rows), lambda: NOW.date()))
    try:
        with _moto_server() as endpoint:
            from infrastructure.local.stack import provision
            from infrastructure.local.template import load_template
            from tests.support import apply_test_environment, table_name

            apply_test_environment()
            os.environ["AWS_ENDPOINT_URL"] = endpoint
            os.environ["GIAS_BASE_URL"] = f"http://127.0.0.1:{server.server_address[1]}"
            provisioned = provision(load_template(ROOT / "template.yaml"), table_name, os.environ["FILES_BUCKET"])
            os.environ.update(provisioned.environment)
            from shared.config import settings
            from shared.data import school_import_queue
            from shared.data.claim_windows import ClaimWindows
            from shared.data.files import size_of
            from shared.data.items import bind_tables
            from shared.data.organisations import Organisations
            from shared.data.school_imports import SchoolImports
            from shared.data.transactions import connection
            from shared.usecases.gias_nightly import fetch_nightly
            from shared.usecases.school_data import run_import

            settings.cache_clear()
            bind_tables(settings())
            # The clients a warm Lambda has made (S3, SQS, DynamoDB and the transactions' connection, whose model
            # alone is 9 MiB) before tracing: what is traced is the night's work.
            school_import_queue._sqs()
            assert connection().client is not None
            size_of("school-data/uploads/none.csv")
            SchoolImports().latest()
            Organisations().held_establishments(["100000"])
            ClaimWindows().all()
            gc.collect()
            tracemalloc.start()
            start = time.perf_counter()
            fetched = fetch_nightly(NOW)
            fetch_seconds = time.perf_counter() - start
            start = time.perf_counter()
            run_import(fetched.import_id, lambda: NOW + dt.timedelta(minutes=1))
            import_seconds = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            record = SchoolImports().get(fetched.import_id)
            assert record is not None
            assert record.report is not None, record
            assert record.report.rows_read == rows, record.report
            return NightlyRun(
                rows=rows,
                file_bytes=fetched.size,
                fetch_seconds=fetch_seconds,
                import_seconds=import_seconds,
                peak_bytes=peak,
                added=record.report.added,
                closed=record.report.closed,
                skipped=record.report.skipped,
            )
    finally:
        server.shutdown()
        server.server_close()


def _measure_fresh(rows: int) -> NightlyRun:
    answer = subprocess.run(
        [sys.executable, "-m", "tests.bench.gias_nightly", str(rows)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=MEASURE_TIMEOUT_SECONDS,
        check=True,
    )
    return NightlyRun(**json.loads(answer.stdout.strip().splitlines()[-1]))


def line(result: NightlyRun) -> str:
    return (
        f"{result.rows:>7,} rows ({result.file_bytes / 1e6:.1f} MB): fetched in {result.fetch_seconds:.1f} s, "
        f"imported in {result.import_seconds:.1f} s, {result.rows_per_second:,.0f} rows/s, "
        f"peak {result.peak_bytes / 2**20:.1f} MiB; {result.added:,} added, {result.skipped:,} skipped"
    )


def ratio_line(small: NightlyRun, large: NightlyRun) -> str:
    ratio = large.peak_bytes / small.peak_bytes
    verdict = "within" if ratio <= GOAL_RATIO else "over"
    return f"peak at {large.rows:,} / peak at {small.rows:,} = {ratio:.2f}x ({verdict} the {GOAL_RATIO}x goal)"


def run(options: Options) -> None:
    """Each size as soon as it is measured (the larger takes minutes under moto), then the ratio."""
    measured: list[NightlyRun] = []
    for rows in SIZES:
        measured.append(_measure_fresh(rows))
        options.print(line(measured[-1]))
    options.print(ratio_line(measured[0], measured[-1]))


BENCHMARK = Benchmark(
    name="gias-nightly",
    summary="Nightly GIAS fetch + import from the fake GIAS: rows per second, peak memory at 5,000 vs 50,000 rows",
    run=run,
)


if __name__ == "__main__":
    print(json.dumps(asdict(measure(int(sys.argv[1])))))
