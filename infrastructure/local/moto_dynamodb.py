"""Make moto's in-memory DynamoDB behave as DynamoDB does: atomic operations, costs that do not grow with the table.

moto serves requests on threads and its DynamoDB backend has no locking: a transaction's condition
checks and writes can interleave with another request ("dictionary changed size during iteration", or
two transactions both passing `used <= cap - hours`). Real DynamoDB serialises conflicting
transactions, so the local stack and the concurrency test serialise moto's DynamoDB operations behind
one lock. Our own code gets no help from this: it still has to carry the conditions (the concurrency
test fails without them).

Three more patches make moto's costs DynamoDB's: a transaction backs up the items it names, not its tables
(`back_up_touched_items_only`), a Query reads only the partition it asks for, on the base table or an index
(`index_queries_by_partition`, docs/adr/0042-moto-indexes.md), and an item in a response is written out without
moto's search for each of its attribute values' ten possible members under aliases
(`answer_attribute_values_directly`), and an update expression is parsed once, not twice for every item it updates
(`parse_update_expressions_once`; both docs/adr/0046-moto-responses.md).
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.core import serialize as moto_serialize
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.parsing import expressions as moto_expressions

_LOCK = threading.RLock()
_OPERATIONS = (
    "batch_get_item",
    "batch_write_item",
    "delete_item",
    "execute_statement",
    "execute_transaction",
    "get_item",
    "put_item",
    "query",
    "scan",
    "transact_get_items",
    "transact_write_items",
    "update_item",
)


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    locked.__serialised__ = True  # type: ignore[attr-defined]
    return locked


def serialise_dynamodb() -> None:
    """Idempotent: wrap each item operation of moto's DynamoDB backend in one process-wide lock."""
    for name in _OPERATIONS:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "__serialised__", False):
            setattr(DynamoDBBackend, name, _serialised(method))


# -- transactions: back up the items they touch, not whole tables ------------------------------------
# moto's TransactWriteItems deep-copies every table it names before writing, to roll back on failure:
# seconds a transaction once a table holds thousands of items (the integration suite measured 15 s for
# one against its seeded tables), where DynamoDB's cost does not depend on the table at all. Patched,
# a transaction copies only the items it names and puts those back if it fails: the same
# all-or-nothing outcome, at the cost of the items. moto's own condition checks and writes are unchanged.
_ORIGINAL_TRANSACT = DynamoDBBackend.transact_write_items
_IN_TRANSACTION = threading.local()


