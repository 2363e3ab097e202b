"""Drafts DfE support prepares for a school (ADR 0022), end to end through both functions under moto: the
support journey (school → provider → mentors → hours → check → "Save draft"), its errors, the school seeing,
changing and submitting the draft with the declaration in one transaction, and what support cannot do."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, COLIN_CHAPMAN_USER_ID, NOT_ELIGIBLE_SCHOOL_URN
from tests.integration.claims_helpers import add_school_mentor, remove_school_mentor
from tests.support import NOW, Client, Page, queued_emails

SCHOOL = ANNE_WILSON_SCHOOL_URN
SCHOOL_NAME = "Meadowbank Primary School"
CLAIMS = f"/schools/{SCHOOL}/claims"
NEW = "/support/claims/drafts/new"
# Mentors of these tests only (the other claim tests use 1000001-1000003), gone again after each test.
MENTORS = {"3100001": ("Amara", "Grant"), "3100002": ("Noah", "Patel")}
LEEDS = "B68"  # University of Leeds
SHEFFIELD_HALLAM = "N97"


@pytest.fixture
def support(apps: dict[str, Any], anne: Client) -> Iterator[Client]:
    """Colin Chapman (support) in his own browser, Meadowbank's mentors in place; the claims, allowances and
    mentors a test makes are removed after it (the demo data is shared by the suite)."""
    from shared.data.claims import ClaimsStore
    from shared.data.items import AllowanceItem, ClaimItem

    before = {claim.reference for claim in ClaimsStore().for_school(SCHOOL)}
    for trn, (first, last) in MENTORS.items():
        add_school_mentor(SCHOOL, trn, first, last)
    colin = Client(web=apps["web"], support=apps["support"])
    colin.sign_in("Colin Chapman")
    queued_emails()
    yield colin
    for claim in ClaimsStore().for_school(SCHOOL):
        if claim.reference not in before:
            ClaimItem(claim_id=claim.reference).delete()
            for mentor in claim.mentors:
                AllowanceItem(allowance_id=f"{mentor.trn}#{claim.provider_code}#2026").delete()
    for trn in MENTORS:
        remove_school_mentor(SCHOOL, trn)


@pytest.fixture
def reopened_after() -> Iterator[list[str]]:
    """Windows a test closes are open again after it."""
    closed: list[str] = []
    yield closed
    from shared.data.items import ClaimWindowItem

    for window_id in closed:
        ClaimWindowItem(window_id=window_id).update(actions=[ClaimWindowItem.closed_at.remove()])


def _window_id() -> str:
    from shared.claims.windows import current_window
    from shared.data.claim_windows import ClaimWindows

    window = current_window(ClaimWindows().all(), NOW)
    assert window is not None
    return window.window_id


def _close_window(closed: list[str]) -> None:
    from shared.data.claim_windows import ClaimWindows

    window_id = _window_id()
    ClaimWindows().mark_closed(window_id, NOW)
    closed.append(window_id)


def _allowance(trn: str, provider: str) -> int:
    from shared.data.items import AllowanceItem

    try:
        return int(AllowanceItem.get(f"{trn}#{provider}#2026").used)
    except Exception:  # noqa: BLE001 - no item means nothing used
        return 0


def _claim(reference: str) -> Any:
    from shared.data.claims import ClaimsStore

    return ClaimsStore().get(reference)


def _error_summary(page: Page) -> str:
    summary = page.soup.select_one(".govuk-error-summary")
    assert summary is not None, page.body[:500]
    return summary.get_text(" ", strip=True)


def _start(colin: Client, school: str = SCHOOL) -> str:
    """The school question answered by URN: the journey's base URL (at the provider step)."""
    colin.get(NEW)
    page = colin.post(NEW, {"school_search": school})
    assert page.status == 303, page.body[:500]
    found = re.match(rf"({NEW}/[0-9a-f]+)/provider$", page.location)
    assert found, page.location
    return found.group(1)


def _through_check(colin: Client, base: str, provider: str, hours: dict[str, int]) -> Page:
    colin.get(f"{base}/provider")
    page = colin.post(f"{base}/provider", {"provider_code": provider, "provider_search": ""})
    assert page.location == f"{base}/mentors", page.location
    colin.get(f"{base}/mentors")
    page = colin.post(f"{base}/mentors", {"mentor_trns": list(hours)})
    for trn, value in hours.items():
        assert page.location == f"{base}/hours/{trn}", page.location
        colin.get(page.location)
        page = colin.post(f"{base}/hours/{trn}", {"hours_choice": "custom", "custom_hours": str(value)})
    assert page.location == f"{base}/check", page.location  # no "confirm hours" step: the school confirms
    return colin.get(f"{base}/check")


