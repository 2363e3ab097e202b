"""SupportFunction: the DfE support console (/support/*) behind API Gateway."""

from shared.web.app import WebApp
from shared.web.routes import (
    support,
    support_activity,
    support_audit_decisions,
    support_audits,
    support_claim,
    support_claim_windows,
    support_claims,
    support_clawback_requests,
    support_clawback_runs,
    support_drafts,
    support_eligibility,
    support_emails,
    support_funding_rates,
    support_organisations,
    support_payments,
    support_review,
    support_settings,
    support_users,
)

app = WebApp(
    [
        support.router,
        support_activity.router,
        support_audits.router,
        support_claim_windows.router,
        support_claims.router,
        support_drafts.router,
        # Before the organisations pages: /support/organisations/eligible-schools/<id> is not an organisation.
        support_eligibility.router,
        support_funding_rates.router,
        support_organisations.router,
        support_payments.router,
        support_review.router,
        support_settings.router,
        support_emails.router,
        support_users.router,
        support_audit_decisions.router,
        support_clawback_requests.router,
        support_clawback_runs.router,
        # Last: /support/claims/<reference> would otherwise answer for /support/claims/review and the like.
        support_claim.router,
    ]
)
lambda_handler = app.handler()
