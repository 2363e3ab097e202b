"""The support claim page and acting on a claim: history, assign, Zendesk, notes, hold, amend, undo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import NOW, Client, Page, queued_emails

COLIN = "user-colin-chapman"
SAM = "user-sam-brooks"
SCHOOL = "990101"
PROVIDER = "T8A"
YEAR = 2026


def _claim(reference: str, status: str = "submitted", hours: tuple[int, ...] = (6, 4), ready: bool = False) -> None:
    """A submitted claim with its mentors' allowance items, as a submission leaves them."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType, allowance_id
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claim_events import new_event
    from shared.data.claim_windows import ClaimWindows
    from shared.data.claims import _to_item
    from shared.data.items import AllowanceItem

    year = AcademicYear(YEAR)
    window = next(w for w in ClaimWindows().all() if w.academic_year == year)
    mentors = tuple(
        ClaimMentor(
            trn=f"{reference[-4:]}{n:03d}",
            first_name=f"Mentor{n}",
            last_name="Tester",
            hours=h,
            training_type=TrainingType.INITIAL,
        )
        for n, h in enumerate(hours, start=1)
    )
    claim = Claim(
        reference=reference,
        school_id=SCHOOL,
        school_name="Actions Test Primary",
        provider_code=PROVIDER,
        provider_name="Actions Test Provider",
        window_id=window.window_id,
        academic_year=year,
        status=ClaimStatus(status),
        mentors=mentors,
        region="Rest of England",
        hourly_rate_pence=5000,
        amount_pence=sum(hours) * 5000,
        created_at=NOW - dt.timedelta(days=3),
        submitted_at=NOW - dt.timedelta(days=3),
        submitted_by="user-anne-wilson",
        submitted_by_name="Anne Wilson",
        validated_run="run-x" if ready else None,
    )
    _to_item(claim).save()
    new_event(claim, "submitted", None, "user-anne-wilson", NOW - dt.timedelta(days=3)).save()
    for mentor in mentors:
        AllowanceItem(
            allowance_id=allowance_id(mentor.trn, PROVIDER, year),
            trn=mentor.trn,
            provider_code=PROVIDER,
            academic_year=year.name,
            used=mentor.hours,
        ).save()


def _get(reference: str) -> Any:
    from shared.data.claims import ClaimsStore

    return ClaimsStore().get(reference)


def _used(trn: str) -> int:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import allowance_id
    from shared.data.items import AllowanceItem

    return int(AllowanceItem.get(allowance_id(trn, PROVIDER, AcademicYear(YEAR))).used)


def _cap() -> int:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType, cap

    return cap(AcademicYear(YEAR), TrainingType.INITIAL)


def _history(page: Page) -> list[str]:
    return [" ".join(li.get_text(" ", strip=True).split()) for li in page.soup.select(".app-history__item")]


def _link(page: Page, text: str) -> Any:
    return next((a for a in page.soup.find_all("a") if a.get_text(strip=True) == text), None)


def _banner(page: Page) -> str:
    found = page.soup.select_one(".govuk-notification-banner")
    return " ".join(found.get_text(" ", strip=True).split()) if found else ""


@pytest.fixture(scope="module")
def school(seed: Any) -> Iterator[None]:
    from shared.claims.organisations import School
    from shared.data.items import OrganisationItem
    from shared.data.organisations import Organisations

    Organisations().put_school(
        School(
            organisation_id=SCHOOL,
            urn=SCHOOL,
            name="Actions Test Primary",
            local_authority_name="Leeds",
            vendor_number=f"V{SCHOOL}",
        )
    )
    yield
    OrganisationItem(organisation_id=SCHOOL).delete()


@pytest.fixture
def colin(client: Client, school: None) -> Client:
    """Colin Chapman signed in, with a page's form (and so the session's CSRF token) open."""
    from shared.data.items import ClaimItem

    client.sign_in("Colin Chapman")
    if ClaimItem.count("66100000") == 0:
        _claim("66100000")
    client.get("/support/claims/66100000")
    queued_emails()
    return client


