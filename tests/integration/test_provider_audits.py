"""A provider answers an audit: Patricia Adeyemi (Sheffield Hallam University) sees her claims under audit and,
for each mentor, says whether they completed the hours claimed; all Yes pays the claim again, any No moves it
to "rejected by provider" with the answers kept, in one write with its event (ADR 0032)."""

from __future__ import annotations

import datetime as dt

import pytest

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, SeedData
from shared.claims.statuses import ClaimStatus
from tests.integration.audit_helpers import (
    answer,
    claim_under_audit,
    other_provider,
    patricias_provider,
    start_answering,
)
from tests.support import NOW, Client, LambdaContextStub, Page, api_event, check_page, queued_emails


@pytest.fixture
def patricia(client: Client) -> Client:
    client.sign_in("Patricia Adeyemi")
    return client


def _claim(reference: str):  # type: ignore[no-untyped-def]
    from shared.data.claims import ClaimsStore

    return ClaimsStore().get(reference)


def test_audits_lists_the_providers_claims_under_audit(patricia: Client, seed: SeedData) -> None:
    # Given a claim naming Sheffield Hallam under audit, and one naming another provider
    code = patricias_provider(seed)
    mine = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN)
    theirs = claim_under_audit(seed, other_provider(seed), ANNE_WILSON_SCHOOL_URN)
    # When Patricia opens Audits
    page = patricia.get(f"/providers/{code}/audits")
    # Then she sees her claim with its school, mentors, hours and a deadline not yet set
    assert page.status == 200
    assert page.h1 == "Audits"
    text = page.text()
    assert mine in text
    assert theirs not in text
    assert "Audit Test School" in text
    assert "Ada Lovelace" in text
    assert "12 hours" in text
    assert "Not set" in text
    assert any(a.get("href") == f"/providers/{code}/audits" for a in page.soup.select("header a"))


def test_the_deadline_is_the_audits_or_21_days_after_it_was_requested(patricia: Client, seed: SeedData) -> None:
    from shared.data.items import ClaimItem

    # Given a claim under audit requested on 5 January, and one with its own deadline
    code = patricias_provider(seed)
    requested = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN)
    ClaimItem(claim_id=requested).update(
        actions=[ClaimItem.audit_requested_at.set(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))]
    )
    own = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN)
    ClaimItem(claim_id=own).update(actions=[ClaimItem.audit_deadline.set("2026-02-01")])
    # When Patricia opens Audits
    rows = {
        row.find("a").text.strip(): row.text
        for row in patricia.get(f"/providers/{code}/audits").soup.select("tbody tr")
    }
    # Then each shows its deadline
    assert "26 January 2026" in rows[requested]
    assert "1 February 2026" in rows[own]


def test_all_yes_pays_the_claim_again(patricia: Client, seed: SeedData) -> None:
    # Given a claim of two mentors under audit
    code = patricias_provider(seed)
    reference = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN)
    # When Patricia answers Yes for both and submits
    page = answer(patricia, code, reference, [None, None])
    # Then the claim is paid, its answers kept, with the event
    assert (page.status, page.location) == (303, f"/providers/{code}/audits")
    assert f"Response submitted for claim {reference}" in patricia.get(page.location).text()
    claim = _claim(reference)
    assert claim.status is ClaimStatus.PAID
    assert claim.provider_answers is not None
    assert claim.provider_answers.all_confirmed
    assert claim.provider_answers.answered_by_name == "Patricia Adeyemi"
    from shared.data.claims import ClaimsStore

    last = ClaimsStore().events(reference)[-1]
    assert last["action"] == "approved_by_provider"
    assert [a["confirmed"] for a in last["detail"]["answers"]] == [True, True]


