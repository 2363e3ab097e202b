"""Add the first support user of a fresh deployment: the one person support cannot add from the console.

`python -m infrastructure.add_support_user --stack <stack name> Colin Chapman colin.chapman@education.gov.uk`
finds the stack's tables from CloudFormation (as `infrastructure.rebuild_counters` does) and adds the user
through the console's own use case: the same checks (a DfE domain, an address nobody has), the same conditional
transaction, the same email and an Activity entry whose actor is "Deployment (command line)". Run it once after
the first deploy; every other support user is added by a support user on Support → Users. Without `--stack` it uses the
`*_TABLE` variables already set (the local stack's, a test's).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid
from collections.abc import Sequence

from infrastructure.rebuild_counters import point_at_stack

DEPLOYMENT_ID = "deployment"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first_name")
    parser.add_argument("last_name")
    parser.add_argument("email")
    parser.add_argument("--stack", help="the deployed stack to add the user to (default: the environment's tables)")
    args = parser.parse_args(argv)
    if args.stack:
        point_at_stack(args.stack)
    from shared.claims.people import Role, User
    from shared.claims.support_users import EMAIL_TAKEN
    from shared.config import settings
    from shared.data.items import bind_tables
    from shared.usecases import support_users

    settings.cache_clear()
    bind_tables(settings())
    typed = {"first_name": [args.first_name], "last_name": [args.last_name], "email": [args.email]}
    form = support_users.read_form(typed, f"user-{uuid.uuid4().hex}")
    if form.errors or form.answers is None:
        for problem in form.errors.items:
            print(problem.text, file=sys.stderr)
        return 2
    deployment = User(
        user_id=DEPLOYMENT_ID, first_name="Deployment", last_name="(command line)", email="", role=Role.SUPPORT
    )
    try:
        user = support_users.add(deployment, form.answers, dt.datetime.now(dt.UTC))
    except support_users.EmailTaken:
        print(EMAIL_TAKEN, file=sys.stderr)
        return 2
    print(f"{user.full_name} ({user.email}) is a support user: they can sign in and add the others.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