# -- the page -----------------------------------------------------------------------------------------
def test_the_claim_page_shows_the_claim_its_mentors_and_its_history(colin: Client) -> None:
    _claim("66100001")
    page = colin.get("/support/claims/66100001")
    assert page.h1 == "Claim 66100001"
    summary = " ".join(page.soup.select(".govuk-summary-list")[0].get_text(" ", strip=True).split())
    for text in ("Actions Test Primary", "URN 990101", "Leeds", "Actions Test Provider (T8A)", "2026 to 2027"):
        assert text in summary
    assert "£50.00 an hour (Rest of England, 2026 to 2027)" in summary
    assert "£500.00 for 10 hours" in summary
    mentors = [[c.get_text(strip=True) for c in tr.select("td, th")] for tr in page.soup.select("tbody tr")]
    assert mentors[0][:3] == ["Mentor1 Tester", "0001001", "6"]
    school_link = page.soup.find("a", string="Actions Test Primary")
    assert school_link["href"] == "/support/claims?search=990101"
    history = _history(page)
    assert history[0].startswith("Claim submitted Anne Wilson (school user),")


def test_history_says_who_did_what_when_newest_first(colin: Client) -> None:
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore
    from shared.web.render import format_datetime

    _claim("66100002")
    store = ClaimsStore()
    at = NOW - dt.timedelta(days=2, hours=3)
    store.mark_validated(_get("66100002"), "w-run-1", {"findings": {"provider_accredited": True}}, at)
    sent = at + dt.timedelta(minutes=5)
    claim = store.change_status(_get("66100002"), ClaimStatus.PAYMENT_IN_PROGRESS, "payment-run", sent, "In w-run-1")
    store.change_status(claim, ClaimStatus.PAID, COLIN, at + dt.timedelta(days=1), "Payer response b-1, row 2")
    page = colin.get("/support/claims/66100002")
    history = _history(page)
    assert history[0].startswith("Paid Payer response uploaded by Colin Chapman,")
    assert history[1].startswith(f"Sent to the payer in a payment file Payment run, {format_datetime(sent)}")
    assert history[2].startswith(f"Passed the checks Scheduled check, {format_datetime(at)}")
    assert "Provider accredited: passed" in history[2]
    assert history[-1].startswith("Claim submitted")


def test_times_are_shown_in_london(seed: Any) -> None:
    from shared.web.render import format_datetime

    assert format_datetime(dt.datetime(2026, 7, 21, 22, 30, tzinfo=dt.UTC)) == "21 July 2026 at 11:30pm"
    assert format_datetime(dt.datetime(2026, 12, 1, 22, 30, tzinfo=dt.UTC)) == "1 December 2026 at 10:30pm"


def test_the_back_link_returns_to_the_list_with_its_filters_and_never_leaves_the_console(colin: Client) -> None:
    _claim("66100003")
    back = colin.get("/support/claims/66100003?from=%2Fsupport%2Fclaims%3Fstatus%3Dpaid%26page%3D2")
    assert back.soup.select_one(".govuk-back-link")["href"] == "/support/claims?status=paid&page=2"
    for hostile in ("https://evil.example/", "//evil.example/support/claims", "/schools/1/claims"):
        page = colin.get(f"/support/claims/66100003?from={hostile}")
        assert page.soup.select_one(".govuk-back-link")["href"] == "/support/claims"
    listed = colin.get("/support/claims?search=66100003")
    link = listed.soup.select_one("tbody a")
    assert link["href"].startswith("/support/claims/66100003?from=%2Fsupport%2Fclaims%3F")


def test_an_unknown_claim_is_not_found(colin: Client) -> None:
    assert colin.get("/support/claims/99999998", check=False).status == 404
    assert colin.get("/support/claims/%20", check=False).status == 404


def test_schools_are_refused_every_claim_page_and_action(client: Client, school: None) -> None:
    _claim("66100004")
    client.sign_in("Anne Wilson")
    for path in ("/support/claims/66100004", "/support/claims/66100004/hold", "/support/claims/66100004/assign"):
        assert client.get(path, check=False).status == 403
    client.get("/organisations")
    refused = client.post("/support/claims/66100004/hold", {"reason": "x"}, csrf=False)
    assert refused.status == 403
    assert _get("66100004").hold_reason is None


