"""Activity at /support/activity: every bulk or setting action newest first, 25 a page across months (ADR 0028),
and the entries the payment run and the payer's response record, once each.

The paging tests write their entries in months no other test writes in (2025), and walk every page from the
newest: entries other tests record (in November 2026, the tests' "now") come first and are passed over.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from infrastructure.local.seed_data import SeedData
from tests.integration.test_payer_response import upload_valid
from tests.support import NOW, Client, Page


def _entry(activity_id: str, at: dt.datetime, kind: str = "eligibility_upload", **fields: Any) -> Any:
    from shared.claims.activity import ActivityEntry, ActivityKind

    return ActivityEntry(
        activity_id=activity_id,
        kind=ActivityKind(kind),
        at=at,
        actor_id="user-colin-chapman",
        actor_name="Colin Chapman",
        **fields,
    )


@pytest.fixture(scope="module")
def months_of_entries(seed: SeedData) -> Iterator[list[str]]:
    """30 entries in June 2025, none in July, 12 in August and 8 in September: 50, newest first."""
    from shared.data.activity import Activity
    from shared.data.items import ActivityItem

    plan = [(dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC), 30), (dt.datetime(2025, 8, 1, 9, tzinfo=dt.UTC), 12)]
    plan.append((dt.datetime(2025, 9, 1, 9, tzinfo=dt.UTC), 8))
    ids: list[str] = []
    for start, count in plan:
        for n in range(count):
            activity_id = f"paging-{start:%Y%m}-{n:02d}"
            Activity().record(_entry(activity_id, start + dt.timedelta(hours=n), summary=activity_id))
            ids.append(activity_id)
    yield list(reversed(ids))
    for activity_id in ids:
        ActivityItem(activity_id=activity_id).delete()


def _rows(page: Page) -> list[list[str]]:
    return [[" ".join(c.get_text().split()) for c in tr.select("td")] for tr in page.soup.select("tbody tr")]


def _link(page: Page, label: str) -> str | None:
    found = page.soup.select_one(f".govuk-pagination__{label} a")
    return str(found["href"]) if found else None


def _paging_ids(page: Page) -> list[str]:
    return re.findall(r"paging-\d{6}-\d\d", " ".join(row[2] for row in _rows(page)))


def test_visitors_and_schools_cannot_see_activity(client: Client) -> None:
    assert client.get("/support/activity", check=False).status in (302, 303)
    client.sign_in("Anne Wilson")
    assert client.get("/support/activity", check=False).status == 403


def test_activity_is_last_in_the_console_navigation(client: Client) -> None:
    client.sign_in("Colin Chapman")
    page = client.get("/support/activity")
    items = [i for i in page.soup.select(".govuk-service-navigation__item") if i.get_text(strip=True) != "Sign out"]
    assert " ".join(items[-1].get_text().split()) == "Activity"
    assert "govuk-service-navigation__item--active" in items[-1]["class"]
    assert items[-1].select_one("a")["href"] == "/support/activity"
    assert page.h1 == "Activity"


def test_pages_of_25_run_newest_first_across_months_and_back(client: Client, months_of_entries: list[str]) -> None:
    client.sign_in("Colin Chapman")
    # When Colin follows Next from the first page to the last
    page = client.get("/support/activity")
    assert _link(page, "prev") is None  # the newest page has nothing newer
    pages = [page]
    while (following := _link(page, "next")) is not None:
        page = client.get(following)
        assert len(_rows(page)) <= 25
        pages.append(page)
    # Then every entry is shown once, newest first, across the months (the empty one skipped)
    seen = [activity_id for p in pages for activity_id in _paging_ids(p)]
    assert seen == months_of_entries
    assert all(len(_rows(p)) == 25 for p in pages[:-1])
    # And Previous from the last page shows the page before it again
    back = client.get(str(_link(pages[-1], "prev")))
    assert _rows(back) == _rows(pages[-2])
    assert _link(back, "next") == _link(pages[-2], "next")


def test_a_cursor_that_is_not_one_shows_the_first_page(client: Client, months_of_entries: list[str]) -> None:
    client.sign_in("Colin Chapman")
    first = client.get("/support/activity")
    for query in ("after=nonsense", "before=2025-13-99%23x", "after=%23", "before="):
        page = client.get(f"/support/activity?{query}")
        assert page.status == 200
        assert _rows(page) == _rows(first)


def test_each_kind_is_shown_with_who_when_what_counts_and_its_link(client: Client, seed: SeedData) -> None:
    from shared.claims.activity import LABELS, ActivityKind
    from shared.data.activity import Activity
    from shared.data.items import ActivityItem

    # Given an entry of every kind on one day of 2025, each with counts and a link
    day = dt.datetime(2025, 12, 2, 16, 5, tzinfo=dt.UTC)
    for n, kind in enumerate(ActivityKind):
        Activity().record(
            _entry(
                f"kinds-{kind.value}",
                day - dt.timedelta(minutes=n),
                kind.value,
                summary=f"Summary of {kind.value}",
                counts={"rows read": 50210, "added": 12},
                link=f"/support/somewhere/{kind.value}",
            )
        )
    try:
        client.sign_in("Colin Chapman")
        rows: list[Any] = []
        page = client.get("/support/activity")
        while True:
            rows += [tr for tr in page.soup.select("tbody tr") if "Summary of" in tr.get_text()]
            following = _link(page, "next")
            if following is None or len(rows) == len(ActivityKind):
                break
            page = client.get(following)
        # Then each is a row: when (in England), who, what (the kind's label and summary), counts, its link
        assert len(rows) == len(ActivityKind)
        for n, (kind, row) in enumerate(zip(ActivityKind, rows, strict=True)):
            cells = [" ".join(c.get_text().split()) for c in row.select("td")]
            at = day - dt.timedelta(minutes=n)  # December: London is on GMT
            assert cells[0] == f"2 December 2025 at {at.hour - 12}:{at.minute:02d}pm"
            assert cells[1] == "Colin Chapman"
            assert cells[2].startswith(LABELS[kind])
            assert cells[2].endswith(f"Summary of {kind.value}")
            assert cells[3] == "50,210 rows read, 12 added"
            assert row.select_one("a")["href"] == f"/support/somewhere/{kind.value}"
    finally:
        for kind in ActivityKind:
            ActivityItem(activity_id=f"kinds-{kind.value}").delete()


def test_a_payment_run_is_recorded_once_when_it_starts_with_who_started_it(seed: SeedData) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.payment_runs import RunTrigger, run_input
    from shared.claims.windows import ClaimWindow
    from shared.data.activity import Activity
    from shared.data.claim_windows import ClaimWindows
    from shared.data.items import ActivityItem, BatchItem, ClaimWindowItem
    from shared.usecases.payment_run_tasks import RunInput, close_window

    window = ClaimWindow(
        window_id="activity-2018",
        academic_year=AcademicYear(2018),
        opens_on=dt.date(2018, 11, 1),
        closes_on=dt.date(2018, 12, 31),
    )
    ClaimWindows().put(window)
    run_id = "activity-2018-run-1"
    try:
        # When Colin's run starts its first step, and the step is retried
        state = RunInput.model_validate(
            run_input(window.window_id, run_id, RunTrigger.PERSON, "user-colin-chapman", "Colin Chapman")
        )
        close_window(state, NOW)
        close_window(state, NOW)
        # Then it is recorded once, as his, linking to the run's page
        entry = Activity().get(f"payment-run-{run_id}")
        assert entry is not None
        assert (entry.label, entry.actor_name, entry.summary, entry.link) == (
            "Payment run",
            "Colin Chapman",
            "Run 1 of the 2018 to 2019 claim window",
            f"/support/payments/{run_id}",
        )
        # And when the run has finished, its entry has what it did
        from shared.usecases.support_activity import record_run_counts, record_run_started

        assert record_run_counts(run_id, 10, 2, 8)
        finished = Activity().get(f"payment-run-{run_id}")
        assert finished is not None
        assert finished.counts == {"claims checked": 10, "flagged": 2, "in the payment file": 8}
        assert not record_run_counts("never-recorded-run-1", 1, 0, 1)  # a run with no entry gets none
        assert Activity().get("payment-run-never-recorded-run-1") is None
        # And a run started by the window's schedule is "Scheduled run"

        assert record_run_started("activity-2018-run-2", "2018 to 2019", RunTrigger.SCHEDULE, "scheduler", "", NOW)
        scheduled = Activity().get("payment-run-activity-2018-run-2")
        assert scheduled is not None
        assert scheduled.actor_name == "Scheduled run"
    finally:
        ClaimWindowItem(window_id=window.window_id).delete()
        BatchItem(batch_id=run_id).delete()
        for activity_id in (f"payment-run-{run_id}", "payment-run-activity-2018-run-2"):
            ActivityItem(activity_id=activity_id).delete()


def test_a_confirmed_payer_response_is_recorded_once_with_its_counts(client: Client, seed: SeedData) -> None:
    from shared.data.activity import Activity
    from shared.data.items import ActivityItem

    client.sign_in("Colin Chapman")
    client.get("/support/payments/upload")  # a page with a form: the session's CSRF token
    path, _, _ = upload_valid(client, seed, paid=3, unpaid=2)
    batch_id = path.rsplit("/", 1)[1]
    # Uploaded but not confirmed: nothing recorded yet
    assert Activity().get(f"payer-response-{batch_id}") is None
    # When Colin confirms it (twice: a double click)
    assert client.post(path).status == 303
    assert client.post(path).status == 303
    entry = Activity().get(f"payer-response-{batch_id}")
    try:
        # Then it is recorded with what it did
        assert entry is not None
        assert (entry.label, entry.actor_name) == ("Payer response uploaded", "Colin Chapman")
        assert entry.counts == {"claims paid": 3, "needing information": 2, "rejected": 0}
        assert entry.link == "/support/payments"  # these claims were put in payment by no run
        page = client.get("/support/activity")
        row = next(tr for tr in page.soup.select("tbody tr") if "Payer response of 5 rows" in tr.get_text())
        assert "3 claims paid, 2 needing information, 0 rejected" in " ".join(row.get_text().split())
    finally:
        ActivityItem(activity_id=f"payer-response-{batch_id}").delete()
