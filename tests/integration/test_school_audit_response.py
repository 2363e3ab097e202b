"""A school responds to its provider's audit answers: it sees on the claim's page that the provider did not
confirm all the training, with the answers per mentor, and agrees or disagrees with an explanation, once, within
21 days; the response is kept on the claim with its event and the status stays for support (ADR 0032)."""

from __future__ import annotations

import datetime as dt

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, MARY_LAWSON_SCHOOL_URNS, SeedData
from shared.claims.statuses import ClaimStatus
from tests.integration.audit_helpers import claim_under_audit, patricias_provider, provider_rejects
from tests.support import NOW, Client, queued_emails, set_grant_conditions

SCHOOL = ANNE_WILSON_SCHOOL_URN


@pytest.fixture
def anne(client: Client) -> Client:
    set_grant_conditions(SCHOOL, accepted=True)
    client.sign_in("Anne Wilson")
    return client


def _rejected_claim(seed: SeedData, at: dt.datetime = NOW, school: str = SCHOOL) -> str:
    reference = claim_under_audit(seed, patricias_provider(seed), school, at=at)
    provider_rejects(reference, at=at)
    return reference


def _claim(reference: str):  # type: ignore[no-untyped-def]
    from shared.data.claims import ClaimsStore

    return ClaimsStore().get(reference)


def test_the_claim_page_shows_the_providers_answers(anne: Client, seed: SeedData) -> None:
    # Given a claim the provider did not confirm all of
    reference = _rejected_claim(seed)
    # When Anne opens it
    page = anne.get(f"/schools/{SCHOOL}/claims/{reference}")
    # Then she sees the answers per mentor and can respond
    text = page.text()
    assert "Your provider did not confirm all the training" in text
    assert "Completed 2 of 6 hours" in text
    assert "Left in October" in text
    assert "Confirmed 6 hours" in text
    assert any(a.text.strip() == "Respond" for a in page.soup.select("a"))


def test_the_school_disagrees_with_an_explanation(anne: Client, seed: SeedData) -> None:
    # Given a claim the provider did not confirm all of
    reference = _rejected_claim(seed)
    respond = f"/schools/{SCHOOL}/claims/{reference}/audit-response"
    assert anne.get(respond).h1 == "Respond to your provider"
    # When Anne disagrees, saying why
    page = anne.post(respond, {"agrees": "no", "explanation": "The register shows 6 hours"})
    # Then the response is kept with its event, the status unchanged for support to decide
    assert (page.status, page.location) == (303, f"/schools/{SCHOOL}/claims/{reference}")
    claim = _claim(reference)
    assert claim.status is ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED
    assert claim.school_response is not None
    assert (claim.school_response.agrees, claim.school_response.explanation) == (False, "The register shows 6 hours")
    from shared.data.claims import ClaimsStore

    last = ClaimsStore().events(reference)[-1]
    assert last["action"] == "school_responded_to_audit"
    assert last["detail"] == {"agrees": False, "explanation": "The register shows 6 hours"}
    text = anne.get(page.location).text()
    assert "Your response has been sent" in text
    assert "You disagreed with your provider" in text
    # And each user of the school is told it was received
    from shared.data.users import member_emails

    received = [e for e in queued_emails() if e["kind"] == "claim_audit_school_response_received"]
    assert sorted(e["to"] for e in received if e["reference"] == reference) == member_emails(SCHOOL)
    assert all("disagreed with" in e["body"] for e in received)


def test_the_school_agrees(anne: Client, seed: SeedData) -> None:
    reference = _rejected_claim(seed)
    respond = f"/schools/{SCHOOL}/claims/{reference}/audit-response"
    anne.get(respond)
    assert anne.post(respond, {"agrees": "yes", "explanation": "ignored"}).status == 303
    claim = _claim(reference)
    assert claim.school_response is not None
    assert (claim.school_response.agrees, claim.school_response.explanation) == (True, "")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Select whether you agree with your provider"),
        ({"agrees": "no", "explanation": "  "}, "Enter why you disagree"),
        ({"agrees": "no", "explanation": "x" * 2001}, "Explanation must be 2,000 characters or less"),
    ],
)
def test_the_response_is_checked(anne: Client, seed: SeedData, form: dict[str, str], message: str) -> None:
    reference = _rejected_claim(seed)
    respond = f"/schools/{SCHOOL}/claims/{reference}/audit-response"
    anne.get(respond)
    page = anne.post(respond, form)
    assert page.status == 200
    assert [a.text.strip() for a in page.soup.select(".govuk-error-summary a")] == [message]
    assert _claim(reference).school_response is None


