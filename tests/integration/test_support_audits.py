"""Support → Audits through the support handler under moto (ADR 0031): the list, "Start an audit" (the year,
the sample's preview, "Confirm sample"), what confirming does (claims moved with the audit's id and
deadline, the workflow started by the audit's id, an Activity entry), and the refusals (no year chosen, a
second "Confirm sample", anyone but support).

Paid claims of 2027 to 2028 (a year the demo data has no claims in) are added for each test and removed after.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.support import NOW, REGION, Client

BASE = "/support/audits"
YEAR = "2027"
REFERENCES = ["90000001", "90000002", "90000003"]


@pytest.fixture
def audit_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """What template.yaml gives SupportFunction for audits: the workflow's ARN (a one-state stand-in here:
    tests/workflows/test_audit.py runs the real one)."""
    import functions.support.app as support
    from shared.config import settings

    sfn = boto3.client("stepfunctions", region_name=REGION)
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "*"}]}
    iam = boto3.client("iam", region_name=REGION)
    try:
        role = iam.create_role(RoleName="test-audit", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName="test-audit")["Role"]["Arn"]
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    existing = [m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == "test-audit"]
    arn = (
        existing[0]["stateMachineArn"]
        if existing
        else sfn.create_state_machine(name="test-audit", definition=json.dumps(definition), roleArn=role)[
            "stateMachineArn"
        ]
    )
    monkeypatch.setenv("AUDIT_STATE_MACHINE_ARN", arn)
    settings.cache_clear()
    original = support.app.config
    support.app.config = original.model_copy(update={"audit_state_machine_arn": arn})
    yield arn
    support.app.config = original
    settings.cache_clear()


@pytest.fixture
def paid_claims() -> Iterator[list[str]]:
    """Three paid claims of one school totalling over £5,000 (so all three are sampled), then removed."""
    from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import _to_item
    from shared.data.items import BatchItem, ClaimItem

    submitted = dt.datetime(2027, 10, 1, 10, tzinfo=dt.UTC)
    for number, reference in enumerate(REFERENCES):
        _to_item(
            Claim(
                reference=reference,
                school_id=ANNE_WILSON_SCHOOL_URN,
                school_name="Meadowbank Primary School",
                provider_code="N97",
                provider_name="Sheffield Hallam University",
                window_id="window-2027-to-2028-1",
                academic_year=AcademicYear(2027),
                status=ClaimStatus.PAID,
                mentors=(
                    ClaimMentor(
                        trn=f"300000{number}",
                        first_name="Anne",
                        last_name="Wilson" if number == 0 else f"Other{number}",
                        hours=40,
                        training_type=TrainingType.INITIAL,
                    ),
                ),
                region="Rest of England",
                hourly_rate_pence=5000,
                amount_pence=40 * 5000,
                created_at=submitted,
                submitted_at=submitted,
                submitted_by="user-anne-wilson",
                submitted_by_name="Anne Wilson",
            )
        ).save()
    yield REFERENCES
    for reference in REFERENCES:
        ClaimItem(claim_id=reference).delete()
    for item in BatchItem.by_kind.query("audit"):
        item.delete()


@pytest.fixture
def colin(client: Client, audit_machine: str, paid_claims: list[str]) -> Client:
    client.sign_in("Colin Chapman")
    client.get(f"{BASE}/new")  # a page with a form: his CSRF token
    return client


def _preview(client: Client) -> Any:
    page = client.post(f"{BASE}/new", {"academic_year": YEAR})
    assert page.status == 303, page.text()
    return page.location, client.follow(page)


def test_audits_page_lists_audits_and_offers_to_start_one(colin: Client) -> None:
    # When Colin opens Audits / Then it shows under Claims with "Start an audit"
    page = colin.get(BASE)
    assert (page.status, page.h1) == (200, "Audits")
    assert "There are no audits." in page.text()
    links = {a.get_text(strip=True): a["href"] for a in page.soup.find_all("a")}
    assert links["Start an audit"] == f"{BASE}/new"
    assert links["Audits"] == BASE  # in the Claims section's sub-navigation


def test_no_year_chosen_is_an_error(colin: Client) -> None:
    # When Colin continues without choosing a year / Then the page shows the GOV.UK error, status 200
    page = colin.post(f"{BASE}/new", {})
    assert page.status == 200
    assert "Select an academic year" in page.text()
    assert page.soup.title is not None
    assert page.soup.title.get_text(strip=True).startswith("Error: ")


def test_preview_then_confirm_samples_exactly_what_was_previewed_and_starts_the_workflow(
    colin: Client, audit_machine: str
) -> None:
    from shared.claims.statuses import ClaimStatus
    from shared.data.activity import Activity
    from shared.data.audits import Audits
    from shared.data.items import ClaimItem

    # Given the preview of 2027 to 2028
    check, page = _preview(colin)
    assert page.h1 == "Check the sample"
    text = page.text()
    assert "3 of 3 paid claims" in text
    assert "£6,000.00 of £6,000.00 paid (100.0%)" in text
    assert "School's paid claims total over £5,000" in text
    assert "Seed" in text
    # When Colin confirms it
    done = colin.post(check)
    # Then the claims are under audit, with its id and a deadline 21 days on, and the list says so
    assert (done.status, done.location) == (303, BASE)
    (audit,) = Audits().all()
    assert audit.deadline == dt.date(2026, 12, 19)
    for reference in REFERENCES:
        item = ClaimItem.get(reference)
        assert item.status == ClaimStatus.SAMPLING_IN_PROGRESS.value
        assert (item.audit_id, item.audit_deadline) == (audit.audit_id, "2026-12-19")
    listing = colin.follow(done)
    assert "Audit started: 3 claims sampled" in listing.text()
    assert "90000001" in listing.text()
    assert "Overdue" not in listing.text()
    # And the workflow started, named by the audit's id, and Activity records it
    sfn = boto3.client("stepfunctions", region_name=REGION)
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=audit_machine)["executions"]]
    assert audit.audit_id in names
    entries = Activity().newest(["2026-11"], 50)
    assert any(e.activity_id == f"audit-started-{audit.audit_id}" for e in entries)
    assert "Audit of 2027 to 2028: 3 claims sampled" in colin.get("/support/activity").text()
    # When Colin presses "Confirm sample" again / Then nothing more happens
    again = colin.post(check)
    assert (again.status, again.location) == (303, BASE)
    assert len(Audits().all()) == 1
    assert [e["name"] for e in sfn.list_executions(stateMachineArn=audit_machine)["executions"]].count(
        audit.audit_id
    ) == 1
    assert "Audit started" not in colin.follow(again).text()


def test_claims_past_their_deadline_show_overdue(colin: Client) -> None:
    # Given a confirmed audit
    from shared.usecases.audits import audits_page

    check, _ = _preview(colin)
    colin.post(check)
    # When the list is read after the deadline / Then each claim still waiting is overdue
    rows = audits_page(NOW + dt.timedelta(days=22)).claims
    assert len(rows) == 3
    assert all(row.overdue for row in rows)
    assert not any(row.overdue for row in audits_page(NOW).claims)


def test_each_claim_under_audit_links_to_its_claim(colin: Client) -> None:
    # Given a confirmed audit
    check, _ = _preview(colin)
    colin.post(check)
    # When Colin opens Audits / Then each claim's reference is a link to it, not its markup as text
    page = colin.get(BASE)
    links = {a.get_text(strip=True): a["href"] for a in page.soup.find_all("a")}
    for reference in REFERENCES:
        assert links[reference] == f"/support/claims/{reference}"
    assert "&lt;a" not in page.text()
    assert "<a class" not in page.soup.get_text()


def test_anyone_but_support_is_refused(client: Client, audit_machine: str) -> None:
    # Given Anne, a school user / When she asks for the audit pages / Then she is not authorised
    client.sign_in("Anne Wilson")
    for path in (BASE, f"{BASE}/new"):
        page = client.get(path)
        assert page.status == 403, path


def test_a_claim_that_changed_since_it_was_read_is_skipped_and_the_rest_move(
    client: Client, paid_claims: list[str]
) -> None:
    # Given the three paid claims read, then one of them changed by someone else (its version moved on)
    from shared.claims.statuses import ClaimStatus
    from shared.data.audits import Audits
    from shared.data.claims import AuditMark, ClaimsStore
    from shared.data.items import ClaimItem

    claims = ClaimsStore().get_many(paid_claims, consistent=True)
    ClaimItem(claim_id="90000002").update(actions=[ClaimItem.version.add(1)])

    def requested(reference: str) -> int:  # events of earlier tests' claims with these references are kept
        return sum(1 for e in ClaimsStore().events(reference) if e["action"] == "audit_requested")

    before = {reference: requested(reference) for reference in paid_claims}
    # When the sample is written
    sampled = Audits.sample(claims, AuditMark("audit-x", NOW, dt.date(2026, 12, 19)), "user-colin", NOW)
    # Then the changed claim is skipped, the others move with the audit's mark and an event each
    assert sampled.skipped == ["90000002"]
    assert sorted(claim.reference for claim in sampled.moved) == ["90000001", "90000003"]
    assert ClaimItem.get("90000002").status == ClaimStatus.PAID.value
    assert ClaimItem.get("90000001").audit_id == "audit-x"
    after = {reference: requested(reference) for reference in paid_claims}
    assert {reference: after[reference] - before[reference] for reference in paid_claims} == {
        "90000001": 1,
        "90000002": 0,
        "90000003": 1,
    }


# -- Upload a sample ---------------------------------------------------------------------------------
def test_an_uploaded_sample_with_errors_lists_every_row_and_changes_nothing(colin: Client) -> None:
    from tests.integration.test_payer_response import post_upload

    # Given a file naming a paid claim twice, a claim that does not exist and a row without a reason
    colin.get(f"{BASE}/upload")
    content = b"claim_reference,sample_reason\n90000001,Tip-off\n90000001,Again\n99999999,Random\n90000002,\n"
    # When Colin uploads it / Then every row's problem is listed, status 200, and no claim changed
    page = post_upload(colin, f"{BASE}/upload", content)
    assert (page.status, page.h1) == (200, "Upload a sample")
    text = page.text()
    assert "The selected file has 3 errors" in text
    assert "Remove this row: claim 90000001 is already in row 2" in text
    assert "There is no claim with this reference" in text
    assert "Enter a sample reason" in text
    from shared.data.items import ClaimItem

    assert ClaimItem.get("90000001").status == "paid"


def test_no_file_is_an_error(colin: Client) -> None:
    from tests.integration.test_payer_response import post_upload

    colin.get(f"{BASE}/upload")
    page = post_upload(colin, f"{BASE}/upload", None)
    assert page.status == 200
    assert page.soup.title is not None
    assert page.soup.title.get_text(strip=True).startswith("Error: ")


def test_an_uploaded_sample_is_previewed_then_confirmed_once(colin: Client, audit_machine: str) -> None:
    from shared.data.audits import Audits
    from shared.data.claims import ClaimsStore
    from shared.data.items import ClaimItem
    from tests.integration.test_payer_response import post_upload

    # Given a file of two of the paid claims
    colin.get(f"{BASE}/upload")
    content = b"claim_reference,sample_reason\n90000001,Tip-off from the school\n90000003,Random check\n"
    uploaded = post_upload(colin, f"{BASE}/upload", content)
    assert uploaded.status == 303, uploaded.text()
    # When Colin checks it / Then the preview shows the two claims, their value and the first rows
    page = colin.follow(uploaded)
    assert page.h1 == "Check the sample"
    assert "£4,000.00" in page.text()
    assert "Tip-off from the school" in page.text()
    # When he confirms it, twice / Then those two claims, and only they, are under one audit, the row's reason
    # on each claim's event
    assert colin.post(uploaded.location).location == BASE
    colin.post(uploaded.location)
    (audit,) = Audits().all()
    assert sorted(claim.reference for claim in Audits.claims_of(audit.audit_id)) == ["90000001", "90000003"]
    assert ClaimItem.get("90000002").status == "paid"
    # (the claim's events of earlier tests are kept: find this audit's)
    (event,) = [e for e in ClaimsStore().events("90000001") if (e.get("detail") or {}).get("note")]
    assert event["detail"] == {"sample_reason": "uploaded", "note": "Tip-off from the school"}


def test_confirming_again_starts_a_workflow_whose_first_start_failed(
    colin: Client, audit_machine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.data import executions

    # Given Step Functions refuses the first start, after the claims moved
    real_start = executions.start
    calls = {"n": 0}

    def unavailable_once(name: str, payload: dict[str, Any], machine: str | None = None) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("Step Functions unavailable")
        return real_start(name, payload, machine)

    monkeypatch.setattr(executions, "start", unavailable_once)
    check, _ = _preview(colin)
    first = colin.post(check)
    assert first.status == 500
    from shared.data.audits import Audits

    (audit,) = Audits().all()
    sfn = boto3.client("stepfunctions", region_name=REGION)
    assert audit.audit_id not in [e["name"] for e in sfn.list_executions(stateMachineArn=audit_machine)["executions"]]
    # When Colin presses "Confirm sample" again / Then the audit's workflow starts, and nothing else moves
    again = colin.post(check)
    assert (again.status, again.location) == (303, BASE)
    (audit,) = Audits().all()
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=audit_machine)["executions"]]
    assert names.count(audit.audit_id) == 1
    assert audit.counts["moved"] == 3
