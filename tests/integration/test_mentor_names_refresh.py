"""The weekly mentor names refresh (ADR 0037), against the fake Teaching Record System (infrastructure/local/fakes.py)
and the queue under moto: the schedule's function queues every teacher's TRN once a week; the queue's consumer
(functions/check_mentor_names, called with the SQS event) renames a teacher on every school that has them, marks
a TRN the Teaching Record no longer has (kept, never deleted, listed on the run's Activity entry and the school's
mentors page), waits out 429s within the limit, and is delivered again while the Teaching Record is down.

Time is a fake clock shared by the consumer (its waits move it on) and the fake Teaching Record (its limit)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from infrastructure.local.fakes import API_KEY, TeachingRecordServer, teaching_record_server
from infrastructure.local.seed_data import SeedTeacher
from tests.integration.test_mentors import SchoolUser, make_school_user, remove_school_user
from tests.support import NOW, REGION, Client, LambdaContextStub, check_page

BIRTH = dt.date(1980, 1, 1)
_weeks = iter(range(1, 500))  # each test runs in a week of its own: its own run and its own rate-limit counters


@dataclass
class FakeClock:
    now: dt.datetime
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += dt.timedelta(seconds=seconds)

    def seconds(self) -> float:
        return self.now.timestamp()


def _trn() -> str:
    return f"96{secrets.randbelow(100_000):05d}"


@pytest.fixture(scope="module")
def queue(seed: Any) -> Iterator[str]:
    """The mentor names queue, as template.yaml gives RefreshMentorNamesFunction MENTOR_NAMES_QUEUE_URL."""
    import os

    from shared.config import settings

    url: str = boto3.client("sqs", region_name=REGION).create_queue(QueueName="test-MentorNamesQueue")["QueueUrl"]
    os.environ["MENTOR_NAMES_QUEUE_URL"] = url
    settings.cache_clear()
    yield url
    os.environ.pop("MENTOR_NAMES_QUEUE_URL", None)
    settings.cache_clear()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW + dt.timedelta(weeks=next(_weeks)))


@pytest.fixture
def consumer(clock: FakeClock, queue: str) -> Iterator[Any]:
    import functions.check_mentor_names.app as module

    module.clock = lambda: clock.now
    module.sleep = clock.sleep
    yield module
    module.clock, module.sleep = module._utcnow, __import__("time").sleep


@pytest.fixture
def records(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[TeachingRecordServer]:
    """A fake Teaching Record of its own for the test (its teachers set by the test), the client pointed at it."""
    from shared.config import settings
    from shared.integrations import teaching_record

    server = teaching_record_server([], clock=clock.seconds)
    monkeypatch.setenv("TEACHING_RECORD_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("TEACHING_RECORD_API_KEY", API_KEY)
    settings.cache_clear()
    teaching_record.reset_session()
    yield server
    server.shutdown()
    server.server_close()
    teaching_record.reset_session()
    settings.cache_clear()


@pytest.fixture
def schools(apps: dict[str, Any]) -> Iterator[list[SchoolUser]]:
    made = [make_school_user(apps), make_school_user(apps)]
    yield made
    for school in made:
        remove_school_user(school)


@pytest.fixture
def teachers() -> Iterator[list[str]]:
    """TRNs the test adds as mentors; their teacher records are removed afterwards."""
    from shared.data.items import MentorItem

    added: list[str] = []
    yield added
    for trn in added:
        MentorItem(trn=trn).delete()


def _add(teachers: list[str], schools: list[SchoolUser], first: str, last: str) -> str:
    from shared.data.mentors import Mentor, Mentors

    trn = _trn()
    teachers.append(trn)
    for school in schools:
        assert Mentors().add(school.school_id, Mentor(trn=trn, first_name=first, last_name=last), "user-x", NOW)
    return trn


def _run(clock: FakeClock, mentors: int) -> str:
    """Given a run (its Activity entry) that queued `mentors` checks."""
    from shared.claims import mentor_names as rules
    from shared.claims.activity import ActivityEntry, ActivityKind
    from shared.data.activity import Activity
    from shared.data.mentor_names import RUNNING, MentorNamesRuns

    run_id = rules.run_id(clock.now)
    entry = ActivityEntry(
        activity_id=run_id,
        kind=ActivityKind.MENTOR_NAMES_REFRESH,
        at=clock.now,
        actor_id=rules.ACTOR_ID,
        actor_name=rules.ACTOR_NAME,
        status=RUNNING,
        summary=rules.RUNNING_SUMMARY,
        counts={name: 0 for name in rules.COUNT_NAMES if name != rules.MENTORS},  # as start_refresh records it
    )
    assert Activity().record(entry)
    MentorNamesRuns().set_queued(run_id, mentors)
    return run_id


def _deliver(consumer: Any, run_id: str, trn: str, receive_count: int = 1) -> dict[str, Any]:
    """The queue's event for one check, on its `receive_count`th delivery; the consumer's response."""
    record = {
        "messageId": secrets.token_hex(8),
        "receiptHandle": secrets.token_hex(8),
        "body": json.dumps({"run_id": run_id, "trn": trn}),
        "attributes": {"ApproximateReceiveCount": str(receive_count)},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:test-MentorNamesQueue",
        "awsRegion": REGION,
    }
    response: dict[str, Any] = consumer.lambda_handler({"Records": [record]}, LambdaContextStub())
    return response


def _entry(run_id: str) -> Any:
    from shared.data.activity import Activity

    return Activity().get(run_id)


@pytest.fixture
def runs() -> Iterator[list[str]]:
    from shared.data.items import ActivityItem

    made: list[str] = []
    yield made
    for run_id in made:
        ActivityItem(activity_id=run_id).delete()


def _teacher(trn: str, first: str, last: str) -> SeedTeacher:
    return SeedTeacher(trn=trn, first_name=first, last_name=last, date_of_birth=BIRTH)


# -- the weekly run ---------------------------------------------------------------------------------------
def test_the_weekly_run_queues_every_teacher_once_and_a_second_delivery_queues_nothing(
    queue: str, clock: FakeClock, schools: list[SchoolUser], teachers: list[str], runs: list[str]
) -> None:
    import functions.refresh_mentor_names.app as module
    from shared.data.items import MentorItem

    # Given a teacher at two schools, among every teacher the service keeps
    trn = _add(teachers, schools, "Ada", "Lovelace")
    everyone = sum(1 for _ in MentorItem.scan(attributes_to_get=["trn"]))
    module.clock = lambda: clock.now
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.purge_queue(QueueUrl=queue)
    try:
        # When the weekly schedule invokes the refresh
        result = module.lambda_handler({"trigger": "weekly"}, LambdaContextStub())
        runs.append(result["run_id"])
        # Then one check a teacher is queued (a TRN and the run: no name, no date of birth)
        bodies = []
        while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            bodies += [json.loads(m["Body"]) for m in messages]
            sqs.delete_message_batch(
                QueueUrl=queue,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
        assert result["started"] is True
        assert result["queued"] == len(bodies) == everyone
        assert [b["trn"] for b in bodies].count(trn) == 1
        assert all(set(b) == {"run_id", "trn"} and b["run_id"] == result["run_id"] for b in bodies)
        # And the run is in Activity, running, with the number of mentors it queued
        entry = _entry(result["run_id"])
        assert entry.label == "Mentor names refreshed"
        assert entry.status == "running"
        assert entry.counts["mentors"] == everyone
        # When Scheduler delivers the same week's schedule again
        again = module.lambda_handler({"trigger": "weekly"}, LambdaContextStub())
        # Then it continues the same run and queues nothing more
        assert again == {"run_id": result["run_id"], "queued": everyone, "started": False}
        assert sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []) == []
    finally:
        module.clock = module._utcnow


# -- a name changed ---------------------------------------------------------------------------------------
def test_a_renamed_teacher_is_renamed_on_every_school_and_the_run_finishes(
    consumer: Any,
    records: TeachingRecordServer,
    clock: FakeClock,
    schools: list[SchoolUser],
    teachers: list[str],
    runs: list[str],
) -> None:
    from shared.data.mentors import Mentors

    # Given a teacher at two schools whose name the Teaching Record now has as "Ada King", and one unchanged
    trn = _add(teachers, schools, "Ada", "Lovelace")
    same = _add(teachers, schools[:1], "Alan", "Turing")
    records.records.update({trn: _teacher(trn, "Ada", "King"), same: _teacher(same, "Alan", "Turing")})
    runs.append(run_id := _run(clock, mentors=2))
    # When both checks are delivered
    assert _deliver(consumer, run_id, trn) == {"batchItemFailures": []}
    assert _entry(run_id).status == "running"  # one of two checked
    assert _deliver(consumer, run_id, same) == {"batchItemFailures": []}
    # Then both schools' lists say "Ada King" and the unchanged teacher is as they were
    for school in schools:
        assert Mentors().get(school.school_id, trn).full_name == "Ada King"
    assert Mentors().teachers([trn, same])[trn].full_name == "Ada King"
    assert Mentors().get(schools[0].school_id, same).full_name == "Alan Turing"
    # And the school's mentors page shows the new name
    page = schools[1].client.get(schools[1].base)
    assert "Ada King" in page.text()
    assert "Lovelace" not in page.text()
    # And the run's Activity entry is finished with its counts
    entry = _entry(run_id)
    assert entry.status == "finished"
    assert entry.counts == {"mentors": 2, "checked": 2, "renamed": 1, "not found": 0, "could not be checked": 0}
    assert entry.summary == "Every mentor was found in the Teaching Record"


def test_the_audit_file_and_the_claim_pages_name_the_mentors_current_name(
    consumer: Any,
    records: TeachingRecordServer,
    clock: FakeClock,
    client: Client,
    apps: dict[str, Any],
    seed: Any,
    runs: list[str],
) -> None:
    import csv
    import io

    from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
    from shared.data.claims import ClaimsStore
    from shared.data.items import ClaimItem, MentorItem
    from shared.data.mentors import Mentor, Mentors
    from tests.integration.audit_helpers import claim_under_audit, patricias_provider, start_answering

    # Given a claim under audit whose first mentor ("Ada Lovelace" on the claim) the refresh renamed "Ada King"
    code = patricias_provider(seed)
    reference = claim_under_audit(seed, code, ANNE_WILSON_SCHOOL_URN)
    claimed = ClaimsStore().get(reference).mentors[0]
    assert claimed.full_name == "Ada Lovelace"
    Mentors().add(f"test-{reference}", Mentor(trn=claimed.trn, first_name="Ada", last_name="Lovelace"), "x", NOW)
    records.records[claimed.trn] = _teacher(claimed.trn, "Ada", "King")
    runs.append(run_id := _run(clock, mentors=1))
    try:
        _deliver(consumer, run_id, claimed.trn)
        # When the provider downloads the audit file
        client.sign_in("Patricia Adeyemi")
        page = client.get(f"/providers/{code}/audits/download", check=False)
        rows = [r for r in csv.DictReader(io.StringIO(page.body)) if r["claim_reference"] == reference]
        # Then the mentor is named as the Teaching Record names them now, by the same TRN and hours
        (row,) = [r for r in rows if r["mentor_trn"] == claimed.trn]
        assert row["mentor_full_name"] == "Ada King"
        assert row["mentor_hours_of_training"] == str(claimed.hours)
        # And her list of claims under audit and the claim's page name them so too
        assert "Ada King" in client.get(f"/providers/{code}/audits").text()
        assert "Ada King" in client.get(f"/providers/{code}/audits/{reference}").text()
        # And answering the audit asks about them by that name
        answers_base = start_answering(client, code, reference)
        assert "Ada King" in client.get(f"{answers_base}/mentor/{claimed.trn}").text()
        # And support's page of the claim names them so, by the TRN
        colin = Client(web=apps["web"], support=apps["support"])
        colin.sign_in("Colin Chapman")
        mentors_table = check_page(colin.get(f"/support/claims/{reference}").body).find("td", string=claimed.trn)
        assert mentors_table is not None
        assert "Ada King" in mentors_table.find_parent("tr").get_text()
        # And the claim itself keeps the name it was submitted with
        assert ClaimsStore().get(reference).mentors[0].full_name == "Ada Lovelace"
    finally:
        from shared.data.items import SchoolMentorItem

        SchoolMentorItem(school_id=f"test-{reference}", trn=claimed.trn).delete()
        MentorItem(trn=claimed.trn).delete()
        ClaimItem(claim_id=reference).delete()


# -- a TRN no longer found -----------------------------------------------------------------------------------
def test_a_trn_no_longer_found_is_reported_and_marked_never_deleted(
    consumer: Any,
    records: TeachingRecordServer,
    clock: FakeClock,
    schools: list[SchoolUser],
    teachers: list[str],
    runs: list[str],
) -> None:
    from shared.data.mentors import Mentors

    # Given a teacher at two schools that the Teaching Record no longer has
    trn = _add(teachers, schools, "Grace", "Hopper")
    runs.append(run_id := _run(clock, mentors=1))
    # When the check is delivered
    assert _deliver(consumer, run_id, trn) == {"batchItemFailures": []}
    # Then the teacher stays on both schools' lists, with their name, marked not found
    for school in schools:
        mentor = Mentors().get(school.school_id, trn)
        assert mentor is not None
        assert mentor.full_name == "Grace Hopper"
        assert mentor.not_found_at == clock.now
    # And the school's mentors page says so beside the name
    page = schools[0].client.get(schools[0].base)
    row = next(tr for tr in check_page(page.body).select("tbody tr") if trn in tr.get_text())
    assert "Not found in the Teaching Record" in row.get_text()
    # And the run's Activity entry (its line on support's Activity page) names the TRN
    entry = _entry(run_id)
    assert entry.status == "finished"
    assert entry.counts["not found"] == 1
    assert entry.summary == f"Not found in the Teaching Record (not deleted): TRN {trn}"
    # When the Teaching Record has the teacher again the next week
    records.records[trn] = _teacher(trn, "Grace", "Hopper")
    clock.now += dt.timedelta(weeks=1)
    runs.append(next_run := _run(clock, mentors=1))
    _deliver(consumer, next_run, trn)
    # Then the mark is gone
    assert all(Mentors().get(s.school_id, trn).not_found_at is None for s in schools)
    assert _entry(next_run).summary == "Every mentor was found in the Teaching Record"


# -- the rate limit -----------------------------------------------------------------------------------------
def test_checks_never_send_more_than_four_requests_in_a_second(
    consumer: Any,
    records: TeachingRecordServer,
    clock: FakeClock,
    schools: list[SchoolUser],
    teachers: list[str],
    runs: list[str],
) -> None:
    from shared.claims.mentor_names import PER_SECOND, RATE_LIMIT_PER_MINUTE

    # Given 10 teachers checked at the same instant (the clock moves only when a check waits)
    trns = [_add(teachers, schools[:1], "Name", f"Number{n}") for n in range(10)]
    records.records.update({trn: _teacher(trn, "Name", f"Renamed{n}") for n, trn in enumerate(trns)})
    runs.append(run_id := _run(clock, mentors=len(trns)))
    # When they are delivered one after another
    for trn in trns:
        assert _deliver(consumer, run_id, trn) == {"batchItemFailures": []}
    # Then no second held more than 4 requests: the rest waited for the next second's places
    per_second = Counter(int(at) for at, _ in records.answered)
    assert sum(per_second.values()) == 10
    assert max(per_second.values()) == PER_SECOND
    assert len(per_second) == 3
    assert clock.slept
    assert PER_SECOND * 61 <= RATE_LIMIT_PER_MINUTE
    assert _entry(run_id).counts["renamed"] == 10


def test_429s_are_waited_out_and_retried_without_going_past_the_limit(
    consumer: Any,
    records: TeachingRecordServer,
    clock: FakeClock,
    schools: list[SchoolUser],
    teachers: list[str],
    runs: list[str],
) -> None:
    # Given a Teaching Record that answers only 2 requests in any 3 seconds (its real limit is 300 a minute)
    records.per_window, records.window_seconds = 2, 3.0
    trns = [_add(teachers, schools[:1], "Name", f"Number{n}") for n in range(3)]
    records.records.update({trn: _teacher(trn, "Name", f"Renamed{n}") for n, trn in enumerate(trns)})
    runs.append(run_id := _run(clock, mentors=len(trns)))
    # When three checks are delivered at once
    for trn in trns:
        assert _deliver(consumer, run_id, trn) == {"batchItemFailures": []}
    # Then the third was refused with 429, waited its Retry-After and was answered
    statuses = [status for _, status in records.answered]
    assert statuses.count(429) >= 1
    admitted = [at for at, status in records.answered if status != 429]
    assert len(admitted) == 3
    assert all(sum(1 for other in admitted if 0 <= at - other < 3.0) <= 2 for at in admitted)
    entry = _entry(run_id)
    assert entry.counts["renamed"] == 3
    assert entry.status == "finished"


# -- the Teaching Record down ---------------------------------------------------------------------------------
def test_a_check_the_teaching_record_cannot_answer_is_delivered_again_and_not_lost(
    consumer: Any,
    records: TeachingRecordServer,
    clock: FakeClock,
    schools: list[SchoolUser],
    teachers: list[str],
    runs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from infrastructure.local.stack import free_port
    from shared.claims.mentor_names import MAX_RECEIVES
    from shared.config import settings
    from shared.data.mentors import Mentors
    from shared.integrations import teaching_record

    # Given a renamed teacher and a second one, and the Teaching Record not answering at all
    trn = _add(teachers, schools[:1], "Ada", "Lovelace")
    other = _add(teachers, schools[:1], "Alan", "Turing")
    records.records[trn] = _teacher(trn, "Ada", "King")
    runs.append(run_id := _run(clock, mentors=2))
    working = settings().teaching_record_base_url
    monkeypatch.setenv("TEACHING_RECORD_BASE_URL", f"http://127.0.0.1:{free_port()}")
    settings.cache_clear()
    teaching_record.reset_session()
    # When the first check is delivered
    response = _deliver(consumer, run_id, trn)
    # Then it is a batch item failure (SQS delivers it again), nothing is changed or counted
    assert len(response["batchItemFailures"]) == 1
    assert Mentors().get(schools[0].school_id, trn).full_name == "Ada Lovelace"
    assert _entry(run_id).counts["checked"] == 0
    # When the other check's last delivery comes while the Teaching Record is still down
    assert _deliver(consumer, run_id, other, receive_count=MAX_RECEIVES) == {"batchItemFailures": []}
    # Then it is counted as not checked (its name as it was), so the run is not held up by it
    assert _entry(run_id).counts["could not be checked"] == 1
    # When the Teaching Record answers again and the first check is delivered a second time
    monkeypatch.setenv("TEACHING_RECORD_BASE_URL", working)
    settings.cache_clear()
    teaching_record.reset_session()
    assert _deliver(consumer, run_id, trn, receive_count=2) == {"batchItemFailures": []}
    # Then the teacher is renamed, and the run finishes saying some could not be checked
    assert Mentors().get(schools[0].school_id, trn).full_name == "Ada King"
    entry = _entry(run_id)
    assert entry.status == "finished"
    assert entry.counts == {"mentors": 2, "checked": 2, "renamed": 1, "not found": 0, "could not be checked": 1}
    assert entry.summary.startswith("Every mentor checked was found; some could not be checked")


def test_a_request_the_refresh_counts_is_made_once_and_a_429_says_how_long_to_wait(
    records: TeachingRecordServer, clock: FakeClock
) -> None:
    from shared.integrations import teaching_record

    # Given a Teaching Record that answers one request in any 5 seconds
    trn = _trn()
    records.records[trn] = _teacher(trn, "Ada", "King")
    records.per_window, records.window_seconds = 1, 5.0
    # When the refresh's client asks twice (no retries of its own: each request took a place in the limit)
    found = teaching_record.find_teacher(trn, None, retries=False)
    with pytest.raises(teaching_record.TeachingRecordRateLimited) as refused:
        teaching_record.find_teacher(trn, None, retries=False)
    # Then the first was answered, the second refused once with the Teaching Record's Retry-After
    assert found is not None
    assert found.full_name == "Ada King"
    assert refused.value.retry_after == 5.0
    assert [status for _, status in records.answered] == [0, 429]
