"""A fake of the Publish teacher training API on loopback: a recruitment cycle's providers (ADR 0036).

`GET /api/public/v1/recruitment_cycles/{year}/providers?page[page]=N&page[per_page]=M` answers as Publish does:
JSON:API, `data` (records with `id`, `type: "providers"` and `attributes`), `links` with `first`, `last` and a
full-URL `next` while there are more pages, and `meta.count`. A cycle it has no providers for is 404. So the
nightly sync's real client (`shared.integrations.publish`) is what runs, pagination and all.

The local stack serves the demo's providers as Publish lists them (`demo_providers`), plus one provider new to the
service, so firing the nightly schedule shows a sync that adds one and changes nothing else.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qs, urlencode, urlsplit

from infrastructure.local.demo_data.records import SeedProvider

DEFAULT_PER_PAGE: Final = 100
MAX_PER_PAGE: Final = 500
_PATH = re.compile(r"/api/public/v1/recruitment_cycles/(\d{4})/providers")

Attributes = Mapping[str, Any]
# The providers listed for a cycle (their attributes), or None: no such cycle (404).
Cycle = Callable[[int], Sequence[Attributes] | None]


def provider_attributes(
    code: str,
    name: str,
    *,
    provider_type: str = "scitt",
    accredited: bool = True,
    ukprn: str | None = None,
    urn: str | None = None,
    postcode: str | None = None,
    city: str | None = None,
    email: str | None = None,
) -> dict[str, Any]:
    """A provider's attributes as Publish gives them (null where it has nothing)."""
    return {
        "code": code,
        "name": name,
        "provider_type": provider_type,
        "accredited_body": accredited,
        "ukprn": ukprn,
        "urn": urn,
        "postcode": postcode,
        "city": city,
        "email": email,
        "telephone": None,
        "website": None,
        "street_address_1": None,
        "street_address_2": None,
        "street_address_3": None,
        "county": None,
        "latitude": None,
        "longitude": None,
    }


def seed_provider_attributes(provider: SeedProvider) -> dict[str, Any]:
    return provider_attributes(
        provider.code,
        provider.name,
        provider_type=provider.provider_type,
        accredited=provider.accredited,
        ukprn=provider.ukprn or None,
        urn=provider.urn,
        postcode=provider.postcode or None,
        city=provider.city or None,
        email=provider.email or None,
    )


def demo_providers(providers: Sequence[SeedProvider]) -> list[dict[str, Any]]:
    """What the local stack serves: the demo's providers as they are, and one new to the service."""
    return [
        *(seed_provider_attributes(provider) for provider in providers),
        provider_attributes(
            "9ZN",
            "Northern Lights Teacher Training",
            ukprn="10099001",
            postcode="NE1 4XY",
            city="Newcastle upon Tyne",
            email="admissions@northern-lights-tt.example.org.uk",
        ),
    ]


def _page_number(values: list[str] | None, default: int) -> int | None:
    if not values:
        return default
    text = values[0]
    return int(text) if text.isdigit() and int(text) > 0 else None


def publish_server(
    cycles: Cycle, host: str = "127.0.0.1", port: int = 0, most_per_page: int = MAX_PER_PAGE
) -> ThreadingHTTPServer:
    """The providers endpoint, paginated as Publish paginates it: `page[per_page]` up to `most_per_page` (a bigger
    one is served that many, so a test can make a few providers span pages)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.api+json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            found = _PATH.fullmatch(url.path)
            listed = cycles(int(found.group(1))) if found else None
            if listed is None:
                self._json(404, {"errors": [{"status": 404, "title": "Not found"}]})
                return
            query = parse_qs(url.query)
            page = _page_number(query.get("page[page]"), 1)
            per_page = _page_number(query.get("page[per_page]"), DEFAULT_PER_PAGE)
            if page is None or per_page is None:
                self._json(400, {"errors": [{"status": 400, "title": "Bad request"}]})
                return
            per_page = min(per_page, most_per_page)
            last = max(1, -(-len(listed) // per_page))
            chunk = listed[(page - 1) * per_page : page * per_page]
            base = f"http://{self.headers.get('Host', host)}{url.path}"

            def link(number: int) -> str:
                return f"{base}?{urlencode({'page[page]': number, 'page[per_page]': per_page})}"

            links: dict[str, Any] = {"first": link(1), "last": link(last)}
            if page < last:
                links["next"] = link(page + 1)
            if page > 1:
                links["prev"] = link(page - 1)
            self._json(
                200,
                {
                    "data": [
                        {"id": str(1000 + (page - 1) * per_page + index), "type": "providers", "attributes": attrs}
                        for index, attrs in enumerate(chunk)
                    ],
                    "links": links,
                    "meta": {"count": len(listed)},
                    "jsonapi": {"version": "1.0"},
                },
            )

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="fake-publish", daemon=True).start()
    return server
