"""Teaching Record System (TRS) client: find a teacher by teacher reference number (TRN) and date of birth.

`GET {TEACHING_RECORD_BASE_URL}/v3/teachers/{trn}?dateOfBirth=YYYY-MM-DD` (the Teaching Record System API, v3).
200 is the teacher; 404 means no teacher has that TRN or the date of birth does not match; anything
else (after two retries on connection errors, 429 and 5xx) is `TeachingRecordUnavailable`.

Privacy: the date of birth travels only in this request's query string. Nothing here logs it, the
names or the URL: log lines carry an outcome and a status code, and errors are raised `from None`
so no traceback holds the URL. urllib3 logs request URLs at DEBUG; a filter on its loggers removes
query strings before any handler sees them.

Cold start: `requests` is imported and the Session built on the first lookup, not at import.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from typing import TYPE_CHECKING, Any

from shared.claims.errors import DomainError
from shared.claims.people import PersonName
from shared.config import settings
from shared.integrations.secrets import secret
from shared.observability import logger

if TYPE_CHECKING:
    import requests

API_VERSION = "20240416"
CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 5.0
RETRIES = 2
BACKOFF_FACTOR = 0.2  # urllib3: no wait before the first retry, 0.4 s before the second
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TRN_PATTERN = re.compile(r"\d{7}")


class TeacherRecord(PersonName):
    """The parts of a teacher's record this service uses (never the date of birth)."""

    trn: str


class TeachingRecordUnavailable(DomainError):
    """The Teaching Record System did not answer, or answered with something other than 200 or 404."""


class TeachingRecordRateLimited(TeachingRecordUnavailable):
    """429 to a request made with `retries=False`: the caller waits `retry_after` seconds (when the answer said)."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__("status 429")
        self.retry_after = retry_after


# -- logging without personal data ---------------------------------------------------------------
_QUERY = re.compile(r"\?[^\s'\"]*")


class _DropQueryStrings(logging.Filter):
    """Rewrites a log record whose message holds a URL query string (urllib3 logs request URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg = _QUERY.sub("?[query removed]", message)
            record.args = None
        return True


_URLLIB3_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.connection")


def _protect_urllib3_logs() -> None:
    for name in _URLLIB3_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(existing, _DropQueryStrings) for existing in target.filters):
            target.addFilter(_DropQueryStrings())


# -- the HTTP session, built on first use --------------------------------------------------------
_session: requests.Session | None = None
_single_session: requests.Session | None = None  # no retries: each request is one the caller counted (ADR 0037)
_session_lock = threading.Lock()


def _http() -> requests.Session:
    global _session  # one Session per process, reused across invocations
    if _session is None:
        with _session_lock:
            if _session is None:
                _session = _new_session()
    return _session


def _http_once() -> requests.Session:
    global _single_session
    if _single_session is None:
        with _session_lock:
            if _single_session is None:
                _single_session = _new_session(retries=0)
    return _single_session


def _new_session(retries: int = RETRIES) -> requests.Session:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    _protect_urllib3_logs()
    retry = Retry(
        total=retries,
        connect=retries,
        read=0,  # a read timeout is not retried: the page must answer well within API Gateway's 29 s
        status=retries,
        other=0,
        redirect=0,
        backoff_factor=BACKOFF_FACTOR,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,  # the last response comes back and is judged below
        respect_retry_after_header=False,  # never sleep for as long as a 429 asks inside a page view
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=4)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def reset_session() -> None:
    """Forget the Session (tests that change the retry settings or the base URL)."""
    global _session, _single_session
    with _session_lock:
        for existing in (_session, _single_session):
            if existing is not None:
                existing.close()
        _session = _single_session = None


# -- the lookup ----------------------------------------------------------------------------------
def find_teacher(trn: str, date_of_birth: dt.date | None, *, retries: bool = True) -> TeacherRecord | None:
    """The teacher with this TRN (and date of birth, when given), or None when the Teaching Record
    has no match. Adding a mentor always gives the date of birth; the window-close check and the weekly
    names refresh ask by TRN alone, as the live service's nightly sync does.

    Raises `TeachingRecordUnavailable` when the service cannot say either way. With `retries=False` exactly
    one request is made (the names refresh counts each one against the rate limit) and a 429 raises
    `TeachingRecordRateLimited` with its Retry-After.
    """
    if not TRN_PATTERN.fullmatch(trn):
        raise ValueError("a TRN is 7 digits")  # callers validate first; no request is made
    import requests

    url = f"{settings().teaching_record_base_url.rstrip('/')}/v3/teachers/{trn}"
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json;odata.metadata=minimal",
        "Authorization": f"Bearer {secret('teaching_record_api_key')}",
        "X-Api-Version": API_VERSION,
    }
    try:
        response = (_http() if retries else _http_once()).get(
            url,
            params={"dateOfBirth": date_of_birth.isoformat()} if date_of_birth else None,
            headers=headers,
            timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
            allow_redirects=False,
        )
    except requests.RequestException as error:
        # The exception's text holds the URL (and so the date of birth): log only its type.
        logger.warning("teaching record lookup failed", extra={"outcome": "error", "error": type(error).__name__})
        raise TeachingRecordUnavailable("no response") from None
    status = response.status_code
    if status == 404:
        logger.info("teaching record lookup", extra={"outcome": "not_found", "status": status})
        return None
    if status == 429 and not retries:
        logger.info("teaching record lookup", extra={"outcome": "rate_limited", "status": status})
        raise TeachingRecordRateLimited(_retry_after(response.headers.get("Retry-After")))
    if status != 200:
        logger.warning("teaching record lookup failed", extra={"outcome": "unavailable", "status": status})
        raise TeachingRecordUnavailable(f"status {status}")
    record = _record(trn, response)
    if record is None:
        logger.warning("teaching record lookup failed", extra={"outcome": "bad_response", "status": status})
        raise TeachingRecordUnavailable("unexpected response")
    logger.info("teaching record lookup", extra={"outcome": "found", "status": status})
    return record


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the Teaching Record sends seconds; an HTTP date is not waited for)."""
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 3600 else None


def _record(trn: str, response: requests.Response) -> TeacherRecord | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    first_name = body.get("firstName")
    last_name = body.get("lastName")
    if not isinstance(first_name, str) or not isinstance(last_name, str):
        return None
    first_name, last_name = " ".join(first_name.split()), " ".join(last_name.split())
    if not first_name or not last_name:
        return None
    return TeacherRecord(trn=trn, first_name=first_name, last_name=last_name)
