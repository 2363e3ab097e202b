"""A claim's amount (hours × rate, in pence) and its reference (8 digits, never starting with 0)."""

from __future__ import annotations

import secrets

import pytest

from shared.claims.claim import REFERENCE_DIGITS, claim_amount_pence, new_reference


def test_the_amount_is_hours_times_the_rate_exactly() -> None:
    # Given 22 hours at £43.80 / Then the amount is £963.60, in pence, with no rounding
    assert claim_amount_pence(22, 4380) == 96360


def test_no_hours_or_a_zero_rate_is_an_amount_of_nothing() -> None:
    # Given zero hours, or a zero rate / Then the amount is zero, not an error
    assert claim_amount_pence(0, 4380) == 0
    assert claim_amount_pence(22, 0) == 0


@pytest.mark.parametrize(("hours", "rate"), [(-1, 4380), (22, -1), (-1, -1)])
def test_negative_hours_or_a_negative_rate_are_refused(hours: int, rate: int) -> None:
    # When either is negative
    # Then the error says neither may be, in exactly these words
    with pytest.raises(ValueError, match=r"^hours and rates are never negative$"):
        claim_amount_pence(hours, rate)


def test_a_reference_is_drawn_from_every_8_digit_number_that_does_not_start_with_0(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the random draw is watched, and gives its smallest and then its largest value
    asked: list[int] = []

    def draw(below: int) -> int:
        asked.append(below)
        return 0 if len(asked) == 1 else below - 1

    monkeypatch.setattr(secrets, "randbelow", draw)  # the module the claim's reference is drawn with
    # When two references are made
    smallest, largest = new_reference(), new_reference()
    # Then they are the first and last 8-digit numbers, from a draw over all 90,000,000 of them
    assert (smallest, largest) == ("10000000", "99999999")
    assert asked == [90_000_000, 90_000_000]
    assert REFERENCE_DIGITS == 8


def test_a_real_reference_is_8_digits() -> None:
    # When references are made with the real random source / Then each is 8 digits and does not start with 0
    for reference in (new_reference() for _ in range(50)):
        assert len(reference) == 8
        assert reference.isdigit()
        assert reference[0] != "0"
