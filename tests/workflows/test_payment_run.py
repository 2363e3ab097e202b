"""The payment run over real claims: checks and flags, the file with exactly the ready claims, and a
second run that pays nobody twice."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os

import boto3
import pytest

from tests.support import REGION
from tests.workflows.conftest import Workflow, add_window

CLOSED = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)


def _setup() -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.organisations import Provider, School
    from shared.data.organisations import Organisations, Providers

    year = AcademicYear.for_date(CLOSED).name
    for urn, name, district in (
        ("100001", "Alpha Primary School", "E08000035"),
        ("100002", '=HYPERLINK("x") Academy', "E09000007"),
    ):
        Organisations().put_school(
            School(
                organisation_id=urn,
                urn=urn,
                name=name,
                district_admin_code=district,
                local_authority_name="Leeds",
                type_of_establishment="Community school",
                group="Local authority maintained schools",
                vendor_number=f"V{urn}",
                eligible_years=frozenset({year}),
            )
        )
    Providers().put(
        Provider(
            code="N97",
            name="Sheffield Hallam University",
            provider_type="university",
            accredited=True,
            ukprn="10064688",
        )
    )


def _claim(
    reference: str, school: str, trn: str, hours: int, rate: int = 4380, submitted_by: str = "Anne Wilson"
) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import _to_item

    names = {
        "1000001": ("Emily", "Carter"),
        "1000002": ("James", "Okafor"),
        "1000003": ("Priya", "Shah"),
        "9999999": ("Nobody", "Known"),
    }
    first, last = names[trn]
    _to_item(
        Claim(
            reference=reference,
            school_id=school,
            school_name="Alpha Primary School" if school == "100001" else '=HYPERLINK("x") Academy',
            provider_code="N97",
            provider_name="Sheffield Hallam University",
            window_id="w5",
            academic_year=AcademicYear.for_date(CLOSED),
            status=ClaimStatus.SUBMITTED,
            mentors=(
                ClaimMentor(trn=trn, first_name=first, last_name=last, hours=hours, training_type=TrainingType.INITIAL),
            ),
            region="Rest of England",
            hourly_rate_pence=rate,
            amount_pence=hours * rate,
            created_at=dt.datetime.combine(CLOSED, dt.time(10), dt.UTC),
            submitted_at=dt.datetime.combine(CLOSED, dt.time(10), dt.UTC),
            submitted_by="u",
            submitted_by_name=submitted_by,
        )
    ).save()
    from shared.claims.allowance import allowance_id
    from shared.data.items import AllowanceItem

    # The hours the claim's submission would have added to the mentor's allowance
    AllowanceItem(allowance_id=allowance_id(trn, "N97", AcademicYear.for_date(CLOSED))).update(
        actions=[AllowanceItem.used.add(hours)]
    )


def _status(reference: str) -> str:
    from shared.data.claims import ClaimsStore

    return ClaimsStore().get(reference).status.value


def _file(key: str) -> list[dict[str, str]]:
    body = boto3.client("s3", region_name=REGION).get_object(Bucket=os.environ["FILES_BUCKET"], Key=key)["Body"].read()
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def test_clean_claims_are_paid_and_flagged_ones_wait_for_review(workflow: Workflow) -> None:
    # Given a closed window with two clean claims, one for a mentor not in the Teaching Record,
    # and one submitted by its own mentor
    _setup()
    add_window("w5", CLOSED)
    _claim("10000001", "100001", "1000001", 10)
    _claim("10000002", "100002", "1000002", 6)
    _claim("10000003", "100001", "9999999", 4)
    _claim("10000004", "100002", "1000003", 3, submitted_by="Priya Shah")
    # When the run executes
    result = workflow.wait(
        workflow.start("window-w5-run-1", {"window_id": "w5", "run_id": "window-w5-run-1", "trigger": "person"})
    )
    assert result["status"] == "SUCCEEDED", result
    # Then the file holds exactly the clean claims, amounts as 876.00 and formula-safe names
    from shared.data.batches import PaymentRuns

    run = PaymentRuns().get("window-w5-run-1")
    assert run is not None
    rows = _file(run.file_key)
    assert [r["claim_reference"] for r in rows] == ["10000001", "10000002"]
    assert rows[0]["claim_amount"] == "438.00"
    assert rows[1]["school_name"] == '\'=HYPERLINK("x") Academy'
    assert (run.row_count, run.total_pence) == (2, 43800 + 26280)
    assert run.counts == {"pages": 1, "pages_done": 1, "validated": 4, "flagged": 2, "in_file": 2, "moved": 2}
    # And each step the tasks ran recorded when it started and finished, in order: the run's page shows them
    from shared.claims.run_steps import STAMPED, StepState, finished_key, run_steps, started_key

    found = PaymentRuns().get_with_step_times("window-w5-run-1")
    assert found is not None
    times = found[1]
    assert {name for step in STAMPED for name in (started_key(step), finished_key(step))} <= set(times)
    ordered = [
        times[name] for name in ("close_window_started_at", "check_claims_finished_at", "reconcile_file_finished_at")
    ]
    assert ordered == sorted(ordered)
    assert [step.state for step in run_steps(found[0], times)] == [StepState.DONE] * 6
    # And the paid claims moved, the flagged ones are in support review with their reasons recorded
    assert [_status(r) for r in ("10000001", "10000002", "10000003", "10000004")] == [
        "payment_in_progress",
        "payment_in_progress",
        "support_review",
        "support_review",
    ]
    from shared.data.claims import ClaimsStore

    events = ClaimsStore().events("10000003")
    assert [e["action"] for e in events][-2:] == ["flagged_by_validation", "review_timed_out"]
    assert "Not found in the Teaching Record System: Nobody Known" in events[-2]["reason"]
    assert "who is one of the claim's mentors" in ClaimsStore().events("10000004")[-2]["reason"]


def test_a_second_run_pays_late_approvals_and_nobody_twice(workflow: Workflow) -> None:
    _setup()
    add_window("w5", CLOSED)
    _claim("20000001", "100001", "1000001", 10)
    _claim("20000002", "100001", "1000003", 4, submitted_by="Priya Shah")
    workflow.wait(workflow.start("window-w5-run-1", {"window_id": "w5", "run_id": "window-w5-run-1"}))
    assert [_status("20000001"), _status("20000002")] == ["payment_in_progress", "support_review"]
    # Given support approves the flagged claim after the first run
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore

    store = ClaimsStore()
    approved = store.change_status(
        store.get("20000002"), ClaimStatus.SUBMITTED, "user-colin", dt.datetime.now(dt.UTC), "Checked"
    )
    store.mark_validated(approved, "window-w5-run-1", {"approved": True}, dt.datetime.now(dt.UTC))
    # When a second run of the window executes
    result = workflow.wait(
        workflow.start("window-w5-run-2", {"window_id": "w5", "run_id": "window-w5-run-2", "trigger": "person"})
    )
    assert result["status"] == "SUCCEEDED", result
    # Then its file holds only the late approval
    from shared.data.batches import PaymentRuns

    second = PaymentRuns().get("window-w5-run-2")
    assert second is not None
    assert [r["claim_reference"] for r in _file(second.file_key)] == ["20000002"]
    assert _status("20000002") == "payment_in_progress"


def test_a_held_claim_stays_out_and_an_amended_claim_is_paid_its_new_amount(workflow: Workflow) -> None:
    from shared.claims.allowance import allowance_id
    from shared.data.batches import PaymentRuns
    from shared.data.claims import ClaimsStore
    from shared.data.items import AllowanceItem

    _setup()
    add_window("w5", CLOSED)
    _claim("30000001", "100001", "1000001", 10)
    _claim("30000002", "100002", "1000002", 10)
    store = ClaimsStore()
    now = dt.datetime.now(dt.UTC)
    # Given support puts one claim on hold and takes 4 hours off the other before the run
    store.hold(store.get("30000001"), "The school asked us to check the hours", "user-colin", now)
    amended = store.amend(store.get("30000002"), "1000002", 6, 20, "Hours not evidenced", "user-colin", now)
    assert amended.amount_pence == 6 * 4380
    # When the window's run executes
    result = workflow.wait(
        workflow.start("window-w5-run-1", {"window_id": "w5", "run_id": "window-w5-run-1", "trigger": "person"})
    )
    assert result["status"] == "SUCCEEDED", result
    # Then the file holds only the amended claim, at its new amount, and the held claim waits, still submitted
    first = PaymentRuns().get("window-w5-run-1")
    assert first is not None
    rows = _file(first.file_key)
    assert [(r["claim_reference"], r["claim_amount"]) for r in rows] == [("30000002", "262.80")]
    assert (first.row_count, first.total_pence) == (1, 6 * 4380)
    assert [_status("30000001"), _status("30000002")] == ["submitted", "payment_in_progress"]
    assert store.get("30000001").payment_run_id is None
    # And the mentor's allowance holds the 6 hours paid
    year = store.get("30000002").academic_year
    assert AllowanceItem.get(allowance_id("1000002", "N97", year)).used == 6
    # When the hold is removed and a second run executes, it pays the claim that was held, once
    store.remove_hold(store.get("30000001"), "user-colin", dt.datetime.now(dt.UTC))
    result = workflow.wait(
        workflow.start("window-w5-run-2", {"window_id": "w5", "run_id": "window-w5-run-2", "trigger": "person"})
    )
    assert result["status"] == "SUCCEEDED", result
    second = PaymentRuns().get("window-w5-run-2")
    assert second is not None
    assert [r["claim_reference"] for r in _file(second.file_key)] == ["30000001"]
    assert _status("30000001") == "payment_in_progress"


def test_a_failed_file_task_moves_no_claim(workflow: Workflow, monkeypatch: object) -> None:
    import pytest

    import functions.generate_payment_file.app as task
    from shared.usecases.payment_run_tasks import TransientError

    def broken(*_: object) -> object:
        raise TransientError("S3 unavailable")

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(task, "generate_payment_file", broken)
    _setup()
    add_window("w5", CLOSED)
    _claim("30000001", "100001", "1000001", 10)
    result = workflow.wait(workflow.start("window-w5-run-1", {"window_id": "w5", "run_id": "window-w5-run-1"}))
    assert result["status"] == "FAILED"
    assert _status("30000001") == "submitted"


def test_drafts_go_to_the_next_window_of_the_year_or_expire(workflow: Workflow) -> None:
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore
    from shared.data.items import ClaimItem

    _setup()
    add_window("w5", CLOSED)
    _claim("60000001", "100001", "1000001", 4)
    _claim("60000002", "100002", "1000002", 4)
    for reference in ("60000001", "60000002"):
        ClaimItem(claim_id=reference).update(
            actions=[
                ClaimItem.status.set(ClaimStatus.DRAFT.value),
                ClaimItem.window_status.set(f"w5#{ClaimStatus.DRAFT.value}"),
            ]
        )
    # Given a later window in the same academic year
    from shared.claims.academic_years import AcademicYear
    from shared.claims.windows import ClaimWindow
    from shared.data.claim_windows import ClaimWindows

    ClaimWindows().put(
        ClaimWindow(
            window_id="w6",
            academic_year=AcademicYear.for_date(CLOSED),
            opens_on=CLOSED + dt.timedelta(days=30),
            closes_on=CLOSED + dt.timedelta(days=60),
        )
    )
    # When w5 closes, its drafts are carried to w6 (nothing in the payment file)
    result = workflow.wait(workflow.start("window-w5-run-1", {"window_id": "w5", "run_id": "window-w5-run-1"}))
    assert result["status"] == "SUCCEEDED", result
    store = ClaimsStore()
    assert {store.get(r).window_id for r in ("60000001", "60000002")} == {"w6"}
    assert store.events("60000001")[-1]["action"] == "carried_to_next_window"


def test_drafts_expire_when_no_window_follows(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.claims.organisations import OrganisationType
    from shared.claims.people import Membership, Role, User
    from shared.claims.statuses import ClaimStatus
    from shared.config import settings
    from shared.data.claims import ClaimsStore
    from shared.data.items import ClaimItem
    from shared.data.users import Members
    from tests.support import queued_emails

    monkeypatch.setenv("EMAIL_QUEUE_URL", workflow.provisioned.environment["EMAIL_QUEUE_URL"])
    settings.cache_clear()
    _setup()
    head = User(user_id="u-100001", first_name="Jo", last_name="Head", email="head@100001.example", role=Role.SCHOOL)
    membership = Membership(
        user_id=head.user_id, organisation_id="100001", organisation_type=OrganisationType.SCHOOL, organisation_name="A"
    )
    Members().add(head, membership, new_user=True)
    add_window("w5", CLOSED)
    _claim("61000001", "100001", "1000001", 4)
    ClaimItem(claim_id="61000001").update(
        actions=[
            ClaimItem.status.set(ClaimStatus.DRAFT.value),
            ClaimItem.window_status.set(f"w5#{ClaimStatus.DRAFT.value}"),
        ]
    )
    result = workflow.wait(workflow.start("window-w5-run-1", {"window_id": "w5", "run_id": "window-w5-run-1"}))
    assert result["status"] == "SUCCEEDED", result
    assert ClaimsStore().get("61000001").status.value == "expired"
    # And the school's users are told the draft expired
    expired = [e for e in queued_emails() if e["kind"] == "draft_expired"]
    assert [(e["to"], e["reference"]) for e in expired] == [("head@100001.example", "61000001")]
