"""Every DynamoDB transaction the service writes fits DynamoDB's limits (100 actions, 4 MB), at its largest.

DynamoDB refuses a larger TransactWriteItems with a ValidationException that carries no cancellation reasons,
which the code used to read as "a conflict": a claim of 49 or 50 mentors could never be submitted. Here each
transaction is built at its largest against a connection that only counts (no AWS, no sockets), and a test
lists every place that opens a transaction, so a new one cannot be added without its worst case here.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import json
from types import SimpleNamespace
from typing import Any

import pytest

from tests.support import ROOT

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


class CountingConnection:
    """Stands in for PynamoDB's connection: records each TransactWriteItems' size and writes nothing."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.largest_items: list[int] = []  # each transaction's largest action as JSON: above an item's bytes

    def transact_write_items(self, **operations: Any) -> dict[str, Any]:
        kinds = ("condition_check_items", "delete_items", "put_items", "update_items")
        self.sizes.append(sum(len(operations[kind]) for kind in kinds))
        items = [json.dumps(item, default=str) for kind in kinds for item in operations[kind]]
        self.largest_items.append(max((len(item) for item in items), default=0))
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


def test_taking_and_giving_back_the_largest_clawback_group_fits(
    counted: CountingConnection,
) -> None:
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import TAKE_GROUP_SIZE
    from shared.data.clawback_runs import release_from_clawback_run, take_for_clawback_run
    from shared.data.transactions import TransactionTooLarge

    waiting = [_claim(str(n), 1, status=ClaimStatus.CLAWBACK_REQUESTED) for n in range(TAKE_GROUP_SIZE)]
    take_for_clawback_run(waiting, "clawback-weekly-2026-12-07", NOW)
    release_from_clawback_run(waiting, "clawback-weekly-2026-12-07", NOW, "failed")
    # the run's "no file yet" check and count, each claim and its event; giving back: each claim and its event
    assert counted.sizes == [1 + 2 * TAKE_GROUP_SIZE, 2 * TAKE_GROUP_SIZE]
    with pytest.raises(TransactionTooLarge):
        take_for_clawback_run([*waiting, _claim("x", 1)], "clawback-weekly-2026-12-07", NOW)
    with pytest.raises(TransactionTooLarge):
        release_from_clawback_run([*waiting, _claim("x", 1)], "clawback-weekly-2026-12-07", NOW, "failed")


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


def test_audit_answers_at_their_largest_fit_one_item(counted: CountingConnection) -> None:
    # Given a claim of the most mentors, each answered No with the longest reason, and the longest response
    from shared.claims.audit_answers import EXPLANATION_LIMIT, MentorAnswer, ProviderAnswers, SchoolResponse
    from shared.claims.claim import MAX_MENTORS_PER_CLAIM
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore, StatusChange
    from shared.journeys.provider_audit import REASON_LIMIT

    store = ClaimsStore()
    claim = _claim("1", MAX_MENTORS_PER_CLAIM, status=ClaimStatus.SAMPLING_IN_PROGRESS)
    answers = ProviderAnswers(
        answered_at=NOW,
        answered_by="u",
        answered_by_name="P" * 200,
        answers=tuple(
            MentorAnswer(trn=m.trn, confirmed=False, hours_completed=0, reason="é" * REASON_LIMIT)
            for m in claim.mentors
        ),
    )
    detail = {"answers": [a.model_dump(mode="json") for a in answers.answers]}
    # When the provider's answers are stored with the status change, and the school responds
    rejected = store.apply(
        StatusChange(claim, ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED, detail=detail, provider_answers=answers),
        "u",
        NOW,
    )
    response = SchoolResponse(
        agrees=False, explanation="é" * EXPLANATION_LIMIT, responded_at=NOW, responded_by="s", responded_by_name="S"
    )
    store.record_school_response(rejected, response, "s", NOW)
    # Then each is one transaction (the claim, its event, the counters; the claim and its event), every action
    # inside DynamoDB's 400 KB item: the largest (JSON escapes each "é" as six characters, twice its two
    # bytes of UTF-8) is about 600,000 characters, so about 200 KB stored
    assert counted.sizes == [3, 2]
    assert max(counted.largest_items) / 3 < 400_000 * 0.6


