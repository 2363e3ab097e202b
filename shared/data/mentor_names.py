"""The weekly mentor names refresh (ADR 0037): its queue, and the run's Activity entry.

A run's entry is created (counts at 0, status "running") before any TRN is queued. Each check adds to its
counts with one atomic UpdateItem (ADD), the TRNs the Teaching Record no longer has to a string set, and
reads back what the entry now holds (ALL_NEW), so the one update that completes the run (checked reaches the
number queued) is seen by exactly one writer, which writes the summary once (conditional on "running").
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import boto3

from shared.claims.mentor_names import CHECKED, MENTORS, CheckMessage
from shared.config import settings
from shared.data.items import ActivityItem
from shared.data.transactions import conditional

RUNNING = "running"
FINISHED = "finished"


@lru_cache(maxsize=1)
def _sqs() -> Any:
    return boto3.client("sqs", region_name=settings().aws_region)


def enqueue(messages: Iterable[CheckMessage]) -> int:
    """Queue the checks in batches of 10 (SQS's limit); how many were queued. Raises if any was refused."""
    queued = 0
    batch: list[CheckMessage] = []
    for message in messages:
        batch.append(message)
        if len(batch) == 10:
            queued += _send(batch)
            batch = []
    if batch:
        queued += _send(batch)
    return queued


def _send(batch: list[CheckMessage]) -> int:
    response = _sqs().send_message_batch(
        QueueUrl=settings().mentor_names_queue_url,
        Entries=[{"Id": str(index), "MessageBody": message.model_dump_json()} for index, message in enumerate(batch)],
    )
    if response.get("Failed"):
        raise RuntimeError(f"{len(response['Failed'])} mentor checks were not queued")
    return len(batch)


class RunState:
    """What a run's entry holds after an update."""

    def __init__(self, item: ActivityItem) -> None:
        raw = item.counts.as_dict() if hasattr(item.counts, "as_dict") else dict(item.counts or {})
        self.counts: dict[str, int] = {str(k): int(v) for k, v in raw.items()}
        self.not_found: frozenset[str] = frozenset(item.trns or ())
        self.running = item.status == RUNNING


class MentorNamesRuns:
    def set_queued(self, run_id: str, mentors: int) -> RunState:
        """How many mentors the run queued, once they all are."""
        item = ActivityItem(activity_id=run_id)
        item.update(actions=[ActivityItem.counts[MENTORS].set(mentors)], condition=ActivityItem.activity_id.exists())
        return RunState(item)

    def add_check(self, run_id: str, count: str | None, not_found_trn: str | None) -> RunState:
        """One mentor checked: `count` (renamed, not found, failed) goes up with "checked"; a TRN not found is
        added to the entry's set."""
        actions = [ActivityItem.counts[CHECKED].add(1)]
        if count:
            actions.append(ActivityItem.counts[count].add(1))
        if not_found_trn:
            actions.append(ActivityItem.trns.add({not_found_trn}))
        item = ActivityItem(activity_id=run_id)
        item.update(actions=actions, condition=ActivityItem.activity_id.exists())
        return RunState(item)

    def finish(self, run_id: str, summary: str) -> bool:
        """The run's summary, written once (False if another writer finished it first)."""
        return conditional(
            lambda: ActivityItem(activity_id=run_id).update(
                actions=[ActivityItem.summary.set(summary), ActivityItem.status.set(FINISHED)],
                condition=ActivityItem.status == RUNNING,
            )
        )
