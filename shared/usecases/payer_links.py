"""Single-use links to payment files (docs/domain.md, "Files": files leave the service only as emailed links that are
single-use and expire after 7 days).

`notify_payer` is the claim-window workflow's last task: it issues one link per payment run and queues one
email per payer address. `download_page` is what opening the link shows (a page with a "Download the file"
button; it changes nothing, so a mail scanner that fetches the link leaves it working) and `open_download`
is what the button does: the file once, then a clear page.

A link's token is 32 random bytes (URL-safe base64). Only its SHA-256 is stored, so a copy of the table
cannot be turned back into links; logs carry the first characters of the hash, never the token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from shared.claims.academic_years import london_today
from shared.claims.clawback_runs import clawback_file_name, is_clawback_file
from shared.claims.emails import EMAIL_PATTERN, EmailMessage
from shared.claims.errors import NotFound
from shared.claims.payer_emails import payment_file_ready
from shared.claims.payment_runs import can_send_link
from shared.config import settings
from shared.data.batches import PaymentRuns
from shared.data.download_tokens import DownloadTokens, StoredLink
from shared.data.emails import enqueue
from shared.data.files import fetch_file, short_lived_url
from shared.observability import logger, metrics
from shared.usecases.payment_run_tasks import ReconciliationFailed, RunState, TransientError, finish_run
from shared.usecases.support_activity import record_run_counts

TOKEN_BYTES = 32
LINK_LIFETIME = dt.timedelta(days=7)
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Lambda returns at most 6 MB; a larger file is handed over by a presigned S3 URL valid this long.
INLINE_LIMIT_BYTES = 5 * 1024 * 1024
REDIRECT_SECONDS = 60

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet, no padding.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class PayerAddressInvalid(Exception):
    """PAYER_EMAIL_ADDRESSES holds something that is not an email address (a deployment mistake)."""


class PayerNotice(StrEnum):
    """What a payment run recorded about telling the payer."""

    EMAILED = "emailed"
    NO_CLAIMS = "no_claims"
    NO_PAYER_ADDRESS = "no_payer_address"


# -- tokens and links (pure) -----------------------------------------------------------------------
def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def looks_like_token(token: str) -> bool:
    return _TOKEN_SHAPE.fullmatch(token) is not None


def token_hash(token: str) -> str:
    """What is stored and looked up: the SHA-256 of the token, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_reference(hashed: str) -> str:
    """Enough of a link's hash to follow it through the logs, and no more."""
    return hashed[:8]


def link_expiry(now: dt.datetime) -> dt.datetime:
    return now + LINK_LIFETIME


def download_url(service_url: str, token: str) -> str:
    return f"{service_url.rstrip('/')}/downloads/{token}"


def payment_file_name(created_at: dt.datetime) -> str:
    """The name the payer's browser saves the file as: `payments-claims-2026-11-28.csv` (UK date)."""
    return f"payments-claims-{london_today(created_at).isoformat()}.csv"


def file_name(file_key: str, created_at: dt.datetime) -> str:
    """What a link's file is saved as: a clawback run's file (ADR 0034) or a payment run's."""
    return clawback_file_name(created_at) if is_clawback_file(file_key) else payment_file_name(created_at)


def payer_addresses(configured: str) -> list[str]:
    """PAYER_EMAIL_ADDRESSES, comma-separated, as a list without blanks or repeats (order kept)."""
    addresses: list[str] = []
    for part in configured.split(","):
        address = part.strip()
        if not address or address.lower() in (a.lower() for a in addresses):
            continue
        if not EMAIL_PATTERN.match(address):
            raise PayerAddressInvalid(f"entry {len(addresses) + 1} of PAYER_EMAIL_ADDRESSES is not an email address")
        addresses.append(address)
    return addresses


def _link_emails(
    addresses: Sequence[str],
    run_id: str,
    claims: int,
    total_pence: int,
    token: str,
    expires_at: dt.datetime,
    replaces_earlier: bool = False,
) -> list[EmailMessage]:
    """One "payment file ready" email per payer address, with the link for `token`."""
    link = download_url(settings().service_url, token)
    return [
        payment_file_ready(
            address,
            run_id=run_id,
            claims=claims,
            total_pence=total_pence,
            link=link,
            expires_at=expires_at,
            replaces_earlier=replaces_earlier,
        )
        for address in addresses
    ]


# -- NotifyPayer (the workflow task) ---------------------------------------------------------------
class NotifyState(RunState):
    payer_notified: bool = False


def notify_payer(state: RunState, now: dt.datetime, token_factory: Callable[[], str] = new_token) -> NotifyState:
    """The run's last step: email the payer a link to its file, once, and only if the file reconciled;
    then the run is complete and its window free for another run."""
    if state.run_id is None or state.file_key is None or state.skipped:
        return NotifyState.model_validate({**state.model_dump(), "payer_notified": False})
    run = PaymentRuns().get(state.run_id)
    if run is None or not run.reconciled or run.file_key != state.file_key:
        metrics.add_metric(name="PaymentRunReconciliationFailed", unit="Count", value=1)
        raise ReconciliationFailed(f"{state.run_id}: the file has not reconciled, so nothing is sent to the payer")
    result = _email_payer(state, now, token_factory)
    finish_run(state.run_id, state.window_id, now)
    record_run_counts(state.run_id, state.validated, state.flagged, state.row_count)
    return result


