"""SupportFunction: the DfE support console (/support/*) behind API Gateway."""

from shared.web.app import WebApp
from shared.web.routes import support, support_claim_windows, support_claims, support_payments, support_review

app = WebApp(
    [
        support.router,
        support_claim_windows.router,
        support_claims.router,
        support_payments.router,
        support_review.router,
    ]
)
lambda_handler = app.handler()
