""" "Download claims (CSV)" (ADR 0021): the list's button asks for an export of its filtered claims; the page says
it is being prepared; the export task (functions/export_claims, called with the SQS event) writes the CSV to the
files bucket; then the page offers the file to the user who asked, and to no one else. The export is recorded in
Activity, a redelivered message does nothing, two deliveries cannot both write it, and a large export fits the
task's memory and time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode

import boto3
import pytest

from tests.support import NOW, REGION, Client, LambdaContextStub, Page

PROVIDER = "T8X"  # provider codes only these tests use: what they export is theirs alone
OTHER_PROVIDER = "T8Y"
LARGE_PROVIDER = "T7X"
LEEDS_SCHOOL = "990101"
FORMULA_SCHOOL = "990102"
UNKNOWN_SCHOOL = "990103"  # claims name it, but it has no organisation record
FORMULA_NAME = '=HYPERLINK("http://evil.example","x") Academy'
LARGE_CLAIMS = 800
LARGE_SCHOOLS = 40
HEADERS = [
    "claim_reference",
    "school_urn",
    "school_name",
    "school_local_authority",
    "school_type_of_establishment",
    "school_group",
    "provider_name",
    "provider_code",
    "claim_amount",
    "claim_submission_date",
    "claim_status",
]
FILTERS = {"filtered": "yes", "provider": PROVIDER, "status": "paid", "year": "2026 to 2027"}
BEING_PREPARED = "Your export is being prepared"
READY = "Your export is ready"


def _claim(
    reference: str,
    *,
    school_id: str,
    school_name: str,
    days_ago: int,
    status: str = "paid",
    provider_code: str = PROVIDER,
    year: int = 2026,
    amount_pence: int = 17520,
) -> Any:
    """A claim item as the store writes one (so its listing-index entry is the real one)."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claim_windows import ClaimWindows
    from shared.data.claims import _to_item

    window = next(w for w in ClaimWindows().all() if w.academic_year == AcademicYear(2026))
    at = NOW - dt.timedelta(days=days_ago, minutes=days_ago)
    mentor = ClaimMentor(trn="3000001", first_name="Lia", last_name="Test", hours=4, training_type=TrainingType.INITIAL)
    return _to_item(
        Claim(
            reference=reference,
            school_id=school_id,
            school_name=school_name,
            provider_code=provider_code,
            provider_name=f"Export Test Provider {provider_code}",
            window_id=window.window_id,
            academic_year=AcademicYear(year),
            status=ClaimStatus(status),
            mentors=(mentor,),
            region="Rest of England",
            hourly_rate_pence=4380,
            amount_pence=amount_pence,
            created_at=at,
            submitted_at=at,
            submitted_by="user-test",
            submitted_by_name="Lia Test",
        )
    )


def _school(urn: str, name: str, local_authority: str = "", kind: str = "", group: str = "") -> Any:
    from shared.claims.organisations import School

    return School(
        organisation_id=urn,
        urn=urn,
        name=name,
        local_authority_name=local_authority,
        type_of_establishment=kind,
        group=group,
        eligible_years=frozenset({"2026 to 2027"}),
    )


@pytest.fixture(scope="module")
def exports_queue(seed: Any) -> Iterator[str]:
    """The exports queue, as template.yaml gives SupportFunction EXPORTS_QUEUE_URL."""
    from shared.config import settings

    url: str = boto3.client("sqs", region_name=REGION).create_queue(QueueName="test-ExportsQueue")["QueueUrl"]
    before = os.environ.get("EXPORTS_QUEUE_URL")
    os.environ["EXPORTS_QUEUE_URL"] = url
    settings.cache_clear()
    yield url
    if before is None:
        os.environ.pop("EXPORTS_QUEUE_URL", None)
    else:
        os.environ["EXPORTS_QUEUE_URL"] = before
    settings.cache_clear()