def test_a_clawback_request_and_its_decision_at_their_largest_fit(counted: CountingConnection) -> None:
    # Given a claim of the most mentors, each mentor's clawback lowered with the longest reason
    from shared.claims.activity import ActivityEntry, ActivityKind
    from shared.claims.audit_answers import ClawbackRequest, MentorClawback
    from shared.claims.claim import MAX_MENTORS_PER_CLAIM
    from shared.claims.clawback_requests import LOWERED_REASON_LIMIT, REJECTION_LIMIT
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore, StatusChange

    store = ClaimsStore()
    claim = _claim("1", MAX_MENTORS_PER_CLAIM, status=ClaimStatus.SAMPLING_NOT_APPROVED)
    request = ClawbackRequest(
        mentors=tuple(
            MentorClawback(
                trn=m.trn,
                hours_claimed=20,
                hours_completed=0,
                hours_clawed_back=19,
                hourly_rate_pence=4380,
                lowered_reason="é" * LOWERED_REASON_LIMIT,
            )
            for m in claim.mentors
        ),
        requested_by="u",
        requested_by_name="C" * 200,
        requested_at=NOW,
    )
    detail = {"mentors": [c.model_dump(mode="json") for c in request.mentors], "total_pence": request.total_pence}

    def entry(kind: ActivityKind) -> ActivityEntry:
        return ActivityEntry(activity_id=f"{kind}-1", kind=kind, at=NOW, actor_id="u", actor_name="C", summary="s")

    # When support requests it (the claim, its event, the counters and the Activity entry) and another rejects it
    requested = store.apply(
        StatusChange(
            claim,
            ClaimStatus.CLAWBACK_REQUIRES_APPROVAL,
            detail=detail,
            clawback=request,
            activity=entry(ActivityKind.CLAWBACK_REQUESTED),
        ),
        "u",
        NOW,
    )
    decided = request.model_copy(update={"decided_by": "v", "rejected_reason": "é" * REJECTION_LIMIT})
    store.apply(
        StatusChange(
            requested,
            ClaimStatus.CLAWBACK_REJECTED,
            "é" * REJECTION_LIMIT,
            clawback=decided,
            activity=entry(ActivityKind.CLAWBACK_REJECTED),
        ),
        "v",
        NOW,
    )
    # Then each is one transaction of four, every action well inside DynamoDB's 400 KB item (beside the
    # provider's answers of up to 50 × 2,000 characters stored on the claim: about 200 KB)
    assert counted.sizes == [4, 4]
    assert max(counted.largest_items) / 3 < 400_000 * 0.4


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


MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's largest item


def _activity(kind: str, summary: str = "") -> Any:
    from shared.claims.activity import ActivityEntry, ActivityKind

    return ActivityEntry(
        activity_id=f"{kind}-{'a' * 32}",
        kind=ActivityKind(kind),
        at=NOW,
        actor_id="user-" + "a" * 32,
        actor_name="A" * 100 + " " + "B" * 100,
        summary=summary,
        counts={"regions": 4},
        link="/support/" + "a" * 100,
    )


def test_making_the_schools_of_a_file_eligible_writes_full_groups_of_a_hundred(counted: CountingConnection) -> None:
    from shared.data.eligibility_uploads import EligibilityUploads
    from shared.data.transactions import MAX_TRANSACTION_ITEMS

    # Given a file of two full groups of schools and one more
    urns = [str(1_000_000 + n) for n in range(2 * MAX_TRANSACTION_ITEMS + 1)]
    # When the year is added to them
    written = EligibilityUploads.make_eligible(urns, "2026 to 2027")
    # Then each group is one transaction of at most 100 updates
    assert written == len(urns)
    assert sorted(counted.sizes) == [1, MAX_TRANSACTION_ITEMS, MAX_TRANSACTION_ITEMS]


