"""Support → Settings → Funding rates through the support handler under moto: the rates page, proposing new
rates, a second support user approving or rejecting them, and what claims are priced at.

The demo data (today 28 November 2026) has windows in 2025 to 2026 and 2026 to 2027, whose published rates
are seeded as approved; the page shows 2023 to 2024 up to 2027 to 2028. Most tests change 2027 to 2028 (no
window, no claims); every test's proposals are removed and the rates put back afterwards.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import Client, queued_emails

BASE = "/support/settings/funding-rates"
NEXT = "2027"  # 2027 to 2028
PUBLISHED = {"Inner London": "53.60", "Outer London": "48.25", "Fringe": "45.10", "Rest of England": "43.80"}
FIELDS = {
    "Inner London": "rate-inner-london",
    "Outer London": "rate-outer-london",
    "Fringe": "rate-fringe",
    "Rest of England": "rate-rest-of-england",
}


@pytest.fixture(autouse=True)
def restored(seed: Any) -> Iterator[None]:
    """Whatever a test proposes or approves is undone: the rates as before, no proposals."""
    from shared.data.items import FundingRateItem, FundingRateProposalItem, PendingFundingRateProposalItem

    years = [f"{start} to {start + 1}" for start in range(2023, 2029)]
    before = {year: list(FundingRateItem.batch_get([(year, region) for region in PUBLISHED])) for year in years}
    yield
    for year in years:
        for item in FundingRateItem.batch_get([(year, region) for region in PUBLISHED]):
            item.delete()
        for item in before[year]:
            item.save()
        for proposal in FundingRateProposalItem.query(year, FundingRateProposalItem.sort_key.startswith("proposal#")):
            proposal.delete()
        PendingFundingRateProposalItem(academic_year=year, sort_key="pending").delete()


@pytest.fixture
def colin(client: Client) -> Client:
    client.sign_in("Colin Chapman")
    return client


@pytest.fixture
def sam(apps: dict[str, Any]) -> Client:
    other = Client(web=apps["web"], support=apps["support"])
    other.sign_in("Sam Brooks")
    other.get(f"{BASE}/2025/change")  # a page with a form: his CSRF token
    return other


# -- helpers --------------------------------------------------------------------------------------------
def _errors(page: Any) -> list[str]:
    return [" ".join(a.get_text().split()) for a in page.soup.select(".govuk-error-summary a")]


def _summary(page: Any) -> dict[str, str]:
    rows: dict[str, str] = {}
    for row in page.soup.select(".govuk-summary-list__row"):
        key = row.select_one(".govuk-summary-list__key").get_text(" ", strip=True)
        rows[key] = " ".join(row.select_one(".govuk-summary-list__value").get_text(" ", strip=True).split())
    return rows


def _form(rates: dict[str, str] | None = None, reason: str = "DfE published new rates") -> dict[str, str]:
    chosen = {**PUBLISHED, **(rates or {})}
    return {**{FIELDS[region]: text for region, text in chosen.items()}, "reason": reason}


def _propose(client: Client, year: str = NEXT, rates: dict[str, str] | None = None) -> str:
    """Propose rates through the pages; the proposal's address."""
    client.get(f"{BASE}/{year}/change")
    check = client.post(f"{BASE}/{year}/change", _form(rates))
    assert check.status == 303, check.text()
    assert client.follow(check).h1 == "Check your answers"
    proposed = client.post(check.location)
    assert (proposed.status, proposed.location) == (303, BASE)
    page = client.follow(proposed)
    link = page.soup.find("a", href=re.compile(rf"^{BASE}/{year}/proposals/"))
    assert link is not None
    return str(link["href"])


def _rate(year: int, region: str) -> int:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.regions import Region
    from shared.data.funding_rates import FundingRates

    return FundingRates().rate_pence(AcademicYear(year), Region(region))


def _activity(kind: str) -> list[Any]:
    from shared.data.activity import Activity

    return [entry for entry in Activity().newest(["2026-11"], 500) if entry.kind.value == kind]


