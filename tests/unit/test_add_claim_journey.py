"""The add-claim journey as data (shared.journeys.flow): order, back links, changes from check answers."""

from __future__ import annotations

from shared.journeys.add_claim import FLOW, Answers
from shared.journeys.add_claim import StepName as Step
from shared.journeys.add_claim import at as Location  # noqa: N812 - reads as the location of a step

first_missing, next_after, back_from, reachable = FLOW.first_missing, FLOW.next_after, FLOW.back_from, FLOW.reachable


def _complete() -> Answers:
    answers = Answers()
    answers.choose_provider("N97")
    answers.choose_mentors(["1000001", "1000002"])
    answers.set_hours("1000001", 16)
    answers.set_hours("1000002", 6)
    answers.hours_confirmed = True
    answers.seen_check = True
    return answers


def test_steps_in_order_with_hours_for_each_mentor() -> None:
    answers = Answers()
    assert first_missing(answers) == Location(Step.PROVIDER)
    answers.choose_provider("N97")
    assert next_after(answers) == Location(Step.MENTORS)
    answers.choose_mentors(["1000001", "1000002"])
    assert next_after(answers) == Location(Step.HOURS, "1000001")
    answers.set_hours("1000001", 16)
    assert next_after(answers) == Location(Step.HOURS, "1000002")
    answers.set_hours("1000002", 6)
    assert next_after(answers) == Location(Step.CONFIRM)
    answers.hours_confirmed = True
    assert next_after(answers) == Location(Step.CHECK)


def test_back_links() -> None:
    answers = Answers()
    answers.choose_provider("N97")
    answers.choose_mentors(["1000001", "1000002"])
    assert back_from(answers, Location(Step.PROVIDER)) is None
    assert back_from(answers, Location(Step.MENTORS)) == Location(Step.PROVIDER)
    assert back_from(answers, Location(Step.HOURS, "1000001")) == Location(Step.MENTORS)
    assert back_from(answers, Location(Step.HOURS, "1000002")) == Location(Step.HOURS, "1000001")
    assert back_from(answers, Location(Step.CONFIRM)) == Location(Step.HOURS, "1000002")
    answers.seen_check = True
    assert back_from(answers, Location(Step.MENTORS)) == Location(Step.CHECK)


def test_adding_a_mentor_from_check_answers_asks_their_hours_then_returns() -> None:
    answers = _complete()
    answers.choose_mentors(["1000001", "1000002", "1000003"])
    assert next_after(answers) == Location(Step.HOURS, "1000003")
    answers.set_hours("1000003", 10)
    assert next_after(answers) == Location(Step.CONFIRM)  # changed hours are confirmed again
    answers.hours_confirmed = True
    assert next_after(answers) == Location(Step.CHECK)


def test_removing_a_mentor_drops_their_hours() -> None:
    answers = _complete()
    answers.choose_mentors(["1000002"])
    assert answers.hours == {"1000002": 6}


def test_a_new_provider_starts_mentors_and_hours_again() -> None:
    answers = _complete()
    answers.choose_provider("N97")
    assert answers.hours  # the same provider keeps the answers
    answers.choose_provider("1BJ")
    assert (answers.mentor_trns, answers.hours, answers.seen_check) == ([], {}, False)


def test_steps_cannot_be_skipped_by_url() -> None:
    answers = Answers()
    assert reachable(answers, Location(Step.PROVIDER))
    assert not reachable(answers, Location(Step.MENTORS))
    assert not reachable(answers, Location(Step.CHECK))
    answers.choose_provider("N97")
    answers.choose_mentors(["1000001"])
    assert reachable(answers, Location(Step.HOURS, "1000001"))
    assert not reachable(answers, Location(Step.HOURS, "9999999"))
    assert not reachable(answers, Location(Step.CHECK))


def test_answers_round_trip() -> None:
    answers = _complete()
    assert Answers.model_validate(answers.stored()) == answers
