"""The claim-window workflow's tasks: close the window, validate its claims, write the payment file.

Each task takes and returns references only (window id, run id, counts, file key): never claim data,
so a window of any size stays inside Step Functions' 256 KB payload limit.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.claims.files import PAYMENT_FILE_HEADERS, csv_lines
from shared.claims.statuses import ClaimStatus
from shared.data.batches import PaymentRuns
from shared.data.files import put_stream
from shared.data.repositories import Claims, ClaimWindows
from shared.observability import logger

PAGE_SIZE = 100


class TransientError(Exception):
    """A failure worth retrying (throttling, a timeout): the state machine's Retry names it."""


class RunInput(BaseModel):
    model_config = ConfigDict(extra="allow")

    window_id: str | None = None
    run_id: str | None = None
    trigger: Literal["schedule", "person"] = "schedule"
    started_by: str = "scheduler"


class RunState(RunInput):
    closed: bool = False
    validated: int = 0
    flagged: int = 0
    file_key: str | None = None
    row_count: int = 0
    total_pence: int = 0


def due_window_id(now: dt.datetime) -> str | None:
    """The earliest window whose close time has passed and that is not yet marked closed."""
    due = [w for w in ClaimWindows().all() if w.closed_at is None and w.closes_at < now]
    return min(due, key=lambda w: w.closes_at).window_id if due else None


def close_window(state: RunInput, now: dt.datetime) -> RunState:
    window_id = state.window_id or due_window_id(now)
    run_id = state.run_id or (f"window-{window_id}-run-1" if window_id else None)
    result = RunState.model_validate({**state.model_dump(), "window_id": window_id, "run_id": run_id})
    if window_id is None or run_id is None:
        logger.info("no claim window is due to close")
        return result
    runs = PaymentRuns()
    if not runs.exists(run_id):
        runs.start(run_id, window_id, state.trigger, state.started_by, now)
    result.closed = ClaimWindows().mark_closed(window_id, now)
    logger.info("claim window closed", extra={"window_id": window_id, "run_id": run_id, "newly_closed": result.closed})
    return result


def validate_claims(state: RunState) -> RunState:
    """Walk the window's submitted claims a page at a time (the named checks come with issue 4)."""
    if state.window_id is None or state.run_id is None:
        return state
    claims = Claims()
    cursor: str | None = None
    validated = 0
    while True:
        ids, cursor = claims.references_in(state.window_id, ClaimStatus.SUBMITTED.value, PAGE_SIZE, cursor)
        validated += len(ids)
        if cursor is None:
            break
    PaymentRuns().record_counts(state.run_id, validated=validated, flagged=0)
    return state.model_copy(update={"validated": validated, "flagged": 0})


def generate_payment_file(state: RunState, now: dt.datetime) -> RunState:
    if state.window_id is None or state.run_id is None:
        return state
    key = f"payment-runs/{state.run_id}/payments-claims-{now:%Y-%m-%dT%H%M%SZ}.csv"
    rows: list[tuple[object, ...]] = []  # ready claims arrive with the school journeys (issue 3)
    stored = put_stream(key, csv_lines(PAYMENT_FILE_HEADERS, rows))
    PaymentRuns().record_file(state.run_id, stored.key, stored.sha256, row_count=len(rows), total_pence=0)
    logger.info("payment file generated", extra={"run_id": state.run_id, "rows": len(rows), "sha256": stored.sha256})
    return state.model_copy(update={"file_key": stored.key, "row_count": len(rows), "total_pence": 0})


def record_failure(state: dict[str, object]) -> dict[str, object]:
    """The Catch target: the run page shows what failed; no claim has moved."""
    run_id = state.get("run_id")
    error = state.get("error") if isinstance(state.get("error"), dict) else {}
    assert isinstance(error, dict)
    if isinstance(run_id, str) and PaymentRuns().exists(run_id):
        PaymentRuns().record_failure(run_id, str(error.get("Error", "Unknown")), str(error.get("Cause", "")))
    logger.error("payment run failed", extra={"run_id": run_id, "error": error.get("Error")})
    return {**state, "failed": True}
