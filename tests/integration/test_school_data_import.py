"""Settings → School data (ADR 0026): support uploads GIAS's establishment data from the page straight to the files
bucket (a presigned POST), is sent back to a page that asks to import it, and the import is queued; the import task
(functions/import_schools, called with the SQS event) streams the file from the bucket into the schools. The page
shows the import while it runs and what it did once finished; it is recorded in Activity; one import runs at a
time and a redelivered message imports nothing twice."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
import requests

from tests.bench.gias_import import FIXTURE
from tests.support import NOW, REGION, Client, LambdaContextStub, Page

PAGE = "/support/settings/school-data"
IMPORTING = "The school data is being imported"
URNS = ("980001", "980002", "980003", "980004", "980005", "980006", "980008", "980009", "150516")


@pytest.fixture(scope="module")
def imports_queue(seed: Any) -> Iterator[str]:
    """The school imports queue, as template.yaml gives SupportFunction SCHOOL_IMPORTS_QUEUE_URL."""
    from shared.config import settings

    url: str = boto3.client("sqs", region_name=REGION).create_queue(QueueName="test-SchoolImportsQueue")["QueueUrl"]
    before = os.environ.get("SCHOOL_IMPORTS_QUEUE_URL")
    os.environ["SCHOOL_IMPORTS_QUEUE_URL"] = url
    settings.cache_clear()
    yield url
    if before is None:
        os.environ.pop("SCHOOL_IMPORTS_QUEUE_URL", None)
    else:
        os.environ["SCHOOL_IMPORTS_QUEUE_URL"] = before
    settings.cache_clear()


@pytest.fixture
def fresh(imports_queue: str) -> Iterator[None]:
    """No import yet, and none of the fixture's schools held; both removed again after the test."""
    from shared.data.items import ActivityItem, OrganisationItem
    from shared.data.school_imports import IMPORTS

    def clean() -> None:
        pointer = ActivityItem.get(IMPORTS) if ActivityItem.count(IMPORTS) else None
        if pointer is not None and pointer.latest_import:
            ActivityItem(activity_id=pointer.latest_import).delete()
        ActivityItem(activity_id=IMPORTS).delete()
        for urn in URNS:
            OrganisationItem(organisation_id=urn).delete()

    clean()
    yield
    clean()


@pytest.fixture(scope="module")
def task(imports_queue: str) -> Iterator[Any]:
    import functions.import_schools.app as module

    module.clock = lambda: NOW + dt.timedelta(minutes=1)
    yield module
    module.clock = module._utcnow


@pytest.fixture
def colin(client: Client, fresh: None) -> Client:
    client.sign_in("Colin Chapman")
    return client


