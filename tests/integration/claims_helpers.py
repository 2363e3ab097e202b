"""Helpers for claim tests: put mentors on a school and walk the add-claim journey."""

from __future__ import annotations

import re

from tests.support import NOW, Client, Page


def add_school_mentor(school_id: str, trn: str, first_name: str, last_name: str) -> None:
    from shared.data.items import MentorItem, SchoolMentorItem

    MentorItem(trn=trn, first_name=first_name, last_name=last_name, updated_at=NOW).save()
    SchoolMentorItem(
        school_id=school_id, trn=trn, first_name=first_name, last_name=last_name, added_at=NOW, added_by="test"
    ).save()


def remove_school_mentor(school_id: str, trn: str) -> None:
    """As the service removes one: the school's list entry, and its mentor-list version moved on."""
    from shared.data.mentors import Mentors

    Mentors().remove(school_id, trn)


def start_claim(client: Client, school_id: str) -> str:
    """Press "Add claim"; returns the journey's base URL."""
    client.get(f"/schools/{school_id}/claims")
    page = client.post(f"/schools/{school_id}/claims/new")
    assert page.status == 303, page.body[:500]
    found = re.match(r"(/schools/[^/]+/claims/new/[^/]+)/provider$", page.location)
    assert found, page.location
    return found.group(1)


def claim_through_check(client: Client, base: str, provider_code: str, hours: dict[str, int | str]) -> Page:
    """Choose the provider (as the autocomplete would), the mentors, their hours, confirm: the check page."""
    client.get(f"{base}/provider")
    page = client.post(f"{base}/provider", {"provider_code": provider_code, "provider_search": ""})
    assert page.location == f"{base}/mentors", page.location
    client.get(f"{base}/mentors")
    page = client.post(f"{base}/mentors", {"mentor_trns": list(hours)})
    for trn, value in hours.items():
        assert page.location == f"{base}/hours/{trn}", page.location
        client.get(page.location)
        form = (
            {"hours_choice": "remaining"} if value == "all" else {"hours_choice": "custom", "custom_hours": str(value)}
        )
        page = client.post(f"{base}/hours/{trn}", form)
    assert page.location == f"{base}/confirm", page.location
    client.get(f"{base}/confirm")
    page = client.post(f"{base}/confirm", {"hours_confirmed": "yes"})
    assert page.location == f"{base}/check"
    return client.get(f"{base}/check")


def submit(client: Client, base: str) -> Page:
    return client.post(f"{base}/submit")
