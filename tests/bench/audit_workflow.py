"""The audit workflow at the size of a year's sample: the template's state machine executed by moto (as the workflow
tests run it, waits set to zero), over the providers and claims of a sample of 20,000 paid claims.

It measures, for one execution from start to SUCCEEDED (every claim answered before the first weekly check): the
wall time, the state transitions (Step Functions' unit of cost), the task invocations, the largest payload any state
passed on (Step Functions' limit is 256 KB: the Map's items are provider codes, never claims), and the emails
queued (one per provider user). The floor, in the same process, is the same execution over one provider with one
claim: the ratio says what the sample's size costs over the workflow's fixed steps.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.bench import Benchmark, Options

PROVIDERS = 150  # accredited providers named in a year's sample (the live service has about 200)
CLAIMS = 2_700  # a sample of 20,000 paid claims (the audit-sample benchmark draws about 2,680)
USERS_PER_PROVIDER = 2
PAYLOAD_LIMIT = 256 * 1024
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Execution:
    seconds: float
    transitions: int
    tasks: int
    largest_payload: int
    emails: int


@contextmanager
def _stack() -> Iterator[Any]:
    """moto with the template's resources and the tasks' code in this process, as tests/workflows runs them."""
    import boto3
    from moto import mock_aws

    from infrastructure.local.lambda_adapter import in_process_lambdas
    from infrastructure.local.moto_dynamodb import (
        answer_attribute_values_directly,
        back_up_touched_items_only,
        index_queries_by_partition,
        parse_update_expressions_once,
        serialise_dynamodb,
    )
    from infrastructure.local.stack import provision
    from infrastructure.local.template import load_template
    from tests.support import REGION, ROOT, apply_test_environment, table_name

    apply_test_environment()
    serialise_dynamodb()
    back_up_touched_items_only()
    index_queries_by_partition()  # as the workflow suite: a Query reads its partition only (ADR 42)
    answer_attribute_values_directly()  # and writes the items it returns out quickly (ADR 46)
    parse_update_expressions_once()  # and parses each update expression once (ADR 46)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        provisioned = provision(load_template(ROOT / "template.yaml"), table_name, os.environ["FILES_BUCKET"])
        os.environ["EMAIL_QUEUE_URL"] = provisioned.environment["EMAIL_QUEUE_URL"]
        os.environ["AUDIT_CHASER_SECONDS"] = "0"
        from shared.config import settings
        from shared.data.items import bind_tables

        settings.cache_clear()
        bind_tables(settings())
        with in_process_lambdas(provisioned.registry):
            yield provisioned, boto3.client("stepfunctions", region_name=REGION)


def _sample(audit_id: str, providers: int, claims: int) -> None:
    """An audit whose sample is confirmed: its providers with their users, its claims under audit."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.audit_schedule import AuditStatus
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.organisations import OrganisationType
    from shared.claims.people import Membership, Role, User
    from shared.claims.statuses import ClaimStatus
    from shared.data.audits import Audit, Audits
    from shared.data.claims import _to_item
    from shared.data.users import Members

    INITIAL = TrainingType.INITIAL  # noqa: N806 - a local alias keeps the claim on one line
    codes = tuple(f"{audit_id[-3:]}{number:03d}" for number in range(providers))
    for code in codes:
        for number in range(USERS_PER_PROVIDER):
            user = User(
                user_id=f"user-{code}-{number}",
                first_name="Pat",
                last_name=f"Lee{number}",
                email=f"audits{number}@{code.lower()}.example.ac.uk",
                role=Role.PROVIDER,
            )
            membership = Membership(
                user_id=user.user_id,
                organisation_id=code,
                organisation_type=OrganisationType.PROVIDER,
                organisation_name=f"Provider {code}",
            )
            Members().add(user, membership, new_user=True)
    for number in range(claims):
        code = codes[number % providers]
        item = _to_item(
            Claim(
                reference=f"{audit_id[-3:]}{number:05d}",
                school_id=f"1{number % 900:05d}",
                school_name="Alpha Primary School",
                provider_code=code,
                provider_name=f"Provider {code}",
                window_id="w1",
                academic_year=AcademicYear(2025),
                status=ClaimStatus.SAMPLING_IN_PROGRESS,
                mentors=(ClaimMentor(trn="1000001", first_name="E", last_name="C", hours=6, training_type=INITIAL),),
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
    Audits().create(
        Audit(
            audit_id=audit_id,
            academic_year="2025 to 2026",
            seed=7,
            started_by="user-colin",
            started_by_name="Colin Chapman",
            created_at=NOW,
            status=AuditStatus.SAMPLING_CONFIRMED,
            providers=codes,
            requested_at=NOW,
            deadline=dt.date(2026, 11, 23),
        )
    )


@contextmanager
def _answered_by_the_first_check(answering: list[float]) -> Iterator[None]:
    """Every claim of the audit answered when the weekly check first looks (as providers' answers would be); the
    seconds that answering took are added to `answering`, to be taken off the workflow's time."""
    from shared.data.audits import Audits
    from shared.data.items import ClaimItem

    original = Audits.outstanding

    def answered(audit_id: str, provider_code: str | None = None) -> Any:
        if provider_code is None:
            started = time.perf_counter()
            for item in ClaimItem.by_audit.query(audit_id):
                if item.status == "sampling_in_progress":
                    item.update(actions=[ClaimItem.status.set("paid")])
            answering.append(time.perf_counter() - started)
        return original(audit_id, provider_code)

    Audits.outstanding = staticmethod(answered)  # type: ignore[method-assign]
    try:
        yield
    finally:
        Audits.outstanding = original  # type: ignore[method-assign]


def _drain(sqs: Any, url: str) -> int:
    count = 0
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return count
        count += len(messages)
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        )


def _execute(provisioned: Any, sfn: Any, audit_id: str, providers: int, claims: int) -> Execution:
    import boto3

    _sample(audit_id, providers, claims)
    sqs = boto3.client("sqs", region_name="eu-west-2")
    url = provisioned.environment["EMAIL_QUEUE_URL"]
    _drain(sqs, url)
    arn = provisioned.state_machine_arns["AuditStateMachine"]
    answering: list[float] = []
    with _answered_by_the_first_check(answering):
        started = time.perf_counter()
        execution = sfn.start_execution(stateMachineArn=arn, name=audit_id, input=json.dumps({"audit_id": audit_id}))
        while (described := sfn.describe_execution(executionArn=execution["executionArn"]))["status"] == "RUNNING":
            time.sleep(0.02)
        seconds = time.perf_counter() - started - sum(answering)
    if described["status"] != "SUCCEEDED":
        raise RuntimeError(f"the audit workflow ended {described['status']}: {described.get('cause', '')}")
    events: list[dict[str, Any]] = []
    token = None
    while True:
        page = sfn.get_execution_history(
            executionArn=execution["executionArn"], maxResults=1000, **({"nextToken": token} if token else {})
        )
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    payloads = [
        len(str(details.get("input") or details.get("output") or ""))
        for event in events
        for key, details in event.items()
        if key.endswith("EventDetails") and isinstance(details, dict)
    ]
    return Execution(
        seconds=seconds,
        transitions=sum(1 for e in events if e["type"].endswith("StateEntered")),
        tasks=sum(1 for e in events if e["type"] in ("TaskScheduled", "LambdaFunctionScheduled")),
        largest_payload=max(payloads, default=0),
        emails=_drain(sqs, url),
    )


def run(options: Options) -> None:
    with _stack() as (provisioned, sfn):
        floor = _execute(provisioned, sfn, "audit-bench-floor", 1, 1)
        sample = _execute(provisioned, sfn, "audit-bench-big", PROVIDERS, CLAIMS)
    options.print(f"audit workflow: {PROVIDERS} providers, {CLAIMS:,} claims, {USERS_PER_PROVIDER} users each")
    for label, measured in (("floor (1 provider, 1 claim)", floor), ("sample", sample)):
        options.print(
            f"  {label}: {measured.seconds:.1f} s, {measured.transitions:,} state transitions, "
            f"{measured.tasks:,} task invocations, largest payload {measured.largest_payload:,} bytes, "
            f"{measured.emails:,} emails"
        )
    options.print(
        f"  sample / floor: {sample.seconds / floor.seconds:.1f}x time, "
        f"{sample.transitions / max(floor.transitions, 1):.1f}x transitions; largest payload "
        f"{sample.largest_payload / PAYLOAD_LIMIT:.1%} of Step Functions' 256 KB"
    )


BENCHMARK = Benchmark(
    name="audit-workflow",
    summary="the audit state machine over a year's sample (150 providers, 2,700 claims) in moto: time, transitions",
    run=run,
)