def test_proposing_and_deciding_the_rates_of_all_four_regions_fits(counted: CountingConnection) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.funding_rates import MAX_RATE_PENCE, MAX_REASON_LENGTH, RateProposal
    from shared.claims.regions import Region
    from shared.data.funding_rates import FundingRates

    # Given a proposal of every region's rate, with the longest reason
    proposal = RateProposal(
        proposal_id="20261202T100000000000-" + "a" * 12,
        academic_year=AcademicYear(2026),
        rates=dict.fromkeys(Region, MAX_RATE_PENCE),
        previous_rates=dict.fromkeys(Region, MAX_RATE_PENCE),
        reason="r" * MAX_REASON_LENGTH,
        proposed_by_id="user-" + "a" * 32,
        proposed_by_name="A" * 100 + " " + "B" * 100,
        proposed_at=NOW,
    )
    rates = FundingRates()
    # When it is proposed, approved, and (another one) rejected with the longest reason
    rates.propose(proposal, _activity("rates_proposed", "2026 to 2027"))
    rates.approve(proposal, "user-" + "b" * 32, "C" * 201, _activity("rates_approved", "2026 to 2027"))
    rejection = "r" * MAX_REASON_LENGTH
    rates.reject(proposal, "user-" + "b" * 32, "C" * 201, rejection, _activity("rates_rejected", "2026 to 2027"))
    # Then: the pending item, the proposal, the activity; the proposal, the pending item, four rates, the activity
    assert counted.sizes == [3, 2 + len(Region) + 1, 3]


def test_adding_an_organisation_and_resetting_grant_conditions_fit(counted: CountingConnection) -> None:
    from shared.claims.organisation_entry import LINE_MAX, NAME_MAX, TOWN_MAX, VENDOR_NUMBER_MAX
    from shared.claims.organisations import Provider, School
    from shared.data.directory import Directory

    # Given a school typed in with every field at its longest, and one held from GIAS
    typed = School(
        organisation_id="1000001",
        urn="1000001",
        name="N" * NAME_MAX,
        address1="A" * LINE_MAX,
        town="T" * TOWN_MAX,
        postcode="SW1A 1AA",
        local_authority_name="L" * NAME_MAX,
        type_of_establishment="E" * NAME_MAX,
        group="G" * NAME_MAX,
        phase="P" * TOWN_MAX,
        district_admin_code="E09000007",
        vendor_number="V" * VENDOR_NUMBER_MAX,
    )
    provider = Provider(
        code="N97", name="N" * NAME_MAX, provider_type="Accredited provider", accredited=True, ukprn="10000001"
    )
    summary = "N" * NAME_MAX + " (URN 1000001)"
    directory = Directory()
    # When each is added, typed in or held, and a school's grant conditions are reset
    for held in (False, True):
        directory.add_school(typed, _activity("organisation_added", summary), held=held)
        directory.add_provider(provider, _activity("organisation_added", summary), held=held)
    directory.reset_grant_conditions("1000001", NOW, _activity("grant_conditions_reset", summary))
    # Then: the school or provider, its directory entry, the activity; the school and the activity
    assert counted.sizes == [3, 3, 3, 3, 2]


def test_support_users_are_added_and_removed_in_a_fixed_size_transaction(counted: CountingConnection) -> None:
    from shared.claims.people import Role, User
    from shared.claims.support_users import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH
    from shared.data.support_users import SupportUsers

    email = "a" * (MAX_EMAIL_LENGTH - len("@education.gov.uk")) + "@education.gov.uk"
    user = User(
        user_id="user-" + "a" * 32,
        first_name="F" * MAX_NAME_LENGTH,
        last_name="L" * MAX_NAME_LENGTH,
        email=email,
        role=Role.SUPPORT,
    )
    summary = f"{user.full_name} ({user.email})"
    assert SupportUsers().add(user, _activity("support_user_added", summary))
    assert SupportUsers().remove(user, _activity("support_user_removed", summary))
    # the user, its email address, the activity
    assert counted.sizes == [3, 3]


def _gias_file(rows: list[dict[str, str]]) -> io.StringIO:
    from tests.bench.gias_import import gias_header

    header = gias_header()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    text.seek(0)
    return text


