"""Payment runs' rules: names, who started them, what may be done with them, and reconciling a file."""

from __future__ import annotations

import pytest

from shared.claims.payment_runs import (
    MAX_EXECUTION_NAME,
    FileRow,
    OwnedClaim,
    RunStatus,
    RunTrigger,
    can_retry,
    can_send_link,
    close_run_input,
    first_run_id,
    is_active,
    parse_csv_amount,
    reconcile,
    retry_execution_name,
    run_input,
    run_name,
    run_number,
    started_label,
    status_label,
)


def test_a_window_s_runs_are_named_after_it_once() -> None:
    # The live naming bug: "window-" was put in front of an id that already starts with it
    assert first_run_id("window-2026-to-2027-1") == "window-2026-to-2027-1-run-1"
    assert run_name("window-2026-to-2027-1", 3) == "window-2026-to-2027-1-run-3"
    assert run_number("window-2026-to-2027-1-run-12") == 12
    assert run_number("window-2026-to-2027-1") is None
    with pytest.raises(ValueError, match="from 1"):
        run_name("w", 0)


def test_a_retry_is_its_own_execution_of_the_same_run() -> None:
    assert retry_execution_name("window-2026-to-2027-1-run-1", 1) == "window-2026-to-2027-1-run-1-retry-1"
    assert retry_execution_name("w-run-2", 2) == "w-run-2-retry-2"
    with pytest.raises(ValueError, match="from 1"):
        retry_execution_name("w-run-1", 0)
    with pytest.raises(ValueError, match="longer"):
        retry_execution_name("w" * 75, 1)  # Step Functions takes 80 characters


def test_the_schedule_names_the_first_run_and_says_it_started_it() -> None:
    assert close_run_input("window-2026-to-2027-1") == {
        "window_id": "window-2026-to-2027-1",
        "run_id": "window-2026-to-2027-1-run-1",
        "trigger": "schedule",
        "started_by": "scheduler",
    }


def test_a_person_s_run_records_their_name_and_a_retry_its_attempt() -> None:
    assert run_input("w", "w-run-2", RunTrigger.PERSON, "user-colin", "Colin Chapman") == {
        "window_id": "w",
        "run_id": "w-run-2",
        "trigger": "person",
        "started_by": "user-colin",
        "started_by_name": "Colin Chapman",
    }
    assert run_input("w", "w-run-1", RunTrigger.SCHEDULE, "scheduler", attempt=2)["attempt"] == 2


@pytest.mark.parametrize(
    ("trigger", "name", "label"),
    [
        ("schedule", None, "Scheduled"),
        ("nightly", None, "Nightly check"),
        ("person", "Colin Chapman", "Colin Chapman"),
        ("person", None, "A support user"),
        (None, None, "Scheduled"),
    ],
)
def test_payments_says_who_or_what_started_a_run(trigger: str | None, name: str | None, label: str) -> None:
    assert started_label(trigger, name) == label


def test_status_labels() -> None:
    assert [status_label(s) for s in ("running", "file_generated", "completed", "failed", "not_started")] == [
        "Running",
        "File ready",
        "Complete",
        "Failed",
        "Not started",
    ]


def test_only_a_complete_reconciled_run_with_claims_offers_the_payer_a_link() -> None:
    assert can_send_link("completed", True, "payment-runs/r/f.csv", 3)
    assert not can_send_link("failed", True, "payment-runs/r/f.csv", 3)  # a failed run's file is never offered
    assert not can_send_link("file_generated", True, "payment-runs/r/f.csv", 3)
    assert not can_send_link("completed", False, "payment-runs/r/f.csv", 3)
    assert not can_send_link("completed", True, None, 3)
    assert not can_send_link("completed", True, "payment-runs/r/f.csv", 0)


def test_only_a_failed_run_can_be_retried() -> None:
    assert can_retry("failed")
    assert not any(can_retry(s) for s in ("running", "retrying", "completed", "not_started", "file_generated"))


@pytest.mark.parametrize(
    ("text", "pence"), [("876.00", 87600), ("0.01", 1), ("0.00", 0), ("1234567.89", 123456789), ("-12.50", -1250)]
)
def test_amounts_read_back_from_the_file(text: str, pence: int) -> None:
    assert parse_csv_amount(text) == pence


