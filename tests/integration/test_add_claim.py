"""Adding a claim, end to end through the handlers under moto: every step, its errors, the
submission transaction, double clicks, races and withdrawing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, MARY_LAWSON_SCHOOL_URNS
from tests.integration.claims_helpers import (
    add_school_mentor,
    claim_through_check,
    remove_school_mentor,
    start_claim,
    submit,
)
from tests.support import Client, queued_emails

SCHOOL = ANNE_WILSON_SCHOOL_URN
CLAIMS = f"/schools/{SCHOOL}/claims"
MENTORS = {"1000001": ("Emily", "Carter"), "1000002": ("James", "Okafor"), "1000003": ("Priya", "Shah")}


@pytest.fixture
def mentors(anne: Client) -> Iterator[Client]:
    for trn, (first, last) in MENTORS.items():
        add_school_mentor(SCHOOL, trn, first, last)
    queued_emails()
    yield anne
    for trn in MENTORS:
        remove_school_mentor(SCHOOL, trn)


def _allowance(trn: str, provider: str) -> int:
    from shared.data.items import AllowanceItem

    try:
        return int(AllowanceItem.get(f"{trn}#{provider}#2026").used)
    except Exception:  # noqa: BLE001 - no item means nothing used
        return 0


def test_without_mentors_the_claims_page_asks_for_one(anne: Client) -> None:
    page = anne.get(CLAIMS)
    assert "Before you can start a claim, you will need to add a mentor." in page.text()
    assert not page.soup.find("button", string=re.compile("Add claim"))


def test_a_whole_claim_without_javascript(mentors: Client) -> None:
    client = mentors
    # Given Anne presses "Add claim"
    page = client.get(CLAIMS)
    assert page.soup.find("button", string=re.compile("Add claim"))
    base = start_claim(client, SCHOOL)
    # When she searches for a provider without JavaScript
    assert client.get(f"{base}/provider").h1 == "Accredited provider"
    page = client.post(f"{base}/provider", {"provider_search": "sheffield"})
    options = client.follow(page)
    assert options.h1 == "3 results found for ‘sheffield’"
    assert [r["value"] for r in options.soup.select("input[name=provider_code]")] == ["N97", "K0L", "V62"]
    page = client.post(f"{base}/provider-options", {"provider_code": "N97", "query": "sheffield"})
    # Then she chooses mentors
    mentors_page = client.follow(page)
    assert mentors_page.h1 == "Mentors you are claiming for"
    assert [i["value"] for i in mentors_page.soup.select("input[name=mentor_trns]")] == [
        "1000001",
        "1000002",
        "1000003",
    ]
    page = client.post(f"{base}/mentors", {"mentor_trns": ["1000002", "1000001"]})
    # And gives hours for each, in list order
    hours = client.follow(page)
    assert hours.h1 == "Hours of training for Emily Carter"
    assert (
        "Emily Carter (TRN 1000001) is eligible for 16 hours of initial training with Sheffield Hallam University."
        in hours.text()
    )
    assert [label.get_text(strip=True) for label in hours.soup.select(".govuk-radios__label")] == [
        "16 hours",
        "Another amount",
    ]
    page = client.post(f"{base}/hours/1000001", {"hours_choice": "remaining"})
    assert page.location == f"{base}/hours/1000002"
    page = client.post(f"{base}/hours/1000002", {"hours_choice": "custom", "custom_hours": " 1 0 "})
    assert page.location == f"{base}/confirm"
    page = client.post(f"{base}/confirm", {"hours_confirmed": "yes"})
    check = client.follow(page)
    # Then check your answers shows everything, priced at the school's rate
    assert check.h1 == "Check your answers"
    text = check.text()
    for expected in (
        "School Meadowbank Primary School",
        "Academic year 2026 to 2027",
        "Accredited provider Sheffield Hallam University",
        "Emily Carter 16 hours",
        "James Okafor 10 hours",
        "Total hours 26 hours",
        "Hourly rate £43.80",
        "Claim amount £1,138.80",
        "You will not be able to change any of the claim details once you have submitted the claim.",
    ):
        assert expected in text, expected
    changes = [a["href"] for a in check.soup.select(".govuk-summary-list__actions a")]
    assert changes == [f"{base}/provider", f"{base}/mentors", f"{base}/hours/1000001", f"{base}/hours/1000002"]
    # When she accepts and submits
    done = submit(client, base)
    reference = re.search(r"/claims/(\d{8})/submitted$", done.location).group(1)
    confirmation = client.follow(done)
    assert confirmation.h1 == "Claim submitted"
    assert (
        confirmation.soup.select_one(".govuk-panel__body").get_text(" ", strip=True)
        == f"Your reference number {reference}"
    )
    # Then the claim is listed, the hours are used, an event is recorded and every school user is emailed
    listed = client.get(CLAIMS)
    row = listed.soup.find("a", string=reference).find_parent("tr").get_text(" ", strip=True)
    for expected in ("Sheffield Hallam University", "Submitted", "£1,138.80"):
        assert expected in row
    assert (_allowance("1000001", "N97"), _allowance("1000002", "N97")) == (16, 10)
    from shared.data.claims import ClaimsStore

    claim = ClaimsStore().get(reference)
    assert (claim.hourly_rate_pence, claim.amount_pence, claim.submitted_by_name) == (4380, 113880, "Anne Wilson")
    assert [e["action"] for e in ClaimsStore().events(reference)] == ["submitted"]
    emails = queued_emails()
    assert sorted(e["to"] for e in emails) == [
        "anne.wilson@meadowbankprimary.leeds.sch.uk",
        "david.okoro@meadowbankprimary.leeds.sch.uk",
    ]
    assert {e["subject"] for e in emails} == {"Claim submitted for mentor training funding"}
    assert reference in emails[0]["body"]
    # And the claim page shows who submitted it
    page = client.get(f"{CLAIMS}/{reference}")
    assert page.h1 == f"Claim {reference}"
    assert "Submitted by Anne Wilson on 28 November 2026." in page.text()


def test_every_step_has_its_govuk_errors(mentors: Client) -> None:
    client = mentors
    base = start_claim(client, SCHOOL)
    client.get(f"{base}/provider")
    page = client.post(f"{base}/provider", {"provider_search": "  "})
    assert (page.status, page.soup.select_one(".govuk-error-summary a").get_text(strip=True)) == (
        200,
        "Enter an accredited provider name, UKPRN, URN or postcode",
    )
    page = client.get(f"{base}/provider-options?query=leeds")
    assert page.h1 == "4 results found for ‘leeds’"  # the non-accredited Leeds East Teaching School Hub is not offered
    page = client.post(f"{base}/provider-options", {"query": "leeds"})
    assert "Select an accredited provider" in page.text()
    nothing = client.get(f"{base}/provider-options?query=zzzz")
    assert nothing.h1 == "0 results found for ‘zzzz’"
    client.post(f"{base}/provider", {"provider_code": "B68"})
    client.get(f"{base}/mentors")
    page = client.post(f"{base}/mentors", {})
    assert "Select a mentor" in page.soup.select_one(".govuk-error-summary").get_text()
    client.post(f"{base}/mentors", {"mentor_trns": ["1000003"]})
    client.get(f"{base}/hours/1000003")
    assert "Select the number of hours" in client.post(f"{base}/hours/1000003", {}).text()
    assert "Enter the number of hours" in client.post(f"{base}/hours/1000003", {"hours_choice": "custom"}).text()
    for bad in ("0", "17", "2.5", "ten"):
        page = client.post(f"{base}/hours/1000003", {"hours_choice": "custom", "custom_hours": bad})
        assert "Enter the number of hours between 1 and 16" in page.text(), bad
        assert page.soup.select_one("#custom_hours")["value"] == bad  # what was typed is kept
    client.post(f"{base}/hours/1000003", {"hours_choice": "custom", "custom_hours": "4"})
    client.get(f"{base}/confirm")
    page = client.post(f"{base}/confirm", {})
    assert "Confirm you have checked the training hours with University of Leeds" in page.text()


def test_steps_cannot_be_skipped_and_journeys_are_private(mentors: Client, apps: dict) -> None:
    client = mentors
    base = start_claim(client, SCHOOL)
    assert client.get(f"{base}/check").location == f"{base}/provider"
    assert client.get(f"{base}/hours/1000001").location == f"{base}/provider"
    # Another user, even of a school they belong to, cannot open Anne's journey
    mary = Client(web=apps["web"], support=apps["support"])
    mary.sign_in("Mary Lawson")
    other = base.replace(SCHOOL, MARY_LAWSON_SCHOOL_URNS[0])
    assert mary.get(f"{other}/provider").status == 404
    assert mary.get(f"{base}/provider").status == 404


def test_two_claims_in_two_tabs_do_not_mix(mentors: Client) -> None:
    client = mentors
    first = start_claim(client, SCHOOL)
    second = start_claim(client, SCHOOL)
    client.post(f"{first}/provider", {"provider_code": "7G5"})
    client.post(f"{second}/provider", {"provider_code": "D06"})
    assert "University of Birmingham" in client.get(f"{first}/mentors").text()
    assert "Birmingham City University" in client.get(f"{second}/mentors").text()


def test_double_click_submits_one_claim(mentors: Client) -> None:
    client = mentors
    base = start_claim(client, SCHOOL)
    claim_through_check(client, base, "2F9", {"1000001": 5})
    first = submit(client, base)
    second = submit(client, base)
    assert first.location == second.location
    assert _allowance("1000001", "2F9") == 5
    assert client.get(f"{base}/check").location == first.location  # the journey is finished


def test_someone_else_got_there_first(mentors: Client) -> None:
    client = mentors
    # Given two claims for the same mentor and provider reach check answers, together over the cap
    first = start_claim(client, SCHOOL)
    claim_through_check(client, first, "6F0", {"1000002": 10})
    second = start_claim(client, SCHOOL)
    claim_through_check(client, second, "6F0", {"1000002": 10})
    # When both are submitted
    assert submit(client, first).status == 303
    page = submit(client, second)
    # Then the second writes nothing and says why
    assert page.status == 409
    assert page.h1 == "You cannot submit the claim because your mentors’ information has recently changed"
    assert _allowance("1000002", "6F0") == 10


def test_used_up_mentors_are_not_offered(mentors: Client) -> None:
    client = mentors
    base = start_claim(client, SCHOOL)
    claim_through_check(client, base, "1RJ", {"1000003": "all"})
    submit(client, base)
    again = start_claim(client, SCHOOL)
    client.post(f"{again}/provider", {"provider_code": "1RJ"})
    page = client.get(f"{again}/mentors")
    assert [i["value"] for i in page.soup.select("input[name=mentor_trns]")] == ["1000001", "1000002"]
    assert "Priya Shah (16 hours)" in page.soup.select_one(".govuk-details").get_text(" ", strip=True)


def test_partly_used_hours_offer_the_rest(mentors: Client) -> None:
    client = mentors
    base = start_claim(client, SCHOOL)
    claim_through_check(client, base, "8RN", {"1000001": 10})
    submit(client, base)
    again = start_claim(client, SCHOOL)
    client.post(f"{again}/provider", {"provider_code": "8RN"})
    client.post(f"{again}/mentors", {"mentor_trns": ["1000001"]})
    page = client.get(f"{again}/hours/1000001")
    assert "There are 6 hours left to claim for Emily Carter with University of Manchester." in page.text()
    assert page.soup.select(".govuk-radios__label")[0].get_text(strip=True) == "6 hours"


def test_withdrawing_releases_the_hours(mentors: Client) -> None:
    client = mentors
    base = start_claim(client, SCHOOL)
    claim_through_check(client, base, "V62", {"1000001": 12})
    reference = re.search(r"/claims/(\d+)/submitted", submit(client, base).location).group(1)
    assert _allowance("1000001", "V62") == 12
    page = client.get(f"{CLAIMS}/{reference}/withdraw")
    assert page.h1 == "Are you sure you want to withdraw this claim?"
    done = client.post(f"{CLAIMS}/{reference}/withdraw")
    assert done.location == f"{CLAIMS}/{reference}"
    claim = client.follow(done)
    assert f"Claim {reference} has been withdrawn" in claim.text()
    assert "Withdrawn" in claim.text()
    assert _allowance("1000001", "V62") == 0
    from shared.data.claims import ClaimsStore

    assert [e["action"] for e in ClaimsStore().events(reference)] == ["submitted", "withdrawn_by_school"]
    # Each user of the school is told, with who withdrew it
    withdrawn = [e for e in queued_emails() if e["kind"] == "claim_withdrawn" and e["reference"] == reference]
    assert withdrawn
    assert all(e["subject"] == f"Claim {reference} has been withdrawn" for e in withdrawn)
    # A second withdrawal changes nothing
    again = client.post(f"{CLAIMS}/{reference}/withdraw")
    assert again.location == f"{CLAIMS}/{reference}/withdraw"
    assert _allowance("1000001", "V62") == 0


def test_another_schools_claims_are_not_found(mentors: Client, apps: dict) -> None:
    client = mentors
    base = start_claim(client, SCHOOL)
    claim_through_check(client, base, "G56", {"1000002": 3})
    reference = re.search(r"/claims/(\d+)/submitted", submit(client, base).location).group(1)
    mary = Client(web=apps["web"], support=apps["support"])
    mary.sign_in("Mary Lawson")
    for path in (f"{CLAIMS}/{reference}", f"{CLAIMS}/{reference}/submitted", f"{CLAIMS}/{reference}/withdraw"):
        assert mary.get(path).status == 404, path
    other_school = f"/schools/{MARY_LAWSON_SCHOOL_URNS[0]}/claims/{reference}"
    assert mary.get(other_school).status == 404
    assert mary.get(f"{other_school}/withdraw").status == 404


def test_a_mentor_removed_before_submission_stops_the_claim(mentors: Client) -> None:
    client = mentors
    base = start_claim(client, SCHOOL)
    claim_through_check(client, base, "5RJ", {"1000003": 2})
    # Given the mentor is removed from the school's list after check your answers
    remove_school_mentor(SCHOOL, "1000003")
    try:
        page = submit(client, base)
    finally:
        add_school_mentor(SCHOOL, "1000003", "Priya", "Shah")
    # Then nothing is written and the school is told why
    assert page.status == 409
    assert _allowance("1000003", "5RJ") == 0


def _window_of(school_id: str) -> str:
    from shared.claims.windows import current_window
    from shared.data.claim_windows import ClaimWindows
    from tests.support import NOW

    window = current_window(ClaimWindows().all(), NOW)
    assert window is not None
    return window.window_id


@pytest.fixture
def reopened_after() -> Iterator[list[str]]:
    """Windows a test closes are open again after it (the demo data is shared)."""
    closed: list[str] = []
    yield closed
    from shared.data.items import ClaimWindowItem

    for window_id in closed:
        ClaimWindowItem(window_id=window_id).update(actions=[ClaimWindowItem.closed_at.remove()])


def test_a_claim_submitted_as_its_window_closes_is_refused_and_says_so(
    mentors: Client, monkeypatch: pytest.MonkeyPatch, reopened_after: list[str]
) -> None:
    from shared.data.claim_windows import ClaimWindows
    from shared.data.claims import ClaimsStore
    from tests.support import NOW

    client = mentors
    base = start_claim(client, SCHOOL)
    claim_through_check(client, base, "B68", {"1000001": 4})
    # Given the payment run closes the window after the submission has checked it is open, before it writes
    window_id = _window_of(SCHOOL)
    submit_claim = ClaimsStore.submit

    def closing_first(self: ClaimsStore, *args: object, **kwargs: object) -> object:
        ClaimWindows().mark_closed(window_id, NOW)
        reopened_after.append(window_id)
        return submit_claim(self, *args, **kwargs)

    monkeypatch.setattr(ClaimsStore, "submit", closing_first)
    # When Anne submits
    page = submit(client, base)
    # Then nothing is written (the claim would never have been checked or paid) and she is told why
    assert page.status == 409
    assert page.h1 == "The claim window closed before your claim was submitted"
    assert "no hours have been used" in page.text()
    assert _allowance("1000001", "B68") == 0
    assert not [c for c in ClaimsStore().for_school(SCHOOL) if c.provider_code == "B68"]


def test_a_mentor_leaving_the_school_while_the_claim_is_written_stops_it(
    mentors: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.data.claims import ClaimsStore

    client = mentors
    base = start_claim(client, SCHOOL)
    claim_through_check(client, base, "2F9", {"1000002": 3})
    # Given a colleague removes the mentor after the submission read the school's mentors, before it writes
    submit_claim = ClaimsStore.submit

    def removed_first(self: ClaimsStore, *args: object, **kwargs: object) -> object:
        monkeypatch.setattr(ClaimsStore, "submit", submit_claim)
        remove_school_mentor(SCHOOL, "1000002")
        return submit_claim(self, *args, **kwargs)

    monkeypatch.setattr(ClaimsStore, "submit", removed_first)
    try:
        page = submit(client, base)
    finally:
        add_school_mentor(SCHOOL, "1000002", "James", "Okafor")
    # Then nothing is written: the school's mentor list changed under the claim
    assert page.status == 409
    assert page.h1 == "You cannot submit the claim because your mentors’ information has recently changed"
    assert _allowance("1000002", "2F9") == 0


def test_another_mentor_leaving_while_the_claim_is_written_does_not_stop_it(
    mentors: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.data.claims import ClaimsStore

    client = mentors
    add_school_mentor(SCHOOL, "1000004", "Omar", "Haddad")
    base = start_claim(client, SCHOOL)
    claim_through_check(client, base, "V62", {"1000003": 2})
    # Given a colleague removes a mentor who is not on this claim, between reading the list and writing
    submit_claim = ClaimsStore.submit

    def removed_first(self: ClaimsStore, *args: object, **kwargs: object) -> object:
        monkeypatch.setattr(ClaimsStore, "submit", submit_claim)
        remove_school_mentor(SCHOOL, "1000004")
        return submit_claim(self, *args, **kwargs)

    monkeypatch.setattr(ClaimsStore, "submit", removed_first)
    page = submit(client, base)
    # Then the submission reads the list again and the claim is submitted
    assert page.status == 303
    assert page.location.endswith("/submitted")
    assert _allowance("1000003", "V62") == 2


FIFTY = {str(2_000_000 + n): ("Mentor", f"Number{n}") for n in range(51)}


def test_a_claim_of_fifty_mentors_submits_and_a_fifty_first_is_refused_on_the_mentors_step(anne: Client) -> None:
    from shared.claims.claim import MAX_MENTORS_PER_CLAIM

    for trn, (first, last) in FIFTY.items():
        add_school_mentor(SCHOOL, trn, first, last)
    try:
        client = anne
        base = start_claim(client, SCHOOL)
        client.get(f"{base}/provider")
        client.post(f"{base}/provider", {"provider_code": "N97", "provider_search": ""})
        # When Anne chooses all 51 mentors
        refused = client.post(f"{base}/mentors", {"mentor_trns": list(FIFTY)})
        # Then the mentors step says how many one claim can hold, and keeps her choices
        assert refused.status == 200
        summary = refused.soup.select_one(".govuk-error-summary a").get_text(strip=True)
        assert summary == (
            f"Select {MAX_MENTORS_PER_CLAIM} mentors or fewer. You can claim for the other mentors in another claim"
        )
        assert len(refused.soup.select("input[name=mentor_trns][checked]")) == 51
        # When she claims for 50 of them, an hour each
        fifty = list(FIFTY)[:MAX_MENTORS_PER_CLAIM]
        page = client.post(f"{base}/mentors", {"mentor_trns": fifty})
        asked = []
        while page.location.startswith(f"{base}/hours/"):
            asked.append(page.location.rsplit("/", 1)[-1])
            page = client.post(page.location, {"hours_choice": "custom", "custom_hours": "1"})
        assert sorted(asked) == sorted(fifty)  # each mentor's hours once (in the list's order)
        client.post(f"{base}/confirm", {"hours_confirmed": "yes"})
        assert client.get(f"{base}/check").h1 == "Check your answers"
        done = submit(client, base)
        # Then it is submitted in one transaction (55 of DynamoDB's 100 items), every mentor's hour counted
        assert done.status == 303, done.h1
        assert done.location.endswith("/submitted")
        assert all(_allowance(trn, "N97") == 1 for trn in fifty)
    finally:
        for trn in FIFTY:
            remove_school_mentor(SCHOOL, trn)


def test_a_mentor_removed_after_being_chosen_is_explained_on_their_hours_step(mentors: Client) -> None:
    # Given Anne chose Emily Carter for a claim, then Emily was removed from the school's mentors
    client = mentors
    base = start_claim(client, SCHOOL)
    client.post(f"{base}/provider", {"provider_code": "V62"})
    client.post(f"{base}/mentors", {"mentor_trns": ["1000001"]})
    remove_school_mentor(SCHOOL, "1000001")
    try:
        # When she opens or answers Emily's hours step / Then she is told the mentors changed, not shown an error
        for page in (client.get(f"{base}/hours/1000001"), client.post(f"{base}/hours/1000001", {"hours": "6"})):
            assert page.status == 409
            assert page.h1 == "You cannot submit the claim because your mentors’ information has recently changed"
    finally:
        add_school_mentor(SCHOOL, "1000001", "Emily", "Carter")
