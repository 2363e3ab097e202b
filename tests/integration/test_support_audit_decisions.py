"""Support decides a claim after its audit: the claim page shows the provider's answers and the school's
response side by side, with "Approve claim" (→ paid) and "Claw back" (→ not approved after the audit), each a
confirmation page with a reason, only while the claim is rejected by its provider; the History shows the
answers (ADR 0032)."""

from __future__ import annotations

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, SeedData
from shared.claims.statuses import ClaimStatus
from tests.integration.audit_helpers import claim_under_audit, patricias_provider, provider_rejects
from tests.support import NOW, Client


@pytest.fixture
def colin(client: Client) -> Client:
    client.sign_in("Colin Chapman")
    return client


def _rejected(seed: SeedData, responded: bool = True) -> str:
    from shared.claims.audit_answers import SchoolResponse
    from shared.data.claims import ClaimsStore

    reference = claim_under_audit(seed, patricias_provider(seed), ANNE_WILSON_SCHOOL_URN)
    provider_rejects(reference)
    if responded:
        store = ClaimsStore()
        response = SchoolResponse(
            agrees=False,
            explanation="Our register shows all 6 hours",
            responded_at=NOW,
            responded_by="user-anne-wilson",
            responded_by_name="Anne Wilson",
        )
        store.record_school_response(store.get(reference), response, "user-anne-wilson", NOW)
    return reference


def _status(reference: str) -> ClaimStatus:
    from shared.data.claims import ClaimsStore

    return ClaimsStore().get(reference).status


def test_the_claim_page_shows_both_answers_side_by_side(colin: Client, seed: SeedData) -> None:
    # Given a claim the provider did not confirm, and the school disagreed
    reference = _rejected(seed)
    # When support opens it
    page = colin.get(f"/support/claims/{reference}")
    # Then the provider's answers and the school's response are shown, with both decisions
    text = page.text()
    assert "Provider’s answers" in text
    assert "2 of 6 hours completed" in text
    assert "Our register shows all 6 hours" in text
    hrefs = {a.get("href") for a in page.soup.select("a.govuk-button")}
    assert f"/support/claims/{reference}/approve-after-audit" in hrefs
    assert f"/support/claims/{reference}/claw-back" in hrefs
    # And the History shows the answers and the response
    assert "Audit: the provider did not confirm all the training" in text
    assert "Audit: the school responded" in text
    assert "Disagrees with the provider: Our register shows all 6 hours" in text


def test_approve_claim_after_the_audit(colin: Client, seed: SeedData) -> None:
    reference = _rejected(seed)
    url = f"/support/claims/{reference}/approve-after-audit"
    assert colin.get(url).h1 == "Are you sure you want to approve this claim?"
    page = colin.post(url, {"reason": "The school's register is right"})
    assert (page.status, page.location) == (303, f"/support/claims/{reference}")
    assert _status(reference) is ClaimStatus.PAID
    from shared.data.claims import ClaimsStore

    last = ClaimsStore().events(reference)[-1]
    assert (last["action"], last["reason"]) == ("approved_after_audit", "The school's register is right")
    # And the decision is no longer offered
    assert not colin.get(f"/support/claims/{reference}").soup.select("a[href$='claw-back']")


def test_claw_back_after_the_audit(colin: Client, seed: SeedData) -> None:
    reference = _rejected(seed, responded=False)
    url = f"/support/claims/{reference}/claw-back"
    assert "The school has not responded" in colin.get(f"/support/claims/{reference}").text()
    assert colin.get(url).h1 == "Are you sure you want to claw back this claim?"
    page = colin.post(url, {"reason": "The provider's records are clear"})
    assert page.status == 303
    assert _status(reference) is ClaimStatus.SAMPLING_NOT_APPROVED


def test_a_decision_needs_a_reason(colin: Client, seed: SeedData) -> None:
    reference = _rejected(seed)
    url = f"/support/claims/{reference}/claw-back"
    colin.get(url)
    page = colin.post(url, {"reason": "  "})
    assert page.status == 200
    assert [a.text.strip() for a in page.soup.select(".govuk-error-summary a")] == [
        "Enter why the funding is clawed back"
    ]
    assert _status(reference) is ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED


def test_no_decision_while_the_claim_is_not_rejected_by_its_provider(colin: Client, seed: SeedData) -> None:
    # Given a claim still under audit
    reference = claim_under_audit(seed, patricias_provider(seed), ANNE_WILSON_SCHOOL_URN)
    decided = _rejected(seed)
    colin.get(f"/support/claims/{decided}/approve-after-audit")  # a page with a form
    # Then the decision pages send support back to the claim, and a post changes nothing
    for slug in ("approve-after-audit", "claw-back"):
        assert colin.get(f"/support/claims/{reference}/{slug}").location == f"/support/claims/{reference}"
        assert colin.post(f"/support/claims/{reference}/{slug}", {"reason": "x"}).status == 303
    assert _status(reference) is ClaimStatus.SAMPLING_IN_PROGRESS
    assert not colin.get(f"/support/claims/{reference}").soup.select("a[href$='claw-back']")


def test_a_school_user_may_not_decide(client: Client, seed: SeedData) -> None:
    reference = _rejected(seed)
    client.sign_in("Anne Wilson")
    assert client.get(f"/support/claims/{reference}/claw-back").status == 403
