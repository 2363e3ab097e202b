"""GOV.UK form errors and date inputs."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.journeys.forms import DateAnswer, Errors, parse_past_date

TODAY = dt.date(2026, 11, 28)


def test_errors_keep_the_first_message_per_field_and_link_to_targets() -> None:
    errors = Errors()
    errors.add("trn", "Enter a teacher reference number (TRN)")
    errors.add("trn", "second message is ignored")
    errors.add("date_of_birth", "Enter a date of birth", target="date_of_birth-day")
    assert errors.summary == [
        {"text": "Enter a teacher reference number (TRN)", "href": "#trn"},
        {"text": "Enter a date of birth", "href": "#date_of_birth-day"},
    ]
    assert errors.message("trn") == {"text": "Enter a teacher reference number (TRN)"}
    assert errors.message("other") is None
    assert "trn" in errors
    assert errors


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "parts"),
    [
        ("", "", "", "Enter date of birth", ()),
        ("1", "", "1980", "Date of birth must include a month", ("month",)),
        ("", "", "1980", "Date of birth must include a day and month", ("day", "month")),
        ("31", "2", "1980", "Date of birth must be a real date", ()),
        ("1", "1", "80", "Date of birth must be a real date", ()),
        ("a", "1", "1980", "Date of birth must be a real date", ()),
        ("28", "11", "2026", "Date of birth must be in the past", ()),
    ],
)
def test_date_errors(day: str, month: str, year: str, message: str, parts: tuple[str, ...]) -> None:
    assert parse_past_date(DateAnswer(day, month, year), "Date of birth", TODAY) == (None, message, parts)


def test_a_real_past_date_with_spaces_typed_in() -> None:
    form = {"dob-day": [" 1 "], "dob-month": ["0 1"], "dob-year": ["1980"]}
    answer = DateAnswer.from_form(form, "dob")
    assert parse_past_date(answer, "Date of birth", TODAY) == (dt.date(1980, 1, 1), None, ())
