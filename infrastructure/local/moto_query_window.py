"""moto's Query on an index reads only the part of its partition the answer needs, as DynamoDB does.

After ADR 42 a Query hands moto only its partition, but moto still sorts the whole partition (twice: once as
`all_items` orders a table, once by the index's keys), checks each item's keys and walks every item before the
ExclusiveStartKey and outside the sort-key condition, for every request. A page of 26 claims from a year of
5,000, or a validation page of 100 claims BETWEEN two references in a window of 20,000, cost the whole partition.
DynamoDB reads from the start of the sort-key condition (or the start key) and stops at its end or the Limit.

Patched, the partition's items are kept in moto's own order (sorted once by moto's own `sorted_items` with the
sort attributes moto's Query uses, and again only after a write to the table). A Query is handed just the run
of items its answer is made from. The run starts at the first item after the ExclusiveStartKey that meets the
sort-key condition, in the Query's direction. It ends at the last item that meets the condition, or at the
item after the Limit-th one (moto looks at that item to decide on LastEvaluatedKey). Both ends are found by
bisection, with moto's own comparison for the start key. The order is by the index's sort key first, so the
items meeting its condition are one run. moto then answers from that run exactly as it would from the whole
partition: the same items, ScannedCount, LastEvaluatedKey, filter, projection and COUNT. If an item after the
run could still end the page at 1 MB, moto's own walk answers instead. These Queries are moto's own (after
ADR 42): those with the legacy QueryFilter, those on several sort attributes, those whose condition is on
something other than the index's sort key, and those on the base table. `tests/integration/test_moto_partitions.py`
compares every answer, page by page, with moto's unpatched Query on random tables and random writes. It fails
if the run stops one item short, or if BETWEEN's end is off by one (docs/adr/0042-moto-indexes.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, GlobalSecondaryIndex, Table

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


def _ordered(
    table: Table, index: Any, value: DynamoType, items: list[Item], attrs: tuple[Any, Any], version: int
) -> list[Item]:
    """The partition's items that have every index sort key, in moto's order, kept until the table is written.
    `version`: the table's, read before `items` were (a write since then makes what is kept stale at once)."""
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


_ALIASES = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
_ANY_ITEM = 400 * 1024  # DynamoDB's largest item: what one more item can add to a page's size


def _bounds(ordered: list[Item], compared: str, comparison: str, objects: list[DynamoType]) -> tuple[int, int] | None:
    """Where the items meeting the sort-key condition are, as (first, past the last) in the table's order, found by
    bisection: the order is by the index's sort key first, so they are one run. None for a condition this does not
    know (moto's own walk then decides)."""
    op = _ALIASES.get(comparison, comparison.upper())
    if op not in ("EQ", "LT", "LE", "GT", "GE", "BETWEEN", "BEGINS_WITH") or not objects:
        return None
    low = objects[0].cast_value
    high = objects[-1].cast_value

    def before(value: Any) -> bool:
        if op in ("EQ", "GE", "BETWEEN", "BEGINS_WITH"):
            return bool(value < low)
        return bool(value <= low) if op == "GT" else False

    def after(value: Any) -> bool:
        if op in ("EQ", "LE"):
            return bool(value > low)
        if op == "LT":
            return bool(value >= low)
        if op == "BETWEEN":
            return bool(value > high)
        if op == "BEGINS_WITH":
            return bool(value > low) and not str(value).startswith(str(low))
        return False

    def first(predicate: Callable[[Any], bool], lowest: int) -> int:
        """The first position from `lowest` whose item's sort key makes `predicate` true (it is false before)."""
        left, right = lowest, len(ordered)
        while left < right:
            middle = (left + right) // 2
            if predicate(ordered[middle].attrs[compared].cast_value):
                right = middle
            else:
                left = middle + 1
        return left

    start = first(lambda value: not before(value), 0)
    return start, first(after, start)


def _window(
    ordered: list[Item], skipped: int, limit: int | None, forward: bool, run: tuple[int, int]
) -> list[Item] | None:
    """The items moto's answer is made from, in the table's order: from the first after the start key that meets
    the sort-key condition to the last that does, or to the item after the Limit-th (moto looks at that one to say
    there is more). None when what follows the run could still end the page by its size (moto's own walk decides)."""
    count = len(ordered)
    low, high = run if forward else (count - run[1], count - run[0])  # the run in the Query's direction
    taken: list[Item] = []
    size = 0
    for position in range(max(skipped, low), count):
        item = ordered[position] if forward else ordered[count - 1 - position]
        if limit is not None and len(taken) == limit:
            taken.append(item)  # looked at, not answered: moto says there is more
            break
        if position >= high:
            if size + _ANY_ITEM > RESULT_SIZE_LIMIT:
                return None  # an item after the run could still stop the page at 1 MB
            break
        taken.append(item)
        size += item.size()
    return taken if forward else taken[::-1]


def _querying_window(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    names = ("range_comparison", "range_objs", "limit", "exclusive_start_key", "scan_index_forward")
    given = dict(zip(names, args[:5], strict=False))
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    limit, conditions = given.get("limit"), kwargs.get("range_key_conditions") or []
    legacy = set(kwargs) - _KNOWN  # moto passes the legacy QueryFilter's conditions as keyword arguments
    if not index_name or legacy or len(args) > 9 or len(conditions) > 1:
        return _BEFORE(self, hash_key, *args, **kwargs)
    index = next((i for i in self.all_indexes() if i.name == index_name), None)
    version = vars(self).get(_VERSION, 0)
    candidates = partitions._candidates(self, hash_key, index_name, kwargs.get("hash_key_conditions"))
    value = next((v for _, v in kwargs.get("hash_key_conditions") or ()), None)
    if index is None or candidates is None or not isinstance(value, DynamoType):
        return _BEFORE(self, hash_key, *args, **kwargs)
    hash_attrs, range_attrs, compared = _sort_attributes(self, index)
    attrs = (hash_attrs, range_attrs)
    comparison, objects = given.get("range_comparison"), given.get("range_objs") or []
    compared = conditions[-1][0] if conditions else compared
    sort_key = next((k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"), None)
    forward = given.get("scan_index_forward") is not False
    with _LOCK:
        ordered = _ordered(self, index, value, candidates, attrs, version)
    if not comparison:
        run: tuple[int, int] | None = (0, len(ordered))
    elif compared is not None and compared == sort_key:
        run = _bounds(ordered, compared, comparison, objects)
    else:
        run = None
    start = given.get("exclusive_start_key")
    skipped = _first_after(self, ordered, start, attrs, forward) if start is not None else 0
    window = _window(ordered, skipped, int(limit) if limit else None, forward, run) if run is not None else None
    if window is None:
        return _BEFORE(self, hash_key, *args, **kwargs)
    partitions._QUERYING.partition = (self, window)
    try:
        return partitions._ORIGINAL_QUERY(self, hash_key, *args, **kwargs)
    finally:
        partitions._QUERYING.partition = None


_BEFORE: Callable[..., Any] = Table.query
_KNOWN = {"index_name", "consistent_read", "filter_expression", "hash_key_conditions", "range_key_conditions"}


def read_only_the_window() -> None:
    """Idempotent, after `index_queries_by_partition`: a Query on an index reads only the items its answer needs."""
    global _BEFORE
    if getattr(Table.query, "__reads_window__", False):
        return
    _BEFORE = Table.query
    _querying_window.__reads_window__ = True  # type: ignore[attr-defined]
    _querying_window.__reads_partition__ = True  # type: ignore[attr-defined]
    Table.query = _querying_window  # type: ignore[method-assign]
    partitions._reindex = _written
