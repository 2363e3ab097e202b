"""The add user journey: the person's name and email address → check answers → "Add user".

The journey starts once the details are valid, with the id a new user will get chosen there and then, so
two clicks on "Add user" cannot make two users. What is wrong with the details (a missing name, an email
address in use) is the use case's (`shared.usecases.users`), as problems by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import StringConstraints

from shared.journeys.flow import CHECK, Flow, JourneyAnswers, Location, Step
from shared.journeys.forms import Errors, Form, value

KIND = "add_user"
FIRST_NAME = "first_name"
LAST_NAME = "last_name"
EMAIL = "email"
FIELDS = (FIRST_NAME, LAST_NAME, EMAIL)

DETAILS = Location("")  # the details form: the journey's own address
CHECK_ANSWERS = Location(CHECK)

_Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class NewUserAnswers(JourneyAnswers):
    """What was typed on the add user form, tidied: spaces trimmed, the email address lower-cased."""

    first_name: _Text = ""
    last_name: _Text = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True)] = ""
    new_user_id: str = ""  # the id a new user will get: chosen once, when the journey starts

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


FLOW: Flow[NewUserAnswers] = Flow(KIND, [Step(DETAILS.step, answered=lambda _: True), Step(CHECK)])


@dataclass
class UserForm:
    """The details as typed (to show back), their errors, and the tidied answers when there are none."""

    typed: dict[str, str]
    errors: Errors = field(default_factory=Errors)
    answers: NewUserAnswers | None = None


def typed(form: Form) -> dict[str, str]:
    return {name: value(form, name) for name in FIELDS}


def read_form(form: Form, problems: Mapping[str, str], new_user_id: str) -> UserForm:
    """The posted details with the problems found in them (page order); answers only when there are none."""
    read = UserForm(typed(form))
    for name in FIELDS:
        if name in problems:
            read.errors.add(name, problems[name])
    if not read.errors:
        read.answers = NewUserAnswers(**read.typed, new_user_id=new_user_id)
    return read


def form_for(answers: NewUserAnswers, problems: Mapping[str, str] | None = None) -> UserForm:
    """The details form filled with the answers (Change from check answers, or an add refused)."""
    shown = UserForm({FIRST_NAME: answers.first_name, LAST_NAME: answers.last_name, EMAIL: answers.email})
    for name, text in (problems or {}).items():
        shown.errors.add(name, text)
    return shown