def test_a_school_data_import_starts_and_ends_with_its_largest_report_in_one_item(
    counted: CountingConnection,
) -> None:
    from shared.claims import gias
    from shared.claims.gias import KEPT_SKIPPED_ROWS, MAX_FIELD, ImportStatus, SchoolImport, SkipReason, Tally
    from shared.data.school_imports import Begun, SchoolImports

    # Given a file whose skipped rows (the ones the report keeps) are as long as the reader lets a cell be,
    # in Latin-1 letters (two bytes each in UTF-8, more escaped): schools with such a name (malformed: longer
    # than a name may be); establishments not yet open, with such a status; and ones outside England, such a type
    longest = "é" * MAX_FIELD
    school = {gias.URN: "", gias.LA_CODE: "383", gias.TYPE_CODE: "1", gias.NAME: "A school"}
    rows = []
    for n in range(KEPT_SKIPPED_ROWS):
        row = {**school, gias.URN: str(1_000_000 + n)}
        if n % 3 == 0:
            row.update({gias.NAME: longest, gias.STATUS_NAME: "Closed", gias.CLOSE_DATE: "31-08-2020"})
        elif n % 3 == 1:
            row.update({gias.STATUS_NAME: longest})
        else:
            row.update({gias.STATUS_NAME: "Open", gias.TYPE_CODE: "30", gias.TYPE_NAME: longest})
        rows.append(row)
    tally = Tally()
    for read in gias.read_rows(_gias_file(rows)):
        tally.read()
        if read.establishment is not None:
            tally.changed(gias.change_for(read.establishment, None, NOW.date())[0], read.establishment, read.line)
        elif read.skipped is not None:
            tally.skip(read.skipped)
    report = tally.report()
    assert len(report.skipped_rows) == KEPT_SKIPPED_ROWS
    assert {row.reason for row in report.skipped_rows} == {
        SkipReason.MALFORMED,
        SkipReason.NOT_OPEN,
        SkipReason.OUTSIDE_ENGLAND,
    }
    record = SchoolImport(
        import_id="a" * 32,
        requested_by="user-" + "a" * 32,
        requested_by_name="A" * 100 + " " + "B" * 100,
        requested_at=NOW,
        file_key=gias.upload_key("a" * 32),
        status=ImportStatus.IMPORTING,
    )
    imports = SchoolImports()
    # When an import starts, and ends finished with that report, failed, or failed before it was queued
    assert imports.start(record) is Begun.STARTED
    assert imports.finish(record.import_id, "worker", report, NOW)
    assert imports.fail(record.import_id, "worker", "it stopped before the end of the file", NOW)
    imports.fail_unqueued(record.import_id, NOW)
    # Then each is the record and the item naming the running import, and the record stays one DynamoDB item
    assert counted.sizes == [2, 2, 2, 2]
    assert max(counted.largest_items) < MAX_ITEM_BYTES


def test_a_mentor_names_refresh_of_a_teacher_at_the_most_schools_fits(counted: CountingConnection) -> None:
    from shared.data.items import MentorItem, SchoolMentorItem
    from shared.data.mentors import Mentors
    from shared.data.transactions import MAX_TRANSACTION_ITEMS

    # Given a teacher marked not found, at more schools than one transaction can hold, with the longest names
    name = "é" * 100
    teacher = MentorItem(trn="1234567", first_name=name, last_name=name, updated_at=NOW, not_found_at=NOW)
    entries = [
        SchoolMentorItem(school_id=f"school-{n:040d}", trn="1234567", first_name=name, last_name=name)
        for n in range(MAX_TRANSACTION_ITEMS - 1)  # sync_names writes at most 99 entries a round (ADR 0037)
    ]
    # When the refresh writes the teacher's new names (ADR 0037)
    Mentors._write_names(teacher, entries, name, name, None, NOW)
    # Then it is the record and 99 entries: exactly the limit
    assert counted.sizes == [MAX_TRANSACTION_ITEMS]
    assert max(counted.largest_items) < MAX_ITEM_BYTES


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
        "record_school_response",
    },
    "shared/data/mentors.py": {"add", "remove", "_write_names"},
    "shared/data/download_tokens.py": {"issue_for_run", "withdraw"},
    "shared/data/clawback_runs.py": {"take_for_clawback_run", "release_from_clawback_run"},
    "shared/data/users.py": {"add"},
    "shared/data/directory.py": {"_add", "reset_grant_conditions"},
    "shared/data/eligibility_uploads.py": {"_write_group"},
    "shared/data/funding_rates.py": {"propose", "_decide"},
    "shared/data/school_imports.py": {"start", "_end"},
    "shared/data/support_users.py": {"add", "remove"},
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