class _TablesNotCopiedInTransactions:
    """Stands in for the `copy` module inside `moto.dynamodb.models`: while a patched transaction runs on
    this thread, `deepcopy` of a whole table returns the table itself; anything else is really copied."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if getattr(_IN_TRANSACTION, "active", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _item_key(table: Any, operation: dict[str, Any]) -> dict[str, Any]:
    if "Key" in operation:
        return dict(operation["Key"])
    item = operation.get("Item", {})
    return {name: item[name] for name in (table.hash_key_attr, table.range_key_attr) if name and name in item}


def _backing_up_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    backups: list[tuple[Any, Any, Any, Any]] = []
    for entry in transact_items:
        _, operation = next(iter(entry.items()))
        table = self.tables.get(operation.get("TableName"))
        if table is None:
            continue
        try:
            hash_value, range_value = self.get_keys_value(table, _item_key(table, operation))
        except Exception:  # noqa: BLE001, S112 - moto reports the bad key itself when it writes
            continue
        backups.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
    _IN_TRANSACTION.active = True
    try:
        _ORIGINAL_TRANSACT(self, transact_items)
    except Exception:
        for table, hash_value, range_value, item in reversed(backups):
            if range_value is None:
                table.items.pop(hash_value, None)
                if item is not None:
                    table.items[hash_value] = item
            else:
                table.items[hash_value].pop(range_value, None)
                if item is not None:
                    table.items[hash_value][range_value] = item
            _reindex(table, (hash_value, range_value))
        raise
    finally:
        _IN_TRANSACTION.active = False


_backing_up_items.__backs_up_items__ = True  # type: ignore[attr-defined]


def back_up_touched_items_only() -> None:
    """Idempotent: moto's TransactWriteItems backs up the items it names instead of whole tables. Kept
    inside the lock when `serialise_dynamodb` has run (in either order)."""
    import moto.dynamodb.models as models

    current = DynamoDBBackend.transact_write_items
    if getattr(current, "__backs_up_items__", False) or getattr(
        getattr(current, "__wrapped__", None), "__backs_up_items__", False
    ):
        return
    vars(models)["copy"] = _TablesNotCopiedInTransactions()
    replacement: Callable[..., Any] = _backing_up_items
    if getattr(current, "__serialised__", False):
        replacement = _serialised(_backing_up_items)
    DynamoDBBackend.transact_write_items = replacement  # type: ignore[method-assign]


# -- queries: read the partition asked for, not the whole table ----------------------------------------
# moto answers every Query by reading (and sorting) every item of the table and keeping those whose hash
# key matches: on an index of a 20,000-claim table each Query costs the table, where DynamoDB reads only
# the partition. Patched, a Query hands moto's own Query code only the items of that partition: the base
# table's from moto's own `items[hash]`, an index's from a map kept per table and per index hash key
# attribute (value → the primary keys of the items holding it), built on the first Query on that attribute
# and kept up to date by every write (put, delete, update, transaction, batch, PartiQL, a rolled-back
# transaction). moto then does everything else as before: the hash-key check itself, sort-key condition,
# order, pagination, filter, projection, Select COUNT. Items that lack the attribute are in no partition,
# as a sparse index holds them nowhere.
_ORIGINAL_QUERY = Table.query
_ORIGINAL_ALL_ITEMS = Table.all_items
_ORIGINAL_PUT = Table.put_item
_ORIGINAL_DELETE = Table.delete_item
_ORIGINAL_UPDATE = DynamoDBBackend.update_item
_QUERYING = threading.local()
_PARTITIONS = "_partitions_by_attribute"

_Key = tuple[DynamoType, DynamoType | None]


class _Partitions:
    """One index hash key attribute's items of one table: value → primary keys, and each key's value."""

    def __init__(self, table: Table, attribute: str) -> None:
        self.attribute = attribute
        self.members: dict[DynamoType, dict[_Key, None]] = {}
        self.value_of: dict[_Key, DynamoType] = {}
        for item in _ORIGINAL_ALL_ITEMS(table):
            self.place((item.hash_key, item.range_key), item)

    def place(self, key: _Key, item: Item | None) -> None:
        """Put `key` in the partition its item's value names now (none when the item is gone or lacks it)."""
        old = self.value_of.pop(key, None)
        if old is not None:
            keys = self.members[old]
            keys.pop(key, None)
            if not keys:
                del self.members[old]
        value = item.attrs.get(self.attribute) if item is not None else None
        if value is not None:
            self.value_of[key] = value
            self.members.setdefault(value, {})[key] = None


def _stored(table: Table, key: _Key) -> Item | None:
    """The item stored under `key`, without adding to moto's defaultdict as `items[hash]` would."""
    hash_value, range_value = key
    stored = table.items.get(hash_value)
    if range_value is None:
        return stored if isinstance(stored, Item) else None
    return stored.get(range_value) if isinstance(stored, dict) else None


def _reindex(table: Table, key: _Key) -> None:
    """After a write to `key`: move it to the partitions its item's values name now."""
    partitions: dict[str, _Partitions] | None = vars(table).get(_PARTITIONS)
    if not partitions:
        return
    item = _stored(table, key)
    for partition in partitions.values():
        partition.place(key, item)


def _partition(table: Table, attribute: str, value: DynamoType) -> list[Item]:
    partitions: dict[str, _Partitions] = vars(table).setdefault(_PARTITIONS, {})
    if attribute not in partitions:
        partitions[attribute] = _Partitions(table, attribute)
    keys = partitions[attribute].members.get(value, {})
    return [item for item in (_stored(table, key) for key in keys) if item is not None]


def _base_partition(table: Table, hash_value: DynamoType) -> list[Item]:
    stored = table.items.get(hash_value)
    if isinstance(stored, Item):
        return [stored]
    return list(stored.values()) if isinstance(stored, dict) else []


