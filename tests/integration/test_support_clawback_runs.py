"""Support → Clawbacks through the support function under moto (ADR 0034): the claims ready for clawback and their
total, "Send clawbacks to the payer" (a named run, started once; refused with a message when nothing waits or a
run is in flight), the runs and a run's page, and the payer's clawback response: every row's error, the check
page, and confirmation (clawback_complete with its event, once; the school's users emailed; the Activity page;
the mentor's hours not given back)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import secrets
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
from shared.claims.statuses import ClaimStatus
from tests.integration.test_payer_response import post_upload
from tests.support import NOW, REGION, Client, queued_emails

RATE = 4380
_references = itertools.count(89_300_001)
_trns = itertools.count(8_930_001)
_runs = itertools.count(1)
HEADER = "claim_reference,claim_status"


@pytest.fixture
def colin(client: Client) -> Client:
    client.sign_in("Colin Chapman")
    return client


@pytest.fixture
def created() -> Iterator[list[str]]:
    """Claims and batch records a test makes, removed afterwards (the tables are shared by the worker's tests)."""
    made: list[str] = []
    yield made
    from shared.data.items import AllowanceItem, BatchItem, ClaimItem

    for key in made:
        for model in (ClaimItem, BatchItem, AllowanceItem):
            try:
                model.get(key).delete()
            except model.DoesNotExist:
                continue


@pytest.fixture
def machine(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """What template.yaml gives SupportFunction: the clawback run's state machine (a one-state stand-in here:
    these tests look at how runs start; tests/workflows at what they do)."""
    from shared.config import settings

    iam = boto3.client("iam", region_name=REGION)
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "*"}]}
    name = f"test-clawback-run-{next(_runs)}-{dt.datetime.now(dt.UTC):%H%M%S%f}"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    arn = str(
        boto3.client("stepfunctions", region_name=REGION).create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=role
        )["stateMachineArn"]
    )
    monkeypatch.setenv("CLAWBACK_RUN_STATE_MACHINE_ARN", arn)
    settings.cache_clear()
    yield arn
    settings.cache_clear()


