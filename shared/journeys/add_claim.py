"""The add-claim journey: provider → mentors → hours for each mentor → confirm hours → check answers.

The steps and their order are `FLOW`; the step models below turn each page's post into answers or GOV.UK
errors. What a step offers (the providers found, the mentors with hours left, how many hours are left)
comes from `shared.usecases.add_claim`; the rules about it are here.

`DRAFT_FLOW` is the same journey for a DfE support user preparing a draft for a school (ADR 0022): the
school first, then the same provider, mentors and hours steps, and check answers ("Save draft"). It has no
"confirm hours" step: the school confirms the hours with the provider, and makes the declaration, when it
submits the draft. A school changing a draft uses `FLOW`, its answers filled from the draft
(`Answers.draft_reference`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import Field

from shared.journeys.flow import CHECK, Flow, JourneyAnswers, Location, Step
from shared.journeys.forms import Errors, Form, value, values, whole_number

KIND = "add_claim"
DRAFT_KIND = "support_draft_claim"

ENTER_PROVIDER = "Enter an accredited provider name, UKPRN, URN or postcode"
SELECT_PROVIDER = "Select an accredited provider"
SELECT_MENTOR = "Select a mentor"
SELECT_HOURS = "Select the number of hours"
ENTER_HOURS = "Enter the number of hours"
ENTER_SCHOOL = "Enter a school name or URN"
SELECT_SCHOOL = "Select a school"


class StepName(StrEnum):
    SCHOOL = "school"
    SCHOOL_OPTIONS = "school-options"
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
    draft_reference: str | None = None  # the draft DfE support prepared that this journey changes and submits

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

    @classmethod
    def from_draft(cls, reference: str, provider_code: str, hours: dict[str, int]) -> Answers:
        """A school's journey over a draft: its provider, mentors (in the draft's order) and hours filled in,
        check answers already "seen" (a change returns there), the hours still to be confirmed."""
        return cls(
            draft_reference=reference,
            provider_code=provider_code,
            mentor_trns=list(hours),
            hours=dict(hours),
            seen_check=True,
        )


class DraftAnswers(Answers):
    """What a support user has answered so far for a draft: the school, then the school journey's answers."""

    school_id: str | None = None

    def choose_school(self, school_id: str) -> None:
        if school_id != self.school_id:
            # Mentors and hours belong to the school: a new school means choosing them again.
            self.provider_code = None
            self.mentor_trns = []
            self.hours = {}
            self.seen_check = False
        self.school_id = school_id


def _claim_steps[A: Answers](_: type[A]) -> list[Step[A]]:
    """The steps a claim's own questions take, in both journeys (for answers of type `A`)."""
    return [
        Step(StepName.PROVIDER, answered=lambda a: bool(a.provider_code)),
        Step(StepName.PROVIDER_OPTIONS, side_of=StepName.PROVIDER),
        Step(StepName.MENTORS, answered=lambda a: bool(a.mentor_trns)),
        Step(StepName.HOURS, each=lambda a: a.mentor_trns, answered_item=lambda a, trn: trn in a.hours),
    ]


FLOW: Flow[Answers] = Flow(
    KIND,
    [
        *_claim_steps(Answers),
        Step(StepName.CONFIRM, answered=lambda a: a.hours_confirmed),
        Step(StepName.CHECK),
    ],
)

DRAFT_FLOW: Flow[DraftAnswers] = Flow(
    DRAFT_KIND,
    [
        Step(StepName.SCHOOL, answered=lambda a: bool(a.school_id)),
        Step(StepName.SCHOOL_OPTIONS, side_of=StepName.SCHOOL),
        *_claim_steps(DraftAnswers),
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


@dataclass(frozen=True)
class SchoolChosen:
    """A school chosen by its URN, or from the search results."""

    school_id: str


@dataclass(frozen=True)
class SchoolSearch:
    """Words to look schools up by name."""

    query: str


SCHOOL_SEARCH_MAX = 100  # longer than any school's name (GIAS names are at most 100 characters) or URN
SCHOOL_SEARCH_TOO_LONG = f"School name or URN must be {SCHOOL_SEARCH_MAX} characters or fewer"


def looks_like_urn(text: str) -> bool:
    """A URN (or a vendor number for a school without one) is digits only; anything else is a name."""
    compact = "".join(text.split())
    return bool(compact) and compact.isascii() and compact.isdigit()


def parse_school(form: Form, refusal: Callable[[str], str | None]) -> SchoolChosen | SchoolSearch | Errors:
    """The school page's post: a URN (`refusal(urn)` says why that school cannot have a draft, or None), or a
    name to search for, or an error."""
    typed = value(form, "school_search").strip()
    errors = Errors()
    if not typed:
        errors.add("school_search", ENTER_SCHOOL, "school-search")
        return errors
    if len(typed) > SCHOOL_SEARCH_MAX:
        errors.add("school_search", SCHOOL_SEARCH_TOO_LONG, "school-search")
        return errors
    if not looks_like_urn(typed):
        return SchoolSearch(typed)
    urn = "".join(typed.split())
    why = refusal(urn)
    if why is not None:
        errors.add("school_search", why, "school-search")
        return errors
    return SchoolChosen(urn)


def parse_school_option(form: Form, refusal: Callable[[str], str | None]) -> SchoolChosen | Errors:
    """The school search results page's post: one of the schools listed, that can have a draft."""
    school_id = value(form, "school_id").strip()
    errors = Errors()
    if not school_id:
        errors.add("school_id", SELECT_SCHOOL)
        return errors
    why = refusal(school_id)
    if why is not None:
        errors.add("school_id", why)
        return errors
    return SchoolChosen(school_id)


def unknown_school(urn: str) -> str:
    return f"There is no school with URN {urn}. Check the URN, or enter the school’s name"


def school_not_eligible(name: str, academic_year: str) -> str:
    return f"{name} is not eligible to claim funding for mentor training in academic year {academic_year}"


def school_without_mentors(name: str) -> str:
    return f"{name} has not added any mentors. The school must add its mentors before a claim can be prepared"


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
