"""A school's mentors: list them, find a teacher in the Teaching Record, add them, remove them.

Mentors cannot be typed in: a teacher is found by TRN and date of birth, and the names come from
the Teaching Record System. The date of birth is used for that one lookup and never kept (docs/domain.md,
"Privacy"): nothing here stores, returns or logs it. A mentor on one of the school's active claims
cannot be removed.

Failed lookups are limited per user and per school (ADR 14), or the lookup would tell anyone who
tried enough dates a teacher's date of birth.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

from shared.claims import lookup_limits
from shared.claims.errors import DomainError, NotFound
from shared.claims.lookup_limits import Limit, Scope
from shared.claims.organisations import School
from shared.claims.people import User
from shared.data.mentors import Mentor, Mentors
from shared.data.rate_limits import RateLimits
from shared.integrations import teaching_record
from shared.integrations.teaching_record import TeacherRecord, TeachingRecordUnavailable
from shared.journeys.add_mentor import ENTER_DATE_OF_BIRTH, ENTER_TRN, VALID_TRN, clean_trn, trn_error
from shared.observability import logger, metrics

PAGE_SIZE = 25

__all__ = [
    "ENTER_DATE_OF_BIRTH",
    "ENTER_TRN",
    "PAGE_SIZE",
    "VALID_TRN",
    "AddOutcome",
    "Lockout",
    "Mentor",
    "MentorOnActiveClaim",
    "MentorsPage",
    "Removal",
    "Scope",
    "Search",
    "SearchOutcome",
    "TeacherRecord",
    "TeachingRecordUnavailable",
    "add_mentor",
    "already_added_message",
    "clean_trn",
    "find_teacher",
    "mentors_page",
    "removal",
    "remove_mentor",
    "trn_error",
]


class MentorOnActiveClaim(DomainError):
    """A mentor included in one of the school's active claims cannot be removed."""


# -- the list --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MentorsPage:
    mentors: list[Mentor]
    page: int
    pages: int
    total: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.mentors) - 1 if self.total else 0


def mentors_page(school: School, page: int) -> MentorsPage:
    """One page of the school's mentors, by first then last name; NotFound for a page that is not there."""
    everyone = Mentors().of_school(school.organisation_id)
    pages = max(1, math.ceil(len(everyone) / PAGE_SIZE))
    if not 1 <= page <= pages:
        raise NotFound
    start = (page - 1) * PAGE_SIZE
    return MentorsPage(everyone[start : start + PAGE_SIZE], page, pages, len(everyone))


# -- finding a teacher -----------------------------------------------------------------------------
def already_added_message(mentor: Mentor) -> str:
    return f"{mentor.full_name} has already been added"


class SearchOutcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    ALREADY_ADDED = "already_added"
    TOO_MANY = "too_many"  # the user or the school has had too many failed lookups: none was made


@dataclass(frozen=True)
class Lockout:
    """Who has had too many failed lookups in this window, and when they may try again."""

    scope: Scope
    until: dt.datetime
    try_again: str  # "Try again after 3:00pm" (England's time)


@dataclass(frozen=True)
class Search:
    outcome: SearchOutcome
    teacher: TeacherRecord | None = None
    existing: Mentor | None = None
    lockout: Lockout | None = None


def _lockout(limit: Limit, now: dt.datetime) -> Lockout:
    return Lockout(limit.scope, limit.window_ends_at, lookup_limits.try_again_after(now))


