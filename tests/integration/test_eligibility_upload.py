"""Upload eligible schools through the support function under moto: the year and the file (multipart), every
kind of error shown with its row and nothing written, the check page (counts, newly and already eligible, what
the upload does to schools left out), "Confirm upload" (the year added once, however often it is confirmed),
the Activity entry, and who may do any of it (ADR 0025).

The tests make schools of their own (URNs 9921xx-9923xx): the demo schools' eligibility is left alone for
every other test in the process."""

from __future__ import annotations

import itertools
import re
from http.cookies import SimpleCookie

import pytest

from infrastructure.local.seed_data import SeedData
from tests.support import NOW, Client, LambdaContextStub, Page, api_event, check_page

PAGE = "/support/organisations/eligible-schools"
YEAR = "2026 to 2027"  # the academic year of NOW (28 November 2026)
_urns = itertools.count(992_100)


# -- helpers ---------------------------------------------------------------------------------------
def post_upload(client: Client, content: bytes | None, year: str | None = YEAR, csrf: str | None = None) -> Page:
    """POST the form as a browser does (the CSRF token first, the year, then the file input; an empty input
    sends an empty filename) through the support handler, and check the page."""
    boundary = "----EligibleSchoolsBoundary51c2"
    token = client.csrf_token() if csrf is None else csrf
    parts = f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
    if year is not None:
        parts += f'--{boundary}\r\nContent-Disposition: form-data; name="academic_year"\r\n\r\n{year}\r\n'
    parts += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{"schools.csv" if content is not None else ""}"\r\n'
        f"Content-Type: {'text/csv' if content is not None else 'application/octet-stream'}\r\n\r\n"
    )
    body = parts.encode() + (content or b"") + f"\r\n--{boundary}--\r\n".encode()
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items()) or None
    event = api_event(PAGE, "POST", None, cookie)
    import base64

    event["body"] = base64.b64encode(body).decode()
    event["isBase64Encoded"] = True
    event["headers"]["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    event["multiValueHeaders"]["Content-Type"] = [event["headers"]["Content-Type"]]
    response = client.support(event, LambdaContextStub())
    headers: dict[str, list[str]] = {k: [str(v)] for k, v in (response.get("headers") or {}).items()}
    headers.update({k: [str(x) for x in v] for k, v in (response.get("multiValueHeaders") or {}).items()})
    for raw in headers.get("Set-Cookie", []):
        jar: SimpleCookie = SimpleCookie()
        jar.load(raw)
        for name, morsel in jar.items():
            client.cookies[name] = morsel.value
    page = Page(int(response["statusCode"]), headers, response.get("body") or "")
    if headers.get("Content-Type", [""])[0].startswith("text/html"):
        check_page(page.body)
    return page


def make_schools(count: int, eligible: bool = False, closed: bool = False) -> list[str]:
    """Schools of this test's own, open (or closed), eligible for YEAR or not."""
    from shared.claims.organisations import School
    from shared.data.organisations import Organisations

    urns = [str(next(_urns)) for _ in range(count)]
    for urn in urns:
        Organisations().put_school(
            School(
                organisation_id=urn,
                urn=urn,
                name=f"Upload Test School {urn}",
                vendor_number=f"V{urn}",
                eligible_years=frozenset({YEAR} if eligible else set()),
                closed=closed,
            )
        )
    return urns


def years_of(urn: str) -> frozenset[str]:
    from shared.data.organisations import Organisations

    return Organisations().get_school(urn).eligible_years


def stored_uploads() -> list[str]:
    import os

    import boto3

    listing = boto3.client("s3", region_name="eu-west-2").list_objects_v2(
        Bucket=os.environ["FILES_BUCKET"], Prefix="eligibility-uploads/"
    )
    return [item["Key"] for item in listing.get("Contents", [])]


def row_errors(page: Page) -> list[tuple[str, str, str]]:
    table = page.soup.select_one("#row-errors")
    assert table is not None, "no table of row errors"
    return [
        tuple(" ".join(cell.get_text().split()) for cell in row.find_all(["th", "td"]))  # type: ignore[misc]
        for row in table.select("tbody tr")
    ]


def summary(page: Page) -> list[str]:
    return [" ".join(a.get_text().split()) for a in page.soup.select(".govuk-error-summary a")]


def csv_of(urns: list[str]) -> bytes:
    """As DfE sends it: name then urn, CRLF, a blank last line."""
    return ("name,urn\r\n" + "".join(f"Upload Test School {urn},{urn}\r\n" for urn in urns) + "\r\n").encode()


@pytest.fixture
def colin(client: Client, seed: SeedData) -> Client:
    client.sign_in("Colin Chapman")
    client.get(PAGE)  # a page with the form: the CSRF token
    return client


def upload_valid(colin: Client, urns: list[str]) -> str:
    page = post_upload(colin, csv_of(urns))
    assert page.status == 303, page.body[:3000]
    assert re.fullmatch(rf"{PAGE}/[0-9a-f]{{32}}", page.location), page.location
    return page.location


# -- the upload page ------------------------------------------------------------------------------
def test_the_upload_page_asks_for_the_academic_year_and_a_csv_file(colin: Client) -> None:
    # When Colin opens the page
    page = colin.get(PAGE)
    # Then it has the year as radios (the windows' years and this year, newest first) and a CSV file input
    assert page.status == 200
    assert page.h1 == "Upload eligible schools"
    years = [radio["value"] for radio in page.soup.select("input[name=academic_year]")]
    assert YEAR in years
    assert years == sorted(years, reverse=True)
    form = page.soup.select_one("form[enctype='multipart/form-data']")
    assert form is not None
    assert form.select_one("input[type=file]#file")["accept"] == ".csv,text/csv"
    assert "urn" in page.soup.select_one(".govuk-details").get_text()


def test_no_year_and_no_file_are_both_errors(colin: Client) -> None:
    # When Colin uploads without choosing either
    page = post_upload(colin, None, year=None)
    # Then both are asked for, linked to their fields, with 200
    assert page.status == 200
    assert summary(page) == ["Select the academic year the schools are eligible for", "Select a CSV file to upload"]
    assert page.soup.select_one(".govuk-error-summary a[href='#academic_year']")


def test_a_year_the_service_does_not_offer_is_refused(colin: Client) -> None:
    urns = make_schools(1)
    page = post_upload(colin, csv_of(urns), year="1999 to 2000")
    assert page.status == 200
    assert summary(page) == ["Select the academic year the schools are eligible for"]
    assert years_of(urns[0]) == frozenset()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "The selected file is empty", id="empty"),
        pytest.param(b"name,school\r\nAlpha,100001\r\n", "The selected file must have a urn column", id="no-urn"),
        pytest.param(b"name,urn\r\n\r\n", "The selected file must include at least one school", id="no-rows"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The selected file must be a CSV", id="not-csv"),
    ],
)
def test_a_file_that_is_not_a_list_of_schools_is_refused_and_nothing_is_stored(
    colin: Client, content: bytes, message: str
) -> None:
    before = stored_uploads()
    page = post_upload(colin, content)
    assert page.status == 200
    assert page.soup.title.get_text().startswith("Error: ")
    assert summary(page) == [message]
    assert stored_uploads() == before