def _save(colin: Client, base: str) -> str:
    page = colin.post(f"{base}/save")
    found = re.match(r"/support/claims/drafts/(\d{8})/saved$", page.location)
    assert found, (page.status, page.location, page.body[:500])
    return found.group(1)


def _draft(colin: Client, provider: str = LEEDS, hours: dict[str, int] | None = None) -> str:
    base = _start(colin)
    _through_check(colin, base, provider, hours or {"3100001": 6})
    reference = _save(colin, base)
    queued_emails()
    return reference


def _at_check(anne: Client, reference: str) -> str:
    """Anne presses "Submit claim" on the draft's page and confirms the hours: her journey's base URL."""
    anne.get(f"{CLAIMS}/{reference}")
    base = anne.post(f"{CLAIMS}/{reference}/change").location.removesuffix("/confirm")
    anne.post(f"{base}/confirm", {"hours_confirmed": "yes"})
    return base


# -- the support journey ------------------------------------------------------------------------------
def test_support_prepares_a_draft_end_to_end(support: Client) -> None:
    from shared.data.users import member_emails

    colin = support
    # Given Colin is on All claims
    listing = colin.get("/support/claims")
    link = listing.soup.find("a", string=re.compile("Create a draft claim"))
    assert link is not None
    assert link["href"] == NEW
    # When he answers which school, by URN
    page = colin.get(NEW)
    assert page.h1 == "Which school is the claim for?"
    assert page.soup.select_one(".govuk-back-link")["href"] == "/support/claims"
    base = _start(colin)
    # And the school journey's own steps: provider, mentors, hours
    provider = colin.get(f"{base}/provider")
    assert provider.h1 == "Accredited provider"
    assert "Create a draft claim - Meadowbank Primary School" in provider.text()
    assert provider.soup.select_one(".govuk-back-link")["href"] == f"{base}/school"
    check = _through_check(colin, base, LEEDS, {"3100001": 6, "3100002": 4})
    # Then check your answers shows the claim as the school's journey prices it, and says who submits
    assert check.h1 == "Check your answers"
    text = check.text()
    for expected in (
        f"School {SCHOOL_NAME} (URN {SCHOOL})",
        "Academic year 2026 to 2027",
        "Accredited provider University of Leeds",
        "Amara Grant 6 hours",
        "Noah Patel 4 hours",
        "Total hours 10 hours",
        "Hourly rate £43.80",
        "Claim amount £438.00",
        "You cannot submit the claim for the school.",
    ):
        assert expected in text, expected
    assert "Accept and submit" not in text
    assert check.soup.find("button", string=re.compile("Save draft"))
    changes = [a["href"] for a in check.soup.select(".govuk-summary-list__actions a")]
    assert changes == [
        f"{base}/school",
        f"{base}/provider",
        f"{base}/mentors",
        f"{base}/hours/3100001",
        f"{base}/hours/3100002",
    ]
    # When he saves the draft
    saved = colin.post(f"{base}/save")
    reference = re.match(r"/support/claims/drafts/(\d{8})/saved$", saved.location).group(1)
    again = colin.post(f"{base}/save")  # a second click saves nothing more
    assert again.location == saved.location
    confirmation = colin.follow(saved)
    # Then he sees the reference
    assert confirmation.h1 == "Draft claim saved"
    assert confirmation.soup.select_one(".govuk-panel__body").get_text(" ", strip=True) == (
        f"Claim reference {reference}"
    )
    assert confirmation.soup.find("a", string="View the claim")["href"] == f"/support/claims/{reference}"
    # And the draft is stored, prepared by him, priced, holding no hours, with its event
    draft = _claim(reference)
    assert (draft.status.value, draft.prepared_by, draft.submitted_at) == ("draft", COLIN_CHAPMAN_USER_ID, None)
    assert (draft.provider_code, draft.hourly_rate_pence, draft.amount_pence) == (LEEDS, 4380, 43800)
    assert [(m.trn, m.hours) for m in draft.mentors] == [("3100001", 6), ("3100002", 4)]
    assert (_allowance("3100001", LEEDS), _allowance("3100002", LEEDS)) == (0, 0)
    from shared.data.claims import ClaimsStore

    events = ClaimsStore().events(reference)
    assert [(e["action"], e["from"], e["to"], e["actor"]) for e in events] == [
        ("draft_prepared_by_support", None, "draft", COLIN_CHAPMAN_USER_ID)
    ]
    # And each of the school's users is emailed, once
    emails = [e for e in queued_emails() if e["reference"] == reference]
    assert sorted(e["to"] for e in emails) == member_emails(SCHOOL)
    assert {e["subject"] for e in emails} == {f"DfE support has prepared a draft claim for {SCHOOL_NAME}"}
    body = emails[0]["body"]
    assert "submit the claim before the claim window closes at 11:59pm on" in body
    assert f"/schools/{SCHOOL}/claims/{reference}" in body
    # And the journey is finished: its pages go to the confirmation
    assert colin.get(f"{base}/check").location == f"/support/claims/drafts/{reference}/saved"


