"""The grant-conditions gate and organisation details."""

from __future__ import annotations

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
from tests.support import Client, set_grant_conditions

BASE = f"/schools/{ANNE_WILSON_SCHOOL_URN}"


def test_first_user_must_accept_grant_conditions_before_any_school_page(client: Client) -> None:
    # Given Anne's school has not accepted the grant conditions
    set_grant_conditions(ANNE_WILSON_SCHOOL_URN, accepted=False)
    client.sign_in("Anne Wilson")
    # When she opens any school page, she is sent to the conditions
    for path in ("claims", "organisation-details"):
        page = client.get(f"{BASE}/{path}")
        assert (page.status, page.location) == (303, f"{BASE}/grant-conditions"), path
    page = client.get(f"{BASE}/grant-conditions")
    assert page.h1 == "Grant conditions"
    contents = [a["href"] for a in page.soup.select("ol.govuk-list a")]
    assert contents[0] == "#purpose"
    assert all(page.soup.find(id=href[1:]) for href in contents)
    assert "16 hours of initial training per mentor" in page.text()
    assert "£857.60" in page.text()  # Inner London, 16 hours at £53.60
    assert (
        "By selecting ‘Accept grant conditions’, you declare that you have read and agreed to the above grant "
        "conditions as an authorised representative of Meadowbank Primary School." in page.text()
    )
    # When she accepts
    accepted = client.post(f"{BASE}/grant-conditions")
    # Then she reaches the claims page, and who accepted and when is on organisation details
    assert (accepted.status, accepted.location) == (303, f"{BASE}/claims")
    assert client.get(f"{BASE}/claims").h1 == "Claims"
    details = client.get(f"{BASE}/organisation-details")
    assert "Accepted by Anne Wilson on 28 November 2026" in details.text()


def test_a_second_acceptance_does_not_replace_the_first(client: Client) -> None:
    set_grant_conditions(ANNE_WILSON_SCHOOL_URN, accepted=True)  # accepted by Anne at NOW
    client.sign_in("Anne Wilson")
    page = client.get(f"{BASE}/grant-conditions")
    assert "Your organisation has accepted these grant conditions." in page.text()
    assert not page.soup.select("form[action$='grant-conditions']")


def test_organisation_details_show_gias_and_grant_funding(anne: Client) -> None:
    page = anne.get(f"{BASE}/organisation-details")
    text = page.text()
    assert page.h1 == "Organisation details"
    assert "Funding region Rest of England" in text
    assert "Hourly rate £43.80 per hour in academic year 2026 to 2027" in text
    assert f"Unique reference number (URN) {ANNE_WILSON_SCHOOL_URN}" in text
    assert "Local authority Leeds" in text