@pytest.fixture(scope="module")
def exported(exports_queue: str) -> Iterator[None]:
    """Three schools' claims of PROVIDER (and a few the filters leave out)."""
    from shared.data.items import ClaimItem, OrganisationItem
    from shared.data.organisations import Organisations

    organisations = Organisations()
    organisations.put_school(_school(LEEDS_SCHOOL, "Leeds Export Academy", "Leeds", "Academy converter", "Academies"))
    organisations.put_school(_school(FORMULA_SCHOOL, FORMULA_NAME, "", "Free schools", "Free Schools"))
    items = [
        _claim("78000001", school_id=LEEDS_SCHOOL, school_name="Leeds Export Academy", days_ago=1, amount_pence=17520),
        _claim("78000002", school_id=FORMULA_SCHOOL, school_name=FORMULA_NAME, days_ago=2, status="submitted"),
        _claim("78000003", school_id=FORMULA_SCHOOL, school_name=FORMULA_NAME, days_ago=3, amount_pence=438000),
        _claim("78000004", school_id=UNKNOWN_SCHOOL, school_name="Gone School", days_ago=4, amount_pence=5),
        _claim(
            "78000005",
            school_id=LEEDS_SCHOOL,
            school_name="Leeds Export Academy",
            days_ago=5,
            provider_code=OTHER_PROVIDER,
        ),
        _claim("78000006", school_id=LEEDS_SCHOOL, school_name="Leeds Export Academy", days_ago=400, year=2025),
    ]
    for item in items:
        item.save()
    yield
    for item in items:
        ClaimItem(claim_id=item.claim_id).delete()
    for urn in (LEEDS_SCHOOL, FORMULA_SCHOOL):
        OrganisationItem(organisation_id=urn).delete()


@pytest.fixture(scope="module")
def task(exports_queue: str) -> Iterator[Any]:
    """The export task's module, at a fixed time a minute after the pages' NOW."""
    import functions.export_claims.app as module

    module.clock = lambda: NOW + dt.timedelta(minutes=1)
    yield module
    module.clock = module._utcnow


@pytest.fixture
def colin(client: Client, exported: None) -> Client:
    client.sign_in("Colin Chapman")
    return client


def _signed_in(apps: dict[str, Any], name: str) -> Client:
    other = Client(web=apps["web"], support=apps["support"])
    other.sign_in(name)
    return other


def _list_url(filters: dict[str, str]) -> str:
    return "/support/claims?" + urlencode(filters)


def _ask_for_export(client: Client, filters: dict[str, str]) -> str:
    """Press "Download claims (CSV)" on the list with these filters: the export's page."""
    listing = client.get(_list_url(filters))
    soup = listing.soup
    button = soup.find("button", string=re.compile("Download claims \\(CSV\\)"))
    assert button is not None, "the list has no Download claims (CSV) button"
    form = soup.find("form", id=button["form"])
    assert form is not None
    assert (form["method"], form["action"]) == ("post", "/support/claims/exports")
    fields = {field["name"]: field["value"] for field in form.find_all("input")}
    assert set(fields) == {"csrf_token", "query"}
    answer = client.post(form["action"], fields)
    assert answer.status == 303, answer.status
    assert re.fullmatch(r"/support/claims/exports/[0-9a-f]{32}", answer.location), answer.location
    return answer.location


def _delivery(queue_url: str) -> dict[str, Any]:
    """Take the queued export message, as Lambda's event source mapping would: the SQS event for the task."""
    from infrastructure.local.queues import sqs_event

    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
        "Messages", []
    )
    assert len(messages) == 1, messages
    for message in messages:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs_event(messages, arn)


def _run(task: Any, event: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = task.lambda_handler(event, LambdaContextStub())
    return response


def _rows(download: Page) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(download.body))
    assert next(reader) == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in reader]


