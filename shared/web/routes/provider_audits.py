"""Accredited provider audits: /providers/{code}/audits/... (only for users of that provider; ADR 0032).

The list of the provider's claims under audit → a claim → "Answer" starts a journey
(`shared.journeys.provider_audit`): for each mentor, whether they completed the hours claimed; for a "No", the
hours they did and why; check answers; "Submit response" stores the answers and moves the claim at once.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.audit_answers import MentorAnswer
from shared.claims.audit_file import InvalidFile
from shared.claims.claim import Claim
from shared.claims.errors import ClaimNotFound, ConcurrentUpdate
from shared.claims.organisations import Provider
from shared.journeys import provider_audit as journey
from shared.journeys.flow import Location
from shared.journeys.forms import Errors
from shared.journeys.provider_audit import FILE_FLOW, FLOW, AuditAnswers, FileAnswers, HoursForm, StepName, at
from shared.usecases import journeys, provider_audits
from shared.usecases.access import provider_for
from shared.usecases.journeys import Opened
from shared.usecases.provider_audits import AlreadyAnswered
from shared.web.flash import set_flash, take_flash
from shared.web.journeys import back_href, continue_to, open_step
from shared.web.pages import page, redirect, require_user
from shared.web.request import Request, current_request
from shared.web.routes.providers import navigation
from shared.web.uploads import MAX_UPLOAD_TEXT

router = Router()

NAV = "Audits"
ALREADY_ANSWERED = "This claim has already been answered"


def _provider(request: Request, code: str) -> tuple[Provider, bool]:
    return provider_for(require_user(request), code)


def _context(provider: Provider, several: bool) -> dict[str, Any]:
    return {"organisation": provider, "can_change_organisation": several, "navigation": navigation(provider.code, NAV)}


def _claim_base(code: str, reference: str) -> str:
    return f"/providers/{code}/audits/{reference}"


def _answered(request: Request, provider: Provider, several: bool, reference: str) -> Response[Any]:
    return page(
        request,
        "providers/audits/answered.html",
        h1=ALREADY_ANSWERED,
        status=409 if request.method == "POST" else 200,
        **_context(provider, several),
        reference=reference,
        back_href=f"/providers/{provider.code}/audits",
    )


@router.get("/providers/<code>/audits")
def audits(code: str) -> Response[Any]:
    request = current_request(router)
    provider, several = _provider(request, code)
    return page(
        request,
        "providers/audits/index.html",
        h1="Audits",
        **_context(provider, several),
        rows=provider_audits.audits(provider),
        flash=take_flash(request),
    )


# -- the audit file uploaded: check, then "Confirm upload" (before /audits/<reference>) -----------------------
UPLOAD_H1 = "Upload the audit file"
FILE_FIELD = "file"


def _upload_page(
    request: Request,
    provider: Provider,
    several: bool,
    errors: Errors,
    row_errors: tuple[Any, ...] = (),
    count: int = 0,
) -> Response[Any]:
    return page(
        request,
        "providers/audits/upload.html",
        h1=UPLOAD_H1,
        **_context(provider, several),
        errors=errors,
        row_errors=row_errors,
        error_count=count,
        max_size=MAX_UPLOAD_TEXT,
        action=f"/providers/{provider.code}/audits/upload",
        back_href=f"/providers/{provider.code}/audits",
    )


@router.get("/providers/<code>/audits/upload")
def upload_form(code: str) -> Response[Any]:
    request = current_request(router)
    provider, several = _provider(request, code)
    return _upload_page(request, provider, several, Errors())


@router.post("/providers/<code>/audits/upload")
def upload_file(code: str) -> Response[Any]:
    request = current_request(router)
    provider, several = _provider(request, code)
    errors = Errors()
    uploaded = request.files.get(FILE_FIELD)
    if request.upload_too_large:
        errors.add(FILE_FIELD, f"The selected file must be smaller than {MAX_UPLOAD_TEXT}")
    elif uploaded is None or not uploaded.filename:
        errors.add(FILE_FIELD, "Select a CSV file to upload")
    if errors or uploaded is None:
        return _upload_page(request, provider, several, errors)
    try:
        result = provider_audits.read_file(provider, uploaded.content)
    except InvalidFile as invalid:
        errors.add(FILE_FIELD, invalid.message)
        return _upload_page(request, provider, several, errors)
    if not result.valid:
        errors.add(FILE_FIELD, "The selected file has errors: correct them and upload it again")
        return _upload_page(request, provider, several, errors, result.shown_errors, result.error_count)
    answers = FileAnswers(
        answers={ref: [a.model_dump(mode="json") for a in given] for ref, given in result.answers.items()}
    )
    journey_id = journeys.start(FILE_FLOW, require_user(request).user_id, code, answers, request.now)
    return redirect(f"/providers/{code}/audits/upload/{journey_id}")


def _open_file(request: Request, code: str, journey_id: str) -> Opened[FileAnswers]:
    return open_step(
        FILE_FLOW,
        FileAnswers,
        journey_id,
        Location("check"),
        lambda _: f"/providers/{code}/audits/upload/{journey_id}",
        owner=require_user(request).user_id,
        organisation_id=code,
        now=request.now,
        finished=lambda _: f"/providers/{code}/audits",
    )


def _file_answers(opened: Opened[FileAnswers]) -> dict[str, tuple[MentorAnswer, ...]]:
    return {
        reference: tuple(MentorAnswer.model_validate(a) for a in given)
        for reference, given in opened.answers.answers.items()
    }


@router.get("/providers/<code>/audits/upload/<journey_id>")
def check_file(code: str, journey_id: str) -> Response[Any]:
    request = current_request(router)
    provider, several = _provider(request, code)
    answers = _file_answers(_open_file(request, code, journey_id))
    return page(
        request,
        "providers/audits/upload-check.html",
        h1="Check the audit file",
        **_context(provider, several),
        answers=answers,
        confirmed=sum(1 for given in answers.values() if all(a.confirmed for a in given)),
        action=f"/providers/{code}/audits/upload/{journey_id}",
        cancel=f"/providers/{code}/audits",
        back_href=f"/providers/{code}/audits/upload",
    )


@router.post("/providers/<code>/audits/upload/<journey_id>")
def confirm_file(code: str, journey_id: str) -> Response[Any]:
    request = current_request(router)
    provider, _ = _provider(request, code)
    answers = _file_answers(_open_file(request, code, journey_id))
    if not journeys.finish(journey_id, "uploaded"):  # a second click: the first one answers
        return redirect(f"/providers/{code}/audits")
    outcome = provider_audits.submit_file(provider, answers, require_user(request), request.now)
    message = f"Audit file uploaded: {outcome.answered} {'claim' if outcome.answered == 1 else 'claims'} answered"
    if outcome.skipped:
        message += f" ({outcome.skipped} already answered, so left as they were)"
    set_flash(request, message, f"/providers/{code}/audits")
    return redirect(f"/providers/{code}/audits")


# Before /audits/<reference>: "download" is not a claim reference.
@router.get("/providers/<code>/audits/download")
def download(code: str) -> Response[Any]:
    request = current_request(router)
    provider, _ = _provider(request, code)
    found = provider_audits.audit_file(provider)
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=found.content,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"', "Cache-Control": "no-store"},
    )


@router.get("/providers/<code>/audits/<reference>")
def audit(code: str, reference: str) -> Response[Any]:
    request = current_request(router)
    provider, several = _provider(request, code)
    try:
        row = provider_audits.audit_claim_shown(provider, reference)
    except AlreadyAnswered:
        return _answered(request, provider, several, reference)
    return page(
        request,
        "providers/audits/claim.html",
        h1=f"Claim {reference}",
        **_context(provider, several),
        row=row,
        claim=row.claim,
        action=_claim_base(code, reference),
        back_href=f"/providers/{code}/audits",
    )


@router.post("/providers/<code>/audits/<reference>")
def start(code: str, reference: str) -> Response[Any]:
    request = current_request(router)
    provider, several = _provider(request, code)
    try:
        row = provider_audits.audit_claim(provider, reference)
    except AlreadyAnswered:
        return _answered(request, provider, several, reference)
    answers = journey.start_answers(reference, [m.trn for m in row.claim.mentors])
    journey_id = journeys.start(FLOW, require_user(request).user_id, code, answers, request.now)
    base = _journey_base(code, reference, journey_id)
    return redirect(FLOW.next_after(answers).path(base))


# -- the journey ----------------------------------------------------------------------------------------
def _journey_base(code: str, reference: str, journey_id: str) -> str:
    return f"{_claim_base(code, reference)}/answers/{journey_id}"


class _Step:
    """A journey page's request, provider, journey, claim and base address."""

    def __init__(self, code: str, reference: str, journey_id: str, here: Location) -> None:
        self.request = current_request(router)
        self.provider, self.several = _provider(self.request, code)
        self.base = _journey_base(code, reference, journey_id)
        self.here = here
        self.opened: Opened[AuditAnswers] = open_step(
            FLOW,
            AuditAnswers,
            journey_id,
            here,
            self.base,
            owner=require_user(self.request).user_id,
            organisation_id=code,
            now=self.request.now,
            finished=lambda _: f"/providers/{code}/audits",
        )
        if self.opened.answers.reference != reference:
            raise ClaimNotFound(reference)
        self.claim: Claim = provider_audits.audit_claim_shown(self.provider, reference).claim

    def render(self, template: str, h1: str, **context: Any) -> Response[Any]:
        return page(
            self.request,
            f"providers/audits/{template}",
            h1=h1,
            **_context(self.provider, self.several),
            claim=self.claim,
            action=self.here.path(self.base),
            back_href=back_href(
                FLOW, self.opened.answers, self.here, self.base, _claim_base(self.provider.code, self.claim.reference)
            ),
            **context,
        )


