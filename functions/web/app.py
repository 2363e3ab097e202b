"""WebFunction: school and accredited-provider pages behind API Gateway."""

from shared.web.app import WebApp
from shared.web.routes import (
    add_claim,
    mentors,
    organisation,
    provider_audits,
    providers,
    public,
    school_audits,
    schools,
    users,
)

app = WebApp(
    [
        public.router,
        add_claim.router,
        schools.router,
        school_audits.router,
        organisation.router,
        mentors.router,
        users.router,
        providers.router,
        provider_audits.router,
    ]
)
lambda_handler = app.handler()
