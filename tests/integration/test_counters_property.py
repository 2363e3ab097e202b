"""After any series of submissions, drafts, withdrawals, reviews, amendments, payment groups and payer outcomes,
the Overview's counters equal a recount of the claims (ADR 0028).

Every change goes through the claims store under moto (its submission, draft, transition, group and amendment
transactions, and `bulk.apply_group` as the payment run and the payer's response use it); hypothesis draws the
series. Each example has an academic year of its own, so its counters start at nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infrastructure.local.seed_data import SeedData

_years = itertools.count(2101)
_references = itertools.count(88_000_000)  # no other test's references, schools or providers: other tests count theirs

OPERATIONS = (
    "submit",
    "draft",
    "submit_draft",
    "withdraw",
    "flag",
    "approve",
    "reject",
    "undo_rejection",
    "amend",
    "pay_group",
    "paid_group",
    "information_requested",
    "payer_rejects",
)
REGIONS = ("Inner London", "Outer London", "Fringe", "Rest of England")
PROVIDERS = (("P91", "Property One University"), ("P92", "Property Two University"), ("P93", "Property Three"))
CAP = 1_000


class World:
    """One example's year, window and claims, changed only through the store."""

    def __init__(self, year: int) -> None:
        from shared.claims.academic_years import AcademicYear
        from shared.claims.windows import ClaimWindow
        from shared.data.claim_windows import ClaimWindows
        from shared.data.claims import ClaimsStore

        self.year = AcademicYear(year)
        self.window = ClaimWindow(
            window_id=f"property-{year}",
            academic_year=self.year,
            opens_on=dt.date(year, 11, 1),
            closes_on=dt.date(year, 12, 31),
        )
        ClaimWindows().put(self.window)
        self.store = ClaimsStore()
        self.claims: dict[str, Any] = {}
        self.at = dt.datetime(year, 11, 2, 10, tzinfo=dt.UTC)

    def _tick(self) -> dt.datetime:
        self.at += dt.timedelta(hours=7)  # submissions fall on several days
        return self.at

    def _journey(self) -> str:
        from shared.data.items import JourneyItem

        journey_id = f"property-{next(_references)}"
        JourneyItem(journey_id=journey_id, kind="add_claim", owner="u", organisation_id="s", expires_at=0).save()
        return journey_id

    def _new_claim(self, pick: int, status: Any, hours: int) -> Any:
        from shared.claims.allowance import TrainingType
        from shared.claims.claim import Claim, ClaimMentor

        reference = str(next(_references))
        code, name = PROVIDERS[pick % len(PROVIDERS)]
        mentors = tuple(
            ClaimMentor(
                trn=f"7{reference[-5:]}{n}",
                first_name="M",
                last_name=f"N{n}",
                hours=hours,
                training_type=TrainingType.INITIAL,
            )
            for n in range(1 + pick % 2)
        )
        at = self._tick()
        return Claim(
            reference=reference,
            school_id="990998",
            school_name="A School",
            provider_code=code,
            provider_name=name,
            window_id=self.window.window_id,
            academic_year=self.year,
            status=status,
            mentors=mentors,
            region=REGIONS[pick % len(REGIONS)],
            hourly_rate_pence=4380,
            amount_pence=4380 * hours * len(mentors),
            created_at=at,
            submitted_at=None,
            prepared_by="support" if status == "draft" else None,
        )

    def _in(self, *statuses: str) -> list[Any]:
        return [c for c in self.claims.values() if c.status.value in statuses]

    def _keep(self, claims: list[Any]) -> None:
        for claim in claims:
            self.claims[claim.reference] = self.store.get(claim.reference)

    def apply(self, operation: str, pick: int, hours: int) -> None:
        from shared.claims.statuses import ClaimStatus as S
        from shared.data.claims import StatusChange
        from shared.usecases.bulk import apply_group

        if operation == "submit":
            claim = self._new_claim(pick, S.SUBMITTED, hours).model_copy(update={"submitted_at": self.at})
            caps = {m.trn: CAP for m in claim.mentors}
            self.store.submit(claim, caps, self._journey(), "school-user", self.at, mentors_version=0)
            self.claims[claim.reference] = claim
            return
        if operation == "draft":
            draft = self._new_claim(pick, S.DRAFT, hours)
            self.store.save_draft(draft, self._journey(), "support", self.at)
            self.claims[draft.reference] = draft
            return
        if operation == "amend":
            ready = [c for c in self._in("submitted") if c.payment_run_id is None]
            if ready:
                claim = ready[pick % len(ready)]
                self._keep([self.store.amend(claim, claim.mentors[0].trn, hours, CAP, "Amended", "s", self._tick())])
            return
        single: dict[str, tuple[tuple[str, ...], S, dict[str, Any]]] = {
            "withdraw": (("submitted",), S.WITHDRAWN, {}),
            "flag": (("submitted",), S.SUPPORT_REVIEW, {}),
            "approve": (("support_review",), S.SUBMITTED, {"validated_run": "approved"}),
            "reject": (("support_review",), S.REJECTED, {}),
        }
        if operation == "submit_draft":
            drafts = self._in("draft")
            if drafts:
                draft = drafts[pick % len(drafts)]
                at = self._tick()
                claim = draft.model_copy(
                    update={"status": S.SUBMITTED, "submitted_at": at, "version": draft.version + 1}
                )
                caps = {m.trn: CAP for m in claim.mentors}
                self.store.submit(claim, caps, self._journey(), "school-user", at, mentors_version=0, draft=draft)
                self._keep([claim])
            return
        if operation in single:
            statuses, to_status, extra = single[operation]
            found = self._in(*statuses)
            if found:
                claim = found[pick % len(found)]
                self._keep([self.store.change_status(claim, to_status, "s", self._tick(), "why", **extra)])
            return
        if operation == "undo_rejection":
            rejected = self._in("rejected")
            if rejected:
                claim = rejected[pick % len(rejected)]
                caps = {m.trn: CAP for m in claim.mentors}
                change = StatusChange(claim, S.SUPPORT_REVIEW, "Undone", undo=True, caps=caps)
                self._keep([self.store.apply(change, "s", self._tick())])
            return
        groups: dict[str, tuple[str, S]] = {
            "pay_group": ("submitted", S.PAYMENT_IN_PROGRESS),
            "paid_group": ("payment_in_progress", S.PAID),
            "information_requested": ("payment_in_progress", S.PAYMENT_INFORMATION_REQUESTED),
            "payer_rejects": ("payment_information_requested", S.PAYMENT_NOT_APPROVED),
        }
        status, to_status = groups[operation]
        group = self._in(status)[: 1 + pick % 4]
        if group:
            changes = [StatusChange(c, to_status, "In a group") for c in group]
            apply_group(self.store, changes, "payment-run", self._tick())
            self._keep(group)

    def check(self) -> None:
        from shared.claims.counters import recount
        from shared.data.counters import Counters, claims_of_year

        # The listing index and the claims themselves agree on what the counters must be...
        from_index = {d.year: d for d in recount(claims_of_year(self.year.name))}.get(self.year.name)
        from_claims = {d.year: d for d in recount(self.store.get(r) for r in self.claims)}.get(self.year.name)
        counts, names = Counters().read(self.year.name)
        wanted = from_claims.counts if from_claims else {}
        # ...and the counters equal them
        assert counts == wanted
        assert (from_index.counts if from_index else {}) == wanted
        if from_claims:
            assert from_claims.provider_names.items() <= names.items()