def test_a_file_over_the_size_limit_is_refused(colin: Client) -> None:
    # Given a file just over 5 MB
    content = b"urn\r\n" + b"100001\r\n" * (5 * 1024 * 1024 // 8 + 10)
    page = post_upload(colin, content)
    # Then the page says how large a file may be
    assert page.status == 200
    assert summary(page) == ["The selected file must be smaller than 5MB"]


def test_every_wrong_row_is_listed_with_its_row_number_and_nothing_is_written(colin: Client) -> None:
    # Given one good school, a closed one, and rows of every other kind of problem (a blank line is row 4)
    good = make_schools(1)[0]
    closed = make_schools(1, closed=True)[0]
    content = (
        f"name,urn\r\nGood,{good}\r\nEmpty,\r\n\r\nLetters,12AB34\r\nUnknown,991999\r\nAgain,{good}\r\n"
        f"Closed,{closed}\r\n\r\n"
    ).encode()
    before = stored_uploads()
    # When it is uploaded
    page = post_upload(colin, content)
    # Then every problem is in the table, the count is in the summary, and nothing is stored or changed
    assert page.status == 200
    assert summary(page) == ["Fix the 5 errors in the selected file and upload it again"]
    assert row_errors(page) == [
        ("3", "(blank)", "Enter a URN"),
        ("5", "12AB34", "URN must only include numbers 0 to 9"),
        ("6", "991999", "There is no school with this URN"),
        ("7", good, f"Remove this row: URN {good} is already in row 2"),
        ("8", closed, f"Upload Test School {closed} is closed"),
    ]
    assert "5 errors in the file" in page.text()
    assert stored_uploads() == before
    assert years_of(good) == frozenset()


def test_only_the_first_50_errors_are_listed_with_the_total(colin: Client) -> None:
    content = b"urn\r\n" + b"".join(f"{991000 + n}\r\n".encode() for n in range(70))
    page = post_upload(colin, content)
    assert summary(page) == ["Fix the 70 errors in the selected file and upload it again"]
    assert len(row_errors(page)) == 50
    assert "Showing the first 50 of 70 errors." in page.text()


# -- the check page -------------------------------------------------------------------------------
def test_the_check_page_counts_newly_and_already_eligible_schools_and_writes_nothing(colin: Client) -> None:
    # Given DfE's file of three new schools and one already eligible
    new = make_schools(3)
    old = make_schools(1, eligible=True)
    # When it is uploaded
    check = colin.get(upload_valid(colin, new + old))
    # Then the check page gives the year, the counts, what happens to schools left out, and the first rows
    assert check.h1 == "Check the eligible schools"
    counts = " ".join(check.soup.select_one("#counts").get_text().split())
    assert YEAR in counts
    assert "Schools in the file 4 schools" in counts
    assert "Newly eligible 3 schools" in counts
    assert "Already eligible 1 school" in counts
    assert "No school will lose its eligibility" in check.soup.select_one("#adds").get_text()
    rows = [" ".join(r.get_text().split()) for r in check.soup.select("#preview tbody tr")]
    assert rows[0] == f"2 {new[0]} Upload Test School {new[0]} Newly eligible"
    assert rows[3] == f"5 {old[0]} Upload Test School {old[0]} Already eligible"
    assert check.soup.select_one("main form button").get_text(strip=True) == "Confirm upload"
    # And nothing has changed yet
    assert all(years_of(urn) == frozenset() for urn in new)


# -- confirming -----------------------------------------------------------------------------------
def test_confirming_makes_the_schools_eligible_once_and_records_it_in_activity(colin: Client) -> None:
    from shared.claims.activity import ActivityKind
    from shared.data.activity import Activity

    # Given a checked upload of two new schools and one already eligible
    new = make_schools(2)
    old = make_schools(1, eligible=True)
    path = upload_valid(colin, new + old)
    colin.get(path)
    # When Colin confirms it
    done = colin.post(path)
    # Then the schools are eligible for the year, and the result page says what happened
    assert done.status == 303
    assert done.location == path
    assert all(years_of(urn) == frozenset({YEAR}) for urn in new + old)
    result = colin.get(path)
    assert result.h1 == "Eligible schools uploaded"
    assert "2 schools are now eligible" in result.text()
    assert "1 school was already eligible" in result.text()
    # And Activity has one entry with the counts and a link back
    batch_id = path.rsplit("/", 1)[1]
    entry = Activity().get(batch_id)
    assert entry is not None
    assert entry.kind is ActivityKind.ELIGIBILITY_UPLOAD
    assert entry.actor_name == "Colin Chapman"
    assert entry.summary == f"Schools eligible for {YEAR}"
    assert entry.counts == {"rows": 3, "newly eligible": 2, "already eligible": 1}
    assert entry.link == path
    # When it is confirmed again (a second click, another tab)
    again = colin.post(path)
    # Then nothing more happens: the same result, the same entry
    assert again.status == 303
    assert Activity().get(batch_id) == entry
    assert all(years_of(urn) == frozenset({YEAR}) for urn in new + old)


def test_a_school_keeps_its_other_years_and_a_school_left_out_keeps_this_one(colin: Client) -> None:
    from shared.claims.organisations import School
    from shared.data.organisations import Organisations

    # Given a school eligible last year, and one eligible this year that the file leaves out
    urn = make_schools(1)[0]
    left_out = make_schools(1, eligible=True)[0]
    school = Organisations().get_school(urn)
    Organisations().put_school(School(**{**school.model_dump(), "eligible_years": frozenset({"2025 to 2026"})}))
    # When a file naming only the first is confirmed
    path = upload_valid(colin, [urn])
    colin.post(path)
    # Then the first has both years and the school left out is still eligible (the upload adds)
    assert years_of(urn) == frozenset({"2025 to 2026", YEAR})
    assert years_of(left_out) == frozenset({YEAR})


def test_more_schools_than_one_transaction_takes_are_all_made_eligible(colin: Client) -> None:
    # Given 130 schools (two transactions of at most 100)
    urns = make_schools(130)
    path = upload_valid(colin, urns)
    colin.post(path)
    assert all(years_of(urn) == frozenset({YEAR}) for urn in urns)


def test_a_confirmation_that_stopped_part_way_is_finished_by_confirming_again(
    colin: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.data.activity import Activity
    from shared.data.eligibility_uploads import EligibilityUploads

    # Given a confirmation that runs out of time after writing the first of three schools
    urns = make_schools(3)
    path = upload_valid(colin, urns)
    original = EligibilityUploads.make_eligible
    asked: list[list[str]] = []

    def stop_after_one(wanted: list[str], year: str) -> int:
        asked.append(sorted(wanted))
        original(sorted(wanted)[:1], year)
        raise TimeoutError("the request ran out of time")

    monkeypatch.setattr(EligibilityUploads, "make_eligible", staticmethod(stop_after_one))
    stopped = colin.post(path)
    assert stopped.status == 500
    assert Activity().get(path.rsplit("/", 1)[1]) is None

    def recorded(wanted: list[str], year: str) -> int:
        asked.append(sorted(wanted))
        return original(wanted, year)

    monkeypatch.setattr(EligibilityUploads, "make_eligible", staticmethod(recorded))
    # When Colin opens the upload again
    page = colin.get(path)
    # Then it says it stopped, and confirming again writes only the schools not yet eligible, and finishes
    assert page.h1 == "Finish making these schools eligible"
    assert colin.post(path).status == 303
    assert asked == [urns, urns[1:]]
    assert all(years_of(urn) == frozenset({YEAR}) for urn in urns)
    entry = Activity().get(path.rsplit("/", 1)[1])
    assert entry is not None
    assert entry.counts == {"rows": 3, "newly eligible": 3, "already eligible": 0}
    assert colin.get(path).h1 == "Eligible schools uploaded"


def test_a_school_that_closed_after_the_upload_stops_the_confirmation(colin: Client) -> None:
    from shared.claims.organisations import School
    from shared.data.organisations import Organisations

    # Given a checked upload, then one of its schools closes
    urns = make_schools(2)
    path = upload_valid(colin, urns)
    school = Organisations().get_school(urns[1])
    Organisations().put_school(School(**{**school.model_dump(), "closed": True}))
    # When it is confirmed
    page = colin.post(path)
    # Then the upload page shows why, and no school changed
    assert page.status == 200
    assert row_errors(page) == [("3", urns[1], f"Upload Test School {urns[1]} is closed")]
    assert years_of(urns[0]) == frozenset()


def test_an_upload_not_confirmed_within_a_day_must_be_uploaded_again(colin: Client) -> None:
    import datetime as dt

    from shared.data.items import BatchItem

    # Given an upload made two days ago
    urns = make_schools(1)
    path = upload_valid(colin, urns)
    BatchItem(batch_id=path.rsplit("/", 1)[1]).update(
        actions=[BatchItem.created_at.set((NOW - dt.timedelta(days=2)).isoformat())]
    )
    # When it is opened or confirmed / Then the upload page asks for the file again, and nothing changes
    assert summary(colin.get(path)) == ["This upload has expired. Upload the file again"]
    assert summary(colin.post(path)) == ["This upload has expired. Upload the file again"]
    assert years_of(urns[0]) == frozenset()


# -- who may ----------------------------------------------------------------------------------------
def test_another_support_user_cannot_see_or_confirm_an_upload_but_can_see_its_result(
    colin: Client, apps: dict[str, object]
) -> None:
    urns = make_schools(1)
    path = upload_valid(colin, urns)
    sam = Client(web=apps["web"], support=apps["support"])
    sam.sign_in("Sam Brooks")
    sam.get(PAGE)
    assert sam.get(path).status == 404
    assert sam.post(path).status == 404
    assert years_of(urns[0]) == frozenset()
    colin.post(path)
    assert sam.get(path).h1 == "Eligible schools uploaded"  # Activity links here for everyone


def test_a_school_user_is_refused_every_page(anne: Client) -> None:
    # Given Anne Wilson, a school user, with a form's CSRF token
    from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN

    urns = make_schools(1)
    anne.get(f"/schools/{ANNE_WILSON_SCHOOL_URN}/users/new")
    # When she asks for the pages or posts to them / Then she is refused, and nothing changes
    assert anne.get(PAGE).status == 403
    assert anne.get(f"{PAGE}/{'0' * 32}").status == 403
    assert post_upload(anne, csv_of(urns)).status == 403
    assert anne.post(f"{PAGE}/{'0' * 32}").status == 403
    assert years_of(urns[0]) == frozenset()


def test_the_organisations_list_links_to_the_upload(colin: Client) -> None:
    page = colin.get("/support/organisations")
    links = {" ".join(a.get_text().split()): a["href"] for a in page.soup.select("main a")}
    assert links["Upload eligible schools"] == PAGE
