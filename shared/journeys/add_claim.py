"""The add-claim journey: provider → mentors → hours for each mentor → confirm hours → check answers.

The steps and their order are `FLOW`; the step models below turn each page's post into answers or GOV.UK
errors. What a step offers (the providers found, the mentors with hours left, how many hours are left)
comes from `shared.usecases.add_claim`; the rules about it are here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import Field

from shared.journeys.flow import CHECK, Flow, JourneyAnswers, Location, Step
from shared.journeys.forms import Errors, Form, value, values, whole_number

KIND = "add_claim"

ENTER_PROVIDER = "Enter an accredited provider name, UKPRN, URN or postcode"
SELECT_PROVIDER = "Select an accredited provider"
SELECT_MENTOR = "Select a mentor"
SELECT_HOURS = "Select the number of hours"
ENTER_HOURS = "Enter the number of hours"


class StepName(StrEnum):
    PROVIDER = "provider"
    PROVIDER_OPTIONS = "provider-options"
    MENTORS = "mentors"
    HOURS = "hours"
    CONFIRM = "confirm"
    CHECK = CHECK


class Answers(JourneyAnswers):
    """What the school has answered so far (stored server-side with the journey)."""

    provider_code: str | None = None
    mentor_trns: list[str] = Field(default_factory=list)
    hours: dict[str, int] = Field(default_factory=dict)
    hours_confirmed: bool = False

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
        self.hours = {**self.hours, trn: hours}


FLOW: Flow[Answers] = Flow(
    KIND,
    [
        Step(StepName.PROVIDER, answered=lambda a: bool(a.provider_code)),
        Step(StepName.PROVIDER_OPTIONS, side_of=StepName.PROVIDER),
        Step(StepName.MENTORS, answered=lambda a: bool(a.mentor_trns)),
        Step(StepName.HOURS, each=lambda a: a.mentor_trns, answered_item=lambda a, trn: trn in a.hours),
        Step(StepName.CONFIRM, answered=lambda a: a.hours_confirmed),
        Step(StepName.CHECK),
    ],
)


def at(step: StepName, item: str | None = None) -> Location:
    return Location(step.value, item)


# -- step models ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProviderChosen:
    """An accredited provider chosen (by the autocomplete, or from the search results)."""

    code: str


@dataclass(frozen=True)
class ProviderSearch:
    """Words to look providers up by (the page without JavaScript)."""

    query: str


def parse_provider(form: Form, accredited: Callable[[str], bool]) -> ProviderChosen | ProviderSearch | Errors:
    """The provider page's post: a chosen accredited provider, words to search for, or an error."""
    code = value(form, "provider_code").strip()
    if code and accredited(code):
        return ProviderChosen(code)
    query = value(form, "provider_search").strip()
    if query:
        return ProviderSearch(query)
    errors = Errors()
    errors.add("provider_search", ENTER_PROVIDER, "provider-search")
    return errors


def parse_provider_option(form: Form, accredited: Callable[[str], bool]) -> ProviderChosen | Errors:
    """The search results page's post: one of the accredited providers listed."""
    code = value(form, "provider_code").strip()
    if code and accredited(code):
        return ProviderChosen(code)
    return select_provider_error()


def select_provider_error() -> Errors:
    errors = Errors()
    errors.add("provider_code", SELECT_PROVIDER)
    return errors


def too_many_mentors(most: int) -> str:
    return f"Select {most} mentors or fewer. You can claim for the other mentors in another claim"


def parse_mentors(form: Form, offered: list[str], most: int) -> list[str] | Errors:
    """The mentors chosen, among those offered (with hours left), in the order offered: at least one, and
    at most as many as one claim can hold."""
    chosen = set(values(form, "mentor_trns"))
    in_order = [trn for trn in offered if trn in chosen]
    errors = Errors()
    if not in_order:
        errors.add("mentor_trns", SELECT_MENTOR)
        return errors
    if len(in_order) > most:
        errors.add("mentor_trns", too_many_mentors(most))
        return errors
    return in_order


@dataclass(frozen=True)
class HoursTyped:
    """The hours page as posted (to show back when it is wrong)."""

    choice: str  # "remaining" or "custom"
    custom: str


def typed_hours(form: Form) -> HoursTyped:
    return HoursTyped(value(form, "hours_choice"), "".join(value(form, "custom_hours").split()))


def parse_hours(form: Form, remaining: int) -> int | Errors:
    """The hours for one mentor: all that is left, or a whole number from 1 to what is left."""
    typed = typed_hours(form)
    errors = Errors()
    if typed.choice == "remaining":
        return remaining
    if typed.choice != "custom":
        errors.add("hours_choice", SELECT_HOURS)
        return errors
    if not typed.custom:
        errors.add("custom_hours", ENTER_HOURS)
        return errors
    hours = whole_number(typed.custom)
    if hours is None or not 1 <= hours <= remaining:
        errors.add("custom_hours", f"Enter the number of hours between 1 and {remaining}")
        return errors
    return hours


def shown_hours(previous: int | None, remaining: int) -> HoursTyped:
    """How the hours page shows hours given before: all that is left, or the number."""
    if previous is None:
        return HoursTyped("", "")
    if previous == remaining:
        return HoursTyped("remaining", "")
    return HoursTyped("custom", str(previous))


def parse_confirm(form: Form, provider_name: str) -> bool | Errors:
    if value(form, "hours_confirmed") == "yes":
        return True
    errors = Errors()
    errors.add("hours_confirmed", f"Confirm you have checked the training hours with {provider_name}")
    return errors
