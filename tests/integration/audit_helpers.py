"""Helpers for audit tests: a paid claim put under audit (paid → sampling_in_progress through ClaimsStore)."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from infrastructure.local.seed_data import PATRICIA_ADEYEMI_PROVIDER_NAME, SeedData
from tests.support import NOW, Client, Page

_references = itertools.count(88_100_001)
_trns = itertools.count(8_100_001)


def patricias_provider(seed: SeedData) -> str:
    return next(p.code for p in seed.providers if p.name == PATRICIA_ADEYEMI_PROVIDER_NAME)


def other_provider(seed: SeedData) -> str:
    return next(p.code for p in seed.providers if p.name != PATRICIA_ADEYEMI_PROVIDER_NAME and p.accredited)


def claim_under_audit(
    seed: SeedData, provider_code: str, school_id: str, mentors: int = 2, hours: int = 6, at: dt.datetime = NOW
) -> str:
    """A paid claim of `school_id` naming the provider, each mentor claimed for `hours`, put under audit."""
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore
    from shared.data.items import ClaimItem

    window = seed.claim_windows[0]
    provider = next(p for p in seed.providers if p.code == provider_code)
    reference = str(next(_references))
    people = [("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper")]
    ClaimItem(
        claim_id=reference,
        reference=reference,
        school_id=school_id,
        school_name="Audit Test School",
        provider_code=provider.code,
        provider_name=provider.name,
        window_id=window.window_id,
        academic_year=window.academic_year,
        status="paid",
        window_status=f"{window.window_id}#paid",
        created_at=at.isoformat(),
        submitted_at=at,
        submitted_by="user-anne-wilson",
        region="Rest of England",
        hourly_rate_pence=4380,
        total_hours=hours * mentors,
        amount_pence=hours * mentors * 4380,
        mentors=[
            {
                "trn": str(next(_trns)),
                "first_name": people[i % 3][0],
                "last_name": people[i % 3][1],
                "hours": hours,
                "training_type": "initial",
            }
            for i in range(mentors)
        ],
        version=1,
    ).save()
    store = ClaimsStore()
    store.change_status(store.get(reference), ClaimStatus.SAMPLING_IN_PROGRESS, "user-colin-chapman", at)
    return reference


def start_answering(client: Client, code: str, reference: str) -> str:
    """Open the claim and press Start: the journey's base URL."""
    client.get(f"/providers/{code}/audits/{reference}")
    page = client.post(f"/providers/{code}/audits/{reference}")
    assert page.status == 303, page.body[:500]
    found = re.match(rf"(/providers/{code}/audits/{reference}/answers/[^/]+)/mentor/\d+$", page.location)
    assert found, page.location
    return found.group(1)


def answer(client: Client, code: str, reference: str, answers: list[tuple[int, str]] | list[None]) -> Page:
    """Answer each mentor: None for Yes, (hours, reason) for No; returns the page after Submit response."""
    from shared.data.claims import ClaimsStore

    claim = ClaimsStore().get(reference)
    base = start_answering(client, code, reference)
    for mentor, given in zip(claim.mentors, answers, strict=True):
        page = client.post(f"{base}/mentor/{mentor.trn}", {"confirmed": "yes" if given is None else "no"})
        assert page.status == 303, page.body[:800]
    for mentor, given in zip(claim.mentors, answers, strict=True):
        if given is not None:
            page = client.post(f"{base}/hours/{mentor.trn}", {"hours_completed": str(given[0]), "reason": given[1]})
            assert page.status == 303, page.body[:800]
    assert page.location == f"{base}/check", page.location
    check = client.get(f"{base}/check")
    assert check.h1 == "Check your answers"
    return client.post(f"{base}/check")


def provider_rejects(reference: str, at: dt.datetime = NOW, hours_completed: int = 2) -> None:
    """The provider answers No for the claim's first mentor (`hours_completed` of theirs) and Yes for the rest,
    at `at`, as its Submit response does."""
    from shared.claims.audit_answers import MentorAnswer, ProviderAnswers
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import ClaimsStore, StatusChange

    store = ClaimsStore()
    claim = store.get(reference)
    answers = ProviderAnswers(
        answered_at=at,
        answered_by="user-patricia-adeyemi",
        answered_by_name="Patricia Adeyemi",
        answers=tuple(
            MentorAnswer(trn=m.trn, confirmed=False, hours_completed=hours_completed, reason="Left in October")
            if i == 0
            else MentorAnswer(trn=m.trn, confirmed=True, hours_completed=m.hours)
            for i, m in enumerate(claim.mentors)
        ),
    )
    store.apply(
        StatusChange(claim, ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED, provider_answers=answers),
        "user-patricia-adeyemi",
        at,
    )
