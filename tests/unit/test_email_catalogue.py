"""The email catalogue (ADR 0039) against the code: every email the service builds is in it, every entry is sent
by some code path, and each entry's example is a well-formed message of its kind."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from shared.claims.email_catalogue import CATALOGUE, CatalogueEntry
from shared.claims.emails import EMAIL_PATTERN

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "shared").rglob("*.py"), *(ROOT / "functions").rglob("*.py")])
CATALOGUE_MODULE = ROOT / "shared" / "claims" / "email_catalogue.py"


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _builders_of_messages() -> set[tuple[str, str]]:
    """(module, top-level function) of every `EmailMessage(...)` call in shared/ and functions/."""
    found: set[tuple[str, str]] = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and getattr(inner.func, "id", None) == "EmailMessage":
                    found.add((_module_name(path), node.name))
    return found


def _used_where_emails_are_sent() -> set[str]:
    """Every name the sending layers (use cases, web routes, functions) call or pass on: a builder is sent when one
    of them calls it, or hands it to something that does (`tell_school_users(…, lambda a: builder(…))`,
    `(paid if … else rejected)(…)`). The pure layer only defines builders, so it does not count."""
    used: set[str] = set()
    for path in SOURCES:
        if path.is_relative_to(ROOT / "shared" / "claims"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
    return used


def _builder(entry: CatalogueEntry) -> tuple[str, str]:
    return entry.builder.__module__, entry.builder.__name__


def test_every_email_the_code_builds_is_in_the_catalogue() -> None:
    catalogued = {_builder(entry) for entry in CATALOGUE}
    assert _builders_of_messages() - catalogued == set(), "an email built outside the catalogue"


def test_every_catalogue_entry_is_sent_by_some_code_path() -> None:
    used = _used_where_emails_are_sent()
    assert {entry.kind for entry in CATALOGUE if entry.builder.__name__ not in used} == set()


def test_kinds_and_slugs_are_unique() -> None:
    assert len({entry.kind for entry in CATALOGUE}) == len(CATALOGUE)
    assert len({entry.slug for entry in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda entry: entry.kind)
def test_each_example_is_a_message_of_its_kind(entry: CatalogueEntry) -> None:
    message = entry.example()
    assert message.kind == entry.kind
    assert EMAIL_PATTERN.match(message.to)
    assert message.subject
    assert len(message.subject) <= 150
    assert "\n" not in message.subject
    assert message.body.strip()
    assert "{" not in message.body
    assert "None" not in message.body
    assert inspect.getmodule(entry.builder) is not None


def test_the_catalogue_covers_the_emails_the_service_owes() -> None:
    # The list the service was asked for: a new kind is added to the catalogue, never sent around it
    owed = {
        "claim_submitted", "claim_withdrawn", "draft_prepared_by_support", "draft_expired", "claim_window_opened",
        "claim_window_closing", "claim_paid", "claim_payment_information_requested", "claim_rejected_by_payer",
        "claim_rejected", "audit_requested", "audit_chaser", "claim_audit_provider_not_confirmed",
        "claim_audit_school_response_received", "claim_clawback_requested", "claim_clawback_complete",
        "payment_file_ready", "clawback_file_ready", "user_invited", "user_removed", "support_user_added",
        "claim_reminder",
    }  # fmt: skip
    assert owed <= {entry.kind for entry in CATALOGUE}
