"""GOV.UK form errors and inputs: one error summary linking to fields, one message per field.

Step models (`shared.journeys.*`) parse a posted form into answers or `Errors`; routes pass `errors=errors`
to `page()`; templates use `errors.summary` for the summary and `errors.message("field")` for
`errorMessage`. Pure: a form here is the posted fields (name → values), nothing of the web.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Form = Mapping[str, Sequence[str]]  # a posted form: each field's values, as sent


def value(form: Form, name: str) -> str:
    """A field's first value ("" when it was not sent)."""
    values = form.get(name) or [""]
    return values[0]


def values(form: Form, name: str) -> list[str]:
    return list(form.get(name) or [])


def whole_number(text: str) -> int | None:
    """A whole number typed as ASCII digits (spaces ignored): "²" and "٣" are digits to Python, not to us."""
    digits = "".join(text.split())
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 9:
        return None
    return int(digits)


@dataclass(frozen=True)
class FieldError:
    field: str
    text: str
    target: str  # the id the summary links to (the first input of a date, the first radio)


@dataclass
class Errors:
    items: list[FieldError] = field(default_factory=list)

    def add(self, name: str, text: str, target: str | None = None) -> None:
        if not any(item.field == name for item in self.items):
            self.items.append(FieldError(name, text, target or name))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __contains__(self, name: object) -> bool:
        return any(item.field == name for item in self.items)

    @property
    def summary(self) -> list[dict[str, str]]:
        return [{"text": item.text, "href": f"#{item.target}"} for item in self.items]

    def message(self, name: str) -> dict[str, str] | None:
        for item in self.items:
            if item.field == name:
                return {"text": item.text}
        return None


@dataclass(frozen=True)
class DateAnswer:
    """What a GOV.UK date input sent, kept as typed so the page can show it back."""

    day: str
    month: str
    year: str

    @classmethod
    def from_form(cls, form: Form, name: str) -> DateAnswer:
        def part(which: str) -> str:
            return "".join(value(form, f"{name}-{which}").split())

        return cls(part("day"), part("month"), part("year"))

    @classmethod
    def of(cls, day: dt.date) -> DateAnswer:
        return cls(str(day.day), str(day.month), str(day.year))

    def items(self, name: str, has_error: bool, bad_parts: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """The `items` for govukDateInput, with error classes on the parts that are wrong."""
        parts = (
            ("day", "Day", "govuk-input--width-2", self.day),
            ("month", "Month", "govuk-input--width-2", self.month),
            ("year", "Year", "govuk-input--width-4", self.year),
        )
        return [
            {
                "name": part,
                "label": label,
                "classes": width
                + (" govuk-input--error" if has_error and (not bad_parts or part in bad_parts) else ""),
                "value": value,
            }
            for part, label, width, value in parts
        ]


def parse_past_date(
    answer: DateAnswer, label: str, today: dt.date, empty_message: str | None = None
) -> tuple[dt.date | None, str | None, tuple[str, ...]]:
    """A GOV.UK date input: the date, or the error message and which parts are wrong."""
    day, problem, bad_parts = parse_date(answer, label, empty_message)
    if problem or day is None:
        return None, problem, bad_parts
    if day >= today:
        return None, f"{label} must be in the past", ()
    return day, None, ()


def parse_date(
    answer: DateAnswer, label: str, empty_message: str | None = None
) -> tuple[dt.date | None, str | None, tuple[str, ...]]:
    """A GOV.UK date input, any real date: the date, or the error message and which parts are wrong.

    `label` starts the messages: "Enter the date the window opens", "The date the window opens must
    include a month", "The date the window opens must be a real date".
    """
    present = {"day": answer.day, "month": answer.month, "year": answer.year}
    missing = tuple(part for part, value in present.items() if not value)
    if len(missing) == 3:
        return None, empty_message or f"Enter {label.lower()}", ()
    if missing:
        return None, f"{label} must include a {' and '.join(missing)}", missing
    if not all(part.isascii() and part.isdigit() for part in present.values()) or len(answer.year) != 4:
        return None, f"{label} must be a real date", ()
    try:
        day = dt.date(int(answer.year), int(answer.month), int(answer.day))
    except ValueError:
        return None, f"{label} must be a real date", ()
    return day, None, ()
