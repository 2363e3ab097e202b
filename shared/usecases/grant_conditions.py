"""The grant conditions a school accepts once, before anything else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.allowance import REFRESHER_HOURS, initial_hours
from shared.claims.money import format_pounds
from shared.claims.organisations import School
from shared.claims.people import User
from shared.claims.regions import DEFAULT_HOURLY_RATES_PENCE, Region
from shared.data.organisations import Organisations
from shared.observability import logger


@dataclass(frozen=True)
class RegionRate:
    region: str
    hourly_rate: str
    maximum_initial: str


@dataclass(frozen=True)
class GrantTerms:
    academic_year: str
    initial_hours: int
    refresher_hours: int
    rates: list[RegionRate]


def grant_terms(now: dt.datetime) -> GrantTerms:
    """The figures the conditions quote, from the same rules that price claims."""
    year = AcademicYear.for_date(london_today(now))
    hours = initial_hours(year)
    rates = [
        RegionRate(
            region.value,
            format_pounds(DEFAULT_HOURLY_RATES_PENCE[region]),
            format_pounds(DEFAULT_HOURLY_RATES_PENCE[region] * hours),
        )
        for region in (Region.INNER_LONDON, Region.OUTER_LONDON, Region.FRINGE, Region.REST_OF_ENGLAND)
    ]
    return GrantTerms(year.name, hours, REFRESHER_HOURS, rates)


def accept(school: School, user: User, now: dt.datetime) -> None:
    if Organisations().accept_grant_conditions(school.organisation_id, user.user_id, now):
        logger.info("grant conditions accepted", extra={"school_id": school.organisation_id, "user_id": user.user_id})
