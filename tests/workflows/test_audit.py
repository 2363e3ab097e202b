"""The audit workflow executed in moto (ADR 0031): each provider's users emailed the request once; answered
audits complete; unanswered ones get three weekly chasers at most, then are overdue; a failing task is
retried, then recorded on the audit; a second start of an audit is refused."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support import queued_emails
from tests.workflows.conftest import Workflow

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
AUDIT = "audit-test-1"
SERVICE_URL = "https://claim-funding.example.gov.uk"


@pytest.fixture
def audits(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> Workflow:
    """The workflow with what template.yaml gives the audit's tasks: the email queue, the URL, no waiting."""
    from shared.config import settings

    monkeypatch.setenv("EMAIL_QUEUE_URL", workflow.provisioned.environment["EMAIL_QUEUE_URL"])
    monkeypatch.setenv("SERVICE_URL", SERVICE_URL)
    monkeypatch.setenv("AUDIT_CHASER_SECONDS", "0")
    settings.cache_clear()
    return workflow


def _arn(workflow: Workflow) -> str:
    return workflow.provisioned.state_machine_arns["AuditStateMachine"]


def _start(workflow: Workflow, audit_id: str = AUDIT) -> str:
    return str(
        workflow.sfn.start_execution(
            stateMachineArn=_arn(workflow), name=audit_id, input=json.dumps({"audit_id": audit_id})
        )["executionArn"]
    )


def _provider_with_users(code: str, *emails: str) -> None:
    from shared.claims.organisations import OrganisationType
    from shared.claims.people import Membership, Role, User
    from shared.data.users import Members

    for number, email in enumerate(emails):
        user = User(
            user_id=f"user-{code}-{number}", first_name="Pat", last_name=f"Lee{number}", email=email, role=Role.PROVIDER
        )
        Members().add(
            user,
            Membership(
                user_id=user.user_id,
                organisation_id=code,
                organisation_type=OrganisationType.PROVIDER,
                organisation_name=f"Provider {code}",
            ),
            new_user=True,
        )


def _claim_under_audit(reference: str, provider_code: str, audit_id: str = AUDIT) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import _to_item

    item = _to_item(
        Claim(
            reference=reference,
            school_id="100001",
            school_name="Alpha Primary School",
            provider_code=provider_code,
            provider_name=f"Provider {provider_code}",
            window_id="w1",
            academic_year=AcademicYear(2025),
            status=ClaimStatus.SAMPLING_IN_PROGRESS,
            mentors=(
                ClaimMentor(
                    trn="1000001", first_name="Emily", last_name="Carter", hours=6, training_type=TrainingType.INITIAL
                ),
            ),
            region="Rest of England",
            hourly_rate_pence=4380,
            amount_pence=6 * 4380,
            created_at=NOW,
        )
    )
    item.audit_id = audit_id
    item.audit_requested_at = NOW
    item.audit_deadline = "2026-11-23"
    item.save()


def _audit(providers: tuple[str, ...], audit_id: str = AUDIT) -> None:
    from shared.claims.audit_schedule import AuditStatus
    from shared.data.audits import Audit, Audits

    assert Audits().create(
        Audit(
            audit_id=audit_id,
            academic_year="2025 to 2026",
            seed=7,
            started_by="user-colin",
            started_by_name="Colin Chapman",
            created_at=NOW,
            status=AuditStatus.SAMPLING_CONFIRMED,
            providers=providers,
            requested_at=NOW,
            deadline=dt.date(2026, 11, 23),
        )
    )


def _answer(reference: str) -> None:
    from shared.data.items import ClaimItem

    ClaimItem(claim_id=reference).update(actions=[ClaimItem.status.set("paid")])


def _states(workflow: Workflow, execution: str) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"] for e in workflow.history(execution) if e["type"] == "TaskStateEntered"
    ]


