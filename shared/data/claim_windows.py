"""Claim windows in DynamoDB: the windows, their closing, and the one payment run of each that is active."""

from __future__ import annotations

import datetime as dt

from pynamodb.exceptions import DoesNotExist

from shared.claims.academic_years import AcademicYear
from shared.claims.windows import ClaimWindow
from shared.data.items import ClaimItem, ClaimWindowItem
from shared.data.transactions import conditional


def _window(item: ClaimWindowItem) -> ClaimWindow:
    return ClaimWindow(
        window_id=item.window_id,
        academic_year=AcademicYear.parse(item.academic_year),
        opens_on=dt.date.fromisoformat(item.opens_on),
        closes_on=dt.date.fromisoformat(item.closes_on),
        closed_at=item.closed_at,
        active_run=item.active_run,
    )


class ClaimWindows:
    def all(self) -> list[ClaimWindow]:
        """Every window, newest first: one Query on the all-windows index (a few dozen items)."""
        return [_window(item) for item in ClaimWindowItem.by_opens_on.query("window", scan_index_forward=False)]

    def get(self, window_id: str) -> ClaimWindow | None:
        try:
            return _window(ClaimWindowItem.get(window_id))
        except DoesNotExist:
            return None

    def put(self, window: ClaimWindow) -> None:
        ClaimWindowItem(
            window_id=window.window_id,
            academic_year=window.academic_year.name,
            opens_on=window.opens_on.isoformat(),
            closes_on=window.closes_on.isoformat(),
            closed_at=window.closed_at,
        ).save()

    def mark_closed(self, window_id: str, at: dt.datetime) -> bool:
        """Close a window once; False when it was already closed (a repeated run)."""
        return conditional(
            lambda: ClaimWindowItem(window_id=window_id).update(
                actions=[ClaimWindowItem.closed_at.set(at)],
                condition=ClaimWindowItem.window_id.exists() & ClaimWindowItem.closed_at.does_not_exist(),
            )
        )

    def take_run_lock(self, window_id: str, run_id: str) -> bool:
        """Make `run_id` the window's one active payment run: True when it is (again), False when another
        run of the window is active (one conditional write: two runs starting at once, one wins)."""
        return conditional(
            lambda: ClaimWindowItem(window_id=window_id).update(
                actions=[ClaimWindowItem.active_run.set(run_id)],
                condition=ClaimWindowItem.window_id.exists()
                & (ClaimWindowItem.active_run.does_not_exist() | (ClaimWindowItem.active_run == run_id)),
            )
        )

    def release_run_lock(self, window_id: str, run_id: str) -> bool:
        """The run has ended (succeeded or failed): the window may start another. False when it did not hold it."""
        return conditional(
            lambda: ClaimWindowItem(window_id=window_id).update(
                actions=[ClaimWindowItem.active_run.remove()],
                condition=ClaimWindowItem.active_run == run_id,
            )
        )

    def add(self, window: ClaimWindow) -> bool:
        """Write a new window; False when its id is already taken."""
        return conditional(
            lambda: ClaimWindowItem(
                window_id=window.window_id,
                academic_year=window.academic_year.name,
                opens_on=window.opens_on.isoformat(),
                closes_on=window.closes_on.isoformat(),
            ).save(condition=ClaimWindowItem.window_id.does_not_exist())
        )

    def change(self, window: ClaimWindow) -> bool:
        """Change a window's dates and academic year; False when it is gone or the workflow closed it."""
        return conditional(
            lambda: ClaimWindowItem(window_id=window.window_id).update(
                actions=[
                    ClaimWindowItem.academic_year.set(window.academic_year.name),
                    ClaimWindowItem.opens_on.set(window.opens_on.isoformat()),
                    ClaimWindowItem.closes_on.set(window.closes_on.isoformat()),
                ],
                condition=ClaimWindowItem.window_id.exists() & ClaimWindowItem.closed_at.does_not_exist(),
            )
        )

    def delete(self, window_id: str) -> bool:
        """Remove a window the workflow has not closed; False when it is gone or closed."""
        return conditional(
            lambda: ClaimWindowItem(window_id=window_id).delete(
                condition=ClaimWindowItem.window_id.exists() & ClaimWindowItem.closed_at.does_not_exist()
            )
        )

    def has_claims(self, window_id: str) -> bool:
        """Whether any claim, in any status, belongs to the window: one Query (Limit=1) per status."""
        from shared.claims.statuses import ClaimStatus

        for status in ClaimStatus:
            found = ClaimItem.by_window_status.query(f"{window_id}#{status.value}", limit=1)
            if next(iter(found), None) is not None:
                return True
        return False
