"""A school GIAS closes while it has claims in an open claim window is flagged to support (ADR 0035).

Pure. The import marks the school closed (never deleted); its claims stay as they are, and the window-close checks
send each submitted one to support review ("no longer open"). Until then support should know: the import writes one
Activity entry per closed school and open window, naming the school, the day it closed and its claims there. Drafts
count (the school may have been about to submit them); withdrawn, rejected and expired claims do not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.claim import Claim
from shared.claims.statuses import HOURS_RELEASED
from shared.claims.windows import ClaimWindow

ACTOR_ID = "gias-import"
ACTOR_NAME = "School data import"
KEPT_REFERENCES = 20  # the claim references the entry's summary names (the count says how many in all)


def claims_in_window(claims: Iterable[Claim], window_id: str) -> list[Claim]:
    """The school's claims in this window that are still live: drafts and submitted-or-later, by reference."""
    return sorted(
        (claim for claim in claims if claim.window_id == window_id and claim.status not in HOURS_RELEASED),
        key=lambda claim: claim.reference,
    )


def flag_id(urn: str, window_id: str) -> str:
    """One entry per school and window: a second import of the same closure records nothing again."""
    return f"{ActivityKind.CLOSED_SCHOOL_HAS_CLAIMS.value}-{urn}-{window_id}"


def closed_school_flag(
    urn: str, name: str, closed_on: dt.date | None, window: ClaimWindow, claims: list[Claim], at: dt.datetime
) -> ActivityEntry | None:
    """The Activity entry that flags a closed school's live claims in an open window; None when it has none."""
    if not claims:
        return None
    references = ", ".join(claim.reference for claim in claims[:KEPT_REFERENCES])
    more = f" and {len(claims) - KEPT_REFERENCES} more" if len(claims) > KEPT_REFERENCES else ""
    closed = f"closed on {closed_on:%-d %B %Y}" if closed_on else "closed"
    return ActivityEntry(
        activity_id=flag_id(urn, window.window_id),
        kind=ActivityKind.CLOSED_SCHOOL_HAS_CLAIMS,
        at=at,
        actor_id=ACTOR_ID,
        actor_name=ACTOR_NAME,
        summary=f"{name} (URN {urn}), {closed}: {references}{more} in the {window.academic_year} claim window",
        counts={"claims": len(claims)},
        link=f"/support/organisations/schools/{urn}",
    )
