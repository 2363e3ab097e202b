"""Nothing a page keeps between requests can grow past DynamoDB's 400 KB item: a journey's answers or a session's
data over the limit is refused before it is written (TooMuchToKeep), what was kept stays as it was, and the pages
answer with a GOV.UK page, never a failed write's 500."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.errors import MAX_KEPT_BYTES, TooMuchToKeep
from tests.support import NOW

TOO_MUCH = {"reasons": {str(n): "é" * 2_000 for n in range(100)}}  # 400,000 bytes of UTF-8
ENOUGH = {"reasons": {str(n): "a" * 2_000 for n in range(100)}}  # 200,000


def test_a_journey_is_kept_up_to_the_limit_and_refused_past_it(seed: object) -> None:
    from shared.data.journeys import Journeys

    journeys = Journeys()
    journey_id = journeys.start("kept_test", "owner-kept", "org-kept", NOW, ENOUGH)
    assert journeys.get(journey_id, "kept_test", "owner-kept", "org-kept", NOW).answers == ENOUGH
    with pytest.raises(TooMuchToKeep):
        journeys.save(journey_id, TOO_MUCH, NOW)
    assert journeys.get(journey_id, "kept_test", "owner-kept", "org-kept", NOW).answers == ENOUGH
    with pytest.raises(TooMuchToKeep):
        journeys.start("kept_test", "owner-kept", "org-kept", NOW, TOO_MUCH)


def test_a_session_past_the_limit_is_refused_before_it_is_written(seed: object) -> None:
    from shared.data.sessions import Sessions, StoredSession

    store = Sessions(dt.timedelta(hours=2))
    session = StoredSession("token-kept", "csrf", None, NOW, dict(TOO_MUCH), NOW)
    with pytest.raises(TooMuchToKeep):
        store.save(session, NOW)
    assert store.load("token-kept", NOW) is None


def test_the_limit_leaves_room_for_an_items_names_and_keys() -> None:
    assert MAX_KEPT_BYTES <= 400 * 1024 - 64 * 1024


def test_the_pages_say_there_is_too_much_to_save(apps: dict[str, object]) -> None:
    from shared.web.app import WebApp
    from shared.web.request import Request

    request = Request(method="POST", path="/x", query={}, form={}, cookies={}, now=NOW)
    response = WebApp._error_page(request, TooMuchToKeep("journey answers"))
    assert response.status_code == 413
    assert "Sorry, there is too much to save" in str(response.body)
