"""RefreshMentorNamesFunction (RefreshMentorNamesSchedule's target, weekly): record the week's run in Activity and
queue every mentor's TRN on MentorNamesQueue, for CheckMentorNamesFunction to look up within the Teaching
Record's rate limit (ADR 0037).

The run is named by its ISO week (London time), so a retried or repeated delivery of the schedule continues
the same run instead of starting another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger, metrics, tracer
from shared.usecases.mentor_names import start_refresh
from shared.usecases.startup import configure

configure()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


clock: Callable[[], dt.datetime] = _utcnow  # tests set the time


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    started = start_refresh(clock())
    return {"run_id": started.run_id, "queued": started.queued, "started": started.started}
