"""A payment run whose payer has no address (ADR 0041): the run finishes, records why nobody was emailed, and emits
PayerAddressMissing, the metric PayerAddressMissingAlarm watches (the file is ready and nobody was told)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import queued_emails
from tests.workflows.conftest import Workflow
from tests.workflows.test_notify_payer import (
    RUN,
    SERVICE_URL,
    _batch,
    _download_items,
    _run,
    _window_with_two_ready_claims,
)


@pytest.fixture
def no_payer(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> Workflow:
    """The workflow as template.yaml gives NotifyPayer, with PAYER_EMAIL_ADDRESSES empty (a deployment mistake)."""
    from shared.config import settings

    monkeypatch.setenv("EMAIL_QUEUE_URL", workflow.provisioned.environment["EMAIL_QUEUE_URL"])
    monkeypatch.setenv("PAYER_EMAIL_ADDRESSES", "")
    monkeypatch.setenv("SERVICE_URL", SERVICE_URL)
    settings.cache_clear()
    return workflow


@pytest.fixture
def metrics_seen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every business metric the workflow's functions add, in order."""
    from shared.observability import metrics

    seen: list[str] = []
    real = metrics.add_metric

    def recording(name: str, unit: str, value: float, *args: Any, **kwargs: Any) -> None:
        seen.append(name)
        real(name=name, unit=unit, value=value)

    monkeypatch.setattr(metrics, "add_metric", recording)
    return seen


def test_a_run_with_no_payer_address_emails_nobody_and_raises_the_alarm(
    no_payer: Workflow, metrics_seen: list[str]
) -> None:
    # Given a closed window with two ready claims, and no payer address configured
    _window_with_two_ready_claims()
    # When the run executes
    output = _run(no_payer)
    # Then the file is written but nobody is emailed, the run records why, and the alarm's metric is emitted once
    assert output["row_count"] == 2
    assert output["payer_notified"] is False
    assert queued_emails() == []
    assert [item for item in _download_items() if "file_key" in item] == []
    batch = _batch(RUN)
    assert batch["payer_notice"] == {"S": "no_payer_address"}
    assert metrics_seen.count("PayerAddressMissing") == 1