# -- the rates page -------------------------------------------------------------------------------------
def test_the_rates_page_shows_every_year_s_rate_per_region_in_pounds_and_pence(colin: Client) -> None:
    page = colin.get(BASE)
    assert page.status == 200
    assert page.h1 == "Funding rates"
    years = [h2.get_text(strip=True) for h2 in page.soup.select("h2.govuk-heading-m")]
    assert years == ["2027 to 2028", "2026 to 2027", "2025 to 2026", "2024 to 2025", "2023 to 2024"]
    section = page.soup.find(id="year-2026").find_next("dl")
    rows = [" ".join(row.get_text(" ", strip=True).split()) for row in section.select(".govuk-summary-list__row")]
    assert rows == [
        "Inner London £53.60 an hour",
        "Outer London £48.25 an hour",
        "Fringe £45.10 an hour",
        "Rest of England £43.80 an hour",
    ]
    # a year the demo data has no rates for shows the published fallback, and says so
    unset = page.soup.find(id="year-2027").find_next("dl").get_text(" ", strip=True)
    assert "£53.60 an hour (published rate)" in unset
    assert page.soup.find("a", href=f"{BASE}/2027/change")


def test_an_empty_rates_table_falls_back_to_the_published_rates(colin: Client) -> None:
    from shared.data.items import FundingRateItem

    # Given a fresh deployment: no rate items at all for 2026 to 2027
    for item in FundingRateItem.batch_get([("2026 to 2027", region) for region in PUBLISHED]):
        item.delete()
    # Then claims are priced at the published rates and the page still shows them
    assert _rate(2026, "Inner London") == 5360
    assert _rate(2026, "Rest of England") == 4380
    assert "£48.25 an hour (published rate)" in colin.get(BASE).soup.find(id="year-2026").find_next("dl").get_text(" ")


def _routes() -> list[tuple[str, str]]:
    import functions.support.app as support

    resolver = support.app.resolver
    found = [
        (route.method, route.path)
        for route in resolver._static_routes + resolver._dynamic_routes
        if route.path.startswith(BASE)
    ]
    urls = {"start_year": NEXT, "journey_id": "0" * 32, "proposal_id": "x"}
    return [(method, re.sub(r"<(\w+)>", lambda m: urls[m.group(1)], path)) for method, path in found]


def test_every_rates_page_is_for_support_users_only(anne: Client) -> None:
    from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN

    anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/users/new")  # a page with a form: Anne's CSRF token
    routes = _routes()
    assert len(routes) >= 11, routes
    for method, path in routes:
        page = anne.request(method, path, {"csrf_token": anne.csrf_token()} if method == "POST" else None)
        assert (page.status, page.h1) == (403, "Your account is not authorised"), f"{method} {path}"


def test_a_visitor_is_sent_to_sign_in(client: Client) -> None:
    for method, path in _routes():
        if method == "GET":
            assert client.get(path).location == "/sign-in", path


def test_a_year_the_page_does_not_offer_is_not_found(colin: Client) -> None:
    for year in ("1999", "2031", "abcd", "20266"):
        assert colin.get(f"{BASE}/{year}/change").status == 404
    assert colin.get(f"{BASE}/{NEXT}/proposals/nothing-here").status == 404
    assert colin.get(f"{BASE}/{NEXT}/proposals/{'9' * 2000}").status == 404  # never a key DynamoDB refuses


# -- proposing ------------------------------------------------------------------------------------------
def test_the_change_form_is_filled_with_the_year_s_rates(colin: Client) -> None:
    page = colin.get(f"{BASE}/2026/change")
    assert page.h1 == "Change funding rates for 2026 to 2027"
    values = {field: page.soup.find("input", attrs={"name": field})["value"] for field in FIELDS.values()}
    assert values == {FIELDS[region]: text for region, text in PUBLISHED.items()}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the hourly rate for Inner London"),
        ("   ", "Enter the hourly rate for Inner London"),
        ("fifty", "Enter an hourly rate in pounds and pence, like 53.60"),
        ("53.6.0", "Enter an hourly rate in pounds and pence, like 53.60"),
        ("-5.00", "Enter an hourly rate in pounds and pence, like 53.60"),
        ("0", "The hourly rate for Inner London must be more than £0"),
        ("0.00", "The hourly rate for Inner London must be more than £0"),
        ("1000.01", "The hourly rate for Inner London must be £1,000.00 or less"),
        ("53.605", "The hourly rate for Inner London must have no more than 2 decimal places"),
        ("9" * 5000, "Enter an hourly rate in pounds and pence, like 53.60"),  # not a 500
    ],
)
def test_each_rate_is_checked(colin: Client, typed: str, message: str) -> None:
    colin.get(f"{BASE}/{NEXT}/change")
    page = colin.post(f"{BASE}/{NEXT}/change", _form({"Inner London": typed}))
    assert page.status == 200
    assert page.soup.title.get_text().startswith("Error: ")
    assert _errors(page) == [message]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#rate-inner-london"
    assert page.soup.find("input", attrs={"name": "rate-inner-london"})["value"] == typed


