"""The nightly reference data's pure rules (ADRs 0035, 0036): Publish's records as providers and what the sync does
with them; a closed school's flag; the fake GIAS's extract (GIAS's real header row); the nightly bench's lines."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from shared.claims.academic_years import AcademicYear
from shared.claims.activity import ActivityKind, count_phrase
from shared.claims.allowance import TrainingType
from shared.claims.claim import Claim, ClaimMentor
from shared.claims.closed_schools import claims_in_window, closed_school_flag, flag_id
from shared.claims.gias import SkipReason as GiasSkip
from shared.claims.gias import read_rows
from shared.claims.organisations import Provider
from shared.claims.publish import (
    Change,
    SkipReason,
    SyncTally,
    believable,
    change_for,
    read_record,
    recruitment_cycle,
    sync_entry,
    unlisted,
)
from shared.claims.statuses import ClaimStatus
from shared.claims.windows import ClaimWindow

NOW = dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)


# -- Publish ------------------------------------------------------------------------------------------------------
def _record(**attributes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "code": "1TZ",
        "name": "Sheffield Hallam University",
        "provider_type": "university",
        "accredited_body": True,
        "ukprn": "10005790",
        "urn": None,
        "postcode": "S1 1WB",
        "city": "Sheffield",
        "email": "itt@shu.example.ac.uk",
    }
    base.update(attributes)
    return {"id": "123", "type": "providers", "attributes": base}


def test_a_publish_record_becomes_a_provider_with_what_the_service_keeps() -> None:
    provider = read_record(_record()).provider
    assert provider == Provider(
        code="1TZ",
        name="Sheffield Hallam University",
        provider_type="university",
        accredited=True,
        ukprn="10005790",
        urn=None,
        postcode="S1 1WB",
        city="Sheffield",
        email="itt@shu.example.ac.uk",
    )


@pytest.mark.parametrize(
    "record",
    [
        _record(name=""),
        _record(name=None),
        _record(code=""),
        _record(code="not a code!"),
        _record(provider_type=None),
        {"id": "1", "type": "providers"},
        "not an object",
        {"attributes": ["a", "list"]},
    ],
)
def test_a_record_without_a_code_name_or_type_is_skipped(record: object) -> None:
    assert read_record(record).skipped is SkipReason.MALFORMED
    assert read_record(record).provider is None


def test_only_accredited_body_true_is_accredited_and_nulls_are_blank() -> None:
    assert read_record(_record(accredited_body=False)).provider.accredited is False
    assert read_record(_record(accredited_body="true")).provider.accredited is False
    lead = read_record(_record(accredited_body=None, ukprn=None, postcode=None, code=" 2ab ")).provider
    assert lead is not None
    assert (lead.code, lead.accredited, lead.ukprn, lead.postcode) == ("2AB", False, "", "")


def test_what_the_sync_does_with_a_listed_provider() -> None:
    published = read_record(_record()).provider
    assert published is not None
    assert change_for(published, None) is Change.ADD
    assert change_for(published, published) is Change.UNCHANGED
    assert change_for(published, published.model_copy(update={"name": "Old name"})) is Change.UPDATE
    lapsed = published.model_copy(update={"accredited": False})
    assert change_for(lapsed, published) is Change.NO_LONGER_ACCREDITED
    assert change_for(published, lapsed) is Change.UPDATE  # accredited again
    assert unlisted(published) == lapsed


def test_the_recruitment_cycle_is_the_academic_year_s_start_year() -> None:
    assert recruitment_cycle(dt.date(2026, 8, 31)) == 2025
    assert recruitment_cycle(dt.date(2026, 9, 1)) == 2026
    assert recruitment_cycle(dt.date(2027, 3, 1)) == 2026


def test_an_empty_or_tiny_cycle_is_not_believed() -> None:
    assert not believable(0, 0)
    assert not believable(0, 40)
    assert not believable(19, 40)
    assert believable(20, 40)
    assert believable(5, 0)


def test_the_sync_s_activity_entry_counts_what_it_did() -> None:
    tally = SyncTally(records=7, skipped=1, unlisted=1)
    for change in (Change.ADD, Change.UPDATE, Change.UPDATE, Change.NO_LONGER_ACCREDITED, Change.UNCHANGED):
        tally.changed(change)
    entry = sync_entry(2026, tally, NOW, "providers-synced-x")
    assert entry.kind is ActivityKind.PROVIDERS_SYNCED
    assert entry.label == "Providers synced from Publish"
    assert entry.summary == "Publish teacher training, recruitment cycle 2026"
    assert entry.counts == {
        "providers read": 7,
        "added": 1,
        "updated": 2,
        "no longer accredited": 2,
        "skipped": 1,
    }
    assert count_phrase("providers read", 1) == "1 provider read"


# -- a closed school's flag ---------------------------------------------------------------------------------------
WINDOW = ClaimWindow(
    window_id="w-2026",
    academic_year=AcademicYear(2026),
    opens_on=dt.date(2026, 11, 1),
    closes_on=dt.date(2026, 12, 31),
)


def _claim(reference: str, status: ClaimStatus, window_id: str = "w-2026") -> Claim:
    return Claim(
        reference=reference,
        school_id="100001",
        school_name="Old Forge Infant School",
        provider_code="1TZ",
        provider_name="Sheffield Hallam University",
        window_id=window_id,
        academic_year=AcademicYear(2026),
        status=status,
        mentors=(
            ClaimMentor(trn="1234567", first_name="A", last_name="B", hours=2, training_type=TrainingType.INITIAL),
        ),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=8760,
        created_at=NOW,
    )


def test_a_closed_school_s_live_claims_in_the_window_are_its_drafts_and_submitted_ones() -> None:
    claims = [
        _claim("B2", ClaimStatus.SUBMITTED),
        _claim("A1", ClaimStatus.DRAFT),
        _claim("C3", ClaimStatus.WITHDRAWN),
        _claim("D4", ClaimStatus.REJECTED),
        _claim("E5", ClaimStatus.SUBMITTED, window_id="w-2025"),
        _claim("F6", ClaimStatus.SUPPORT_REVIEW),
    ]
    assert [c.reference for c in claims_in_window(claims, "w-2026")] == ["A1", "B2", "F6"]


def test_the_flag_names_the_school_the_day_it_closed_and_its_claims() -> None:
    claims = [_claim(f"R{n:03d}", ClaimStatus.SUBMITTED) for n in range(23)]
    entry = closed_school_flag("100001", "Old Forge Infant School", dt.date(2026, 10, 31), WINDOW, claims, NOW)
    assert entry is not None
    assert entry.activity_id == flag_id("100001", "w-2026") == "closed_school_has_claims-100001-w-2026"
    assert entry.kind is ActivityKind.CLOSED_SCHOOL_HAS_CLAIMS
    assert entry.counts == {"claims": 23}
    assert entry.summary.startswith("Old Forge Infant School (URN 100001), closed on 31 October 2026: R000, R001")
    assert entry.summary.endswith("R019 and 3 more in the 2026 to 2027 claim window")
    assert entry.link == "/support/organisations/schools/100001"
    assert closed_school_flag("100001", "Old Forge", None, WINDOW, [], NOW) is None


# -- the fake GIAS's extract --------------------------------------------------------------------------------------
def test_the_fake_gias_writes_gias_s_real_header_and_rows_the_importer_reads() -> None:
    from infrastructure.local.fake_gias import GIAS_HEADER, generated_rows, write_extract
    from tests.bench.gias_import import gias_header

    out = io.StringIO()
    write_extract(out, generated_rows(2_000))
    assert list(GIAS_HEADER) == gias_header()  # the real extract's 140 columns, in its order
    assert next(csv.reader(io.StringIO(out.getvalue()))) == list(GIAS_HEADER)
    rows = list(read_rows(io.StringIO(out.getvalue().encode("iso-8859-1").decode("iso-8859-1"))))
    assert len(rows) == 2_000
    reasons = {row.skipped.reason for row in rows if row.skipped}
    assert reasons == {GiasSkip.OVERSEAS, GiasSkip.OUTSIDE_ENGLAND, GiasSkip.MALFORMED}
    statuses = {row.establishment.status for row in rows if row.establishment}
    assert statuses == {"Open", "Closed"}
    assert rows[0].establishment is not None
    assert rows[0].establishment.name.startswith("École")


def test_the_fake_gias_refuses_columns_gias_does_not_have() -> None:
    from infrastructure.local.fake_gias import row

    with pytest.raises(ValueError, match="not GIAS columns"):
        row({"URN": "100000", "Name": "x"})


# -- the nightly bench --------------------------------------------------------------------------------------------
def test_the_nightly_bench_reports_rows_a_second_and_the_peak_ratio() -> None:
    from tests.bench.gias_nightly import NightlyRun, line, ratio_line

    small = NightlyRun(5_000, 2_000_000, 1.0, 39.0, 10 * 2**20, 4_500, 0, 500)
    large = NightlyRun(50_000, 20_000_000, 5.0, 395.0, 11 * 2**20, 45_000, 0, 5_000)
    assert "125 rows/s" in line(large)
    assert "peak 11.0 MiB" in line(large)
    assert ratio_line(small, large) == "peak at 50,000 / peak at 5,000 = 1.10x (within the 1.2x goal)"
