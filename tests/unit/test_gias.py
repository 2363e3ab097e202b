"""GIAS's establishment data as rows (shared.claims.gias, ADR 0026): open schools in England are kept, closed
ones close a school the service holds, British schools overseas, Welsh and not-yet-open establishments and
malformed rows are skipped with their reason; and the import streams the file (its memory does not grow with it)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import tracemalloc
from collections.abc import Iterable
from pathlib import Path

import pytest

from shared.claims.gias import (
    KEPT_SKIPPED_ROWS,
    Change,
    Establishment,
    NotGiasData,
    SkipReason,
    Tally,
    change_for,
    import_id_of,
    missing_headers,
    read_rows,
    upload_key,
)
from shared.claims.organisations import School
from tests.bench.gias_import import FIXTURE, gias_header, write_extract

TODAY = dt.date(2026, 11, 28)


def _fixture_rows() -> list:
    with FIXTURE.open(encoding="iso-8859-1", newline="") as text:
        return list(read_rows(text))


def test_the_fixture_has_gias_full_header_row() -> None:
    header = gias_header()
    assert len(header) == 140
    assert header[0] == "URN"
    assert header[104:106] == ["DistrictAdministrative (code)", "DistrictAdministrative (name)"]
    assert missing_headers(header) == []


def test_open_schools_in_england_become_establishments_with_their_gias_attributes() -> None:
    # Given the real-format fixture (ISO-8859-1)
    rows = _fixture_rows()
    # When its rows are read
    kept = {row.establishment.urn: row.establishment for row in rows if row.establishment}
    # Then the open schools are kept, their names decoded from Latin-1
    st_marys = kept["980001"]
    assert st_marys.name == "St Mary's Church of England Primary School, Hôpital"
    assert st_marys.address1 == "Rue de l'Hôpital"
    assert (st_marys.local_authority_name, st_marys.local_authority_code) == ("Leeds", "383")
    assert (st_marys.type_of_establishment, st_marys.group) == (
        "Voluntary aided school",
        "Local authority maintained schools",
    )
    assert (st_marys.phase, st_marys.postcode, st_marys.ukprn) == ("Primary", "LS6 2AB", "10079319")
    assert (st_marys.telephone, st_marys.website) == ("01132831147", "www.stmarys-hopital.leeds.sch.uk")
    assert st_marys.district_admin_code == "E08000035"
    assert st_marys.is_open
    # And one proposed to close is open, with its trust
    academy = kept["980002"]
    assert academy.is_open
    assert academy.status == "Open, but proposed to close"
    assert (academy.trust_uid, academy.trust_name) == ("3104", "THE FIRST FEDERATION TRUST")
    # And a closed row is kept (to close a school the service holds) with its closing date
    assert kept["980003"].closed_on == dt.date(1992, 8, 31)
    assert not kept["980003"].is_open
    # And a quoted name with commas and quotes is read whole
    assert kept["980008"].address1 == '"The Old" Vicarage, Otley Road'


def test_overseas_welsh_not_yet_open_and_malformed_rows_are_skipped_with_their_reason() -> None:
    skipped = {row.line: row.skipped for row in _fixture_rows() if row.skipped}
    assert {line: (s.urn, s.reason) for line, s in skipped.items()} == {
        6: ("150516", SkipReason.OVERSEAS),
        7: ("980005", SkipReason.OUTSIDE_ENGLAND),
        8: ("980006", SkipReason.NOT_OPEN),
        9: ("980009", SkipReason.MALFORMED),
        10: ("98A007", SkipReason.MALFORMED),
    }
    assert skipped[9].detail == "Fewer than 140 columns"
    assert skipped[8].detail == "Proposed to open"


def test_a_file_without_gias_header_is_refused_before_any_row() -> None:
    with pytest.raises(NotGiasData) as refused:
        list(read_rows(io.StringIO("claim_reference,claim_status\n1,paid\n")))
    assert refused.value.missing[0] == "URN"
    with pytest.raises(NotGiasData):
        list(read_rows(io.StringIO("")))


def test_a_row_with_too_many_cells_is_malformed() -> None:
    header = gias_header()
    text = io.StringIO(",".join(header) + "\n" + ",".join(["1"] * (len(header) + 1)) + "\n")
    (row,) = read_rows(text)
    assert row.skipped is not None
    assert row.skipped.reason is SkipReason.MALFORMED
    assert row.skipped.detail == "More than 140 columns"


def _school(**changes: object) -> Establishment:
    values: dict[str, object] = {"urn": "980001", "name": "Meadow School", "status": "Open", "town": "Leeds"}
    return Establishment.model_validate({**values, **changes})


@pytest.mark.parametrize(
    ("row", "held", "change"),
    [
        (_school(), None, Change.ADD),
        (_school(status="Closed", closed_on=dt.date(2020, 8, 31)), None, Change.SKIP_CLOSED),
        (_school(), _school(), Change.UNCHANGED),
        (_school(name="Meadow Academy"), _school(), Change.UPDATE),
        (_school(status="Closed", closed_on=dt.date(2026, 8, 31)), _school(), Change.CLOSE),
        (
            _school(status="Closed", closed_on=dt.date(2026, 8, 31)),
            _school(status="Closed", closed_on=dt.date(2026, 8, 31)),
            Change.UNCHANGED,
        ),
        (_school(), _school(status="Closed", closed_on=dt.date(2026, 8, 31)), Change.UPDATE),  # reopened
    ],
)
def test_what_an_import_does_with_a_row(row: Establishment, held: Establishment | None, change: Change) -> None:
    assert change_for(row, held, TODAY)[0] is change


def test_a_closed_row_without_a_date_closes_on_the_day_it_is_first_seen_and_keeps_that_date() -> None:
    row = _school(status="Closed")
    change, written = change_for(row, _school(), TODAY)
    assert (change, written.closed_on) == (Change.CLOSE, TODAY)
    change, _ = change_for(row, written, TODAY + dt.timedelta(days=1))
    assert change is Change.UNCHANGED


def test_the_tally_counts_every_skip_and_keeps_only_the_first_rows() -> None:
    tally = Tally()
    for line in range(2, 2 + KEPT_SKIPPED_ROWS + 5):
        tally.read()
        tally.changed(Change.SKIP_CLOSED, _school(urn=str(900000 + line)), line)
    report = tally.report()
    assert report.skipped == report.rows_read == KEPT_SKIPPED_ROWS + 5
    assert report.reasons() == [(SkipReason.CLOSED, KEPT_SKIPPED_ROWS + 5)]
    assert [row.line for row in report.skipped_rows] == list(range(2, 2 + KEPT_SKIPPED_ROWS))


def test_upload_keys_name_their_import_and_nothing_else() -> None:
    import_id = "a" * 32
    assert import_id_of(upload_key(import_id)) == import_id
    assert import_id_of("exports/" + "a" * 32 + ".csv") is None
    assert import_id_of("school-data/uploads/../x.csv") is None


class _Nothing:
    """A store that holds no school and accepts every write (the import's reading and counting, measured alone)."""

    def held_establishments(self, urns: object) -> dict[str, Establishment]:
        list(urns)  # type: ignore[call-overload]
        return {}

    def add_establishment(self, establishment: Establishment) -> bool:
        return True

    def update_establishment(self, establishment: Establishment) -> bool:
        return True


class _NothingListed:
    """No school is in the console's list: nothing to refresh."""

    def refresh_schools(self, schools: Iterable[School]) -> int:
        for _ in schools:
            pass
        return 0


def _peak_importing(rows: int, directory: Path) -> tuple[int, int]:
    from shared.usecases.school_data import import_establishments

    path = directory / f"edubasealldata-{rows}.csv"
    with path.open("w", encoding="iso-8859-1", newline="") as out:
        write_extract(out, rows)
    tracemalloc.start()
    with path.open(encoding="iso-8859-1", newline="") as text:
        report = import_establishments(text, TODAY, organisations=_Nothing(), directory=_NothingListed())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.rows_read == rows
    return peak, report.added


def test_a_50000_row_extract_is_imported_as_a_stream() -> None:
    # Given GIAS-shaped extracts of 5,000 and 50,000 rows (generated, about 1 MB and 10 MB)
    with tempfile.TemporaryDirectory() as directory:
        # When each is imported, tracing the import's memory
        small, _ = _peak_importing(5_000, Path(directory))
        large, added = _peak_importing(50_000, Path(directory))
    # Then ten times the rows do not take much more memory (the file is never held whole)
    assert added > 40_000
    assert large < 1.5 * small + 256 * 1024, (small, large)
    assert large < 8 * 1024 * 1024


def test_generated_rows_read_back_as_gias_rows() -> None:
    out = io.StringIO()
    write_extract(out, 200)
    rows = list(read_rows(io.StringIO(out.getvalue())))
    assert len(rows) == 200
    assert {row.skipped.reason for row in rows if row.skipped} <= {SkipReason.OVERSEAS, SkipReason.MALFORMED}
    assert sum(1 for row in rows if row.establishment) > 150
    assert next(csv.reader(io.StringIO(out.getvalue()))) == gias_header()


def test_the_gias_import_bench_is_registered_and_reports_the_ratio() -> None:
    from tests.bench.__main__ import BENCHMARKS
    from tests.bench.gias_import import ImportMemory, line, ratio_line

    assert "gias-import" in [benchmark.name for benchmark in BENCHMARKS]
    small = ImportMemory(5_000, 10 * 2**20, 10.0, 2_000_000, 4_500, 500, 1.0, 4_500)
    large = ImportMemory(50_000, 11 * 2**20, 100.0, 20_000_000, 45_000, 5_000, 10.0, 45_000)
    assert ratio_line(small, large) == "peak at 50,000 / peak at 5,000 = 1.10x (within the 1.2x goal)"
    assert "500 rows/s" in line(large)
    assert "5,000 rows/s, 45,000 unchanged" in line(large)


def test_a_broken_csv_record_is_reported_and_the_rows_after_it_are_read() -> None:
    # Given a file whose second row has a cell beyond csv's field limit, then a good row
    header = gias_header()
    good = io.StringIO()
    write_extract(good, 3)
    lines = good.getvalue().split("\r\n")
    huge = '"' + "x" * 200_000 + '"' + "," * (len(header) - 1)
    text = io.StringIO("\r\n".join([lines[0], lines[1], huge, lines[3]]) + "\r\n")
    # When it is read
    rows = list(read_rows(text))
    # Then the broken record is a malformed row and the next row is still read
    assert [row.skipped.reason if row.skipped else "kept" for row in rows] == ["kept", SkipReason.MALFORMED, "kept"]


def test_a_name_too_long_for_the_service_keys_is_malformed() -> None:
    # Given a generated extract whose second school has a 201-character name
    out = io.StringIO()
    write_extract(out, 2)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    rows[1]["EstablishmentName"] = "N" * 201
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    text.seek(0)
    # When it is read
    first, second = read_rows(text)
    # Then it is skipped as malformed, saying why, and the first school is kept
    assert first.establishment is not None
    assert second.skipped is not None
    assert (second.skipped.reason, second.skipped.detail) == (
        SkipReason.MALFORMED,
        "The name is longer than 200 characters",
    )
