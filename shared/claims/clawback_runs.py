"""The clawback run (ADR 0034): its name, its record, its file's name, the email that tells the payer the file
is ready, and when support may send clawbacks to the payer.

A run takes every claim waiting for a clawback (`clawback_requested`, the clawback index's CLAWBACK_PENDING),
writes one clawback file of them (`shared.claims.clawback_file`), checks it, moves the claims to
`clawback_in_progress` and emails the payer a single-use link. The payer's response later moves each claim to
`clawback_complete`.

Pure: no AWS, HTTP or templates.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from shared.claims.academic_years import london_today
from shared.claims.domain import Domain
from shared.claims.emails import SERVICE_NAME, SUPPORT_EMAIL, EmailMessage
from shared.claims.money import format_pounds
from shared.claims.payer_emails import claims_phrase, london_time

RUN_PREFIX = "clawback-"
FILE_PREFIX = "clawback-runs/"
SCHEDULER = "scheduler"  # `started_by` of a run the weekly schedule started
# A run's id is also its execution's name: letters, digits and hyphens (Step Functions allows no colon).
_RUN_ID = re.compile(r"clawback-(weekly-\d{4}-\d{2}-\d{2}|\d{8}T\d{6}Z-[0-9a-f]{8})")


class ClawbackTrigger(StrEnum):
    SCHEDULE = "schedule"  # the weekly schedule
    PERSON = "person"  # "Send clawbacks to the payer"


class ClawbackRunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"  # the payer has been sent the file
    NO_CLAIMS = "no_claims"  # nothing was waiting: no file, no email
    NOT_STARTED = "not_started"  # another run was in flight: this one did nothing
    FAILED = "failed"


STATUS_LABELS: dict[ClawbackRunStatus, tuple[str, str]] = {  # (label, GOV.UK tag colour)
    ClawbackRunStatus.RUNNING: ("In progress", "blue"),
    ClawbackRunStatus.COMPLETED: ("Sent to payer", "green"),
    ClawbackRunStatus.NO_CLAIMS: ("No claims", "grey"),
    ClawbackRunStatus.NOT_STARTED: ("Not started", "grey"),
    ClawbackRunStatus.FAILED: ("Failed", "red"),
}


def person_run_id(at: dt.datetime, nonce: str) -> str:
    """The run "Send clawbacks to the payer" starts: the page's time and a random part, so a second click of
    the same page names the same run (and Step Functions refuses a second execution of a name)."""
    return f"{RUN_PREFIX}{at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{nonce}"


def weekly_run_id(scheduled_at: dt.datetime) -> str:
    """The run the weekly schedule starts: one a London day, however often the schedule is delivered."""
    return f"{RUN_PREFIX}weekly-{london_today(scheduled_at).isoformat()}"


def retry_execution_name(run_id: str, attempt: int) -> str:
    """Support's n-th "Retry run" of a failed run: an execution of its own name (Step Functions never reuses one),
    carrying the run's id."""
    return f"{run_id}-retry-{attempt}"


def is_run_id(text: str) -> bool:
    return _RUN_ID.fullmatch(text) is not None


def clawback_file_key(run_id: str, at: dt.datetime) -> str:
    return f"{FILE_PREFIX}{run_id}/clawbacks-claims-{at.astimezone(dt.UTC):%Y-%m-%dT%H%M%SZ}.csv"


def is_clawback_file(key: str) -> bool:
    return key.startswith(FILE_PREFIX)


def clawback_file_name(created_at: dt.datetime) -> str:
    """The name the payer's browser saves the file as: `clawbacks-claims-2026-12-07.csv` (UK date)."""
    return f"clawbacks-claims-{london_today(created_at).isoformat()}.csv"


class ClawbackRun(Domain):
    """A clawback run's record: who or what started it, where it is, what it owns, its file and its end."""

    run_id: str
    created_at: dt.datetime
    status: ClawbackRunStatus
    trigger: ClawbackTrigger
    started_by: str
    started_by_name: str = ""
    owned: int = 0  # claims taken (an exact count, written with each take)
    owned_pence: int = 0  # their clawbacks' total
    file_key: str | None = None
    file_sha256: str | None = None
    row_count: int = 0
    total_pence: int = 0
    moved: int = 0
    reconciled: bool = False
    reconciliation_examples: tuple[str, ...] = ()
    payer_notified_at: dt.datetime | None = None
    payer_emails: int = 0
    finished_at: dt.datetime | None = None
    failure: str = ""
    not_started_reason: str = ""
    attempts: int = 0  # support's retries
    retried_by: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status][0]

    @property
    def colour(self) -> str:
        return STATUS_LABELS[self.status][1]

    @property
    def file_name(self) -> str:
        return clawback_file_name(self.created_at)

    @property
    def may_upload_response(self) -> bool:
        """The payer can only answer a file it was sent."""
        return self.status is ClawbackRunStatus.COMPLETED and self.row_count > 0


class SendRefusal(StrEnum):
    NOTHING_PENDING = "There are no claims ready for clawback"
    RUN_IN_FLIGHT = "A clawback run is in progress. Wait for it to finish before sending clawbacks to the payer"


def send_refusal(pending: int, in_flight: str | None) -> SendRefusal | None:
    """Why "Send clawbacks to the payer" cannot start a run now, or None when it can."""
    if in_flight:
        return SendRefusal.RUN_IN_FLIGHT
    if pending == 0:
        return SendRefusal.NOTHING_PENDING
    return None


# -- the payer's email --------------------------------------------------------------------------------------
CLAWBACK_FILE_READY_SUBJECT = f"Claims ready for clawback - {SERVICE_NAME}"
CLAWBACK_FILE_READY_KIND = "clawback_file_ready"


def clawback_file_ready(
    to: str, *, run_id: str, claims: int, total_pence: int, link: str, expires_at: dt.datetime
) -> EmailMessage:
    """To one payer address: the claims to claw back, the link to the file and what to send back. No personal
    data: counts and a total only."""
    body = "\n".join(
        [
            f"There {'is' if claims == 1 else 'are'} {claims_phrase(claims)} ready for clawback from "
            f"{SERVICE_NAME}, totalling {format_pounds(total_pence)} to recover.",
            "",
            "Download the claims (CSV file):",
            link,
            "",
            "The link opens a page with a “Download the file” button. The link can only be used once: it stops "
            f"working when you download the file. It expires after 7 days, at {london_time(expires_at)} (UK time).",
            "",
            "# What to do next",
            "",
            "Recover the clawback_amount of each claim in the file from its school. Then, for each claim you have "
            "recovered, set claim_status to clawback_complete.",
            "",
            f"Reply to this email with the completed file, or send it to {SUPPORT_EMAIL}.",
            "",
            "# Get help",
            "",
            f"If the link has expired or has already been used, email {SUPPORT_EMAIL} to ask for the file to be "
            "sent again.",
        ]
    )
    return EmailMessage(
        kind=CLAWBACK_FILE_READY_KIND, to=to, subject=CLAWBACK_FILE_READY_SUBJECT, body=body, reference=run_id
    )
