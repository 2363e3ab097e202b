"""The sample events in events/ (used with `sam local invoke`) are real: each runs through its handler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support import ROOT, LambdaContextStub


def _event(path: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(Path(ROOT / "events" / path).read_text())
    return event


def test_web_sample_events(apps: dict[str, Any]) -> None:
    assert apps["web"](_event("web/get-start-page.json"), LambdaContextStub())["statusCode"] == 200
    assert apps["web"](_event("web/get-sign-in.json"), LambdaContextStub())["statusCode"] == 200


def test_support_sample_event_sends_a_visitor_to_sign_in(apps: dict[str, Any]) -> None:
    response = apps["support"](_event("support/get-support-signed-out.json"), LambdaContextStub())
    assert response["statusCode"] == 303
    assert response["multiValueHeaders"]["Location"] == ["/sign-in"]


def test_close_window_sample_events_are_valid_task_input() -> None:
    from shared.usecases.payment_run_tasks import RunInput

    for name in ("schedule.json", "person.json", "retry.json"):
        RunInput.model_validate(_event(f"close_window/{name}"))


def test_start_due_runs_sample_event_starts_nothing_when_no_window_is_due(configured: dict[str, str]) -> None:
    import functions.start_due_runs.app as nightly

    # Every window of the demo data is open, upcoming or already closed: nothing is due
    assert nightly.lambda_handler(_event("start_due_runs/nightly.json"), LambdaContextStub()) == {"runs": []}


def test_send_email_sample_event_carries_a_valid_message() -> None:
    from shared.claims.emails import EmailMessage

    for record in _event("send_email/one-message.json")["Records"]:
        EmailMessage.model_validate_json(record["body"])


def test_workflow_sample_events_are_valid_task_input() -> None:
    from shared.usecases.payment_run_tasks import RunState
    from shared.usecases.review_tasks import ReviewTask

    for name in (
        "validate_claims/after-close.json",
        "generate_payment_file/after-review.json",
        "notify_payer/file-written.json",
        "reconcile_payment_file/file-moved.json",
    ):
        RunState.model_validate(_event(name))
    ReviewTask.model_validate(_event("await_review/await.json"))
    assert _event("await_review/list.json")["action"] == "list"


def test_download_sample_event_is_a_404_page_for_an_unknown_link(aws: None) -> None:
    import functions.download_file.app as download

    response = download.lambda_handler(_event("download_file/unknown-link.json"), LambdaContextStub())
    assert response["statusCode"] == 404
