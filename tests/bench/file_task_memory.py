"""The GeneratePaymentFile task's peak memory, measured as a Lambda would hold it: DynamoDB and S3 in another process.

`payment_run` runs the whole state machine with moto in the same process, so what moto stores and allocates has to be
told apart from the task's own memory by accounting at moto's door. This measures the task alone: a moto server runs
in a child process (with the local stack's patches of moto's transactions, Queries, responses and updates), this process
provisions the template's tables and bucket in it, seeds `claims` ready claims of one closed window over HTTP, then
calls the task's use case with `tracemalloc` on. Every allocation traced is the task's (with PynamoDB's and
botocore's): responses arrive over a socket and the file is read back as a stream, as on AWS. Nothing else runs in
this process meanwhile.

Each size runs in a fresh interpreter (`python -m tests.bench.file_task_memory N` prints one JSON line), so that
clients, caches and botocore's loaded models start the same way for every size.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_ID = "window-bench-memory-run-1"
SERVER_START_SECONDS = 60.0
MEASURE_TIMEOUT_SECONDS = 3 * 3600

_SERVER = (
    "import sys\n"
    "from infrastructure.local import moto_dynamodb\n"
    "moto_dynamodb.back_up_touched_items_only()\n"
    "moto_dynamodb.index_queries_by_partition()\n"
    "moto_dynamodb.answer_attribute_values_directly()\n"
    "moto_dynamodb.parse_update_expressions_once()\n"
    "from moto.server import main\n"
    "main(['-H', '127.0.0.1', '-p', sys.argv[1]])\n"
)


@dataclass(frozen=True)
class FileTaskMemory:
    """One size: the task's traced peak above its start, what it still held at the end, its time, and what it did."""

    claims: int
    peak_bytes: int
    retained_bytes: int
    seconds: float
    seed_seconds: float
    rows: int
    moved: int
    file_bytes: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def _moto_server() -> Iterator[str]:
    """A moto server in a child process; its endpoint while the block runs."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the moto server did not start") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def measure(claims: int) -> FileTaskMemory:
    """Seed `claims` ready claims into a fresh moto server and trace the file task over them (this process)."""
    from tests.bench.payment_run import CLOSED_DAYS_AGO, _seed, seed_plan

    plan = seed_plan(claims, dt.datetime.now(dt.UTC).date() - dt.timedelta(days=CLOSED_DAYS_AGO), validate_pages=0)
    with _moto_server() as endpoint:
        from infrastructure.local.stack import provision
        from infrastructure.local.template import load_template
        from tests.support import apply_test_environment, table_name

        apply_test_environment()
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        provisioned = provision(load_template(ROOT / "template.yaml"), table_name, os.environ["FILES_BUCKET"])
        os.environ.update(provisioned.environment)
        from shared.config import settings
        from shared.data.items import bind_tables

        settings.cache_clear()
        bind_tables(settings())
        start = time.perf_counter()
        _seed(plan)
        seed_seconds = time.perf_counter() - start

        from shared.data.batches import PaymentRuns
        from shared.data.files import read
        from shared.usecases.payment_run_tasks import RunState, generate_payment_file

        PaymentRuns().start(RUN_ID, plan.window_id, "person", "bench", dt.datetime.now(dt.UTC))
        state = RunState(window_id=plan.window_id, run_id=RUN_ID)
        gc.collect()
        tracemalloc.start(1)
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        start = time.perf_counter()
        done = generate_payment_file(state, dt.datetime.now(dt.UTC))
        seconds = time.perf_counter() - start
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        run = PaymentRuns().get(RUN_ID)
        moved = run.counts.get("moved", 0) if run else 0
        file_bytes = len(read(done.file_key)) if done.file_key else 0
    return FileTaskMemory(
        claims=claims,
        peak_bytes=peak - base,
        retained_bytes=current - base,
        seconds=seconds,
        seed_seconds=seed_seconds,
        rows=done.row_count,
        moved=moved,
        file_bytes=file_bytes,
    )


def measure_in_fresh_interpreter(claims: int) -> FileTaskMemory:
    """`measure` in a child interpreter (a clean process per size); RuntimeError with its output if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.file_task_memory", str(claims)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=MEASURE_TIMEOUT_SECONDS,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{") and '"peak_bytes"' in line]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"file task memory at {claims:,} claims failed: {(result.stderr or result.stdout)[-2000:]}")
    return FileTaskMemory(**json.loads(lines[-1]))


def main(argv: list[str] | None = None) -> int:
    claims = int((argv if argv is not None else sys.argv[1:])[0])
    measured = measure(claims)
    if measured.rows != claims or measured.moved != claims:
        print(f"the task wrote {measured.rows} rows and moved {measured.moved} claims of {claims}", file=sys.stderr)
        return 1
    print(json.dumps(asdict(measured)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
