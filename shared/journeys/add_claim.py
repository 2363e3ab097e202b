"""The add-claim journey: provider → mentors → hours for each mentor → confirm hours → check answers.

The order of steps, where Back goes and where Continue goes are decided here and nowhere else. Once
"check your answers" has been seen, a change returns there (after any hours the change made necessary).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Step(StrEnum):
    PROVIDER = "provider"
    PROVIDER_OPTIONS = "provider-options"
    MENTORS = "mentors"
    HOURS = "hours"
    CONFIRM = "confirm"
    CHECK = "check"


@dataclass
class Answers:
    """What the school has answered so far (stored server-side with the journey)."""

    provider_code: str | None = None
    mentor_trns: list[str] = field(default_factory=list)
    hours: dict[str, int] = field(default_factory=dict)
    hours_confirmed: bool = False
    seen_check: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "provider_code": self.provider_code,
            "mentor_trns": list(self.mentor_trns),
            "hours": dict(self.hours),
            "hours_confirmed": self.hours_confirmed,
            "seen_check": self.seen_check,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Answers:
        trns = data.get("mentor_trns") or []
        hours = data.get("hours") or {}
        return cls(
            provider_code=str(data["provider_code"]) if data.get("provider_code") else None,
            mentor_trns=[str(t) for t in trns] if isinstance(trns, list) else [],
            hours={str(k): int(v) for k, v in hours.items()} if isinstance(hours, dict) else {},
            hours_confirmed=bool(data.get("hours_confirmed")),
            seen_check=bool(data.get("seen_check")),
        )

    def choose_provider(self, code: str) -> None:
        if code != self.provider_code:
            # Hours left depend on the provider: a new provider means choosing mentors and hours again.
            self.mentor_trns = []
            self.hours = {}
            self.hours_confirmed = False
            self.seen_check = False
        self.provider_code = code

    def choose_mentors(self, trns: list[str]) -> None:
        if trns != self.mentor_trns:
            self.hours_confirmed = False
        self.mentor_trns = trns
        self.hours = {trn: hours for trn, hours in self.hours.items() if trn in trns}

    def set_hours(self, trn: str, hours: int) -> None:
        if self.hours.get(trn) != hours:
            self.hours_confirmed = False  # changed hours must be confirmed with the provider again
        self.hours[trn] = hours


@dataclass(frozen=True)
class Location:
    step: Step
    trn: str | None = None

    def path(self, base: str) -> str:
        return f"{base}/{self.step.value}" + (f"/{self.trn}" if self.trn else "")


def first_missing(answers: Answers) -> Location:
    """The first step the answers do not yet cover."""
    if not answers.provider_code:
        return Location(Step.PROVIDER)
    if not answers.mentor_trns:
        return Location(Step.MENTORS)
    for trn in answers.mentor_trns:
        if trn not in answers.hours:
            return Location(Step.HOURS, trn)
    if not answers.hours_confirmed:
        return Location(Step.CONFIRM)
    return Location(Step.CHECK)


def next_after(answers: Answers) -> Location:
    """Where Continue goes: the first step still unanswered, in journey order (check answers when
    everything is answered, so a change from check answers returns there)."""
    return first_missing(answers)


def back_from(answers: Answers, current: Location) -> Location | None:
    """Where Back goes from `current` (None on the first step: back to the claims list)."""
    if answers.seen_check and current.step is not Step.CHECK:
        return Location(Step.CHECK)
    if current.step in (Step.PROVIDER,):
        return None
    if current.step in (Step.PROVIDER_OPTIONS, Step.MENTORS):
        return Location(Step.PROVIDER)
    if current.step is Step.HOURS:
        index = answers.mentor_trns.index(current.trn) if current.trn in answers.mentor_trns else 0
        return Location(Step.HOURS, answers.mentor_trns[index - 1]) if index > 0 else Location(Step.MENTORS)
    if current.step is Step.CONFIRM:
        return Location(Step.HOURS, answers.mentor_trns[-1]) if answers.mentor_trns else Location(Step.MENTORS)
    return Location(Step.CONFIRM)


def reachable(answers: Answers, target: Location) -> bool:
    """A step can be shown only once the steps before it are answered (no skipping by URL)."""
    order = [Step.PROVIDER, Step.MENTORS, Step.HOURS, Step.CONFIRM, Step.CHECK]
    missing = first_missing(answers)
    if target.step is Step.PROVIDER_OPTIONS:
        return True
    if target.step is Step.HOURS:
        return bool(answers.provider_code) and target.trn in answers.mentor_trns
    return order.index(target.step) <= order.index(missing.step)
