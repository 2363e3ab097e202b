"""Publish teacher training API client: a recruitment cycle's providers, a page at a time (ADR 0036).

`GET {PUBLISH_BASE_URL}/api/public/v1/recruitment_cycles/{year}/providers?page[page]=1&page[per_page]=500`
(public, no authentication). The answer is JSON:API: `data` (the page's records, each with `attributes`) and
`links.next`, the full URL of the next page while there is one; the client follows it as given, as the live
service does, but only on the same host (a `next` elsewhere is refused) and for at most MAX_PAGES pages.
Connection errors, 429 and 5xx are retried twice; any other failure is `PublishUnavailable`, and the sync fails.

Cold start: `requests` is imported on the first page, not at import.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from shared.claims.errors import DomainError
from shared.config import settings
from shared.observability import logger

PER_PAGE = 500
MAX_PAGES = 200  # 100,000 providers: Publish lists a few thousand a cycle
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 30.0
RETRIES = 2
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class PublishUnavailable(DomainError):
    """Publish did not give a cycle's providers (an error, a broken answer, or a next page off its host)."""


def first_page_url(year: int, base_url: str | None = None) -> str:
    base = (base_url if base_url is not None else settings().publish_base_url).rstrip("/")
    return f"{base}/api/public/v1/recruitment_cycles/{year}/providers?page[page]=1&page[per_page]={PER_PAGE}"


def _session() -> Any:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retry = Retry(
        total=RETRIES,
        connect=RETRIES,
        read=RETRIES,
        status=RETRIES,
        backoff_factor=0.5,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def provider_pages(year: int) -> Iterator[list[Any]]:
    """Each page's `data` (its records, unread), in order. Raises PublishUnavailable."""
    import requests

    url: str | None = first_page_url(year)
    host = urlsplit(url).netloc
    page = 0
    with _session() as session:
        while url is not None:
            page += 1
            if page > MAX_PAGES:
                raise PublishUnavailable(f"more than {MAX_PAGES} pages")
            if urlsplit(url).netloc != host:
                raise PublishUnavailable("the next page is on another host")
            try:
                response = session.get(
                    url,
                    headers={"Accept": "application/vnd.api+json, application/json"},
                    timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
                    allow_redirects=False,
                )
            except requests.RequestException as error:
                logger.warning("publish page failed", extra={"page": page, "error": type(error).__name__})
                raise PublishUnavailable("no response") from None
            if response.status_code != 200:
                logger.warning("publish page failed", extra={"page": page, "status": response.status_code})
                raise PublishUnavailable(f"status {response.status_code}")
            try:
                body = response.json()
            except ValueError:
                raise PublishUnavailable("the answer is not JSON") from None
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise PublishUnavailable("the answer has no data")
            yield data
            links = body.get("links")
            following = links.get("next") if isinstance(links, dict) else None
            url = following if isinstance(following, str) and following else None
