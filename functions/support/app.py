"""SupportFunction: the DfE support console (/support/*) behind API Gateway."""

from shared.web.app import WebApp
from shared.web.routes import support

app = WebApp([support.router])
lambda_handler = app.handler()
