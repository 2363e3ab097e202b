"""Mentors' allowance items: the hours each mentor has used with each provider in each academic year.

The submission and release transactions (`shared.data.claims`) keep `used` equal to the hours of the
claims that count; reading them is BatchGets of up to 100 keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import allowance_id
from shared.data.items import AllowanceItem


@dataclass(frozen=True)
class MentorAllowance:
    """What a mentor's allowance item says about one provider and academic year."""

    used: int
    school_ids: frozenset[str]


def allowances(keys: Iterable[tuple[str, str, AcademicYear]]) -> dict[tuple[str, str, int], MentorAllowance]:
    """Each (trn, provider, academic year)'s allowance item: BatchGets of up to 100 keys (missing means
    nothing claimed). Validation reads a page of claims' facts with this instead of every claim of a provider."""
    wanted = {allowance_id(trn, code, year): (trn, code, year.start_year) for trn, code, year in keys}
    found = dict.fromkeys(wanted.values(), MentorAllowance(0, frozenset()))
    for item in AllowanceItem.batch_get(list(wanted)):
        found[wanted[item.allowance_id]] = MentorAllowance(int(item.used or 0), frozenset(item.school_ids or ()))
    return found


def hours_used(keys: Iterable[tuple[str, str, AcademicYear]]) -> dict[tuple[str, str, int], int]:
    """Hours used per (trn, provider, academic year start): one BatchGet (missing items mean 0)."""
    return {key: allowance.used for key, allowance in allowances(keys).items()}
