"""A school's organisation details: its GIAS record and its grant funding."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.money import format_pounds
from shared.claims.organisations import School
from shared.data.funding_rates import FundingRates
from shared.data.users import Users


@dataclass(frozen=True)
class OrganisationDetails:
    school: School
    region: str
    hourly_rate: str
    academic_year: str
    accepted_by: str | None


def organisation_details(school: School, now: dt.datetime) -> OrganisationDetails:
    year = AcademicYear.for_date(london_today(now))
    accepted_by = None
    if school.grant_conditions_accepted_by:
        user = Users().get(school.grant_conditions_accepted_by)
        accepted_by = user.full_name if user else "A former user"
    return OrganisationDetails(
        school=school,
        region=school.region.value,
        hourly_rate=format_pounds(FundingRates().rate_pence(year, school.region)),
        academic_year=year.name,
        accepted_by=accepted_by,
    )