def test_a_school_found_by_name(support: Client) -> None:
    colin = support
    colin.get(NEW)
    page = colin.post(NEW, {"school_search": "meadowbank"})
    found = re.match(rf"({NEW}/[0-9a-f]+)/school-options\?query=meadowbank$", page.location)
    assert found, page.location
    base = found.group(1)
    options = colin.follow(page)
    assert re.match(r"\d+ results? found for ‘meadowbank’", options.h1)
    assert SCHOOL in [i["value"] for i in options.soup.select("input[name=school_id]")]
    page = colin.post(f"{base}/school-options", {"school_id": SCHOOL, "query": "meadowbank"})
    assert page.location == f"{base}/provider"
    nothing = colin.get(f"{base}/school-options?query=zzzz")
    assert nothing.h1 == "0 results found for ‘zzzz’"


def test_every_step_has_its_govuk_errors_and_keeps_what_was_typed(support: Client, seed: Any) -> None:
    colin = support
    colin.get(NEW)
    # The school: nothing, an unknown URN, an ineligible school, a school without mentors
    page = colin.post(NEW, {"school_search": "  "})
    assert (page.status, _error_summary(page)) == (200, "There is a problem Enter a school name or URN")
    page = colin.post(NEW, {"school_search": "999999"})
    assert page.status == 200
    assert "There is no school with URN 999999. Check the URN, or enter the school’s name" in _error_summary(page)
    assert page.soup.select_one("#school-search")["value"] == "999999"
    page = colin.post(NEW, {"school_search": NOT_ELIGIBLE_SCHOOL_URN})
    assert (
        "Hawthorn Lane Primary School is not eligible to claim funding for mentor training in academic year "
        "2026 to 2027" in _error_summary(page)
    )
    without_mentors = _eligible_school_without_mentors(seed)
    page = colin.post(NEW, {"school_search": without_mentors.urn})
    assert f"{without_mentors.name} has not added any mentors." in _error_summary(page)
    # The search results: nothing chosen, an ineligible school chosen (the search is kept)
    page = colin.post(NEW, {"school_search": "hawthorn"})
    base = re.match(rf"({NEW}/[0-9a-f]+)/", page.location).group(1)
    colin.follow(page)
    page = colin.post(f"{base}/school-options", {"query": "hawthorn"})
    assert "Select a school" in _error_summary(page)
    assert page.soup.select_one("input[name=query]")["value"] == "hawthorn"
    page = colin.post(f"{base}/school-options", {"query": "hawthorn", "school_id": NOT_ELIGIBLE_SCHOOL_URN})
    assert "is not eligible" in _error_summary(page)
    # The provider, the mentors and the hours: the school journey's errors
    base = _start(colin)
    colin.get(f"{base}/provider")
    page = colin.post(f"{base}/provider", {"provider_search": " "})
    assert "Enter an accredited provider name, UKPRN, URN or postcode" in _error_summary(page)
    colin.get(f"{base}/provider-options?query=leeds")
    page = colin.post(f"{base}/provider-options", {"query": "leeds"})
    assert "Select an accredited provider" in _error_summary(page)
    colin.post(f"{base}/provider", {"provider_code": LEEDS})
    colin.get(f"{base}/mentors")
    page = colin.post(f"{base}/mentors", {})
    assert "Select a mentor" in _error_summary(page)
    colin.post(f"{base}/mentors", {"mentor_trns": ["3100002"]})
    colin.get(f"{base}/hours/3100002")
    assert "Select the number of hours" in _error_summary(colin.post(f"{base}/hours/3100002", {}))
    page = colin.post(f"{base}/hours/3100002", {"hours_choice": "custom", "custom_hours": "17"})
    assert "Enter the number of hours between 1 and 16" in _error_summary(page)
    assert page.soup.select_one("#custom_hours")["value"] == "17"
    # And nothing answered before was lost
    assert colin.post(f"{base}/hours/3100002", {"hours_choice": "custom", "custom_hours": "3"}).location == (
        f"{base}/check"
    )
    assert "Noah Patel 3 hours" in colin.get(f"{base}/check").text()


