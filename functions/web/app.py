"""WebFunction: school and accredited-provider pages behind API Gateway."""

from shared.web.app import WebApp
from shared.web.routes import organisation, providers, public, schools

app = WebApp([public.router, schools.router, organisation.router, providers.router])
lambda_handler = app.handler()