# -- assign -------------------------------------------------------------------------------------------
def test_assign_to_me_then_to_someone_else_then_nobody(colin: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    import itertools

    import functions.support.app as support

    # Each action a second after the one before, as people act (events of one instant have no order)
    seconds = itertools.count()
    monkeypatch.setattr(support.app, "clock", lambda: NOW + dt.timedelta(seconds=next(seconds)))
    _claim("66100011")
    done = colin.post("/support/claims/66100011/assign", {"assignee": "me"})
    assert done.location == "/support/claims/66100011"
    page = colin.follow(done)
    assert "Claim assigned to you" in _banner(page)
    assert _get("66100011").assigned_to == COLIN
    assert "Assigned" in _history(page)[0]
    chooser = colin.get("/support/claims/66100011/assign")
    names = [label.get_text(strip=True) for label in chooser.soup.select(".govuk-radios__label")]
    assert "Sam Brooks" in names
    assert "Colin Chapman (you)" in names
    colin.post("/support/claims/66100011/assign", {"assignee": SAM})
    assert _get("66100011").assigned_to == SAM
    assert "To Sam Brooks (DfE support)" in _history(colin.get("/support/claims/66100011"))[0]
    colin.post("/support/claims/66100011/assign", {"assignee": "nobody"})
    assert _get("66100011").assigned_to is None


def test_a_claim_cannot_be_assigned_to_a_school_user_or_nobody_chosen(colin: Client) -> None:
    _claim("66100012")
    for chosen in ("user-anne-wilson", "", "user-nobody"):
        page = colin.post("/support/claims/66100012/assign", {"assignee": chosen})
        assert page.status == 200
        assert "Select who the claim should be assigned to" in page.text()
    assert _get("66100012").assigned_to is None


def test_assigned_to_me_filters_the_list(colin: Client) -> None:
    _claim("66100013")
    colin.post("/support/claims/66100013/assign", {"assignee": "me"})
    page = colin.get(f"/support/claims?provider={PROVIDER}&assigned=me&filtered=yes")
    assert "66100013" in [a.get_text(strip=True) for a in page.soup.select("tbody a")]


# -- Zendesk ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        "",
        "http://becomingateacher.zendesk.com/agent/tickets/123",
        "https://evil.example/agent/tickets/123",
        "https://becomingateacher.zendesk.com.evil.example/agent/tickets/1",
        "https://user:pw@becomingateacher.zendesk.com/agent/tickets/1",
        "https://becomingateacher.zendesk.com/agent/tickets/abc",
        "javascript:alert(1)",
    ],
)
def test_a_zendesk_link_must_be_a_ticket_on_the_configured_host(colin: Client, typed: str) -> None:
    _claim("66100021")
    page = colin.post("/support/claims/66100021/zendesk", {"zendesk_url": typed})
    assert page.status == 200
    assert page.soup.select_one(".govuk-error-summary")
    assert _get("66100021").zendesk_url is None


def test_a_zendesk_ticket_is_linked_and_removed(colin: Client) -> None:
    _claim("66100022")
    done = colin.post(
        "/support/claims/66100022/zendesk", {"zendesk_url": " https://BecomingATeacher.zendesk.com/agent/tickets/4242 "}
    )
    page = colin.follow(done)
    assert _get("66100022").zendesk_url == "https://becomingateacher.zendesk.com/agent/tickets/4242"
    link = page.soup.find("a", href="https://becomingateacher.zendesk.com/agent/tickets/4242")
    assert link is not None
    assert "noopener" in link["rel"]
    colin.post("/support/claims/66100022/zendesk", {"remove": "yes"})
    assert _get("66100022").zendesk_url is None


# -- notes --------------------------------------------------------------------------------------------
def test_a_note_is_shown_in_the_history_with_its_author_and_line_breaks(colin: Client) -> None:
    _claim("66100031")
    assert colin.get("/support/claims/66100031/notes/new").h1 == "Add a note"
    empty = colin.post("/support/claims/66100031/notes", {"note": "   "})
    assert "Enter a note" in empty.text()
    long = colin.post("/support/claims/66100031/notes", {"note": "x" * 1001})
    assert "The note must be 1,000 characters or fewer" in long.text()
    assert long.soup.select_one("textarea#note").get_text() == "x" * 1001  # nothing lost
    done = colin.post("/support/claims/66100031/notes", {"note": "Rang the school.\r\nThey will send evidence."})
    page = colin.follow(done)
    note = page.soup.select_one(".app-history__note")
    assert note.get_text() == "Rang the school.\nThey will send evidence."
    assert "Note added Colin Chapman (DfE support)" in _history(page)[0]
    assert len("x" * 1000) == 1000
    exact = colin.post("/support/claims/66100031/notes", {"note": "y" * 1000})
    assert exact.status == 303


