"""A school's mentors: the teacher record every school shares, and each school's list.

Listing is one Query on the school's partition. Adding writes the teacher (names refreshed from the
Teaching Record) and the school's entry in one transaction, the entry only if it is not there yet;
removing deletes the entry only if it is there. Both report a lost race as `False` instead of
writing twice. The active claims that block a removal come from one Query on the claims table's
`school-index`. Dates of birth are never stored: no item here has a field for one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from shared.claims.errors import ConcurrentUpdate
from shared.claims.people import PersonName
from shared.claims.statuses import ACTIVE
from shared.data.items import ClaimItem, MentorItem, OrganisationItem, SchoolMentorItem
from shared.data.transactions import (
    MAX_TRANSACTION_ITEMS,
    any_condition_failed,
    last_condition_failed,
    write_transaction,
)


class Mentor(PersonName):
    """A mentor on a school's list."""

    trn: str
    added_by: str = ""
    added_at: dt.datetime | None = None
    not_found_at: dt.datetime | None = None  # the Teaching Record no longer has this TRN (ADR 0037)


def _mentor(item: SchoolMentorItem) -> Mentor:
    return Mentor(
        trn=item.trn,
        first_name=item.first_name,
        last_name=item.last_name,
        added_by=item.added_by,
        added_at=item.added_at,
        not_found_at=item.not_found_at,
    )


class Teacher(PersonName):
    """A teacher's record as the service keeps it (shared by every school that added them)."""

    trn: str
    not_found_at: dt.datetime | None = None


class NamesSync(StrEnum):
    UNCHANGED = "unchanged"  # nothing written
    WRITTEN = "written"
    NO_TEACHER = "no_teacher"  # no record with this TRN (nothing to refresh)


def _sort_key(mentor: Mentor) -> tuple[str, str, str]:
    return (mentor.first_name.casefold(), mentor.last_name.casefold(), mentor.trn)


