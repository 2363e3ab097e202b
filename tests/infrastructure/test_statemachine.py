"""The claim-window workflow's ASL: references only, Retry and Catch on every task (docs/conventions.md)."""

from __future__ import annotations

from typing import Any

import pytest

WORK_TASKS = ["CloseWindow", "PlanValidation", "GeneratePaymentFile", "ReconcilePaymentFile", "NotifyPayer"]
FUNCTION_OF = {"PlanValidation": "ValidateClaims"}  # the validation function plans the pages, then checks each

LAMBDA_TRANSIENT_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "TransientError",
]


def tasks(asl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: state for name, state in asl["States"].items() if state["Type"] == "Task"}


def test_workflow_is_jsonpath_and_explained(asl: dict[str, Any]) -> None:
    # moto and our local stack cannot run JSONata
    assert asl.get("QueryLanguage", "JSONPath") == "JSONPath"
    assert all(state.get("QueryLanguage", "JSONPath") == "JSONPath" for state in asl["States"].values())
    assert "OutputPath $.Payload" in asl["Comment"]


def test_happy_path_closes_validates_writes_the_payment_file_then_notifies_the_payer(asl: dict[str, Any]) -> None:
    # Given the start state / When Next is followed / Then the steps come in the designed order
    # (a Choice goes on to its Default: the run started)
    order = [asl["StartAt"]]
    while "Next" in asl["States"][order[-1]] or "Default" in asl["States"][order[-1]]:
        state = asl["States"][order[-1]]
        order.append(state.get("Next") or state["Default"])
    assert order == [
        "CloseWindow",
        "RunStarted",
        "PlanValidation",
        "ValidateClaims",
        "ListReviews",
        "SupportReview",
        "GeneratePaymentFile",
        "ReconcilePaymentFile",
        "NotifyPayer",
        "Succeeded",
    ]
    assert asl["States"]["Succeeded"]["Type"] == "Succeed"


def test_a_run_that_finds_another_run_of_its_window_active_ends_without_a_file(asl: dict[str, Any]) -> None:
    # Given CloseWindow's result / Then a run it marked skipped goes straight to a Succeed state
    choice = asl["States"]["RunStarted"]
    assert choice["Type"] == "Choice"
    assert choice["Choices"] == [{"Variable": "$.skipped", "BooleanEquals": True, "Next": "RunNotStarted"}]
    assert asl["States"]["RunNotStarted"]["Type"] == "Succeed"


def test_reconciliation_comes_between_the_file_and_the_payer_and_is_never_retried(asl: dict[str, Any]) -> None:
    # Given the states / Then nothing reaches NotifyPayer but through ReconcilePaymentFile, whose failure
    # (ReconciliationFailed) is not among the retried errors and is caught into RecordFailure
    into_notify = [name for name, state in asl["States"].items() if state.get("Next") == "NotifyPayer"]
    assert into_notify == ["ReconcilePaymentFile"]
    for name in ("GeneratePaymentFile", "ReconcilePaymentFile", "NotifyPayer"):
        retried = {error for retry in asl["States"][name]["Retry"] for error in retry["ErrorEquals"]}
        assert "ReconciliationFailed" not in retried
        assert "States.ALL" not in retried


@pytest.mark.parametrize("name", WORK_TASKS)
def test_work_task_passes_the_state_and_keeps_what_the_function_returns(asl: dict[str, Any], name: str) -> None:
    # Given a task / Then it invokes its own function with the whole state, and the function's merged reply is
    # the next state's input (so window_id and run_id travel through)
    state = asl["States"][name]
    assert state["Resource"] == "arn:aws:states:::lambda:invoke"
    assert state["Parameters"] == {"FunctionName": f"${{{FUNCTION_OF.get(name, name)}FunctionArn}}", "Payload.$": "$"}
    assert state["OutputPath"] == "$.Payload"
    assert "ResultSelector" not in state


