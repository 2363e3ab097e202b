"""NotifyPayer in the running workflow: one single-use link per run (stored hashed), one email per payer
address, nothing twice when the task is retried, and nobody emailed when there is nothing to pay."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

import boto3
import pytest

from tests.support import REGION, queued_emails
from tests.workflows.conftest import Workflow, add_window

CLOSED = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)
PAYERS = ["payments@payer.example.gov.uk", "second.payments@payer.example.gov.uk"]
SERVICE_URL = "https://claim-funding.example.gov.uk"
RUN = "window-w7-run-1"
LINK = re.compile(re.escape(SERVICE_URL) + r"/downloads/([A-Za-z0-9_-]{43})")


@pytest.fixture
def payer(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> Workflow:
    """The workflow with what template.yaml gives NotifyPayer: the email queue, payer addresses, the URL."""
    from shared.config import settings

    monkeypatch.setenv("EMAIL_QUEUE_URL", workflow.provisioned.environment["EMAIL_QUEUE_URL"])
    monkeypatch.setenv("PAYER_EMAIL_ADDRESSES", ", ".join(PAYERS))
    monkeypatch.setenv("SERVICE_URL", SERVICE_URL)
    settings.cache_clear()
    return workflow


def _school_and_provider() -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.organisations import Provider, School
    from shared.data.organisations import Organisations, Providers

    Organisations().put_school(
        School(
            organisation_id="100001",
            urn="100001",
            name="Alpha Primary School",
            district_admin_code="E08000035",
            local_authority_name="Leeds",
            type_of_establishment="Community school",
            group="Local authority maintained schools",
            vendor_number="V100001",
            eligible_years=frozenset({AcademicYear.for_date(CLOSED).name}),
        )
    )
    Providers().put(
        Provider(code="N97", name="Sheffield Hallam University", provider_type="university", accredited=True, ukprn="1")
    )


def _ready_claim(reference: str, trn: str, first: str, last: str, hours: int) -> None:
    """A submitted claim that passes every check (not flagged, so no support review holds the run)."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import _to_item

    submitted = dt.datetime.combine(CLOSED, dt.time(10), dt.UTC)
    _to_item(
        Claim(
            reference=reference,
            school_id="100001",
            school_name="Alpha Primary School",
            provider_code="N97",
            provider_name="Sheffield Hallam University",
            window_id="w7",
            academic_year=AcademicYear.for_date(CLOSED),
            status=ClaimStatus.SUBMITTED,
            mentors=(
                ClaimMentor(trn=trn, first_name=first, last_name=last, hours=hours, training_type=TrainingType.INITIAL),
            ),
            region="Rest of England",
            hourly_rate_pence=4380,
            amount_pence=hours * 4380,
            created_at=submitted,
            submitted_at=submitted,
            submitted_by="user-anne-wilson",
            submitted_by_name="Anne Wilson",
        )
    ).save()


def _window_with_two_ready_claims() -> None:
    _school_and_provider()
    add_window("w7", CLOSED)
    _ready_claim("70000001", "1000001", "Emily", "Carter", 10)
    _ready_claim("70000002", "1000002", "James", "Okafor", 6)


def _run(workflow: Workflow) -> dict[str, Any]:
    result = workflow.wait(workflow.start(RUN, {"window_id": "w7", "run_id": RUN, "trigger": "person"}))
    assert result["status"] == "SUCCEEDED", result
    output: dict[str, Any] = json.loads(result["output"])
    return output


def _download_items() -> list[dict[str, Any]]:
    from shared.config import settings

    table = settings().download_tokens_table
    items: list[dict[str, Any]] = boto3.client("dynamodb", region_name=REGION).scan(TableName=table)["Items"]
    return items


def _links() -> list[dict[str, Any]]:
    """The stored links (not the runs' records of them)."""
    return [item for item in _download_items() if "file_key" in item]


def _batch(run_id: str) -> dict[str, Any]:
    from shared.config import settings

    item: dict[str, Any] = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=settings().batches_table, Key={"batch_id": {"S": run_id}}
    )["Item"]
    return item


def test_a_run_with_claims_emails_each_payer_one_single_use_link(payer: Workflow) -> None:
    # Given a closed window with two claims ready for payment
    _window_with_two_ready_claims()
    started = dt.datetime.now(dt.UTC)
    # When the run executes
    output = _run(payer)
    # Then the run says the payer was told
    assert output["payer_notified"] is True
    assert (output["row_count"], output["total_pence"]) == (2, 43800 + 26280)
    # And exactly one link is stored, by the SHA-256 of its token, for this run's file, unused, for 7 days
    (link,) = _links()
    assert re.fullmatch(r"[0-9a-f]{64}", link["token_hash"]["S"])
    assert link["run_id"]["S"] == RUN
    assert link["file_key"]["S"] == output["file_key"]
    assert "used_at" not in link
    expires = int(link["expires_at"]["N"])
    seven_days = int((started + dt.timedelta(days=7)).timestamp())
    assert seven_days <= expires <= seven_days + 60
    # And each payer address has one email with the same link, whose token is the stored hash's
    emails = queued_emails()
    assert sorted(email["to"] for email in emails) == sorted(PAYERS)
    tokens = set()
    for email in emails:
        assert email["kind"] == "payment_file_ready"
        assert email["subject"] == "Claims ready for payment - Claim funding for mentor training"
        assert email["reference"] == RUN
        assert "2 claims ready for payment" in email["body"]
        assert "£700.80" in email["body"]
        (token,) = LINK.findall(email["body"])
        tokens.add(token)
        # And no personal data: no mentor's or submitter's name
        for name in ("Emily", "Carter", "James", "Okafor", "Anne Wilson"):
            assert name not in email["body"]
    (token,) = tokens
    assert hashlib.sha256(token.encode()).hexdigest() == link["token_hash"]["S"]
    # And the raw token is stored nowhere
    assert token not in json.dumps(_download_items())
    # And the run record says who was emailed and when
    batch = _batch(RUN)
    assert batch["payer_notice"] == {"S": "emailed"}
    assert batch["payer_emails"] == {"N": "2"}
    assert "payer_notified_at" in batch


