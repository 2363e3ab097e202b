"""GIAS's public downloads: the day's "all establishment data" extract, streamed (ADR 0035).

`GET {GIAS_BASE_URL}/edubasealldata{YYYYMMDD}.csv` (no authentication). The extract is about 60 MB of ISO-8859-1
CSV; GIAS sends no charset, so the bytes are passed on untouched and the importer decodes them as Latin-1. The body
is read in chunks as it arrives (`extract_chunks`), never held whole. A missing extract (404: not published yet), a
server error or a broken connection is `GiasUnavailable`; the nightly task fails and is retried.

Cold start: `requests` is imported on the first download, not at import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from shared.claims.errors import DomainError
from shared.config import settings
from shared.observability import logger

CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 60.0  # between two chunks, not for the whole file
CHUNK_BYTES = 256 * 1024


class GiasUnavailable(DomainError):
    """GIAS did not give the extract (not published yet, an error, or the connection broke)."""


def extract_name(day: dt.date) -> str:
    """The extract's file name for a day: edubasealldata20261202.csv."""
    return f"edubasealldata{day:%Y%m%d}.csv"


def extract_url(day: dt.date, base_url: str | None = None) -> str:
    base = (base_url if base_url is not None else settings().gias_base_url).rstrip("/")
    return f"{base}/{extract_name(day)}"


def extract_chunks(day: dt.date) -> Iterator[bytes]:
    """The day's extract as it arrives, CHUNK_BYTES at a time. Raises GiasUnavailable (before the first chunk for
    a refused request; mid-stream if the connection breaks)."""
    import requests

    url = extract_url(day)
    try:
        response = requests.get(url, stream=True, timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS))
    except requests.RequestException as error:
        logger.warning("gias download failed", extra={"outcome": "error", "error": type(error).__name__})
        raise GiasUnavailable("no response") from None
    with response:
        if response.status_code != 200:
            logger.warning("gias download failed", extra={"outcome": "refused", "status": response.status_code})
            raise GiasUnavailable(f"status {response.status_code}")
        try:
            yield from response.iter_content(chunk_size=CHUNK_BYTES)
        except requests.RequestException as error:
            logger.warning("gias download broke", extra={"outcome": "broken", "error": type(error).__name__})
            raise GiasUnavailable("the download broke") from None
