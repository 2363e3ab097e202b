"""SyncProvidersFunction (nightly, SyncProvidersSchedule): sync providers from Publish teacher training (ADR 0036).

A failure raises: Lambda retries the invocation (the schedule invokes it asynchronously) and
SyncProvidersFailedAlarm watches its errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger, metrics, tracer
from shared.usecases.provider_sync import sync_providers
from shared.usecases.startup import configure

configure()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


clock: Callable[[], dt.datetime] = _utcnow  # tests set the time


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    synced = sync_providers(clock())
    return {"cycle": synced.cycle, "run_id": synced.run_id, "counts": synced.counts}
