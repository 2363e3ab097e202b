"""The Teaching Record System client against a tiny scripted HTTP server on loopback.

Retries live in urllib3 below `requests`, so they are tested over a real socket: each test scripts
the answers the server gives, in order, and checks what the client asked and what it concluded.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.integrations import teaching_record
from shared.integrations.teaching_record import TeacherRecord, TeachingRecordUnavailable, find_teacher

BORN = dt.date(1980, 1, 1)
KEY = "unit-test-key"
EMILY = {"trn": "1000001", "firstName": "Emily", "middleName": "", "lastName": "Carter", "dateOfBirth": "1980-01-01"}


@dataclass
class Answer:
    status: int
    body: Any = None
    delay: float = 0.0
    raw: bytes | None = None


@dataclass
class Script:
    answers: list[Answer] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Script]:
    from shared.config import settings

    script = Script()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            script.seen.append({"path": url.path, "query": parse_qs(url.query), "headers": dict(self.headers)})
            answer = script.answers.pop(0) if script.answers else Answer(500, {"title": "unscripted"})
            if answer.delay:
                time.sleep(answer.delay)
            data = answer.raw if answer.raw is not None else json.dumps(answer.body).encode()
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                return  # the client gave up waiting

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    monkeypatch.setenv("TEACHING_RECORD_BASE_URL", f"http://127.0.0.1:{httpd.server_address[1]}/")
    monkeypatch.setenv("TEACHING_RECORD_API_KEY", KEY)
    monkeypatch.setattr(teaching_record, "BACKOFF_FACTOR", 0)
    settings.cache_clear()
    teaching_record.reset_session()
    try:
        yield script
    finally:
        httpd.shutdown()
        httpd.server_close()
        teaching_record.reset_session()
        settings.cache_clear()


def test_a_teacher_is_found_by_trn_and_date_of_birth(server: Script) -> None:
    # Given the Teaching Record has Emily Carter
    server.answers = [Answer(200, EMILY)]
    # When the client looks her up
    found = find_teacher("1000001", BORN)
    # Then it gets her names, and only what the service uses
    assert found == TeacherRecord(trn="1000001", first_name="Emily", last_name="Carter")
    # And it asked as the API expects: path, date of birth, key, version
    [request] = server.seen
    assert request["path"] == "/v3/teachers/1000001"
    assert request["query"] == {"dateOfBirth": ["1980-01-01"]}
    assert request["headers"]["Accept"] == "application/json"
    assert request["headers"]["Authorization"] == f"Bearer {KEY}"
    assert request["headers"]["X-Api-Version"] == "20240416"


def test_no_match_is_none_and_is_not_retried(server: Script) -> None:
    server.answers = [Answer(404, {"title": "Not Found", "status": 404})]
    assert find_teacher("1000001", BORN) is None
    assert len(server.seen) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_a_transient_failure_is_retried(server: Script, status: int) -> None:
    # Given the service fails once, then answers
    server.answers = [Answer(status, {"title": "Oops"}), Answer(200, EMILY)]
    # Then the client retries and finds the teacher
    assert find_teacher("1000001", BORN) is not None
    assert len(server.seen) == 2


def test_after_two_retries_the_service_is_unavailable(server: Script) -> None:
    server.answers = [Answer(500), Answer(503), Answer(500), Answer(200, EMILY)]
    with pytest.raises(TeachingRecordUnavailable):
        find_teacher("1000001", BORN)
    assert len(server.seen) == 3  # the first try and two retries


@pytest.mark.parametrize("status", [400, 401, 403, 422])
def test_other_client_errors_are_not_retried(server: Script, status: int) -> None:
    server.answers = [Answer(status, {"title": "No"}), Answer(200, EMILY)]
    with pytest.raises(TeachingRecordUnavailable):
        find_teacher("1000001", BORN)
    assert len(server.seen) == 1


def test_a_slow_answer_times_out(server: Script, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the service takes longer than the read timeout
    monkeypatch.setattr(teaching_record, "READ_TIMEOUT_SECONDS", 0.2)
    server.answers = [Answer(200, EMILY, delay=1.0)]
    started = time.monotonic()
    # Then the client gives up, without waiting for a retry, and says the service is unavailable
    with pytest.raises(TeachingRecordUnavailable) as raised:
        find_teacher("1000001", BORN)
    assert time.monotonic() - started < 0.9
    assert len(server.seen) == 1
    # And the error carries no URL (nor the date of birth in it), not even as its cause
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__
    assert "1980" not in str(raised.value)


@pytest.mark.parametrize(
    "answer",
    [
        Answer(200, raw=b"not json"),
        Answer(200, ["a list"]),
        Answer(200, {"trn": "1000001"}),
        Answer(200, {**EMILY, "lastName": " "}),
    ],
    ids=["not JSON", "not an object", "no names", "blank name"],
)
def test_a_response_without_names_is_not_trusted(server: Script, answer: Answer) -> None:
    server.answers = [answer]
    with pytest.raises(TeachingRecordUnavailable):
        find_teacher("1000001", BORN)


def test_no_request_is_made_for_a_trn_that_is_not_7_digits(server: Script) -> None:
    for trn in ("", "123456", "12345678", "1OOOOO1", "100 0001"):
        with pytest.raises(ValueError, match="7 digits"):
            find_teacher(trn, BORN)
    assert server.seen == []


def test_the_session_is_made_once_and_reused(server: Script) -> None:
    server.answers = [Answer(200, EMILY), Answer(404)]
    find_teacher("1000001", BORN)
    session = teaching_record._session
    find_teacher("1000001", BORN)
    assert session is not None
    assert teaching_record._session is session


def test_no_log_line_holds_the_date_of_birth(server: Script) -> None:
    # Given everything is logged, urllib3's request lines included
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.name == "responses":
                return  # moto's interception of `requests`, active when integration tests share the run
            lines.append(f"{record.name} {record.getMessage()} {record.__dict__}")

    handler, root = Keep(level=logging.DEBUG), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        # When lookups are found, not found, retried and fail
        server.answers = [Answer(200, EMILY), Answer(404), Answer(500), Answer(200, EMILY), Answer(401)]
        find_teacher("1000001", BORN)
        find_teacher("1000001", BORN)
        find_teacher("1000001", BORN)
        with pytest.raises(TeachingRecordUnavailable):
            find_teacher("1000001", BORN)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    # Then urllib3 logged the requests, without their query strings
    requests_logged = [line for line in lines if line.startswith("urllib3") and "/v3/teachers/1000001" in line]
    assert requests_logged
    assert all("?[query removed]" in line for line in requests_logged)
    assert [line for line in lines if "1980-01-01" in line or "dateOfBirth" in line] == []
