"""The change funding rates journey: a rate for every region and a reason → check answers → "Propose rates".

The journey starts once the form is valid, so its answers are always whole: each region's rate in pence
(keyed by the region's name) and the reason. The rules for a rate (pounds and pence, more than £0, at most
£1,000.00) are `shared.claims.funding_rates`'s, applied by the use case, as problems by field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shared.journeys.flow import CHECK, Flow, JourneyAnswers, Location, Step
from shared.journeys.forms import Errors, Form, value

KIND = "funding_rates"
REASON = "reason"

DETAILS = Location("")  # the form: the journey's own address
CHECK_ANSWERS = Location(CHECK)


class RateAnswers(JourneyAnswers):
    academic_year: int  # its start year
    rates: dict[str, int]  # region name → pence an hour
    reason: str


FLOW: Flow[RateAnswers] = Flow(KIND, [Step(DETAILS.step, answered=lambda _: True), Step(CHECK)])


def field_name(region_name: str) -> str:
    """The form field of a region's rate: "Inner London" → "rate-inner-london"."""
    return "rate-" + "-".join(region_name.lower().split())


@dataclass
class RatesForm:
    """The form as typed (to show back), its errors in page order, and the answers when there are none."""

    typed: dict[str, str]  # field name → text
    errors: Errors = field(default_factory=Errors)
    answers: RateAnswers | None = None


def typed(form: Form, region_names: Sequence[str]) -> dict[str, str]:
    return {name: value(form, name) for name in [*(field_name(region) for region in region_names), REASON]}


def read_form(
    form: Form, academic_year: int, region_names: Sequence[str], problems: Mapping[str, str], pence: Mapping[str, int]
) -> RatesForm:
    """The posted form with the problems found (page order); answers (rates from `pence`) only when none."""
    read = RatesForm(typed(form, region_names))
    for name in read.typed:
        if name in problems:
            read.errors.add(name, problems[name])
    if not read.errors:
        read.answers = RateAnswers(
            academic_year=academic_year,
            rates={region: pence[region] for region in region_names},
            reason=read.typed[REASON].strip(),
        )
    return read


def form_for(answers: RateAnswers, shown: Mapping[str, str]) -> RatesForm:
    """The form filled from the answers (Change from check answers): `shown` is each rate as pounds and pence."""
    return RatesForm({**{field_name(region): shown[region] for region in answers.rates}, REASON: answers.reason})
