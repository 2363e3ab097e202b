"""Journeys as data: a multi-page form is its answers and an ordered list of steps (ADR 0018).

A `Flow` says, for any answers, which step comes first that is not yet answered (where Continue goes),
where Back goes from each step, and whether a step may be shown (no skipping ahead by URL). Once "check
your answers" has been seen, Continue from a change returns there (after any step the change made
necessary), and Back from any step goes there. A step can repeat for each of a list in the answers (the
hours for each mentor); a side page belongs to a step (search results for the provider step) and goes
back to it.

Pure: no web, no storage. The answers are a pydantic model, stored server-side with the journey
(`shared.usecases.journeys`); routes load them, let a step model parse the post (into answers or
`Errors`), save, and redirect to `flow.next_after(answers)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

CHECK = "check"


class JourneyAnswers(BaseModel):
    """Base of every journey's answers: JSON-safe (stored as they are), and whether check answers was seen."""

    model_config = ConfigDict(validate_assignment=True)

    seen_check: bool = False

    def stored(self) -> dict[str, object]:
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class Location:
    """A step, and for a repeated step which of its items."""

    step: str
    item: str | None = None

    def path(self, base: str) -> str:
        """`<base>/<step>[/<item>]`; a step named "" is the journey's own address (`<base>`)."""
        return (f"{base}/{self.step}" if self.step else base) + (f"/{self.item}" if self.item else "")


@dataclass(frozen=True)
class Step[A: JourneyAnswers]:
    """One page of a journey.

    - `answered(answers)`: whether its question has an answer (a page with no question of its own, such as
      check answers, is never answered);
    - `each(answers)`: for a step asked once per item (the hours for each mentor), the items, in order;
      then `answered_item(answers, item)` says whether that item's page is answered;
    - `side_of`: the step this page belongs to (a results page of a search): always reachable once that
      step is, Back goes to it, and it is never a step Continue goes to.
    """

    slug: str
    answered: Callable[[A], bool] = lambda _: False
    each: Callable[[A], Sequence[str]] | None = None
    answered_item: Callable[[A, str], bool] | None = None
    side_of: str | None = None


class Flow[A: JourneyAnswers]:
    """The steps of one journey, in order; the last is "check your answers" (`CHECK`)."""

    def __init__(self, kind: str, steps: Sequence[Step[A]]) -> None:
        self.kind = kind
        self.steps = tuple(steps)
        self._main = [step for step in self.steps if step.side_of is None]
        if not self._main or self._main[-1].slug != CHECK:
            raise ValueError(f"the {kind} journey must end with the {CHECK!r} step")
        self._by_slug = {step.slug: step for step in self.steps}

    def step(self, slug: str) -> Step[A]:
        return self._by_slug[slug]

    def _places(self, answers: A) -> list[Location]:
        """Every main page in order, a repeated step once per item."""
        places: list[Location] = []
        for step in self._main:
            if step.each is None:
                places.append(Location(step.slug))
            else:
                places.extend(Location(step.slug, item) for item in step.each(answers))
        return places

    def _answered(self, answers: A, place: Location) -> bool:
        step = self._by_slug[place.step]
        if place.item is not None and step.answered_item is not None:
            return step.answered_item(answers, place.item)
        return step.answered(answers)

    def first_missing(self, answers: A) -> Location:
        """The first page the answers do not yet cover (check answers when they cover everything)."""
        for place in self._places(answers):
            if place.step == CHECK or not self._answered(answers, place):
                return place
        return Location(CHECK)

    def next_after(self, answers: A) -> Location:
        """Where Continue goes: the first page still unanswered, in journey order, so that a change made from
        check answers goes through anything it made necessary and then back there."""
        return self.first_missing(answers)

    def back_from(self, answers: A, here: Location) -> Location | None:
        """Where Back goes from `here`: check answers once seen, a side page's step, or the page before
        (None on the first page: out of the journey)."""
        if answers.seen_check and here.step != CHECK:
            return Location(CHECK)
        step = self._by_slug[here.step]
        if step.side_of is not None:
            return Location(step.side_of)
        places = self._places(answers)
        if here in places:
            index = places.index(here)
            return places[index - 1] if index > 0 else None
        # a repeated step's item no longer in the answers: back to the page before the step
        before = [place for place in places if self._main.index(self._by_slug[place.step]) < self._main.index(step)]
        return before[-1] if before else None

    def reachable(self, answers: A, target: Location) -> bool:
        """A page may be shown once every page before it is answered (no skipping ahead by URL)."""
        step = self._by_slug.get(target.step)
        if step is None:
            return False
        if step.side_of is not None:
            return self.reachable(answers, Location(step.side_of))
        places = self._places(answers)
        if step.each is not None and target not in places:
            return False
        missing = self.first_missing(answers)
        for place in places:
            if place == target:
                return True
            if place == missing:
                return False
        return target.step == CHECK and missing.step == CHECK
