"""Twenty submissions at once, from two schools, for one mentor with one provider: the hours cap holds.

Runs against a moto server on loopback (real HTTP, real threads), not in-process mocks, so the
DynamoDB transactions really race.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN, MARY_LAWSON_SCHOOL_URNS

THREADS = 20
HOURS_EACH = 3  # 20 × 3 = 60 hours asked for, against a cap of 16
PROVIDER = "B68"
TRN = "1000001"


def test_concurrent_submissions_never_exceed_the_cap(moto_server: str) -> None:
    from infrastructure.local.seed import load
    from shared.claims.errors import AllowanceExceeded
    from shared.data.claims import ClaimsStore
    from shared.data.items import AllowanceItem, MentorItem, SchoolMentorItem
    from shared.data.journeys import Journeys
    from shared.data.organisations import Organisations
    from shared.data.users import Users
    from shared.journeys.add_claim import KIND, Answers
    from shared.usecases import add_claim

    now = dt.datetime.now(dt.UTC)
    data = load(now.date())
    schools = [ANNE_WILSON_SCHOOL_URN, MARY_LAWSON_SCHOOL_URNS[0]]
    members = {
        ANNE_WILSON_SCHOOL_URN: next(
            u.user_id for u in data.users if u.first_name == "Anne" and u.last_name == "Wilson"
        ),
        MARY_LAWSON_SCHOOL_URNS[0]: next(
            u.user_id for u in data.users if u.first_name == "Mary" and u.last_name == "Lawson"
        ),
    }
    # Given the same mentor on both schools' lists, and twenty claims ready to submit (ten per school)
    MentorItem(trn=TRN, first_name="Emily", last_name="Carter", updated_at=now).save()
    for school_id in schools:
        SchoolMentorItem(
            school_id=school_id, trn=TRN, first_name="Emily", last_name="Carter", added_at=now, added_by="test"
        ).save()
    ready: list[tuple[str, Any, Any]] = []
    for index in range(THREADS):
        school_id = schools[index % 2]
        user = Users().get(members[school_id])
        school = Organisations().get_school(school_id)
        journey_id = Journeys().start(KIND, user.user_id, school_id, now)
        answers = Answers(
            provider_code=PROVIDER, mentor_trns=[TRN], hours={TRN: HOURS_EACH}, hours_confirmed=True, seen_check=True
        )
        Journeys().save(journey_id, answers.stored(), now)
        ready.append((journey_id, user, school))

    # When all twenty press "Accept and submit" at the same moment
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def press(journey_id: str, user: Any, school: Any) -> None:
        barrier.wait()
        try:
            reference = add_claim.submit(journey_id, user, school, now)
            outcome = f"submitted:{reference}"
        except AllowanceExceeded:
            outcome = "recently-changed"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=press, args=entry) for entry in ready]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then the hours recorded never pass the cap, and everyone else was told their claim could not go in
    winners = [o for o in outcomes if o.startswith("submitted:")]
    losers = [o for o in outcomes if o == "recently-changed"]
    from shared.claims.windows import current_window
    from shared.data.claim_windows import ClaimWindows

    window = current_window(ClaimWindows().all(), now)
    assert window is not None
    used = int(AllowanceItem.get(f"{TRN}#{PROVIDER}#{window.academic_year.start_year}").used)
    claimed = sum(
        m.hours
        for school_id in schools
        for c in ClaimsStore().for_school(school_id)
        if c.provider_code == PROVIDER
        for m in c.mentors
    )
    assert len(outcomes) == THREADS
    assert used <= 16
    assert used == claimed == HOURS_EACH * len(winners)
    assert len(winners) == 16 // HOURS_EACH
    assert len(losers) == THREADS - len(winners)
