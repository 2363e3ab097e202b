"""Starting an audit (ADR 0031): the academic year → the sample's preview → "Confirm sample"; or a sample
chosen outside the service, uploaded → its preview → "Confirm sample".

The journey holds the year and the seed the preview was drawn with, server-side, so "Confirm sample"
samples exactly the claims previewed (the same candidates and seed give the same sample), and once
confirmed it is finished, so a second "Confirm sample" does nothing more.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.journeys.flow import CHECK, Flow, JourneyAnswers, Step

KIND = "audit"


class UploadedClaim(BaseModel):
    reference: str
    note: str  # the row's own sample_reason


class AuditAnswers(JourneyAnswers):
    academic_year: int = 0  # its start year (a drawn sample)
    seed: int = 0
    uploaded: list[UploadedClaim] = Field(default_factory=list)  # an uploaded sample's claims, in file order

    @property
    def is_upload(self) -> bool:
        return bool(self.uploaded)


FLOW: Flow[AuditAnswers] = Flow(KIND, [Step(CHECK)])