def test_answered_audit_emails_each_provider_user_once_then_completes(
    audits: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an audit of two providers, one with two users; every claim is answered before the first check
    from shared.claims.audit_schedule import AuditStatus
    from shared.data.audits import Audits

    _provider_with_users("N97", "a@n97.example.ac.uk", "b@n97.example.ac.uk")
    _provider_with_users("B23", "c@b23.example.ac.uk")
    _claim_under_audit("10000001", "N97")
    _claim_under_audit("10000002", "B23")
    _audit(("B23", "N97"))
    original = Audits.outstanding

    checks = {"n": 0}

    def answered_after_request(audit_id: str, provider_code: str | None = None) -> Any:
        if provider_code is None:  # the weekly check: by then both providers have answered
            checks["n"] += 1
            _answer("10000001")
            _answer("10000002")
        return original(audit_id, provider_code)

    monkeypatch.setattr(Audits, "outstanding", staticmethod(answered_after_request))
    # When the workflow runs
    result = audits.wait(_start(audits))
    # Then it succeeds, the audit complete, each provider user emailed the request once, with link and deadline
    assert result["status"] == "SUCCEEDED", result
    audit = Audits().get(AUDIT)
    assert audit is not None
    assert audit.status is AuditStatus.COMPLETE
    emails = queued_emails()
    assert sorted(email["to"] for email in emails) == [
        "a@n97.example.ac.uk",
        "b@n97.example.ac.uk",
        "c@b23.example.ac.uk",
    ]
    n97 = next(email for email in emails if email["to"] == "a@n97.example.ac.uk")
    assert f"{SERVICE_URL}/providers/N97/audits" in n97["body"]
    assert "23 November 2026" in n97["body"]
    assert {email["kind"] for email in emails} == {"audit_requested"}
    assert checks["n"] == 1


def test_unanswered_audit_gets_three_chasers_at_most_then_is_overdue(audits: Workflow) -> None:
    # Given an audit whose provider never answers
    from shared.data.audits import Audits

    _provider_with_users("N97", "a@n97.example.ac.uk")
    _claim_under_audit("10000001", "N97")
    _audit(("N97",))
    # When the workflow runs (no wait between checks here)
    result = audits.wait(_start(audits))
    # Then the request and three chasers went, no more, and the audit is marked overdue
    assert result["status"] == "SUCCEEDED", result
    kinds = [email["kind"] for email in queued_emails()]
    assert kinds.count("audit_requested") == 1
    assert kinds.count("audit_chaser") == 3
    audit = Audits().get(AUDIT)
    assert audit is not None
    assert audit.overdue_at is not None
    assert audit.chasers == 3
    # And support's list shows the claim as overdue
    from shared.usecases.audits import audits_page

    (row,) = audits_page(NOW).claims
    assert row.overdue


def test_a_failing_task_is_retried_then_recorded_on_the_audit(
    audits: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the email queue refuses every message
    from shared.claims.audit_schedule import AuditStatus
    from shared.data.audits import Audits

    def refused(messages: list[Any]) -> None:
        raise RuntimeError("1 email messages were not queued")

    monkeypatch.setattr("shared.usecases.audit_tasks.enqueue", refused)
    _provider_with_users("N97", "a@n97.example.ac.uk")
    _claim_under_audit("10000001", "N97")
    _audit(("N97",))
    # When the workflow runs
    execution = _start(audits)
    result = audits.wait(execution)
    # Then the page was tried three times (two retries), and the failure is recorded on the audit
    assert result["status"] == "FAILED", result
    failed = [e for e in audits.history(execution) if e["type"] == "TaskFailed"]
    assert [json.loads(e["taskFailedEventDetails"]["cause"])["errorType"] for e in failed] == ["TransientError"] * 3
    audit = Audits().get(AUDIT)
    assert audit is not None
    assert audit.status is AuditStatus.FAILED
    assert "RecordFailure" in _states(audits, execution)


def test_a_second_start_of_an_audit_is_refused(audits: Workflow) -> None:
    # Given an audit whose workflow has started (and finished)
    from shared.data import executions

    _provider_with_users("N97", "a@n97.example.ac.uk")
    _claim_under_audit("10000001", "N97")
    _audit(("N97",))
    first = _start(audits)
    audits.wait(first)
    # When it is started again by name / Then Step Functions refuses it
    with pytest.raises(ClientError) as refused:
        _start(audits)
    assert refused.value.response["Error"]["Code"] == "ExecutionAlreadyExists"
    # And the service's own start finds the first execution rather than starting another
    found = executions.start(AUDIT, {"audit_id": AUDIT}, _arn(audits))
    assert found.started_now is False
    assert found.execution_arn == first
