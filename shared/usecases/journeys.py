"""Journeys' answers, stored server-side for the user and organisation that started them (ADR 0018).

Every multi-page form uses this: `start` with the first answers, `open` on each page (only the journey's
own user and organisation see it; NotFound for anyone else, or after 24 hours), `save` new answers,
`finish` once with what it made. The steps and their rules are `shared.journeys`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.claims.errors import NotFound
from shared.data.journeys import Journeys
from shared.journeys.flow import Flow, JourneyAnswers


@dataclass(frozen=True)
class Opened[A: JourneyAnswers]:
    journey_id: str
    answers: A
    result: str | None  # what the journey made, once finished


def start[A: JourneyAnswers](flow: Flow[A], owner: str, organisation_id: str, answers: A, now: dt.datetime) -> str:
    return Journeys().start(flow.kind, owner, organisation_id, now, answers.stored())


def open_journey[A: JourneyAnswers](
    flow: Flow[A], model: type[A], journey_id: str, owner: str, organisation_id: str, now: dt.datetime
) -> Opened[A]:
    """The journey's answers; NotFound for a journey that is not this user's, for this organisation, alive."""
    journey = Journeys().get(journey_id, flow.kind, owner, organisation_id, now)
    if journey is None:
        raise NotFound
    return Opened(journey_id, model.model_validate(journey.answers), journey.result)


def save(journey_id: str, answers: JourneyAnswers, now: dt.datetime) -> bool:
    """False when the journey finished meanwhile (another tab, a second click)."""
    return Journeys().save(journey_id, answers.stored(), now)


def finish(journey_id: str, result: str) -> bool:
    """Record what the journey made; False when it had already been finished."""
    return Journeys().finish(journey_id, result)
