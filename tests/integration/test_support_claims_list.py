"""All claims (/support/claims): search by reference, URN or school name, filters, pages, and no Scan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support import NOW, Client, Page

PROVIDER = "T9L"  # a provider code only these tests use: counts filtered by it are theirs alone
SCHOOL_URN = "990771"  # no other test's school (payment run tests use 990000-990009)
SCHOOL_NAME = "The Zebedee Listing Academy"
COLIN = "user-colin-chapman"


def _claim(
    reference: str,
    *,
    days_ago: int,
    status: str = "submitted",
    school_id: str = SCHOOL_URN,
    school_name: str = SCHOOL_NAME,
    provider_code: str = PROVIDER,
    year: int = 2026,
    region: str = "Rest of England",
    assigned_to: str | None = None,
    hold_reason: str | None = None,
) -> None:
    """A claim written as the store writes one (so its listing-index entry is the real one)."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claim_windows import ClaimWindows
    from shared.data.claims import _to_item

    window = next(w for w in ClaimWindows().all() if w.academic_year == AcademicYear(2026))
    at = NOW - dt.timedelta(days=days_ago)
    mentor = ClaimMentor(trn="3000001", first_name="Lia", last_name="Test", hours=4, training_type=TrainingType.INITIAL)
    claim = Claim(
        reference=reference,
        school_id=school_id,
        school_name=school_name,
        provider_code=provider_code,
        provider_name="Listing Test Provider",
        window_id=window.window_id,
        academic_year=AcademicYear(year),
        status=ClaimStatus(status),
        mentors=(mentor,),
        region=region,
        hourly_rate_pence=4380,
        amount_pence=4 * 4380,
        created_at=at,
        submitted_at=None if status == "draft" else at,
        submitted_by="user-test",
        submitted_by_name="Lia Test",
        assigned_to=assigned_to,
        hold_reason=hold_reason,
    )
    _to_item(claim).save()


@pytest.fixture(scope="module")
def listed(seed: Any) -> Iterator[None]:
    """A school of the tests' own and 30 of its claims (days_ago 1..30), with a few differences to filter by."""
    from shared.claims.organisations import School
    from shared.data.items import ClaimItem, OrganisationItem
    from shared.data.organisations import Organisations

    Organisations().put_school(
        School(
            organisation_id=SCHOOL_URN,
            urn=SCHOOL_URN,
            name=SCHOOL_NAME,
            eligible_years=("2026 to 2027",),
        )
    )
    references = []
    for n in range(1, 31):
        reference = f"7700{n:04d}"
        references.append(reference)
        _claim(
            reference,
            days_ago=n,
            status="paid" if n % 10 == 0 else "submitted",
            region="Inner London" if n % 3 == 0 else "Rest of England",
            assigned_to=COLIN if n in (4, 5) else None,
            hold_reason="Waiting for the school's evidence" if n == 7 else None,
        )
    _claim("77009001", days_ago=400, year=2025)  # last year's: listed only when every year is chosen
    yield
    for reference in [*references, "77009001"]:
        ClaimItem(claim_id=reference).delete()
    OrganisationItem(organisation_id=SCHOOL_URN).delete()


@pytest.fixture
def colin(client: Client, listed: None) -> Client:
    client.sign_in("Colin Chapman")
    return client


def _references(page: Page) -> list[str]:
    return [a.get_text(strip=True) for a in page.soup.select("table a.govuk-link")]


def _count(page: Page) -> str:
    found = page.soup.select_one("#claims-count")
    assert found is not None
    return found.get_text(" ", strip=True)


def test_the_list_has_its_heading_search_filters_and_the_claims_section_navigation(colin: Client) -> None:
    page = colin.get("/support/claims")
    assert page.h1 == "Claims"
    label = page.soup.select_one("label[for=search]")
    assert label is not None
    assert label.get_text(strip=True) == "Search by claim reference, school name or URN"
    buttons = [b.get_text(strip=True) for b in page.soup.select("button")]
    assert "Apply filters" in buttons
    assert "Search" in buttons
    assert page.soup.find("a", string="Clear filters")["href"] == "/support/claims"
    header = [a.get_text(strip=True) for a in page.soup.select(".govuk-service-navigation__item a")]
    assert header[:2] == ["Overview", "Claims"]
    assert "Review" not in header
    assert "Payments" not in header
    current = page.soup.select_one(".govuk-service-navigation__item--active")
    assert current is not None
    assert "Claims" in current.get_text()
    sub = page.soup.select(".app-sub-navigation__link")
    assert [a.get_text(strip=True) for a in sub][:4] == ["All claims", "Review", "Payments", "Audits"]
    assert sub[0].get("aria-current") == "page"
    legends = [legend.get_text(strip=True) for legend in page.soup.select("legend")]
    for legend in ("Status", "Academic year", "Claim window", "Funding region", "Accredited provider", "Assigned"):
        assert legend in legends


