"""The GIAS import's speed and peak memory at 5,000 and 50,000 rows (goal: the peak within 1.2x).

GIAS's extract has about 50,000 rows and 60 MB; the import must stream it (ADR 0026). Each size runs in a fresh
interpreter (`python -m tests.bench.gias_import N` prints one JSON line), so clients, caches and botocore's
models start the same way for every size. A moto server runs in a child process (with the local stack's
transaction patch), so what DynamoDB and S3 store is not this process's memory: the generated extract is
uploaded to its bucket, and `run_import` (the task's use case) streams it back from S3 with `tracemalloc` on,
as the Lambda would (its clients made first, as a warm Lambda has them). The extract is generated here with
GIAS's real header row (`write_extract`; the tests use it too): mostly open schools in England, with closed
rows, British schools overseas and malformed rows mixed in.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from tests.bench import Benchmark, Options

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "gias" / "edubasealldata-small.csv"
SIZES = (5_000, 50_000)
GOAL_RATIO = 1.2
MEASURE_TIMEOUT_SECONDS = 3 * 3600
FIRST_URN = 700_000


def gias_header() -> list[str]:
    """GIAS's header row, as the small fixture (a real extract's first line) has it."""
    with FIXTURE.open(encoding="iso-8859-1", newline="") as text:
        return next(csv.reader(text))


_DISTRICTS = (  # (LA code, LA name, district code, district name)
    ("383", "Leeds", "E08000035", "Leeds"),
    ("202", "Camden", "E09000007", "Camden"),
    ("878", "Devon", "E07000045", "Teignbridge"),
    ("860", "Staffordshire", "E07000194", "Lichfield"),
    ("826", "Milton Keynes", "E06000042", "Milton Keynes"),
)
_KINDS = (  # (type code, type name, group name, phase)
    ("1", "Community school", "Local authority maintained schools", "Primary"),
    ("34", "Academy converter", "Academies", "Secondary"),
    ("2", "Voluntary aided school", "Local authority maintained schools", "Primary"),
    ("35", "Free schools", "Free Schools", "All-through"),
)


def establishment_row(header: list[str], urn: int, rng: random.Random) -> list[str]:
    """One generated row: an open school in England 9 times in 10, else closed, overseas or (1 in 500) malformed."""
    la_code, la_name, district, district_name = rng.choice(_DISTRICTS)
    type_code, type_name, group, phase = rng.choice(_KINDS)
    status, close_date = "Open", ""
    roll = rng.random()
    if roll < 0.07:
        status, close_date = "Closed", f"31-08-{rng.randint(1990, 2025)}"
    elif roll < 0.08:
        type_code, type_name, group, la_code, la_name = (
            "37",
            "British schools overseas",
            "Other types",
            "0",
            "Does not apply",
        )
    values = dict.fromkeys(header, "")
    values.update(
        {
            "URN": str(urn),
            "LA (code)": la_code,
            "LA (name)": la_name,
            "EstablishmentName": f"St Mary's Church of England School {urn}, Hôpital",
            "TypeOfEstablishment (code)": type_code,
            "TypeOfEstablishment (name)": type_name,
            "EstablishmentTypeGroup (name)": group,
            "EstablishmentStatus (name)": status,
            "CloseDate": close_date,
            "PhaseOfEducation (name)": phase,
            "Trusts (code)": "3104" if group == "Academies" else "",
            "Trusts (name)": "THE FIRST FEDERATION TRUST" if group == "Academies" else "",
            "UKPRN": f"1{urn:07d}",
            "Street": f"{rng.randint(1, 200)} School Lane",
            "Town": district_name,
            "Postcode": f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}AB",
            "SchoolWebsite": f"www.school{urn}.example.sch.uk",
            "TelephoneNum": f"0113{urn:07d}"[:11],
            "DistrictAdministrative (code)": district,
            "DistrictAdministrative (name)": district_name,
            "UrbanRural (name)": "(England/Wales) Urban major conurbation",
            "Country (name)": "United Kingdom" if la_code != "0" else "United Arab Emirates",
        }
    )
    row = [values[name] for name in header]
    return row[:3] if rng.random() < 0.002 else row


def write_extract(out: TextIO, rows: int, seed: int = 26) -> None:
    """A GIAS-shaped extract of `rows` data rows (write it to a file opened with encoding="iso-8859-1")."""
    header = gias_header()
    rng = random.Random(seed)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for index in range(rows):
        writer.writerow(establishment_row(header, FIRST_URN + index, rng))


@dataclass(frozen=True)
class ImportMemory:
    rows: int
    peak_bytes: int
    seconds: float
    file_bytes: int
    added: int
    skipped: int
    reimport_seconds: float  # the same file imported again: the daily case, where almost nothing changed
    unchanged: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def reimport_rows_per_second(self) -> float:
        return self.rows / self.reimport_seconds if self.reimport_seconds else 0.0


def measure(rows: int) -> ImportMemory:
    """Upload a generated extract of `rows` rows to a fresh moto server and trace the import task over it."""
    from tests.bench.file_task_memory import _moto_server

    with tempfile.NamedTemporaryFile("w", encoding="iso-8859-1", newline="", suffix=".csv", delete=False) as out:
        write_extract(out, rows)
        path = Path(out.name)
    try:
        with _moto_server() as endpoint:
            import boto3

            from infrastructure.local.stack import provision
            from infrastructure.local.template import load_template
            from tests.support import NOW, apply_test_environment, table_name

            apply_test_environment()
            os.environ["AWS_ENDPOINT_URL"] = endpoint
            provisioned = provision(load_template(ROOT / "template.yaml"), table_name, os.environ["FILES_BUCKET"])
            os.environ.update(provisioned.environment)
            from shared.claims.gias import ImportStatus, SchoolImport, upload_key
            from shared.config import settings
            from shared.data.files import size_of
            from shared.data.items import bind_tables
            from shared.data.organisations import Organisations
            from shared.data.school_imports import SchoolImports
            from shared.usecases.school_data import run_import

            settings.cache_clear()
            bind_tables(settings())

            def started(import_id: str) -> str:
                boto3.client("s3", endpoint_url=endpoint).upload_file(
                    str(path), settings().files_bucket, upload_key(import_id)
                )
                SchoolImports().start(
                    SchoolImport(
                        import_id=import_id,
                        requested_by="bench",
                        requested_by_name="Bench",
                        requested_at=NOW,
                        file_key=upload_key(import_id),
                        status=ImportStatus.IMPORTING,
                    )
                )
                return import_id

            import_id = started("b" * 32)
            # The clients the task makes once per cold start (S3, DynamoDB) are made before tracing: what is
            # traced is the import itself, so a peak that grew with the file would show in the ratio.
            size_of(upload_key(import_id))
            SchoolImports().get(import_id)
            Organisations().held_establishments(["100000"])
            gc.collect()
            tracemalloc.start()
            start = time.perf_counter()
            outcome = run_import(import_id, lambda: NOW + dt.timedelta(minutes=1))
            seconds = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            record = SchoolImports().get(import_id)
            assert record is not None, outcome
            assert record.report is not None, outcome
            again = started("c" * 32)
            start = time.perf_counter()
            run_import(again, lambda: NOW + dt.timedelta(minutes=2))
            reimport_seconds = time.perf_counter() - start
            second = SchoolImports().get(again)
            assert second is not None
            assert second.report is not None
            return ImportMemory(
                rows=rows,
                peak_bytes=peak,
                seconds=seconds,
                file_bytes=path.stat().st_size,
                added=record.report.added,
                skipped=record.report.skipped,
                reimport_seconds=reimport_seconds,
                unchanged=second.report.unchanged,
            )
    finally:
        path.unlink(missing_ok=True)


def _measure_fresh(rows: int) -> ImportMemory:
    answer = subprocess.run(
        [sys.executable, "-m", "tests.bench.gias_import", str(rows)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=MEASURE_TIMEOUT_SECONDS,
        check=True,
    )
    return ImportMemory(**json.loads(answer.stdout.strip().splitlines()[-1]))


def line(result: ImportMemory) -> str:
    return (
        f"{result.rows:>7,} rows ({result.file_bytes / 1e6:.1f} MB): peak {result.peak_bytes / 2**20:.1f} MiB, "
        f"{result.seconds:.1f} s, {result.rows_per_second:,.0f} rows/s, {result.added:,} added, "
        f"{result.skipped:,} skipped; again (nothing changed): {result.reimport_seconds:.1f} s, "
        f"{result.reimport_rows_per_second:,.0f} rows/s, {result.unchanged:,} unchanged"
    )


def ratio_line(small: ImportMemory, large: ImportMemory) -> str:
    ratio = large.peak_bytes / small.peak_bytes
    verdict = "within" if ratio <= GOAL_RATIO else "over"
    return f"peak at {large.rows:,} / peak at {small.rows:,} = {ratio:.2f}x ({verdict} the {GOAL_RATIO}x goal)"


def run(options: Options) -> None:
    """Each size's figures as soon as they are measured (the larger takes many minutes under moto), then the ratio."""
    measured: list[ImportMemory] = []
    for rows in SIZES:
        measured.append(_measure_fresh(rows))
        options.print(line(measured[-1]))
    options.print(ratio_line(measured[0], measured[-1]))


BENCHMARK = Benchmark(
    name="gias-import",
    summary="GIAS import: rows per second and peak memory at 5,000 vs 50,000 rows (goal within 1.2x)",
    run=run,
)


if __name__ == "__main__":
    print(json.dumps(asdict(measure(int(sys.argv[1])))))
