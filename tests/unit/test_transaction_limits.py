"""Every DynamoDB transaction the service writes fits DynamoDB's limits (100 actions, 4 MB), at its largest.

DynamoDB refuses a larger TransactWriteItems with a ValidationException that carries no cancellation reasons,
which the code used to read as "a conflict": a claim of 49 or 50 mentors could never be submitted. Here each
transaction is built at its largest against a connection that only counts (no AWS, no sockets), and a test
lists every place that opens a transaction, so a new one cannot be added without its worst case here.
"""

from __future__ import annotations

import ast
import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from tests.support import ROOT

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


class CountingConnection:
    """Stands in for PynamoDB's connection: records each TransactWriteItems' size and writes nothing."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def transact_write_items(self, **operations: Any) -> dict[str, Any]:
        kinds = ("condition_check_items", "delete_items", "put_items", "update_items")
        self.sizes.append(sum(len(operations[kind]) for kind in kinds))
        return {}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> CountingConnection:
    from shared.config import settings
    from shared.data import transactions
    from shared.data.items import bind_tables

    bind_tables(settings())
    connection = CountingConnection()
    monkeypatch.setattr(transactions, "connection", lambda: connection)
    return connection


def _claim(reference: str, mentors: int, **changes: Any) -> Any:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus

    claim = Claim(
        reference=reference,
        school_id="100001",
        school_name="A School",
        provider_code="N97",
        provider_name="A University",
        window_id="w",
        academic_year=AcademicYear(2026),
        status=ClaimStatus.SUBMITTED,
        mentors=tuple(
            ClaimMentor(
                trn=f"{1_000_000 + n}", first_name="M", last_name=f"N{n}", hours=1, training_type=TrainingType.INITIAL
            )
            for n in range(mentors)
        ),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=4380 * mentors,
        created_at=NOW,
        validated_run="r",
    )
    return claim.model_copy(update=changes)


def test_the_guard_refuses_a_101st_action_before_anything_is_sent(counted: CountingConnection) -> None:
    from shared.data.items import ClaimEventItem
    from shared.data.transactions import MAX_TRANSACTION_ITEMS, TransactionTooLarge, write_transaction

    transaction = write_transaction()
    for n in range(MAX_TRANSACTION_ITEMS + 1):
        transaction.save(ClaimEventItem(claim_id="1", event_id=str(n), action="a", to_status="s", actor="x"))
    with pytest.raises(TransactionTooLarge, match="101 actions"):
        transaction._commit()
    assert counted.sizes == []  # nothing reached DynamoDB
    with write_transaction() as transaction:
        for n in range(MAX_TRANSACTION_ITEMS):
            transaction.save(ClaimEventItem(claim_id="1", event_id=str(n), action="a", to_status="s", actor="x"))
    assert counted.sizes == [100]


def test_the_guard_refuses_more_than_four_megabytes(counted: CountingConnection) -> None:
    from shared.data.items import ClaimEventItem
    from shared.data.transactions import TransactionTooLarge, write_transaction

    transaction = write_transaction()
    for n in range(20):
        event = ClaimEventItem(
            claim_id="1", event_id=str(n), action="a", to_status="s", actor="x", reason="x" * 250_000
        )
        transaction.save(event)
    with pytest.raises(TransactionTooLarge, match="4 MB"):
        transaction._commit()
    assert counted.sizes == []


def test_a_claim_of_the_most_mentors_submits_in_one_transaction(counted: CountingConnection) -> None:
    from shared.claims.claim import MAX_MENTORS_PER_CLAIM
    from shared.data.claims import ClaimsStore

    claim = _claim("10000001", MAX_MENTORS_PER_CLAIM)
    caps = {mentor.trn: 16 for mentor in claim.mentors}
    ClaimsStore().submit(claim, caps, "journey", "user", NOW, mentors_version=3)
    # the claim, the journey, the window check, the mentor-list check, one allowance per mentor, the event,
    # the Overview's counters (ADR 0028)
    assert counted.sizes == [4 + MAX_MENTORS_PER_CLAIM + 1 + 1]
    assert max(counted.sizes) <= 100


def test_the_largest_batch_status_change_fits(counted: CountingConnection) -> None:
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import GROUP_SIZE, ClaimsStore, StatusChange
    from shared.data.transactions import TransactionTooLarge

    changes = [StatusChange(_claim(str(n), 50), ClaimStatus.PAYMENT_IN_PROGRESS) for n in range(GROUP_SIZE)]
    ClaimsStore().change_statuses(changes, "payment-run", NOW)
    assert counted.sizes == [2 * GROUP_SIZE + 1]  # each claim and its event, one counters update for the group
    assert counted.sizes[0] <= 100
    # Changes that give hours back write each mentor's allowance too: too many for one transaction is refused
    releasing = [StatusChange(_claim(str(n), 50), ClaimStatus.WITHDRAWN) for n in range(2)]
    with pytest.raises(TransactionTooLarge):
        ClaimsStore().change_statuses(releasing, "school", NOW)
    assert counted.sizes == [2 * GROUP_SIZE + 1]


def test_one_claim_giving_back_the_hours_of_the_most_mentors_fits(counted: CountingConnection) -> None:
    from shared.claims.claim import MAX_MENTORS_PER_CLAIM
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore

    ClaimsStore().change_status(_claim("1", MAX_MENTORS_PER_CLAIM), ClaimStatus.WITHDRAWN, "school", NOW, "Withdrawn")
    assert counted.sizes == [2 + MAX_MENTORS_PER_CLAIM + 1]  # and the counters


def test_taking_the_largest_group_of_claims_for_a_run_fits(counted: CountingConnection) -> None:
    from shared.data.claims import TAKE_GROUP_SIZE, ClaimsStore
    from shared.data.transactions import TransactionTooLarge

    ClaimsStore().take_for_run([_claim(str(n), 1) for n in range(TAKE_GROUP_SIZE)], "w-run-1", NOW)
    assert counted.sizes == [1 + 2 * TAKE_GROUP_SIZE]  # the run's "no file yet" check, each claim and its event
    with pytest.raises(TransactionTooLarge):
        ClaimsStore().take_for_run([_claim(str(n), 1) for n in range(TAKE_GROUP_SIZE + 1)], "w-run-1", NOW)


def test_the_fixed_size_transactions_fit(counted: CountingConnection) -> None:
    from shared.data.claims import ClaimsStore
    from shared.data.download_tokens import DownloadTokens
    from shared.data.mentors import Mentor, Mentors

    ClaimsStore().move_to_window(_claim("1", 1), "w2", "payment-run", NOW, "carried")
    ClaimsStore().mark_validated(_claim("2", 1), "w-run-1", {}, NOW)
    Mentors().add("100001", Mentor(trn="1000001", first_name="A", last_name="B"), "user", NOW)
    Mentors().remove("100001", "1000001")
    tokens = DownloadTokens()
    tokens.issue_for_run("w-run-1", "payment-runs/w-run-1/f.csv", "a" * 64, NOW, NOW, row_count=1, total_pence=1)
    tokens.withdraw("w-run-1", "a" * 64)
    from shared.claims.organisations import OrganisationType
    from shared.claims.people import Membership, Role, User
    from shared.data.users import Members

    user = User(user_id="u", first_name="A", last_name="B", email="a@b.example", role=Role.SCHOOL)
    membership = Membership(
        user_id="u", organisation_id="100001", organisation_type=OrganisationType.SCHOOL, organisation_name="A School"
    )
    Members().add(user, membership, new_user=True)
    assert len(counted.sizes) == 7
    assert max(counted.sizes) <= 3


def test_support_work_on_a_claim_is_a_fixed_size_transaction(counted: CountingConnection) -> None:
    from shared.claims.claim import MAX_MENTORS_PER_CLAIM
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore

    store = ClaimsStore()
    claim = _claim("1", MAX_MENTORS_PER_CLAIM, validated_run=None)
    store.annotate(claim, "note_added", "support", NOW, "A note")  # an event beside a check on the claim
    store.annotate(claim, "assigned", "support", NOW, assigned_to="u", zendesk_url=None)
    held = store.hold(claim, "Waiting for the provider", "support", NOW)
    store.remove_hold(held, "support", NOW)
    # the claim, the allowance, the event, the counters
    store.amend(claim, claim.mentors[0].trn, 0, 20, "Not evidenced", "support", NOW)
    draft = claim.model_copy(update={"status": ClaimStatus.DRAFT, "prepared_by": "support"})
    store.save_draft(draft, "journey", "support", NOW)  # the draft, the journey, the window check, the event, counters
    assert counted.sizes == [2, 2, 2, 2, 4, 5]


class ConflictingConnection(CountingConnection):
    """Cancels the first `conflicts` transactions as DynamoDB does when another transaction is writing one of
    their items (a counters shard), or with a failed condition when `condition` is set."""

    def __init__(self, conflicts: int, condition: bool = False) -> None:
        super().__init__()
        self.conflicts, self.condition = conflicts, condition

    def transact_write_items(self, **operations: Any) -> dict[str, Any]:
        from pynamodb.exceptions import CancellationReason, TransactWriteError

        sizes = len(self.sizes)
        super().transact_write_items(**operations)
        if sizes < self.conflicts:
            code = "ConditionalCheckFailed" if self.condition else "TransactionConflict"
            reasons = [CancellationReason(code)] + [None] * (self.sizes[-1] - 1)

            class Cancelled(TransactWriteError):
                cancellation_reasons = reasons

            raise Cancelled("cancelled")
        return {}


@pytest.mark.parametrize(
    ("conflicts", "condition", "sends", "changed"),
    [(1, False, 2, True), (2, False, 3, True), (3, False, 3, False), (1, True, 1, False)],
)
def test_a_status_change_cancelled_by_a_conflict_is_sent_again(
    counted: CountingConnection,
    monkeypatch: pytest.MonkeyPatch,
    conflicts: int,
    condition: bool,
    sends: int,
    changed: bool,
) -> None:
    from shared.claims.errors import ConcurrentUpdate
    from shared.claims.statuses import ClaimStatus
    from shared.data import claims, transactions
    from shared.data.claims import ClaimsStore

    # Given DynamoDB cancels the first transactions: another writer held an item (or a condition failed)
    connection = ConflictingConnection(conflicts, condition)
    monkeypatch.setattr(transactions, "connection", lambda: connection)
    monkeypatch.setattr(claims, "time", SimpleNamespace(sleep=lambda seconds: None))
    # When a claim is sent to payment
    claim = _claim("1", 1)
    if changed:
        ClaimsStore().change_status(claim, ClaimStatus.PAYMENT_IN_PROGRESS, "payment-run", NOW, "In a file")
    else:
        with pytest.raises(ConcurrentUpdate):
            ClaimsStore().change_status(claim, ClaimStatus.PAYMENT_IN_PROGRESS, "payment-run", NOW, "In a file")
    # Then a conflict alone is tried again, up to three times; a failed condition never
    assert len(connection.sizes) == sends


# Every function that opens a transaction, and the test above that builds it at its largest.
COVERED = {
    "shared/data/claims.py": {
        "submit",
        "_retrying_conflicts",  # apply's and change_statuses' transactions, measured above
        "take_for_run",
        "move_to_window",
        "mark_validated",
        "annotate",
        "hold",
        "remove_hold",
        "amend",
        "save_draft",
    },
    "shared/data/mentors.py": {"add", "remove"},
    "shared/data/download_tokens.py": {"issue_for_run", "withdraw"},
    "shared/data/users.py": {"add"},
}


def _functions_opening_transactions() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "shared").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            calls = [
                call
                for call in ast.walk(node)
                if isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "write_transaction"
            ]
            if calls and node.name != "write_transaction":
                found.setdefault(str(path.relative_to(ROOT)), set()).add(node.name)
    return found


def test_every_transaction_the_service_writes_is_measured_here() -> None:
    # A new transaction (or a renamed one) must have its largest case measured above
    assert _functions_opening_transactions() == COVERED