def _fixture_bytes(changes: dict[str, dict[str, str]] | None = None) -> bytes:
    """The real-format fixture, with some rows' cells changed (by URN), encoded as GIAS encodes it."""
    text = FIXTURE.read_bytes().decode("iso-8859-1")
    if not changes:
        return text.encode("iso-8859-1")
    lines = text.split("\r\n")
    header = next(csv.reader([lines[0]]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for line in lines[1:]:
        if not line:
            continue
        cells = next(csv.reader([line]))
        if len(cells) == len(header) and cells[0] in changes:
            row = dict(zip(header, cells, strict=True))
            row.update(changes[cells[0]])
            cells = [row[name] for name in header]
        if len(cells) == len(header):
            writer.writerow(cells)
        else:
            out.write(line + "\r\n")
    return out.getvalue().encode("iso-8859-1")


def _upload(client: Client, content: bytes) -> Page:
    """Use the page's upload form as a browser would: post the file to S3, follow S3's redirect to the service."""
    page = client.get(PAGE)
    form = page.soup.find("form", attrs={"enctype": "multipart/form-data"})
    assert form is not None, "the page has no upload form"
    fields = {field["name"]: field["value"] for field in form.find_all("input", attrs={"type": "hidden"})}
    answer = requests.post(
        form["action"],
        data=fields,
        files={"file": ("edubasealldata20261127.csv", content)},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303, answer.text
    location = urlsplit(answer.headers["Location"])
    assert location.path == f"{PAGE}/uploaded"
    return client.get(f"{location.path}?{location.query}")


def _start(client: Client, content: bytes) -> Page:
    check = _upload(client, content)
    assert check.h1 == "Import school data"
    form = check.soup.find("form", attrs={"action": f"{PAGE}/imports"})
    fields = {field["name"]: field["value"] for field in form.find_all("input")}
    return client.post(f"{PAGE}/imports", fields)


def _delivery(queue_url: str) -> dict[str, Any]:
    from infrastructure.local.queues import sqs_event

    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
        "Messages", []
    )
    assert len(messages) == 1, messages
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs_event(messages, arn)


def _summary(page: Page) -> dict[str, str]:
    summary = page.soup.find(id="import-summary")
    assert summary is not None, page.text()
    return {
        row.find("dt").get_text(strip=True): row.find("dd").get_text(strip=True)
        for row in summary.find_all(class_="govuk-summary-list__row")
    }


def _import(colin: Client, task: Any, queue: str, content: bytes) -> Page:
    started = _start(colin, content)
    assert (started.status, started.location) == (303, PAGE)
    assert task.lambda_handler(_delivery(queue), LambdaContextStub()) == {"batchItemFailures": []}
    return colin.get(PAGE)


def test_settings_lists_claim_windows_funding_rates_and_school_data(colin: Client) -> None:
    page = colin.get("/support/settings")
    assert page.status == 200
    assert page.h1 == "Settings"
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("#settings a")}
    assert links == {
        "Claim windows": "/support/claim-windows",
        "Funding rates": "/support/settings/funding-rates",
        "School data": PAGE,
        "Emails": "/support/settings/emails",
    }
    # And each leads to its page (none is a 404)
    for href in links.values():
        assert colin.get(href).status == 200, href
    current = page.soup.select_one(".govuk-service-navigation__item--active")
    assert current is not None
    assert current.get_text(strip=True) == "Settings"


def test_claim_windows_show_settings_as_current(colin: Client) -> None:
    page = colin.get("/support/claim-windows")
    current = page.soup.select_one(".govuk-service-navigation__item--active")
    assert current is not None
    assert current.get_text(strip=True) == "Settings"
    assert "Claim windows" not in [a.get_text(strip=True) for a in page.soup.select(".govuk-service-navigation__link")]


def test_before_any_import_the_page_offers_the_upload_form_to_the_bucket(colin: Client) -> None:
    page = colin.get(PAGE)
    assert page.status == 200
    assert page.h1 == "School data"
    assert "No school data has been imported yet." in page.text()
    form = page.soup.find("form", attrs={"enctype": "multipart/form-data"})
    # The form posts to S3, never to the service, under a new upload key, and S3 sends the browser back
    assert form["method"] == "post"
    assert form["action"].startswith("https://")
    fields = {field["name"]: field["value"] for field in form.find_all("input", attrs={"type": "hidden"})}
    assert re.fullmatch(r"school-data/uploads/[0-9a-f]{32}\.csv", fields["key"])
    assert fields["success_action_redirect"].endswith(f"{PAGE}/uploaded")
    assert {"policy", "x-amz-signature"} <= set(fields)
    # And the file field comes last, as S3 wants, and the page's policy lets the form post to the bucket
    assert form.find_all("input")[-1]["name"] == "file"
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(form["action"]))
    assert f"form-action 'self' {origin}" in page.headers["Content-Security-Policy"][0]


def test_an_import_adds_open_schools_in_england_and_reports_what_it_skipped(
    colin: Client, task: Any, imports_queue: str
) -> None:
    from shared.data.organisations import Organisations

    # Given the fixture uploaded and imported
    page = _import(colin, task, imports_queue, _fixture_bytes())
    # Then the page shows what the import did
    summary = _summary(page)
    assert summary["Rows read"] == "10"
    assert (summary["Schools added"], summary["Schools updated"], summary["Schools marked closed"]) == ("4", "0", "0")
    assert summary["Rows skipped"] == "6"
    assert summary["Imported by"] == "Colin Chapman"
    reasons = {
        cells[0].get_text(strip=True): cells[1].get_text(strip=True)
        for cells in (row.find_all("td") for row in page.soup.select("#skipped-by-reason tbody tr"))
    }
    assert reasons == {
        "Closed, and not a school in the service": "1",
        "Not open yet": "1",
        "British school overseas": "1",
        "Not in England": "1",
        "Malformed row": "2",
    }
    skipped = [
        [cell.get_text(strip=True) for cell in row.find_all("td")] for row in page.soup.select("#skipped-rows tbody tr")
    ]
    assert skipped == [
        ["4", "980003", "Old Mill Infant School", "Closed, and not a school in the service"],
        ["6", "150516", "Dubai Scholars Private School", "British school overseas"],
        ["7", "980005", "Ysgol Gymraeg Aberystwyth", "Not in England: Welsh establishment"],
        ["8", "980006", "Kirkstall Free School", "Not open yet: Proposed to open"],
        ["9", "980009", "Short Row School", "Malformed row: Fewer than 140 columns"],
        ["10", "98A007", "Broken Urn School", "Malformed row: The URN is not 5 to 7 digits"],
    ]
    # And the schools are held with their GIAS attributes, names decoded from Latin-1, not eligible
    school = Organisations().get_school("980001")
    assert school.name == "St Mary's Church of England Primary School, Hôpital"
    assert (school.local_authority_name, school.postcode, school.region.value) == (
        "Leeds",
        "LS6 2AB",
        "Rest of England",
    )
    assert school.eligible_years == frozenset()
    assert not school.closed
    assert Organisations().get_school("980002").region.value == "Inner London"