def _email_payer(state: RunState, now: dt.datetime, token_factory: Callable[[], str]) -> NotifyState:
    """Email the payer one single-use link to the run's payment file, once per run.

    Idempotent: the link and the run's record of it are written together, on condition that the run has
    none, and the record notes when the emails were queued. A retry after the emails were queued sends
    nothing; a retry after a failure to queue them finds the link withdrawn and issues a new one; a retry
    after an attempt that stopped between issuing and queuing (its token is gone with it) replaces the link.
    """
    result = NotifyState.model_validate({**state.model_dump(), "payer_notified": False})
    run_id, file_key = state.run_id, state.file_key
    if run_id is None or file_key is None:
        return result
    runs = PaymentRuns()
    if state.row_count == 0:
        runs.record_payer_notified(run_id, now, notice=PayerNotice.NO_CLAIMS, emails=0)
        logger.info("payment file has no claims: payer not emailed", extra={"run_id": run_id})
        return result
    addresses = payer_addresses(settings().payer_email_addresses)
    if not addresses:
        runs.record_payer_notified(run_id, now, notice=PayerNotice.NO_PAYER_ADDRESS, emails=0)
        logger.error("no payer email address is configured: payer not emailed", extra={"run_id": run_id})
        metrics.add_metric(name="PayerAddressMissing", unit="Count", value=1)
        return result

    tokens = DownloadTokens()
    earlier = tokens.run_link(run_id)
    if earlier is not None and earlier.queued_at is not None:
        runs.record_payer_notified(run_id, now, notice=PayerNotice.EMAILED, emails=len(addresses))
        logger.info("payer already emailed for this run", extra={"run_id": run_id})
        return result.model_copy(update={"payer_notified": True})
    if earlier is not None:
        logger.warning(
            "replacing a payer link an interrupted attempt issued",
            extra={"run_id": run_id, "link": link_reference(earlier.token_hash)},
        )
        tokens.withdraw(run_id, earlier.token_hash)

    token = token_factory()
    hashed = token_hash(token)
    expires_at = link_expiry(now)
    if not tokens.issue_for_run(
        run_id, file_key, hashed, now, expires_at, row_count=state.row_count, total_pence=state.total_pence
    ):
        raise TransientError("another attempt is issuing this run's payer link")
    messages = _link_emails(addresses, run_id, state.row_count, state.total_pence, token, expires_at)
    try:
        enqueue(messages)
    except Exception as error:
        tokens.withdraw(run_id, hashed)  # never sent: a retry issues a new link
        raise TransientError("payer emails were not queued") from error
    tokens.mark_queued(run_id, now)
    runs.record_payer_notified(run_id, now, notice=PayerNotice.EMAILED, emails=len(messages))
    metrics.add_metric(name="PayerNotified", unit="Count", value=1)
    logger.info(
        "payer emailed a payment file link",
        extra={"run_id": run_id, "emails": len(messages), "link": link_reference(hashed)},
    )
    return result.model_copy(update={"payer_notified": True})


# -- a new link, sent by support ---------------------------------------------------------------------
class ResendRefusal(StrEnum):
    NO_FILE = "no_file"  # the run has no file yet, or a file with no claims
    RUN_NOT_COMPLETE = "run_not_complete"  # the run failed, or its file has not reconciled: never sent
    NO_PAYER_ADDRESS = "no_payer_address"


@dataclass(frozen=True)
class ResendPlan:
    """What "Send the payer a new link" would do for a run (the confirmation page), or why it cannot."""

    run_id: str
    claims: int
    total_pence: int
    addresses: tuple[str, ...]
    refusal: ResendRefusal | None
    file_key: str | None = None


def resend_plan(run_id: str) -> ResendPlan:
    """Raises NotFound for a run that does not exist."""
    run = PaymentRuns().get(run_id)
    if run is None:
        raise NotFound
    addresses = tuple(payer_addresses(settings().payer_email_addresses))
    refusal = None
    if not run.file_key or run.row_count == 0:
        refusal = ResendRefusal.NO_FILE
    elif not can_send_link(run.status, run.reconciled, run.file_key, run.row_count):
        refusal = ResendRefusal.RUN_NOT_COMPLETE
    elif not addresses:
        refusal = ResendRefusal.NO_PAYER_ADDRESS
    return ResendPlan(run_id, run.row_count, run.total_pence, addresses, refusal, run.file_key)


