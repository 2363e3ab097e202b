"""Schools are told the payer's outcome: confirming a payer response (paid, the payer needs information)
and the follow-ups after it (paid, rejected by the payer) queue one email per user of the claim's school,
only for claims the call changed, and an email that cannot be queued never undoes the outcome."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from infrastructure.local.seed_data import COLIN_CHAPMAN_USER_ID, SeedData
from shared.claims.statuses import ClaimStatus
from tests.integration.test_payer_response import HEADER, post_upload
from tests.support import NOW, Client, queued_emails

MAINTAINED = "outcome-test-maintained"  # a community school in Leeds, with two users
ACADEMY = "outcome-test-academy"  # an academy, with one user
MAINTAINED_USERS = ["head.outcome@maintained.example.org", "office.outcome@maintained.example.org"]
ACADEMY_USERS = ["finance.outcome@academy.example.org"]
USERS = {MAINTAINED: MAINTAINED_USERS, ACADEMY: ACADEMY_USERS}
REASON = "Bank details do not match"
LA_SENTENCE = "the payment is made to Leeds, which passes it on to the school"
_references = itertools.count(77_600_001)
_trns = itertools.count(7_600_001)


# -- helpers ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def schools(seed: SeedData) -> Iterator[None]:
    """Two schools of our own, each with its users (no other test's school sees these claims), removed after
    (the support console counts schools)."""
    from shared.claims.organisations import School
    from shared.data.items import MembershipItem, OrganisationItem, UserItem
    from shared.data.organisations import Organisations

    for school in (
        School(
            organisation_id=MAINTAINED,
            urn=None,
            name="Outcome Community Primary School",
            local_authority_name="Leeds",
            type_of_establishment="Community school",
            group="Local authority maintained schools",
        ),
        School(
            organisation_id=ACADEMY,
            urn=None,
            name="Outcome Academy",
            local_authority_name="Leeds",
            type_of_establishment="Academy converter",
            group="Academies",
        ),
    ):
        Organisations().put_school(school)
        for number, address in enumerate(USERS[school.organisation_id]):
            user_id = f"user-{school.organisation_id}-{number}"
            UserItem(user_id=user_id, email=address, first_name="Sam", last_name="Outcome", role="school").save()
            MembershipItem(
                user_id=user_id,
                organisation_id=school.organisation_id,
                organisation_type="school",
                organisation_name=school.name,
            ).save()
    yield
    for school_id in (MAINTAINED, ACADEMY):
        OrganisationItem(organisation_id=school_id).delete()


@pytest.fixture
def colin(client: Client, schools: None) -> Client:
    client.sign_in("Colin Chapman")
    client.get("/support/payments/upload")  # a page with the form: the CSRF token
    queued_emails()  # start from an empty queue
    return client


def make_claim(seed: SeedData, school_id: str, status: str = "payment_in_progress", **fields: Any) -> str:
    """A claim of one of our schools put straight into the table in `status`, its mentor's hours counted."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import allowance_id
    from shared.data.items import AllowanceItem, ClaimItem

    window = seed.claim_windows[0]
    provider = seed.providers[0]
    reference = str(next(_references))
    trn = str(next(_trns))
    ClaimItem(
        claim_id=reference,
        reference=reference,
        school_id=school_id,
        school_name="Outcome Community Primary School" if school_id == MAINTAINED else "Outcome Academy",
        provider_code=provider.code,
        provider_name=provider.name,
        window_id=window.window_id,
        academic_year=window.academic_year,
        status=status,
        window_status=f"{window.window_id}#{status}",
        created_at=NOW.isoformat(),
        submitted_at=NOW,
        submitted_by="user-anne-wilson",
        region="Rest of England",
        hourly_rate_pence=4380,
        total_hours=6,
        amount_pence=6 * 4380,  # £262.80
        mentors=[{"trn": trn, "first_name": "Pat", "last_name": "Payer", "hours": 6, "training_type": "initial"}],
        version=1,
        **fields,
    ).save()
    year = AcademicYear.parse(window.academic_year)
    AllowanceItem(
        allowance_id=allowance_id(trn, provider.code, year),
        trn=trn,
        provider_code=provider.code,
        academic_year=year.name,
        used=6,
    ).save()
    return reference


def status_of(reference: str) -> str:
    from shared.data.items import ClaimItem

    return ClaimItem.get(reference).status


def upload(colin: Client, rows: list[str]) -> str:
    """Upload a valid payer response; the path of its confirm page."""
    page = post_upload(colin, "/support/payments/upload", (HEADER + "\n" + "\n".join(rows) + "\n").encode())
    assert page.status == 303, page.body[:2000]
    assert re.fullmatch(r"/support/payments/upload/[0-9a-f]{32}", page.location), page.location
    return page.location


def by_reference(emails: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for email in emails:
        found.setdefault(email["reference"], []).append(email)
    return found


@pytest.fixture
def queueing_fails(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """SQS refuses every message (the queue is down); the attempts are counted."""
    from shared.usecases import outcome_emails

    attempts: list[int] = []

    def refused(messages: list[Any]) -> None:
        attempts.append(len(messages))
        raise RuntimeError("the email queue is not there")

    monkeypatch.setattr(outcome_emails, "enqueue", refused)
    return attempts


# -- confirming a payer response -------------------------------------------------------------------
def test_confirming_a_response_emails_every_user_of_each_claims_school(colin: Client, seed: SeedData) -> None:
    # Given a response paying a maintained school's claim and an academy's, and asking about another claim
    maintained_paid = make_claim(seed, MAINTAINED)
    academy_paid = make_claim(seed, ACADEMY)
    needs_information = make_claim(seed, MAINTAINED)
    path = upload(colin, [f"{maintained_paid},paid,", f"{academy_paid},paid,", f"{needs_information},unpaid,{REASON}"])
    # (uploading alone tells nobody)
    assert queued_emails() == []
    # When Colin confirms it
    assert colin.post(path).status == 303
    # Then each school user gets one email about each of their school's claims
    emails = by_reference(queued_emails())
    assert set(emails) == {maintained_paid, academy_paid, needs_information}
    assert sorted(e["to"] for e in emails[maintained_paid]) == sorted(MAINTAINED_USERS)
    assert [e["to"] for e in emails[academy_paid]] == ACADEMY_USERS
    assert sorted(e["to"] for e in emails[needs_information]) == sorted(MAINTAINED_USERS)
    # And a paid claim's email gives the amount and the date; the maintained school's says its local
    # authority is paid, the academy's does not
    for email in emails[maintained_paid] + emails[academy_paid]:
        assert email["kind"] == "claim_paid"
        assert email["subject"] == f"Claim {email['reference']} has been paid"
        assert "Amount paid: £262.80" in email["body"]
        assert f"Date paid: {NOW.day} {NOW:%B %Y}" in email["body"]
        assert f"/schools/{MAINTAINED if email in emails[maintained_paid] else ACADEMY}/claims/" in email["body"]
    assert all(LA_SENTENCE in email["body"] for email in emails[maintained_paid])
    assert all("local authority" not in email["body"] for email in emails[academy_paid])
    # And the claim the payer asked about says so, with the payer's reason and how to reach support
    for email in emails[needs_information]:
        assert email["kind"] == "claim_payment_information_requested"
        assert email["subject"] == f"More information is needed to pay claim {needs_information}"
        assert f"Reason given by the payer: {REASON}" in email["body"]
        assert "DfE support will contact you" in email["body"]
        assert "ittmentor.funding@education.gov.uk" in email["body"]
    # When the confirmation is sent again (a double click, the back button)
    assert colin.post(path).status == 303
    # Then nobody is emailed twice
    assert queued_emails() == []


def test_a_response_with_many_claims_of_one_school_reads_its_users_once(
    colin: Client, seed: SeedData, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.usecases import outcome_emails

    # Given a response paying 120 claims of the maintained school and 5 of the academy
    maintained = [make_claim(seed, MAINTAINED) for _ in range(120)]
    academy = [make_claim(seed, ACADEMY) for _ in range(5)]
    path = upload(colin, [f"{r},paid," for r in maintained + academy])
    lookups: Counter[str] = Counter()
    school_reads: list[list[str]] = []
    from shared.data.organisations import Organisations
    from shared.data.users import member_emails as real_members

    real_schools = Organisations.schools

    def members(school_id: str) -> list[str]:
        lookups[school_id] += 1
        return real_members(school_id)

    def schools(self: Any, ids: Any) -> Any:
        ids = list(ids)
        school_reads.append(ids)
        return real_schools(self, ids)

    monkeypatch.setattr(outcome_emails, "member_emails", members)
    monkeypatch.setattr(Organisations, "schools", schools)
    # When Colin confirms it
    assert colin.post(path).status == 303
    # Then every claim's users are emailed once
    emails = by_reference(queued_emails())
    assert set(emails) == set(maintained + academy)
    assert all(len(emails[r]) == 2 for r in maintained)
    assert all(len(emails[r]) == 1 for r in academy)
    # And each school's users and details were read once for the whole response, not once a claim
    assert lookups == {MAINTAINED: 1, ACADEMY: 1}
    assert sorted(itertools.chain.from_iterable(school_reads)) == sorted([MAINTAINED, ACADEMY])


def test_a_confirmation_finished_later_emails_only_the_claims_it_changes(
    colin: Client, seed: SeedData, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.data.claims import GROUP_SIZE
    from shared.usecases import payer_response
    from shared.usecases.bulk import apply_group as real

    # Given a confirmation of 60 claims that dies after its first group (GROUP_SIZE claims)
    paid = [make_claim(seed, ACADEMY) for _ in range(60)]
    path = upload(colin, [f"{r},paid," for r in paid])
    calls = {"n": 0}

    def dies_after_one_group(*args: Any, **kwargs: Any) -> list[str]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise TimeoutError("the request ran out of time")
        return real(*args, **kwargs)

    monkeypatch.setattr(payer_response, "apply_group", dies_after_one_group)
    with pytest.raises(TimeoutError):
        payer_response.confirm(path.rsplit("/", 1)[1], _colin_user(), NOW)
    first = by_reference(queued_emails())
    assert len(first) == GROUP_SIZE
    monkeypatch.setattr(payer_response, "apply_group", real)
    # When Colin confirms again to finish it
    assert colin.post(path).status == 303
    # Then only the claims this confirmation changed are emailed: every claim once in all
    second = by_reference(queued_emails())
    assert len(second) == 60 - GROUP_SIZE
    assert not set(first) & set(second)
    assert set(first) | set(second) == set(paid)


def test_a_confirmation_stands_when_its_emails_cannot_be_queued(
    colin: Client, seed: SeedData, queueing_fails: list[int]
) -> None:
    from shared.data.items import BatchItem

    # Given the email queue refuses every message
    paid, unpaid = make_claim(seed, MAINTAINED), make_claim(seed, ACADEMY)
    path = upload(colin, [f"{paid},paid,", f"{unpaid},unpaid,{REASON}"])
    # When Colin confirms the response
    page = colin.post(path)
    # Then the claims have their outcomes and the response is confirmed all the same
    assert page.status == 303
    assert page.location == "/support/payments"
    assert (status_of(paid), status_of(unpaid)) == ("paid", "payment_information_requested")
    assert BatchItem.get(path.rsplit("/", 1)[1]).status == "confirmed"
    # (the emails were tried: one user for the academy's claim, two for the maintained school's)
    assert queueing_fails == [3]


def test_a_confirmation_stands_when_a_schools_users_cannot_be_read(
    colin: Client, seed: SeedData, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.usecases import outcome_emails

    def broken(school_id: str) -> list[str]:
        raise RuntimeError("the users table timed out")

    monkeypatch.setattr(outcome_emails, "member_emails", broken)
    paid = make_claim(seed, MAINTAINED)
    path = upload(colin, [f"{paid},paid,"])
    assert colin.post(path).status == 303
    assert status_of(paid) == "paid"
    assert queued_emails() == []


# -- follow-ups ------------------------------------------------------------------------------------
def test_information_sent_tells_nobody_then_confirming_paid_tells_the_school_once(
    colin: Client, seed: SeedData
) -> None:
    reference = make_claim(seed, MAINTAINED, status="payment_information_requested", unpaid_reason=REASON)
    # When support confirms the information was sent
    assert colin.post(f"/support/claims/{reference}/payment/information-sent").status == 303
    # Then the school is not emailed (nothing has been decided)
    assert status_of(reference) == "payment_information_sent"
    assert queued_emails() == []
    # When support confirms the payer has paid it
    assert colin.post(f"/support/claims/{reference}/payment/paid").status == 303
    # Then each of the school's users is told it has been paid, through its local authority
    emails = queued_emails()
    assert sorted(e["to"] for e in emails) == sorted(MAINTAINED_USERS)
    for email in emails:
        assert (email["kind"], email["reference"]) == ("claim_paid", reference)
        assert email["subject"] == f"Claim {reference} has been paid"
        assert "Amount paid: £262.80" in email["body"]
        assert LA_SENTENCE in email["body"]
    # When the confirmation is posted again (a stale tab, a retry)
    colin.post(f"/support/claims/{reference}/payment/paid")
    # Then nobody is emailed again
    assert status_of(reference) == "paid"
    assert queued_emails() == []


@pytest.mark.parametrize("status", ["payment_information_requested", "payment_information_sent"])
def test_rejecting_tells_each_user_it_will_not_be_paid_and_why_once(colin: Client, seed: SeedData, status: str) -> None:
    reference = make_claim(seed, MAINTAINED, status=status, unpaid_reason=REASON)
    # When support records that the payer rejected the claim
    assert colin.post(f"/support/claims/{reference}/payment/reject").status == 303
    # Then each of the school's users is told it will not be paid, why, that the hours can be claimed again
    # (rejected by the payer gives the hours back) and who to contact
    assert status_of(reference) == "payment_not_approved"
    emails = queued_emails()
    assert sorted(e["to"] for e in emails) == sorted(MAINTAINED_USERS)
    for email in emails:
        assert (email["kind"], email["reference"]) == ("claim_rejected_by_payer", reference)
        assert email["subject"] == f"Claim {reference} will not be paid"
        assert "It will not be paid." in email["body"]
        assert f"Reason given by the payer: {REASON}" in email["body"]
        assert "can be claimed again while a claim window for academic year" in email["body"]
        assert "ittmentor.funding@education.gov.uk" in email["body"]
    # When the rejection is posted again
    colin.post(f"/support/claims/{reference}/payment/reject")
    # Then nobody is emailed again
    assert queued_emails() == []


@pytest.mark.parametrize(
    ("status", "slug", "reached"),
    [("payment_information_sent", "paid", "paid"), ("payment_information_requested", "reject", "payment_not_approved")],
)
def test_a_follow_up_stands_when_its_email_cannot_be_queued(
    colin: Client, seed: SeedData, queueing_fails: list[int], status: str, slug: str, reached: str
) -> None:
    reference = make_claim(seed, ACADEMY, status=status, unpaid_reason=REASON)
    page = colin.post(f"/support/claims/{reference}/payment/{slug}")
    assert page.status == 303
    assert page.location == "/support/payments"
    assert status_of(reference) == reached
    assert queueing_fails == [1]
    assert f"Claim {reference} updated" in colin.get("/support/payments").text()


def test_a_claim_someone_else_already_changed_is_not_emailed_again(colin: Client, seed: SeedData) -> None:
    # Given a claim another support user has already confirmed paid (this page was open in a stale tab)
    from shared.data.claims import ClaimsStore

    reference = make_claim(seed, ACADEMY, status="payment_information_sent", unpaid_reason=REASON)
    store = ClaimsStore()
    store.change_status(store.get(reference), ClaimStatus.PAID, COLIN_CHAPMAN_USER_ID, NOW, "elsewhere")
    # When Colin confirms it paid too
    colin.post(f"/support/claims/{reference}/payment/paid")
    # Then only the change that happened could have told the school; this one tells nobody
    assert queued_emails() == []


def _colin_user() -> Any:
    from shared.data.users import Users

    user = Users().get(COLIN_CHAPMAN_USER_ID)
    assert user is not None
    return user