def test_the_reason_is_needed_and_at_most_500_characters(colin: Client) -> None:
    colin.get(f"{BASE}/{NEXT}/change")
    page = colin.post(f"{BASE}/{NEXT}/change", _form(reason=" "))
    assert _errors(page) == ["Enter a reason for the change"]
    page = colin.post(f"{BASE}/{NEXT}/change", _form(reason="x" * 501))
    assert _errors(page) == ["Reason must be 500 characters or less"]
    assert colin.post(f"{BASE}/{NEXT}/change", _form(reason="x" * 500)).status == 303


def test_every_region_s_problem_shows_in_page_order(colin: Client) -> None:
    colin.get(f"{BASE}/{NEXT}/change")
    page = colin.post(f"{BASE}/{NEXT}/change", {"reason": ""})
    assert _errors(page) == [
        "Enter the hourly rate for Inner London",
        "Enter the hourly rate for Outer London",
        "Enter the hourly rate for Fringe",
        "Enter the hourly rate for Rest of England",
        "Enter a reason for the change",
    ]


def test_proposing_stores_the_proposal_and_does_not_change_the_rates(colin: Client) -> None:
    # Given Colin changes Inner London to £55.00 (typed as "£55") for 2027 to 2028
    colin.get(f"{BASE}/{NEXT}/change")
    check = colin.post(f"{BASE}/{NEXT}/change", _form({"Inner London": "£55"}))
    page = colin.follow(check)
    # Then check your answers shows each region's rate before and after, with Change links
    summary = _summary(page)
    assert summary["Inner London"] == "£53.60 → £55.00 an hour"
    assert summary["Rest of England"] == "£43.80 → £43.80 an hour"
    assert summary["Reason"] == "DfE published new rates"
    # When he changes a rate from there and comes back
    change = page.soup.select_one(".govuk-summary-list__actions a")["href"]
    assert colin.get(change).soup.find("input", attrs={"name": "rate-inner-london"})["value"] == "55.00"
    again = colin.post(change, _form({"Inner London": "55.10"}))
    assert again.location == check.location
    assert _summary(colin.follow(again))["Inner London"] == "£53.60 → £55.10 an hour"
    # And proposes them
    done = colin.post(check.location)
    assert (done.status, done.location) == (303, BASE)
    listed = colin.follow(done)
    assert "New rates for 2027 to 2028 proposed" in listed.text()
    # Then the rates have not changed, and the page says the proposal waits for someone else
    assert _rate(2027, "Inner London") == 5360
    section = listed.soup.find(id="year-2027").find_next(class_="govuk-inset-text").get_text(" ", strip=True)
    assert "Waiting for approval by another support user" in section
    assert "Colin Chapman" in section
    assert not listed.soup.find("a", href=f"{BASE}/{NEXT}/change")
    # And a second "Propose rates" proposes nothing more
    assert colin.post(check.location).location == BASE
    from shared.claims.academic_years import AcademicYear
    from shared.data.funding_rates import FundingRates

    proposals = FundingRates().proposals(AcademicYear(2027))
    assert [(p.status.value, p.rates["Inner London"], p.previous_rates["Inner London"]) for p in proposals] == [
        ("pending", 5510, 5360)
    ]
    link = f"{BASE}/{NEXT}/proposals/{proposals[0].proposal_id}"
    assert [(e.actor_name, e.summary) for e in _activity("rates_proposed") if e.link == link] == [
        ("Colin Chapman", "2027 to 2028")
    ]


def test_only_one_proposal_per_year_waits_at_a_time(colin: Client, sam: Client) -> None:
    _propose(colin)
    # Sam cannot start another for the same year while it waits
    page = sam.get(f"{BASE}/{NEXT}/change")
    assert page.h1 == "You cannot change these rates yet"
    # and one he started before Colin proposed is refused at "Propose rates"
    sam.get(f"{BASE}/2026/change")
    check = sam.post(f"{BASE}/2026/change", _form({"Fringe": "46.00"}))
    colin_check = colin.post(f"{BASE}/2026/change", _form({"Fringe": "47.00"}))
    assert colin.post(colin_check.location).location == BASE
    refused = sam.post(check.location)
    assert refused.status == 409
    assert refused.h1 == "You cannot change these rates yet"
    # another year is still open to change
    assert sam.get(f"{BASE}/2025/change").status == 200


