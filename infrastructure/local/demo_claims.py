"""Last academic year's paid claims, for the local stack: what an audit samples (`make run`).

The demo data (`seed.py`) has schools, providers, people and windows but no claims: the school journey makes
them. An audit, though, samples a year's *paid* claims, and a claim is paid only after its window has closed,
a payment run has sent it and the payer has answered: months of a real year. So the local stack also writes
last year's claims as they would be by now, through the project's own repositories: each claim submitted in
last year's window (the submission transaction: hours against each mentor's allowance, its event, the
Overview's counters), then sent to the payer and paid (the transition table, conditional writes, events).

Mary Lawson's first school claimed with Sheffield Hallam University for more than £5,000 in all, so an audit of
last year always samples those claims (the sample takes every claim of a school whose claims total over
£5,000): Patricia Adeyemi has claims to answer, and Mary Lawson a school to respond for. Its first claim has
two mentors of 6 hours each. The other claims are spread over the other eligible schools and providers, so the
sample's strata have something in them. Everything is drawn from one seeded generator: the same every run.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from infrastructure.local.seed_data import (
    MARY_LAWSON_SCHOOL_URNS,
    PATRICIA_ADEYEMI_PROVIDER_NAME,
    SeedData,
)
from shared.claims.academic_years import AcademicYear
from shared.claims.allowance import TrainingType, initial_hours
from shared.claims.claim import Claim, ClaimMentor, claim_amount_pence
from shared.claims.claim_history import SYSTEM_ACTOR
from shared.claims.regions import DEFAULT_HOURLY_RATES_PENCE, region_for_district
from shared.claims.statuses import ClaimStatus
from shared.claims.windows import ClaimWindow
from shared.data.claim_windows import ClaimWindows
from shared.data.claims import ClaimsStore
from shared.data.journeys import Journeys

SEED = 2025
OTHER_CLAIMS = 24
# Mary Lawson's first school with Sheffield Hallam: each claim's mentors' hours (over £5,000 in all)
MARY_LAWSON_CLAIMS: tuple[tuple[int, ...], ...] = ((6, 6), (16, 16), (16, 16), (16, 16))
FIRST_REFERENCE = 25_000_001  # 8 digits, as the service's references are
PAYER_RESPONSE_UPLOADER = ("Sam", "Brooks")
PAYER_RESPONSE_BATCH = "demo-2025-26"
JOURNEY_KIND = "add_claim"


@dataclass(frozen=True)
class DemoClaims:
    """The paid claims written: their references, and the first of Mary Lawson's school (6 + 6 hours)."""

    references: tuple[str, ...]
    six_hour_claim: str


def load_paid_claims(data: SeedData) -> DemoClaims:
    """Write last year's paid claims (module docstring). The window is reopened while they are submitted,
    then closed again as it was."""
    window_seed = data.claim_windows[0]  # last academic year's, closed
    year = AcademicYear.parse(window_seed.academic_year)
    window = ClaimWindow(
        window_id=window_seed.window_id,
        academic_year=year,
        opens_on=window_seed.opens_on,
        closes_on=window_seed.closes_on,
    )
    windows = ClaimWindows()
    windows.put(window)  # open while last year's claims go in
    rng = random.Random(SEED)  # noqa: S311 - demo data, reproducible on purpose
    most = initial_hours(year)  # each mentor's hours with one provider in the year (16 from 2025 to 2026)
    schools = {school.urn: school for school in data.schools}
    eligible = [urn for urn in data.eligible_school_urns if urn in schools and schools[urn].vendor_number]
    hallam = next(p for p in data.providers if p.name == PATRICIA_ADEYEMI_PROVIDER_NAME)
    others = [p for p in data.providers if p.accredited and p.code != hallam.code]
    teachers = list(data.teachers)
    rng.shuffle(teachers)
    next_teacher = iter(teachers)
    planned: list[tuple[str, str, str, tuple[int, ...]]] = []  # school, provider code, provider name, hours
    for hours in MARY_LAWSON_CLAIMS:
        planned.append((MARY_LAWSON_SCHOOL_URNS[0], hallam.code, hallam.name, hours))
    for _ in range(OTHER_CLAIMS):
        provider = rng.choice([hallam, *others[:6]])
        mentor_count = rng.choice((1, 1, 2, 3))
        hours = tuple(rng.randint(4, most) for _ in range(mentor_count))
        planned.append((rng.choice(eligible), provider.code, provider.name, hours))
    users_of = {urn: user for user in data.users for urn in user.organisation_ids}
    store = ClaimsStore()
    journeys = Journeys()
    submitted_on = window.opens_on + dt.timedelta(days=10)
    references: list[str] = []
    for number, (urn, code, name, hours) in enumerate(planned):
        school = schools[urn]
        region = region_for_district(school.district_admin_code)
        rate = DEFAULT_HOURLY_RATES_PENCE[region]
        mentors = tuple(
            ClaimMentor(
                trn=teacher.trn,
                first_name=teacher.first_name,
                last_name=teacher.last_name,
                hours=mentor_hours,
                training_type=TrainingType.INITIAL,
            )
            for teacher, mentor_hours in zip([next(next_teacher) for _ in hours], hours, strict=True)
        )
        submitter = users_of.get(urn)
        at = dt.datetime.combine(submitted_on + dt.timedelta(days=number), dt.time(10, 30), dt.UTC)
        claim = Claim(
            reference=str(FIRST_REFERENCE + number),
            school_id=urn,
            school_name=school.name,
            provider_code=code,
            provider_name=name,
            window_id=window.window_id,
            academic_year=year,
            status=ClaimStatus.SUBMITTED,
            mentors=mentors,
            region=region.value,
            hourly_rate_pence=rate,
            amount_pence=claim_amount_pence(sum(hours), rate),
            created_at=at,
            submitted_at=at,
            submitted_by=submitter.user_id if submitter else f"user-demo-{urn}",
            submitted_by_name=f"{submitter.first_name} {submitter.last_name}" if submitter else "Demo school user",
        )
        journey_id = journeys.start(JOURNEY_KIND, claim.submitted_by or "", urn, dt.datetime.now(dt.UTC), {})
        caps = dict.fromkeys((m.trn for m in mentors), most)
        store.submit(claim, caps, journey_id, claim.submitted_by or "", at, 0)
        references.append(claim.reference)
    closed_at = window.closes_at
    windows.mark_closed(window.window_id, closed_at)
    sent_at = closed_at + dt.timedelta(days=1)
    paid_at = closed_at + dt.timedelta(days=14)
    # The payer's answer arrives as a response file support uploads (as `shared.usecases.payer_response` records it)
    uploader = next(user for user in data.users if (user.first_name, user.last_name) == PAYER_RESPONSE_UPLOADER)
    for row, reference in enumerate(references, start=2):
        claim = store.change_status(store.get(reference), ClaimStatus.PAYMENT_IN_PROGRESS, SYSTEM_ACTOR, sent_at)
        reason = f"Payer response {PAYER_RESPONSE_BATCH}, row {row}"
        store.change_status(claim, ClaimStatus.PAID, uploader.user_id, paid_at, reason)
    return DemoClaims(tuple(references), references[0])