def _claim(created: list[str], status: ClaimStatus, run_id: str = "pending", clawed_back_hours: int = 4) -> str:
    """A paid, audited claim of Anne Wilson's school whose clawback was approved, in `status`, under `run_id` in
    the clawback index; its mentor's allowance counts the 6 hours claimed."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType, allowance_id
    from shared.claims.audit_answers import ClawbackRequest, MentorClawback
    from shared.claims.claim import Claim, ClaimMentor
    from shared.data.claims import _to_item
    from shared.data.items import AllowanceItem

    reference, trn = str(next(_references)), str(next(_trns))
    claim = Claim(
        reference=reference,
        school_id=ANNE_WILSON_SCHOOL_URN,
        school_name="Clawback Test School",
        provider_code="N97",
        provider_name="Provider N97",
        window_id="w-clawback-test",
        academic_year=AcademicYear(2025),
        status=status,
        mentors=(
            ClaimMentor(trn=trn, first_name="Ada", last_name="Lovelace", hours=6, training_type=TrainingType.INITIAL),
        ),
        region="Rest of England",
        hourly_rate_pence=RATE,
        amount_pence=6 * RATE,
        created_at=NOW - dt.timedelta(days=200),
        submitted_at=NOW - dt.timedelta(days=200),
        clawback=ClawbackRequest(
            mentors=(
                MentorClawback(
                    trn=trn,
                    hours_claimed=6,
                    hours_completed=6 - clawed_back_hours,
                    hours_clawed_back=clawed_back_hours,
                    hourly_rate_pence=RATE,
                ),
            ),
            requested_by="user-colin-chapman",
            requested_by_name="Colin Chapman",
            requested_at=NOW - dt.timedelta(days=3),
            decided_by="user-sam-brooks",
            decided_by_name="Sam Brooks",
            decided_at=NOW - dt.timedelta(days=2),
        ),
        clawback_run_id=run_id,
    )
    _to_item(claim).save()
    key = allowance_id(trn, "N97", AcademicYear(2025))
    AllowanceItem(allowance_id=key, trn=trn, provider_code="N97", academic_year="2025", used=6).save()
    created += [reference, key]
    return reference


def _sent_run(created: list[str], claims: int = 2) -> tuple[str, list[str]]:
    """A clawback run that sent `claims` claims to the payer (clawback_in_progress, owned by it)."""
    from shared.claims.clawback_runs import ClawbackRunStatus, ClawbackTrigger
    from shared.data.clawback_runs import ClawbackRuns

    run_id = f"clawback-20261207T07{next(_runs) % 10000:04d}Z-{secrets.token_hex(4)}"
    runs = ClawbackRuns()
    runs.start(run_id, ClawbackTrigger.PERSON, "user-colin-chapman", "Colin Chapman", NOW)
    references = [_claim(created, ClaimStatus.CLAWBACK_IN_PROGRESS, run_id) for _ in range(claims)]
    assert runs.record_file(
        run_id, f"clawback-runs/{run_id}/clawbacks-claims.csv", "ab" * 32, claims, claims * 4 * RATE
    )
    assert runs.finish(run_id, ClawbackRunStatus.COMPLETED, NOW)
    created.append(run_id)
    return run_id, references


def _ready(page: Any) -> tuple[int, str]:
    cells = [dd.text.strip() for dd in page.soup.select("#ready .govuk-summary-list__value")]
    return int(cells[0].split()[0].replace(",", "")), cells[1]


def _status(reference: str) -> ClaimStatus:
    from shared.data.claims import ClaimsStore

    return ClaimsStore().get(reference).status


def _executions(machine: str) -> list[str]:
    listed = boto3.client("stepfunctions", region_name=REGION).list_executions(stateMachineArn=machine)
    return [execution["name"] for execution in listed["executions"]]


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


# -- the Clawbacks page ---------------------------------------------------------------------------------------
def test_the_clawbacks_page_counts_the_claims_ready_for_clawback_and_their_total(
    colin: Client, created: list[str]
) -> None:
    before, _ = _ready(colin.get("/support/clawbacks"))
    _claim(created, ClaimStatus.CLAWBACK_REQUESTED, clawed_back_hours=4)
    _claim(created, ClaimStatus.CLAWBACK_REQUESTED, clawed_back_hours=2)
    page = colin.get("/support/clawbacks")
    assert page.status == 200
    assert page.h1 == "Clawbacks"
    count, total = _ready(page)
    assert count == before + 2
    assert total.startswith("£")
    assert page.soup.select_one("button#send").text.strip() == "Send clawbacks to the payer"
    # And Clawbacks is in the support navigation, under Claims
    nav = {a.text.strip(): a.get("href") for a in page.soup.select(".app-sub-navigation a")}
    assert nav["Clawbacks"] == "/support/clawbacks"
    assert page.soup.select_one(".app-sub-navigation a[aria-current='page']").text.strip() == "Clawbacks"


def test_the_total_is_the_sum_of_the_waiting_clawbacks(
    colin: Client, created: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.usecases import support_clawbacks

    first = _claim(created, ClaimStatus.CLAWBACK_REQUESTED, clawed_back_hours=4)
    second = _claim(created, ClaimStatus.CLAWBACK_REQUESTED, clawed_back_hours=2)
    from shared.data.clawback_runs import get_claims

    mine = get_claims([first, second])
    monkeypatch.setattr(support_clawbacks, "pending_claims", lambda: iter([mine]))
    count, total = _ready(colin.get("/support/clawbacks"))
    assert (count, total) == (2, "£262.80")  # 4 and 2 hours at £43.80


def test_send_clawbacks_starts_the_named_run_once(colin: Client, created: list[str], machine: str) -> None:
    _claim(created, ClaimStatus.CLAWBACK_REQUESTED)
    page = colin.get("/support/clawbacks")
    run_id = page.soup.select_one("input[name='run_id']")["value"]
    # When Colin presses the button, then presses it again on the same page
    sent = colin.post("/support/clawbacks", {"run_id": run_id})
    again = colin.post("/support/clawbacks", {"run_id": run_id})
    # Then the run named by the page started once, with who started it
    assert (sent.status, sent.location) == (303, "/support/clawbacks")
    assert again.status == 303
    execution = f"{machine.replace(':stateMachine:', ':execution:', 1)}:{run_id}"
    found = boto3.client("stepfunctions", region_name=REGION).describe_execution(executionArn=execution)
    assert json.loads(found["input"]) == {
        "run_id": run_id,
        "trigger": "person",
        "started_by": "user-colin-chapman",
        "started_by_name": "Colin Chapman",
    }
    listed = boto3.client("stepfunctions", region_name=REGION).list_executions(stateMachineArn=machine)["executions"]
    assert [e["name"] for e in listed] == [run_id]
    banner = colin.get("/support/clawbacks").soup.select_one(".govuk-notification-banner")
    assert banner is not None
    assert f"Clawback run {run_id} had already been started" in banner.text


def test_send_clawbacks_needs_the_csrf_token_and_a_run_name_from_the_page(
    colin: Client, created: list[str], machine: str
) -> None:
    _claim(created, ClaimStatus.CLAWBACK_REQUESTED)
    page = colin.get("/support/clawbacks")
    run_id = page.soup.select_one("input[name='run_id']")["value"]
    assert colin.post("/support/clawbacks", {"run_id": run_id}, csrf=False).status == 403
    assert colin.request("POST", "/support/clawbacks", {"run_id": "x", "csrf_token": colin.csrf_token()}).status == 404
    listed = boto3.client("stepfunctions", region_name=REGION).list_executions(stateMachineArn=machine)["executions"]
    assert listed == []


def test_send_clawbacks_is_refused_while_a_run_is_in_flight(colin: Client, created: list[str], machine: str) -> None:
    from shared.claims.clawback_runs import ClawbackTrigger
    from shared.data.clawback_runs import ClawbackRuns

    _claim(created, ClaimStatus.CLAWBACK_REQUESTED)
    ClawbackRuns().start("clawback-20261207T065959Z-0f0f0f0f", ClawbackTrigger.SCHEDULE, "scheduler", "", NOW)
    created.append("clawback-20261207T065959Z-0f0f0f0f")
    assert ClawbackRuns().take_lock("clawback-20261207T065959Z-0f0f0f0f", NOW)
    try:
        page = colin.get("/support/clawbacks")
        assert "Clawback run clawback-20261207T065959Z-0f0f0f0f is in progress" in page.text()
        run_id = page.soup.select_one("input[name='run_id']")["value"]
        refused = colin.post("/support/clawbacks", {"run_id": run_id})
    finally:
        ClawbackRuns().release_lock("clawback-20261207T065959Z-0f0f0f0f")
    assert refused.status == 200
    summary = [a.text.strip() for a in refused.soup.select(".govuk-error-summary a")]
    assert summary == ["A clawback run is in progress. Wait for it to finish before sending clawbacks to the payer"]
    assert refused.soup.select_one(".govuk-error-summary a")["href"] == "#send"
    assert (
        boto3.client("stepfunctions", region_name=REGION).list_executions(stateMachineArn=machine)["executions"] == []
    )


def test_send_clawbacks_is_refused_when_nothing_is_ready(
    colin: Client, machine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.usecases import support_clawbacks

    monkeypatch.setattr(support_clawbacks, "pending_claims", lambda: iter([]))
    page = colin.get("/support/clawbacks")
    run_id = page.soup.select_one("input[name='run_id']")["value"]
    refused = colin.post("/support/clawbacks", {"run_id": run_id})
    assert refused.status == 200
    assert [a.text.strip() for a in refused.soup.select(".govuk-error-summary a")] == [
        "There are no claims ready for clawback"
    ]
    assert (
        boto3.client("stepfunctions", region_name=REGION).list_executions(stateMachineArn=machine)["executions"] == []
    )


def test_a_school_user_may_not_see_clawbacks(client: Client) -> None:
    client.sign_in("Anne Wilson")
    assert client.get("/support/clawbacks").status == 403


# -- a run ------------------------------------------------------------------------------------------------------
def test_the_runs_are_listed_and_a_run_page_shows_its_claims_file_and_the_upload(
    colin: Client, created: list[str]
) -> None:
    run_id, references = _sent_run(created)
    page = colin.get("/support/clawbacks")
    links = [a.get("href") for a in page.soup.select("#runs a")]
    assert f"/support/clawbacks/{run_id}" in links
    row = next(tr for tr in page.soup.select("#runs tbody tr") if run_id in tr.text)
    cells = [td.text.strip() for td in row.select("td")]
    assert cells[1:4] == ["2", "£350.40", "Sent to payer"]
    run = colin.get(f"/support/clawbacks/{run_id}")
    assert run.status == 200
    assert run.h1 == f"Clawback run {run_id}"
    listed = [a.text.strip() for a in run.soup.select("#run-claims a")]
    assert listed == sorted(references)
    assert "ab" * 32 in run.text()
    upload = run.soup.select_one(f"a.govuk-button[href='/support/clawbacks/{run_id}/upload']")
    assert upload is not None
    assert upload.text.strip() == "Upload clawback response"


def test_an_unknown_run_is_not_found(colin: Client) -> None:
    assert colin.get("/support/clawbacks/clawback-20261207T070000Z-deadbeef", check=False).status == 404
    assert colin.get("/support/clawbacks/not-a-run", check=False).status == 404


# -- the payer's clawback response ----------------------------------------------------------------------------
def test_every_row_error_is_shown_and_nothing_changes(colin: Client, created: list[str]) -> None:
    run_id, (first, second) = _sent_run(created)
    other = _claim(created, ClaimStatus.CLAWBACK_REQUESTED)
    colin.get(f"/support/clawbacks/{run_id}/upload")
    content = _csv(
        f"{first},paid", "99999999,clawback_complete", f"{other},clawback_complete", f"{first},clawback_complete"
    )
    page = post_upload(colin, f"/support/clawbacks/{run_id}/upload", content)
    assert page.status == 200
    assert page.h1 == "Upload clawback response"
    assert [a.text.strip() for a in page.soup.select(".govuk-error-summary a")] == [
        "Fix the 4 errors in the selected file and upload it again"
    ]
    rows = [[td.text.strip() for td in tr.select("td")] for tr in page.soup.select("#row-errors tbody tr")]
    assert [row[-1] for row in rows] == [
        "Claim status must be clawback_complete",
        "Enter a valid claim reference",
        f"Claim {other} was not sent to the payer in this clawback",
        f"Remove this row: claim {first} is already in row 2",
    ]
    assert _status(first) is _status(second) is ClaimStatus.CLAWBACK_IN_PROGRESS


def test_a_file_without_the_columns_is_refused(colin: Client, created: list[str]) -> None:
    run_id, _ = _sent_run(created, claims=1)
    colin.get(f"/support/clawbacks/{run_id}/upload")
    page = post_upload(colin, f"/support/clawbacks/{run_id}/upload", b"reference,status\n1,2\n")
    assert [a.text.strip() for a in page.soup.select(".govuk-error-summary a")] == [
        "The selected file must have the columns claim_reference and claim_status"
    ]
    assert post_upload(colin, f"/support/clawbacks/{run_id}/upload", None).soup.select_one(".govuk-error-summary")


def test_the_response_is_checked_then_confirmed_once_emailing_the_school(colin: Client, created: list[str]) -> None:
    from shared.data.activity import Activity
    from shared.data.claims import ClaimsStore
    from shared.data.items import AllowanceItem

    run_id, (first, second) = _sent_run(created)
    queued_emails()  # what other tests left on the queue
    # When the payer's file names the first claim only
    colin.get(f"/support/clawbacks/{run_id}/upload")
    uploaded = post_upload(colin, f"/support/clawbacks/{run_id}/upload", _csv(f"{first},Clawback_Complete"))
    assert uploaded.status == 303
    assert uploaded.location.startswith(f"/support/clawbacks/{run_id}/upload/")
    batch_id = uploaded.location.rsplit("/", 1)[1]
    created.append(batch_id)
    check = colin.get(uploaded.location)
    assert check.h1 == "Check the clawback response"
    counts = [dd.text.strip() for dd in check.soup.select("#counts .govuk-summary-list__value")]
    assert counts == ["1 claim", "£175.20", "1"]
    assert _status(first) is ClaimStatus.CLAWBACK_IN_PROGRESS  # nothing changes before it is confirmed
    # And Colin confirms it, twice
    done = colin.post(uploaded.location)
    again = colin.post(uploaded.location)
    assert (done.status, done.location) == (303, f"/support/clawbacks/{run_id}")
    assert again.status == 303
    # Then the first claim's clawback is complete, once, with its event; the second is still with the payer
    assert _status(first) is ClaimStatus.CLAWBACK_COMPLETE
    assert _status(second) is ClaimStatus.CLAWBACK_IN_PROGRESS
    actions = [event["action"] for event in ClaimsStore().events(first)]
    assert actions.count("clawback_completed") == 1
    # And the mentor's hours are not given back
    claim = ClaimsStore().get(first)
    from shared.claims.allowance import allowance_id

    assert AllowanceItem.get(allowance_id(claim.mentors[0].trn, "N97", claim.academic_year)).used == 6
    # And each of the school's users was emailed once, with the amount clawed back
    emails = [e for e in queued_emails() if e["kind"] == "claim_clawback_complete" and e["reference"] == first]
    assert emails
    assert len({e["to"] for e in emails}) == len(emails)
    assert "£175.20" in emails[0]["body"]
    # And the run page says so, once, and the Activity page has the upload
    page = colin.get(f"/support/clawbacks/{run_id}")
    banner = page.soup.select_one(".govuk-notification-banner")
    assert banner is not None
    assert "1 clawback complete" in banner.text
    entry = Activity().get(f"clawback-response-{batch_id}")
    assert entry is not None
    assert entry.counts == {"clawbacks complete": 1, "not changed": 0}


def test_another_support_user_cannot_open_or_confirm_an_upload(
    colin: Client, created: list[str], apps: dict[str, Any]
) -> None:
    run_id, (first, _) = _sent_run(created)
    colin.get(f"/support/clawbacks/{run_id}/upload")
    uploaded = post_upload(colin, f"/support/clawbacks/{run_id}/upload", _csv(f"{first},clawback_complete"))
    created.append(uploaded.location.rsplit("/", 1)[1])
    sam = Client(web=apps["web"], support=apps["support"])
    sam.sign_in("Sam Brooks")
    assert sam.get(uploaded.location, check=False).status == 404
    sam.get("/support/clawbacks")
    assert sam.post(uploaded.location).status == 404
    assert _status(first) is ClaimStatus.CLAWBACK_IN_PROGRESS


def test_a_run_that_sent_nothing_takes_no_response(colin: Client, created: list[str]) -> None:
    from shared.claims.clawback_runs import ClawbackRunStatus, ClawbackTrigger
    from shared.data.clawback_runs import ClawbackRuns

    run_id = "clawback-20261207T070000Z-0000aaaa"
    ClawbackRuns().start(run_id, ClawbackTrigger.SCHEDULE, "scheduler", "", NOW)
    ClawbackRuns().finish(run_id, ClawbackRunStatus.NO_CLAIMS, NOW)
    created.append(run_id)
    page = colin.get(f"/support/clawbacks/{run_id}")
    assert "No claims were ready for clawback" in page.text()
    assert page.soup.select_one("a.govuk-button[href$='/upload']") is None
    assert colin.get(f"/support/clawbacks/{run_id}/upload", check=False).status == 404


def test_a_confirmation_that_stopped_part_way_is_finished_never_twice(colin: Client, created: list[str]) -> None:
    from shared.data.claims import ClaimsStore
    from shared.data.clawback_runs import ClawbackResponses

    run_id, (first, second) = _sent_run(created)
    colin.get(f"/support/clawbacks/{run_id}/upload")
    uploaded = post_upload(
        colin, f"/support/clawbacks/{run_id}/upload", _csv(f"{first},clawback_complete", f"{second},clawback_complete")
    )
    batch_id = uploaded.location.rsplit("/", 1)[1]
    created.append(batch_id)
    # Given the confirmation claimed the upload and completed the first claim, then stopped (a timeout, say)
    assert ClawbackResponses().start_applying(batch_id)
    store = ClaimsStore()
    from shared.data.claims import StatusChange

    store.apply(
        StatusChange(store.get(first), ClaimStatus.CLAWBACK_COMPLETE, "part-way", clawback_owned_by=run_id),
        "user-colin-chapman",
        NOW,
    )
    # When Colin opens the upload again / Then the page offers to finish it
    page = colin.get(uploaded.location)
    assert page.h1 == "Finish updating the claims in this clawback response"
    # And finishing completes the second claim only: the first is not completed twice
    done = colin.post(uploaded.location)
    assert done.status == 303
    assert _status(second) is ClaimStatus.CLAWBACK_COMPLETE
    actions = [event["action"] for event in store.events(first)]
    assert actions.count("clawback_completed") == 1
    assert colin.get(uploaded.location).status == 303  # confirmed: back to the run


def test_a_failed_run_that_still_owns_claims_offers_retry_run_and_starts_it_once(
    colin: Client, created: list[str], machine: str
) -> None:
    from shared.claims.clawback_runs import ClawbackRunStatus, ClawbackTrigger
    from shared.data.clawback_runs import ClawbackRuns

    # Given a run failed after its claims moved to the payer (its email was never sent)
    run_id = f"clawback-20261207T080000Z-{secrets.token_hex(4)}"
    runs = ClawbackRuns()
    runs.start(run_id, ClawbackTrigger.PERSON, "user-colin-chapman", "Colin Chapman", NOW)
    created.append(run_id)
    _claim(created, ClaimStatus.CLAWBACK_IN_PROGRESS, run_id)
    runs.record_failure(run_id, "TransientError", "payer emails were not queued", NOW)
    # When Colin opens it / Then it offers "Retry run"
    page = colin.get(f"/support/clawbacks/{run_id}")
    assert "retry the run to finish sending them" in page.text()
    form = page.soup.select_one(f"form[action='/support/clawbacks/{run_id}/retry']")
    assert form is not None
    assert form.select_one("button").text.strip() == "Retry run"
    # And retrying starts the run's first retry, once
    assert colin.post(f"/support/clawbacks/{run_id}/retry").status == 303
    assert colin.post(f"/support/clawbacks/{run_id}/retry").status == 303
    assert _executions(machine) == [f"{run_id}-retry-1"]
    run = runs.get(run_id)
    assert run is not None
    assert (run.status, run.attempts, run.retried_by) == (ClawbackRunStatus.RUNNING, 1, "Colin Chapman")
    banner = colin.get(f"/support/clawbacks/{run_id}").soup.select_one(".govuk-notification-banner")
    assert banner is not None
    assert "had already been retried" in banner.text


def test_a_failed_run_whose_claims_were_given_back_is_not_retried(colin: Client, created: list[str]) -> None:
    from shared.claims.clawback_runs import ClawbackTrigger
    from shared.data.clawback_runs import ClawbackRuns

    run_id = f"clawback-20261207T080000Z-{secrets.token_hex(4)}"
    ClawbackRuns().start(run_id, ClawbackTrigger.PERSON, "user-colin-chapman", "Colin Chapman", NOW)
    created.append(run_id)
    ClawbackRuns().record_failure(run_id, "RuntimeError", "S3 is down", NOW)
    page = colin.get(f"/support/clawbacks/{run_id}")
    assert "Its claims wait for the next run" in page.text()
    assert page.soup.select_one("form[action$='/retry']") is None
    assert colin.post(f"/support/clawbacks/{run_id}/retry").status == 404
