"""Funding rates per region per academic year (the published defaults where none is set)."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from shared.claims.academic_years import AcademicYear
from shared.claims.regions import DEFAULT_HOURLY_RATES_PENCE, Region
from shared.data.items import FundingRateItem


class FundingRates:
    """Hourly rates per region per academic year; the published defaults where none is set."""

    def rate_pence(self, year: AcademicYear, region: Region) -> int:
        try:
            return int(FundingRateItem.get(year.name, region.value).rate_pence)
        except DoesNotExist:
            return DEFAULT_HOURLY_RATES_PENCE[region]
