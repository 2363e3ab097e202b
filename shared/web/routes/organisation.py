"""A school's grant conditions and organisation details."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared.usecases import grant_conditions
from shared.usecases.organisation_details import organisation_details
from shared.web.pages import page, redirect
from shared.web.request import current_request
from shared.web.school import school_page

router = Router()


@router.get("/schools/<school_id>/grant-conditions")
def show_grant_conditions(school_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id, gate=False)
    return page(
        request,
        "schools/grant-conditions.html",
        h1="Grant conditions",
        **school.context("Organisation details"),
        terms=grant_conditions.grant_terms(request.now),
        accepted=school.school.grant_conditions_accepted_at is not None,
    )


@router.post("/schools/<school_id>/grant-conditions")
def accept_grant_conditions(school_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id, gate=False)
    grant_conditions.accept(school.school, school.user, request.now)
    return redirect(f"/schools/{school_id}/claims")


@router.get("/schools/<school_id>/organisation-details")
def show_organisation_details(school_id: str) -> Response[Any]:
    request = current_request(router)
    school = school_page(request, school_id)
    return page(
        request,
        "schools/organisation-details.html",
        h1="Organisation details",
        **school.context("Organisation details"),
        details=organisation_details(school.school, request.now),
    )
