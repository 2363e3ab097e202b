"""Starting an audit (ADR 0031): the academic year → the sample's preview → "Confirm sample".

The journey holds the year and the seed the preview was drawn with, server-side, so "Confirm sample"
samples exactly the claims previewed (the same candidates and seed give the same sample), and once
confirmed it is finished, so a second "Confirm sample" does nothing more.
"""

from __future__ import annotations

from shared.journeys.flow import CHECK, Flow, JourneyAnswers, Step

KIND = "audit"


class AuditAnswers(JourneyAnswers):
    academic_year: int  # its start year
    seed: int


FLOW: Flow[AuditAnswers] = Flow(KIND, [Step(CHECK)])