def _eligible_school_without_mentors(seed: Any) -> Any:
    from shared.data.mentors import Mentors

    for school in seed.schools:
        if school.urn in seed.eligible_school_urns and school.urn != SCHOOL and not Mentors().of_school(school.urn):
            return school
    raise AssertionError("every eligible school has mentors")


def test_no_draft_can_be_created_while_no_window_is_open(support: Client, reopened_after: list[str]) -> None:
    colin = support
    base = _start(colin)
    _close_window(reopened_after)
    page = colin.get(NEW)
    assert page.h1 == "You cannot create a draft claim at the moment"
    assert "There is no open claim window." in page.text()
    assert colin.get(f"{base}/provider").h1 == "You cannot create a draft claim at the moment"


# -- the school's side -------------------------------------------------------------------------------------
def test_the_school_sees_changes_and_submits_the_draft(support: Client, anne: Client) -> None:
    from shared.data.claims import ClaimsStore

    reference = _draft(support, LEEDS, {"3100001": 6, "3100002": 4})
    # Given Anne looks at her school's claims
    listing = anne.get(CLAIMS)
    row = listing.soup.find("a", string=reference).find_parent("tr").get_text(" ", strip=True)
    for expected in ("University of Leeds", "Not submitted", "£438.00", "Draft — prepared by DfE support"):
        assert expected in row, expected
    # When she opens the draft
    page = anne.get(f"{CLAIMS}/{reference}")
    assert page.h1 == f"Claim {reference}"
    text = page.text()
    for expected in (
        "Draft — prepared by DfE support",
        "DfE support prepared this draft claim on 28 November 2026. It has not been submitted.",
        "Accredited provider University of Leeds",
        "Amara Grant 6 hours",
        "Noah Patel 4 hours",
        "Claim amount £438.00",
    ):
        assert expected in text, expected
    change = f"{CLAIMS}/{reference}/change"
    links = [a["href"] for a in page.soup.select(".govuk-summary-list__actions a")]
    assert links == [
        f"{change}?step=provider",
        f"{change}?step=mentors",
        f"{change}?step=hours&trn=3100001",
        f"{change}?step=hours&trn=3100002",
    ]
    assert page.soup.find("button", string=re.compile("Submit claim"))
    # And changes Amara's hours: the school's journey, filled in from the draft
    started = anne.get(f"{change}?step=hours&trn=3100001")
    found = re.match(rf"({CLAIMS}/new/[0-9a-f]+)/hours/3100001$", started.location)
    assert found, started.location
    base = found.group(1)
    hours = anne.follow(started)
    assert hours.h1 == "Hours of training for Amara Grant"
    assert f"Draft claim {reference} - {SCHOOL_NAME}" in hours.text()
    assert hours.soup.select_one("#custom_hours")["value"] == "6"
    page = anne.post(f"{base}/hours/3100001", {"hours_choice": "custom", "custom_hours": "8"})
    # Then she confirms the hours with the provider, and checks her answers with the declaration
    assert page.location == f"{base}/confirm"
    page = anne.post(f"{base}/confirm", {"hours_confirmed": "yes"})
    check = anne.follow(page)
    assert check.h1 == "Check your answers"
    for expected in ("Amara Grant 8 hours", "Noah Patel 4 hours", "Claim amount £525.60", "Declaration"):
        assert expected in check.text(), expected
    # When she accepts and submits
    done = anne.post(f"{base}/submit")
    # Then the draft itself is the submitted claim: the same reference, its hours counted, its events
    assert done.location == f"{CLAIMS}/{reference}/submitted"
    assert anne.follow(done).h1 == "Claim submitted"
    claim = _claim(reference)
    assert (claim.status.value, claim.version, claim.amount_pence) == ("submitted", 2, 12 * 4380)
    assert [(m.trn, m.hours) for m in claim.mentors] == [("3100001", 8), ("3100002", 4)]
    assert claim.submitted_at == NOW
    assert claim.prepared_by == COLIN_CHAPMAN_USER_ID
    assert claim.submitted_by_name == "Anne Wilson"
    assert (_allowance("3100001", LEEDS), _allowance("3100002", LEEDS)) == (8, 4)
    assert [claim.reference for claim in ClaimsStore().for_school(SCHOOL)].count(reference) == 1
    events = ClaimsStore().events(reference)
    assert [(e["action"], e["from"], e["to"]) for e in events] == [
        ("draft_prepared_by_support", None, "draft"),
        ("submitted", "draft", "submitted"),
    ]
    assert "Submitted" in anne.get(CLAIMS).soup.find("a", string=reference).find_parent("tr").get_text()
    assert [e["subject"] for e in queued_emails() if e["reference"] == reference][:1] == [
        "Claim submitted for mentor training funding"
    ]
    # And a second click finds the journey finished
    assert anne.post(f"{base}/submit").location == done.location


