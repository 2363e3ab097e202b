"""The nightly provider sync from Publish (ADR 0036): the recruitment cycle's providers, added or updated by code.

A schedule (SyncProvidersSchedule, 00:15 Europe/London, as the live service) runs functions/sync_providers. Page by
page (500 records), the providers held under the page's codes are read in one BatchGet per 100, and only what
changed is written (one UpdateItem each, so support's own attributes stand). A provider that stops being
accredited is kept and marked not accredited; so is an accredited one the cycle no longer lists, once every page
has been read (and only if the cycle lists at least half as many providers as are accredited: one bad answer
must not unaccredit them all). Claims naming such a provider fail the window-close check "provider_accredited"
and go to support review. The run is one Activity entry with its counts. Anything that stops it raises: the
invocation fails, Lambda retries it (a rerun writes only what is still different) and the alarm goes off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass

from shared.claims.academic_years import london_today
from shared.claims.errors import DomainError
from shared.claims.organisations import Provider
from shared.claims.publish import (
    Change,
    SyncTally,
    believable,
    change_for,
    read_record,
    recruitment_cycle,
    sync_entry,
    unlisted,
)
from shared.data.activity import Activity
from shared.data.directory import Directory
from shared.data.organisations import Providers
from shared.integrations.publish import provider_pages
from shared.observability import logger, metrics

READ_BATCH = 100  # codes per BatchGetItem


class SyncNotBelieved(DomainError):
    """The cycle listed too few providers to mark the unlisted accredited ones: nothing was marked."""


@dataclass(frozen=True)
class SyncOutcome:
    cycle: int
    run_id: str
    counts: dict[str, int]


def sync_run_id(now: dt.datetime) -> str:
    """One Activity entry per run: the instant names it (a retry is a run of its own, with its own counts)."""
    return "providers-synced-" + hashlib.sha256(now.isoformat().encode()).hexdigest()[:16]


def _apply_page(records: list[object], providers: Providers, directory: Directory, tally: SyncTally) -> None:
    tally.pages += 1
    published: list[Provider] = []
    for record in records:
        tally.records += 1
        read = read_record(record)
        if read.provider is None:
            tally.skipped += 1
        elif read.provider.code not in tally.listed_codes:  # a code twice: the first record stands
            tally.listed_codes.add(read.provider.code)
            published.append(read.provider)
    for batch in itertools.batched(published, READ_BATCH):
        held = providers.held(provider.code for provider in batch)
        changed: list[Provider] = []
        for provider in batch:
            change = change_for(provider, held.get(provider.code))
            tally.changed(change)
            if change is not Change.UNCHANGED:
                providers.sync(provider)
                changed.append(provider)
        directory.refresh_providers(changed)


def sync_providers(now: dt.datetime) -> SyncOutcome:
    """Sync the current recruitment cycle's providers and record the run in Activity. Raises PublishUnavailable
    or SyncNotBelieved (after writing what the pages read said, which a rerun repeats harmlessly)."""
    cycle = recruitment_cycle(london_today(now))
    providers, directory, tally = Providers(), Directory(), SyncTally()
    for records in provider_pages(cycle):
        _apply_page(records, providers, directory, tally)
    accredited = providers.accredited()
    gone = [provider for provider in accredited if provider.code not in tally.listed_codes]
    if gone and not believable(len(tally.listed_codes), len(accredited)):
        logger.error("publish sync not believed", extra={"listed": len(tally.listed_codes), "held": len(accredited)})
        raise SyncNotBelieved(f"cycle {cycle} lists {len(tally.listed_codes)} providers")
    marked: list[Provider] = []
    for provider in gone:
        if providers.mark_not_accredited(provider.code):
            marked.append(unlisted(provider))
    tally.unlisted = len(marked)
    directory.refresh_providers(marked)
    run_id = sync_run_id(now)
    Activity().record(sync_entry(cycle, tally, now, run_id))
    counts = tally.report()
    logger.info("providers synced", extra={"cycle": cycle, "pages": tally.pages, **counts})
    metrics.add_metric(name="ProvidersSynced", unit="Count", value=1)
    return SyncOutcome(cycle, run_id, counts)
