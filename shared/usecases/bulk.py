"""Changing many claims' statuses: GROUP_SIZE to a transaction, falling back to one at a time.

Batch work (the payment file's claims, a payer's response) changes thousands of claims; a request per
claim does not fit a Lambda's time or API Gateway's 29 seconds. Each group is one transaction with every
claim's own condition and event (ADR 13). When one claim of a group changed since it was read, the
transaction writes nothing, and the group is applied claim by claim so that only that claim is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from shared.claims.errors import ConcurrentUpdate, InvalidTransition
from shared.data.claims import ClaimsStore, StatusChange
from shared.observability import logger


def apply_group(store: ClaimsStore, changes: Sequence[StatusChange], actor: str, at: dt.datetime) -> list[str]:
    """Apply up to GROUP_SIZE changes; the references of the claims that changed."""
    try:
        store.change_statuses(changes, actor, at)
        return [change.claim.reference for change in changes]
    except ConcurrentUpdate:
        pass
    changed: list[str] = []
    for change in changes:
        try:
            store.change_status(change.claim, change.to_status, actor, at, change.reason, change.unpaid_reason)
        except (ConcurrentUpdate, InvalidTransition):
            logger.warning(
                "claim changed before a batch change reached it", extra={"reference": change.claim.reference}
            )
            continue
        changed.append(change.claim.reference)
    return changed
