"""Activity: every bulk or setting action in the console, newest first.

Pure. Each entry names who (or which schedule) did what and when, what it concerned (a one-line summary, counts
such as rows read or claims paid) and where its detail is; the Activity page lists them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from shared.claims.domain import Domain


class ActivityKind(StrEnum):
    CLAIMS_EXPORT = "claims_export"
    PAYMENT_RUN = "payment_run"
    PAYER_RESPONSE = "payer_response"
    ELIGIBILITY_UPLOAD = "eligibility_upload"
    SCHOOL_DATA_IMPORT = "school_data_import"
    ORGANISATION_ADDED = "organisation_added"
    RATES_PROPOSED = "rates_proposed"
    RATES_APPROVED = "rates_approved"
    RATES_REJECTED = "rates_rejected"
    GRANT_CONDITIONS_RESET = "grant_conditions_reset"
    USER_ADDED = "user_added"
    USER_REMOVED = "user_removed"
    SUPPORT_USER_ADDED = "support_user_added"
    SUPPORT_USER_REMOVED = "support_user_removed"
    AUDIT_STARTED = "audit_started"
    AUDIT_DECISION = "audit_decision"
    CLAWBACK_REQUESTED = "clawback_requested"
    CLAWBACK_APPROVED = "clawback_approved"
    CLAWBACK_REJECTED = "clawback_rejected"
    CLAWBACK_RUN = "clawback_run"
    CLAWBACK_RESPONSE = "clawback_response"
    MENTOR_NAMES_REFRESH = "mentor_names_refresh"
    CLOSED_SCHOOL_HAS_CLAIMS = "closed_school_has_claims"
    PROVIDERS_SYNCED = "providers_synced"


LABELS: dict[ActivityKind, str] = {
    ActivityKind.CLAIMS_EXPORT: "Exported claims",
    ActivityKind.PAYMENT_RUN: "Payment run",
    ActivityKind.PAYER_RESPONSE: "Payer response uploaded",
    ActivityKind.ELIGIBILITY_UPLOAD: "Eligible schools uploaded",
    ActivityKind.SCHOOL_DATA_IMPORT: "School data imported",
    ActivityKind.ORGANISATION_ADDED: "Organisation added",
    ActivityKind.RATES_PROPOSED: "Funding rates proposed",
    ActivityKind.RATES_APPROVED: "Funding rates approved",
    ActivityKind.RATES_REJECTED: "Funding rates rejected",
    ActivityKind.GRANT_CONDITIONS_RESET: "Grant conditions reset",
    ActivityKind.USER_ADDED: "User added",
    ActivityKind.USER_REMOVED: "User removed",
    ActivityKind.SUPPORT_USER_ADDED: "Support user added",
    ActivityKind.SUPPORT_USER_REMOVED: "Support user removed",
    ActivityKind.AUDIT_STARTED: "Audit started",
    ActivityKind.AUDIT_DECISION: "Audit decided",
    ActivityKind.CLAWBACK_REQUESTED: "Clawback requested",
    ActivityKind.CLAWBACK_APPROVED: "Clawback approved",
    ActivityKind.CLAWBACK_REJECTED: "Clawback rejected",
    ActivityKind.CLAWBACK_RUN: "Clawbacks sent to the payer",
    ActivityKind.CLAWBACK_RESPONSE: "Clawback response uploaded",
    ActivityKind.MENTOR_NAMES_REFRESH: "Mentor names refreshed",
    ActivityKind.CLOSED_SCHOOL_HAS_CLAIMS: "Closed school has claims in an open window",
    ActivityKind.PROVIDERS_SYNCED: "Providers synced from Publish",
}


class ActivityEntry(Domain):
    activity_id: str
    kind: ActivityKind
    at: dt.datetime
    actor_id: str
    actor_name: str
    query: str | None = None  # an export: the claims list's filters (query string)
    row_count: int | None = None  # an export: how many claims it holds, once it is ready
    status: str | None = None  # an export: preparing, ready or failed
    summary: str = ""  # what it concerned, in a line: "Meadowbank Primary School (URN 100001)", "2025 to 2026"
    counts: dict[str, int] = Field(default_factory=dict)  # e.g. {"rows read": 50210, "added": 12}
    link: str | None = None  # the page with its detail

    @property
    def label(self) -> str:
        return LABELS[self.kind]


# The first word of a count's name when there is one of it: "1 row", "1 claim checked", not "1 rows".
_SINGULAR = {
    "rows": "row",
    "regions": "region",
    "claims": "claim",
    "schools": "school",
    "users": "user",
    "providers": "provider",
}


def count_phrase(name: str, value: int) -> str:
    """ "50,210 rows read"; "1 row read"."""
    first, _, rest = name.partition(" ")
    if value == 1 and first in _SINGULAR:
        name = f"{_SINGULAR[first]} {rest}".rstrip()
    return f"{value:,} {name}"