def test_one_no_rejects_the_claim_and_emails_the_school(patricia: Client, seed: SeedData) -> None:
    # Given a claim of two mentors of 6 hours under audit
    code = patricias_provider(seed)
    reference = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN)
    queued_emails()
    # When Patricia answers Yes for the first and No (2 of 6 hours) for the second
    page = answer(patricia, code, reference, [None, (2, "Left the programme in October")])
    # Then the claim is rejected by the provider, with the answers stored and in the event
    assert page.status == 303
    claim = _claim(reference)
    assert claim.status is ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED
    assert claim.provider_answers is not None
    second = claim.provider_answers.answers[1]
    assert (second.trn, second.confirmed, second.hours_completed, second.reason) == (
        claim.mentors[1].trn,
        False,
        2,
        "Left the programme in October",
    )
    from shared.data.claims import ClaimsStore

    last = ClaimsStore().events(reference)[-1]
    assert last["action"] == "rejected_by_provider"
    assert last["detail"]["answers"][1]["hours_completed"] == 2
    # And the school's users are emailed
    emails = queued_emails()
    assert emails
    assert all(e["reference"] == reference for e in emails)
    assert any("did not confirm all the training" in e["subject"] for e in emails)


def test_check_answers_shows_the_answers(patricia: Client, seed: SeedData) -> None:
    code = patricias_provider(seed)
    reference = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN, mentors=1)
    trn = _claim(reference).mentors[0].trn
    base = start_answering(patricia, code, reference)
    assert patricia.get(f"{base}/mentor/{trn}").h1 == "Did Ada Lovelace complete 6 hours of training with you?"
    patricia.post(f"{base}/mentor/{trn}", {"confirmed": "no"})
    assert patricia.get(f"{base}/hours/{trn}").h1 == "How many hours of training did Ada Lovelace complete?"
    patricia.post(f"{base}/hours/{trn}", {"hours_completed": "0", "reason": "Never attended"})
    text = patricia.get(f"{base}/check").text()
    assert "0 hours" in text
    assert "Never attended" in text
    assert "Submit response" in text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Select whether Ada Lovelace completed 6 hours of training with you"),
        ({"confirmed": "maybe"}, "Select whether Ada Lovelace completed 6 hours of training with you"),
    ],
)
def test_the_yes_or_no_must_be_chosen(patricia: Client, seed: SeedData, form: dict[str, str], message: str) -> None:
    code = patricias_provider(seed)
    reference = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN, mentors=1)
    trn = _claim(reference).mentors[0].trn
    base = start_answering(patricia, code, reference)
    page = patricia.post(f"{base}/mentor/{trn}", form)
    assert page.status == 200
    assert page.soup.title is not None
    assert page.soup.title.text.startswith("Error: ")
    assert message in page.text()
    assert "There is a problem" in page.text()


@pytest.mark.parametrize(
    ("hours", "reason", "messages"),
    [
        ("", "Left", ["Enter the number of hours"]),
        ("two", "Left", ["Enter a whole number"]),
        ("2.5", "Left", ["Enter a whole number"]),
        ("-1", "Left", ["Enter a whole number"]),
        ("7", "Left", ["Number of hours must be 6 or fewer"]),
        ("2", "", ["Enter a reason"]),
        ("", "", ["Enter the number of hours", "Enter a reason"]),
        ("2", "x" * 2001, ["Reason must be 2,000 characters or less"]),
    ],
)
def test_hours_and_reason_are_checked(
    patricia: Client, seed: SeedData, hours: str, reason: str, messages: list[str]
) -> None:
    # Given a provider who answered No
    code = patricias_provider(seed)
    reference = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN, mentors=1)
    trn = _claim(reference).mentors[0].trn
    base = start_answering(patricia, code, reference)
    patricia.post(f"{base}/mentor/{trn}", {"confirmed": "no"})
    # When the hours or reason are wrong
    page = patricia.post(f"{base}/hours/{trn}", {"hours_completed": hours, "reason": reason})
    # Then the page says so, and nothing is stored
    assert page.status == 200
    summary = [a.text.strip() for a in page.soup.select(".govuk-error-summary a")]
    assert summary == messages
    assert _claim(reference).status is ClaimStatus.SAMPLING_IN_PROGRESS


