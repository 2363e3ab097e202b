"""Support → Claim windows through the support handler under moto: pages, rules, schedules, close now.

The demo data (today 28 November 2026) has two windows: 1 May to 30 June 2026 for 2025 to 2026
(closed) and 8 November 2026 to 12 January 2027 for 2026 to 2027 (open). Windows added here are
removed again, with their schedules, after each test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import boto3
import pytest

from shared.claims.academic_years import LONDON
from tests.support import NOW, REGION, Client

BASE = "/support/claim-windows"
GROUP = "test-claim-windows"
PREVIOUS = "window-2025-to-2026-1"  # closed
CURRENT = "window-2026-to-2027-1"  # open
UNIVERSAL_TARGET = "arn:aws:scheduler:::aws-sdk:sfn:startExecution"


@pytest.fixture
def colin(client: Client, configured: dict[str, str]) -> Client:
    client.sign_in("Colin Chapman")
    client.get(f"{BASE}/new")  # a page with a form: his CSRF token
    return client


# -- helpers --------------------------------------------------------------------------------------------
def _dates(opens: dt.date | None, closes: dt.date | None, year: str | None) -> dict[str, str]:
    data: dict[str, str] = {}
    for name, day in (("opens_on", opens), ("closes_on", closes)):
        if day is not None:
            data.update({f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)})
    if year is not None:
        data["academic_year"] = year
    return data


def _add(client: Client, opens: dt.date, closes: dt.date, year: str = "2026") -> str:
    """Add a window through the pages; its id."""
    client.get(f"{BASE}/new")
    check = client.post(f"{BASE}/new", _dates(opens, closes, year))
    assert check.status == 303, check.text()
    assert client.follow(check).h1 == "Check your answers"
    saved = client.post(check.location)
    assert (saved.status, saved.location) == (303, BASE)
    from shared.data.claim_windows import ClaimWindows

    return next(w.window_id for w in ClaimWindows().all() if (w.opens_on, w.closes_on) == (opens, closes))


def _schedule(window_id: str) -> dict[str, Any] | None:
    scheduler = boto3.client("scheduler", region_name=REGION)
    try:
        found: dict[str, Any] = scheduler.get_schedule(Name=f"close-{window_id}", GroupName=GROUP)
    except scheduler.exceptions.ResourceNotFoundException:
        return None
    return found


def _errors(page: Any) -> list[str]:
    return [" ".join(a.get_text().split()) for a in page.soup.select(".govuk-error-summary a")]


def _rows(page: Any) -> list[list[str]]:
    return [[" ".join(c.get_text().split()) for c in row.find_all("td")] for row in page.soup.select("tbody tr")]


# -- list -----------------------------------------------------------------------------------------------
def test_the_list_shows_every_window_newest_first(colin: Client) -> None:
    page = colin.get(BASE)
    assert page.status == 200
    assert page.h1 == "Claim windows"
    # Claim windows are a setting: the header shows Settings as current
    assert page.soup.select_one(".govuk-service-navigation__item--active").get_text(strip=True) == "Settings"
    assert page.soup.find("a", string=re.compile("Add claim window"))["href"] == f"{BASE}/new"
    rows = _rows(page)
    assert [row[:4] for row in rows[:2]] == [
        ["2026 to 2027", "8 November 2026", "12 January 2027", "Open"],
        ["2025 to 2026", "1 May 2026", "30 June 2026", "Closed"],
    ]
    # The open window can be changed, the closed one only viewed
    assert rows[0][4].startswith("View")
    assert "Change" in rows[0][4]
    assert "Change" not in rows[1][4]


def test_the_navigation_leads_to_claim_windows_through_settings(colin: Client) -> None:
    page = colin.get("/support")
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("a.govuk-service-navigation__link")}
    assert links["Settings"] == "/support/settings"
    settings = colin.get(links["Settings"])
    assert settings.soup.find("a", string="Claim windows")["href"] == BASE


# -- add ------------------------------------------------------------------------------------------------
def test_adding_a_window_schedules_its_close(colin: Client, configured: dict[str, str]) -> None:
    # Given the add form, which offers the previous, current and next academic years
    form = colin.get(f"{BASE}/new")
    assert form.h1 == "Add claim window"
    labels = [" ".join(label.get_text().split()) for label in form.soup.select(".govuk-radios__label")]
    assert labels == ["2025 to 2026", "2026 to 2027", "2027 to 2028"]
    # When Colin enters 1 May to 19 July 2027 for 2026 to 2027
    check = colin.post(f"{BASE}/new", _dates(dt.date(2027, 5, 1), dt.date(2027, 7, 19), "2026"))
    assert check.status == 303
    # Then check your answers shows them, the close at 11:59pm
    page = colin.follow(check)
    assert page.h1 == "Check your answers"
    assert "Academic year 2026 to 2027" in page.text()
    assert "Opens on 1 May 2027" in page.text()
    assert "Closes on 19 July 2027 at 11:59pm" in page.text()
    assert page.soup.find("button", string=re.compile("Save claim window"))
    # When he saves it
    saved = colin.post(check.location)
    assert (saved.status, saved.location) == (303, BASE)
    listing = colin.follow(saved)
    # Then the list says so and shows it first, upcoming
    assert "Claim window added" in listing.soup.select_one(".govuk-notification-banner").get_text()
    assert _rows(listing)[0][:4] == ["2026 to 2027", "1 May 2027", "19 July 2027", "Upcoming"]
    # And its one-time schedule starts the workflow at 23:59:59 London time on the close date
    schedule = _schedule("window-2026-to-2027-2")
    assert schedule is not None
    assert schedule["ScheduleExpression"] == "at(2027-07-19T23:59:59)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/London"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["State"] == "ENABLED"
    target = schedule["Target"]
    assert target["Arn"] == UNIVERSAL_TARGET
    assert target["RoleArn"] == configured["SCHEDULER_ROLE_ARN"]
    assert target["DeadLetterConfig"] == {"Arn": configured["SCHEDULE_DEAD_LETTER_QUEUE_ARN"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 5
    request = json.loads(target["Input"])
    assert request == {
        "StateMachineArn": configured["CLAIM_WINDOW_STATE_MACHINE_ARN"],
        "Name": "window-2026-to-2027-2-run-1",
        "Input": request["Input"],
    }
    assert json.loads(request["Input"]) == {
        "window_id": "window-2026-to-2027-2",
        "run_id": "window-2026-to-2027-2-run-1",
        "trigger": "schedule",
        "started_by": "scheduler",
    }
    # And a second click on "Save claim window" adds nothing more
    again = colin.post(check.location)
    assert (again.status, again.location) == (303, BASE)
    assert sum(row[1] == "1 May 2027" for row in _rows(colin.get(BASE))) == 1


def test_a_window_closing_in_winter_is_scheduled_in_greenwich_mean_time(colin: Client) -> None:
    window_id = _add(colin, dt.date(2027, 9, 1), dt.date(2027, 12, 17), "2027")
    schedule = _schedule(window_id)
    assert schedule["ScheduleExpression"] == "at(2027-12-17T23:59:59)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/London"


def test_change_from_check_your_answers_returns_there(colin: Client) -> None:
    check = colin.post(f"{BASE}/new", _dates(dt.date(2027, 5, 1), dt.date(2027, 7, 19), "2026"))
    journey = check.location.removesuffix("/check")
    page = colin.follow(check)
    changes = [a["href"] for a in page.soup.select("main a") if a.get_text().startswith("Change")]
    assert changes == [journey] * 3
    form = colin.get(journey)
    assert form.soup.find("input", attrs={"name": "closes_on-day"})["value"] == "19"
    changed = colin.post(journey, _dates(dt.date(2027, 5, 1), dt.date(2027, 7, 12), "2026"))
    assert changed.location == check.location
    assert "Closes on 12 July 2027 at 11:59pm" in colin.follow(changed).text()


OVERLAP_OPENS = "Select a date the window opens that is not within an existing claim window"
OVERLAP_CLOSES = "Select a date the window closes that is not within an existing claim window"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {},
            ["Enter the date the window opens", "Enter the date the window closes", "Select an academic year"],
        ),
        (
            {"opens_on-day": "1", "opens_on-year": "2027", **_dates(None, dt.date(2027, 7, 19), "2026")},
            ["The date the window opens must include a month"],
        ),
        (
            {**_dates(dt.date(2027, 5, 1), None, "2026"), "closes_on-day": "31", "closes_on-month": "2"}
            | {"closes_on-year": "2027"},
            ["The date the window closes must be a real date"],
        ),
        (
            _dates(dt.date(2027, 7, 19), dt.date(2027, 5, 1), "2026"),
            ["The date the window closes must be after the date it opens"],
        ),
        (_dates(dt.date(2026, 12, 1), dt.date(2027, 3, 1), "2026"), [OVERLAP_OPENS]),
        (_dates(dt.date(2026, 10, 1), dt.date(2026, 11, 20), "2026"), [OVERLAP_CLOSES]),
        (
            _dates(dt.date(2026, 10, 1), dt.date(2027, 3, 1), "2026"),
            ["Select dates that do not include an existing claim window (8 November 2026 to 12 January 2027)"],
        ),
        (
            _dates(dt.date(2027, 9, 1), dt.date(2027, 10, 31), "2025"),
            ["Select an academic year that starts between 1 September 2026 and 1 September 2027"],
        ),
        (_dates(dt.date(2027, 5, 1), dt.date(2027, 7, 19), "2019"), ["Select an academic year"]),
    ],
)
def test_each_problem_is_shown_with_the_form(colin: Client, data: dict[str, str], expected: list[str]) -> None:
    colin.get(f"{BASE}/new")
    page = colin.post(f"{BASE}/new", data)
    assert page.status == 200
    assert page.soup.title.get_text(strip=True).startswith("Error: Add claim window")
    assert _errors(page) == expected
    # And what was typed is shown back
    if "opens_on-day" in data:
        assert page.soup.find("input", attrs={"name": "opens_on-day"})["value"] == data["opens_on-day"]


def test_the_form_needs_a_csrf_token(colin: Client) -> None:
    page = colin.post(f"{BASE}/new", _dates(dt.date(2027, 5, 1), dt.date(2027, 7, 19), "2026"), csrf=False)
    assert page.status == 403


# -- change ---------------------------------------------------------------------------------------------
def test_changing_a_window_updates_its_schedule(colin: Client) -> None:
    # Given an upcoming window
    window_id = _add(colin, dt.date(2027, 5, 1), dt.date(2027, 7, 19))
    details = colin.get(f"{BASE}/{window_id}")
    assert details.h1 == "Claim window for 2026 to 2027"
    assert "Closes automatically Yes, at 19 July 2027 at 11:59pm" in details.text()
    # When Colin changes its close date (its own dates do not count as an overlap)
    form = colin.get(f"{BASE}/{window_id}/edit")
    assert form.h1 == "Change claim window"
    assert form.soup.find("input", attrs={"name": "opens_on-month"})["value"] == "5"
    assert form.soup.find("input", attrs={"name": "academic_year", "checked": True})["value"] == "2026"
    check = colin.post(f"{BASE}/{window_id}/edit", _dates(dt.date(2027, 5, 3), dt.date(2027, 7, 23), "2026"))
    assert check.status == 303
    assert "Change claim window" in colin.follow(check).text()
    saved = colin.post(check.location)
    assert "Claim window changed" in colin.follow(saved).text()
    # Then the window and its schedule have the new dates, under the same id and schedule name
    from shared.data.claim_windows import ClaimWindows

    window = ClaimWindows().get(window_id)
    assert (window.opens_on, window.closes_on) == (dt.date(2027, 5, 3), dt.date(2027, 7, 23))
    assert _schedule(window_id)["ScheduleExpression"] == "at(2027-07-23T23:59:59)"


def test_a_change_is_checked_against_the_other_windows(colin: Client) -> None:
    window_id = _add(colin, dt.date(2027, 5, 1), dt.date(2027, 7, 19))
    page = colin.post(f"{BASE}/{window_id}/edit", _dates(dt.date(2027, 1, 1), dt.date(2027, 7, 19), "2026"))
    assert page.status == 200
    assert _errors(page) == [OVERLAP_OPENS]


def test_a_closed_window_cannot_be_changed(colin: Client) -> None:
    page = colin.get(f"{BASE}/{PREVIOUS}/edit")
    assert page.h1 == "You cannot change this claim window"
    assert "because it has closed" in page.text()
    posted = colin.post(f"{BASE}/{PREVIOUS}/edit", _dates(dt.date(2026, 5, 1), dt.date(2026, 7, 1), "2025"))
    assert posted.status == 409
    details = colin.get(f"{BASE}/{PREVIOUS}")
    assert not details.soup.find("a", string=re.compile("Change"))
    assert not details.soup.find("a", string=re.compile("Remove claim window"))


# -- remove ---------------------------------------------------------------------------------------------
def test_removing_a_window_deletes_its_schedule(colin: Client) -> None:
    window_id = _add(colin, dt.date(2027, 5, 1), dt.date(2027, 7, 19))
    assert _schedule(window_id) is not None
    confirm = colin.get(f"{BASE}/{window_id}/remove")
    assert confirm.h1 == "Are you sure you want to remove this claim window?"
    removed = colin.post(f"{BASE}/{window_id}/remove")
    assert (removed.status, removed.location) == (303, BASE)
    listing = colin.follow(removed)
    assert "Claim window removed" in listing.text()
    assert "1 May 2027" not in listing.text()
    assert _schedule(window_id) is None
    # And a second click goes back to the list
    assert colin.post(f"{BASE}/{window_id}/remove").location == BASE
    assert colin.get(f"{BASE}/{window_id}").status == 404


def test_a_window_with_claims_cannot_be_removed(colin: Client) -> None:
    from shared.data.items import ClaimItem

    window_id = _add(colin, dt.date(2027, 5, 1), dt.date(2027, 7, 19))
    claim = ClaimItem(
        claim_id="CW000001",
        reference="CW000001",
        school_id="108125",
        provider_code="N97",
        window_id=window_id,
        academic_year="2026 to 2027",
        status="withdrawn",
        window_status=f"{window_id}#withdrawn",
        created_at=NOW.isoformat(),
    )
    claim.save()
    try:
        page = colin.get(f"{BASE}/{window_id}/remove")
        assert page.h1 == "You cannot remove this claim window"
        assert "You cannot remove this claim window because it contains claims." in page.text()
        assert colin.post(f"{BASE}/{window_id}/remove").status == 409
        assert _schedule(window_id) is not None
        # Nor can it move to another academic year
        changed = colin.post(f"{BASE}/{window_id}/edit", _dates(dt.date(2027, 5, 1), dt.date(2027, 7, 19), "2025"))
        assert _errors(changed) == [
            "Select 2026 to 2027, because this claim window contains claims for that academic year"
        ]
    finally:
        claim.delete()


def test_a_closed_window_cannot_be_removed(colin: Client) -> None:
    page = colin.get(f"{BASE}/{PREVIOUS}/remove")
    assert page.h1 == "You cannot remove this claim window"
    assert "because it has closed" in page.text()
    assert colin.post(f"{BASE}/{PREVIOUS}/remove").status == 409


# -- close now ------------------------------------------------------------------------------------------
def _executions(configured: dict[str, str]) -> list[dict[str, Any]]:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    found: list[dict[str, Any]] = sfn.list_executions(stateMachineArn=configured["CLAIM_WINDOW_STATE_MACHINE_ARN"])[
        "executions"
    ]
    return found


def test_close_window_now_starts_the_run_the_schedule_would(colin: Client, configured: dict[str, str]) -> None:
    import functions.support.app as support
    import functions.web.app as web

    # Given the clock on 1 March 2027 and a window from February to March 2027: it is open
    for app in (web.app, support.app):
        app.clock = lambda: dt.datetime(2027, 3, 1, 10, tzinfo=LONDON)
    colin.sign_in("Colin Chapman")
    window_id = _add(colin, dt.date(2027, 2, 1), dt.date(2027, 3, 31))
    schedule_input = json.loads(_schedule(window_id)["Target"]["Input"])
    details = colin.get(f"{BASE}/{window_id}")
    assert "Open" in details.text()
    # When Colin closes it now, after the confirmation page
    confirm = colin.get(f"{BASE}/{window_id}/close")
    assert confirm.h1 == "Are you sure you want to close this claim window now?"
    assert "This action cannot be undone." in confirm.text()
    closed = colin.post(f"{BASE}/{window_id}/close")
    assert (closed.status, closed.location) == (303, f"{BASE}/{window_id}")
    assert "its payment run has started" in colin.follow(closed).text()
    # Then one execution runs, with the schedule's name (so only one of them can start it) and the schedule's
    # window and run, started by Colin rather than by the schedule
    name = f"{window_id}-run-1"
    executions = [e for e in _executions(configured) if e["name"] == name]
    assert len(executions) == 1
    sfn = boto3.client("stepfunctions", region_name=REGION)
    described = sfn.describe_execution(executionArn=executions[0]["executionArn"])
    assert schedule_input["Name"] == name
    scheduled = json.loads(schedule_input["Input"])
    assert json.loads(described["input"]) == {
        **scheduled,
        "trigger": "person",
        "started_by": "user-colin-chapman",
        "started_by_name": "Colin Chapman",
    }
    # And the schedule is gone, so it cannot start the run again
    assert _schedule(window_id) is None
    # And with its run started the window is closed: no change, no removal
    details = colin.get(f"{BASE}/{window_id}")
    assert "Status Closed" in details.text()
    assert "Payment run Running" in details.text()
    assert not [a for a in details.soup.select("main a") if a.get_text().startswith(("Change", "Remove"))]
    assert colin.get(f"{BASE}/{window_id}/edit").h1 == "You cannot change this claim window"
    assert colin.get(f"{BASE}/{window_id}/remove").h1 == "You cannot remove this claim window"
    # When Colin (or a colleague) presses it again, a page says so, and nothing starts
    again = colin.post(f"{BASE}/{window_id}/close")
    assert again.status == 409
    assert again.h1 == "This claim window has already been closed"
    assert "Its payment run started on" in again.text()
    assert colin.get(f"{BASE}/{window_id}/close").h1 == "This claim window has already been closed"
    assert len([e for e in _executions(configured) if e["name"] == name]) == 1


def test_a_window_that_has_not_opened_cannot_be_closed(colin: Client) -> None:
    window_id = _add(colin, dt.date(2027, 5, 1), dt.date(2027, 7, 19))
    assert not colin.get(f"{BASE}/{window_id}").soup.find("a", string=re.compile("Close window now"))
    page = colin.get(f"{BASE}/{window_id}/close")
    assert page.h1 == "You cannot close this claim window yet"
    assert colin.post(f"{BASE}/{window_id}/close").status == 409


def test_an_unknown_window_is_not_found(colin: Client) -> None:
    for path in ("window-1999-to-2000-1", "window-1999-to-2000-1/edit", "window-1999-to-2000-1/close"):
        assert colin.get(f"{BASE}/{path}").status == 404
    assert colin.get(f"{BASE}/answers/0123456789abcdef/check").status == 404


# -- who may use them ---------------------------------------------------------------------------------
def _claim_window_routes() -> list[tuple[str, str]]:
    import functions.support.app as support

    resolver = support.app.resolver
    return [
        (route.method, route.path)
        for route in resolver._static_routes + resolver._dynamic_routes
        if route.path.startswith(BASE)
    ]


def _url(path: str) -> str:
    return re.sub(r"<(\w+)>", lambda m: {"window_id": CURRENT, "journey_id": "0" * 32}[m.group(1)], path)


def test_a_school_user_is_not_authorised_for_any_claim_windows_page(anne: Client, configured: Any) -> None:
    from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN

    client = anne
    client.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/users/new")  # a page with a form: Anne's CSRF token
    routes = _claim_window_routes()
    assert len(routes) >= 14, routes  # every claim-windows route is in the loop
    for method, path in routes:
        page = client.request(method, _url(path), {"csrf_token": client.csrf_token()} if method == "POST" else None)
        assert (page.status, page.h1) == (403, "Your account is not authorised"), f"{method} {path}"
    # And nothing changed
    from shared.data.claim_windows import ClaimWindows

    assert ClaimWindows().get(CURRENT).closed_at is None


def test_a_visitor_is_sent_to_sign_in(client: Client, configured: Any) -> None:
    for method, path in _claim_window_routes():
        if method == "GET":
            assert client.get(_url(path)).location == "/sign-in", path
