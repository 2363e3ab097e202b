"""The support console's Overview: a year's claims and pounds by status, region and provider, submissions per
day in the window, the windows, runs in progress, reviews and uploads waiting, and a rebuild of the counters.

Every figure comes from the year's counters (ADR 0028: one BatchGetItem of its shards), never from reading the
claims. The rest is read by key or index: windows (the all-windows index), runs (the batches' kind index),
claims waiting for review (the window-status index, one Query per window: they are few), uploads waiting
(the kind index).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.claim import Claim
from shared.claims.counters import YearDelta, YearFigures, correction, figures, recount
from shared.claims.organisations import OrganisationType
from shared.claims.payer_response import PayerResponseBatch, expired
from shared.claims.statuses import DISPLAY
from shared.claims.windows import ClaimWindow, current_window
from shared.data.batches import PayerResponses
from shared.data.claim_windows import ClaimWindows
from shared.data.counters import Counters, claims_of_year
from shared.data.organisations import Organisations, Providers
from shared.observability import logger
from shared.usecases.payment_runs import RunView, runs
from shared.usecases.support_review import queue

STATUS_LABELS = {status: display.label for status, display in DISPLAY.items()}


@dataclass(frozen=True)
class OldestReview:
    reference: str
    submitted_on: dt.date
    days: int  # since it was submitted, in England


@dataclass(frozen=True)
class Overview:
    school_count: int
    provider_count: int
    window: ClaimWindow | None  # the window open now
    next_window: ClaimWindow | None  # the next one to open
    years: list[str]  # the academic years of the windows, newest first
    year: str  # the year the figures are for
    figures: YearFigures
    days_window: ClaimWindow | None  # the window whose days `figures.per_day` covers
    days_window_open: bool  # it is open now: its days so far
    runs_in_progress: list[RunView]
    reviews_waiting: int
    oldest_review: OldestReview | None
    uploads_waiting: list[PayerResponseBatch]


def _next_window(windows: list[ClaimWindow], now: dt.datetime) -> ClaimWindow | None:
    later = [w for w in windows if w.opens_at > now]
    return min(later, key=lambda w: w.opens_on) if later else None


def _days_window(windows: list[ClaimWindow], year: str, now: dt.datetime) -> ClaimWindow | None:
    """The year's window open now, or else its latest window that has opened."""
    opened = [w for w in windows if w.academic_year.name == year and w.opens_at <= now]
    open_now = [w for w in opened if w.is_open(now)]
    return (open_now or sorted(opened, key=lambda w: w.opens_on))[-1] if opened else None


def _days(window: ClaimWindow | None, now: dt.datetime) -> list[dt.date]:
    if window is None:
        return []
    last = min(window.closes_on, london_today(now))
    return [window.opens_on + dt.timedelta(days=n) for n in range((last - window.opens_on).days + 1)]


def _oldest(waiting: list[Claim], now: dt.datetime) -> OldestReview | None:
    if not waiting:
        return None
    claim = waiting[0]  # the queue is oldest first
    submitted = london_today(claim.submitted_at or claim.created_at)
    return OldestReview(claim.reference, submitted, (london_today(now) - submitted).days)


def overview(now: dt.datetime, year: str | None = None) -> Overview:
    """The Overview for `year` (an academic year the windows have; otherwise the current window's, or this
    date's academic year when no window is open)."""
    windows = ClaimWindows().all()
    window = current_window(windows, now)
    years = sorted({w.academic_year.name for w in windows}, reverse=True)
    default = window.academic_year.name if window else AcademicYear.for_date(london_today(now)).name
    chosen = year if year in years else default
    if chosen not in years:
        years = sorted({*years, chosen}, reverse=True)
    counts, names = Counters().read(chosen)
    days_window = _days_window(windows, chosen, now)
    waiting = queue()
    return Overview(
        school_count=Organisations().count(OrganisationType.SCHOOL),
        provider_count=len(Providers().accredited()),
        window=window,
        next_window=_next_window(windows, now),
        years=years,
        year=chosen,
        figures=figures(chosen, counts, STATUS_LABELS, names, _days(days_window, now)),
        days_window=days_window,
        days_window_open=days_window is not None and days_window.is_open(now),
        runs_in_progress=[run for run in runs() if run.in_progress],
        reviews_waiting=len(waiting),
        oldest_review=_oldest(waiting, now),
        uploads_waiting=[batch for batch in PayerResponses().pending() if not expired(batch, now)],
    )


# -- rebuilding the counters ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rebuilt:
    year: str
    claims: int
    corrected: int  # how many counters were wrong (0: they agreed with the claims)


def rebuild_counters(year: str) -> Rebuilt:
    """Recount a year's counters from its claims (the listing index, a Query a page at a time) and add the
    difference to the counters: for claims written before the counters were, or to mend a drift. A claim
    changed while the rebuild reads can leave a small difference: run it again when it is quiet."""
    claims = list(claims_of_year(year))
    wanted = next(iter(recount(claims)), YearDelta(year, {}))
    counters = Counters()
    found, _ = counters.read(year)
    difference = correction(wanted.counts, found)
    counters.adjust(YearDelta(year, difference, wanted.provider_names))
    logger.info("counters rebuilt", extra={"academic_year": year, "claims": len(claims), "corrected": len(difference)})
    return Rebuilt(year, len(claims), len(difference))
