"""The add mentor journey: find the teacher (TRN and date of birth) → check answers → "Confirm and add mentor".

Looking a teacher up starts the journey with what the Teaching Record said: the TRN and, when found, the
names. The date of birth is parsed here for that one lookup and is never part of the answers, so it is
never stored (a test scans every table item for it). A lookup that found no one goes to "No results".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from shared.journeys.flow import CHECK, Flow, JourneyAnswers, Location, Step
from shared.journeys.forms import DateAnswer, Errors, Form, parse_past_date, value

KIND = "add_mentor"
TRN_FIELD = "trn"
DATE_FIELD = "date_of_birth"
PRIVACY_FIELD = "privacy_notice"

ENTER_TRN = "Enter a teacher reference number (TRN)"
VALID_TRN = "Enter a valid teacher reference number (TRN)"
ENTER_DATE_OF_BIRTH = "Enter a date of birth"

NO_RESULTS = Location("no-results")
CHECK_ANSWERS = Location(CHECK)

_TRN = re.compile(r"\d{7}")


class LookupAnswers(JourneyAnswers):
    """What a lookup found: the TRN searched for, and the teacher's names when the Teaching Record has them."""

    trn: str
    first_name: str = ""
    last_name: str = ""

    @property
    def found(self) -> bool:
        return bool(self.first_name and self.last_name)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


FLOW: Flow[LookupAnswers] = Flow(
    KIND, [Step(NO_RESULTS.step, answered=lambda a: a.found), Step(CHECK)]
)  # found: check answers; not found: "No results"


def clean_trn(raw: str) -> str:
    """A TRN as typed, without any whitespace (dictation software puts spaces between digits)."""
    return "".join(raw.split())


def trn_error(trn: str) -> str | None:
    if not trn:
        return ENTER_TRN
    if not trn.isascii() or not _TRN.fullmatch(trn):
        return VALID_TRN
    return None


@dataclass(frozen=True)
class FindTeacher:
    """A lookup to make: the TRN, and the date of birth (for that lookup only)."""

    trn: str
    date_of_birth: dt.date


@dataclass
class FindForm:
    """The find teacher form as typed (to show back), with its errors."""

    trn: str = ""
    birth: DateAnswer = field(default_factory=lambda: DateAnswer("", "", ""))
    errors: Errors = field(default_factory=Errors)
    bad_parts: tuple[str, ...] = ()


def read_find_form(form: Form, today: dt.date) -> FindTeacher | FindForm:
    typed = FindForm(value(form, TRN_FIELD), DateAnswer.from_form(form, DATE_FIELD))
    trn = clean_trn(typed.trn)
    problem = trn_error(trn)
    if problem:
        typed.errors.add(TRN_FIELD, problem)
    date_of_birth, date_problem, bad_parts = parse_past_date(
        typed.birth, "Date of birth", today, empty_message=ENTER_DATE_OF_BIRTH
    )
    if date_problem:
        typed.bad_parts = bad_parts
        typed.errors.add(DATE_FIELD, date_problem, target=f"{DATE_FIELD}-{(bad_parts or ('day',))[0]}")
    if typed.errors or date_of_birth is None:
        return typed
    return FindTeacher(trn, date_of_birth)


def already_added(form: Form, message: str) -> FindForm:
    """The form again, saying the teacher is already one of the school's mentors."""
    typed = FindForm(value(form, TRN_FIELD), DateAnswer.from_form(form, DATE_FIELD))
    typed.errors.add(TRN_FIELD, message)
    return typed


def privacy_confirmed(form: Form, full_name: str) -> bool | Errors:
    if value(form, PRIVACY_FIELD) == "yes":
        return True
    errors = Errors()
    errors.add(PRIVACY_FIELD, f"Confirm that {full_name} has been told about the privacy notice")
    return errors
