"""Every PynamoDB item's keys and indexes are exactly its table's in template.yaml."""

from __future__ import annotations

from typing import Any

import pytest

from infrastructure.local.template import load_template, table_definitions
from shared.config import Settings
from shared.data.items import ALL_ITEMS, table_field
from tests.support import ROOT

TABLES = table_definitions(load_template(ROOT / "template.yaml"), lambda logical_id: logical_id)


def _keys(schema: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {
        (entry.get("AttributeName") or entry["attribute_name"], entry.get("KeyType") or entry["key_type"])
        for entry in schema
    }


@pytest.mark.parametrize("model", ALL_ITEMS, ids=lambda model: model.__name__)
def test_item_keys_and_indexes_match_the_template(model: Any) -> None:
    spec = TABLES[table_field(model).upper()].create_kwargs
    schema = model._get_schema()
    assert _keys(schema["key_schema"]) == _keys(spec["KeySchema"])
    ours = {index["index_name"]: _keys(index["key_schema"]) for index in schema["global_secondary_indexes"]}
    theirs = {index["IndexName"]: _keys(index["KeySchema"]) for index in spec.get("GlobalSecondaryIndexes", [])}
    assert ours == theirs


def test_every_configured_table_has_an_item_class_or_a_reason() -> None:
    bound = {table_field(model) for model in ALL_ITEMS}
    # The idempotency table belongs to Powertools.
    unbound = {name.lower() for name in TABLES} - bound
    assert unbound == {"idempotency_table"}
    assert set(Settings.model_fields) >= {name.lower() for name in TABLES}
