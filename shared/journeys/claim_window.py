"""The add (or change) claim window journey: the window's dates and academic year → check answers → save.

The journey starts once the form is valid, so its answers are always whole; "Change" on check answers
shows the form again with them. The form's own rules (real dates, an academic year chosen from those
offered) are here; the rules against other windows (no overlaps, a year the dates fit) come from
`shared.claims.window_rules` through the use case, as problems by field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from shared.journeys.flow import CHECK, Flow, JourneyAnswers, Location, Step
from shared.journeys.forms import DateAnswer, Errors, Form, parse_date, value

KIND = "claim_window"

OPENS_ON = "opens_on"
CLOSES_ON = "closes_on"
ACADEMIC_YEAR = "academic_year"
OPENS_LABEL = "The date the window opens"
CLOSES_LABEL = "The date the window closes"

DETAILS = Location("")  # the form: the journey's own address
CHECK_ANSWERS = Location(CHECK)


class WindowAnswers(JourneyAnswers):
    """A window's answers; `window_id` is empty when adding one."""

    window_id: str = ""
    opens_on: dt.date
    closes_on: dt.date
    academic_year: int  # its start year


FLOW: Flow[WindowAnswers] = Flow(KIND, [Step(DETAILS.step, answered=lambda _: True), Step(CHECK)])

Problems = Mapping[str, str]  # field name → what is wrong (the rules against other windows)
Rules = Callable[[dt.date | None, dt.date | None, int | None], Problems]


@dataclass
class WindowForm:
    """The form as posted (or as the answers fill it): what to show back, its errors, and the answers when
    there are none."""

    opens: DateAnswer
    closes: DateAnswer
    year_value: str
    window_id: str = ""
    errors: Errors = field(default_factory=Errors)
    bad_parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    answers: WindowAnswers | None = None


def blank_form() -> WindowForm:
    empty = DateAnswer("", "", "")
    return WindowForm(empty, empty, "")


def form_for(answers: WindowAnswers, problems: Problems | None = None) -> WindowForm:
    """The form filled with the answers (Change from check answers, or a window being changed), with the
    problems a save found."""
    form = WindowForm(
        DateAnswer.of(answers.opens_on),
        DateAnswer.of(answers.closes_on),
        str(answers.academic_year),
        answers.window_id,
    )
    for name in (OPENS_ON, CLOSES_ON, ACADEMIC_YEAR):
        if problems and name in problems:
            form.errors.add(name, problems[name], target=f"{name}-day" if name != ACADEMIC_YEAR else None)
    return form


def read_form(form: Form, window_id: str, years: Sequence[int], rules: Rules) -> WindowForm:
    """Parse the posted form: dates must be real, the academic year one of `years`, and `rules` (against
    the other windows) must find no problem. Errors in page order; answers only when there are none."""
    read = WindowForm(
        DateAnswer.from_form(form, OPENS_ON), DateAnswer.from_form(form, CLOSES_ON), value(form, ACADEMIC_YEAR)
    )
    read.window_id = window_id
    opens_on, opens_problem, opens_bad = parse_date(read.opens, OPENS_LABEL)
    closes_on, closes_problem, closes_bad = parse_date(read.closes, CLOSES_LABEL)
    year = int(read.year_value) if read.year_value.isascii() and read.year_value.isdigit() else None
    year = year if year in years else None
    problems = rules(opens_on, closes_on, year)
    for name, problem, bad in ((OPENS_ON, opens_problem, opens_bad), (CLOSES_ON, closes_problem, closes_bad)):
        text = problem or problems.get(name)
        if text:
            read.bad_parts[name] = bad
            read.errors.add(name, text, target=f"{name}-{(bad or ('day',))[0]}")
    if ACADEMIC_YEAR in problems:  # including "Select an academic year" when none of `years` was chosen
        read.errors.add(ACADEMIC_YEAR, problems[ACADEMIC_YEAR])
    if not read.errors and opens_on and closes_on and year:
        read.answers = WindowAnswers(window_id=window_id, opens_on=opens_on, closes_on=closes_on, academic_year=year)
    return read