def test_the_review_and_payments_pages_sit_under_claims(colin: Client) -> None:
    for path, current in (("/support/claims/review", "Review"), ("/support/payments", "Payments")):
        page = colin.get(path)
        active = page.soup.select_one(".app-sub-navigation__link[aria-current=page]")
        assert active is not None
        assert active.get_text(strip=True) == current


def test_a_providers_claims_are_counted_and_listed_newest_first_25_a_page(colin: Client) -> None:
    page = colin.get(f"/support/claims?provider={PROVIDER}")
    assert _count(page) == "30 claims"
    references = _references(page)
    assert references == [f"7700{n:04d}" for n in range(1, 26)]
    second = colin.get(f"/support/claims?provider={PROVIDER}&page=2")
    assert _references(second) == [f"7700{n:04d}" for n in range(26, 31)]
    assert _count(second) == "30 claims"


def test_page_links_keep_the_filters(colin: Client) -> None:
    page = colin.get(f"/support/claims?provider={PROVIDER}&region=Inner+London&filtered=yes&year=2026+to+2027")
    assert _count(page) == "10 claims"
    nav = page.soup.select_one(".govuk-pagination")
    assert nav is None  # one page
    page = colin.get(f"/support/claims?provider={PROVIDER}")
    next_link = page.soup.select_one(".govuk-pagination__next a")
    assert next_link is not None
    query = parse_qs(urlsplit(next_link["href"]).query)
    assert query["provider"] == [PROVIDER]
    assert query["page"] == ["2"]
    assert query["year"] == ["2026 to 2027"]


def test_the_table_shows_school_provider_amount_date_and_status(colin: Client) -> None:
    page = colin.get("/support/claims?search=77000010")
    heads = [th.get_text(strip=True) for th in page.soup.select("thead th")]
    assert heads == ["Reference", "School", "Accredited provider", "Amount", "Submitted on", "Status"]
    cells = [td.get_text(" ", strip=True) for td in page.soup.select("tbody tr")[0].select("th, td")]
    assert cells[0] == "77000010"
    assert cells[1] == SCHOOL_NAME
    assert cells[2] == "Listing Test Provider"
    assert cells[3] == "£175.20"
    assert cells[4] == (NOW - dt.timedelta(days=10)).astimezone(dt.UTC).strftime("%-d %B %Y")
    assert cells[5] == "Paid"


def test_a_reference_finds_its_claim_in_any_year(colin: Client) -> None:
    page = colin.get("/support/claims?search=+7700+9001+")
    assert _references(page) == ["77009001"]
    assert _count(page) == "1 claim"
    assert colin.get("/support/claims?search=77990000").soup.find(
        string="There are no claims that match your search and filters."
    )


def test_a_urn_finds_the_schools_claims(colin: Client) -> None:
    page = colin.get(f"/support/claims?search={SCHOOL_URN}")
    assert _count(page) == "31 claims"
    assert _references(page)[:3] == ["77000001", "77000002", "77000003"]


def test_a_school_name_is_found_from_its_start_in_any_case_without_the(colin: Client) -> None:
    for typed in ("zebedee", "ZEBEDEE  listing", "The Zebedee"):
        page = colin.get(f"/support/claims?search={typed}")
        assert _count(page) == "31 claims", typed
    assert _count(colin.get("/support/claims?search=Listing+Academy")) == "0 claims"


def test_the_search_combines_with_filters(colin: Client) -> None:
    page = colin.get(f"/support/claims?search={SCHOOL_URN}&status=paid")
    assert _references(page) == ["77000010", "77000020", "77000030"]


def test_status_region_assigned_and_hold_filters(colin: Client) -> None:
    base = f"/support/claims?provider={PROVIDER}"
    assert _count(colin.get(f"{base}&status=paid")) == "3 claims"
    assert _count(colin.get(f"{base}&status=paid&status=submitted")) == "30 claims"
    assert _count(colin.get(f"{base}&region=Inner+London")) == "10 claims"
    mine = colin.get(f"{base}&assigned=me")
    assert _references(mine) == ["77000004", "77000005"]
    held = colin.get(f"{base}&hold=yes")
    assert _references(held) == ["77000007"]
    assert "On hold" in held.soup.select("tbody tr")[0].get_text()


