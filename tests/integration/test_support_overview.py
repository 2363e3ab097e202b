"""The Overview at /support: a year's claims and pounds by status, region and provider, and per day, from counters
kept in the claims' own transactions (ADR 0028); the windows, runs, reviews and uploads waiting.

Its figures are for an academic year of its own (2019 to 2020, a window of November and December 2019), so
claims other tests write in the demo data's years do not move them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
from tests.integration.test_payment_run_tasks import dynamodb_requests
from tests.support import NOW, Client

YEAR = "2019 to 2020"
WINDOW = "overview-2019"


def _claim(reference: str, status: str, pence: int, provider: tuple[str, str], region: str, day: int) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType, allowance_id
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import _to_item
    from shared.data.items import AllowanceItem

    trn = f"19{reference[-5:]}"
    submitted = dt.datetime(2019, 11, day, 10, 0, tzinfo=dt.UTC)
    claim = Claim(
        reference=reference,
        school_id=ANNE_WILSON_SCHOOL_URN,
        school_name="Meadowbank Primary School",
        provider_code=provider[0],
        provider_name=provider[1],
        window_id=WINDOW,
        academic_year=AcademicYear(2019),
        status=ClaimStatus(status),
        mentors=(ClaimMentor(trn=trn, first_name="Ada", last_name="Old", hours=1, training_type=TrainingType.INITIAL),),
        region=region,
        hourly_rate_pence=pence,
        amount_pence=pence,
        created_at=submitted,
        submitted_at=submitted,
    )
    _to_item(claim).save()  # as claims written before there were counters
    if claim.status is not ClaimStatus.WITHDRAWN:  # its mentor's hour is counted
        year = AcademicYear(2019)
        AllowanceItem(
            allowance_id=allowance_id(trn, claim.provider_code, year),
            trn=trn,
            provider_code=claim.provider_code,
            academic_year=year.name,
            used=1,
        ).save()


@pytest.fixture(scope="module")
def year_of_claims(seed: object) -> Iterator[list[str]]:
    """A closed window of its own year and five claims written straight into the table (no counters yet)."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.windows import ClaimWindow
    from shared.data.claim_windows import ClaimWindows
    from shared.data.items import ClaimItem, ClaimWindowItem, CountersItem

    window = ClaimWindow(
        window_id=WINDOW,
        academic_year=AcademicYear(2019),
        opens_on=dt.date(2019, 11, 1),
        closes_on=dt.date(2019, 12, 31),
        closed_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    ClaimWindows().put(window)
    nottingham, leeds = ("G56", "University of Nottingham"), ("L27", "Leeds Beckett University")
    claims = [
        ("19000001", "paid", 100_00, nottingham, "Inner London", 4),
        ("19000002", "paid", 200_00, leeds, "Rest of England", 4),
        ("19000003", "submitted", 50_00, nottingham, "Inner London", 5),
        ("19000004", "withdrawn", 70_00, leeds, "Rest of England", 6),
        ("19000005", "support_review", 30_00, leeds, "Fringe", 6),
    ]
    for claim in claims:
        _claim(*claim)
    yield [claim[0] for claim in claims]
    ClaimWindowItem(window_id=WINDOW).delete()
    for claim in claims:
        ClaimItem(claim_id=claim[0]).delete()
    for shard in range(10):
        CountersItem(counter_id=f"{YEAR}#{shard}").delete()


def _table(page: object, caption: str) -> list[list[str]]:
    from bs4 import BeautifulSoup

    soup = page.soup  # type: ignore[attr-defined]
    assert isinstance(soup, BeautifulSoup)
    table = next(t for t in soup.select("table") if (c := t.find("caption")) and c.get_text(strip=True) == caption)
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")] for row in table.select("tbody tr")]


def test_visitors_and_schools_cannot_see_the_overview(client: Client) -> None:
    assert client.get("/support", check=False).status in (302, 303)
    client.sign_in("Anne Wilson")
    assert client.get("/support", check=False).status == 403


def test_the_rebuild_counts_a_years_claims_and_the_overview_shows_them(
    client: Client, year_of_claims: list[str]
) -> None:
    from shared.usecases.support_overview import rebuild_counters

    # Given claims written before there were counters, rebuilt from the listing index
    rebuilt = rebuild_counters(YEAR)
    assert (rebuilt.claims, rebuilt.corrected > 0) == (5, True)
    assert rebuild_counters(YEAR).corrected == 0  # a second rebuild finds nothing to mend
    # When Colin picks the year on the Overview
    client.sign_in("Colin Chapman")
    page = client.get("/support?year=2019+to+2020")
    # Then
    assert page.status == 200
    assert page.h1 == "Support console"
    assert page.soup.select_one("#year option[selected]").get_text(strip=True) == YEAR
    assert "5 claims, £450.00 in all." in page.text()
    assert _table(page, f"Claims and amounts by status, {YEAR}") == [
        ["Submitted", "1", "£50.00"],
        ["Support review", "1", "£30.00"],
        ["Withdrawn", "1", "£70.00"],
        ["Paid", "2", "£300.00"],
    ]
    # Regions and providers count the claimed money: not the withdrawn claim
    assert _table(page, f"Claims and amounts by funding region, {YEAR}") == [
        ["Rest of England", "1", "£200.00"],
        ["Inner London", "2", "£150.00"],
        ["Fringe", "1", "£30.00"],
    ]
    assert _table(page, f"Claims and amounts of the 10 accredited providers with the most, {YEAR}") == [
        ["Leeds Beckett University", "2", "£230.00"],
        ["University of Nottingham", "2", "£150.00"],
    ]
    days = _table(page, f"Claims submitted each day, {YEAR}: 1 November 2019 to 31 December 2019")
    assert len(days) == 61
    assert days[3:6] == [["4 November 2019", "2"], ["5 November 2019", "1"], ["6 November 2019", "2"]]
    # And each figure has its chart, named for assistive technology by its title and summary
    charts = page.soup.select("svg.app-chart[role=img]")
    assert len(charts) == 4
    for chart in charts:
        title, summary = chart["aria-labelledby"].split()
        assert chart.select_one(f"title#{title}") is not None
        assert chart.select_one(f"desc#{summary}").get_text(strip=True)
    status_chart = page.soup.select_one("svg[aria-labelledby^=chart-status]")
    assert "Paid: 2 claims" in status_chart.find("desc").get_text()
    assert len(status_chart.select("rect")) == 4


def test_a_status_change_moves_the_overview_at_once(client: Client, year_of_claims: list[str]) -> None:
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore
    from shared.usecases.support_overview import rebuild_counters

    rebuild_counters(YEAR)
    client.sign_in("Colin Chapman")
    # When the claim in review is rejected through the one status-change path
    store = ClaimsStore()
    store.change_status(store.get("19000005"), ClaimStatus.REJECTED, "support", NOW, "Not eligible")
    page = client.get("/support?year=2019+to+2020")
    # Then it is counted as rejected, and no longer in its region
    statuses = _table(page, f"Claims and amounts by status, {YEAR}")
    assert ["Rejected by support", "1", "£30.00"] in statuses
    assert not any(row[0] == "Support review" for row in statuses)
    regions = _table(page, f"Claims and amounts by funding region, {YEAR}")
    assert not any(row[0] == "Fringe" for row in regions)
    # And a rebuild agrees with the counters
    assert rebuild_counters(YEAR).corrected == 0


def test_the_overview_reads_counters_not_claims(client: Client, year_of_claims: list[str]) -> None:
    client.sign_in("Colin Chapman")
    with dynamodb_requests() as seen:
        page = client.get("/support?year=2019+to+2020")
    assert page.status == 200
    assert seen.calls["Scan"] == 0
    assert seen.calls["BatchGetItem"] == 1  # the year's counter shards
    assert seen.calls["Query"] < 20  # windows, runs, reviews per window, uploads, the accredited providers


def test_the_year_defaults_to_the_current_windows_and_an_unknown_one_is_ignored(
    client: Client, year_of_claims: list[str]
) -> None:
    client.sign_in("Colin Chapman")
    for path in ("/support", "/support?year=nonsense", "/support?year=1999+to+2000"):
        page = client.get(path)
        assert page.status == 200
        assert page.soup.select_one("#year option[selected]").get_text(strip=True) == "2026 to 2027"
    # The form works without JavaScript: a GET to the Overview itself, with a Show button
    form = page.soup.select_one("form[method=get]")
    assert form["action"] == "/support"
    assert form.select_one("label[for=year]").get_text(strip=True) == "Academic year"
    assert form.find("button").get_text(strip=True) == "Show"
    options = [o.get_text(strip=True) for o in form.select("option")]
    assert options[:2] == ["2026 to 2027", "2025 to 2026"]
    assert YEAR in options


def test_the_overview_shows_the_windows_and_what_is_waiting(
    client: Client, year_of_claims: list[str], seed: object
) -> None:
    from shared.data.batches import PaymentRuns
    from shared.data.items import BatchItem
    from tests.integration.test_payer_response import upload_valid

    # Given a run of the year's window in progress, and a payer response Colin uploaded but has not confirmed
    run_id = f"{WINDOW}-run-1"
    PaymentRuns().start(run_id, WINDOW, "person", "user-colin-chapman", NOW, "Colin Chapman")
    client.sign_in("Colin Chapman")
    client.get("/support/payments/upload")  # a page with a form: the session's CSRF token
    upload, _, _ = upload_valid(client, seed, paid=2, unpaid=1)
    try:
        # When he opens the Overview
        page = client.get("/support")
        rows = {
            " ".join(row.select_one("dt").get_text().split()): row.select_one("dd")
            for row in page.soup.select(".govuk-summary-list__row")
        }
        # Then it shows the windows
        assert " ".join(rows["Current claim window"].get_text().split()).startswith("2026 to 2027: ")
        assert rows["Next claim window"].get_text(strip=True)
        # And the run in progress, linking to its page
        assert rows["Payment runs in progress"].find("a", href=f"/support/payments/{run_id}") is not None
        # And his upload waiting to be confirmed, linking to its confirmation
        waiting = rows["Payer responses waiting to be confirmed"]
        link = waiting.find("a", href=upload)
        assert link is not None
        assert "3 rows" in link.get_text()
        assert "by you" in waiting.get_text()
        # And the claims waiting for review, with the oldest
        assert rows["Claims waiting for review"].get_text(strip=True)
        assert rows["Oldest claim waiting for review"].get_text(strip=True)
    finally:
        BatchItem(batch_id=run_id).delete()
        BatchItem(batch_id=upload.rsplit("/", 1)[1]).delete()


def test_the_rebuild_can_be_run_from_the_command_line(
    year_of_claims: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from infrastructure.rebuild_counters import main

    # Given counters that were lost (every shard deleted)
    from shared.data.items import CountersItem

    main([YEAR])
    for shard in range(10):
        CountersItem(counter_id=f"{YEAR}#{shard}").delete()
    # When the command rebuilds the year, twice
    main([YEAR])
    main([YEAR])
    # Then the first run mends them and the second finds nothing to mend
    printed = capsys.readouterr().out.splitlines()
    assert printed[-2].startswith(f"{YEAR}: 5 claims counted, ")
    assert not printed[-2].endswith(" 0 counters corrected")
    assert printed[-1] == f"{YEAR}: 5 claims counted, 0 counters corrected"
    with pytest.raises(SystemExit):
        main([])  # a year is needed
    with pytest.raises(ValueError, match="not an academic year"):
        main(["2026 to 2028"])
