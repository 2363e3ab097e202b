"""The nightly provider sync (ADR 0036): functions/sync_providers reads the recruitment cycle's providers from the
fake Publish (infrastructure/local/fake_publish.py: JSON:API, paginated by links.next) and adds or updates them by
code; a provider that stops being accredited, or that the cycle no longer lists, is kept and marked, and a claim
naming it fails the window-close check "provider_accredited". Each run is an Activity entry with its counts."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from infrastructure.local.fake_publish import Attributes, provider_attributes, publish_server
from shared.config import settings
from tests.support import NOW, LambdaContextStub

CYCLE = 2026  # NOW (28 November 2026) is in 2026 to 2027
KEPT, RENAMED, DROPPED, UNLISTED, NEW = "Q1A", "Q1B", "Q1C", "Q1D", "Q1E"
CODES = (KEPT, RENAMED, DROPPED, UNLISTED, NEW)


@dataclass
class FakePublish:
    listed: list[Attributes] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    status: int = 200


@pytest.fixture(scope="module")
def publish(seed: Any) -> Iterator[FakePublish]:
    """The fake Publish on loopback, three providers a page (so a cycle spans pages), cycle CYCLE only."""
    fake = FakePublish()

    def cycles(year: int) -> Sequence[Attributes] | None:
        fake.years.append(year)
        return list(fake.listed) if year == CYCLE else None

    server = publish_server(cycles, most_per_page=3)
    before = os.environ.get("PUBLISH_BASE_URL")
    os.environ["PUBLISH_BASE_URL"] = f"http://127.0.0.1:{server.server_address[1]}"
    settings.cache_clear()
    yield fake
    server.shutdown()
    server.server_close()
    if before is None:
        os.environ.pop("PUBLISH_BASE_URL", None)
    else:
        os.environ["PUBLISH_BASE_URL"] = before
    settings.cache_clear()


def _listed_as_held(provider: Any) -> dict[str, Any]:
    return provider_attributes(
        provider.code,
        provider.name,
        provider_type=provider.provider_type,
        accredited=provider.accredited,
        ukprn=provider.ukprn or None,
        urn=provider.urn,
        postcode=provider.postcode or None,
        city=provider.city or None,
        email=provider.email or None,
    )


@pytest.fixture
def cycle(publish: FakePublish) -> Iterator[FakePublish]:
    """Four accredited providers of this test's held, and Publish listing every other accredited provider held as
    it is (the demo's: a sync must leave them be); all of this test's removed after."""
    from shared.claims.organisations import Provider
    from shared.data.directory import provider_key
    from shared.data.items import DirectoryItem, ProviderItem
    from shared.data.organisations import Providers

    def clean() -> None:
        for code in CODES:
            ProviderItem(code=code).delete()
            DirectoryItem(organisation_key=provider_key(code)).delete()

    clean()
    for code, name in (
        (KEPT, "Kept SCITT"),
        (RENAMED, "Old Name SCITT"),
        (DROPPED, "Lapsed SCITT"),
        (UNLISTED, "Gone SCITT"),
    ):
        Providers().put(
            Provider(
                code=code,
                name=name,
                provider_type="scitt",
                accredited=True,
                ukprn=f"100{ord(code[2]):05d}",
                postcode="LS1 1AA",
                city="Leeds",
                email=f"{code.lower()}@example.org.uk",
            )
        )
    others: list[Attributes] = [_listed_as_held(p) for p in Providers().accredited() if p.code not in CODES]
    publish.listed, publish.years, publish.status = others, [], 200
    yield publish
    clean()


def _held(code: str) -> Any:
    from shared.data.organisations import Providers

    return Providers().get(code)


def _sync(at: dt.datetime = NOW) -> dict[str, Any]:
    import functions.sync_providers.app as task

    task.clock = lambda: at
    try:
        result: dict[str, Any] = task.lambda_handler({"trigger": "nightly"}, LambdaContextStub())
        return result
    finally:
        task.clock = task._utcnow


def _publish_changes(fake: FakePublish) -> None:
    """The cycle as Publish now lists it: one unchanged, one renamed, one no longer accredited, one new, UNLISTED
    gone, and two records without a name or a code."""
    fake.listed += [
        _listed_as_held(_held(KEPT)),
        {**_listed_as_held(_held(RENAMED)), "name": "New Name SCITT", "postcode": "LS2 9JT"},
        {**_listed_as_held(_held(DROPPED)), "accredited_body": False},
        provider_attributes(NEW, "Northern Lights SCITT", ukprn="10099123", urn="149999", postcode="NE1 4XY"),
        provider_attributes("Q1F", "", ukprn="10099124"),
        provider_attributes("", "No Code University", provider_type="university"),
    ]


def test_the_sync_adds_updates_and_marks_providers_no_longer_accredited_and_records_the_run(
    cycle: FakePublish,
) -> None:
    from shared.claims.activity import ActivityKind
    from shared.claims.organisation_entry import OrganisationKind
    from shared.data.activity import Activity
    from shared.data.directory import Directory, provider_entry, provider_key
    from shared.data.items import ActivityItem
    from shared.data.organisations import Providers

    # Given Publish's cycle changed, and the lapsed provider listed in the console's Organisations
    _publish_changes(cycle)
    Directory().record_added(provider_entry(_held(DROPPED)), NOW - dt.timedelta(days=30), "user-colin-chapman")
    # When the nightly schedule runs the sync
    result = _sync()
    try:
        # Then it asked for the current recruitment cycle and read every page (three providers a page)
        listed = len(cycle.listed)
        assert result["cycle"] == CYCLE
        assert cycle.years == [CYCLE] * -(-listed // 3)
        assert len(cycle.years) >= 2
        # And the run's Activity entry has its counts
        entry = Activity().get(result["run_id"])
        assert entry is not None
        assert entry.kind is ActivityKind.PROVIDERS_SYNCED
        assert entry.actor_name == "Nightly provider sync"
        assert entry.counts == {
            "providers read": listed,
            "added": 1,
            "updated": 1,
            "no longer accredited": 2,
            "skipped": 2,
        }
        assert result["counts"] == entry.counts
        # And the new provider is there with what Publish said; the renamed one is renamed
        new = _held(NEW)
        assert (new.name, new.accredited, new.ukprn, new.urn, new.postcode) == (
            "Northern Lights SCITT",
            True,
            "10099123",
            "149999",
            "NE1 4XY",
        )
        assert (_held(RENAMED).name, _held(RENAMED).postcode, _held(RENAMED).accredited) == (
            "New Name SCITT",
            "LS2 9JT",
            True,
        )
        # And the one no longer accredited, and the one no longer listed, are kept, marked not accredited
        for code in (DROPPED, UNLISTED):
            kept = _held(code)
            assert not kept.accredited
            assert kept.email == f"{code.lower()}@example.org.uk"
        assert {p.code for p in Providers().accredited()} & set(CODES) == {KEPT, RENAMED, NEW}
        # And the console lists the lapsed provider as a provider that is not accredited
        listed_entry = Directory().get(provider_key(DROPPED))
        assert listed_entry is not None
        assert listed_entry.kind is OrganisationKind.OTHER_PROVIDER
    finally:
        ActivityItem(activity_id=result["run_id"]).delete()


def test_a_claim_naming_a_provider_no_longer_accredited_is_flagged_at_validation(cycle: FakePublish) -> None:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.claims.validation import Facts, findings, needs_review, reasons
    from shared.data.items import ActivityItem

    # Given a claim naming a provider that Publish stops listing as accredited
    claim = Claim(
        reference="PSY00001",
        school_id="100000",
        school_name="Some School",
        provider_code=DROPPED,
        provider_name="Lapsed SCITT",
        window_id="w",
        academic_year=AcademicYear(CYCLE),
        status=ClaimStatus.SUBMITTED,
        mentors=(
            ClaimMentor(trn="1234567", first_name="A", last_name="B", hours=4, training_type=TrainingType.INITIAL),
        ),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=4 * 4380,
        created_at=NOW,
    )

    def checked() -> list[Any]:
        facts = Facts(
            school=None,
            provider=_held(DROPPED),
            mentors_found={"1234567": True},
            hours_claimed={"1234567": 4},
            school_window_total_pence=claim.amount_pence,
            schools_per_mentor={},
        )
        return [f for f in findings(claim, facts) if f.name == "provider_accredited"]

    assert all(f.passed for f in checked())
    # When the sync runs
    _publish_changes(cycle)
    run_id = _sync()["run_id"]
    try:
        # Then the window-close check on the provider fails, with a reason support reads
        (check,) = checked()
        assert not check.passed
        assert needs_review([check])
        assert reasons([check]) == ["Lapsed SCITT is no longer an accredited provider"]
    finally:
        ActivityItem(activity_id=run_id).delete()


def test_a_second_run_changes_nothing(cycle: FakePublish) -> None:
    from shared.data.items import ActivityItem

    # Given the night's sync done
    _publish_changes(cycle)
    first = _sync()["run_id"]
    # When it runs again (a retry, or the next night with nothing changed)
    again = _sync(NOW + dt.timedelta(minutes=5))
    try:
        # Then it read the same and wrote nothing
        assert again["counts"] == {
            "providers read": len(cycle.listed),
            "added": 0,
            "updated": 0,
            "no longer accredited": 0,
            "skipped": 2,
        }
        assert again["run_id"] != first
    finally:
        for run_id in (first, again["run_id"]):
            ActivityItem(activity_id=run_id).delete()


def test_a_cycle_listing_too_few_providers_marks_nothing_and_fails(cycle: FakePublish) -> None:
    from shared.data.organisations import Providers
    from shared.usecases.provider_sync import SyncNotBelieved

    # Given Publish answers with an empty cycle (a bad night on its side)
    cycle.listed = []
    accredited = {p.code for p in Providers().accredited()}
    # When the sync runs, then it fails (Lambda retries it; the alarm goes off)
    with pytest.raises(SyncNotBelieved):
        _sync()
    # And no provider was marked
    assert {p.code for p in Providers().accredited()} == accredited


def test_publish_failing_fails_the_run(cycle: FakePublish) -> None:
    from shared.data.organisations import Providers
    from shared.integrations.publish import PublishUnavailable

    # Given the cycle's year Publish does not know (404: every request for it fails)
    accredited = {p.code for p in Providers().accredited()}
    # When the sync asks for another year's cycle, then it fails and changes nothing
    with pytest.raises(PublishUnavailable, match="status 404"):
        _sync(dt.datetime(2031, 10, 1, tzinfo=dt.UTC))
    assert {p.code for p in Providers().accredited()} == accredited