def test_a_second_import_updates_and_closes_and_keeps_what_the_service_owns(
    colin: Client, task: Any, imports_queue: str
) -> None:
    from shared.data.items import OrganisationItem
    from shared.data.organisations import Organisations

    # Given a first import, and the service's own facts on a school (eligibility, grant conditions, vendor number)
    _import(colin, task, imports_queue, _fixture_bytes())
    item = OrganisationItem.get("980001")
    item.update(
        actions=[
            OrganisationItem.eligible_years.add({"2026 to 2027"}),
            OrganisationItem.grant_conditions_accepted_by.set("someone"),
            OrganisationItem.details["vendor_number"].set("V12345"),
        ]
    )
    # When GIAS renames the school and closes another, and the file is imported again
    content = _fixture_bytes(
        {
            "980001": {"EstablishmentName": "St Mary's Church of England Academy, Hôpital"},
            "980004": {
                "EstablishmentStatus (name)": "Closed",
                "EstablishmentStatus (code)": "2",
                "CloseDate": "31-08-2026",
            },
        }
    )
    page = _import(colin, task, imports_queue, content)
    # Then one school is updated, one marked closed, the others unchanged and none duplicated
    summary = _summary(page)
    assert (summary["Schools added"], summary["Schools updated"], summary["Schools marked closed"]) == ("0", "1", "1")
    assert summary["Schools unchanged"] == "2"
    renamed = Organisations().get_school("980001")
    assert renamed.name == "St Mary's Church of England Academy, Hôpital"
    assert renamed.eligible_years == frozenset({"2026 to 2027"})
    assert renamed.grant_conditions_accepted_by == "someone"
    assert renamed.vendor_number == "V12345"
    closed = Organisations().get_school("980004")
    assert closed.closed
    assert closed.closed_on == dt.date(2026, 8, 31)


def test_while_an_import_runs_the_page_says_so_and_another_cannot_start(colin: Client, imports_queue: str) -> None:
    # Given an import asked for and not yet run
    started = _start(colin, _fixture_bytes())
    assert started.status == 303
    # Then the page says the school data is being imported, with a way to refresh, and offers no upload
    page = colin.get(PAGE)
    assert IMPORTING in page.text()
    assert page.soup.find(id="import-progress") is not None
    assert page.soup.find("form", attrs={"enctype": "multipart/form-data"}) is None
    # And the Activity entry is recorded as it starts
    from shared.data.school_imports import SchoolImports

    latest = SchoolImports().latest()
    assert latest is not None
    assert latest.requested_by_name == "Colin Chapman"
    # And pressing the button again starts nothing more (one message queued)
    queued = boto3.client("sqs", region_name=REGION).receive_message(QueueUrl=imports_queue, MaxNumberOfMessages=10)
    assert len(queued.get("Messages", [])) == 1
    for message in queued["Messages"]:
        boto3.client("sqs", region_name=REGION).delete_message(
            QueueUrl=imports_queue, ReceiptHandle=message["ReceiptHandle"]
        )


def test_a_redelivered_message_imports_once(colin: Client, task: Any, imports_queue: str) -> None:
    from shared.data.items import OrganisationItem

    # Given an import run once
    _start(colin, _fixture_bytes())
    event = _delivery(imports_queue)
    assert task.lambda_handler(event, LambdaContextStub()) == {"batchItemFailures": []}
    OrganisationItem(organisation_id="980001").update(actions=[OrganisationItem.name.set("Changed by hand")])
    # When SQS delivers the same message again
    assert task.lambda_handler(event, LambdaContextStub()) == {"batchItemFailures": []}
    # Then nothing is imported again
    assert OrganisationItem.get("980001").name == "Changed by hand"
    assert _summary(colin.get(PAGE))["Schools added"] == "4"


def test_a_file_that_is_not_gias_data_is_refused(colin: Client) -> None:
    page = _start(colin, b"claim_reference,claim_status\r\n12345678,paid\r\n")
    assert page.status == 200
    assert "The selected file must be GIAS establishment data: it has no URN column" in page.text()
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#file"


def test_the_uploaded_page_needs_an_uploaded_file(colin: Client) -> None:
    assert colin.get(f"{PAGE}/uploaded?key=school-data/uploads/{'c' * 32}.csv").status == 404
    assert colin.get(f"{PAGE}/uploaded?key=exports/x.csv").status == 404
    colin.get("/support/claim-windows/new")  # a page with one of the service's forms (the CSRF token)
    assert colin.post(f"{PAGE}/imports", {"import_id": "c" * 32}).status == 404


