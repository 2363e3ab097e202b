"""The rules of answering an audit: the provider's outcome, the provider's hours form and journey, and the
History's lines for the answers (ADR 0032)."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.claims.audit_answers import MentorAnswer, ProviderAnswers, provider_outcome
from shared.claims.claim_history import history
from shared.claims.statuses import ClaimStatus
from shared.journeys.provider_audit import FLOW, AuditAnswers, parse_confirmed, parse_hours

AT = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def _answers(*confirmed: bool, at: dt.datetime = AT) -> ProviderAnswers:
    return ProviderAnswers(
        answered_at=at,
        answered_by="u",
        answered_by_name="Patricia Adeyemi",
        answers=tuple(
            MentorAnswer(trn=str(i), confirmed=c, hours_completed=6 if c else 2, reason="" if c else "Left")
            for i, c in enumerate(confirmed)
        ),
    )


def test_all_confirmed_pays_any_not_rejects() -> None:
    assert provider_outcome(_answers(True, True)) is ClaimStatus.PAID
    assert provider_outcome(_answers(True, False)) is ClaimStatus.SAMPLING_PROVIDER_NOT_APPROVED


@pytest.mark.parametrize(
    ("hours", "reason", "expected", "errors"),
    [
        ("0", "Never came", 0, []),
        ("6", "Counted wrongly", 6, []),
        (" 3 ", "x", 3, []),
        ("", "x", None, ["Enter the number of hours"]),
        ("³", "x", None, ["Enter a whole number"]),
        ("1e3", "x", None, ["Enter a whole number"]),
        ("7", "x", None, ["Number of hours must be 6 or fewer"]),
        ("99999999999", "x", None, ["Enter a whole number"]),
        ("2", "", 2, ["Enter a reason"]),
    ],
)
def test_the_hours_form(hours: str, reason: str, expected: int | None, errors: list[str]) -> None:
    read = parse_hours({"hours_completed": [hours], "reason": [reason]}, 6)
    assert [item.text for item in read.errors.items] == errors
    if not errors:
        assert read.hours == expected


def test_yes_or_no_must_be_chosen() -> None:
    assert parse_confirmed({"confirmed": ["yes"]}, "Ada Lovelace", 6) is True
    assert parse_confirmed({"confirmed": ["no"]}, "Ada Lovelace", 6) is False
    assert not isinstance(parse_confirmed({}, "Ada Lovelace", 6), bool)


def test_the_journey_asks_hours_only_for_a_no() -> None:
    answers = AuditAnswers(reference="1", mentor_trns=["a", "b"])
    assert FLOW.next_after(answers).path("") == "/mentor/a"
    answers.set_confirmed("a", True)
    answers.set_confirmed("b", False)
    assert FLOW.next_after(answers).path("") == "/hours/b"
    answers.set_hours("b", 2, "Left")
    assert FLOW.next_after(answers).path("") == "/check"
    answers.set_confirmed("b", True)  # changed to Yes: its hours and reason go
    assert (answers.hours, answers.reasons) == ({}, {})


def test_history_names_each_mentors_answer_and_the_response() -> None:
    events = [
        {
            "id": f"{AT.isoformat()}#000002#a",
            "action": "rejected_by_provider",
            "actor": "u",
            "detail": {
                "answers": [
                    {"trn": "1", "mentor": "Ada Lovelace", "hours_claimed": 6, "confirmed": True, "hours_completed": 6},
                    {
                        "trn": "2",
                        "mentor": "Alan Turing",
                        "hours_claimed": 6,
                        "confirmed": False,
                        "hours_completed": 2,
                        "reason": "Left",
                    },
                ]
            },
        },
        {
            "id": f"{AT.isoformat()}#000003#b",
            "action": "school_responded_to_audit",
            "actor": "s",
            "detail": {"agrees": False, "explanation": "We have the register"},
        },
    ]
    entries = history(events, {})
    assert entries[1].what == "Audit: the provider did not confirm all the training"
    assert entries[1].details == ("Ada Lovelace: confirmed 6 hours", "Alan Turing: 2 of 6 hours completed (Left)")
    assert entries[0].details == ("Disagrees with the provider: We have the register",)


def test_a_school_response_whose_explanation_is_the_entrys_reason_shows_it_once() -> None:
    from shared.claims.claim_history import history

    event = {
        "id": f"{AT.isoformat()}#000001#a",
        "action": "school_responded_to_audit",
        "actor": "s",
        "reason": "We have the register",
        "detail": {"agrees": False, "explanation": "We have the register"},
    }
    (entry,) = history([event], {})
    assert entry.reason == "We have the register"
    assert entry.details == ("Disagrees with the provider",)