def _candidates(table: Table, hash_key: Any, index_name: str | None, conditions: Any) -> list[Item] | None:
    """The items of the partition a Query asks for, or None when it names none (moto then reads them all)."""
    if not index_name:
        return _base_partition(table, hash_key) if isinstance(hash_key, DynamoType) else None
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    if index is None:
        return None  # moto reports the unknown index
    attribute = next((k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"), None)
    value = next((v for name, v in conditions or () if name == attribute), None)
    if attribute is None or not isinstance(value, DynamoType):
        return None
    if attribute == table.hash_key_attr:
        return _base_partition(table, value)
    return _partition(table, attribute, value)


def _in_order(items: list[Item]) -> list[Item]:
    """As moto's `all_items` orders them."""
    return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


def _querying_partition(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    candidates = _candidates(self, hash_key, index_name, kwargs.get("hash_key_conditions"))
    if candidates is None:
        return _ORIGINAL_QUERY(self, hash_key, *args, **kwargs)
    _QUERYING.partition = (self, _in_order(candidates))
    try:
        return _ORIGINAL_QUERY(self, hash_key, *args, **kwargs)
    finally:
        _QUERYING.partition = None


def _all_items_or_partition(self: Table) -> list[Item]:
    """moto's `all_items`, except inside a patched Query of this table on this thread: its partition."""
    querying = getattr(_QUERYING, "partition", None)
    if querying is not None and querying[0] is self:
        return list(querying[1])
    return _ORIGINAL_ALL_ITEMS(self)


def _putting(self: Table, *args: Any, **kwargs: Any) -> Item:
    item = _ORIGINAL_PUT(self, *args, **kwargs)
    _reindex(self, (item.hash_key, item.range_key))
    return item


def _deleting(self: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    try:
        return _ORIGINAL_DELETE(self, hash_key, range_key)
    finally:
        _reindex(self, (hash_key, range_key or None))


def _updating(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Item:
    # moto changes the stored item in place (or puts a new one first): re-place its key afterwards, even when
    # moto fails part-way through the update expression, as the item may have changed
    try:
        return _ORIGINAL_UPDATE(self, table_name, key, *args, **kwargs)
    finally:
        table = self.tables.get(table_name)
        if table is not None and table.hash_key_attr in key:
            range_value = key.get(table.range_key_attr) if table.range_key_attr else None
            _reindex(table, (DynamoType(key[table.hash_key_attr]), DynamoType(range_value) if range_value else None))


_updating.__reindexes__ = True  # type: ignore[attr-defined]


def index_queries_by_partition() -> None:
    """Idempotent: a Query on moto's DynamoDB (base table or index) reads only the partition asked for. Kept
    inside the lock when `serialise_dynamodb` has run (in either order)."""
    if getattr(Table.query, "__reads_partition__", False):
        return
    _querying_partition.__reads_partition__ = True  # type: ignore[attr-defined]
    Table.query = _querying_partition  # type: ignore[method-assign]
    Table.all_items = _all_items_or_partition  # type: ignore[method-assign]
    Table.put_item = _putting  # type: ignore[method-assign]
    Table.delete_item = _deleting  # type: ignore[method-assign]
    replacement: Callable[..., Any] = _updating
    if getattr(DynamoDBBackend.update_item, "__serialised__", False):
        replacement = _serialised(_updating)
    DynamoDBBackend.update_item = replacement  # type: ignore[method-assign]
    from infrastructure.local.moto_query_window import read_only_the_window  # it patches on top of this one

    read_only_the_window()  # and a Query with a Limit reads only the items its page needs


# -- responses: an attribute value's members read directly, not looked for under aliases ----------------------
# moto writes every response from the botocore model: for each member of each structure it asks an attribute
# picker, which tries the member's name under up to six alias schemes (and their snake_case forms) on the Python
# object. An attribute value is a structure of ten members (S, N, B, SS, NS, BS, M, L, NULL, BOOL), so each
# attribute of each item returned costs about sixty look-ups: a claim item of 25 attributes took about 5 ms, most
# of a Query's time. The value moto hands the serializer here is a plain dict from `dynamo_to_dict` whose keys are
# some of those ten names; for such a dict every alias the picker tries (the member shapes' names such as
# `StringSetAttributeValue`, snake_case forms, prefixes of `AttributeValue` or `dict`) is absent, so the picker
# finds exactly `value[member]` or nothing. Patched, that is what is read, in the model's member order; each member
# found is then written by moto's own code (`_serialize`: strings, base64 for binary, sets, and M and L back
# through here). Anything else (another service, a response transformer, a picker that is not moto's default, a
# value that is not such a dict) takes moto's own path.
_ORIGINAL_STRUCTURE = moto_serialize.BaseJSONSerializer._serialize_type_structure
_ATTRIBUTE_VALUE = "AttributeValue"


def _default_picker(picker: Any) -> bool:
    return (
        type(picker) is moto_serialize.XFormedAttributePicker
        and picker.alias_providers == moto_serialize.DEFAULT_ALIAS_PROVIDERS
        and not picker.response_transformers
    )


def _attribute_value_directly(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
    if (
        shape.name != _ATTRIBUTE_VALUE
        or type(value) is not dict
        or not key
        or shape.is_document_type
        or self.service_model.service_name != "dynamodb"
        or not value.keys() <= shape.members.keys()
        or not _default_picker(self._value_picker)
    ):
        _ORIGINAL_STRUCTURE(self, serialized, value, shape, key)
        return
    wrapper = self.MAP_TYPE()
    for member_key, member_shape in shape.members.items():
        member_shape.parent = shape  # as moto's structure serializer leaves it
        member_value = value.get(member_key)
        if member_value is None:
            continue
        if type(member_value) is str and member_shape.type_name == "string" and not member_shape.serialization:
            wrapper[member_key] = member_value  # what moto's string serializer writes for a str: str(value)
        else:
            self._serialize(wrapper, member_value, member_shape, member_key)
    self._default_serialize(serialized, wrapper, shape, key)


_attribute_value_directly.__reads_directly__ = True  # type: ignore[attr-defined]


def answer_attribute_values_directly() -> None:
    """Idempotent: moto writes each attribute value of a DynamoDB response by reading its members directly."""
    current = moto_serialize.BaseJSONSerializer._serialize_type_structure
    if getattr(current, "__reads_directly__", False):
        return
    moto_serialize.BaseJSONSerializer._serialize_type_structure = _attribute_value_directly  # type: ignore[method-assign]


# -- update expressions: parsed once -------------------------------------------------------------------------
# moto parses an UpdateItem's expression (tokenizer and parser, in Python) twice for every item it updates (once
# to check the placeholders used, once to apply it), in a transaction too: about half of a transaction's time when
# each of its 49 claims is updated with the same expression. The parse is a function of the expression's text
# alone, and moto never changes the tree it returns: the placeholder check only reads it (`find_clauses`) and
# the validator deep-copies it before resolving names and values into it. Patched, the tree of a text is kept
# (the first time it parses; a text that fails to parse raises each time, as before) and handed out again.
UpdateExpressionParser: Any = vars(moto_expressions)["UpdateExpressionParser"]  # untyped in moto
_ORIGINAL_MAKE = vars(UpdateExpressionParser)["make"]
_PARSED: dict[str, Any] = {}
_PARSED_KEPT = 10_000  # texts kept: our code writes a few dozen (PynamoDB names its placeholders #0, :0, ...)


def _parsed_once(cls: type, expression_str: Any) -> Any:
    parse = _ORIGINAL_MAKE.__func__
    if cls is not UpdateExpressionParser or type(expression_str) is not str:
        return parse(cls, expression_str)
    tree = _PARSED.get(expression_str)
    if tree is None:
        tree = parse(cls, expression_str)
        if len(_PARSED) < _PARSED_KEPT:
            _PARSED[expression_str] = tree
    return tree


_parsed_once.__parses_once__ = True  # type: ignore[attr-defined]


def parse_update_expressions_once() -> None:
    """Idempotent: moto parses each update expression's text once and reuses the tree (which it never changes)."""
    if getattr(vars(UpdateExpressionParser)["make"].__func__, "__parses_once__", False):
        return
    UpdateExpressionParser.make = classmethod(_parsed_once)