@pytest.mark.parametrize("name", WORK_TASKS)
def test_work_task_retries_transient_errors_and_catches_everything_into_record_failure(
    asl: dict[str, Any], name: str
) -> None:
    state = asl["States"][name]
    (retry,) = state["Retry"]
    assert retry == {
        "ErrorEquals": LAMBDA_TRANSIENT_ERRORS,
        "IntervalSeconds": 1,
        "MaxAttempts": 2,
        "BackoffRate": 2.0,
    }
    (catch,) = state["Catch"]
    assert catch == {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RecordFailure"}


def test_every_task_has_retry_and_every_task_but_the_failure_recorder_catches(asl: dict[str, Any]) -> None:
    for name, state in tasks(asl).items():
        assert state["Retry"], name
        if name != "RecordFailure":
            assert [catch["Next"] for catch in state["Catch"]] == ["RecordFailure"], name


def test_a_failure_is_recorded_then_fails_the_execution(asl: dict[str, Any]) -> None:
    recorder = asl["States"]["RecordFailure"]
    assert recorder["Type"] == "Task"
    assert recorder["Parameters"] == {"FunctionName": "${RecordRunFailureFunctionArn}", "Payload.$": "$"}
    assert recorder["Retry"][0]["ErrorEquals"] == LAMBDA_TRANSIENT_ERRORS
    assert recorder["Next"] == "RunFailed"
    failed = asl["States"]["RunFailed"]
    assert failed["Type"] == "Fail"
    assert failed["Error"] == "PaymentRunFailed"


def test_every_state_is_reachable(asl: dict[str, Any]) -> None:
    reachable: set[str] = set()
    pending = [asl["StartAt"]]
    while pending:
        name = pending.pop()
        if name in reachable:
            continue
        reachable.add(name)
        state = asl["States"][name]
        pending += [state["Next"]] if "Next" in state else []
        pending += [state["Default"]] if "Default" in state else []
        pending += [choice["Next"] for choice in state.get("Choices", [])]
        pending += [catch["Next"] for catch in state.get("Catch", [])]
    assert reachable == set(asl["States"])


def test_support_review_waits_for_a_decision_per_flagged_claim_with_a_timeout(asl: dict[str, Any]) -> None:
    # Given the SupportReview Map / Then each flagged claim's task waits for its token to be completed,
    # for as long as the run says, and a timeout or a rejection keeps only that claim out
    review = asl["States"]["SupportReview"]
    assert review["Type"] == "Map"
    assert review["ItemsPath"] == "$.review.reviews"
    assert review["ResultPath"] is None  # the state carries references, not review results
    assert review["Catch"][0]["Next"] == "RecordFailure"
    processor = review["ItemProcessor"]["States"]
    wait = processor["AwaitReview"]
    assert wait["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert wait["Parameters"]["Payload"]["token.$"] == "$$.Task.Token"
    assert wait["TimeoutSecondsPath"] == "$.timeout"
    assert {c["ErrorEquals"][0]: c["Next"] for c in wait["Catch"]} == {
        "States.Timeout": "ReviewTimedOut",
        "ClaimRejected": "Rejected",
        "ClaimInAnotherRun": "HeldByAnotherRun",  # its review belongs to another active run of the window
    }
    assert asl["States"]["ListReviews"]["Catch"][0]["Next"] == "RecordFailure"


def test_validation_is_a_map_over_pages_of_references(asl: dict[str, Any]) -> None:
    # Given the ValidateClaims step / Then it maps over pages planned by PlanValidation (references, not
    # claims), a bounded number at once, each page a task that retries and whose failure is caught
    validate = asl["States"]["ValidateClaims"]
    assert validate["Type"] == "Map"
    assert validate["ItemsPath"] == "$.validation_pages"
    assert validate["MaxConcurrency"] == 5
    assert validate["ResultPath"] is None
    assert validate["Catch"][0]["Next"] == "RecordFailure"
    page = validate["ItemProcessor"]["States"]["ValidatePage"]
    assert page["Parameters"] == {"FunctionName": "${ValidateClaimsFunctionArn}", "Payload.$": "$"}
    assert page["Retry"][0]["ErrorEquals"][-1] == "TransientError"
    assert validate["ItemSelector"]["first.$"] == "$$.Map.Item.Value.first"