def test_a_note_needs_the_csrf_token(colin: Client) -> None:
    _claim("66100032")
    refused = colin.post("/support/claims/66100032/notes", {"note": "hello"}, csrf=False)
    assert refused.status == 403
    assert "Note added" not in " ".join(_history(colin.get("/support/claims/66100032")))


# -- hold ---------------------------------------------------------------------------------------------
def test_a_held_claim_is_taken_by_no_payment_run_until_the_hold_is_removed(colin: Client) -> None:
    from shared.data.batches import PaymentRuns
    from shared.usecases.payment_run_tasks import take_ready_claims

    _claim("66100041", ready=True)
    page = colin.get("/support/claims/66100041/hold")
    assert page.h1 == "Put claim on hold"
    assert "Enter why the claim is on hold" in colin.post("/support/claims/66100041/hold", {"reason": ""}).text()
    done = colin.post("/support/claims/66100041/hold", {"reason": "School disputes the hours"})
    page = colin.follow(done)
    assert "On hold" in page.soup.select_one("h1 + p").get_text()
    assert "This claim is on hold: School disputes the hours" in " ".join(page.text().split())
    held_list = colin.get(f"/support/claims?provider={PROVIDER}&hold=yes&filtered=yes")
    assert "66100041" in [a.get_text(strip=True) for a in held_list.soup.select("tbody a")]

    window = _get("66100041").window_id
    PaymentRuns().start("hold-test-run-1", window, "test", "test", NOW)
    take_ready_claims(window, "hold-test-run-1", NOW)
    assert _get("66100041").payment_run_id is None  # stays out of the run

    removed = colin.post("/support/claims/66100041/hold/remove")
    assert "Hold removed" in _banner(colin.follow(removed))
    PaymentRuns().start("hold-test-run-2", window, "test", "test", NOW)
    take_ready_claims(window, "hold-test-run-2", NOW)
    assert _get("66100041").payment_run_id == "hold-test-run-2"
    # Once a run owns it, it can no longer be held
    refused = colin.post("/support/claims/66100041/hold", {"reason": "Too late"})
    assert "Nothing was changed" in _banner(colin.follow(refused))
    assert _get("66100041").hold_reason is None


def test_take_for_run_refuses_a_claim_held_after_it_was_read(colin: Client) -> None:
    """A run that read the claim before it was held cannot take it: the take is conditional on no hold."""
    from shared.claims.errors import ConcurrentUpdate
    from shared.data.batches import PaymentRuns
    from shared.data.claims import ClaimsStore

    _claim("66100042", ready=True)
    read_by_run = _get("66100042")
    colin.post("/support/claims/66100042/hold", {"reason": "Checking"})
    PaymentRuns().start("hold-test-run-3", read_by_run.window_id, "test", "test", NOW)
    with pytest.raises(ConcurrentUpdate):
        ClaimsStore().take_for_run([read_by_run], "hold-test-run-3", NOW)
    assert _get("66100042").payment_run_id is None


# -- amend --------------------------------------------------------------------------------------------
def test_amending_hours_changes_the_allowance_and_amount_in_one_go(colin: Client) -> None:
    _claim("66100051", hours=(6, 4))
    form = colin.get("/support/claims/66100051/amend/0051001")
    assert form.h1 == "Change Mentor1 Tester's hours"
    errors = colin.post("/support/claims/66100051/amend/0051001", {"change": "hours", "hours": "abc", "reason": ""})
    summary = errors.soup.select_one(".govuk-error-summary").get_text()
    assert "Hours must be a whole number" in summary
    assert "Enter why the claim is amended" in summary
    check = colin.post(
        "/support/claims/66100051/amend/0051001", {"change": "hours", "hours": "3", "reason": "Evidence shows 3"}
    )
    assert check.h1 == "Check the amendment"
    assert "6 → 3" in check.text()
    assert "£500.00 → £350.00" in check.text()
    assert _get("66100051").amount_pence == 50000  # nothing changed yet
    hidden = {str(i["name"]): str(i["value"]) for i in check.soup.select("form input[type=hidden]")}
    done = colin.post(
        "/support/claims/66100051/amend/0051001/confirm", {k: v for k, v in hidden.items() if k != "csrf_token"}
    )
    assert done.status == 303
    claim = _get("66100051")
    assert [m.hours for m in claim.mentors] == [3, 4]
    assert claim.amount_pence == 35000
    assert _used("0051001") == 3
    history = _history(colin.get("/support/claims/66100051"))
    assert "Amended" in history[0]
    assert "Evidence shows 3" in history[0]
    assert "Mentor1 Tester: 6 → 3 hours" in history[0]
    assert "Amount: £500.00 → £350.00" in history[0]


