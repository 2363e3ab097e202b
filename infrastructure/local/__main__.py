"""`python -m infrastructure.local`: run the whole service on http://127.0.0.1:3000 (Ctrl-C stops it)."""

from __future__ import annotations

import argparse
import signal
import threading
import time

from infrastructure.local.stack import LocalStack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--moto-port", type=int, default=0)
    args = parser.parse_args()

    started = time.monotonic()
    stack = LocalStack(web_port=args.port, moto_port=args.moto_port).start()
    from shared.data.users import Users

    users = Users()
    print(f"\nClaim funding for mentor training is running at {stack.url}  ({time.monotonic() - started:.1f}s)")
    print("Sign in as one of these personas:")
    for user_id in stack.persona_user_ids:
        user = users.get(user_id)
        if user is not None:
            organisations = ", ".join(o.name for o in users.organisations_of(user_id)) or "DfE support"
            print(f"  - {user.full_name} ({user.role.value}: {organisations})")
    print(f"Local AWS (moto): {stack.environment['AWS_ENDPOINT_URL']}")
    print(f"Emails sent (fake GOV.UK Notify): {stack.environment['NOTIFY_BASE_URL']}/")
    print("Press Ctrl-C to stop.\n", flush=True)

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
        print("Stopped.")


if __name__ == "__main__":
    main()
