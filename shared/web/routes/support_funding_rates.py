"""Support console: Settings → Funding rates, /support/settings/funding-rates/... (ADR 0027)

Rates page → "Change rates" for a year (a rate per region and a reason, check your answers, "Propose rates")
→ the rates page, where the proposal waits; another support user opens it → "Approve rates" (or "Reject
rates" with a reason) → the rates page with a banner. The change is a journey (`shared.journeys.funding_rates`,
ADR 0018): once proposed it is finished, so a repeated "Propose rates" proposes nothing more.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.claims.academic_years import AcademicYear
from shared.claims.errors import ConcurrentUpdate
from shared.claims.funding_rates import OwnProposal, ProposalDecided, ProposalPending, may_decide
from shared.journeys.flow import Location
from shared.journeys.funding_rates import CHECK_ANSWERS, DETAILS, FLOW, RateAnswers
from shared.usecases import funding_rates, journeys
from shared.usecases.funding_rates import BASE, REASON, REGION_NAMES, RatesForm, field_name
from shared.usecases.journeys import Opened
from shared.web.flash import set_flash, take_flash
from shared.web.journeys import open_step
from shared.web.pages import ShowInstead, page, redirect
from shared.web.request import Request, current_request
from shared.web.support import SupportPage, support_page

router = Router()

NAV = "Settings"
SUPPORT = "support"  # the organisation a support user's journeys belong to

FUNDING_RATES = "Funding rates"
CHECK = "Check your answers"
REJECT = "Reject rates"
WAITING = "Waiting for approval by another support user"
CANNOT_CHANGE = "You cannot change these rates yet"
CANNOT_APPROVE_OWN = "You cannot approve rates you proposed"
CANNOT_REJECT_OWN = "You cannot reject rates you proposed"
ALREADY_DECIDED = "These rates have already been decided"
TRY_AGAIN = "The rates could not be approved"


def _change_h1(year: AcademicYear) -> str:
    return f"Change funding rates for {year.name}"


def _proposal_h1(year: AcademicYear) -> str:
    return f"Proposed funding rates for {year.name}"


def _year_base(year: AcademicYear) -> str:
    return f"{BASE}/{year.start_year}"


def _proposal_base(year: AcademicYear, proposal_id: str) -> str:
    return f"{_year_base(year)}/proposals/{proposal_id}"


def _journey_base(journey_id: str) -> str:
    return f"{BASE}/answers/{journey_id}"


def _open(request: Request, support: SupportPage, journey_id: str, here: Location) -> Opened[RateAnswers]:
    """The journey at `here` (404 for one that is not this user's); once proposed, the rates page."""
    return open_step(
        FLOW,
        RateAnswers,
        journey_id,
        here,
        _journey_base(journey_id),
        owner=support.user.user_id,
        organisation_id=SUPPORT,
        now=request.now,
        finished=lambda _: BASE,
    )


def _refused(request: Request, support: SupportPage, h1: str, reasons: list[str], back: str) -> Response[Any]:
    return page(
        request,
        "support/settings/funding-rates/refused.html",
        h1=h1,
        status=409 if request.method == "POST" else 200,
        **support.context(NAV),
        reasons=reasons,
        back=back,
    )


def _pending_refusal(request: Request, support: SupportPage, year: AcademicYear) -> ShowInstead:
    reasons = [f"New rates for {year.name} are waiting for approval. They must be approved or rejected first."]
    return ShowInstead(_refused(request, support, CANNOT_CHANGE, reasons, BASE))


def _form_page(
    request: Request, support: SupportPage, year: AcademicYear, form: RatesForm, *, action: str, back: str
) -> Response[Any]:
    current = funding_rates.year(year).rates
    return page(
        request,
        "support/settings/funding-rates/form.html",
        h1=_change_h1(year),
        **support.context(NAV),
        regions=[(region.value, field_name(region.value), pence) for region, pence in current.rates.items()],
        typed=form.typed,
        reason_field=REASON,
        action=action,
        back=back,
        cancel=BASE,
        errors=form.errors,
    )


# -- the rates page -------------------------------------------------------------------------------------
@router.get(BASE)
def list_rates() -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return page(
        request,
        "support/settings/funding-rates/index.html",
        h1=FUNDING_RATES,
        **support.context(NAV),
        years=funding_rates.years(request.now),
        me=support.user.user_id,
        waiting=WAITING,
        base=BASE,
        banner=take_flash(request),
    )


# -- proposing ------------------------------------------------------------------------------------------
@router.get(f"{BASE}/<start_year>/change")
def change_rates(start_year: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    year = funding_rates.year_of(start_year, request.now)
    try:
        form = funding_rates.change_form(year)
    except ProposalPending:
        raise _pending_refusal(request, support, year) from None
    action = f"{_year_base(year)}/change"
    return _form_page(request, support, year, form, action=action, back=BASE)


@router.post(f"{BASE}/<start_year>/change")
def submit_rates(start_year: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    year = funding_rates.year_of(start_year, request.now)
    form = funding_rates.read_form(request.form, year)
    action = f"{_year_base(year)}/change"
    if form.answers is None:
        return _form_page(request, support, year, form, action=action, back=BASE)
    journey_id = journeys.start(FLOW, support.user.user_id, SUPPORT, form.answers, request.now)
    return redirect(CHECK_ANSWERS.path(_journey_base(journey_id)))


@router.get(f"{BASE}/answers/<journey_id>")
def change_answers(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, DETAILS)
    year = AcademicYear(opened.answers.academic_year)
    base = _journey_base(journey_id)
    form = funding_rates.form_for(opened.answers)
    return _form_page(request, support, year, form, action=base, back=CHECK_ANSWERS.path(base))


@router.post(f"{BASE}/answers/<journey_id>")
def submit_changed_answers(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, DETAILS)
    year = AcademicYear(opened.answers.academic_year)
    base = _journey_base(journey_id)
    form = funding_rates.read_form(request.form, year)
    if form.answers is None:
        return _form_page(request, support, year, form, action=base, back=CHECK_ANSWERS.path(base))
    journeys.save(journey_id, form.answers, request.now)
    return redirect(CHECK_ANSWERS.path(base))


@router.get(f"{BASE}/answers/<journey_id>/check")
def check_rates(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, CHECK_ANSWERS)
    year = AcademicYear(opened.answers.academic_year)
    base = _journey_base(journey_id)
    return page(
        request,
        "support/settings/funding-rates/check.html",
        h1=CHECK,
        **support.context(NAV),
        caption=_change_h1(year),
        answers=opened.answers,
        current=funding_rates.year(year).rates,
        regions=REGION_NAMES,
        change=base,
        action=CHECK_ANSWERS.path(base),
        cancel=BASE,
    )


@router.post(f"{BASE}/answers/<journey_id>/check")
def propose_rates(journey_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    opened = _open(request, support, journey_id, CHECK_ANSWERS)
    year = AcademicYear(opened.answers.academic_year)
    try:
        proposal = funding_rates.propose(support.user, opened.answers, request.now)
    except ProposalPending:
        raise _pending_refusal(request, support, year) from None
    journeys.finish(journey_id, proposal.proposal_id)
    set_flash(request, f"New rates for {year.name} proposed. {WAITING}.", BASE)
    return redirect(BASE)


# -- deciding -------------------------------------------------------------------------------------------
def _proposal_page(request: Request, support: SupportPage, start_year: str, proposal_id: str) -> Response[Any]:
    year = funding_rates.year_of(start_year, request.now)
    proposal = funding_rates.proposal(year, proposal_id)
    base = _proposal_base(year, proposal_id)
    return page(
        request,
        "support/settings/funding-rates/proposal.html",
        h1=_proposal_h1(year),
        **support.context(NAV),
        proposal=proposal,
        may_decide=may_decide(proposal, support.user.user_id),
        mine=proposal.proposed_by_id == support.user.user_id,
        waiting=WAITING,
        approve=f"{base}/approve",
        reject=f"{base}/reject",
        back=BASE,
    )


@router.get(f"{BASE}/<start_year>/proposals/<proposal_id>")
def show_proposal(start_year: str, proposal_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return _proposal_page(request, support, start_year, proposal_id)


@router.post(f"{BASE}/<start_year>/proposals/<proposal_id>/approve")
def approve_rates(start_year: str, proposal_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    year = funding_rates.year_of(start_year, request.now)
    back = _proposal_base(year, proposal_id)
    try:
        funding_rates.approve(support.user, year, proposal_id, request.now)
    except OwnProposal:
        reasons = ["Another support user must approve rates you proposed."]
        return _refused(request, support, CANNOT_APPROVE_OWN, reasons, back)
    except ProposalDecided:
        return _refused(
            request, support, ALREADY_DECIDED, ["Another support user approved or rejected them first."], back
        )
    except ConcurrentUpdate:
        reasons = ["Another support user was deciding these rates at the same moment. Look at them again."]
        return _refused(request, support, TRY_AGAIN, reasons, back)
    set_flash(request, f"New rates for {year.name} approved", BASE)
    return redirect(BASE)


def _reject_page(
    request: Request, support: SupportPage, start_year: str, proposal_id: str, typed: str, errors: Any = None
) -> Response[Any]:
    year = funding_rates.year_of(start_year, request.now)
    proposal = funding_rates.proposal(year, proposal_id)
    base = _proposal_base(year, proposal_id)
    return page(
        request,
        "support/settings/funding-rates/reject.html",
        h1=REJECT,
        **support.context(NAV),
        proposal=proposal,
        typed=typed,
        reason_field=REASON,
        action=f"{base}/reject",
        back=base,
        errors=errors,
    )


@router.get(f"{BASE}/<start_year>/proposals/<proposal_id>/reject")
def confirm_reject(start_year: str, proposal_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    return _reject_page(request, support, start_year, proposal_id, "")


@router.post(f"{BASE}/<start_year>/proposals/<proposal_id>/reject")
def reject_rates(start_year: str, proposal_id: str) -> Response[Any]:
    request = current_request(router)
    support = support_page(request)
    year = funding_rates.year_of(start_year, request.now)
    back = _proposal_base(year, proposal_id)
    reason, errors = funding_rates.read_rejection(request.form)
    if reason is None:
        return _reject_page(request, support, start_year, proposal_id, request.field(REASON), errors)
    try:
        funding_rates.reject(support.user, year, proposal_id, reason, request.now)
    except OwnProposal:
        return _refused(request, support, CANNOT_REJECT_OWN, ["Another support user must decide on them."], back)
    except ProposalDecided:
        return _refused(
            request, support, ALREADY_DECIDED, ["Another support user approved or rejected them first."], back
        )
    except ConcurrentUpdate:
        reasons = ["Another support user was deciding these rates at the same moment. Look at them again."]
        return _refused(request, support, TRY_AGAIN, reasons, back)
    set_flash(request, f"New rates for {year.name} rejected", BASE)
    return redirect(BASE)
