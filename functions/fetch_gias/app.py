"""FetchGiasFunction (nightly, FetchGiasSchedule): fetch yesterday's GIAS extract and queue its import (ADR 0035).

The import itself is ImportSchoolsFunction's, as for an upload. A failure raises: Lambda retries the invocation
(the schedule invokes it asynchronously) and FetchGiasFailedAlarm watches its errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger, metrics, tracer
from shared.usecases.gias_nightly import fetch_nightly
from shared.usecases.startup import configure

configure()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


clock: Callable[[], dt.datetime] = _utcnow  # tests set the time


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    fetched = fetch_nightly(clock())
    return {"day": fetched.day.isoformat(), "import_id": fetched.import_id, "outcome": fetched.outcome.value}
