"""A payment run's page, /support/payments/<run id>: each step with its state, times and counts, as the run's
own tasks record them; a Refresh link (and the script that refreshes the progress) only while it is in progress;
the old address moved for good; unknown runs and other users refused."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import NOW, Client, Page

PROVIDER = "R9P"  # a provider code only these tests use
SCHOOL = "931001"  # and a school (with a vendor number: a run never takes a claim whose school has none)
SUMMER = dt.datetime(2026, 6, 15, 8, 5, tzinfo=dt.UTC)  # 9:05am in London (British Summer Time)
STEP_NAMES = [
    "Close the claim window",
    "Check the claims",
    "Support review of flagged claims",
    "Generate the payment file",
    "Reconcile the payment file",
    "Send the payer a link to the file",
]


@pytest.fixture(scope="module")
def school(seed: Any) -> Iterator[None]:
    from shared.claims.organisations import School
    from shared.data.items import OrganisationItem
    from shared.data.organisations import Organisations

    Organisations().put_school(
        School(
            organisation_id=SCHOOL,
            urn=SCHOOL,
            name="Alpha Primary School",
            local_authority_name="Leeds",
            district_admin_code="E08000035",
            vendor_number=f"V{SCHOOL}",
        )
    )
    yield
    OrganisationItem(organisation_id=SCHOOL).delete()  # the support console counts schools


@pytest.fixture
def colin(client: Client, school: None) -> Client:
    client.sign_in("Colin Chapman")
    return client


@pytest.fixture
def windows() -> Iterator[list[str]]:
    """The windows a test adds, removed after it (a closed window left behind would be another test's)."""
    from shared.data.items import ClaimWindowItem

    added: list[str] = []
    yield added
    for window_id in added:
        ClaimWindowItem(window_id=window_id).delete()


def _window(windows: list[str], window_id: str) -> str:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.windows import ClaimWindow
    from shared.data.claim_windows import ClaimWindows

    ClaimWindows().put(
        ClaimWindow(
            window_id=window_id,
            academic_year=AcademicYear.parse("2026 to 2027"),
            opens_on=dt.date(2026, 9, 1),
            closes_on=dt.date(2026, 11, 20),
        )
    )
    windows.append(window_id)
    return window_id


def _ready_claims(window_id: str, base: int, count: int) -> None:
    """Submitted claims that earlier checks passed: ready for this window's next payment file."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import _to_item

    for n in range(count):
        _to_item(
            Claim(
                reference=str(base + n),
                school_id=SCHOOL,
                school_name="Alpha Primary School",
                provider_code=PROVIDER,
                provider_name="Run Page University",
                window_id=window_id,
                academic_year=AcademicYear.parse("2026 to 2027"),
                status=ClaimStatus.SUBMITTED,
                mentors=(
                    ClaimMentor(
                        trn=str(9_100_000 + base % 1000 + n),
                        first_name="Sam",
                        last_name="Mentor",
                        hours=10,
                        training_type=TrainingType.INITIAL,
                    ),
                ),
                region="Rest of England",
                hourly_rate_pence=4380,
                amount_pence=43800,
                created_at=NOW - dt.timedelta(days=30),
                submitted_at=NOW - dt.timedelta(days=30),
                validated_run="an-earlier-run",
            )
        ).save()


def _start(window_id: str, at: dt.datetime) -> Any:
    """The run's first two steps, as the state machine runs them: close the window, check its claims."""
    from shared.claims.payment_runs import RunTrigger
    from shared.usecases.payment_run_tasks import RunInput, RunState, ValidationPage, close_window, plan_validation
    from shared.usecases.payment_run_tasks import validate_page as check_page

    run_id = f"{window_id}-run-1"
    state = close_window(
        RunInput(
            window_id=window_id,
            run_id=run_id,
            trigger=RunTrigger.PERSON,
            started_by="user-colin-chapman",
            started_by_name="Colin Chapman",
        ),
        at,
    )
    planned = plan_validation(state, at + dt.timedelta(minutes=1))
    for bounds in planned["validation_pages"]:  # type: ignore[attr-defined]
        check_page(ValidationPage(window_id=window_id, run_id=run_id, **bounds), at + dt.timedelta(minutes=3))
    return RunState.model_validate({k: v for k, v in planned.items() if k != "validation_pages"})


def _steps(page: Page) -> list[tuple[str, ...]]:
    """(step, state, started, finished, what it counted) for each row of the Steps table."""
    table = page.soup.find(id="run-steps")
    assert table is not None, "no Steps table"
    rows = []
    for row in table.find("tbody").find_all("tr"):
        cells = [" ".join(cell.get_text().split()) for cell in row.find_all(["th", "td"])]
        rows.append(tuple(cells))
    return rows


def _refresh_link(page: Page, run_id: str) -> Any:
    return page.soup.find("a", string="Refresh", href=f"/support/payments/{run_id}")


def test_a_run_waiting_on_review_shows_each_step_in_london_time_and_refreshes(
    colin: Client, windows: list[str]
) -> None:
    from shared.data.batches import PaymentRuns

    # Given a run Colin started on a summer morning, that has checked its claims (two were flagged by then)
    window_id = _window(windows, "rp-review")
    _start(window_id, SUMMER)
    PaymentRuns().add_counts(f"{window_id}-run-1", validated=12, flagged=2)
    # When he opens its page
    page = colin.get(f"/support/payments/{window_id}-run-1")
    assert page.status == 200
    assert page.h1 == f"Payment run {window_id}-run-1"
    # Then each step says where it is, with its times in London time (9:05am BST is 8:05 UTC)
    steps = _steps(page)
    assert [row[0] for row in steps] == STEP_NAMES
    assert steps[0] == (
        "Close the claim window",
        "Done",
        "15 June 2026 at 9:05am",
        "15 June 2026 at 9:05am",
        "",
    )
    assert steps[1][1:4] == ("Done", "15 June 2026 at 9:06am", "15 June 2026 at 9:06am")
    assert steps[1][4] == "12 claims checked, 2 flagged"
    assert steps[2] == (
        "Support review of flagged claims",
        "In progress",
        "15 June 2026 at 9:06am",
        "",
        "2 flagged claims",
    )
    assert [row[1:4] for row in steps[3:]] == [("Not started", "", "")] * 3
    # And who started it, and that the run is still going, with a Refresh link to the page itself
    assert "Started by Colin Chapman" in page.text()
    assert _refresh_link(page, f"{window_id}-run-1") is not None
    region = page.soup.find(id="run-progress")
    assert region["aria-live"] == "polite"
    assert region["data-app-refresh-seconds"] == "5"
    assert region.find(id="run-steps") is not None  # the steps are what refreshes
    # And the refreshing is a script file of its own (the CSP allows inline scripts only with its nonce: the
    # GOV.UK template's), with no meta refresh
    scripts = page.soup.find_all("script")
    assert "/assets/run-progress.mjs" in [tag.get("src") for tag in scripts]
    assert [tag for tag in scripts if not tag.get("src") and not tag.get("nonce")] == []
    assert not any("fetch" in tag.get_text() for tag in scripts if not tag.get("src"))
    assert page.soup.find("meta", attrs={"http-equiv": "refresh"}) is None


def test_a_completed_run_shows_every_step_done_with_its_figures_and_no_refresh(
    colin: Client, windows: list[str]
) -> None:
    from shared.usecases.payer_links import NotifyState, notify_payer
    from shared.usecases.payment_run_tasks import generate_payment_file, reconcile_payment_file

    # Given a run that went all the way, paying two ready claims
    window_id = _window(windows, "rp-done")
    _ready_claims(window_id, 93_000_000, 2)
    state = _start(window_id, NOW)
    state = generate_payment_file(state, NOW + dt.timedelta(minutes=10))
    state = reconcile_payment_file(state, NOW + dt.timedelta(minutes=11))
    notify_payer(NotifyState.model_validate(state.model_dump()), NOW + dt.timedelta(minutes=12))
    # When Colin opens its page
    page = colin.get(f"/support/payments/{window_id}-run-1")
    # Then every step is done, with when it started and finished and what it counted
    steps = _steps(page)
    assert [row[1] for row in steps] == ["Done"] * 6
    assert steps[1][1:] == (
        "Done",
        "28 November 2026 at 10:31am",
        "28 November 2026 at 10:33am",
        "0 claims checked, 0 flagged",
    )
    assert steps[2][1:4] == ("Done", "28 November 2026 at 10:33am", "28 November 2026 at 10:40am")
    assert steps[3][1:] == (
        "Done",
        "28 November 2026 at 10:40am",
        "28 November 2026 at 10:40am",
        "2 claims in the file, £876.00",
    )
    assert steps[4][1:] == (
        "Done",
        "28 November 2026 at 10:41am",
        "28 November 2026 at 10:41am",
        "Passed: 2 rows in the file, 2 claims owned by the run, 2 moved to payment",
    )
    assert steps[5][1:3] == ("Done", "28 November 2026 at 10:41am")
    assert steps[5][3] == "28 November 2026 at 10:42am"
    # And the reconciliation figures and the file, as before
    text = page.text()
    for expected in ("Complete", "Rows in the file 2", "File total £876.00", "Download the payment file"):
        assert expected in text, expected
    # And nothing refreshes a run that has finished
    assert _refresh_link(page, f"{window_id}-run-1") is None
    assert not page.soup.find(id="run-progress").has_attr("data-app-refresh-seconds")
    assert "/assets/run-progress.mjs" not in [tag.get("src") for tag in page.soup.find_all("script")]


def test_a_run_that_failed_generating_its_file_shows_that_step_failed(
    colin: Client, windows: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.usecases import payment_run_tasks

    # Given a run whose file task failed (the state machine's Catch then records the failure)
    window_id = _window(windows, "rp-fail")
    _ready_claims(window_id, 94_000_000, 1)
    state = _start(window_id, NOW)

    def broken(run_id: str, now: dt.datetime) -> Any:
        raise RuntimeError("S3 is unavailable")

    monkeypatch.setattr(payment_run_tasks, "_write_file", broken)
    with pytest.raises(RuntimeError):
        payment_run_tasks.generate_payment_file(state, NOW + dt.timedelta(minutes=10))
    error = {"Error": "RuntimeError", "Cause": "S3 is unavailable"}
    payment_run_tasks.record_failure({**state.model_dump(), "error": error}, NOW + dt.timedelta(minutes=12))
    # When Colin opens its page
    page = colin.get(f"/support/payments/{window_id}-run-1")
    # Then the steps before it are done, the file step failed (when it failed), and the rest never started
    steps = _steps(page)
    assert [row[1] for row in steps] == ["Done", "Done", "Done", "Failed", "Not started", "Not started"]
    assert steps[3][:4] == (
        "Generate the payment file",
        "Failed",
        "28 November 2026 at 10:40am",
        "28 November 2026 at 10:42am",
    )
    assert "This payment run failed: RuntimeError." in page.text()
    # And a failed run is not in progress: no Refresh, but Retry run
    assert _refresh_link(page, f"{window_id}-run-1") is None
    assert page.soup.find("a", string=re.compile("Retry run"), href=f"/support/payments/runs/{window_id}-run-1/retry")


def test_the_run_page_s_address_and_its_old_one(
    colin: Client, apps: dict[str, Any], windows: list[str], configured: dict[str, str]
) -> None:
    # Given a run
    window_id = _window(windows, "rp-urls")
    _start(window_id, NOW)
    run_id = f"{window_id}-run-1"
    # Then the address shows its page, and Payments links to it
    assert colin.get(f"/support/payments/{run_id}").h1 == f"Payment run {run_id}"
    assert colin.get("/support/payments").soup.find("a", string=run_id, href=f"/support/payments/{run_id}")
    # And its old address moves there for good
    moved = colin.get(f"/support/payments/runs/{run_id}")
    assert (moved.status, moved.location) == (301, f"/support/payments/{run_id}")
    # And the pages next to it still answer as they did
    assert colin.get("/support/payments/upload").h1 == "Upload payer response"
    assert colin.get(f"/support/payments/run/{window_id}").h1 == "Run payment now"
    assert colin.get(f"/support/payments/runs/{run_id}/retry").h1 == "You cannot retry this payment run"
    # And a run that does not exist is the GOV.UK not-found page, at either address
    for path in (
        "/support/payments/no-such-run",
        "/support/payments/runs/no-such-run",
        "/support/payments/runs",
        "/support/payments/run",
    ):
        missing = colin.get(path)
        assert missing.status == 404, path
        assert missing.h1 == "Page not found", path
    # And nobody but support sees it, at either address
    anne = Client(web=apps["web"], support=apps["support"])
    anne.sign_in("Anne Wilson")
    for path in (f"/support/payments/{run_id}", f"/support/payments/runs/{run_id}"):
        assert anne.get(path, check=False).status == 403, path
