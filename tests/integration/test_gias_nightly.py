"""The nightly GIAS import (ADR 0035): functions/fetch_gias streams yesterday's extract from the fake GIAS
(infrastructure/local/fake_gias.py: GIAS's real header row, ISO-8859-1) into the files bucket, records the import
and queues it; functions/import_schools imports it as it imports an upload. A school it closes that has claims in
the open window is flagged to support in Activity. Retries start nothing twice; failures raise (Lambda retries
and the alarm goes off). The fetch and import hold a stream, not the file: the peak at 50,000 rows is that at
5,000."""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import tracemalloc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from infrastructure.local.fake_gias import Row, establishment, generated_rows, gias_server, row
from shared.config import settings
from tests.support import NOW, REGION, Client, LambdaContextStub

YESTERDAY = dt.date(2026, 11, 27)  # NOW is 28 November 2026, 10:30 UTC
CHANGED, CLOSING, NEW = "610001", "610002", "610003"
OVERSEAS, WELSH, MALFORMED = "610004", "610005", "610006"
URNS = (CHANGED, CLOSING, NEW, OVERSEAS, WELSH, MALFORMED)


@dataclass
class FakeGias:
    rows: list[Row] = field(default_factory=list)
    published: bool = True
    requested: list[dt.date] = field(default_factory=list)


@pytest.fixture(scope="module")
def gias(seed: Any) -> Iterator[FakeGias]:
    """The fake GIAS on loopback, serving `rows` for every day up to NOW's, and the imports queue."""
    from shared.config import settings

    fake = FakeGias()

    def extract(day: dt.date) -> Iterable[Row] | None:
        fake.requested.append(day)
        return list(fake.rows) if fake.published else None

    server = gias_server(extract)
    queue = boto3.client("sqs", region_name=REGION).create_queue(QueueName="test-NightlyImportsQueue")["QueueUrl"]
    before = {name: os.environ.get(name) for name in ("GIAS_BASE_URL", "SCHOOL_IMPORTS_QUEUE_URL")}
    os.environ["GIAS_BASE_URL"] = f"http://127.0.0.1:{server.server_address[1]}/edubase/downloads/public"
    os.environ["SCHOOL_IMPORTS_QUEUE_URL"] = queue
    settings.cache_clear()
    yield fake
    server.shutdown()
    server.server_close()
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    settings.cache_clear()


@pytest.fixture
def night(gias: FakeGias) -> Iterator[FakeGias]:
    """No import yet and none of this module's schools held; all removed again after the test."""
    from shared.data.items import ActivityItem, OrganisationItem
    from shared.data.school_imports import IMPORTS
    from shared.usecases.gias_nightly import MAX_ATTEMPTS, nightly_import_id

    def clean() -> None:
        for day in (YESTERDAY, YESTERDAY + dt.timedelta(days=1)):
            for attempt in range(1, MAX_ATTEMPTS + 1):
                ActivityItem(activity_id=nightly_import_id(day, attempt)).delete()
        ActivityItem(activity_id=IMPORTS).delete()
        for urn in URNS:
            OrganisationItem(organisation_id=urn).delete()
        _drain()

    clean()
    gias.rows, gias.published, gias.requested = [], True, []
    yield gias
    clean()


def _queue() -> str:
    from shared.config import settings

    return settings().school_imports_queue_url


def _drain() -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(QueueUrl=_queue(), MaxNumberOfMessages=10, AttributeNames=["All"]).get(
        "Messages", []
    )
    for message in messages:
        sqs.delete_message(QueueUrl=_queue(), ReceiptHandle=message["ReceiptHandle"])
    return list(messages)


def _fetch(at: dt.datetime = NOW) -> dict[str, Any]:
    import functions.fetch_gias.app as fetch

    fetch.clock = lambda: at
    try:
        result: dict[str, Any] = fetch.lambda_handler({"trigger": "nightly"}, LambdaContextStub())
        return result
    finally:
        fetch.clock = fetch._utcnow