def test_2000_characters_is_allowed(anne: Client, seed: SeedData) -> None:
    reference = _rejected_claim(seed)
    respond = f"/schools/{SCHOOL}/claims/{reference}/audit-response"
    anne.get(respond)
    assert anne.post(respond, {"agrees": "no", "explanation": "x" * 2000}).status == 303


def test_after_21_days_the_school_may_not_respond(anne: Client, seed: SeedData) -> None:
    # Given the provider answered 22 days ago
    reference = _rejected_claim(seed, at=NOW - dt.timedelta(days=22))
    respond = f"/schools/{SCHOOL}/claims/{reference}/audit-response"
    # Then the claim page and the respond page say the deadline has passed, with no form
    assert "The deadline to respond has passed" in anne.get(f"/schools/{SCHOOL}/claims/{reference}").text()
    page = anne.get(respond)
    assert page.h1 == "The deadline to respond has passed"
    assert not page.soup.select("form[action$='audit-response']")
    # And a post is refused
    anne.get(f"/schools/{SCHOOL}/claims/{_rejected_claim(seed)}/audit-response")  # a page with a form
    refused = anne.post(respond, {"agrees": "yes"})
    assert refused.status == 409
    assert _claim(reference).school_response is None


def test_the_21st_day_is_still_in_time(anne: Client, seed: SeedData) -> None:
    # Given the provider answered 21 days ago: the deadline is today
    reference = _rejected_claim(seed, at=NOW - dt.timedelta(days=21))
    respond = f"/schools/{SCHOOL}/claims/{reference}/audit-response"
    assert anne.get(respond).h1 == "Respond to your provider"
    assert anne.post(respond, {"agrees": "yes"}).status == 303


def test_a_second_response_is_refused(anne: Client, seed: SeedData) -> None:
    reference = _rejected_claim(seed)
    respond = f"/schools/{SCHOOL}/claims/{reference}/audit-response"
    anne.get(respond)
    anne.post(respond, {"agrees": "yes"})
    assert anne.get(respond).h1 == "You have already responded"
    anne.get(f"/schools/{SCHOOL}/claims/{_rejected_claim(seed)}/audit-response")
    assert anne.post(respond, {"agrees": "no", "explanation": "Changed my mind"}).status == 409
    claim = _claim(reference)
    assert claim.school_response is not None
    assert claim.school_response.agrees


def test_another_schools_claim_is_not_found(anne: Client, seed: SeedData) -> None:
    # Given a claim of another school that the provider did not confirm
    theirs = _rejected_claim(seed, school=MARY_LAWSON_SCHOOL_URNS[0])
    # When Anne asks for it under her school
    assert anne.get(f"/schools/{SCHOOL}/claims/{theirs}/audit-response").status == 404
    anne.get(f"/schools/{SCHOOL}/claims/{_rejected_claim(seed)}/audit-response")
    assert anne.post(f"/schools/{SCHOOL}/claims/{theirs}/audit-response", {"agrees": "yes"}).status == 404
    # Or under the other school, which she is not a member of
    assert anne.get(f"/schools/{MARY_LAWSON_SCHOOL_URNS[0]}/claims/{theirs}/audit-response").status == 404
    assert _claim(theirs).school_response is None


def test_a_claim_still_under_audit_has_no_response_page(anne: Client, seed: SeedData) -> None:
    reference = claim_under_audit(seed, patricias_provider(seed), SCHOOL)
    assert anne.get(f"/schools/{SCHOOL}/claims/{reference}/audit-response").status == 404
    assert "did not confirm" not in anne.get(f"/schools/{SCHOOL}/claims/{reference}").text()
