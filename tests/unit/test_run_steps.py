"""A payment run's steps as its page shows them: each step's state and times, from what the run recorded."""

from __future__ import annotations

import datetime as dt

from shared.claims.payment_runs import PaymentRun, RunStatus
from shared.claims.run_steps import FAILED_AT, STEPS, Step, StepState, finished_key, run_steps, started_key

T0 = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)


def _at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def _run(status: RunStatus, **fields: object) -> PaymentRun:
    return PaymentRun(run_id="w-run-1", window_id="w", created_at=T0.isoformat(), status=status, **fields)


def _states(run: PaymentRun, times: dict[str, dt.datetime]) -> list[StepState]:
    return [step.state for step in run_steps(run, times)]


DONE, IN_PROGRESS, NOT_STARTED, FAILED = (
    StepState.DONE,
    StepState.IN_PROGRESS,
    StepState.NOT_STARTED,
    StepState.FAILED,
)

THROUGH_CHECKS = {
    started_key(Step.CLOSE): _at(0),
    finished_key(Step.CLOSE): _at(1),
    started_key(Step.CHECK): _at(1),
    finished_key(Step.CHECK): _at(3),
}


def test_a_run_waiting_on_review_is_in_its_review_step() -> None:
    steps = run_steps(_run(RunStatus.RUNNING), THROUGH_CHECKS)
    assert [s.state for s in steps] == [DONE, DONE, IN_PROGRESS, NOT_STARTED, NOT_STARTED, NOT_STARTED]
    # Support review began when the checks ended, and has not finished
    assert (steps[2].started_at, steps[2].finished_at) == (_at(3), None)
    assert (steps[1].started_at, steps[1].finished_at) == (_at(1), _at(3))
    assert [s.step for s in steps] == list(STEPS)


def test_a_run_checking_its_claims_is_in_its_check_step() -> None:
    times = {k: v for k, v in THROUGH_CHECKS.items() if k != finished_key(Step.CHECK)}
    assert _states(_run(RunStatus.RUNNING), times) == [DONE, IN_PROGRESS] + [NOT_STARTED] * 4


def test_a_completed_run_is_done_in_every_step_with_the_payer_told_when_it_finished() -> None:
    times = {
        **THROUGH_CHECKS,
        started_key(Step.FILE): _at(10),
        finished_key(Step.FILE): _at(11),
        started_key(Step.RECONCILE): _at(11),
        finished_key(Step.RECONCILE): _at(12),
    }
    steps = run_steps(_run(RunStatus.COMPLETED, finished_at=_at(13)), times)
    assert [s.state for s in steps] == [DONE] * 6
    assert (steps[2].started_at, steps[2].finished_at) == (_at(3), _at(10))  # review: checks' end to file's start
    assert (steps[5].started_at, steps[5].finished_at) == (_at(12), _at(13))  # notify: reconciled to complete


def test_a_completed_run_from_before_steps_were_recorded_is_done_without_times() -> None:
    steps = run_steps(_run(RunStatus.COMPLETED), {})
    assert [s.state for s in steps] == [DONE] * 6
    assert all(s.started_at is None and s.finished_at is None for s in steps)


def test_a_run_that_failed_writing_its_file_shows_that_step_failed_when_it_was_recorded() -> None:
    times = {**THROUGH_CHECKS, started_key(Step.FILE): _at(10), FAILED_AT: _at(12)}
    steps = run_steps(_run(RunStatus.FAILED), times)
    assert [s.state for s in steps] == [DONE, DONE, DONE, FAILED, NOT_STARTED, NOT_STARTED]
    assert (steps[3].started_at, steps[3].finished_at) == (_at(10), _at(12))


def test_a_run_that_failed_before_recording_a_step_shows_its_first_unfinished_step_failed() -> None:
    assert _states(_run(RunStatus.FAILED), {}) == [FAILED] + [NOT_STARTED] * 5
    # Failed between its checks and its file (listing the reviews): the review step failed
    assert _states(_run(RunStatus.FAILED), THROUGH_CHECKS)[2] is FAILED


def test_a_run_that_found_another_run_active_closed_nothing_more() -> None:
    times = {started_key(Step.CLOSE): _at(0), finished_key(Step.CLOSE): _at(0)}
    states = _states(_run(RunStatus.NOT_STARTED, finished_at=_at(0)), times)
    assert states == [DONE] + [NOT_STARTED] * 5


def test_a_retried_run_forgets_the_failed_attempt_s_steps_until_it_records_its_own() -> None:
    failed = {**THROUGH_CHECKS, started_key(Step.FILE): _at(10), FAILED_AT: _at(12)}
    # "Retry run" pressed: the retry's execution has not begun its first step
    retrying = _run(RunStatus.RETRYING, retried_at=_at(20), attempts=1)
    assert _states(retrying, failed) == [NOT_STARTED] * 6
    # The retry closes the window again (its first step starts the step times afresh)
    running = _run(RunStatus.RUNNING, retried_at=_at(20), attempts=1)
    assert _states(running, {started_key(Step.CLOSE): _at(21)})[0] is IN_PROGRESS
