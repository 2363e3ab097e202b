"""The steps of a payment run as its page shows them: each with its state and when it started and finished.

The claim-window state machine (`infrastructure/statemachines/claim-window.asl.json`) has more states than a
support user follows; its states make six steps, in order:

| step               | the state machine's states                                                  |
|--------------------|-----------------------------------------------------------------------------|
| `CLOSE`            | CloseWindow, RunStarted (→ RunNotStarted when another run is active)       |
| `CHECK`            | PlanValidation, ValidateClaims (ValidatePage for each page of claims)       |
| `REVIEW`           | ListReviews, SupportReview (AwaitReview, ReviewTimedOut per flagged claim)  |
| `FILE`             | GeneratePaymentFile                                                         |
| `RECONCILE`        | ReconcilePaymentFile                                                        |
| `NOTIFY`           | NotifyPayer → Succeeded                                                     |

Any failure goes to RecordFailure → RunFailed: the step the run was in is shown as failed, at the time the
failure was recorded.

Where the times come from: the tasks stamp `<step>_started_at` and `<step>_finished_at` on the run's own record
(`PaymentRuns.stamp_step`), and RecordFailure stamps `failed_at`. The execution history
(states:GetExecutionHistory) could say the same, but it is thousands of events for a large window (a Map
iteration per page of claims), to page through on every refresh of the page; it is one execution per attempt,
where the record is the run across its retries; and the support console's role would need another action. One
UpdateItem per step, read with the GetItem the page already makes, is cheaper and the same under moto.

Two steps are not stamped, because no single task starts and ends them. Support review runs from the end of the
checks (ListReviews follows the last page at once) to the start of the file; it has no task at all when nothing
was flagged. Notifying the payer runs from the end of the reconciliation until the run is complete (NotifyPayer
completes the run once the payer is told).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from shared.claims.payment_runs import PaymentRun, RunStatus


class Step(StrEnum):
    CLOSE = "close_window"
    CHECK = "check_claims"
    REVIEW = "support_review"
    FILE = "payment_file"
    RECONCILE = "reconcile_file"
    NOTIFY = "notify_payer"


STEPS: tuple[Step, ...] = tuple(Step)

STEP_LABELS: dict[Step, str] = {
    Step.CLOSE: "Close the claim window",
    Step.CHECK: "Check the claims",
    Step.REVIEW: "Support review of flagged claims",
    Step.FILE: "Generate the payment file",
    Step.RECONCILE: "Reconcile the payment file",
    Step.NOTIFY: "Send the payer a link to the file",
}

STAMPED: frozenset[Step] = frozenset({Step.CLOSE, Step.CHECK, Step.FILE, Step.RECONCILE})
FAILED_AT = "failed_at"


def started_key(step: Step) -> str:
    return f"{step.value}_started_at"


def finished_key(step: Step) -> str:
    return f"{step.value}_finished_at"


class StepState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FAILED = "failed"


STATE_LABELS: dict[StepState, str] = {
    StepState.NOT_STARTED: "Not started",
    StepState.IN_PROGRESS: "In progress",
    StepState.DONE: "Done",
    StepState.FAILED: "Failed",
}

STATE_COLOURS: dict[StepState, str] = {  # GOV.UK Frontend tag colours; "" is the tag's own blue
    StepState.NOT_STARTED: "grey",
    StepState.IN_PROGRESS: "",
    StepState.DONE: "green",
    StepState.FAILED: "red",
}


@dataclass(frozen=True)
class RunStep:
    step: Step
    state: StepState
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None  # for a failed step: when the failure was recorded

    @property
    def label(self) -> str:
        return STEP_LABELS[self.step]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def colour(self) -> str:
        return STATE_COLOURS[self.state]

    @property
    def reached(self) -> bool:
        return self.state is not StepState.NOT_STARTED


def _span(step: Step, run: PaymentRun, times: Mapping[str, dt.datetime]) -> tuple[dt.datetime | None, ...]:
    if step is Step.REVIEW:
        return times.get(finished_key(Step.CHECK)), times.get(started_key(Step.FILE))
    if step is Step.NOTIFY:
        finished = run.finished_at if run.status == RunStatus.COMPLETED else None
        return times.get(finished_key(Step.RECONCILE)), finished
    return times.get(started_key(step)), times.get(finished_key(step))


def run_steps(run: PaymentRun, times: Mapping[str, dt.datetime]) -> list[RunStep]:
    """Every step of the run in order, from the times its record holds.

    A step is done when it finished or a later step began (or the run is complete); in progress when it began
    and the run is still going; failed when it began and the run failed. A failed run that had not recorded
    the start of the step it failed in (it failed before the step's task got that far) shows its first step
    not done as failed. Times recorded before the run was last retried belong to the attempt that failed:
    until the retry begins its first step, every step is not started.
    """
    if run.retried_at is not None:
        retried_at = run.retried_at
        times = {name: at for name, at in times.items() if at >= retried_at}
    spans = [_span(step, run, times) for step in STEPS]
    failed = run.status == RunStatus.FAILED
    steps: list[RunStep] = []
    for index, (step, (started, finished)) in enumerate(zip(STEPS, spans, strict=True)):
        later_began = any(at is not None for span in spans[index + 1 :] for at in span)
        if finished is not None or later_began or run.status == RunStatus.COMPLETED:
            state = StepState.DONE
        elif started is None:
            state = StepState.NOT_STARTED
        elif failed:
            state = StepState.FAILED
        elif run.active:
            state = StepState.IN_PROGRESS
        else:
            state = StepState.DONE  # a run that did nothing more (another run of its window was active)
        steps.append(RunStep(step, state, started, finished))
    if failed:
        if not any(s.state is StepState.FAILED for s in steps):
            first = next((i for i, s in enumerate(steps) if s.state is StepState.NOT_STARTED), None)
            if first is not None:
                steps[first] = RunStep(steps[first].step, StepState.FAILED)
        steps = [
            RunStep(s.step, s.state, s.started_at, times.get(FAILED_AT)) if s.state is StepState.FAILED else s
            for s in steps
        ]
    return steps