class Mentors:
    """Mentors of one school, and the teacher records they point at."""

    def of_school(self, school_id: str, consistent: bool = False) -> list[Mentor]:
        """Every mentor of the school, by first name then last name: one Query (strongly consistent when a
        submission relies on it, after reading the list's version: see `ClaimsStore.submit`)."""
        query = SchoolMentorItem.query(school_id, consistent_read=consistent)
        return sorted((_mentor(item) for item in query), key=_sort_key)

    def get(self, school_id: str, trn: str) -> Mentor | None:
        try:
            return _mentor(SchoolMentorItem.get(school_id, trn))
        except DoesNotExist:
            return None

    def add(self, school_id: str, mentor: Mentor, added_by: str, at: dt.datetime) -> bool:
        """Write the teacher and the school's entry together; False (nothing written) if the school
        already has this mentor."""
        teacher = MentorItem(trn=mentor.trn, first_name=mentor.first_name, last_name=mentor.last_name, updated_at=at)
        entry = SchoolMentorItem(
            school_id=school_id,
            trn=mentor.trn,
            first_name=mentor.first_name,
            last_name=mentor.last_name,
            added_at=at,
            added_by=added_by,
        )
        try:
            with write_transaction() as transaction:
                transaction.save(teacher)
                transaction.save(entry, condition=SchoolMentorItem.trn.does_not_exist())
        except TransactWriteError as error:
            if last_condition_failed(error):  # the mentor is on the school's list already
                return False
            raise
        return True

    def remove(self, school_id: str, trn: str) -> bool:
        """Delete the school's entry (the teacher record stays, for claims' history) and move the school's
        mentor-list version on, in one transaction: a claim being submitted with the mentor list read before
        this then fails its check. False if the entry had already gone."""
        try:
            with write_transaction() as transaction:
                transaction.update(
                    OrganisationItem(organisation_id=school_id),
                    actions=[OrganisationItem.mentors_version.add(1)],
                    condition=OrganisationItem.organisation_id.exists(),
                )
                transaction.delete(
                    SchoolMentorItem(school_id=school_id, trn=trn), condition=SchoolMentorItem.trn.exists()
                )
        except TransactWriteError as error:
            if any_condition_failed(error):
                return False
            raise
        return True

    def list_version(self, school_id: str) -> int:
        """The school's mentor-list version (0 before any mentor has left it): a strongly consistent read,
        made before the list itself is read by a submission."""
        try:
            item = OrganisationItem.get(school_id, consistent_read=True, attributes_to_get=["mentors_version"])
        except DoesNotExist:
            return 0
        return int(item.mentors_version or 0)

    def on_active_claims(self, school_id: str) -> frozenset[str]:
        """TRNs of the mentors on the school's active claims (draft, submitted, support review): one
        Query on the claims `school-index`, filtered on status."""
        trns: set[str] = set()
        statuses = sorted(status.value for status in ACTIVE)
        for claim in ClaimItem.by_school.query(school_id, filter_condition=ClaimItem.status.is_in(*statuses)):
            if claim.status not in statuses:
                continue
            for raw in claim.mentors or []:
                data: dict[str, Any] = raw.as_dict() if hasattr(raw, "as_dict") else dict(raw)
                if data.get("trn"):
                    trns.add(str(data["trn"]))
        return frozenset(trns)

    # -- the weekly names refresh (ADR 0037) ---------------------------------------------------------------
    def all_trns(self, page_size: int = 1000) -> Iterator[str]:
        """Every teacher's TRN: a Scan of the mentors table, projecting only the key, a page at a time. Only the
        weekly refresh calls it (a scheduled job that needs every item, never a request path)."""
        for item in MentorItem.scan(page_size=page_size, attributes_to_get=["trn"]):
            yield item.trn

    def teachers(self, trns: Iterable[str]) -> dict[str, Teacher]:
        """The teachers' records by TRN: BatchGetItem, 100 keys a request."""
        wanted = list(dict.fromkeys(trns))
        return {
            item.trn: Teacher(
                trn=item.trn, first_name=item.first_name, last_name=item.last_name, not_found_at=item.not_found_at
            )
            for item in MentorItem.batch_get(wanted)
        }

    def sync_names(self, trn: str, found: PersonName | None, now: dt.datetime) -> NamesSync:
        """Make the teacher's record and every school's entry for them say what the Teaching Record said: its
        names when `found`, else marked not found since `now` (kept, never deleted). One transaction: the record
        conditional on the names and mark it was read with, each entry on still being there (the trn-index
        Query finds them). Writes nothing when all already agree; a lost race is read again (twice)."""
        for _ in range(3):
            try:
                teacher = MentorItem.get(trn, consistent_read=True)
            except DoesNotExist:
                return NamesSync.NO_TEACHER
            first, last = (found.first_name, found.last_name) if found else (teacher.first_name, teacher.last_name)
            mark = None if found else (teacher.not_found_at or now)
            entries = [
                entry
                for entry in SchoolMentorItem.by_trn.query(trn)
                if (entry.first_name, entry.last_name, entry.not_found_at) != (first, last, mark)
            ]
            teacher_changes = (teacher.first_name, teacher.last_name, teacher.not_found_at) != (first, last, mark)
            if not teacher_changes and not entries:
                return NamesSync.UNCHANGED
            try:
                self._write_names(teacher, entries[: MAX_TRANSACTION_ITEMS - 1], first, last, mark, now)
            except TransactWriteError as error:
                if any_condition_failed(error):
                    continue
                raise
            if len(entries) < MAX_TRANSACTION_ITEMS:
                return NamesSync.WRITTEN
            # more than 99 schools have this teacher: the next round writes the rest (the record now agrees)
        raise ConcurrentUpdate(f"mentor {trn}")  # the check is delivered again

    @staticmethod
    def _write_names(
        teacher: MentorItem,
        entries: list[SchoolMentorItem],
        first: str,
        last: str,
        mark: dt.datetime | None,
        now: dt.datetime,
    ) -> None:
        read_with = (
            (MentorItem.first_name == teacher.first_name)
            & (MentorItem.last_name == teacher.last_name)
            & (
                MentorItem.not_found_at.does_not_exist()
                if teacher.not_found_at is None
                else MentorItem.not_found_at == teacher.not_found_at
            )
        )
        with write_transaction() as transaction:
            transaction.update(
                MentorItem(trn=teacher.trn),
                actions=[
                    MentorItem.first_name.set(first),
                    MentorItem.last_name.set(last),
                    MentorItem.updated_at.set(now),
                    MentorItem.not_found_at.remove() if mark is None else MentorItem.not_found_at.set(mark),
                ],
                condition=read_with,
            )
            for entry in entries:
                transaction.update(
                    SchoolMentorItem(school_id=entry.school_id, trn=entry.trn),
                    actions=[
                        SchoolMentorItem.first_name.set(first),
                        SchoolMentorItem.last_name.set(last),
                        (
                            SchoolMentorItem.not_found_at.remove()
                            if mark is None
                            else SchoolMentorItem.not_found_at.set(mark)
                        ),
                    ],
                    condition=SchoolMentorItem.trn.exists(),
                )