# -- approving ------------------------------------------------------------------------------------------
def test_sam_approves_the_rates_colin_proposed(colin: Client, sam: Client) -> None:
    queued_emails()
    proposal = _propose(colin, rates={"Inner London": "55.00", "Fringe": "46.25"})
    # Colin sees his own proposal without an approve button
    mine = colin.get(proposal)
    assert mine.h1 == "Proposed funding rates for 2027 to 2028"
    assert "Waiting for approval by another support user" in mine.text()
    assert not mine.soup.find("button", string=re.compile("Approve rates"))
    # Sam sees the old and new rate per region, the reason, who proposed it and when
    page = sam.get(proposal)
    summary = _summary(page)
    assert summary["Proposed by"] == "Colin Chapman"
    assert summary["Proposed on"]
    assert summary["Reason"] == "DfE published new rates"
    rows = [[c.get_text(strip=True) for c in row.find_all(["th", "td"])] for row in page.soup.select("tbody tr")]
    assert rows == [
        ["Inner London", "£53.60", "£55.00"],
        ["Outer London", "£48.25", "£48.25"],
        ["Fringe", "£45.10", "£46.25"],
        ["Rest of England", "£43.80", "£43.80"],
    ]
    # When Sam approves
    done = sam.post(f"{proposal}/approve")
    assert (done.status, done.location) == (303, BASE)
    listed = sam.follow(done)
    assert "New rates for 2027 to 2028 approved" in listed.text()
    # Then the new rates apply, and the history says who proposed, who approved and what changed
    assert (_rate(2027, "Inner London"), _rate(2027, "Fringe"), _rate(2027, "Outer London")) == (5500, 4625, 4825)
    section = listed.soup.find(id="year-2027").find_next("dl").get_text(" ", strip=True)
    assert "£55.00 an hour" in section
    assert "published rate" not in section
    history = listed.soup.find("caption", string=re.compile("2027 to 2028")).find_parent("table")
    text = " ".join(history.get_text(" ", strip=True).split())
    for expected in (
        "Colin Chapman",
        "DfE published new rates",
        "Inner London: £53.60 → £55.00",
        "Approved",
        "Sam Brooks",
    ):
        assert expected in text, expected
    assert _summary(sam.get(proposal))["Status"] == "Approved"
    assert [e.actor_name for e in _activity("rates_approved") if e.link == proposal] == ["Sam Brooks"]


def test_approving_your_own_proposal_is_refused(colin: Client) -> None:
    proposal = _propose(colin, rates={"Inner London": "60.00"})
    refused = colin.post(f"{proposal}/approve")
    assert refused.status == 409
    assert refused.h1 == "You cannot approve rates you proposed"
    assert _rate(2027, "Inner London") == 5360
    assert colin.post(f"{proposal}/reject", {"reason": "No"}).h1 == "You cannot reject rates you proposed"


def test_a_second_approval_is_refused(colin: Client, sam: Client) -> None:
    proposal = _propose(colin, rates={"Inner London": "60.00"})
    assert sam.post(f"{proposal}/approve").status == 303
    again = sam.post(f"{proposal}/approve")
    assert again.status == 409
    assert again.h1 == "These rates have already been decided"
    assert len([e for e in _activity("rates_approved") if e.link == proposal]) == 1