def test_the_latest_windows_year_is_chosen_until_the_filter_form_says_otherwise(colin: Client) -> None:
    first = colin.get(f"/support/claims?search={SCHOOL_URN}&provider={PROVIDER}")
    assert _count(first) == "31 claims"  # a search is not limited by year
    default = colin.get(f"/support/claims?provider={PROVIDER}")
    assert default.soup.select_one("input[name=year][value='2026 to 2027']").has_attr("checked")
    assert _count(default) == "30 claims"
    every = colin.get(f"/support/claims?provider={PROVIDER}&filtered=yes")
    assert _count(every) == "31 claims"
    assert "77009001" in _references(colin.get(f"/support/claims?provider={PROVIDER}&filtered=yes&page=2"))


def test_selected_filters_can_be_removed_one_at_a_time(colin: Client) -> None:
    page = colin.get(f"/support/claims?provider={PROVIDER}&status=paid&filtered=yes&year=2026+to+2027")
    remove = page.soup.find("a", string=lambda s: bool(s) and "Remove filter Paid" in " ".join(s.split()))
    links = [a for a in page.soup.select(".app-filter__selected a") if "Paid" in a.get_text()]
    assert links, page.soup.select(".app-filter__selected")
    query = parse_qs(urlsplit(links[0]["href"]).query)
    assert "status" not in query
    assert query["provider"] == [PROVIDER]
    assert remove is None or remove is links[0]


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-3",
        "page=999999999999",
        "status=bogus",
        "year=1066+to+1067",
        "search=" + "x" * 5000,
        "search=%F0%9F%98%80",
        "window=nope&region=Mars&provider=%00",
        "page=40",
    ],
)
def test_odd_queries_get_a_page_never_an_error(colin: Client, query: str) -> None:
    page = colin.get(f"/support/claims?{query}")
    assert page.status == 200
    assert page.h1 == "Claims"


def test_schools_and_visitors_cannot_see_the_list(client: Client, listed: None) -> None:
    visitor = client.get("/support/claims", check=False)
    assert visitor.status in (302, 303)
    client.sign_in("Anne Wilson")
    school = client.get("/support/claims", check=False)
    assert school.status == 403


def test_no_request_path_scans_a_table(colin: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every search and filter is served by a key or an index: a Scan in any of them fails this test."""
    from pynamodb.connection.base import Connection

    seen: list[str] = []
    original = Connection._make_api_call

    def spy(self: Connection, operation_name: str, operation_kwargs: dict[str, Any]) -> Any:
        seen.append(operation_name)
        return original(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "_make_api_call", spy)
    for query in (
        "",
        "filtered=yes",
        f"search={SCHOOL_URN}",
        "search=77000003",
        "search=zebedee",
        f"provider={PROVIDER}&status=paid&region=Inner+London&assigned=me&hold=yes",
        f"provider={PROVIDER}&page=2",
    ):
        colin.get(f"/support/claims?{query}")
    assert seen
    assert "Scan" not in seen, seen


def test_a_large_partition_is_counted_in_month_slices_that_miss_and_repeat_nothing(
    colin: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past its first page, a year is counted a month at a time in parallel; the total is the same."""
    from shared.claims.claim_search import read_filters
    from shared.data import claim_listing

    def total(query: dict[str, list[str]]) -> int:
        filters = read_filters(query, COLIN, ["2026 to 2027", "2025 to 2026"], "2026 to 2027")
        return claim_listing.find(filters, ["2026 to 2027", "2025 to 2026"]).total

    queries: list[dict[str, list[str]]] = [
        {"provider": [PROVIDER]},
        {"provider": [PROVIDER], "status": ["paid"]},
        {"provider": [PROVIDER], "filtered": ["yes"]},
        {"region": ["Inner London"], "provider": [PROVIDER]},
    ]
    whole = [total(q) for q in queries]
    assert whole == [30, 3, 31, 10]
    for first_page in (1, 2, 7):
        monkeypatch.setattr(claim_listing, "COUNT_FIRST_PAGE", first_page)
        assert [total(q) for q in queries] == whole, first_page
