"""The audit workflow's tasks (infrastructure/statemachines/audit.asl.json, ADR 0031).

Contract, as the claim-window workflow's: each task receives the whole state (or a Map item) and returns
the state merged with its results. The state holds the audit's id, page numbers and counts, never claims
or addresses: each task reads what it needs by key or index.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.claims.audit_emails import AUDIT_CHASER_KIND, AUDIT_REQUESTED_KIND, audit_chaser, audit_requested
from shared.claims.audit_schedule import AuditStatus, NextStep, next_step
from shared.claims.emails import EmailMessage, subject_with_environment
from shared.config import settings
from shared.data.audits import Audit, Audits
from shared.data.emails import enqueue
from shared.data.users import Members
from shared.observability import logger, metrics
from shared.usecases.payment_run_tasks import TransientError


class AuditMissing(Exception):
    """The workflow was started for an audit that has no record."""


class AuditState(BaseModel):
    model_config = ConfigDict(extra="allow")

    audit_id: str
    pages: list[int] = []
    chase_after_seconds: int = 0
    chasers: int = 0
    outstanding: int = 0
    next: str = ""


class PageInput(BaseModel):
    audit_id: str
    page: int
    chaser: int = 0  # 0: the request; n: the n-th weekly chaser


def _audit(audit_id: str) -> Audit:
    audit = Audits().get(audit_id)
    if audit is None:
        raise AuditMissing(audit_id)
    return audit


def plan(state: AuditState) -> AuditState:
    """The audit's providers cut into pages (the email Maps' items) and the wait between chasers."""
    audit = _audit(state.audit_id)
    return state.model_copy(
        update={
            "pages": list(range(audit.pages)),
            "chase_after_seconds": settings().audit_chaser_seconds,
            "chasers": audit.chasers,
        }
    )


def email_page(item: PageInput, now: dt.datetime) -> dict[str, Any]:
    """Email the users of each provider on the page: the request (chaser 0), or the `chaser`-th reminder to
    the providers with claims still waiting. Once per audit, provider, email and user: each queued email is
    noted on the provider's record, and a retry skips those noted."""
    audit = _audit(item.audit_id)
    if audit.deadline is None:
        raise AuditMissing(f"{item.audit_id} has no deadline")
    audits = Audits()
    queued = 0
    for provider_code in audit.page(item.page):
        claims = sum(1 for _ in Audits.outstanding(audit.audit_id, provider_code))
        if claims == 0:
            continue
        sent = audits.emailed(audit.audit_id, provider_code)
        kind = AUDIT_REQUESTED_KIND if item.chaser == 0 else f"{AUDIT_CHASER_KIND}-{item.chaser}"
        link = f"{settings().service_url.rstrip('/')}/providers/{provider_code}/audits"
        for user in Members().of(provider_code):
            key = f"{kind}#{user.user_id}"
            if key in sent:
                continue
            message = (
                audit_requested(
                    user.email, provider_code=provider_code, claims=claims, link=link, deadline=audit.deadline
                )
                if item.chaser == 0
                else audit_chaser(
                    user.email,
                    provider_code=provider_code,
                    claims=claims,
                    link=link,
                    deadline=audit.deadline,
                    number=item.chaser,
                )
            )
            try:
                enqueue([_for_environment(message)])
            except RuntimeError as error:  # the queue refused it: Step Functions retries the page
                raise TransientError(str(error)) from error
            audits.record_emailed(audit.audit_id, provider_code, key, now)
            queued += 1
    logger.info("audit emails queued", extra={"audit_id": audit.audit_id, "page": item.page, "queued": queued})
    return {"audit_id": item.audit_id, "page": item.page, "queued": queued}


def _for_environment(message: EmailMessage) -> EmailMessage:
    return message.model_copy(update={"subject": subject_with_environment(message.subject, settings().environment)})


def mark_requested(state: AuditState) -> AuditState:
    """Every provider has been emailed: the audit is requested (a retry finds it so already)."""
    Audits().move(state.audit_id, AuditStatus.SAMPLING_CONFIRMED, AuditStatus.REQUESTED)
    return state


def check(state: AuditState) -> AuditState:
    """After a week: how many claims still wait for their provider, and what comes next (done, a chaser or
    overdue). A chaser's number is recorded on the audit (set, so a retry records the same)."""
    outstanding = sum(1 for _ in Audits.outstanding(state.audit_id))
    step = next_step(outstanding, state.chasers)
    chasers = state.chasers + 1 if step is NextStep.CHASE else state.chasers
    if step is NextStep.CHASE:
        Audits().record_chasers(state.audit_id, chasers)
    return state.model_copy(update={"outstanding": outstanding, "next": step.value, "chasers": chasers})


def mark_overdue(state: AuditState, now: dt.datetime) -> AuditState:
    """The last chaser went unanswered: the audit's waiting claims are overdue (support's list says so)."""
    Audits().mark_overdue(state.audit_id, now)
    Audits().record_counts(state.audit_id, overdue=state.outstanding)
    metrics.add_metric(name="AuditOverdue", unit="Count", value=1)
    return state


def complete(state: AuditState) -> AuditState:
    """No claim of the audit waits for its provider any more."""
    Audits().move(state.audit_id, AuditStatus.REQUESTED, AuditStatus.COMPLETE)
    return state


def record_failure(state: dict[str, Any]) -> dict[str, Any]:
    """The Catch target: the audit is recorded failed, with the error (its claims stay where they are)."""
    error = state.get("error") if isinstance(state.get("error"), dict) else {}
    assert isinstance(error, dict)
    audit_id = state.get("audit_id")
    if isinstance(audit_id, str) and Audits().get(audit_id) is not None:
        Audits().record_failure(audit_id, str(error.get("Error", "Unknown")), str(error.get("Cause", "")))
    metrics.add_metric(name="AuditFailed", unit="Count", value=1)
    logger.error("audit workflow failed", extra={"audit_id": audit_id, "error": error.get("Error")})
    return {**state, "failed": True}


def run(event: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """One Lambda for the audit's steps, by `action` (as the validation function plans and checks pages): a
    Map item for "email", else `{"action": ..., "state": <the whole state>}`, answered with the new state."""
    action = event.get("action")
    if action == "email":
        return email_page(PageInput.model_validate(event), now)
    state = AuditState.model_validate(event.get("state") or {})
    if action == "plan":
        result = plan(state)
    elif action == "requested":
        result = mark_requested(state)
    elif action == "check":
        result = check(state)
    elif action == "overdue":
        result = mark_overdue(state, now)
    elif action == "complete":
        result = complete(state)
    else:
        raise ValueError(f"unknown audit task action {action!r}")
    return result.model_dump()
