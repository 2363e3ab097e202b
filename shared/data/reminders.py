"""The daily reminders' records (ADR 0039): one batch item per (window, reminder, week) with the schools already
emailed, so a retried or repeated run emails each school once; and the eligible schools to consider."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pynamodb.exceptions import DoesNotExist

from shared.claims.organisations import OrganisationType, School
from shared.data.items import BatchItem, OrganisationItem
from shared.data.organisations import Organisations
from shared.data.transactions import conditional

KIND = "reminder"
SENDING = "sending"
SENT = "sent"
SCHOOLS_PAGE = 100


def _batch_id(key: str) -> str:
    return f"reminder#{key}"


class Reminders:
    def start(self, key: str, window_id: str, at: dt.datetime) -> frozenset[str] | None:
        """The schools already emailed for this reminder (none when it is new), or None when it was sent in full."""
        item = BatchItem(_batch_id(key), kind=KIND, created_at=at.isoformat(), status=SENDING, window_id=window_id)
        if conditional(lambda: item.save(condition=BatchItem.batch_id.does_not_exist())):
            return frozenset()
        try:
            existing = BatchItem.get(_batch_id(key), consistent_read=True)
        except DoesNotExist:  # pragma: no cover - it was there a moment ago; nothing is ever deleted
            return frozenset()
        return None if existing.status == SENT else frozenset(existing.emailed or ())

    def mark_emailed(self, key: str, school_id: str, emails: int) -> None:
        """The school's emails are queued: a later run skips it."""
        BatchItem(_batch_id(key)).update(
            actions=[
                BatchItem.emailed.add({school_id}),
                BatchItem.row_count.set(BatchItem.row_count + emails),
            ],
            condition=BatchItem.batch_id.exists(),
        )

    def finish(self, key: str, at: dt.datetime) -> None:
        BatchItem(_batch_id(key)).update(
            actions=[BatchItem.status.set(SENT), BatchItem.finished_at.set(at)], condition=BatchItem.batch_id.exists()
        )

    def emailed(self, key: str) -> tuple[int, int]:
        """(schools, emails) sent for the reminder so far; (0, 0) before it starts."""
        try:
            item = BatchItem.get(_batch_id(key), consistent_read=True)
        except DoesNotExist:
            return 0, 0
        return len(item.emailed or ()), int(item.row_count or 0)


def eligible_schools(academic_year: str) -> Iterator[School]:
    """Every open school eligible for the year, a page of the type-name index at a time (filtered server-side)."""
    last_key = None
    organisations = Organisations()
    while True:
        page = OrganisationItem.by_type_name.query(
            OrganisationType.SCHOOL.value,
            filter_condition=OrganisationItem.eligible_years.contains(academic_year),
            attributes_to_get=["organisation_id"],
            limit=SCHOOLS_PAGE,
            last_evaluated_key=last_key,
        )
        ids = [item.organisation_id for item in page]
        for school in organisations.schools(ids).values():
            if not school.closed:
                yield school
        last_key = page.last_evaluated_key
        if not last_key:
            return
