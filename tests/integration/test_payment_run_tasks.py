"""The payment run's tasks against moto: what validation reads to judge a page, the facts it finds through
the real submission path, and how many requests the file task makes for a window of any size.

tests/workflows runs the same tasks inside the executed state machine; these call them directly, so that
each DynamoDB request they make can be counted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support import NOW

YEAR = "2026 to 2027"
PROVIDER = "S9T"


@dataclass
class Requests:
    """DynamoDB requests made, by operation, and the items they returned."""

    calls: Counter[str] = field(default_factory=Counter)
    items: int = 0

    @property
    def total(self) -> int:
        return sum(self.calls.values())


@contextmanager
def dynamodb_requests() -> Iterator[Requests]:
    """Every DynamoDB call any botocore client makes in the block (PynamoDB's included)."""
    from botocore.client import BaseClient

    seen = Requests()
    original = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        result = original(client, operation, params)
        if client.meta.service_model.service_name == "dynamodb":
            seen.calls[operation] += 1
            seen.items += len(result.get("Items", [])) + ("Item" in result)
            seen.items += sum(len(found) for found in result.get("Responses", {}).values())
        return result

    BaseClient._make_api_call = counted
    try:
        yield seen
    finally:
        BaseClient._make_api_call = original


@pytest.fixture
def world(seed: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A provider and ten schools of our own, removed after (the support console counts schools); every mentor
    is in the Teaching Record."""
    from shared.claims.organisations import Provider, School
    from shared.data.items import OrganisationItem
    from shared.data.organisations import Organisations, Providers
    from shared.usecases import payment_run_tasks as payment_run

    Providers().put(
        Provider(
            code=PROVIDER, name="Scale Test University", provider_type="university", accredited=True, ukprn="10099999"
        )
    )
    for index in range(10):
        Organisations().put_school(
            School(
                organisation_id=f"99{index:04d}",
                urn=f"99{index:04d}",
                name=f"Scale Test School {index}",
                district_admin_code="E08000035",
                local_authority_name="Leeds",
                type_of_establishment="Community school",
                group="Local authority maintained schools",
                vendor_number=f"V99{index:04d}",
                eligible_years=frozenset({YEAR}),
            )
        )
    monkeypatch.setattr(payment_run, "find_teacher", lambda trn, date_of_birth, **_: object())
    yield
    for index in range(10):
        OrganisationItem(organisation_id=f"99{index:04d}").delete()


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


def _claim(reference: str, window_id: str, school: int, trn: str, hours: int, validated: bool = False) -> Any:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus

    return Claim(
        reference=reference,
        school_id=f"99{school:04d}",
        school_name=f"Scale Test School {school}",
        provider_code=PROVIDER,
        provider_name="Scale Test University",
        window_id=window_id,
        academic_year=AcademicYear.parse(YEAR),
        status=ClaimStatus.SUBMITTED,
        mentors=(
            ClaimMentor(
                trn=trn, first_name="Sam", last_name=f"Mentor{trn}", hours=hours, training_type=TrainingType.INITIAL
            ),
        ),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=hours * 4380,
        created_at=NOW - dt.timedelta(days=10),
        submitted_at=NOW - dt.timedelta(days=10),
        submitted_by="u",
        submitted_by_name="Someone Else",
        validated_run="earlier-run" if validated else None,
    )


def _submit(claim: Any) -> None:
    """Through ClaimsStore.submit, as a school's submission before its window closed: the claim, allowance
    (with its school) and event."""
    from shared.data.claims import ClaimsStore
    from shared.data.items import ClaimWindowItem, SchoolMentorItem
    from shared.data.journeys import Journeys

    window = ClaimWindowItem.get(claim.window_id)
    closed_at, window.closed_at = window.closed_at, None
    window.save()

    SchoolMentorItem(
        school_id=claim.school_id,
        trn=claim.mentors[0].trn,
        first_name="Sam",
        last_name="Mentor",
        added_at=NOW,
        added_by="test",
    ).save()
    journey = Journeys().start("add_claim", "u", claim.school_id, NOW)
    ClaimsStore().submit(claim, {m.trn: 20 for m in claim.mentors}, journey, "u", NOW, mentors_version=0)
    window.closed_at = closed_at
    window.save()


def _seed(claims: list[Any]) -> None:
    """Many claims at once (BatchWriteItem), with the allowance items their submission would have written."""
    from shared.claims.allowance import allowance_id
    from shared.data.claims import _to_item
    from shared.data.items import AllowanceItem, ClaimItem

    with ClaimItem.batch_write() as items, AllowanceItem.batch_write() as allowances:
        for claim in claims:
            items.save(_to_item(claim))
            mentor = claim.mentors[0]
            allowances.save(
                AllowanceItem(
                    allowance_id=allowance_id(mentor.trn, claim.provider_code, claim.academic_year),
                    trn=mentor.trn,
                    provider_code=claim.provider_code,
                    academic_year=YEAR,
                    used=mentor.hours,
                    school_ids={claim.school_id},
                )
            )


def _validate(window_id: str, first: str, last: str) -> dict[str, int]:
    from shared.data.batches import PaymentRuns
    from shared.usecases.payment_run_tasks import ValidationPage, validate_page

    if not PaymentRuns().exists(f"{window_id}-run-1"):
        PaymentRuns().start(f"{window_id}-run-1", window_id, "person", "test", NOW)
    return validate_page(ValidationPage(window_id=window_id, run_id=f"{window_id}-run-1", first=first, last=last), NOW)


def _reasons(reference: str) -> str:
    from shared.data.claims import ClaimsStore

    return " | ".join(str(e.get("reason") or "") for e in ClaimsStore().events(reference))


# -- what validation finds --------------------------------------------------------------------------------------
def test_a_mentor_claimed_by_two_schools_is_flagged_and_one_school_is_not(world: None) -> None:
    from shared.data.claims import ClaimsStore

    # Given two schools claimed the same mentor with the same provider, and a third school its own mentor
    _window("wv1")
    _submit(_claim("71000001", "wv1", 1, "7100001", 4))
    _submit(_claim("71000002", "wv1", 2, "7100001", 5))
    _submit(_claim("71000003", "wv1", 3, "7100002", 6))
    # When the page is validated
    assert _validate("wv1", "71000001", "71000003") == {"validated": 3, "flagged": 2}
    # Then both claims for the shared mentor wait for review, with the reason; the other is ready
    store = ClaimsStore()
    assert [store.get(r).status.value for r in ("71000001", "71000002", "71000003")] == [
        "support_review",
        "support_review",
        "submitted",
    ]
    assert "by two or more schools: Sam Mentor7100001" in _reasons("71000001")
    assert store.get("71000003").validated_run == "wv1-run-1"


def test_a_school_that_withdrew_no_longer_counts(world: None) -> None:
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore

    # Given school 4 claimed the mentor and withdrew, and school 5 claimed the same mentor
    _window("wv2")
    _submit(_claim("72000001", "wv2", 4, "7200001", 4))
    store = ClaimsStore()
    store.change_status(store.get("72000001"), ClaimStatus.WITHDRAWN, "u", NOW)
    _submit(_claim("72000002", "wv2", 5, "7200001", 5))
    # Then the allowance still names both schools, but the claim is not flagged: only school 5's counts
    from shared.data.items import AllowanceItem

    assert AllowanceItem.get(f"7200001#{PROVIDER}#2026").school_ids == {"990004", "990005"}
    assert _validate("wv2", "72000002", "72000002") == {"validated": 1, "flagged": 0}


def test_hours_over_the_allowance_are_flagged_from_the_allowance_item(world: None) -> None:
    from shared.data.items import AllowanceItem

    # Given a claim whose mentor's allowance shows more than the 20 hours of initial training
    _window("wv3")
    _submit(_claim("73000001", "wv3", 6, "7300001", 16))
    AllowanceItem(allowance_id=f"7300001#{PROVIDER}#2026").update(actions=[AllowanceItem.used.add(6)])
    # Then it is flagged as over the allowance
    assert _validate("wv3", "73000001", "73000001") == {"validated": 1, "flagged": 1}
    assert "Sam Mentor7300001" in _reasons("73000001")


# -- what it costs ------------------------------------------------------------------------------------------------
def test_validating_a_page_reads_the_same_whatever_the_window_holds(world: None) -> None:
    """20 claims validated in a window of 40 and of 400 claims of one provider: the same requests, and the
    items read grow only by the page's schools' own new claims, not with the provider's or the window's."""
    measured = []
    for size, window_id, base in ((40, "ws1", 74_000_000), (400, "ws2", 75_000_000)):
        _window(window_id)
        _seed([_claim(str(base + n), window_id, n % 10, str(7_400_000 + base // 1000 + n), 1) for n in range(size)])
        with dynamodb_requests() as seen:
            result = _validate(window_id, str(base), str(base + 19))
        assert result == {"validated": 20, "flagged": 0}
        reads = {op: n for op, n in seen.calls.items() if op in ("Query", "GetItem", "BatchGetItem", "Scan")}
        measured.append((reads, seen.items))
    (small_reads, small_items), (large_reads, large_items) = measured
    assert "Scan" not in large_reads
    assert large_reads == small_reads
    # The page's ten schools' claims are read (their claims in every window): the second window gave each
    # of them 40 more, and that is all that grew. Reading the provider's claims too would add 440 more.
    assert large_items - small_items == 10 * 40


def test_the_file_task_moves_claims_in_groups(world: None) -> None:
    """Requests for the file task over 100 and 1,000 ready claims: a Query per 500 claims, one TransactWriteItems
    per 49 claims taken for the run and one per 50 moved, a BatchGet per page of schools. One GetItem and one
    transaction per claim would be 200 and 2,000."""
    from shared.data.batches import PaymentRuns
    from shared.data.claims import GROUP_SIZE, TAKE_GROUP_SIZE
    from shared.usecases.payment_run_tasks import FILE_PAGE_SIZE, RunState, generate_payment_file

    costs = {}
    for size, window_id, base in ((100, "wf1", 76_000_000), (1_000, "wf2", 77_000_000)):
        _window(window_id)
        _seed(
            [_claim(str(base + n), window_id, n % 10, str(7_600_000 + base // 1000 + n), 2, True) for n in range(size)]
        )
        run_id = f"{window_id}-run-1"
        PaymentRuns().start(run_id, window_id, "person", "test", NOW)
        with dynamodb_requests() as seen:
            state = generate_payment_file(RunState(window_id=window_id, run_id=run_id), NOW)
        assert (state.row_count, state.total_pence) == (size, size * 2 * 4380)
        pages = [min(FILE_PAGE_SIZE, size - start) for start in range(0, size, FILE_PAGE_SIZE)]
        groups = sum(-(-page // TAKE_GROUP_SIZE) + -(-page // GROUP_SIZE) for page in pages)
        assert seen.calls["TransactWriteItems"] == groups
        assert 1 <= seen.calls["BatchGetItem"] <= size // 50  # a page's schools at a time
        assert seen.calls["GetItem"] <= 3  # the run record: before, after recording the file, when checking it
        costs[size] = seen.total
    assert costs[1_000] <= 10 * costs[100]
    assert costs[1_000] < 1_000 // 5


def test_a_group_with_a_changed_claim_moves_the_others(world: None) -> None:
    """One claim of the file changed after the file was written: its group is moved claim by claim, the
    changed one left as it is and the others moved."""
    from shared.claims.statuses import ClaimStatus
    from shared.data.batches import PaymentRuns
    from shared.data.claims import ClaimsStore
    from shared.usecases import payment_run_tasks as payment_run

    _window("wf3")
    _seed([_claim(str(78_000_000 + n), "wf3", n % 10, str(7_800_000 + n), 2, True) for n in range(60)])
    PaymentRuns().start("wf3-run-1", "wf3", "person", "test", NOW)
    assert payment_run.take_ready_claims("wf3", "wf3-run-1", NOW) == 60
    key, _ = payment_run._write_file("wf3-run-1", NOW)
    store = ClaimsStore()
    store.change_status(store.get("78000007"), ClaimStatus.SUPPORT_REVIEW, "test", NOW, "a late flag")
    assert payment_run._move_owned_claims("wf3-run-1", key, NOW) == 59
    statuses = Counter(store.get(str(78_000_000 + n)).status.value for n in range(60))
    assert statuses == {"payment_in_progress": 59, "support_review": 1}
    assert payment_run._move_owned_claims("wf3-run-1", key, NOW) == 0  # a retry moves nothing twice