def _opened(code: str, reference: str, journey_id: str, here: Location) -> _Step | Response[Any]:
    try:
        return _Step(code, reference, journey_id, here)
    except AlreadyAnswered:
        request = current_request(router)
        provider, several = _provider(request, code)
        return _answered(request, provider, several, reference)


def _mentor_page(step: _Step, trn: str, errors: Errors, chosen: bool | None) -> Response[Any]:
    mentor = provider_audits.mentor_of(step.claim, trn)
    return step.render(
        "mentor.html",
        journey.confirmed_question(mentor.full_name, mentor.hours),
        mentor=mentor,
        chosen=chosen,
        errors=errors,
    )


@router.get("/providers/<code>/audits/<reference>/answers/<journey_id>/mentor/<trn>")
def mentor(code: str, reference: str, journey_id: str, trn: str) -> Response[Any]:
    step = _opened(code, reference, journey_id, at(StepName.MENTOR, trn))
    if not isinstance(step, _Step):
        return step
    return _mentor_page(step, trn, Errors(), step.opened.answers.confirmed.get(trn))


@router.post("/providers/<code>/audits/<reference>/answers/<journey_id>/mentor/<trn>")
def answer_mentor(code: str, reference: str, journey_id: str, trn: str) -> Response[Any]:
    step = _opened(code, reference, journey_id, at(StepName.MENTOR, trn))
    if not isinstance(step, _Step):
        return step
    mentor_ = provider_audits.mentor_of(step.claim, trn)
    given = journey.parse_confirmed(step.request.form, mentor_.full_name, mentor_.hours)
    if isinstance(given, Errors):
        return _mentor_page(step, trn, given, None)
    step.opened.answers.set_confirmed(trn, given)
    return redirect(continue_to(FLOW, step.opened, step.base, step.request.now))


