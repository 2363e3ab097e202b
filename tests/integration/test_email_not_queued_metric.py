"""Emails the queue refuses raise EmailNotQueuedAlarm (ADR 0041): the change stands, and the metric the alarm
watches is emitted once for the batch that could not be queued (here, confirming a payer response's outcomes)."""

from __future__ import annotations

from typing import Any

import pytest

from infrastructure.local.seed_data import SeedData
from tests.integration.test_outcome_emails import (  # noqa: F401 - colin, schools and queueing_fails are fixtures
    ACADEMY,
    MAINTAINED,
    REASON,
    colin,
    make_claim,
    queueing_fails,
    schools,
    status_of,
    upload,
)
from tests.support import Client


@pytest.fixture
def metrics_seen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every business metric the support function adds, in order."""
    from shared.observability import metrics

    seen: list[str] = []
    real = metrics.add_metric

    def recording(name: str, unit: str, value: float, *args: Any, **kwargs: Any) -> None:
        seen.append(name)
        real(name=name, unit=unit, value=value)

    monkeypatch.setattr(metrics, "add_metric", recording)
    return seen


def test_outcome_emails_the_queue_refuses_emit_the_alarms_metric(
    colin: Client,  # noqa: F811 - the fixture imported above
    seed: SeedData,
    queueing_fails: list[int],  # noqa: F811 - the fixture imported above
    metrics_seen: list[str],
) -> None:
    # Given the email queue refuses every message, and a response paying one claim and asking about another
    paid, unpaid = make_claim(seed, MAINTAINED), make_claim(seed, ACADEMY)
    path = upload(colin, [f"{paid},paid,", f"{unpaid},unpaid,{REASON}"])
    # When Colin confirms it
    assert colin.post(path).status == 303
    # Then the outcomes stand, the emails were tried once, and EmailNotQueued was emitted once
    assert (status_of(paid), status_of(unpaid)) == ("paid", "payment_information_requested")
    assert queueing_fails == [3]
    assert metrics_seen.count("EmailNotQueued") == 1
