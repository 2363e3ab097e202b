"""moto's Query with a Limit reads only the part of its partition the page needs, as DynamoDB does.

After ADR 42 a Query hands moto only its partition, but moto still sorts the whole partition (twice: once as
`all_items` orders a table, once by the index's keys), checks each item's keys and walks past every item before
the ExclusiveStartKey, for every request. A page of 26 claims from a year of 5,000 therefore cost the year. DynamoDB
reads from the start key on and stops at the Limit.

Patched, the partition's items are kept in moto's own order (sorted once by moto's own `sorted_items` with the
sort attributes moto's Query uses, and sorted again only after a write to the table), and a Query that sets a
Limit is handed just the run of items its answer is made from: from the first item after the ExclusiveStartKey
(found by bisection with moto's own comparison), in the Query's direction, up to and including the first item after
the Limit-th item that meets the sort-key condition (moto looks at that one to decide on LastEvaluatedKey). moto
then answers from that run exactly as from the whole partition: the same items, ScannedCount, LastEvaluatedKey,
filter, projection and 1 MB page (items between are in the run too, so a size limit stops it at the same item).
A Query without a Limit, with the legacy QueryFilter, on several sort attributes, or on the base table is moto's
own (after ADR 42). `tests/integration/test_moto_partitions.py` compares every answer, page by page, with moto's
unpatched Query on random tables and random writes (docs/adr/0042-moto-indexes.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import GlobalSecondaryIndex, Table

from infrastructure.local import moto_dynamodb as partitions

_VERSION = "_query_window_version"  # on a table: how many writes it has seen
_ORDERED = "_query_window_ordered"  # on a table: (index, hash value) -> (version, items in moto's order)
_LOCK = threading.Lock()


def _written(table: Table, key: Any) -> None:
    vars(table)[_VERSION] = vars(table).get(_VERSION, 0) + 1
    _REINDEX(table, key)


_REINDEX: Callable[[Table, Any], None] = partitions._reindex


def _sort_attributes(table: Table, index: Any) -> tuple[list[str], list[str | None], str | None]:
    """(hash attributes, range attributes, the attribute a sort-key condition applies to) as moto's Query has them
    for an index."""
    hash_keys = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    range_keys = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    if range_keys:
        range_attrs: list[str | None] = [*range_keys, table.range_key_attr]
        compared: str | None = range_keys[0]
    else:
        own = table.range_key_attr if isinstance(index, GlobalSecondaryIndex) and table.range_key_attr else None
        compared = own or table.hash_key_attr
        range_attrs = [compared, table.range_key_attr]
    return [*hash_keys, table.hash_key_attr], range_attrs, compared


def _ordered(table: Table, index: Any, value: DynamoType, items: list[Item], attrs: tuple[Any, Any]) -> list[Item]:
    """The partition's items that have every index sort key, in moto's order, kept until the table is written."""
    version = vars(table).get(_VERSION, 0)
    cache: dict[tuple[str, DynamoType], tuple[int, list[Item]]] = vars(table).setdefault(_ORDERED, {})
    kept = cache.get((index.name, value))
    if kept is not None and kept[0] == version:
        return kept[1]
    range_keys = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    present = [item for item in items if all(item.attrs.get(name) for name in range_keys)]
    ordered = table.sorted_items(attrs[0], attrs[1], present)
    cache[(index.name, value)] = (version, ordered)
    return ordered


def _first_after(
    table: Table, ordered: list[Item], start: dict[str, Any], attrs: tuple[Any, Any], forward: bool
) -> int:
    """How many items of `ordered` (in the Query's direction) come at or before the ExclusiveStartKey: moto's own
    comparison, which is true for a prefix of the order, by bisection."""
    low, high = 0, len(ordered)
    while low < high:
        middle = (low + high) // 2
        item = ordered[middle] if forward else ordered[len(ordered) - 1 - middle]
        if table._item_comes_before_dct(item, start, attrs[0], attrs[1], forward):
            low = middle + 1
        else:
            high = middle
    return low


def _window(
    table: Table,
    ordered: list[Item],
    skipped: int,
    limit: int,
    forward: bool,
    meets: Callable[[Item], bool],
) -> list[Item]:
    """The run moto's answer is made from, in the table's order: after `skipped`, to the item after the
    Limit-th that meets the sort-key condition."""
    run: list[Item] = []
    met = 0
    for position in range(skipped, len(ordered)):
        item = ordered[position] if forward else ordered[len(ordered) - 1 - position]
        run.append(item)
        if met == limit:
            break  # moto looks at one item past the Limit-th to say there is more
        if meets(item):
            met += 1
    return run if forward else run[::-1]


def _querying_window(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    names = ("range_comparison", "range_objs", "limit", "exclusive_start_key", "scan_index_forward")
    given = dict(zip(names, args[:5], strict=False))
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    limit, conditions = given.get("limit"), kwargs.get("range_key_conditions") or []
    legacy = set(kwargs) - _KNOWN  # moto passes the legacy QueryFilter's conditions as keyword arguments
    if not limit or not index_name or legacy or len(args) > 9 or len(conditions) > 1:
        return _BEFORE(self, hash_key, *args, **kwargs)
    index = next((i for i in self.all_indexes() if i.name == index_name), None)
    candidates = partitions._candidates(self, hash_key, index_name, kwargs.get("hash_key_conditions"))
    value = next((v for _, v in kwargs.get("hash_key_conditions") or ()), None)
    if index is None or candidates is None or not isinstance(value, DynamoType):
        return _BEFORE(self, hash_key, *args, **kwargs)
    hash_attrs, range_attrs, compared = _sort_attributes(self, index)
    attrs = (hash_attrs, range_attrs)
    comparison, objects = given.get("range_comparison"), given.get("range_objs")
    compared = conditions[-1][0] if conditions else compared

    def meets(item: Item) -> bool:
        if not comparison:
            return True
        found = item.attrs.get(compared) if compared else None
        return found is not None and bool(found) and bool(found.compare(comparison, objects))

    forward = given.get("scan_index_forward") is not False
    with _LOCK:
        ordered = _ordered(self, index, value, candidates, attrs)
    start = given.get("exclusive_start_key")
    skipped = _first_after(self, ordered, start, attrs, forward) if start is not None else 0
    partitions._QUERYING.partition = (self, _window(self, ordered, skipped, int(limit), forward, meets))
    try:
        return partitions._ORIGINAL_QUERY(self, hash_key, *args, **kwargs)
    finally:
        partitions._QUERYING.partition = None


_BEFORE: Callable[..., Any] = Table.query
_KNOWN = {"index_name", "consistent_read", "filter_expression", "hash_key_conditions", "range_key_conditions"}


def read_only_the_window() -> None:
    """Idempotent, after `index_queries_by_partition`: a Query with a Limit reads only the items its page needs."""
    global _BEFORE
    if getattr(Table.query, "__reads_window__", False):
        return
    _BEFORE = Table.query
    _querying_window.__reads_window__ = True  # type: ignore[attr-defined]
    _querying_window.__reads_partition__ = True  # type: ignore[attr-defined]
    Table.query = _querying_window  # type: ignore[method-assign]
    partitions._reindex = _written
