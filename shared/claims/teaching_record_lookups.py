"""How the payment run's checks ask the Teaching Record about a page's mentors, within its rate limit (ADR 0044).

Every request takes a place in the same one-second counters the weekly names refresh takes places in
(`shared.claims.mentor_names`, ADR 0037), so the two together never send more than `PER_SECOND` requests in a
second. A page's distinct TRNs are asked `WORKERS` at a time: a second's places are used at once, so the page
goes at the limit while an answer takes up to a second (one request at a time would go at 1 / latency a second).
Pure: numbers and waits only.
"""

from __future__ import annotations

from shared.claims.mentor_names import PER_SECOND, REQUEST_SECONDS

WORKERS = PER_SECOND  # requests in flight at once for one page: more would only wait for places
UNAVAILABLE_ATTEMPTS = 3  # requests for one TRN while the Teaching Record does not answer (5xx, no connection)
PAGE_LOOKUP_SECONDS = 780.0  # a page's lookups give up (the page is retried) when they would wait past this
PAGE_TIMEOUT_SECONDS = 900  # ValidateClaimsFunction's Timeout in template.yaml (Lambda's longest)


def unavailable_wait(attempt: int) -> float | None:
    """How long to wait after the `attempt`th request the Teaching Record did not answer: `attempt` seconds, or None
    after the last attempt (the page is retried by the state machine instead)."""
    return None if attempt >= UNAVAILABLE_ATTEMPTS else float(attempt)


def slowest_page_lookup_seconds() -> float:
    """The longest a page's lookups can take: no wait (for a place, a Retry-After or a retry) goes past
    `PAGE_LOOKUP_SECONDS`, and a request begun just before it runs at most to the client's timeouts."""
    return PAGE_LOOKUP_SECONDS + REQUEST_SECONDS
