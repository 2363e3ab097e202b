"""The clawback run's pure rules (ADR 0034): its names, its file's name, when support may send clawbacks, and the
payer's email."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.clawback_runs import (
    ClawbackRun,
    ClawbackRunStatus,
    ClawbackTrigger,
    SendRefusal,
    clawback_file_key,
    clawback_file_name,
    clawback_file_ready,
    is_clawback_file,
    is_run_id,
    person_run_id,
    retry_execution_name,
    send_refusal,
    weekly_run_id,
)

AT = dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)


def test_a_run_is_named_so_that_a_second_start_names_the_same_execution() -> None:
    # Given the page's time and nonce / Then the run id is an execution name (no colon) and the same each time
    assert person_run_id(AT, "0a0b0c0d") == "clawback-20261207T070000Z-0a0b0c0d"
    assert is_run_id(person_run_id(AT, "0a0b0c0d"))
    # And the weekly run is named by its London day, so a repeated delivery names it again
    assert weekly_run_id(AT) == "clawback-weekly-2026-12-07"
    assert weekly_run_id(dt.datetime(2026, 6, 7, 23, 30, tzinfo=dt.UTC)) == "clawback-weekly-2026-06-08"  # BST
    assert is_run_id("clawback-weekly-2026-12-07")
    # And a retry is an execution of its own name, never a run id
    assert retry_execution_name("clawback-weekly-2026-12-07", 1) == "clawback-weekly-2026-12-07-retry-1"
    assert not is_run_id(retry_execution_name("clawback-weekly-2026-12-07", 1))
    for bad in ("", "clawback-", "clawback-weekly-2026-12-07:x", "window-1-run-1", "../clawback-weekly-2026-12-07"):
        assert not is_run_id(bad), bad


def test_the_file_is_under_its_run_and_saved_with_the_uk_date() -> None:
    key = clawback_file_key("clawback-weekly-2026-12-07", AT)
    assert key == "clawback-runs/clawback-weekly-2026-12-07/clawbacks-claims-2026-12-07T070000Z.csv"
    assert is_clawback_file(key)
    assert not is_clawback_file("payment-runs/w-run-1/payments-claims-2026-12-07T070000Z.csv")
    assert clawback_file_name(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)) == "clawbacks-claims-2026-07-01.csv"


@pytest.mark.parametrize(
    ("pending", "in_flight", "refusal"),
    [
        (0, None, SendRefusal.NOTHING_PENDING),
        (3, "clawback-weekly-2026-12-07", SendRefusal.RUN_IN_FLIGHT),
        (0, "clawback-weekly-2026-12-07", SendRefusal.RUN_IN_FLIGHT),
        (1, None, None),
    ],
)
def test_support_may_send_clawbacks_only_when_some_wait_and_no_run_is_in_flight(
    pending: int, in_flight: str | None, refusal: SendRefusal | None
) -> None:
    assert send_refusal(pending, in_flight) is refusal


def test_only_a_run_that_sent_a_file_takes_a_response() -> None:
    run = ClawbackRun(
        run_id="clawback-weekly-2026-12-07",
        created_at=AT,
        status=ClawbackRunStatus.COMPLETED,
        trigger=ClawbackTrigger.SCHEDULE,
        started_by="scheduler",
        row_count=2,
    )
    assert run.may_upload_response
    assert run.label == "Sent to payer"
    assert run.file_name == "clawbacks-claims-2026-12-07.csv"
    for changed in ({"status": ClawbackRunStatus.FAILED}, {"row_count": 0}, {"status": ClawbackRunStatus.NO_CLAIMS}):
        assert not run.model_copy(update=changed).may_upload_response


def test_the_payer_email_has_counts_the_link_and_what_to_send_back() -> None:
    message = clawback_file_ready(
        "payments@payer.example.gov.uk",
        run_id="clawback-weekly-2026-12-07",
        claims=2,
        total_pence=26280,
        link="https://example.gov.uk/downloads/abc",
        expires_at=AT + dt.timedelta(days=7),
    )
    assert message.kind == "clawback_file_ready"
    assert message.reference == "clawback-weekly-2026-12-07"
    assert "2 claims ready for clawback" in message.body
    assert "£262.80" in message.body
    assert "https://example.gov.uk/downloads/abc" in message.body
    assert "clawback_complete" in message.body
    assert "7am on 14 December 2026" in message.body
