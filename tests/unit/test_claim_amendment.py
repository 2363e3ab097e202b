"""Support's amendment of a mentor's hours: what is typed is read as hours only when it is a whole number in
range, however long it is."""

from __future__ import annotations

import pytest

from shared.claims.claim_actions import read_amendment
from tests.unit.test_audits import CLAIM


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter the number of hours"),
        ("1.5", "Hours must be a whole number, like 12"),
        ("²", "Hours must be a whole number, like 12"),
        ("0", "Hours must be between 1 and 20"),
        ("21", "Hours must be between 1 and 20"),
        ("9" * 5000, "Hours must be between 1 and 20"),  # past int()'s 4,300 digits: a ValueError, before
        ("16", "Ada Lovelace already has 16 hours on this claim"),
    ],
)
def test_hours_that_cannot_be_the_mentors_are_refused_with_why(typed: str, error: str) -> None:
    amendment, errors = read_amendment(CLAIM, "1000001", "hours", typed, "The provider's records", 20)
    assert amendment is None
    assert errors == {"hours": error}


def test_hours_in_range_are_the_amendment() -> None:
    amendment, errors = read_amendment(CLAIM, "1000001", "hours", " 12 ", "The provider's records", 20)
    assert errors == {}
    assert amendment is not None
