"""Journeys on the web: open a step's page, or send the user where the journey says they should be.

One mechanism for every multi-page form (ADR 0018): a route opens the step with `open_step` (which sends a
finished journey to where it ended, and a step not reached yet to the first unanswered one), lets the step
model parse the post into answers or `Errors`, saves, and redirects to `flow.next_after(answers)`. A
journey that must send the user elsewhere raises `GoTo`, which the web shell turns into a 303, so routes
never check what a helper returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from shared.journeys.flow import Flow, JourneyAnswers, Location
from shared.usecases import journeys
from shared.usecases.journeys import Opened


class GoTo(Exception):
    """Send the user to `location` (303 See Other): raised by journey helpers, answered by the web shell."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def open_step[A: JourneyAnswers](
    flow: Flow[A],
    model: type[A],
    journey_id: str,
    here: Location,
    url: str | Callable[[Location], str],
    *,
    owner: str,
    organisation_id: str,
    now: dt.datetime,
    finished: Callable[[str], str],
) -> Opened[A]:
    """The journey at `here`. A finished journey goes to `finished(result)`; a step whose earlier steps are
    unanswered goes to the first unanswered one; NotFound for a journey that is not this user's. `url` is the
    journey's base address (steps are `<base>/<step>`) or a function giving each step's address."""
    opened = journeys.open_journey(flow, model, journey_id, owner, organisation_id, now)
    if opened.result is not None:
        raise GoTo(finished(opened.result))
    if not flow.reachable(opened.answers, here):
        raise GoTo(_address(url, flow.next_after(opened.answers)))
    return opened


def _address(url: str | Callable[[Location], str], place: Location) -> str:
    return place.path(url) if isinstance(url, str) else url(place)


def back_href[A: JourneyAnswers](
    flow: Flow[A], answers: A, here: Location, url: str | Callable[[Location], str], out: str
) -> str:
    """Where the page's Back link goes: the step before (or check answers once seen), or `out` of the journey."""
    back = flow.back_from(answers, here)
    return _address(url, back) if back else out


def continue_to[A: JourneyAnswers](
    flow: Flow[A], opened: Opened[A], url: str | Callable[[Location], str], now: dt.datetime
) -> str:
    """Save the step's answers and say where Continue goes (the first unanswered step)."""
    journeys.save(opened.journey_id, opened.answers, now)
    return _address(url, flow.next_after(opened.answers))