def _export_id(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _versions(export_id: str) -> list[dict[str, Any]]:
    listed = boto3.client("s3", region_name=REGION).list_object_versions(
        Bucket=os.environ["FILES_BUCKET"], Prefix=f"exports/{export_id}/"
    )
    return list(listed.get("Versions", []))


def test_the_list_offers_its_filtered_claims_as_csv(colin: Client) -> None:
    # Given the list with a provider and a status chosen
    page = colin.get(_list_url(FILTERS))
    # Then, below the count, a button asks for an export of exactly these filters
    count = page.soup.select_one("#claims-count")
    assert count is not None
    button = count.find_next_sibling("button")
    assert button is not None
    assert button.get_text(strip=True) == "Download claims (CSV)"
    form = page.soup.find("form", id=button["form"])
    assert form is not None
    assert form.find("input", attrs={"name": "csrf_token"}) is not None
    query = parse_qs(form.find("input", attrs={"name": "query"})["value"])
    assert query == {key: [value] for key, value in FILTERS.items()}


def test_an_export_is_prepared_by_the_task_and_downloaded_by_whoever_asked_only(
    colin: Client, task: Any, exports_queue: str, apps: dict[str, Any]
) -> None:
    # Given Colin asks for the paid claims of one provider this year
    path = _ask_for_export(colin, FILTERS)
    # Then the page says the export is being prepared, with a way to look again (no meta refresh, no script)
    waiting = colin.get(path)
    assert waiting.h1 == BEING_PREPARED
    refresh = waiting.soup.find("a", string="Refresh this page")
    assert refresh is not None
    assert refresh["href"] == path
    assert waiting.soup.find("meta", attrs={"http-equiv": re.compile("refresh", re.I)}) is None
    assert "Download the claims (CSV)" not in waiting.text()
    assert colin.get(f"{path}/download").status == 404  # nothing to download yet

    # When the export task runs with the queued message
    response = _run(task, _delivery(exports_queue))
    assert response == {"batchItemFailures": []}

    # Then the page offers the file, says how many claims it holds and when it was prepared
    ready = colin.get(path)
    assert ready.h1 == READY
    assert "3 claims" in ready.text()
    assert "Prepared on 28 November 2026 at 10:31am" in ready.text()
    link = ready.soup.find("a", string="Download the claims (CSV)")
    assert link is not None
    assert link["href"] == f"{path}/download"

    # And the file holds exactly the filtered claims, newest first, as the claims export writes them
    download = colin.get(link["href"], check=False)
    assert download.status == 200
    assert download.headers["Content-Type"] == ["text/csv; charset=utf-8"]
    assert download.headers["Content-Disposition"] == ['attachment; filename="claims-2026-11-28.csv"']
    assert download.headers["Cache-Control"] == ["no-store"]
    rows = _rows(download)
    assert [row["claim_reference"] for row in rows] == ["78000001", "78000003", "78000004"]
    leeds, formula, unknown = rows
    assert leeds == {
        "claim_reference": "78000001",
        "school_urn": LEEDS_SCHOOL,
        "school_name": "Leeds Export Academy",
        "school_local_authority": "Leeds",
        "school_type_of_establishment": "Academy converter",
        "school_group": "Academies",
        "provider_name": f"Export Test Provider {PROVIDER}",
        "provider_code": PROVIDER,
        "claim_amount": "175.20",
        "claim_submission_date": "2026-11-27",
        "claim_status": "paid",
    }
    assert formula["school_name"] == "'" + FORMULA_NAME  # formula-safe
    assert formula["school_local_authority"] == ""
    assert formula["claim_amount"] == "4380.00"
    assert (unknown["school_urn"], unknown["school_local_authority"], unknown["claim_amount"]) == (
        UNKNOWN_SCHOOL,
        "",
        "0.05",
    )

    # And another support user gets "Page not found" for the page and the file; a school user is not authorised
    sam = _signed_in(apps, "Sam Brooks")
    assert sam.get(path).status == 404
    assert sam.get(f"{path}/download", check=False).status == 404
    anne = _signed_in(apps, "Anne Wilson")
    assert anne.get(path).status == 403
    assert anne.get(f"{path}/download", check=False).status == 403
    # And an id that is no export is not found either
    assert colin.get("/support/claims/exports/" + "0" * 32).status == 404
    assert colin.get("/support/claims/exports/not-an-export").status == 404


def test_the_export_is_recorded_in_activity(colin: Client, task: Any, exports_queue: str) -> None:
    from shared.claims.activity import ActivityKind
    from shared.data.activity import Activity, month_of

    # Given Colin asks for an export
    export_id = _export_id(_ask_for_export(colin, FILTERS))

    def entry() -> Any:
        (found,) = [e for e in Activity().newest([month_of(NOW)], 500) if e.activity_id == export_id]
        return found

    # Then Activity has "Exported claims": who, when and the filters, preparing
    asked = entry()
    assert (asked.kind, asked.label) == (ActivityKind.CLAIMS_EXPORT, "Exported claims")
    assert (asked.actor_id, asked.actor_name, asked.at) == ("user-colin-chapman", "Colin Chapman", NOW)
    assert parse_qs(asked.query or "") == {key: [value] for key, value in FILTERS.items()}
    assert (asked.status, asked.row_count) == ("preparing", None)
    # And once the task has run, the same entry has the count
    _run(task, _delivery(exports_queue))
    done = entry()
    assert (done.status, done.row_count, done.at) == ("ready", 3, NOW)


def test_a_redelivered_message_does_nothing(colin: Client, task: Any, exports_queue: str) -> None:
    from shared.data.activity import Activity

    # Given an export the task has prepared
    path = _ask_for_export(colin, FILTERS)
    event = _delivery(exports_queue)
    _run(task, event)
    export_id = _export_id(path)
    prepared = Activity().export(export_id)
    assert prepared is not None
    assert prepared.attempts == 1
    assert len(_versions(export_id)) == 1
    # When SQS delivers the same message again, later
    task.clock = lambda: NOW + dt.timedelta(hours=1)
    try:
        response = _run(task, event)
    finally:
        task.clock = lambda: NOW + dt.timedelta(minutes=1)
    # Then it is done with, and nothing was written: the same file, record and page
    assert response == {"batchItemFailures": []}
    assert len(_versions(export_id)) == 1
    assert Activity().export(export_id) == prepared
    assert colin.get(path).h1 == READY


def test_a_delivery_while_another_holds_the_export_writes_nothing(colin: Client, task: Any, exports_queue: str) -> None:
    from shared.claims.claims_export import LEASE
    from shared.data.activity import Activity

    # Given an export that another delivery of its message is writing (it holds the export's lease)
    path = _ask_for_export(colin, FILTERS)
    export_id = _export_id(path)
    event = _delivery(exports_queue)
    assert Activity().take_export(export_id, "another-delivery", NOW) == 1
    # When this delivery runs meanwhile
    response = _run(task, event)
    # Then it writes no file and leaves its message for later (a batch item failure)
    assert response == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert _versions(export_id) == []
    assert colin.get(path).h1 == BEING_PREPARED
    # And the holder cannot be overtaken: only it could mark the export ready
    assert Activity().take_export(export_id, "a-third-delivery", NOW + dt.timedelta(minutes=2)) is None
    # When the message comes back after the holder's lease has ended (its attempt crashed)
    task.clock = lambda: NOW + LEASE + dt.timedelta(minutes=1)
    try:
        assert _run(task, event) == {"batchItemFailures": []}
    finally:
        task.clock = lambda: NOW + dt.timedelta(minutes=1)
    # Then this delivery writes the one file the export offers, as attempt 2
    versions = _versions(export_id)
    assert [v["Key"] for v in versions] == [f"exports/{export_id}/claims-2.csv"]
    export = Activity().export(export_id)
    assert export is not None
    assert (export.status.value, export.attempts, export.file_key) == ("ready", 2, versions[0]["Key"])
    # And the crashed holder, were it still alive, could no longer mark it ready with a file of its own
    from shared.data.files import StoredFile

    stale = StoredFile(key=f"exports/{export_id}/claims-1.csv", sha256="0" * 64, size=1)
    assert Activity().finish_export(export_id, "another-delivery", stale, 99, NOW) is False


def test_a_failed_export_says_so_and_offers_to_try_again(
    colin: Client, task: Any, exports_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.usecases.claims_export as claims_export

    # Given the file cannot be written (S3 refuses it)
    def refuse(*_: object, **__: object) -> None:
        raise RuntimeError("S3 is down")

    monkeypatch.setattr(claims_export, "put_stream", refuse)
    path = _ask_for_export(colin, FILTERS)
    # When the task runs
    assert _run(task, _delivery(exports_queue)) == {"batchItemFailures": []}
    # Then the page says the export could not be prepared, and offers to try again with the same filters
    failed = colin.get(path)
    assert failed.h1 == "Your export could not be prepared"
    assert colin.get(f"{path}/download", check=False).status == 404
    form = failed.soup.find("form", attrs={"action": "/support/claims/exports"})
    assert form is not None
    assert form.find("button").get_text(strip=True) == "Try again"
    fields = {str(field["name"]): str(field["value"]) for field in form.find_all("input")}
    assert parse_qs(fields["query"]) == {key: [value] for key, value in FILTERS.items()}
    # When Colin tries again (and S3 is back)
    monkeypatch.undo()
    again = colin.post("/support/claims/exports", fields)
    assert again.status == 303
    assert again.location != path
    _run(task, _delivery(exports_queue))
    assert colin.get(again.location).h1 == READY


def test_asking_for_an_export_needs_the_csrf_token(colin: Client, exports_queue: str) -> None:
    colin.get(_list_url(FILTERS))
    forged = colin.post("/support/claims/exports", {"query": urlencode(FILTERS)}, csrf=False)
    assert forged.status == 403
    queued = boto3.client("sqs", region_name=REGION).receive_message(QueueUrl=exports_queue).get("Messages", [])
    assert queued == []


# -- an export of any size --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def many_claims(exported: None) -> Iterator[None]:
    """LARGE_CLAIMS claims of LARGE_PROVIDER across LARGE_SCHOOLS schools (written in batches)."""
    from shared.data.items import ClaimItem, OrganisationItem
    from shared.data.organisations import Organisations

    urns = [f"98{n:04d}" for n in range(LARGE_SCHOOLS)]
    for n, urn in enumerate(urns):
        Organisations().put_school(
            _school(urn, f"Bulk Export School {n}", f"Authority {n % 7}", "Academy", "Academies")
        )
    items = [
        _claim(
            f"79{n:06d}",
            school_id=urns[n % LARGE_SCHOOLS],
            school_name=f"Bulk Export School {n % LARGE_SCHOOLS}",
            days_ago=1 + n % 60,
            status="submitted",
            provider_code=LARGE_PROVIDER,
            amount_pence=4380 * (1 + n % 20),
        )
        for n in range(LARGE_CLAIMS)
    ]
    with ClaimItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    yield
    with ClaimItem.batch_write() as batch:
        for item in items:
            batch.delete(item)
    for urn in urns:
        OrganisationItem(organisation_id=urn).delete()


def test_a_large_export_fits_the_tasks_memory_and_time(
    colin: Client,
    task: Any,
    exports_queue: str,
    many_claims: None,
    monkeypatch: pytest.MonkeyPatch,
    record_property: Any,
) -> None:
    import shared.data.claim_listing as claim_listing
    import shared.usecases.claims_export as claims_export
    from shared.data.activity import Activity

    # Given index pages and school reads far smaller than the real ones, so 800 claims take many of each
    monkeypatch.setattr(claim_listing, "MAX_READ", 64)
    monkeypatch.setattr(claims_export, "ROWS_PER_SCHOOL_READ", 50)
    # And Colin asks for every claim of a provider with 800 claims
    path = _ask_for_export(colin, {"filtered": "yes", "provider": LARGE_PROVIDER})
    event = _delivery(exports_queue)
    # When the task runs, its memory traced (moto runs in this process too: its allocations count against it)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = _run(task, event)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    record_property("export_claims", LARGE_CLAIMS)
    record_property("export_peak_bytes", peak)
    record_property("export_seconds", round(seconds, 2))
    print(f"\nexport of {LARGE_CLAIMS} claims: peak {peak / 1024 / 1024:.1f} MiB traced, {seconds:.1f} s")
    # Then it finished within the function's memory: 512 MB (half of it, with moto's share); its time is
    # recorded, not asserted (moto's index queries read the whole table: `make bench` measures requests instead)
    assert response == {"batchItemFailures": []}
    assert peak < 256 * 1024 * 1024
    export = Activity().export(_export_id(path))
    assert export is not None
    assert export.row_count == LARGE_CLAIMS
    # And the file holds every claim once, newest first, each with its school's local authority
    download = colin.get(f"{path}/download", check=False)
    rows = _rows(download)
    assert len(rows) == LARGE_CLAIMS == len({row["claim_reference"] for row in rows})
    dates = [row["claim_submission_date"] for row in rows]
    assert dates == sorted(dates, reverse=True)
    assert all(row["school_local_authority"].startswith("Authority ") for row in rows)
    # And a file too large for a Lambda response is handed over by a short-lived link to the same object
    monkeypatch.setattr(claims_export, "INLINE_LIMIT_BYTES", 1024)
    handed = colin.get(f"{path}/download", check=False)
    assert handed.status == 303
    assert export.file_key is not None
    assert f"/{export.file_key}?" in handed.location
    assert "Signature" in handed.location
    assert "filename%3D%22claims-2026-11-28.csv%22" in handed.location