def test_amending_over_the_cap_is_refused(colin: Client) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import allowance_id
    from shared.data.items import AllowanceItem

    _claim("66100052", hours=(6,))
    # the mentor has hours on another claim with this provider: only cap - 6 - 4 more are free
    AllowanceItem(
        allowance_id=allowance_id("0052001", PROVIDER, AcademicYear(YEAR)),
        trn="0052001",
        provider_code=PROVIDER,
        academic_year="2026 to 2027",
        used=10,
    ).save()
    most = _cap() - 4
    over = colin.post(
        "/support/claims/66100052/amend/0052001", {"change": "hours", "hours": str(most + 1), "reason": "More"}
    )
    assert f"Hours must be between 1 and {most}" in over.text()
    # a race: the page allowed it, but the allowance moved on before the confirmation
    AllowanceItem(
        allowance_id=allowance_id("0052001", PROVIDER, AcademicYear(YEAR)),
        trn="0052001",
        provider_code=PROVIDER,
        academic_year="2026 to 2027",
        used=_cap(),
    ).save()
    raced = colin.post(
        "/support/claims/66100052/amend/0052001/confirm",
        {"change": "hours", "hours": str(most), "reason": "More", "version": "1"},
    )
    assert raced.status == 200
    assert "Hours must be between 1 and 6" in raced.text()  # checked again against the allowance now
    assert _get("66100052").amount_pence == 30000


def test_the_store_refuses_an_amendment_past_the_cap(colin: Client) -> None:
    """The cap holds in the write itself, whatever a page checked before."""
    from shared.claims.errors import AllowanceExceeded
    from shared.data.claims import ClaimsStore

    _claim("66100055", hours=(6,))
    with pytest.raises(AllowanceExceeded):
        ClaimsStore().amend(_get("66100055"), "0055001", _cap() + 1, _cap(), "Too many", COLIN, NOW)
    assert _used("0055001") == 6
    assert _get("66100055").amount_pence == 30000


def test_removing_a_mentor_gives_their_hours_back_but_not_the_last_one(colin: Client) -> None:
    _claim("66100053", hours=(6, 4))
    done = colin.post(
        "/support/claims/66100053/amend/0053002/confirm",
        {"change": "remove", "hours": "", "reason": "Not their training", "version": "1"},
    )
    assert done.status == 303
    claim = _get("66100053")
    assert [m.trn for m in claim.mentors] == ["0053001"]
    assert claim.amount_pence == 30000
    assert _used("0053002") == 0
    last = colin.post("/support/claims/66100053/amend/0053001", {"change": "remove", "reason": "x"})
    assert "A claim must have at least one mentor" in last.text()


def test_an_amendment_from_a_stale_page_or_after_a_run_took_the_claim_is_refused(colin: Client) -> None:
    from shared.data.batches import PaymentRuns
    from shared.data.claims import ClaimsStore

    _claim("66100054", hours=(6, 4), ready=True)
    colin.post(
        "/support/claims/66100054/amend/0054001/confirm",
        {"change": "hours", "hours": "5", "reason": "First", "version": "1"},
    )
    stale = colin.post(
        "/support/claims/66100054/amend/0054001/confirm",
        {"change": "hours", "hours": "2", "reason": "Second, from an old page", "version": "1"},
    )
    assert "Nothing was changed" in _banner(colin.follow(stale))
    assert [m.hours for m in _get("66100054").mentors] == [5, 4]
    claim = _get("66100054")
    PaymentRuns().start("amend-test-run", claim.window_id, "test", "test", NOW)
    ClaimsStore().take_for_run([claim], "amend-test-run", NOW)
    page = colin.get("/support/claims/66100054")
    assert not page.soup.find("a", href="/support/claims/66100054/amend/0054001")
    late = colin.post(
        "/support/claims/66100054/amend/0054001/confirm",
        {"change": "hours", "hours": "2", "reason": "Too late", "version": str(_get("66100054").version)},
    )
    assert "Nothing was changed" in _banner(colin.follow(late))
    assert _get("66100054").amount_pence == 45000


