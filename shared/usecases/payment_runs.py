"""The Payments page's runs: what each run did so far, and "Run payment now" for a window."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shared.claims.files import has_payable_file
from shared.claims.models import User
from shared.claims.statuses import ClaimStatus
from shared.claims.windows import ClaimWindow
from shared.data.batches import PaymentRuns
from shared.data.claims_store import ClaimsStore
from shared.data.files import read
from shared.data.repositories import ClaimWindows
from shared.data.schedules import run_execution, start_run
from shared.observability import logger

_RUN_NUMBER = re.compile(r"-run-(\d+)$")


@dataclass(frozen=True)
class RunView:
    run_id: str
    window: ClaimWindow | None
    trigger: str
    started_by: str
    started_at: str
    status: str  # Running, File ready, Failed
    validated: int
    flagged: int
    in_file: int
    total_pence: int
    failure: str | None
    file_key: str | None = None
    link_resent_at: dt.datetime | None = None
    link_resent_by: str | None = None

    @property
    def has_file(self) -> bool:
        return bool(self.file_key)

    @property
    def can_send_link(self) -> bool:
        """A file with claims in it: support can send the payer a new link to it."""
        return has_payable_file(self.file_key, self.in_file)


def _status(run: dict[str, object]) -> str:
    if run.get("status") == "failed":
        return "Failed"
    if run.get("file_key"):
        return "File ready"
    return "Running"


def runs() -> list[RunView]:
    """Every run, newest first, with its progress (one Query for runs, one for windows)."""
    windows = {w.window_id: w for w in ClaimWindows().all()}
    views = []
    for run in PaymentRuns().all():
        counts = run.get("counts") or {}
        failure = run.get("failure")
        views.append(
            RunView(
                run_id=str(run["run_id"]),
                window=windows.get(str(run.get("window_id"))),
                trigger="Scheduled" if run.get("trigger") == "schedule" else "Started by a person",
                started_by=str(run.get("started_by") or ""),
                started_at=str(run.get("created_at") or ""),
                status=_status(run),
                validated=int(counts.get("validated", 0)),
                flagged=int(counts.get("flagged", 0)),
                in_file=int(run.get("row_count") or 0),
                total_pence=int(run.get("total_pence") or 0),
                failure=str(failure.get("error")) if isinstance(failure, dict) else None,
                file_key=run.get("file_key"),
                link_resent_at=run.get("link_resent_at"),
                link_resent_by=run.get("link_resent_by"),
            )
        )
    return views


@dataclass(frozen=True)
class RunPlan:
    window: ClaimWindow
    number: int
    ready: int  # validated or approved, waiting to be paid
    to_check: int  # submitted and not yet through the checks
    in_review: int


def plan(window_id: str, now: dt.datetime) -> RunPlan | None:
    """What "Run payment now" would do for a window that has closed (None for an unknown or open one)."""
    window = ClaimWindows().get(window_id)
    if window is None or window.is_open(now):
        return None
    store = ClaimsStore()
    ready = to_check = in_review = 0
    for status in (ClaimStatus.SUBMITTED, ClaimStatus.SUPPORT_REVIEW):
        for claims in store.pages_in_window(window_id, status):
            for claim in claims:
                if status is ClaimStatus.SUPPORT_REVIEW:
                    in_review += 1
                elif claim.validated_run is not None:
                    ready += 1
                else:
                    to_check += 1
    numbers = [
        int(m.group(1))
        for r in PaymentRuns().all()
        if r.get("window_id") == window_id and (m := _RUN_NUMBER.search(str(r["run_id"])))
    ]
    number = max(numbers, default=0) + 1
    while run_execution(window_id, number) is not None:  # a run started but not yet recorded
        number += 1
    return RunPlan(window, number, ready, to_check, in_review)


def run_now(window_id: str, number: int, user: User) -> str | None:
    """Start the planned run; None when that run has just been started by someone else."""
    started = start_run(window_id, number, user.user_id)
    if started is None:
        return None
    logger.info("payment run started", extra={"window_id": window_id, "run": number, "user_id": user.user_id})
    return f"window-{window_id}-run-{number}"


def file_of(run_id: str) -> tuple[str, bytes] | None:
    """A run's payment file for support users: (file name, bytes)."""
    run = PaymentRuns().get(run_id)
    if run is None or not run.get("file_key"):
        return None
    key = str(run["file_key"])
    return key.rsplit("/", 1)[-1], read(key)
