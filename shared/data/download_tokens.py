"""Single-use download links: their records, keyed by the token's SHA-256 (the files are in shared.data.files).

A payment run issues one link. Issuing writes the link and the run's record of it in one transaction,
each on condition that it does not exist yet, so a retried task cannot issue a second link for a run.
A link is used once: marking it used is a conditional write, so two clicks at the same moment give the
file to one of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from shared.data.items import DownloadTokenItem
from shared.data.transactions import any_condition_failed, conditional, write_transaction


def run_key(run_id: str) -> str:
    """The key of a payment run's record of its link (never a SHA-256: those are 64 hex digits)."""
    return f"payment-run#{run_id}"


@dataclass(frozen=True)
class StoredLink:
    """A download link as stored: what it opens, until when, and whether it has been used."""

    token_hash: str
    run_id: str
    file_key: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    replaced_at: dt.datetime | None = None
    row_count: int | None = None  # the claims in the file (None: a link issued before links recorded it)
    total_pence: int | None = None


@dataclass(frozen=True)
class RunLink:
    """The link a payment run issued, and when its emails were queued (None: not known to be queued)."""

    run_id: str
    token_hash: str
    queued_at: dt.datetime | None


def _epoch(at: dt.datetime) -> int:
    return int(at.timestamp())


class DownloadTokens:
    def issue_for_run(
        self,
        run_id: str,
        file_key: str,
        token_hash: str,
        created_at: dt.datetime,
        expires_at: dt.datetime,
        replacing: str | None = None,
        *,
        row_count: int | None = None,
        total_pence: int | None = None,
    ) -> bool:
        """Store the run's link (its hash only) and the run's record pointing at it, in one transaction.

        `row_count` and `total_pence` describe the file, for the page the link opens (not stored when None).

        With `replacing` None the run must have no link yet (NotifyPayer; a retried task issues no second
        link). With `replacing`, the hash of the run's link as just read ("Send the payer a new link"),
        the record must still name it, and that link is marked replaced so that it opens nothing. False,
        writing nothing, when the condition fails (another attempt or another support user came first).
        """
        link = DownloadTokenItem(
            token_hash=token_hash,
            run_id=run_id,
            file_key=file_key,
            created_at=created_at,
            expires_at=_epoch(expires_at),
            row_count=row_count,
            total_pence=total_pence,
        )
        record = DownloadTokenItem(
            token_hash=run_key(run_id),
            run_id=run_id,
            created_at=created_at,
            expires_at=_epoch(expires_at),
            link_hash=token_hash,
        )
        earlier_exists = replacing is not None and self.get(replacing) is not None  # TTL may have removed it
        try:
            with write_transaction() as transaction:
                transaction.save(link, condition=DownloadTokenItem.token_hash.does_not_exist())
                if replacing is None:
                    transaction.save(record, condition=DownloadTokenItem.token_hash.does_not_exist())
                else:
                    transaction.save(record, condition=DownloadTokenItem.link_hash == replacing)
                if replacing is not None and earlier_exists:
                    transaction.update(
                        DownloadTokenItem(token_hash=replacing),
                        actions=[DownloadTokenItem.replaced_at.set(created_at)],
                        condition=DownloadTokenItem.token_hash.exists(),
                    )
        except TransactWriteError as error:
            if any_condition_failed(error):
                return False
            raise
        return True

    def run_link(self, run_id: str) -> RunLink | None:
        try:
            item = DownloadTokenItem.get(run_key(run_id), consistent_read=True)
        except DoesNotExist:
            return None
        return RunLink(run_id=item.run_id, token_hash=item.link_hash or "", queued_at=item.queued_at)

    def mark_queued(self, run_id: str, at: dt.datetime) -> None:
        """The run's emails are on the queue: a retried task must not send them again."""
        DownloadTokenItem(token_hash=run_key(run_id)).update(
            actions=[DownloadTokenItem.queued_at.set(at)], condition=DownloadTokenItem.token_hash.exists()
        )

    def withdraw(self, run_id: str, token_hash: str) -> None:
        """Delete a link that was never sent, and the run's record of it, so that a retry issues a new one."""
        with write_transaction() as transaction:
            transaction.delete(DownloadTokenItem(token_hash=token_hash))
            transaction.delete(
                DownloadTokenItem(token_hash=run_key(run_id)), condition=DownloadTokenItem.link_hash == token_hash
            )

    def get(self, token_hash: str) -> StoredLink | None:
        """A link by its hash (a strongly consistent read: a link used a moment ago reads as used)."""
        try:
            item = DownloadTokenItem.get(token_hash, consistent_read=True)
        except DoesNotExist:
            return None
        if item.file_key is None:
            return None  # a payment run's record, not a link
        return StoredLink(
            token_hash=item.token_hash,
            run_id=item.run_id,
            file_key=item.file_key,
            created_at=item.created_at,
            expires_at=dt.datetime.fromtimestamp(int(item.expires_at), dt.UTC),
            used_at=item.used_at,
            replaced_at=item.replaced_at,
            row_count=None if item.row_count is None else int(item.row_count),
            total_pence=None if item.total_pence is None else int(item.total_pence),
        )

    def use(self, token_hash: str, at: dt.datetime) -> bool:
        """Mark a link used, once. False if it was already used (a second click, or a lost race)."""
        return conditional(
            lambda: DownloadTokenItem(token_hash=token_hash).update(
                actions=[DownloadTokenItem.used_at.set(at)],
                condition=DownloadTokenItem.token_hash.exists() & DownloadTokenItem.used_at.does_not_exist(),
            )
        )
