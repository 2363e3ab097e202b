"""The add organisation journey (support console): School or Accredited provider → find it among those the
service holds (or "I cannot find the organisation" → type it in) → a school's vendor number → check answers →
"Add organisation".

The steps are data (ADR 0018). Typing an organisation in is a step only when "I cannot find the organisation"
was chosen, and the vendor number only for a school: a step that does not apply counts as answered, so
Continue passes it, and `applies` lets Back pass it too. The rules for typed-in organisations are
`shared.claims.organisation_entry`'s, passed in by the use case (this layer imports no other).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pydantic import Field

from shared.journeys.flow import CHECK, Flow, JourneyAnswers, Location, Step
from shared.journeys.forms import Errors, Form, value

KIND = "add_organisation"

SCHOOL = "school"
PROVIDER = "provider"
TYPE_FIELD = "organisation_type"
SEARCH_FIELD = "search"
CHOICE_FIELD = "organisation"

TYPE = Location("type")
FIND = Location("find")
RESULTS = Location("results")
DETAILS = Location("details")
VENDOR_NUMBER = Location("vendor-number")
CHECK_ANSWERS = Location(CHECK)

SELECT_TYPE = "Select the type of organisation"
ENTER_SCHOOL_SEARCH = "Enter a school name or URN"
ENTER_PROVIDER_SEARCH = "Enter a provider name, UKPRN or provider code"
SELECT_ORGANISATION = "Select an organisation"


class OrganisationAnswers(JourneyAnswers):
    organisation_type: str = ""  # SCHOOL or PROVIDER
    search: str = ""  # what was searched for
    chosen_id: str = ""  # a held organisation chosen: the URN or the provider code
    chosen_name: str = ""
    manual: bool = False  # "I cannot find the organisation": typed in instead
    typed: dict[str, str] = Field(default_factory=dict)  # the organisation typed in, checked
    vendor_number: str = ""

    @property
    def is_school(self) -> bool:
        return self.organisation_type == SCHOOL

    @property
    def found(self) -> bool:
        return bool(self.chosen_id) or (self.manual and bool(self.typed))


def applies(answers: OrganisationAnswers, place: Location) -> bool:
    """Whether the step is part of this journey: typing in only after "I cannot find the organisation", the
    vendor number only for a school."""
    if place.step == DETAILS.step:
        return answers.manual
    if place.step == VENDOR_NUMBER.step:
        return answers.is_school
    return True


FLOW: Flow[OrganisationAnswers] = Flow(
    KIND,
    [
        Step(TYPE.step, answered=lambda a: a.organisation_type in (SCHOOL, PROVIDER)),
        Step(FIND.step, answered=lambda a: bool(a.chosen_id) or a.manual),
        Step(RESULTS.step, side_of=FIND.step),
        Step(DETAILS.step, answered=lambda a: not a.manual or bool(a.typed)),
        Step(VENDOR_NUMBER.step, answered=lambda a: not a.is_school or bool(a.vendor_number)),
        Step(CHECK),
    ],
)


def back_from(answers: OrganisationAnswers, here: Location) -> Location | None:
    """Where Back goes, passing steps that do not apply to these answers."""
    back = FLOW.back_from(answers, here)
    while back is not None and not applies(answers, back):
        back = FLOW.back_from(answers, back)
    return back


def read_type(form: Form) -> tuple[str | None, Errors]:
    chosen = value(form, TYPE_FIELD)
    errors = Errors()
    if chosen not in (SCHOOL, PROVIDER):
        errors.add(TYPE_FIELD, SELECT_TYPE)  # the first radio has the fieldset's id
        return None, errors
    return chosen, errors


def with_type(answers: OrganisationAnswers, chosen: str) -> OrganisationAnswers:
    """The answers with this type: a different type starts the rest of the journey again."""
    if chosen == answers.organisation_type:
        return answers
    return OrganisationAnswers(organisation_type=chosen)


def read_search(form: Form, answers: OrganisationAnswers) -> tuple[str | None, Errors]:
    text = " ".join(value(form, SEARCH_FIELD).split())
    errors = Errors()
    if not text:
        errors.add(SEARCH_FIELD, ENTER_SCHOOL_SEARCH if answers.is_school else ENTER_PROVIDER_SEARCH)
        return None, errors
    if len(text) > 100:
        errors.add(SEARCH_FIELD, "Search must be 100 characters or fewer")
        return None, errors
    return text, errors


def read_choice(form: Form, offered: Mapping[str, str]) -> tuple[str | None, Errors]:
    """The organisation chosen among those offered (id → name)."""
    chosen = value(form, CHOICE_FIELD)
    errors = Errors()
    if chosen not in offered:
        errors.add(CHOICE_FIELD, SELECT_ORGANISATION)
        return None, errors
    return chosen, errors


def chosen(answers: OrganisationAnswers, organisation_id: str, name: str) -> OrganisationAnswers:
    return answers.model_copy(update={"chosen_id": organisation_id, "chosen_name": name, "manual": False, "typed": {}})


def cannot_find(answers: OrganisationAnswers) -> OrganisationAnswers:
    if answers.manual:
        return answers
    return answers.model_copy(update={"chosen_id": "", "chosen_name": "", "manual": True, "typed": {}})


Check = Callable[[dict[str, str]], tuple[dict[str, str], dict[str, str], object | None]]


@dataclass
class TypedForm:
    """An organisation typed in: the values to show back, the errors, and the tidied values when none."""

    values: dict[str, str]
    errors: Errors = field(default_factory=Errors)
    answers: dict[str, str] | None = None


def read_typed(form: Form, fields: tuple[str, ...], check: Check) -> TypedForm:
    typed = {name: value(form, name) for name in fields}
    tidy, problems, entry = check(typed)
    read = TypedForm({name: typed[name] for name in fields})
    for name in fields:
        if name in problems:
            read.errors.add(name, problems[name])
    if entry is not None:
        read.answers = tidy
    return read


def read_vendor_number(
    form: Form, field_name: str, check: Callable[[str], tuple[str, str | None]]
) -> tuple[str, str | None, Errors]:
    typed = value(form, field_name)
    tidy, problem = check(typed)
    errors = Errors()
    if problem:
        errors.add(field_name, problem)
        return typed, None, errors
    return typed, tidy, errors