# -- undo ---------------------------------------------------------------------------------------------
def _flag(reference: str, hours: tuple[int, ...] = (6, 4)) -> None:
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore

    _claim(reference, hours=hours)
    ClaimsStore().change_status(_get(reference), ClaimStatus.SUPPORT_REVIEW, "payment-run", NOW, "Over £5,000")


def test_an_approval_can_be_undone_until_a_run_takes_the_claim(colin: Client) -> None:
    _flag("66100061")
    colin.post("/support/claims/66100061/review", {"decision": "approve"})
    page = colin.get("/support/claims/66100061")
    assert _link(page, "Undo decision")
    assert "Enter why the decision is undone" in colin.post("/support/claims/66100061/undo", {"reason": ""}).text()
    done = colin.post("/support/claims/66100061/undo", {"reason": "Approved the wrong claim"})
    assert "Decision undone" in _banner(colin.follow(done))
    claim = _get("66100061")
    assert claim.status.value == "support_review"
    assert claim.validated_run is None
    assert "Approval undone" in _history(colin.get("/support/claims/66100061"))[0]


def test_a_rejection_undone_counts_the_hours_again_and_tells_the_school(
    colin: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.usecases.support_review as support_review

    monkeypatch.setattr(support_review, "member_emails", lambda school_id: ["head@actions-test.example"])
    _flag("66100062", hours=(6, 4))
    colin.post(
        "/support/claims/66100062/review",
        {"decision": "reject", "reject_reasons": "hours_not_evidenced"},
    )
    assert _used("0062001") == 0
    assert "Rejected" in _history(colin.get("/support/claims/66100062"))[0]
    queued_emails()
    colin.post("/support/claims/66100062/undo", {"reason": "Evidence arrived"})
    assert _get("66100062").status.value == "support_review"
    assert (_used("0062001"), _used("0062002")) == (6, 4)
    undone = [e for e in queued_emails() if e["subject"] == "Claim 66100062 is being checked again"]
    assert [e["to"] for e in undone] == ["head@actions-test.example"]


def test_a_rejection_cannot_be_undone_once_the_hours_are_claimed_again(colin: Client) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import allowance_id
    from shared.data.items import AllowanceItem

    _flag("66100063", hours=(6,))
    colin.post("/support/claims/66100063/review", {"decision": "reject", "reject_reasons": "duplicate_claim"})
    AllowanceItem(
        allowance_id=allowance_id("0063001", PROVIDER, AcademicYear(YEAR)),
        trn="0063001",
        provider_code=PROVIDER,
        academic_year="2026 to 2027",
        used=_cap() - 2,
    ).save()
    refused = colin.post("/support/claims/66100063/undo", {"reason": "Oops"})
    assert "Nothing was changed" in _banner(colin.follow(refused))
    assert _get("66100063").status.value == "rejected"
    assert _used("0063001") == _cap() - 2


def test_a_decision_cannot_be_undone_after_a_payment_file_of_its_window(colin: Client) -> None:
    from shared.data.batches import PaymentRuns
    from shared.data.items import BatchItem

    _flag("66100064")
    colin.post("/support/claims/66100064/review", {"decision": "reject", "reject_reasons": "school_not_eligible"})
    window = _get("66100064").window_id
    PaymentRuns().start("undo-test-run", window, "test", "test", NOW + dt.timedelta(minutes=1))
    item = BatchItem.get("undo-test-run")
    item.update(actions=[BatchItem.file_key.set("payments/undo-test-run.csv")])
    page = colin.get("/support/claims/66100064")
    assert not _link(page, "Undo decision")
    refused = colin.post("/support/claims/66100064/undo", {"reason": "Too late"})
    assert "Nothing was changed" in _banner(colin.follow(refused))
    assert _get("66100064").status.value == "rejected"
    BatchItem(batch_id="undo-test-run").delete()


def test_structured_rejection_reasons_are_recorded(colin: Client) -> None:
    _flag("66100065")
    colin.post(
        "/support/claims/66100065/review",
        {"decision": "reject", "reject_reasons": ["mentor_not_eligible", "other"], "reject_other": "Left in May"},
    )
    from shared.data.claims import ClaimsStore

    event = [e for e in ClaimsStore().events("66100065") if e["action"] == "rejected_by_support"][-1]
    assert event["reason"] == "Mentor not eligible; Other: Left in May"
    assert event["detail"]["reasons"] == ["mentor_not_eligible", "other"]