def test_submit_claim_goes_through_confirm_and_check(support: Client, anne: Client) -> None:
    reference = _draft(support, SHEFFIELD_HALLAM, {"3100002": 5})
    anne.get(f"{CLAIMS}/{reference}")
    started = anne.post(f"{CLAIMS}/{reference}/change")
    assert re.match(rf"{CLAIMS}/new/[0-9a-f]+/confirm$", started.location), started.location
    confirm = anne.follow(started)
    assert confirm.h1 == "Confirm the training hours"
    base = started.location.removesuffix("/confirm")
    anne.post(f"{base}/confirm", {"hours_confirmed": "yes"})
    changes = [a["href"] for a in anne.get(f"{base}/check").soup.select(".govuk-summary-list__actions a")]
    assert changes == [f"{base}/provider", f"{base}/mentors", f"{base}/hours/3100002"]
    assert anne.post(f"{base}/submit").location == f"{CLAIMS}/{reference}/submitted"
    assert _claim(reference).status.value == "submitted"
    assert _allowance("3100002", SHEFFIELD_HALLAM) == 5


def test_submitting_a_draft_over_the_cap_is_refused(support: Client, anne: Client) -> None:
    from tests.integration.claims_helpers import claim_through_check, start_claim, submit

    # Given a draft gives Amara 10 hours with Leeds
    reference = _draft(support, LEEDS, {"3100001": 10})
    base = _at_check(anne, reference)
    # And meanwhile Anne's own claim uses 10 of Amara's 16 hours with Leeds
    own = start_claim(anne, SCHOOL)
    claim_through_check(anne, own, LEEDS, {"3100001": 10})
    assert submit(anne, own).status == 303
    assert _allowance("3100001", LEEDS) == 10
    # When she submits the draft
    page = anne.post(f"{base}/submit")
    # Then nothing is written and she is told why
    assert page.status == 409
    assert page.h1 == "You cannot submit the claim because your mentors’ information has recently changed"
    assert _allowance("3100001", LEEDS) == 10
    draft = _claim(reference)
    assert (draft.status.value, draft.version) == ("draft", 1)