def find_teacher(school: School, user: User, trn: str, date_of_birth: dt.date, now: dt.datetime) -> Search:
    """Look the teacher up, unless the school already has them or the user or school has had too many
    failed lookups in this window (then no request is made).

    A lookup takes a place in both counters first (atomically, and only below the limit, so requests at
    the same moment cannot go past it) and gives them back unless the teacher was not found: only
    failed lookups count. Raises `TeachingRecordUnavailable` when the Teaching Record System cannot
    answer (that lookup does not count either).
    """
    existing = Mentors().get(school.organisation_id, trn)
    if existing is not None:
        return Search(SearchOutcome.ALREADY_ADDED, existing=existing)
    ids = {"user_id": user.user_id, "school_id": school.organisation_id}
    counters = lookup_limits.limits(user.user_id, school.organisation_id, now)
    rate_limits = RateLimits()
    counts = rate_limits.counts(limit.key for limit in counters)
    for limit in counters:
        if lookup_limits.reached(counts[limit.key], limit.limit):
            logger.info("mentor lookup refused: too many failed lookups", extra={**ids, "scope": limit.scope.value})
            return Search(SearchOutcome.TOO_MANY, lockout=_lockout(limit, now))
    taken: list[tuple[Limit, int]] = []
    for limit in counters:
        count = rate_limits.take(limit.key, limit.limit, limit.expires_at)
        if count is None:  # another lookup took the last place a moment ago
            for earlier, _ in taken:
                rate_limits.give_back(earlier.key)
            logger.info("mentor lookup refused: too many failed lookups", extra={**ids, "scope": limit.scope.value})
            return Search(SearchOutcome.TOO_MANY, lockout=_lockout(limit, now))
        taken.append((limit, count))
    try:
        teacher = teaching_record.find_teacher(trn, date_of_birth)
    except TeachingRecordUnavailable:  # not an answer either way: it does not count
        for limit, _ in taken:
            rate_limits.give_back(limit.key)
        raise
    if teacher is not None:
        for limit, _ in taken:
            rate_limits.give_back(limit.key)
        return Search(SearchOutcome.FOUND, teacher=teacher)
    for limit, count in taken:
        if lookup_limits.reached_by_this_one(count, limit.limit):
            logger.warning(
                "mentor lookup limit reached", extra={**ids, "scope": limit.scope.value, "limit": limit.limit}
            )
            metrics.add_metric(name="MentorLookupLockedOut", unit="Count", value=1)
    return Search(SearchOutcome.NOT_FOUND)


# -- adding ----------------------------------------------------------------------------------------
class AddOutcome(StrEnum):
    ADDED = "added"
    ADDED_BEFORE_BY_YOU = "added_before_by_you"  # a repeated submission: show the list, not an error
    ADDED_BEFORE = "added_before"  # someone else added them since the lookup


def add_mentor(school: School, teacher: TeacherRecord, user: User, now: dt.datetime) -> tuple[AddOutcome, Mentor]:
    """Add the teacher to the school's mentors, once, whoever submits and however often."""
    mentor = Mentor(trn=teacher.trn, first_name=teacher.first_name, last_name=teacher.last_name)
    mentors = Mentors()
    if mentors.add(school.organisation_id, mentor, user.user_id, now):
        logger.info("mentor added", extra={"school_id": school.organisation_id, "user_id": user.user_id})
        metrics.add_metric(name="MentorAdded", unit="Count", value=1)
        return AddOutcome.ADDED, mentor
    existing = mentors.get(school.organisation_id, teacher.trn) or mentor
    if existing.added_by == user.user_id:
        return AddOutcome.ADDED_BEFORE_BY_YOU, existing
    return AddOutcome.ADDED_BEFORE, existing


# -- removing --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Removal:
    mentor: Mentor
    on_active_claim: bool


def removal(school: School, trn: str) -> Removal:
    """The mentor to remove and whether an active claim blocks it; NotFound if not the school's."""
    mentors = Mentors()
    mentor = mentors.get(school.organisation_id, trn)
    if mentor is None:
        raise NotFound
    return Removal(mentor, trn in mentors.on_active_claims(school.organisation_id))


def remove_mentor(school: School, trn: str, user: User) -> Mentor | None:
    """Take the mentor off the school's list; None if they are not on it (already removed, or a
    repeated submission).

    Raises `MentorOnActiveClaim` while they are on one of the school's active claims.
    """
    mentors = Mentors()
    mentor = mentors.get(school.organisation_id, trn)
    if mentor is None:
        return None
    if trn in mentors.on_active_claims(school.organisation_id):
        raise MentorOnActiveClaim
    if not mentors.remove(school.organisation_id, trn):
        return None
    logger.info("mentor removed", extra={"school_id": school.organisation_id, "user_id": user.user_id})
    metrics.add_metric(name="MentorRemoved", unit="Count", value=1)
    return mentor