def _hours_page(step: _Step, trn: str, form: HoursForm) -> Response[Any]:
    mentor_ = provider_audits.mentor_of(step.claim, trn)
    return step.render(
        "hours.html", journey.hours_question(mentor_.full_name), mentor=mentor_, form=form, errors=form.errors
    )


@router.get("/providers/<code>/audits/<reference>/answers/<journey_id>/hours/<trn>")
def hours(code: str, reference: str, journey_id: str, trn: str) -> Response[Any]:
    step = _opened(code, reference, journey_id, at(StepName.HOURS, trn))
    if not isinstance(step, _Step):
        return step
    answers = step.opened.answers
    given = answers.hours.get(trn)
    return _hours_page(step, trn, HoursForm("" if given is None else str(given), answers.reasons.get(trn, "")))


@router.post("/providers/<code>/audits/<reference>/answers/<journey_id>/hours/<trn>")
def answer_hours(code: str, reference: str, journey_id: str, trn: str) -> Response[Any]:
    step = _opened(code, reference, journey_id, at(StepName.HOURS, trn))
    if not isinstance(step, _Step):
        return step
    form = journey.parse_hours(step.request.form, provider_audits.mentor_of(step.claim, trn).hours)
    if form.errors or form.hours is None:
        return _hours_page(step, trn, form)
    step.opened.answers.set_hours(trn, form.hours, form.reason)
    return redirect(continue_to(FLOW, step.opened, step.base, step.request.now))


@router.get("/providers/<code>/audits/<reference>/answers/<journey_id>/check")
def check(code: str, reference: str, journey_id: str) -> Response[Any]:
    step = _opened(code, reference, journey_id, at(StepName.CHECK))
    if not isinstance(step, _Step):
        return step
    answers = step.opened.answers
    if not answers.seen_check:
        answers.seen_check = True
        journeys.save(journey_id, answers, step.request.now)
    return step.render("check.html", "Check your answers", answers=answers, base=step.base)


@router.post("/providers/<code>/audits/<reference>/answers/<journey_id>/check")
def submit(code: str, reference: str, journey_id: str) -> Response[Any]:
    step = _opened(code, reference, journey_id, at(StepName.CHECK))
    if not isinstance(step, _Step):
        return step
    try:
        provider_audits.submit(step.provider, step.opened.answers, require_user(step.request), step.request.now)
    except AlreadyAnswered:
        return _answered(step.request, step.provider, step.several, reference)
    except ConcurrentUpdate:
        return redirect(_claim_base(code, reference))
    journeys.finish(journey_id, reference)
    set_flash(step.request, f"Response submitted for claim {reference}", f"/providers/{code}/audits")
    return redirect(f"/providers/{code}/audits")