def _import_queued(at: dt.datetime = NOW) -> None:
    """Deliver the queued message to the import task, as SQS would."""
    import functions.import_schools.app as task
    from infrastructure.local.queues import sqs_event

    messages = _drain()
    assert len(messages) == 1, messages
    arn = boto3.client("sqs", region_name=REGION).get_queue_attributes(QueueUrl=_queue(), AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    task.clock = lambda: at + dt.timedelta(minutes=1)
    try:
        assert task.lambda_handler(sqs_event(messages, arn), LambdaContextStub()) == {"batchItemFailures": []}
    finally:
        task.clock = task._utcnow


def _hold(urn: str, name: str, **details: str) -> None:
    from shared.claims.gias import Establishment
    from shared.data.organisations import Organisations

    values = {
        "status": "Open",
        "local_authority_name": "Leeds",
        "local_authority_code": "383",
        "type_of_establishment": "Community school",
        "group": "Local authority maintained schools",
        "phase": "Primary",
        "urban_or_rural": "(England/Wales) Urban major conurbation",
        "district_admin_code": "E08000035",
        "district_admin_name": "Leeds",
        **details,
    }
    assert Organisations().add_establishment(Establishment(urn=urn, name=name, **values))


def _extract() -> list[Row]:
    """A real-format extract: a held school changed, a held school closed, a new one in Inner London, and rows the
    service skips (a British school overseas, a Welsh establishment, a row cut short)."""
    return [
        row(establishment(CHANGED, "Meadow Lane Primary Academy", town="Leeds", postcode="LS7 1AB")),
        row(establishment(CLOSING, "Old Forge Infant School", status="Closed", close_date="31-10-2026")),
        row(
            establishment(
                NEW,
                "Ãcole Française de Camden",
                la_code="202",
                la_name="Camden",
                district_code="E09000007",
                district_name="Camden",
            )
        ),
        row(
            establishment(
                OVERSEAS,
                "British School of Málaga",
                type_code="37",
                type_name="British schools overseas",
                la_code="0",
                la_name="Does not apply",
            )
        ),
        row(establishment(WELSH, "Ysgol Gymraeg", type_code="30", type_name="Welsh establishment", la_code="673")),
        [MALFORMED, "383", "Leeds"],
    ]


def test_the_nightly_fetch_imports_yesterdays_extract_as_an_upload_is_imported(night: FakeGias) -> None:
    from shared.claims.gias import ImportStatus, SkipReason
    from shared.claims.regions import Region
    from shared.data.files import read
    from shared.data.organisations import Organisations
    from shared.data.school_imports import SchoolImports
    from shared.usecases.gias_nightly import ACTOR_NAME, nightly_import_id

    # Given two schools held, and GIAS's extract naming them, a new school and three rows the service skips
    _hold(CHANGED, "Meadow Lane Primary School")
    _hold(CLOSING, "Old Forge Infant School")
    night.rows = _extract()
    # When the nightly schedule runs the fetch, and the import task runs what it queued
    fetched = _fetch()
    _import_queued()
    # Then yesterday's extract was asked for and stored as GIAS sent it (Latin-1)
    import_id = nightly_import_id(YESTERDAY, 1)
    assert fetched == {"day": "2026-11-27", "import_id": import_id, "outcome": "started"}
    assert night.requested == [YESTERDAY]
    stored = read(f"school-data/uploads/{import_id}.csv")
    assert "Ãcole Française de Camden".encode("iso-8859-1") in stored
    # And the import added, updated, closed and skipped as an upload's does, by "Nightly GIAS import"
    record = SchoolImports().get(import_id)
    assert record is not None
    assert record.report is not None
    assert (record.status, record.requested_by_name) == (ImportStatus.FINISHED, ACTOR_NAME)
    report = record.report
    assert (report.rows_read, report.added, report.updated, report.closed, report.skipped) == (6, 1, 1, 1, 3)
    assert report.skipped_by_reason == {
        SkipReason.OVERSEAS: 1,
        SkipReason.OUTSIDE_ENGLAND: 1,
        SkipReason.MALFORMED: 1,
    }
    schools = Organisations().schools([CHANGED, CLOSING, NEW])
    assert schools[CHANGED].name == "Meadow Lane Primary Academy"
    assert schools[CHANGED].postcode == "LS7 1AB"
    assert schools[CLOSING].closed
    assert schools[CLOSING].closed_on == dt.date(2026, 10, 31)
    # And the new school's region comes from its district code
    assert schools[NEW].name == "Ãcole Française de Camden"
    assert schools[NEW].region is Region.INNER_LONDON
    assert SchoolImports().latest() == record


def test_a_second_run_the_same_night_starts_nothing(night: FakeGias) -> None:
    from shared.usecases.gias_nightly import nightly_import_id

    # Given the night's import done
    night.rows = _extract()[2:3]
    assert _fetch()["outcome"] == "started"
    _import_queued()
    # When the schedule (or Lambda's retry) runs the fetch again
    again = _fetch(NOW + dt.timedelta(minutes=30))
    # Then the day's import is found: nothing fetched, nothing queued
    assert again == {"day": "2026-11-27", "import_id": nightly_import_id(YESTERDAY, 1), "outcome": "already"}
    assert night.requested == [YESTERDAY]
    assert _drain() == []


def test_an_extract_not_published_fails_the_run_and_records_nothing(night: FakeGias) -> None:
    from shared.data.school_imports import SchoolImports
    from shared.integrations.gias import GiasUnavailable
    from shared.usecases.gias_nightly import nightly_import_id

    # Given GIAS has not published the day's extract (404)
    night.published = False
    # When the fetch runs
    with pytest.raises(GiasUnavailable):
        _fetch()
    # Then the invocation failed (Lambda retries it, the alarm goes off) and no import was recorded or queued
    assert SchoolImports().get(nightly_import_id(YESTERDAY, 1)) is None
    assert _drain() == []


def test_a_file_that_is_not_gias_data_fails_the_run(night: FakeGias) -> None:
    from shared.usecases.gias_nightly import NightlyFailed

    # Given a server that answers the extract's URL with a file of two columns, "Name,Town"
    server = gias_server(lambda day: [["Riverside", "Leeds"]], header=("Name", "Town"))
    before = os.environ["GIAS_BASE_URL"]
    os.environ["GIAS_BASE_URL"] = f"http://127.0.0.1:{server.server_address[1]}"
    settings.cache_clear()
    try:
        # When the fetch runs, then it fails, naming the first column the file lacks
        with pytest.raises(NightlyFailed, match="not GIAS establishment data: it has no URN column"):
            _fetch()
    finally:
        os.environ["GIAS_BASE_URL"] = before
        settings.cache_clear()
        server.shutdown()
        server.server_close()
    # Then nothing was queued
    assert _drain() == []


def test_after_a_failed_import_the_next_run_imports_again_under_the_next_attempt(night: FakeGias) -> None:
    from shared.claims.gias import ImportStatus
    from shared.data.school_imports import SchoolImports
    from shared.usecases.gias_nightly import nightly_import_id

    # Given the night's first import queued, and then failed (its task crashed on every delivery)
    night.rows = _extract()[2:3]
    assert _fetch()["outcome"] == "started"
    first = nightly_import_id(YESTERDAY, 1)
    _drain()
    SchoolImports().fail_unqueued(first, NOW)
    # When the fetch runs again
    again = _fetch(NOW + dt.timedelta(hours=1))
    _import_queued(NOW + dt.timedelta(hours=1))
    # Then it fetched and imported the extract under the second attempt's id
    assert again["outcome"] == "started"
    assert again["import_id"] == nightly_import_id(YESTERDAY, 2)
    second = SchoolImports().get(nightly_import_id(YESTERDAY, 2))
    assert second is not None
    assert second.report is not None
    assert second.status is ImportStatus.FINISHED
    assert second.report.added == 1


# -- a closed school with claims in the open window ------------------------------------------------------------
@pytest.fixture
def open_window(seed: Any) -> Iterator[Any]:
    """The claim window open at NOW (the demo's, or one made for the test and removed after)."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.windows import ClaimWindow, current_window
    from shared.data.claim_windows import ClaimWindows
    from shared.data.items import ClaimWindowItem

    found = current_window(ClaimWindows().all(), NOW)
    if found is not None:
        yield found
        return
    made = ClaimWindow(
        window_id="nightly-gias-window",
        academic_year=AcademicYear.for_date(NOW.date()),
        opens_on=NOW.date() - dt.timedelta(days=3),
        closes_on=NOW.date() + dt.timedelta(days=3),
    )
    ClaimWindows().put(made)
    yield made
    ClaimWindowItem(window_id=made.window_id).delete()


def _claim(reference: str, window_id: str, status: Any) -> Any:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor

    return Claim(
        reference=reference,
        school_id=CLOSING,
        school_name="Old Forge Infant School",
        provider_code="1TZ",
        provider_name="Some University",
        window_id=window_id,
        academic_year=AcademicYear.for_date(NOW.date()),
        status=status,
        mentors=(
            ClaimMentor(
                trn="1234567", first_name="Sam", last_name="Mentor", hours=5, training_type=TrainingType.INITIAL
            ),
        ),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=5 * 4380,
        created_at=NOW - dt.timedelta(days=2),
        submitted_at=NOW - dt.timedelta(days=1),
    )


def test_a_closed_school_with_claims_in_the_open_window_is_flagged_to_support_once(
    night: FakeGias, open_window: Any, client: Client
) -> None:
    from shared.claims.activity import ActivityKind
    from shared.claims.closed_schools import flag_id
    from shared.claims.statuses import ClaimStatus
    from shared.data.activity import Activity
    from shared.data.claims import _to_item
    from shared.data.items import ActivityItem, ClaimItem
    from shared.data.school_imports import SchoolImports
    from shared.usecases.gias_nightly import nightly_import_id

    # Given a school with a submitted claim and a draft in the open window, and one it withdrew
    _hold(CLOSING, "Old Forge Infant School")
    claims = [
        _claim("NGT00001", open_window.window_id, ClaimStatus.SUBMITTED),
        _claim("NGT00002", open_window.window_id, ClaimStatus.DRAFT),
        _claim("NGT00003", open_window.window_id, ClaimStatus.WITHDRAWN),
    ]
    for claim in claims:
        _to_item(claim).save()
    entry_id = flag_id(CLOSING, open_window.window_id)
    try:
        # When the nightly import marks it closed, and the same extract is imported again the next night
        night.rows = _extract()[1:2]
        _fetch()
        _import_queued()
        _fetch(NOW + dt.timedelta(days=1))
        _import_queued(NOW + dt.timedelta(days=1))
        # Then support sees one Activity entry naming the school and its two live claims, linking to it
        entry = Activity().get(entry_id)
        assert entry is not None
        assert entry.kind is ActivityKind.CLOSED_SCHOOL_HAS_CLAIMS
        assert entry.label == "Closed school has claims in an open window"
        assert entry.counts == {"claims": 2}
        assert "Old Forge Infant School (URN 610002), closed on 31 October 2026: NGT00001, NGT00002" in entry.summary
        assert entry.link == f"/support/organisations/schools/{CLOSING}"
        # And the import's own entry counts it
        record = SchoolImports().get(nightly_import_id(YESTERDAY, 1))
        assert record is not None
        assert record.report is not None
        assert record.report.flagged == 1
        assert record.report.counts()["closed with claims in the open window"] == 1
        # And the Activity page shows it
        client.sign_in("Colin Chapman")
        page = client.get("/support/activity")
        assert "Closed school has claims in an open window" in page.text()
        assert "Old Forge Infant School (URN 610002), closed on 31 October 2026" in page.text()
    finally:
        for claim in claims:
            ClaimItem(claim_id=claim.reference).delete()
        ActivityItem(activity_id=entry_id).delete()


# -- memory: a stream, not the file ------------------------------------------------------------------------------
class _NoSchools:
    """Organisations holding nothing and writing nowhere: only the fetch and the importer's own memory is traced
    (moto in this process would hold what it stores)."""

    def held_establishments(self, urns: Iterable[str]) -> dict[str, Any]:
        for _ in urns:
            pass
        return {}

    def add_establishment(self, establishment: Any) -> bool:
        return True

    def update_establishment(self, establishment: Any) -> bool:
        return True


class _NothingListed:
    def refresh_schools(self, schools: Iterable[Any]) -> int:
        return sum(1 for _ in schools)


def _peak_fetching_and_importing(rows: int) -> tuple[int, int]:
    from shared.integrations.gias import extract_chunks
    from shared.usecases.school_data import import_establishments

    server = gias_server(lambda day: generated_rows(rows))
    before = os.environ["GIAS_BASE_URL"]
    os.environ["GIAS_BASE_URL"] = f"http://127.0.0.1:{server.server_address[1]}"
    settings.cache_clear()
    try:
        gc.collect()
        tracemalloc.start()
        stream = io.TextIOWrapper(
            io.BufferedReader(_Chunks(extract_chunks(YESTERDAY))), encoding="iso-8859-1", newline=""
        )
        report = import_establishments(stream, NOW.date(), organisations=_NoSchools(), directory=_NothingListed())
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        os.environ["GIAS_BASE_URL"] = before
        settings.cache_clear()
        server.shutdown()
        server.server_close()
    assert report.rows_read == rows
    return peak, report.added


class _Chunks(io.RawIOBase):
    """A readable stream over the client's chunks (as the bucket's body is to the import task)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            self._left = next(self._chunks, b"")
            if not self._left:
                return 0
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def test_a_50000_row_extract_is_fetched_and_imported_in_flat_memory(gias: FakeGias) -> None:
    # Given the fake GIAS serving generated extracts of 5,000 and 50,000 rows (about 2 MB and 20 MB)
    # When each is fetched through the client and imported as it arrives, tracing memory
    small, _ = _peak_fetching_and_importing(5_000)
    large, added = _peak_fetching_and_importing(50_000)
    # Then ten times the rows take about the same memory: neither the download nor the import holds the file
    assert added > 40_000
    assert large < 1.5 * small + 256 * 1024, (small, large)
    assert large < 8 * 1024 * 1024
