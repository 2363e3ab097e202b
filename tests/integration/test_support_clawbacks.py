"""Support asks for a claim's clawback after its audit, and a DIFFERENT support user approves or rejects it
(ADR 0033): "Check the clawback" with each mentor's clawback, lowering a mentor's hours with a reason, the £0
refusal, "Request clawback" (→ clawback_requires_approval), "Approve clawback" (→ clawback_requested, waiting
for a clawback run, the school's users emailed) and "Reject clawback" with a reason (→ clawback_rejected), each
with its event, history and Activity entry."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, SeedData
from shared.claims.statuses import ClaimStatus
from tests.integration.audit_helpers import claim_under_audit, patricias_provider, provider_rejects
from tests.support import NOW, Client, queued_emails

RATE = 4380  # the audit helpers' claims: £43.80 an hour, 2 mentors of 6 hours
CLAWBACK_PENCE = 4 * RATE  # the provider confirmed 2 of the first mentor's 6 hours: 4 × £43.80 = £175.20


@pytest.fixture
def colin(client: Client) -> Client:
    client.sign_in("Colin Chapman")
    return client


@pytest.fixture
def sam(apps: dict[str, Any]) -> Client:
    other = Client(web=apps["web"], support=apps["support"])
    other.sign_in("Sam Brooks")
    return other


def _not_approved(seed: SeedData, hours_completed: int = 2) -> str:
    """A claim support decided to claw back after its audit (sampling_not_approved)."""
    from shared.data.claims import ClaimsStore

    reference = claim_under_audit(seed, patricias_provider(seed), ANNE_WILSON_SCHOOL_URN)
    provider_rejects(reference, hours_completed=hours_completed)
    store = ClaimsStore()
    store.change_status(store.get(reference), ClaimStatus.SAMPLING_NOT_APPROVED, "user-colin-chapman", NOW, "x")
    return reference


def _claim(reference: str) -> Any:
    from shared.data.claims import ClaimsStore

    return ClaimsStore().get(reference)


def _events(reference: str) -> list[dict[str, Any]]:
    from shared.data.claims import ClaimsStore

    return ClaimsStore().events(reference)


def _activity(kind: str, reference: str) -> list[Any]:
    from shared.data.activity import Activity, month_of

    return [
        e
        for e in Activity().newest([month_of(NOW)], 500)
        if e.kind.value == kind and e.link == f"/support/claims/{reference}"
    ]


def _on_the_activity_pages(client: Client, link: str, label: str) -> bool:
    """Whether Support → Activity shows an entry with this label linking here, on any of its pages (the suite's
    other tests add entries of their own, so it need not be on the first)."""
    from tests.integration.test_support_activity import _link

    path: str | None = "/support/activity"
    while path is not None:
        page = client.get(path)
        for row in page.soup.select("tbody tr"):
            if label in row.get_text() and row.select_one(f'a[href="{link}"]') is not None:
                return True
        path = _link(page, "next")
    return False


def _requested(client: Client, reference: str) -> None:
    client.get(f"/support/claims/{reference}/clawback")
    page = client.post(f"/support/claims/{reference}/clawback")
    assert (page.status, page.location) == (303, f"/support/claims/{reference}"), page.body[:800]


def _errors(page: Any) -> list[str]:
    return [a.text.strip() for a in page.soup.select(".govuk-error-summary a")]


# -- requesting -----------------------------------------------------------------------------------------------
def test_the_claim_page_offers_request_clawback_and_approve_claim(colin: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    page = colin.get(f"/support/claims/{reference}")
    hrefs = {a.get("href") for a in page.soup.select("a.govuk-button")}
    assert f"/support/claims/{reference}/clawback" in hrefs
    assert f"/support/claims/{reference}/approve-after-audit" in hrefs
    assert f"/support/claims/{reference}/claw-back" not in hrefs


def test_check_the_clawback_shows_each_mentor_the_rate_and_the_total(colin: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    page = colin.get(f"/support/claims/{reference}/clawback")
    assert page.status == 200
    assert page.h1 == "Check the clawback"
    head = [th.text.strip() for th in page.soup.select("thead th")]
    assert head[:5] == ["Mentor", "Hours claimed", "Hours completed", "Hours to claw back", "Amount"]
    rows = [[td.text.strip() for td in tr.select("td")] for tr in page.soup.select("tbody tr")]
    assert rows[0][:5] == ["Ada Lovelace", "6", "2", "4", "£175.20"]
    assert rows[1][1:5] == ["6", "6", "0", "£0.00"]
    text = page.text()
    assert "£43.80 an hour" in text
    assert "£175.20" in text.split("Total to claw back", 1)[1]
    trn = _claim(reference).mentors[0].trn
    assert page.soup.select_one(f"a[href='/support/claims/{reference}/clawback/{trn}']") is not None


def test_request_clawback_moves_the_claim_with_its_request_event_and_activity(colin: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    # When Colin requests the clawback as shown
    _requested(colin, reference)
    # Then the claim needs a second support user's approval, recording what was asked for
    claim = _claim(reference)
    assert claim.status is ClaimStatus.CLAWBACK_REQUIRES_APPROVAL
    assert claim.clawback is not None
    assert claim.clawback.requested_by == "user-colin-chapman"
    assert claim.clawback.total_pence == CLAWBACK_PENCE
    assert claim.clawback_run_id is None  # no clawback run may take it yet
    last = _events(reference)[-1]
    assert last["action"] == "clawback_requested"
    assert last["detail"]["total_pence"] == CLAWBACK_PENCE
    assert [m["hours_clawed_back"] for m in last["detail"]["mentors"]] == [4, 0]
    assert len(_activity("clawback_requested", reference)) == 1
    assert _on_the_activity_pages(colin, f"/support/claims/{reference}", "Clawback requested")
    # And the claim page says so, and its history shows the amount
    page = colin.get(f"/support/claims/{reference}")
    text = page.text()
    assert "Clawback requested for claim" in text
    assert "Another support user must approve this clawback" in text
    assert not page.soup.select("a[href$='approve-clawback']")
    assert "Total to claw back: £175.20" in text
    assert "Ada Lovelace: 4 hours clawed back (£175.20)" in text


def test_lowering_a_mentors_hours_with_a_reason(colin: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    trn = _claim(reference).mentors[0].trn
    page = colin.get(f"/support/claims/{reference}/clawback/{trn}")
    assert page.h1 == "How many hours should be clawed back for Ada Lovelace?"
    assert "Why are fewer hours being clawed back?" in page.text()
    page = colin.post(f"/support/claims/{reference}/clawback/{trn}", {"hours": "3", "reason": "One session was online"})
    assert page.status == 303
    found = re.fullmatch(rf"/support/claims/{reference}/clawback\?journey=(\w+)", page.location)
    assert found, page.location
    check = colin.get(page.location)
    assert "£131.40" in check.text()  # 3 × £43.80
    assert "One session was online" in check.text()
    page = colin.post(f"/support/claims/{reference}/clawback", {"journey": found.group(1)})
    assert page.status == 303
    claim = _claim(reference)
    assert claim.clawback.total_pence == 3 * RATE
    assert claim.clawback.mentors[0].lowered_reason == "One session was online"
    # And the journey is finished: its check page goes back to the claim
    assert colin.get(f"/support/claims/{reference}/clawback?journey={found.group(1)}").status == 303


@pytest.mark.parametrize(
    ("hours", "reason", "errors"),
    [
        ("5", "x", ["Hours to claw back must be between 0 and 4"]),
        ("2", "", ["Enter why fewer hours are clawed back"]),
        ("two", "x", ["Hours to claw back must be a whole number"]),
        ("²", "x", ["Hours to claw back must be a whole number"]),
        ("-1", "x", ["Hours to claw back must be a whole number"]),
        ("", "", ["Enter the number of hours to claw back", "Enter why fewer hours are clawed back"]),
    ],
)
def test_a_lowering_that_is_not_valid_is_shown_again_with_its_errors(
    colin: Client, seed: SeedData, hours: str, reason: str, errors: list[str]
) -> None:
    reference = _not_approved(seed)
    trn = _claim(reference).mentors[0].trn
    colin.get(f"/support/claims/{reference}/clawback/{trn}")
    page = colin.post(f"/support/claims/{reference}/clawback/{trn}", {"hours": hours, "reason": reason})
    assert page.status == 200
    assert _errors(page) == errors
    assert page.soup.title.text.startswith("Error: ")


def test_the_hours_not_completed_need_no_reason(colin: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    trn = _claim(reference).mentors[0].trn
    colin.get(f"/support/claims/{reference}/clawback/{trn}")
    page = colin.post(f"/support/claims/{reference}/clawback/{trn}", {"hours": "4", "reason": ""})
    assert page.status == 303


def test_a_clawback_of_nothing_is_refused(colin: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    trn = _claim(reference).mentors[0].trn
    colin.get(f"/support/claims/{reference}/clawback/{trn}")
    page = colin.post(f"/support/claims/{reference}/clawback/{trn}", {"hours": "0", "reason": "Records found"})
    journey_id = page.location.split("journey=", 1)[1]
    page = colin.post(f"/support/claims/{reference}/clawback", {"journey": journey_id})
    assert page.status == 200
    assert _errors(page) == ["The clawback must be more than £0: approve the claim instead"]
    assert _claim(reference).status is ClaimStatus.SAMPLING_NOT_APPROVED


def test_a_clawback_cannot_be_requested_for_a_paid_claim(colin: Client, seed: SeedData) -> None:
    reference = claim_under_audit(seed, patricias_provider(seed), ANNE_WILSON_SCHOOL_URN)
    from shared.data.claims import ClaimsStore

    store = ClaimsStore()
    store.change_status(store.get(reference), ClaimStatus.PAID, "user-patricia-adeyemi", NOW)
    colin.get(f"/support/claims/{reference}")  # a page with a form
    assert colin.get(f"/support/claims/{reference}/clawback").location == f"/support/claims/{reference}"
    assert colin.post(f"/support/claims/{reference}/clawback").status == 303
    trn = _claim(reference).mentors[0].trn
    assert colin.post(f"/support/claims/{reference}/clawback/{trn}", {"hours": "1", "reason": "x"}).status == 303
    assert _claim(reference).status is ClaimStatus.PAID
    assert not colin.get(f"/support/claims/{reference}").soup.select("a[href$='/clawback']")


def test_a_second_request_changes_nothing(colin: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    _requested(colin, reference)
    version = _claim(reference).version
    assert colin.post(f"/support/claims/{reference}/clawback").status == 303
    assert _claim(reference).version == version
    assert "Nothing was changed" in colin.get(f"/support/claims/{reference}").text()


def test_someone_elses_journey_is_not_found(colin: Client, sam: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    trn = _claim(reference).mentors[0].trn
    colin.get(f"/support/claims/{reference}/clawback/{trn}")
    page = colin.post(f"/support/claims/{reference}/clawback/{trn}", {"hours": "1", "reason": "x"})
    assert sam.get(page.location, check=False).status == 404


def test_a_school_user_may_not_request_a_clawback(client: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    client.sign_in("Anne Wilson")
    assert client.get(f"/support/claims/{reference}/clawback").status == 403


# -- deciding -------------------------------------------------------------------------------------------------
def test_the_requester_may_not_approve_their_own_clawback(colin: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    _requested(colin, reference)
    version = _claim(reference).version
    for slug in ("approve-clawback", "reject-clawback"):
        assert colin.get(f"/support/claims/{reference}/{slug}").location == f"/support/claims/{reference}"
        page = colin.post(f"/support/claims/{reference}/{slug}", {"reason": "Mine"})
        assert (page.status, page.location) == (303, f"/support/claims/{reference}")
        assert "Another support user must approve this clawback" in colin.get(page.location).text()
    assert (_claim(reference).status, _claim(reference).version) == (ClaimStatus.CLAWBACK_REQUIRES_APPROVAL, version)


def test_another_support_user_approves_the_clawback_and_the_school_is_emailed(
    colin: Client, sam: Client, seed: SeedData
) -> None:
    from shared.claims.audits import CLAWBACK_PENDING
    from shared.data.users import member_emails

    reference = _not_approved(seed)
    _requested(colin, reference)
    queued_emails()
    # Sam sees the request and the decisions
    page = sam.get(f"/support/claims/{reference}")
    text = page.text()
    assert "Colin Chapman" in text.split("Requested by", 1)[1][:80]
    hrefs = {a.get("href") for a in page.soup.select("a.govuk-button")}
    assert {f"/support/claims/{reference}/approve-clawback", f"/support/claims/{reference}/reject-clawback"} <= hrefs
    assert "Another support user must approve this clawback" not in text
    # When Sam approves it
    confirm = sam.get(f"/support/claims/{reference}/approve-clawback")
    assert confirm.h1 == "Are you sure you want to approve this clawback?"
    assert "£175.20" in confirm.text()
    page = sam.post(f"/support/claims/{reference}/approve-clawback")
    assert (page.status, page.location) == (303, f"/support/claims/{reference}")
    # Then it waits for a clawback run, the decision recorded with it
    claim = _claim(reference)
    assert claim.status is ClaimStatus.CLAWBACK_REQUESTED
    assert claim.clawback_run_id == CLAWBACK_PENDING
    assert claim.clawback.decided_by == "user-sam-brooks"
    assert claim.clawback.decided_by_name == "Sam Brooks"
    assert claim.clawback.decided_at is not None
    assert claim.clawback.requested_by == "user-colin-chapman"
    assert _events(reference)[-1]["action"] == "clawback_approved"
    assert len(_activity("clawback_approved", reference)) == 1
    # And each of the school's users is emailed once
    emails = [e for e in queued_emails() if e["reference"] == reference]
    assert sorted(e["to"] for e in emails) == sorted(member_emails(ANNE_WILSON_SCHOOL_URN))
    assert emails
    assert all("A clawback of £175.20 has been requested for claim" in e["body"] for e in emails)
    assert all(e["subject"] == f"A clawback has been requested for claim {reference}" for e in emails)
    # And the history shows the approval
    text = sam.get(f"/support/claims/{reference}").text()
    assert "Clawback approved" in text
    assert "Approved by" in text


def test_another_support_user_rejects_the_clawback_with_a_reason(colin: Client, sam: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    _requested(colin, reference)
    url = f"/support/claims/{reference}/reject-clawback"
    assert sam.get(url).h1 == "Are you sure you want to reject this clawback?"
    page = sam.post(url, {"reason": " "})
    assert page.status == 200
    assert _errors(page) == ["Enter why the clawback is rejected"]
    assert _claim(reference).status is ClaimStatus.CLAWBACK_REQUIRES_APPROVAL
    page = sam.post(url, {"reason": "The school sent the register"})
    assert page.status == 303
    claim = _claim(reference)
    assert claim.status is ClaimStatus.CLAWBACK_REJECTED
    assert claim.clawback.rejected_reason == "The school sent the register"
    assert claim.clawback_run_id is None
    last = _events(reference)[-1]
    assert (last["action"], last["reason"]) == ("clawback_rejected", "The school sent the register")
    assert len(_activity("clawback_rejected", reference)) == 1
    # And support may ask again, or approve the claim
    page = colin.get(f"/support/claims/{reference}")
    text = page.text()
    assert "Clawback rejected" in text
    assert "The school sent the register" in text
    hrefs = {a.get("href") for a in page.soup.select("a.govuk-button")}
    assert {f"/support/claims/{reference}/clawback", f"/support/claims/{reference}/approve-after-audit"} <= hrefs


def test_after_a_rejection_support_can_request_again(colin: Client, sam: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    _requested(colin, reference)
    sam.get(f"/support/claims/{reference}/reject-clawback")
    sam.post(f"/support/claims/{reference}/reject-clawback", {"reason": "Too much"})
    trn = _claim(reference).mentors[0].trn
    colin.get(f"/support/claims/{reference}/clawback/{trn}")
    page = colin.post(f"/support/claims/{reference}/clawback/{trn}", {"hours": "1", "reason": "Agreed with school"})
    page = colin.post(f"/support/claims/{reference}/clawback", {"journey": page.location.split("journey=", 1)[1]})
    claim = _claim(reference)
    assert claim.status is ClaimStatus.CLAWBACK_REQUIRES_APPROVAL
    assert claim.clawback.total_pence == RATE
    assert claim.clawback.rejected_reason == ""  # a new request, undecided


def test_after_a_rejection_support_can_approve_the_claim(colin: Client, sam: Client, seed: SeedData) -> None:
    reference = _not_approved(seed)
    _requested(colin, reference)
    sam.get(f"/support/claims/{reference}/reject-clawback")
    sam.post(f"/support/claims/{reference}/reject-clawback", {"reason": "Too much"})
    url = f"/support/claims/{reference}/approve-after-audit"
    assert colin.get(url).h1 == "Are you sure you want to approve this claim?"
    assert colin.post(url, {"reason": "Settled"}).status == 303
    assert _claim(reference).status is ClaimStatus.PAID
    assert _events(reference)[-1]["action"] == "clawback_not_required"
    assert len(_activity("audit_decision", reference)) == 1


def test_the_audit_decisions_record_activity(colin: Client, seed: SeedData) -> None:
    reference = claim_under_audit(seed, patricias_provider(seed), ANNE_WILSON_SCHOOL_URN)
    provider_rejects(reference)
    colin.get(f"/support/claims/{reference}/claw-back")
    assert colin.post(f"/support/claims/{reference}/claw-back", {"reason": "Records clear"}).status == 303
    entries = _activity("audit_decision", reference)
    assert len(entries) == 1
    assert entries[0].actor_name == "Colin Chapman"
    assert "to be clawed back" in entries[0].summary


def test_two_approvals_at_once_make_one_change(colin: Client, seed: SeedData) -> None:
    from shared.claims.people import Role, User
    from shared.usecases import clawback_requests
    from shared.usecases.support_claim import ActionNotAllowed

    reference = _not_approved(seed)
    _requested(colin, reference)
    queued_emails()
    sam = User(
        user_id="user-sam-brooks", email="sam@example.gov.uk", first_name="Sam", last_name="Brooks", role=Role.SUPPORT
    )
    results: list[str] = []
    barrier = threading.Barrier(2)

    def approve() -> None:
        barrier.wait()
        try:
            clawback_requests.approve(reference, sam, NOW)
            results.append("approved")
        except ActionNotAllowed:
            results.append("refused")

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["approved", "refused"]
    assert [e["action"] for e in _events(reference)].count("clawback_approved") == 1
    assert len(_activity("clawback_approved", reference)) == 1
