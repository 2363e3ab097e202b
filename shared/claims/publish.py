"""Providers from the Publish teacher training API: its records as providers, and what a sync does (ADR 0036).

Pure. Publish lists every provider of a recruitment cycle (the start year of the academic year: 2026 for
"2026 to 2027"), JSON:API, a page at a time. A record needs a code, a name and a provider type (else it is skipped
and counted, as the live service skips it); the service keeps its code, name, type, UKPRN, URN, postcode, city,
email and whether it is accredited (`accredited_body`). Providers are never deleted: one that stops being
accredited, or that an accredited one's cycle no longer lists, is kept and marked not accredited, so it can no
longer be chosen and its claims fail the window-close check "provider_accredited" (support review).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shared.claims.academic_years import AcademicYear
from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.organisations import Provider

ACTOR_ID = "publish-sync"
ACTOR_NAME = "Nightly provider sync"
MAX_TEXT = 200  # a name, city or email longer than this is not Publish's: cut to it
_CODE = re.compile(r"[A-Z0-9]{2,6}")
# A cycle that lists fewer providers than this share of the accredited ones held is not believed: the sync fails
# (and alarms) instead of marking most providers not accredited because of one bad answer.
MIN_LISTED_SHARE = 0.5


def recruitment_cycle(day: dt.date) -> int:
    """The cycle a day falls in: the start year of its academic year (1 September to 31 August)."""
    return AcademicYear.for_date(day).start_year


class SkipReason(StrEnum):
    MALFORMED = "Malformed record"  # no code, name or provider type, or not an object


@dataclass(frozen=True)
class Record:
    """One element of a page's `data`: the provider it describes, or why it was skipped."""

    provider: Provider | None = None
    skipped: SkipReason | None = None


def _text(attributes: Mapping[str, Any], name: str) -> str:
    value = attributes.get(name)
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()[:MAX_TEXT]


def read_record(record: object) -> Record:
    """A JSON:API record (`{"id", "type": "providers", "attributes": {...}}`) as a provider."""
    attributes = record.get("attributes") if isinstance(record, dict) else None
    if not isinstance(attributes, dict):
        return Record(skipped=SkipReason.MALFORMED)
    code = _text(attributes, "code").upper()
    name = _text(attributes, "name")
    provider_type = _text(attributes, "provider_type")
    if not _CODE.fullmatch(code) or not name or not provider_type:
        return Record(skipped=SkipReason.MALFORMED)
    accredited = attributes.get("accredited_body", attributes.get("accredited_provider"))
    return Record(
        provider=Provider(
            code=code,
            name=name,
            provider_type=provider_type,
            accredited=accredited is True,
            ukprn=_text(attributes, "ukprn"),
            urn=_text(attributes, "urn") or None,
            postcode=_text(attributes, "postcode"),
            city=_text(attributes, "city"),
            email=_text(attributes, "email"),
        )
    )


class Change(StrEnum):
    ADD = "add"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    NO_LONGER_ACCREDITED = "no_longer_accredited"


def change_for(published: Provider, held: Provider | None) -> Change:
    """What the sync does with a listed provider, given the one the service holds under its code."""
    if held is None:
        return Change.ADD
    if held == published:
        return Change.UNCHANGED
    if held.accredited and not published.accredited:
        return Change.NO_LONGER_ACCREDITED
    return Change.UPDATE


def unlisted(held: Provider) -> Provider:
    """An accredited provider its cycle no longer lists: kept, as it was, but not accredited."""
    return held.model_copy(update={"accredited": False})


def believable(listed: int, accredited_held: int) -> bool:
    """Whether a cycle listing `listed` providers may mark the unlisted accredited ones (see MIN_LISTED_SHARE)."""
    return listed > 0 and listed >= MIN_LISTED_SHARE * accredited_held


@dataclass
class SyncTally:
    """Counts a sync as it goes (memory: counts and the codes listed, a few thousand at most)."""

    pages: int = 0
    records: int = 0
    counts: dict[Change, int] = field(default_factory=dict)
    skipped: int = 0
    unlisted: int = 0
    listed_codes: set[str] = field(default_factory=set)

    def changed(self, change: Change) -> None:
        self.counts[change] = self.counts.get(change, 0) + 1

    def report(self) -> dict[str, int]:
        """The counts Activity shows."""
        return {
            "providers read": self.records,
            "added": self.counts.get(Change.ADD, 0),
            "updated": self.counts.get(Change.UPDATE, 0),
            "no longer accredited": self.counts.get(Change.NO_LONGER_ACCREDITED, 0) + self.unlisted,
            "skipped": self.skipped,
        }


def sync_entry(cycle: int, tally: SyncTally, at: dt.datetime, run_id: str) -> ActivityEntry:
    """The run's Activity entry ("Providers synced from Publish"), with its counts."""
    return ActivityEntry(
        activity_id=run_id,
        kind=ActivityKind.PROVIDERS_SYNCED,
        at=at,
        actor_id=ACTOR_ID,
        actor_name=ACTOR_NAME,
        summary=f"Publish teacher training, recruitment cycle {cycle}",
        counts=tally.report(),
        link="/support/organisations",
    )