def test_school_users_may_not_see_settings_or_school_data(anne: Client) -> None:
    for path in ("/support/settings", PAGE, f"{PAGE}/uploaded?key=x"):
        assert anne.get(path).status == 403


def test_starting_an_import_needs_the_csrf_token(colin: Client, imports_queue: str) -> None:
    assert colin.post(f"{PAGE}/imports", {"import_id": "d" * 32}, csrf=False).status in (400, 403)
    queued = boto3.client("sqs", region_name=REGION).receive_message(QueueUrl=imports_queue).get("Messages", [])
    assert queued == []


def test_the_import_is_recorded_in_activity_with_its_counts(colin: Client, task: Any, imports_queue: str) -> None:
    from shared.claims.activity import ActivityKind
    from shared.data.activity import Activity, month_of
    from shared.data.school_imports import SchoolImports

    _import(colin, task, imports_queue, _fixture_bytes())
    latest = SchoolImports().latest()
    assert latest is not None
    entries = [e for e in Activity().newest([month_of(NOW)], 50) if e.activity_id == latest.import_id]
    (entry,) = entries
    assert entry.kind is ActivityKind.SCHOOL_DATA_IMPORT
    assert entry.actor_name == "Colin Chapman"
    assert entry.link == PAGE
    assert entry.counts == {"rows read": 10, "added": 4, "updated": 0, "closed": 0, "skipped": 6}


def test_a_second_file_cannot_start_while_an_import_runs(colin: Client, task: Any, imports_queue: str) -> None:
    # Given two files uploaded, and the first one's import started
    first = _upload(colin, _fixture_bytes())
    second = _upload(colin, _fixture_bytes())
    fields = [
        {
            field["name"]: field["value"]
            for field in page.soup.find("form", attrs={"action": f"{PAGE}/imports"}).find_all("input")
        }
        for page in (first, second)
    ]
    assert colin.post(f"{PAGE}/imports", fields[0]).status == 303
    # When the second is asked for
    refused = colin.post(f"{PAGE}/imports", fields[1])
    # Then it is refused on the page, which says the first is being imported
    assert refused.status == 200
    assert refused.soup.select_one(".govuk-error-summary a")["href"] == "#latest-import"
    assert "School data is already being imported" in refused.text()
    assert IMPORTING in refused.text()
    # And once the first has run, the second can start
    task.lambda_handler(_delivery(imports_queue), LambdaContextStub())
    assert colin.post(f"{PAGE}/imports", fields[1]).status == 303
    _delivery(imports_queue)


def test_an_import_that_fails_says_so_and_lets_another_start(colin: Client, task: Any, imports_queue: str) -> None:
    from shared.config import settings
    from shared.data.school_imports import SchoolImports

    # Given an import started whose file is gone before the task reads it
    _start(colin, _fixture_bytes())
    latest = SchoolImports().latest()
    assert latest is not None
    boto3.client("s3", region_name=REGION).delete_object(Bucket=settings().files_bucket, Key=latest.file_key)
    # When the task runs
    assert task.lambda_handler(_delivery(imports_queue), LambdaContextStub()) == {"batchItemFailures": []}
    # Then the page says the import failed, and offers the upload again
    page = colin.get(PAGE)
    failed = page.soup.find(id="import-failed")
    assert failed is not None, page.soup.find(id="latest-import")
    assert "The import failed: it stopped before the end of the file." in failed.get_text()
    assert page.soup.find("form", attrs={"enctype": "multipart/form-data"}) is not None
    # And a new import can start
    assert _start(colin, _fixture_bytes()).status == 303
    _delivery(imports_queue)


def test_a_school_added_to_the_console_is_listed_as_gias_now_describes_it(
    colin: Client, task: Any, imports_queue: str
) -> None:
    from shared.data.directory import Directory, school_entry
    from shared.data.organisations import Organisations

    # Given a school from a first import that support has added to the console's Organisations list
    _import(colin, task, imports_queue, _fixture_bytes())
    school = Organisations().get_school("980001")
    Directory().record_added(school_entry(school), dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), "support")
    # When GIAS renames it and moves it, and the file is imported again
    content = _fixture_bytes(
        {"980001": {"EstablishmentName": "St Mary's Church of England Academy, Hôpital", "Postcode": "LS6 2AB"}}
    )
    _import(colin, task, imports_queue, content)
    # Then the list shows its new name and postcode, found by either
    listed = colin.get("/support/organisations?search=LS6+2AB")
    assert "St Mary's Church of England Academy, Hôpital" in listed.text()
    assert "LS6 2AB" in listed.text()
