"""Every school URL, for another school's things, is "not found": loop over all routes, not a sample."""

from __future__ import annotations

import re
from typing import Any

from infrastructure.local.seed_data import MARY_LAWSON_SCHOOL_URNS
from tests.support import NOW, Client

OTHER_SCHOOL = MARY_LAWSON_SCHOOL_URNS[0]
OTHER_TRN = "1000003"


def _other_schools_things(seed: Any) -> dict[str, str]:
    """A claim, a mentor, a user and journeys that really exist at Mary Lawson's school."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claims import _to_item
    from shared.data.items import SchoolMentorItem
    from shared.data.journeys import Journeys

    mary = next(u for u in seed.users if (u.first_name, u.last_name) == ("Mary", "Lawson"))
    SchoolMentorItem(
        school_id=OTHER_SCHOOL, trn=OTHER_TRN, first_name="Priya", last_name="Shah", added_at=NOW, added_by=mary.user_id
    ).save()
    claim = Claim(
        reference="87654321",
        school_id=OTHER_SCHOOL,
        school_name="Riverside Bridge Primary Academy",
        provider_code="N97",
        provider_name="Sheffield Hallam University",
        window_id=seed.claim_windows[-1].window_id,
        academic_year=AcademicYear(2026),
        status=ClaimStatus.SUBMITTED,
        mentors=(
            ClaimMentor(
                trn=OTHER_TRN, first_name="Priya", last_name="Shah", hours=4, training_type=TrainingType.INITIAL
            ),
        ),
        region="Inner London",
        hourly_rate_pence=5360,
        amount_pence=4 * 5360,
        created_at=NOW,
        submitted_at=NOW,
        submitted_by=mary.user_id,
        submitted_by_name="Mary Lawson",
    )
    _to_item(claim).save()
    journey = Journeys().start("add_claim", mary.user_id, OTHER_SCHOOL, NOW)
    return {
        "school_id": OTHER_SCHOOL,
        "reference": claim.reference,
        "journey_id": journey,
        "trn": OTHER_TRN,
        "user_id": mary.user_id,
        "lookup_id": "anything",
    }


def test_a_school_user_gets_404_for_every_url_of_another_school(anne: Client, seed: Any) -> None:
    import functions.web.app as web

    values = _other_schools_things(seed)
    anne.get("/schools/108125/users/new")  # a page with a form: Anne's own CSRF token
    resolver = web.app.resolver
    routes = [(r.method, r.path) for r in resolver._static_routes + resolver._dynamic_routes if "<school_id>" in r.path]
    assert len(routes) >= 35, routes  # every school page is in the loop, not a sample
    checked = []
    for method, path in routes:
        url = re.sub(r"<(\w+)>", lambda m: values[m.group(1)], path)
        page = anne.request(method, url, {"csrf_token": anne.csrf_token()} if method == "POST" else None)
        assert page.status == 404, f"{method} {url} -> {page.status}"
        checked.append(url)
    # And nothing of the other school changed
    from shared.data.claims import ClaimsStore
    from shared.data.items import SchoolMentorItem
    from shared.data.users import Users

    assert ClaimsStore().get("87654321").status.value == "submitted"
    assert SchoolMentorItem.get(OTHER_SCHOOL, OTHER_TRN)
    assert Users().is_member(values["user_id"], OTHER_SCHOOL)
    assert len(checked) == len(routes)


def test_signed_out_visitors_are_sent_to_sign_in_from_every_school_url(client: Client) -> None:
    import functions.web.app as web

    resolver = web.app.resolver
    for route in resolver._static_routes + resolver._dynamic_routes:
        if "<school_id>" not in route.path or route.method != "GET":
            continue
        url = re.sub(r"<(\w+)>", "x", route.path)
        page = client.get(url)
        assert (page.status, page.location) == (303, "/sign-in"), url
