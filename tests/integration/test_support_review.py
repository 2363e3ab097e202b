"""Support review of flagged claims: the queue, approving, rejecting (hours back, school told)."""

from __future__ import annotations

import datetime as dt

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
from tests.support import NOW, Client, queued_emails


def _flagged_claim(reference: str, hours: int = 5) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claim_windows import ClaimWindows
    from shared.data.claims import ClaimsStore, _to_item
    from shared.data.items import AllowanceItem

    window = next(w for w in ClaimWindows().all() if w.academic_year == AcademicYear(2026))
    claim = Claim(
        reference=reference,
        school_id=ANNE_WILSON_SCHOOL_URN,
        school_name="Meadowbank Primary School",
        provider_code="G56",
        provider_name="University of Nottingham",
        window_id=window.window_id,
        academic_year=AcademicYear(2026),
        status=ClaimStatus.SUBMITTED,
        mentors=(
            ClaimMentor(
                trn="1000001", first_name="Emily", last_name="Carter", hours=hours, training_type=TrainingType.INITIAL
            ),
        ),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=hours * 4380,
        created_at=NOW - dt.timedelta(days=int(reference[-1])),
        submitted_at=NOW - dt.timedelta(days=int(reference[-1])),
        submitted_by="user-anne-wilson",
        submitted_by_name="Emily Carter",
    )
    _to_item(claim).save()
    AllowanceItem(
        allowance_id="1000001#G56#2026", trn="1000001", provider_code="G56", academic_year="2026 to 2027", used=hours
    ).save()
    ClaimsStore().change_status(
        claim,
        ClaimStatus.SUPPORT_REVIEW,
        "payment-run",
        NOW,
        "Submitted by Emily Carter, who is one of the claim's mentors",
    )


@pytest.fixture
def colin(client: Client) -> Client:
    client.sign_in("Colin Chapman")
    queued_emails()
    return client


def test_the_queue_lists_flagged_claims_oldest_first_with_reasons(colin: Client) -> None:
    _flagged_claim("55500001")
    _flagged_claim("55500003")
    page = colin.get("/support/claims/review")
    assert page.h1 == "Claims to review"
    references = [a.get_text(strip=True) for a in page.soup.select("table a")]
    assert references.index("55500003") < references.index("55500001")
    assert "who is one of the claim's mentors" in page.text()


def test_approving_makes_a_claim_ready_for_the_next_run(colin: Client) -> None:
    _flagged_claim("55500011")
    page = colin.get("/support/claims/55500011")
    assert page.h1 == "Claim 55500011"
    assert "Support review" in page.text()
    done = colin.post("/support/claims/55500011/review", {"decision": "approve"})
    assert done.location == "/support/claims/review"
    assert "Claim 55500011 approved" in colin.follow(done).text()
    from shared.data.claims import ClaimsStore

    claim = ClaimsStore().get("55500011")
    assert (claim.status.value, claim.validated_run) == ("submitted", "approved-by-user-colin-chapman")


def test_rejecting_needs_a_reason_releases_hours_and_tells_the_school(colin: Client) -> None:
    _flagged_claim("55500021", hours=5)
    colin.get("/support/claims/55500021")
    page = colin.post("/support/claims/55500021/review", {"decision": "reject"})
    assert page.status == 200
    assert "Select why the claim is rejected" in page.soup.select_one(".govuk-error-summary").get_text()
    other_only = colin.post("/support/claims/55500021/review", {"decision": "reject", "reject_reasons": "other"})
    assert "Enter why the claim is rejected" in other_only.soup.select_one(".govuk-error-summary").get_text()
    assert other_only.soup.select_one("input[value=other]").has_attr("checked")  # nothing lost
    assert "Select whether" in colin.post("/support/claims/55500021/review", {}).text()
    done = colin.post(
        "/support/claims/55500021/review",
        {
            "decision": "reject",
            "reject_reasons": ["provider_disputes_training", "other"],
            "reject_other": "The provider has no record of this training",
        },
    )
    assert done.status == 303
    from shared.data.claims import ClaimsStore
    from shared.data.items import AllowanceItem

    assert ClaimsStore().get("55500021").status.value == "rejected"
    assert int(AllowanceItem.get("1000001#G56#2026").used) == 0
    emails = queued_emails()
    assert {e["subject"] for e in emails} == {"Your claim for mentor training funding has been rejected"}
    assert "Provider disputes the training; Other: The provider has no record of this training" in emails[0]["body"]
    # A second decision changes nothing
    again = colin.post("/support/claims/55500021/review", {"decision": "approve"})
    assert "had already been decided" in colin.follow(again).text()


def test_school_users_are_not_authorised(client: Client) -> None:
    client.sign_in("Anne Wilson")
    for path in ("/support/claims/review", "/support/claims/55500001"):
        assert client.get(path).status == 403


def test_a_review_token_is_kept_only_while_in_review_and_taken_once(seed: object) -> None:
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore

    _flagged_claim("89000005")
    store = ClaimsStore()
    assert store.store_review_token("89000005", "token-1", "run-a", replacing=None)
    # A run that did not read token-1 cannot overwrite it
    assert not store.store_review_token("89000005", "token-x", "run-b", replacing=None)
    assert store.review_holder("89000005") == (ClaimStatus.SUPPORT_REVIEW, "token-1", "run-a")
    # Two decisions at once: one gets the token, the other nothing
    assert store.take_review_token("89000005") == "token-1"
    assert store.take_review_token("89000005") is None
    assert store.take_review_token("89999999") is None  # no such claim: nothing written
    from shared.data.items import ClaimItem

    assert ClaimItem.count("89999999") == 0
    # A claim no longer in review keeps no token
    claim = store.get("89000005")
    store.change_status(claim, ClaimStatus.SUBMITTED, "test", NOW, "approved")
    assert not store.store_review_token("89000005", "token-2", "run-a", replacing=None)