def resend_link(
    run_id: str, sent_by: str, now: dt.datetime, token_factory: Callable[[], str] = new_token
) -> ResendPlan | None:
    """Email the payer a new single-use link to the run's file; the earlier link stops working in the same
    transaction that stores the new one. None when someone else replaced the link at the same moment
    (nothing was sent by this call). The plan's refusal says why nothing was sent."""
    planned = resend_plan(run_id)
    if planned.refusal is not None or planned.file_key is None:
        return planned
    tokens = DownloadTokens()
    earlier = tokens.run_link(run_id)
    token = token_factory()
    hashed = token_hash(token)
    expires_at = link_expiry(now)
    earlier_hash = earlier.token_hash if earlier is not None else None
    if not tokens.issue_for_run(
        run_id,
        planned.file_key,
        hashed,
        now,
        expires_at,
        replacing=earlier_hash,
        row_count=planned.claims,
        total_pence=planned.total_pence,
    ):
        logger.info("payer link replaced at the same moment: nothing sent", extra={"run_id": run_id})
        return None
    enqueue(
        _link_emails(
            planned.addresses, run_id, planned.claims, planned.total_pence, token, expires_at, earlier is not None
        )
    )
    tokens.mark_queued(run_id, now)
    PaymentRuns().record_link_resent(run_id, now, sent_by, len(planned.addresses))
    metrics.add_metric(name="PayerLinkResent", unit="Count", value=1)
    logger.info(
        "payer sent a new payment file link",
        extra={"run_id": run_id, "emails": len(planned.addresses), "link": link_reference(hashed)},
    )
    return planned


# -- the link (the download function) ---------------------------------------------------------------
class DownloadOutcome(StrEnum):
    READY = "ready"  # the link works: its page, with the button that downloads the file
    FILE = "file"  # the file, in the response
    REDIRECT = "redirect"  # the file, from a presigned URL (too large for a Lambda response)
    EXPIRED = "expired"
    USED = "used"
    REPLACED = "replaced"  # support sent a newer link to the same file


@dataclass(frozen=True)
class Download:
    outcome: DownloadOutcome
    filename: str = ""
    content: str = ""
    url: str = ""


@dataclass(frozen=True)
class DownloadPage:
    """What the link's page says about the file before it is downloaded (READY), or why it cannot be."""

    outcome: DownloadOutcome
    filename: str = ""
    claims: int | None = None  # None: a link issued before links recorded what their file holds
    total_pence: int | None = None
    expires_at: dt.datetime | None = None
    clawback: bool = False  # a clawback run's file (ADR 0034), not a payment run's


def _live_link(token: str, now: dt.datetime) -> StoredLink | DownloadOutcome:
    """The stored link behind `token` if it can still give the file, else why not (replaced, used,
    expired). Raises NotFound for a link that does not exist."""
    if not looks_like_token(token):
        raise NotFound
    hashed = token_hash(token)
    reference = link_reference(hashed)
    link = DownloadTokens().get(hashed)
    if link is None:
        logger.info("unknown download link", extra={"link": reference})
        raise NotFound
    if link.replaced_at is not None:
        logger.info("replaced download link", extra={"link": reference, "run_id": link.run_id})
        return DownloadOutcome.REPLACED
    if link.used_at is not None:
        logger.info("download link used again", extra={"link": reference, "run_id": link.run_id})
        return DownloadOutcome.USED
    if link.expires_at <= now:
        logger.info("download link expired", extra={"link": reference, "run_id": link.run_id})
        return DownloadOutcome.EXPIRED
    return link


def download_page(token: str, now: dt.datetime) -> DownloadPage:
    """What opening a link shows: the file's name, claims, total and the link's expiry. Changes nothing, so
    an email security scanner that fetches the link first leaves it for the payer. Raises NotFound for a
    link that does not exist."""
    link = _live_link(token, now)
    if isinstance(link, DownloadOutcome):
        return DownloadPage(link)
    return DownloadPage(
        DownloadOutcome.READY,
        filename=file_name(link.file_key, link.created_at),
        claims=link.row_count,
        total_pence=link.total_pence,
        expires_at=link.expires_at,
        clawback=is_clawback_file(link.file_key),
    )


def open_download(token: str, now: dt.datetime) -> Download:
    """The file behind a link, once: what the link's "Download the file" button does (a POST). Raises
    NotFound for a link that does not exist."""
    link = _live_link(token, now)
    if isinstance(link, DownloadOutcome):
        return Download(link)
    hashed, reference = link.token_hash, link_reference(link.token_hash)
    filename = file_name(link.file_key, link.created_at)
    # Read before using the link up: if S3 fails, the payer can try the same link again.
    stored = fetch_file(link.file_key, INLINE_LIMIT_BYTES)
    if not DownloadTokens().use(hashed, now):
        logger.info("download link used at the same moment", extra={"link": reference, "run_id": link.run_id})
        return Download(DownloadOutcome.USED)
    metrics.add_metric(name="PaymentFileDownloaded", unit="Count", value=1)
    logger.info("payment file downloaded", extra={"link": reference, "run_id": link.run_id, "bytes": stored.size})
    if stored.content is None:
        url = short_lived_url(link.file_key, filename, CSV_CONTENT_TYPE, REDIRECT_SECONDS)
        return Download(DownloadOutcome.REDIRECT, filename=filename, url=url)
    return Download(DownloadOutcome.FILE, filename=filename, content=stored.content.decode("utf-8"))
