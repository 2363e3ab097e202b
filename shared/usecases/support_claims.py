"""The support console's claims: the list with its search and filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.claim_search import ClaimFilters, ClaimRow, pages, read_filters
from shared.claims.people import User
from shared.claims.regions import Region
from shared.claims.statuses import DISPLAY, ClaimStatus
from shared.claims.windows import ClaimWindow
from shared.data import claim_listing
from shared.data.claim_windows import ClaimWindows
from shared.data.organisations import Providers


@dataclass(frozen=True)
class Option:
    value: str
    text: str
    checked: bool


@dataclass(frozen=True)
class ClaimsList:
    filters: ClaimFilters
    rows: list[ClaimRow]
    total: int
    pages: int
    schools_capped: bool
    statuses: list[Option]
    years: list[Option]
    windows: list[Option]
    regions: list[Option]
    providers: list[Option]

    @property
    def chosen(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The filters in use, for the panel's "Selected filters": (heading, [(text, query that removes it)])."""
        groups = (
            ("Status", "status", self.statuses),
            ("Academic year", "year", self.years),
            ("Claim window", "window", self.windows),
            ("Funding region", "region", self.regions),
            ("Accredited provider", "provider", self.providers),
        )
        chosen: list[tuple[str, list[tuple[str, str]]]] = []
        for heading, name, options in groups:
            picked = [(o.text, self.filters.without(name, o.value)) for o in options if o.checked]
            if picked:
                chosen.append((heading, picked))
        if self.filters.assigned_to is not None:
            chosen.append(("Assigned", [("Assigned to me", self.filters.without("assigned", "me"))]))
        if self.filters.on_hold:
            chosen.append(("On hold", [("On hold", self.filters.without("hold", "yes"))]))
        return chosen


def window_label(window: ClaimWindow) -> str:
    return f"{window.academic_year.name}: {window.opens_on:%-d %B %Y} to {window.closes_on:%-d %B %Y}"


def claims_list(query: Mapping[str, Sequence[str]], user: User, now: dt.datetime) -> ClaimsList:
    """One page of the list. Reads: the claim windows and providers (small), then what `claim_listing` needs."""
    windows = sorted(ClaimWindows().all(), key=lambda w: (w.academic_year, w.opens_on), reverse=True)
    this_year = AcademicYear.for_date(london_today(now))
    years = sorted({w.academic_year for w in windows} | {this_year}, reverse=True)
    default_year = windows[0].academic_year.name if windows else this_year.name
    filters = read_filters(query, user.user_id, [y.name for y in years], default_year)
    found = claim_listing.find(filters, [y.name for y in years])
    return ClaimsList(
        filters=filters,
        rows=found.rows,
        total=found.total,
        pages=pages(found.total),
        schools_capped=found.schools_capped,
        statuses=[Option(s.value, DISPLAY[s].label, s in filters.statuses) for s in ClaimStatus],
        years=[Option(y.name, y.name, y.name in filters.academic_years) for y in years],
        windows=[Option(w.window_id, window_label(w), w.window_id in filters.window_ids) for w in windows],
        regions=[Option(r.value, r.value, r.value in filters.regions) for r in Region],
        providers=[
            Option(p.code, p.name, p.code in filters.providers)
            for p in Providers().accredited()
            if p.code  # every provider has a code; an empty one can never match
        ],
    )


def years_offered(now: dt.datetime) -> tuple[list[str], str]:
    """The academic years the list offers (newest first) and the one chosen when nothing is: as `claims_list`
    reads them (the claims export reproduces a list's filters with these)."""
    windows = sorted(ClaimWindows().all(), key=lambda w: (w.academic_year, w.opens_on), reverse=True)
    this_year = AcademicYear.for_date(london_today(now))
    years = sorted({w.academic_year for w in windows} | {this_year}, reverse=True)
    default_year = windows[0].academic_year.name if windows else this_year.name
    return [y.name for y in years], default_year