def test_the_cap_holds_in_the_transaction_itself(
    support: Client, anne: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.data.items import AllowanceItem

    reference = _draft(support, LEEDS, {"3100002": 10})
    base = _at_check(anne, reference)
    # Given another school's claim takes 10 of Noah's hours after the draft's hours were checked, before the write
    from shared.data.claims import ClaimsStore

    submit_claim = ClaimsStore.submit

    def someone_first(self: ClaimsStore, *args: Any, **kwargs: Any) -> Any:
        AllowanceItem(
            allowance_id=f"3100002#{LEEDS}#2026",
            used=10,
            trn="3100002",
            provider_code=LEEDS,
            academic_year="2026 to 2027",
        ).save()
        return submit_claim(self, *args, **kwargs)

    monkeypatch.setattr(ClaimsStore, "submit", someone_first)
    page = anne.post(f"{base}/submit")
    assert page.status == 409
    assert _allowance("3100002", LEEDS) == 10
    assert _claim(reference).status.value == "draft"


def test_a_draft_whose_window_has_closed_cannot_be_submitted(
    support: Client, anne: Client, reopened_after: list[str]
) -> None:
    # Given Anne has a draft open at check answers
    reference = _draft(support, LEEDS, {"3100001": 4})
    base = _at_check(anne, reference)
    # When the claim window closes and she submits
    _close_window(reopened_after)
    page = anne.post(f"{base}/submit")
    # Then she is told it can no longer be submitted, and nothing changed
    assert page.h1 == "You cannot submit this draft claim"
    assert "The claim window for this draft claim has closed, so it can no longer be changed or submitted." in (
        page.text()
    )
    draft = _claim(reference)
    assert (draft.status.value, draft.version) == ("draft", 1)
    assert _allowance("3100001", LEEDS) == 0
    # And the draft's page says so, with nothing to change or submit
    page = anne.get(f"{CLAIMS}/{reference}")
    assert "The claim window for this draft claim has closed" in page.text()
    assert not page.soup.select(".govuk-summary-list__actions a")
    assert not page.soup.find("button", string=re.compile("Submit claim"))
    assert anne.post(f"{CLAIMS}/{reference}/change").h1 == "You cannot submit this draft claim"


def test_a_draft_submitted_as_its_window_closes_writes_nothing(
    support: Client, anne: Client, monkeypatch: pytest.MonkeyPatch, reopened_after: list[str]
) -> None:
    from shared.data.claims import ClaimsStore

    reference = _draft(support, LEEDS, {"3100001": 4})
    base = _at_check(anne, reference)
    submit_claim = ClaimsStore.submit

    def closing_first(self: ClaimsStore, *args: Any, **kwargs: Any) -> Any:
        _close_window(reopened_after)
        return submit_claim(self, *args, **kwargs)

    monkeypatch.setattr(ClaimsStore, "submit", closing_first)
    page = anne.post(f"{base}/submit")
    assert page.status == 409
    assert page.h1 == "The claim window closed before your claim was submitted"
    assert (_claim(reference).status.value, _allowance("3100001", LEEDS)) == ("draft", 0)


# -- support cannot submit ---------------------------------------------------------------------------------
def test_support_cannot_submit_a_draft(support: Client, anne: Client) -> None:
    # Given a draft, and Anne's journey over it at check answers
    reference = _draft(support, LEEDS, {"3100001": 4})
    base = _at_check(anne, reference)
    colin = support
    colin.get(NEW)  # a support page with a form: Colin's own CSRF token
    # When Colin posts to the school's pages that submit it
    for path in (f"{base}/submit", f"{CLAIMS}/{reference}/change"):
        page = colin.post(path)
        # Then he is refused: he is not a member of the school
        assert page.status == 403, (path, page.status)
    assert colin.get(f"{CLAIMS}/{reference}").status == 403
    # And the support console has no way to submit it
    assert colin.post(f"/support/claims/drafts/{reference}/submit").status == 404
    # And nothing changed
    draft = _claim(reference)
    assert (draft.status.value, draft.version, draft.submitted_at) == ("draft", 1, None)
    assert _allowance("3100001", LEEDS) == 0


def test_another_support_users_draft_journey_is_not_found(support: Client, apps: dict[str, Any]) -> None:
    # Given Colin has started a draft for Meadowbank and reached its provider step
    base = _start(support)
    support.get(f"{base}/provider")
    # When Sam Brooks, also DfE support, opens or posts to Colin's journey
    sam = Client(web=apps["web"], support=apps["support"])
    sam.sign_in("Sam Brooks")
    sam.get(NEW)  # his own CSRF token
    # Then each of its pages is not found for him, and his post changes nothing of Colin's answers
    for path in (f"{base}/provider", f"{base}/mentors", f"{base}/check"):
        assert sam.get(path, check=False).status == 404, path
    posted = sam.post(f"{base}/provider", {"provider_code": LEEDS, "provider_search": ""})
    assert posted.status == 404
    assert sam.post(f"{base}/save").status == 404
    # And Colin's journey is still his to finish
    assert _through_check(support, base, LEEDS, {"3100001": 6}).status == 200
