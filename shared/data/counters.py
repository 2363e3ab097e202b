"""The Overview's counters in DynamoDB (ADR 0028): an academic year's counts spread over `SHARDS` items.

A claim change adds its year's summed delta to ONE shard, chosen at random, with one UpdateItem `ADD` of every
counter it moves, inside the change's own transaction (`add_to_counters`): the counters move exactly when the
claims do, and a retried transaction whose claim conditions fail adds nothing. Concurrent changes seldom meet
on one shard (and a change cancelled by a conflict is retried by its caller on a fresh shard). The Overview
reads a year's shards with one BatchGetItem and sums them (`Counters.read`).

The attributes are named at run time (`n#status#paid`, `name#provider#N97`), so they are written as document
paths and read from the raw item, not declared on `CountersItem`.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pynamodb.expressions.operand import Path
from pynamodb.expressions.update import Action

from shared.claims.academic_years import AcademicYear
from shared.claims.counters import SHARDS, CountedClaim, YearDelta
from shared.claims.statuses import ClaimStatus
from shared.data.items import ClaimItem, CountersItem
from shared.data.transactions import CheckedTransactWrite, connection

COUNTERS = "counters"  # the label of the counter update in a transaction
_NAME = "name#provider#"
ADJUST_ACTIONS = 50  # counters one correction's UpdateItem changes: its expression well inside 4 KB


def counter_id(year: str, shard: int) -> str:
    return f"{year}#{shard}"


def _actions(change: YearDelta) -> list[Action]:
    actions: list[Action] = [Path([name]).add({"N": str(value)}) for name, value in change.counts.items()]
    actions += [Path([_NAME + code]).set({"S": name}) for code, name in change.provider_names.items() if name]
    return actions


def add_to_counters(transaction: CheckedTransactWrite, change: YearDelta) -> None:
    """Add a year's summed delta to one of its shards, in the caller's transaction (one action)."""
    if not change.counts:
        return
    item = CountersItem(counter_id=counter_id(change.year, secrets.randbelow(SHARDS)))
    transaction.update(item, actions=_actions(change), label=COUNTERS)


class Counters:
    def read(self, year: str) -> tuple[dict[str, int], dict[str, str]]:
        """A year's counters summed over its shards, and the provider names they hold: one BatchGetItem."""
        table = CountersItem.Meta.table_name
        keys = [{"counter_id": {"S": counter_id(year, shard)}} for shard in range(SHARDS)]
        response: dict[str, Any] = connection().client.batch_get_item(RequestItems={table: {"Keys": keys}})
        items: list[dict[str, Any]] = list(response.get("Responses", {}).get(table, []))
        unread = response.get("UnprocessedKeys", {}).get(table)
        while unread:  # throttled keys come back to be asked again
            response = connection().client.batch_get_item(RequestItems={table: unread})
            items += response.get("Responses", {}).get(table, [])
            unread = response.get("UnprocessedKeys", {}).get(table)
        totals: Counter[str] = Counter()
        names: dict[str, str] = {}
        for item in items:
            for name, value in item.items():
                if name == "counter_id":
                    continue
                if name.startswith(_NAME) and "S" in value:
                    names[name.removeprefix(_NAME)] = value["S"]
                elif "N" in value:
                    totals[name] += int(value["N"])
        return {k: v for k, v in sorted(totals.items()) if v}, names

    def adjust(self, change: YearDelta) -> None:
        """Add a correction (the rebuild's recount minus the counters as read) to shard 0: an UpdateItem per
        `ADJUST_ACTIONS` counters, as a year's whole recount (every day, region and provider) is more than one
        update expression may hold (DynamoDB's 4 KB)."""
        actions = _actions(change)
        item = CountersItem(counter_id=counter_id(change.year, 0))
        for start in range(0, len(actions), ADJUST_ACTIONS):
            item.update(actions=actions[start : start + ADJUST_ACTIONS])


def claims_of_year(year: str, page_size: int = 1000) -> Iterator[CountedClaim]:
    """Every claim of an academic year as the counters see it: the listing index (its projected attributes),
    one Query a page at a time, never a Scan."""
    academic_year = AcademicYear.parse(year)
    attributes = ["status", "amount_pence", "region", "provider_code", "provider_name", "submitted_at"]
    for item in ClaimItem.by_listing.query(year, attributes_to_get=attributes, page_size=page_size):
        yield CountedClaim(
            academic_year=academic_year,
            status=ClaimStatus(item.status),
            amount_pence=int(item.amount_pence),
            region=item.region,
            provider_code=item.provider_code,
            provider_name=item.provider_name,
            submitted_at=item.submitted_at,
        )
