"""The support console's landing figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.organisations import OrganisationType
from shared.claims.windows import ClaimWindow, current_window
from shared.data.claim_windows import ClaimWindows
from shared.data.organisations import Organisations, Providers


@dataclass(frozen=True)
class Overview:
    school_count: int
    provider_count: int
    window: ClaimWindow | None


def overview(now: dt.datetime) -> Overview:
    return Overview(
        school_count=Organisations().count(OrganisationType.SCHOOL),
        provider_count=len(Providers().accredited()),
        window=current_window(ClaimWindows().all(), now),
    )
