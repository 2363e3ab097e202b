"""A school with no vendor number cannot be paid (ADR 0025): the window-close checks send its claims to support
review ("The school has no vendor number"), support cannot approve one until the school has a vendor number,
and the payment file never holds a claim of a school without one.

The tests make their own provider, schools (URNs 99250x) and windows, removed after."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import NOW, Client

YEAR = "2026 to 2027"
PROVIDER = "V7N"
WITH_VENDOR = "992501"
WITHOUT_VENDOR = "992502"
NAMES = {WITH_VENDOR: "Vendor Test Primary School", WITHOUT_VENDOR: "No Vendor Test Academy"}


@pytest.fixture
def world(seed: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A provider and two eligible schools, one with a vendor number and one without; every mentor is in the
    Teaching Record."""
    from shared.claims.organisations import Provider
    from shared.data.items import OrganisationItem
    from shared.data.organisations import Providers
    from shared.usecases import payment_run_tasks

    Providers().put(
        Provider(code=PROVIDER, name="Vendor Test University", provider_type="university", accredited=True, ukprn="1")
    )
    _school(WITH_VENDOR, "V992501")
    _school(WITHOUT_VENDOR, None)
    monkeypatch.setattr(payment_run_tasks, "find_teacher", lambda trn, date_of_birth, **_: object())
    yield
    for urn in NAMES:
        OrganisationItem(organisation_id=urn).delete()


def _school(urn: str, vendor_number: str | None) -> None:
    from shared.claims.organisations import School
    from shared.data.organisations import Organisations

    Organisations().put_school(
        School(
            organisation_id=urn,
            urn=urn,
            name=NAMES[urn],
            local_authority_name="Leeds",
            vendor_number=vendor_number,
            eligible_years=frozenset({YEAR}),
        )
    )


def _window(window_id: str) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.windows import ClaimWindow
    from shared.data.claim_windows import ClaimWindows

    ClaimWindows().put(
        ClaimWindow(
            window_id=window_id,
            academic_year=AcademicYear.parse(YEAR),
            opens_on=dt.date(2026, 9, 1),
            closes_on=dt.date(2026, 11, 20),
            closed_at=NOW,
        )
    )