operation = st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 11), st.integers(1, 5))


@pytest.fixture(scope="module")
def worlds(seed: SeedData) -> Iterator[Callable[[], World]]:
    """A world per example; its claim windows are removed afterwards (other tests read the latest window's year)."""
    from shared.data.items import ClaimWindowItem

    made: list[World] = []

    def world() -> World:
        made.append(World(next(_years)))
        return made[-1]

    yield world
    for each in made:
        ClaimWindowItem(window_id=each.window.window_id).delete()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(series=st.lists(operation, min_size=1, max_size=30))
def test_the_counters_equal_a_recount_after_any_series_of_changes(
    worlds: Callable[[], World], series: list[tuple[str, int, int]]
) -> None:
    # Given a year of its own
    world = worlds()
    # When the series of changes is made, each through the store
    for name, pick, hours in series:
        world.apply(name, pick, hours)
    # Then the counters equal a recount of its claims
    world.check()


def test_a_cancelled_change_moves_no_counter(worlds: Callable[[], World]) -> None:
    from shared.claims.errors import ConcurrentUpdate
    from shared.claims.statuses import ClaimStatus
    from shared.data.counters import Counters

    # Given a submitted claim, and a copy of it read before it was withdrawn
    world = worlds()
    world.apply("submit", 0, 3)
    (stale,) = world.claims.values()
    world.apply("withdraw", 0, 3)
    before = Counters().read(world.year.name)
    # When the stale copy is sent to payment (its condition fails: the claim moved on)
    with pytest.raises(ConcurrentUpdate):
        world.store.change_status(stale, ClaimStatus.PAYMENT_IN_PROGRESS, "payment-run", world.at, "late")
    # Then the counters did not move
    assert Counters().read(world.year.name) == before
    world.check()