def test_a_retry_after_the_emails_could_not_be_queued_sends_one_link_once(
    payer: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the email queue refuses the first attempt's messages
    from shared.data.emails import enqueue as real_enqueue

    calls = {"n": 0}

    def flaky(messages: list[Any]) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("2 email messages were not queued")
        real_enqueue(messages)

    monkeypatch.setattr("shared.usecases.payer_links.enqueue", flaky)
    _window_with_two_ready_claims()
    # When the run executes (NotifyPayer fails with TransientError, and Retry runs it again)
    execution = payer.start(RUN, {"window_id": "w7", "run_id": RUN})
    result = payer.wait(execution)
    # Then it succeeds after one retry
    assert result["status"] == "SUCCEEDED", result
    failed = [e for e in payer.history(execution) if e["type"] == "TaskFailed"]
    assert [json.loads(e["taskFailedEventDetails"]["cause"])["errorType"] for e in failed] == ["TransientError"]
    # And the first attempt's link was withdrawn: one link, one email per address, carrying that link
    (link,) = _links()
    emails = queued_emails()
    assert sorted(email["to"] for email in emails) == sorted(PAYERS)
    (token,) = {LINK.findall(email["body"])[0] for email in emails}
    assert hashlib.sha256(token.encode()).hexdigest() == link["token_hash"]["S"]


def test_a_retry_after_the_emails_were_queued_sends_nothing_again(
    payer: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given recording the notification on the run fails once, after the emails were queued
    from shared.data.batches import PaymentRuns
    from shared.usecases.payment_run_tasks import TransientError

    real_record = PaymentRuns.record_payer_notified
    calls = {"n": 0}

    def flaky(self: PaymentRuns, *args: Any, **kwargs: Any) -> bool:
        calls["n"] += 1
        if calls["n"] == 1:
            raise TransientError("throttled")
        return real_record(self, *args, **kwargs)

    monkeypatch.setattr(PaymentRuns, "record_payer_notified", flaky)
    _window_with_two_ready_claims()
    # When the run executes and Retry runs NotifyPayer again
    output = _run(payer)
    # Then the second attempt found the emails queued: still one link, and one email per address
    assert calls["n"] == 2
    assert output["payer_notified"] is True
    assert len(_links()) == 1
    assert sorted(email["to"] for email in queued_emails()) == sorted(PAYERS)
    assert _batch(RUN)["payer_notice"] == {"S": "emailed"}


def test_an_attempt_stopped_between_queuing_and_noting_it_is_replaced_by_one_live_link(
    payer: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the first attempt queues its emails but stops before noting that it did (as a timeout would)
    from shared.data.download_tokens import DownloadTokens
    from shared.usecases.payment_run_tasks import TransientError

    real_mark = DownloadTokens.mark_queued
    calls = {"n": 0}

    def stopped(self: DownloadTokens, run_id: str, at: dt.datetime) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise TransientError("timed out")
        real_mark(self, run_id, at)

    monkeypatch.setattr(DownloadTokens, "mark_queued", stopped)
    _window_with_two_ready_claims()
    # When the run executes and Retry runs NotifyPayer again
    output = _run(payer)
    # Then the retry could not know the emails went, so it sent them again (at least once, never lost) ...
    assert output["payer_notified"] is True
    emails = queued_emails()
    assert sorted(email["to"] for email in emails) == sorted(PAYERS * 2)
    # ... with a new link that replaced the first: one live link for the run, the one in the latest emails
    (link,) = _links()
    tokens = [LINK.findall(email["body"])[0] for email in emails]
    assert sorted(tokens.count(token) for token in set(tokens)) == [2, 2]
    live = [token for token in set(tokens) if hashlib.sha256(token.encode()).hexdigest() == link["token_hash"]["S"]]
    assert len(live) == 1


def test_a_run_with_no_ready_claims_emails_nobody(payer: Workflow) -> None:
    # Given a closed window with no claims
    add_window("w7", CLOSED)
    # When the run executes
    output = _run(payer)
    # Then its (empty) file is not sent: no link, no email, and the run records why
    assert output["row_count"] == 0
    assert output["payer_notified"] is False
    assert _download_items() == []
    assert queued_emails() == []
    batch = _batch(RUN)
    assert batch["payer_notice"] == {"S": "no_claims"}
    assert batch["payer_emails"] == {"N": "0"}