def test_another_providers_claim_is_not_found(patricia: Client, seed: SeedData) -> None:
    # Given a claim naming another provider under audit
    code = patricias_provider(seed)
    theirs = claim_under_audit(seed, other_provider(seed), ANNE_WILSON_SCHOOL_URN)
    # When Patricia asks for it under her provider, or starts answering it
    assert patricia.get(f"/providers/{code}/audits/{theirs}").status == 404
    patricia.get(f"/providers/{code}/audits/{claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN)}")  # a form
    assert patricia.post(f"/providers/{code}/audits/{theirs}").status == 404
    # Nor may she see the other provider's audits
    assert patricia.get(f"/providers/{other_provider(seed)}/audits").status == 404
    assert _claim(theirs).status is ClaimStatus.SAMPLING_IN_PROGRESS


def test_a_school_user_may_not_see_provider_audits(client: Client, seed: SeedData) -> None:
    client.sign_in("Anne Wilson")
    assert client.get(f"/providers/{patricias_provider(seed)}/audits").status == 403


def test_a_claim_answered_cannot_be_answered_again(patricia: Client, seed: SeedData) -> None:
    # Given a claim Patricia has started answering in two tabs
    code = patricias_provider(seed)
    reference = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN, mentors=1)
    trn = _claim(reference).mentors[0].trn
    first = start_answering(patricia, code, reference)
    second = start_answering(patricia, code, reference)
    for base in (first, second):
        patricia.post(f"{base}/mentor/{trn}", {"confirmed": "no"})
        patricia.post(f"{base}/hours/{trn}", {"hours_completed": "1", "reason": "Ill"})
    assert patricia.post(f"{first}/check").status == 303
    # When she submits the second
    page = patricia.post(f"{second}/check")
    # Then it is refused, and the first answers stand
    assert page.status == 409
    assert page.h1 == "This claim has already been answered"
    assert patricia.get(f"/providers/{code}/audits/{reference}").h1 == "This claim has already been answered"
    from shared.data.claims import ClaimsStore

    events = ClaimsStore().events(reference)
    assert [e["action"] for e in events].count("rejected_by_provider") == 1


def test_a_provider_may_answer_after_the_deadline(patricia: Client, seed: SeedData) -> None:
    # Given an audit requested 30 days ago (past its 21 days)
    code = patricias_provider(seed)
    reference = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN, at=NOW - dt.timedelta(days=30))
    # When Patricia answers, the answer is taken (the workflow marks it overdue; it does not close it)
    answer(patricia, code, reference, [None, None])
    assert _claim(reference).status is ClaimStatus.PAID


def test_the_provider_downloads_its_claims_under_audit(patricia: Client, seed: SeedData) -> None:
    # Given a claim of two mentors under audit naming Patricia's provider, and one naming another
    code = patricias_provider(seed)
    mine = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN)
    theirs = claim_under_audit(seed, other_provider(seed), ANNE_WILSON_SCHOOL_URN)
    assert "Download the claims being audited (CSV)" in patricia.get(f"/providers/{code}/audits").text()
    # When she downloads the audit file
    page = patricia.get(f"/providers/{code}/audits/download", check=False)
    # Then it is a CSV with one row per mentor of her claims, and no amounts
    assert page.status == 200
    lines = page.body.splitlines()
    assert lines[0].startswith("claim_reference,school_urn")
    assert sum(line.startswith(f"{mine},") for line in lines) == 2
    assert not any(line.startswith(f"{theirs},") for line in lines)
    assert "4380" not in page.body
    # And another provider's file is not hers to download
    assert patricia.get(f"/providers/{other_provider(seed)}/audits/download", check=False).status == 404