def test_two_approvals_at_once_one_wins(colin: Client) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.funding_rates import ProposalDecided
    from shared.claims.people import Role, User
    from shared.usecases import funding_rates
    from tests.support import NOW

    proposal = _propose(colin, rates={"Outer London": "50.00"})
    proposal_id = proposal.rsplit("/", 1)[-1]
    # Given two support users press "Approve rates" at the same moment
    approvers = [
        User(user_id=f"user-approver-{n}", first_name="Approver", last_name=str(n), email=f"a{n}@x", role=Role.SUPPORT)
        for n in (1, 2)
    ]
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def approve(user: User) -> None:
        start.wait()
        try:
            funding_rates.approve(user, AcademicYear(2027), proposal_id, NOW)
            outcomes.append("approved")
        except ProposalDecided:
            outcomes.append("refused")

    threads = [threading.Thread(target=approve, args=(user,)) for user in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then one approval wins and the other writes nothing
    assert sorted(outcomes) == ["approved", "refused"]
    assert _rate(2027, "Outer London") == 5000
    assert len([e for e in _activity("rates_approved") if e.link == proposal]) == 1


# -- rejecting ------------------------------------------------------------------------------------------
def test_sam_rejects_the_rates_with_a_reason(colin: Client, sam: Client) -> None:
    proposal = _propose(colin, rates={"Inner London": "99.00"})
    page = sam.get(f"{proposal}/reject")
    assert page.h1 == "Reject rates"
    empty = sam.post(f"{proposal}/reject", {"reason": ""})
    assert (empty.status, _errors(empty)) == (200, ["Enter a reason for rejecting the rates"])
    long = sam.post(f"{proposal}/reject", {"reason": "x" * 501})
    assert _errors(long) == ["Reason for rejecting must be 500 characters or less"]
    done = sam.post(f"{proposal}/reject", {"reason": "Typo: Inner London is 53.60"})
    assert (done.status, done.location) == (303, BASE)
    assert _rate(2027, "Inner London") == 5360
    shown = _summary(sam.get(proposal))
    assert (shown["Status"], shown["Reason for rejecting"]) == ("Rejected", "Typo: Inner London is 53.60")
    # the year can be changed again
    assert colin.get(f"{BASE}/{NEXT}/change").status == 200
    assert [e.actor_name for e in _activity("rates_rejected") if e.link == proposal] == ["Sam Brooks"]


# -- claims keep their rate -----------------------------------------------------------------------------
def test_a_claim_keeps_the_rate_it_was_submitted_at_and_a_later_one_uses_the_new_rate(
    client: Client, apps: dict[str, Any], sam: Client
) -> None:
    from infrastructure.local.seed_data import MARY_LAWSON_SCHOOL_URNS
    from shared.data.claims import ClaimsStore
    from tests.integration.claims_helpers import (
        add_school_mentor,
        claim_through_check,
        remove_school_mentor,
        start_claim,
        submit,
    )

    school = MARY_LAWSON_SCHOOL_URNS[0]  # Inner London
    mentors = {"2700001": ("Ada", "Rates"), "2700002": ("Bea", "Rates")}
    for trn, (first_name, last_name) in mentors.items():
        add_school_mentor(school, trn, first_name, last_name)
    mary = Client(web=apps["web"], support=apps["support"])
    mary.sign_in("Mary Lawson")
    colin = client
    colin.sign_in("Colin Chapman")
    try:
        # Given Colin has proposed £60.00 an hour for Inner London in 2026 to 2027
        proposal = _propose(colin, year="2026", rates={"Inner London": "60.00"})
        # When Mary submits a claim before anyone approves it
        base = start_claim(mary, school)
        claim_through_check(mary, base, "N97", {"2700001": 2})
        before = re.search(r"/claims/(\d{8})/submitted$", submit(mary, base).location).group(1)
        # And Sam approves
        assert sam.post(f"{proposal}/approve").status == 303
        # And Mary submits another claim
        base = start_claim(mary, school)
        check = claim_through_check(mary, base, "N97", {"2700002": 3})
        assert "£60.00" in check.text()
        after = re.search(r"/claims/(\d{8})/submitted$", submit(mary, base).location).group(1)
        # Then the first keeps the rate it snapshotted and the second has the new one
        earlier, later = ClaimsStore().get(before), ClaimsStore().get(after)
        assert (earlier.hourly_rate_pence, earlier.amount_pence) == (5360, 10720)
        assert (later.hourly_rate_pence, later.amount_pence) == (6000, 18000)
        # And the support claim page says which rate each used
        rate = _summary(sam.get(f"/support/claims/{before}"))["Hourly rate"]
        assert rate == "£53.60 an hour (Inner London, 2026 to 2027)"
        assert (
            _summary(sam.get(f"/support/claims/{after}"))["Hourly rate"]
            == "£60.00 an hour (Inner London, 2026 to 2027)"
        )
    finally:
        for trn in mentors:
            remove_school_mentor(school, trn)
