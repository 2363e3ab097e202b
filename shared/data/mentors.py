"""A school's mentors: the teacher record every school shares, and each school's list.

Listing is one Query on the school's partition. Adding writes the teacher (names refreshed from the
Teaching Record) and the school's entry in one transaction, the entry only if it is not there yet;
removing deletes the entry only if it is there. Both report a lost race as `False` instead of
writing twice. The active claims that block a removal come from one Query on the claims table's
`school-index`. Dates of birth are never stored: no item here has a field for one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from shared.claims.people import PersonName
from shared.claims.statuses import ACTIVE
from shared.data.items import ClaimItem, MentorItem, OrganisationItem, SchoolMentorItem
from shared.data.transactions import any_condition_failed, last_condition_failed, write_transaction


class Mentor(PersonName):
    """A mentor on a school's list."""

    trn: str
    added_by: str = ""
    added_at: dt.datetime | None = None


def _mentor(item: SchoolMentorItem) -> Mentor:
    return Mentor(
        trn=item.trn,
        first_name=item.first_name,
        last_name=item.last_name,
        added_by=item.added_by,
        added_at=item.added_at,
    )


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