# -- the audit file uploaded ----------------------------------------------------------------------------
def post_file(client: Client, path: str, content: bytes | None) -> Page:
    """POST the upload form as a browser does (the CSRF token first, then the file) through the web handler."""
    import base64
    from http.cookies import SimpleCookie

    boundary = "----AuditFileBoundary7f3a"
    parts = f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{client.csrf_token()}\r\n'
    parts += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{"audit.csv" if content is not None else ""}"\r\nContent-Type: text/csv\r\n\r\n'
    )
    body = parts.encode() + (content or b"") + f"\r\n--{boundary}--\r\n".encode()
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items()) or None
    event = api_event(path, "POST", None, cookie)
    event["body"] = base64.b64encode(body).decode()
    event["isBase64Encoded"] = True
    event["headers"]["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    event["multiValueHeaders"]["Content-Type"] = [event["headers"]["Content-Type"]]
    response = client.web(event, LambdaContextStub())
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


def _file(rows: list[tuple[str, str, str, str, str]]) -> bytes:
    lines = ["claim_reference,mentor_trn,claim_accepted,rejection_reason,hours_completed"]
    lines += [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_an_uploaded_audit_file_answers_its_claims_once_confirmed(patricia: Client, seed: SeedData) -> None:
    # Given two claims under audit
    code = patricias_provider(seed)
    passed, failed = (claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN, mentors=1) for _ in range(2))
    trn_passed, trn_failed = _claim(passed).mentors[0].trn, _claim(failed).mentors[0].trn
    upload = f"/providers/{code}/audits/upload"
    assert patricia.get(upload).h1 == "Upload the audit file"
    # When Patricia uploads a file confirming one and not the other
    page = post_file(
        patricia, upload, _file([(passed, trn_passed, "yes", "", ""), (failed, trn_failed, "no", "Never came", "0")])
    )
    # Then she checks it before anything changes
    assert page.status == 303, page.body[:800]
    check = patricia.get(page.location)
    assert check.h1 == "Check the audit file"
    assert "1 with all the training confirmed, 1 with some not confirmed" in check.text()
    assert _claim(passed).status is ClaimStatus.SAMPLING_IN_PROGRESS
    # And "Confirm upload" answers both, once
    done = patricia.post(page.location)
    assert (done.status, done.location) == (303, f"/providers/{code}/audits")
    assert "Audit file uploaded: 2 claims answered" in patricia.get(done.location).text()
    assert _claim(passed).status is ClaimStatus.PAID
    rejected = _claim(failed)
    assert rejected.status is ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED
    assert rejected.provider_answers is not None
    assert rejected.provider_answers.answers[0].reason == "Never came"
    assert patricia.post(page.location).status == 303  # a second click
    from shared.data.claims import ClaimsStore

    assert [e["action"] for e in ClaimsStore().events(failed)].count("rejected_by_provider") == 1


def test_an_audit_file_with_errors_changes_nothing(patricia: Client, seed: SeedData) -> None:
    code = patricias_provider(seed)
    reference = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN, mentors=1)
    trn = _claim(reference).mentors[0].trn
    upload = f"/providers/{code}/audits/upload"
    patricia.get(upload)
    page = post_file(patricia, upload, _file([(reference, trn, "maybe", "", "")]))
    assert page.status == 200
    assert page.soup.select("#row-errors")
    assert "There is a problem" in page.text()
    assert post_file(patricia, upload, None).status == 200
    assert "Select a CSV file to upload" in post_file(patricia, upload, None).text()
    assert _claim(reference).status is ClaimStatus.SAMPLING_IN_PROGRESS


def test_a_claim_answered_on_the_pages_meanwhile_is_left_as_it_is(patricia: Client, seed: SeedData) -> None:
    code = patricias_provider(seed)
    reference = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN, mentors=1)
    trn = _claim(reference).mentors[0].trn
    upload = f"/providers/{code}/audits/upload"
    patricia.get(upload)
    page = post_file(patricia, upload, _file([(reference, trn, "no", "Left", "1")]))
    answer(patricia, code, reference, [None])  # answered Yes on the pages first
    patricia.get(page.location)
    done = patricia.post(page.location)
    assert "0 claims answered (1 already answered" in patricia.get(done.location).text()
    assert _claim(reference).status is ClaimStatus.PAID