@pytest.mark.parametrize("text", ["876", "876.0", "£876.00", "1,234.00", "", "abc", "8.765"])
def test_anything_else_is_not_an_amount(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_csv_amount(text)


def _rows(*pairs: tuple[str, int]) -> list[FileRow]:
    return [FileRow(reference, pence) for reference, pence in pairs]


def _owned(*triples: tuple[str, int, bool]) -> list[OwnedClaim]:
    return [OwnedClaim(reference, pence, moved) for reference, pence, moved in triples]


def test_a_file_of_exactly_the_owned_claims_reconciles() -> None:
    result = reconcile(_rows(("1", 100), ("2", 250)), _owned(("1", 100, True), ("2", 250, True)), require_moved=True)
    assert result.passed
    assert (result.rows, result.owned, result.moved) == (2, 2, 2)
    assert (result.file_total_pence, result.owned_total_pence) == (350, 350)


def test_an_empty_file_of_a_run_that_owns_nothing_reconciles() -> None:
    assert reconcile([], [], require_moved=True).passed


def test_before_the_moves_the_claims_need_not_have_moved() -> None:
    assert reconcile(_rows(("1", 100)), _owned(("1", 100, False)), require_moved=False).passed
    after = reconcile(_rows(("1", 100)), _owned(("1", 100, False)), require_moved=True)
    assert not after.passed
    assert after.examples == ["1 did not move to payment"]


@pytest.mark.parametrize(
    ("rows", "owned", "problem"),
    [
        (_rows(("1", 100), ("2", 5)), _owned(("1", 100, True)), "2 is in the file but not owned by the run"),
        (_rows(("1", 100)), _owned(("1", 100, True), ("2", 5, True)), "2 is owned by the run but not in the file"),
        (_rows(("1", 101)), _owned(("1", 100, True)), "1: the file says 101p, the claim 100p"),
        (_rows(("0", 1), ("1", 100)), _owned(("1", 100, True)), "0 is in the file but not owned by the run"),
        (_rows(("1", 100), ("1", 100)), _owned(("1", 100, True)), "the file is not in reference order at 1"),
    ],
)
def test_every_difference_fails_the_reconciliation(rows: list[FileRow], owned: list[OwnedClaim], problem: str) -> None:
    result = reconcile(rows, owned, require_moved=True)
    assert not result.passed
    assert problem in result.examples


def test_a_duplicated_row_is_counted_so_the_totals_differ() -> None:
    result = reconcile(_rows(("1", 100), ("1", 100)), _owned(("1", 100, True)), require_moved=True)
    assert (result.rows, result.owned, result.file_total_pence, result.owned_total_pence) == (2, 1, 200, 100)


def test_a_long_list_of_differences_keeps_the_first_twenty_and_counts_them_all() -> None:
    result = reconcile(_rows(*((f"{n:03d}", 1) for n in range(50))), [], require_moved=True)
    assert result.problems == 50
    assert len(result.examples) == 20
    assert not result.passed


# -- the edges the mutation run found untested (docs/mutation.md) ---------------------------------------------------
def test_numbers_below_1_are_refused_in_so_many_words() -> None:
    # When a run 0 or a retry 0 is named / Then the error says where numbering starts
    with pytest.raises(ValueError, match=r"^runs are numbered from 1$"):
        run_name("w", 0)
    with pytest.raises(ValueError, match=r"^retries are numbered from 1$"):
        retry_execution_name("w-run-1", 0)


def test_a_retry_name_of_exactly_step_functions_limit_is_allowed_and_one_longer_is_not() -> None:
    # Given run ids that make a retry's name exactly 80 characters, and 81
    suffix = "-retry-1"
    exactly = "r" * (MAX_EXECUTION_NAME - len(suffix))
    # Then the first is the name, and the second is refused
    assert len(retry_execution_name(exactly, 1)) == MAX_EXECUTION_NAME == 80
    with pytest.raises(ValueError, match="longer than Step Functions allows"):
        retry_execution_name(exactly + "r", 1)


def test_a_status_the_service_does_not_know_is_shown_as_it_is() -> None:
    # Given a status written by a newer version of the service / Then Payments shows its code
    assert status_label("paused") == "paused"
    # And a run with no status yet is running
    assert status_label(None) == "Running"


def test_running_file_ready_and_retrying_runs_are_active_and_the_others_are_not() -> None:
    # Then a run holds its window while it runs, while its file is reconciled and while it is retried
    assert [status for status in RunStatus if is_active(status)] == [
        RunStatus.RUNNING,
        RunStatus.FILE_GENERATED,
        RunStatus.RETRYING,
    ]
    assert not is_active(None)


def test_a_file_of_a_single_claim_may_be_sent_to_the_payer() -> None:
    # Given a complete, reconciled run whose file has one claim / Then the payer may be sent its link
    assert can_send_link("completed", True, "payment-runs/r/f.csv", 1)


def test_every_claim_the_file_leaves_out_is_counted_and_the_rest_still_reconciled() -> None:
    # Given a run owning three claims whose file has only the middle one
    result = reconcile(
        _rows(("2", 250)), _owned(("1", 100, True), ("2", 250, True), ("3", 50, True)), require_moved=True
    )
    # Then both missing claims are named, the middle one matched, and every claim counted
    assert result.examples == [
        "1 is owned by the run but not in the file",
        "3 is owned by the run but not in the file",
    ]
    assert (result.rows, result.owned, result.moved, result.problems) == (1, 3, 3, 2)
    assert (result.file_total_pence, result.owned_total_pence) == (250, 400)
    assert not result.passed


def test_every_row_the_run_does_not_own_is_counted_and_the_rest_still_reconciled() -> None:
    # Given a file with a row before, between and after the run's two claims
    result = reconcile(
        _rows(("0", 1), ("1", 100), ("15", 2), ("2", 250), ("3", 3)),
        _owned(("1", 100, True), ("2", 250, True)),
        require_moved=True,
    )
    # Then each stranger is named, and both claims matched
    assert result.examples == [
        "0 is in the file but not owned by the run",
        "15 is in the file but not owned by the run",
        "3 is in the file but not owned by the run",
    ]
    assert (result.rows, result.owned, result.file_total_pence, result.owned_total_pence) == (5, 2, 356, 350)
