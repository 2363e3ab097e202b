"""A mentor's date of birth is used for the Teaching Record lookup and never stored or logged
(docs/domain.md, "Privacy").

The add-mentor journey runs end to end (found and confirmed, not found, and the Teaching Record
failing) with every logger at DEBUG, Powertools' JSON logs on stdout and urllib3's request logs
included. Then every item of every table and every log line is searched for the date in any
format, and every response's cookies and redirects are checked too. (Scanning is fine in a test.)
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from infrastructure.local.fakes import API_KEY, teaching_record_server
from infrastructure.local.seed_data import build_seed_data
from tests import support
from tests.integration.test_mentors import SchoolUser, make_school_user, remove_school_user
from tests.support import NOW, REGION, Page

FORMS_OF_THE_DATE = ("1981-02-02", "02/02/1981", "2/2/1981", "2 February 1981", "19810202", "02-02-1981")


# `responses` is moto's interception of `requests` (and logs each URL it lets through): it exists only
# under `mock_aws` in tests, never in a deployed function, so its records are not the service's logs.
_TEST_HARNESS_LOGGERS = frozenset({"responses"})


class _Everything(logging.Handler):
    """Keeps each record whole: message, arguments, extra keys and any traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name in _TEST_HARNESS_LOGGERS:
            return
        parts = [record.getMessage(), json.dumps(record.__dict__, default=str)]
        if record.exc_info and record.exc_info[1] is not None:
            parts.append("".join(traceback.format_exception(record.exc_info[1])))
        self.lines.append(" ".join(parts))


@pytest.fixture
def all_logs() -> Iterator[_Everything]:
    """Every logger at DEBUG into one handler (the run uses `-p no:logging`, so no caplog)."""
    from shared.observability import logger

    handler = _Everything()
    root = logging.getLogger()
    service = logging.getLogger(logger.name)
    levels = (root.level, service.level)
    root.addHandler(handler)
    service.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        service.removeHandler(handler)
        root.setLevel(levels[0])
        service.setLevel(levels[1])


@pytest.fixture
def teaching_record(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from shared.config import settings
    from shared.integrations import teaching_record as client

    server = teaching_record_server(build_seed_data(NOW.date()).teachers)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("TEACHING_RECORD_BASE_URL", url)
    monkeypatch.setenv("TEACHING_RECORD_API_KEY", API_KEY)
    monkeypatch.setattr(client, "BACKOFF_FACTOR", 0)
    client.reset_session()
    settings.cache_clear()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        client.reset_session()
        settings.cache_clear()


@pytest.fixture
def school(apps: dict[str, Any]) -> Iterator[SchoolUser]:
    found = make_school_user(apps)
    yield found
    remove_school_user(found)


def _every_item() -> list[str]:
    import boto3

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    found: list[str] = []
    tables = [name for key, name in support.test_environment().items() if key.endswith("_TABLE")]
    assert len(tables) >= 10
    for table in tables:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            found.extend(json.dumps(item, default=str) for item in page["Items"])
    return found


def _mentions_the_date(text: str) -> list[str]:
    return [form for form in FORMS_OF_THE_DATE if form in text]


def test_the_date_of_birth_is_never_stored_or_logged(
    school: SchoolUser,
    teaching_record: str,
    all_logs: _Everything,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from shared.config import settings
    from shared.data.items import SchoolMentorItem
    from shared.integrations import teaching_record as client

    web = school.client
    responses: list[Page] = []
    birth = {"date_of_birth-day": "2", "date_of_birth-month": "2", "date_of_birth-year": "1981"}

    def post(path: str, data: dict[str, str]) -> Page:
        page = web.post(path, data)
        responses.append(page)
        return page

    def get(path: str) -> Page:
        page = web.get(path)
        responses.append(page)
        return page

    # Given a school user adds James Okafor, TRN 1000002, born 2 February 1981
    get(f"{school.base}/new")
    found = post(f"{school.base}/new", {"trn": "1000002", **birth})
    assert found.status == 303
    assert get(found.location).h1 == "Check your answers"
    added = post(found.location, {"privacy_notice": "yes"})
    assert added.status == 303
    assert get(school.base).soup.find(string=lambda text: "James Okafor has been added" in text)
    assert SchoolMentorItem.get(school.school_id, "1000002").first_name == "James"
    # And looks up a TRN that does not match that date of birth
    missing = post(f"{school.base}/new", {"trn": "1000001", **birth})
    assert missing.location.startswith(f"{school.base}/no-results/")
    get(missing.location)
    # And tries again while the Teaching Record System is failing
    monkeypatch.setenv("TEACHING_RECORD_API_KEY", "a-key-it-refuses")
    settings.cache_clear()
    client.reset_session()
    assert post(f"{school.base}/new", {"trn": "1000003", **birth}).status == 503
    # And while it cannot be reached at all
    monkeypatch.setenv("TEACHING_RECORD_BASE_URL", "http://127.0.0.1:9")
    settings.cache_clear()
    client.reset_session()
    assert post(f"{school.base}/new", {"trn": "1000003", **birth}).status == 503

    # Then the lookups were logged (the capture works) ...
    captured = capfd.readouterr()
    log_lines = all_logs.lines + (captured.out + captured.err).splitlines()
    assert any("teaching record lookup" in line for line in log_lines)
    assert any("/v3/teachers/1000002" in line for line in log_lines), "urllib3's request log was not captured"
    # ... and no log line, no stored item, no cookie and no redirect holds the date of birth in any form
    assert [line for line in log_lines if _mentions_the_date(line)] == []
    assert [item for item in _every_item() if _mentions_the_date(item)] == []
    for page in responses:
        for name in ("Set-Cookie", "Location"):
            for value in page.headers.get(name, []):
                assert not _mentions_the_date(value), (name, value)
                assert "1981" not in value, (name, value)