def _claims(window_id: str, base: int, validated: bool) -> dict[str, str]:
    """One submitted claim for each school, with its allowance item: reference by school."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType, allowance_id
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import _to_item
    from shared.data.items import AllowanceItem

    references = {}
    for offset, urn in enumerate(NAMES):
        reference, trn = str(base + offset), str(7_250_000 + base % 1000 + offset)
        claim = Claim(
            reference=reference,
            school_id=urn,
            school_name=NAMES[urn],
            provider_code=PROVIDER,
            provider_name="Vendor Test University",
            window_id=window_id,
            academic_year=AcademicYear.parse(YEAR),
            status=ClaimStatus.SUBMITTED,
            mentors=(
                ClaimMentor(trn=trn, first_name="Val", last_name="Mentor", hours=4, training_type=TrainingType.INITIAL),
            ),
            region="Rest of England",
            hourly_rate_pence=4380,
            amount_pence=4 * 4380,
            created_at=NOW - dt.timedelta(days=10),
            submitted_at=NOW - dt.timedelta(days=10),
            submitted_by="u",
            submitted_by_name="Someone Else",
            validated_run="earlier-run" if validated else None,
        )
        _to_item(claim).save()
        AllowanceItem(
            allowance_id=allowance_id(trn, PROVIDER, claim.academic_year),
            trn=trn,
            provider_code=PROVIDER,
            academic_year=YEAR,
            used=4,
            school_ids={urn},
        ).save()
        references[urn] = reference
    return references


def _validate(window_id: str, first: str, last: str) -> dict[str, int]:
    from shared.data.batches import PaymentRuns
    from shared.usecases.payment_run_tasks import ValidationPage, validate_page

    PaymentRuns().start(f"{window_id}-run-1", window_id, "person", "test", NOW)
    return validate_page(ValidationPage(window_id=window_id, run_id=f"{window_id}-run-1", first=first, last=last), NOW)


def _status(reference: str) -> str:
    from shared.data.claims import ClaimsStore

    return ClaimsStore().get(reference).status.value


def _flag_reasons(reference: str) -> list[str]:
    from shared.usecases.support_review import flag_reasons

    return flag_reasons(reference)


# -- at window close -------------------------------------------------------------------------------------------
def test_a_claim_of_a_school_with_no_vendor_number_is_flagged_at_close(world: None) -> None:
    # Given a claim of each school in a closed window
    _window("window-vendor-1")
    claims = _claims("window-vendor-1", 72_500_001, validated=False)
    # When the window's claims are checked
    assert _validate("window-vendor-1", "72500001", "72500002") == {"validated": 2, "flagged": 1}
    # Then the claim of the school without a vendor number waits for support, saying why; the other is ready
    assert _status(claims[WITHOUT_VENDOR]) == "support_review"
    assert _flag_reasons(claims[WITHOUT_VENDOR]) == ["The school has no vendor number"]
    assert _status(claims[WITH_VENDOR]) == "submitted"


# -- support review --------------------------------------------------------------------------------------------
@pytest.fixture
def colin(client: Client, world: None) -> Client:
    client.sign_in("Colin Chapman")
    return client


def test_support_cannot_approve_the_claim_until_the_school_has_a_vendor_number(colin: Client) -> None:
    # Given the flagged claim of the school without a vendor number
    _window("window-vendor-2")
    claims = _claims("window-vendor-2", 72_500_011, validated=False)
    _validate("window-vendor-2", "72500011", "72500012")
    reference = claims[WITHOUT_VENDOR]
    path = f"/support/claims/{reference}"
    # When Colin opens it
    page = colin.get(path)
    # Then the page says the school needs a vendor number first, with a link to the school's page
    warning = page.soup.select_one("#vendor-number")
    assert warning is not None
    assert f"{NAMES[WITHOUT_VENDOR]} has no vendor number" in warning.get_text()
    assert warning.select_one("a")["href"] == f"/support/organisations/schools/{WITHOUT_VENDOR}"
    assert "The school has no vendor number" in page.text()  # why it was flagged
    # When he approves it
    refused = colin.post(f"{path}/review", {"decision": "approve"})
    # Then it is refused with a GOV.UK error, and the claim is still waiting for review
    assert refused.status == 200
    message = f"Add a vendor number for {NAMES[WITHOUT_VENDOR]} before approving this claim"
    assert [a.get_text(strip=True) for a in refused.soup.select(".govuk-error-summary a")] == [message]
    assert message in refused.soup.select_one(".govuk-error-message").get_text()
    assert _status(reference) == "support_review"
    # When the school is given a vendor number and he approves it again
    _school(WITHOUT_VENDOR, "V992502")
    approved = colin.post(f"{path}/review", {"decision": "approve"})
    # Then it is approved, ready for the next payment run
    assert approved.status == 303
    assert _status(reference) == "submitted"
    assert colin.get(path).soup.select_one("#vendor-number") is None


def test_support_can_still_reject_the_claim(colin: Client) -> None:
    _window("window-vendor-3")
    claims = _claims("window-vendor-3", 72_500_021, validated=False)
    _validate("window-vendor-3", "72500021", "72500022")
    reference = claims[WITHOUT_VENDOR]
    colin.get(f"/support/claims/{reference}")
    page = colin.post(
        f"/support/claims/{reference}/review",
        {"decision": "reject", "reject_reasons": "other", "reject_other": "The school is not known to the payer"},
    )
    assert page.status == 303
    assert _status(reference) == "rejected"


# -- the payment file ----------------------------------------------------------------------------------------
def test_the_payment_file_never_holds_a_claim_of_a_school_without_a_vendor_number(world: None) -> None:
    from shared.data.batches import PaymentRuns
    from shared.data.files import read
    from shared.usecases.payment_run_tasks import RunState, generate_payment_file

    # Given a claim of each school ready for payment (as if approved before the vendor number was removed)
    _window("window-vendor-4")
    claims = _claims("window-vendor-4", 72_500_031, validated=True)
    PaymentRuns().start("window-vendor-4-run-1", "window-vendor-4", "person", "test", NOW)
    # When the payment file is generated
    state = generate_payment_file(RunState(window_id="window-vendor-4", run_id="window-vendor-4-run-1"), NOW)
    # Then it holds only the claim of the school with a vendor number, which moved to the payer; the other is left
    assert state.file_key is not None
    rows: list[dict[str, Any]] = list(csv.DictReader(io.StringIO(read(state.file_key).decode())))
    assert [(row["claim_reference"], row["vendor_number"]) for row in rows] == [(claims[WITH_VENDOR], "V992501")]
    assert _status(claims[WITH_VENDOR]) == "payment_in_progress"
    assert _status(claims[WITHOUT_VENDOR]) == "submitted"


def test_the_link_on_the_claim_page_opens_the_school_s_page(colin: Client) -> None:
    # Given the school without a vendor number / When its page (where the review warning links) is opened
    page = colin.get(f"/support/organisations/schools/{WITHOUT_VENDOR}")
    # Then it is the school's page, where its vendor number is changed
    assert page.status == 200
    assert page.h1 == NAMES[WITHOUT_VENDOR]
    assert "Vendor number" in page.text()
