"""DownloadFunction: /downloads/{token}, the single-use link to a file that the payer was emailed. GET shows a
page with a "Download the file" button and changes nothing; the button's POST gives the file, once.

A function of its own so that only it (and the support console) can read the files bucket, and only
objects; it reads and updates download links and nothing else. No sign-in: the token is the secret. With
no session there is no session CSRF token: a POST is accepted only from the service's own origin (ADR 12).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.web.app import WebApp
from shared.web.routes import downloads

app = WebApp([downloads.router], csrf="origin")
_handler = app.handler()


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # The payer has no account: never read, renew or end a session here (a support user's cookie on the
    # same site stays as it is, and this function has no access to the sessions table).
    return _handler(downloads.without_cookies(event), context)
