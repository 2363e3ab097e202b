"""Cold first response: a web function's import and its first request, in a fresh interpreter, against a floor.

What a visitor waits for on a cold start is more than the import `cold-start` times: the handler's module-level
work and then the first request, which pays for everything built on first use (botocore's endpoint data and
DynamoDB client, PynamoDB's connection, the Jinja environment and each template's compilation, the first pydantic
validation). Each sample is one fresh interpreter that imports the handler module and calls the handler once with
an API Gateway proxy event, timed with `time.perf_counter()` from before the import to the returned response.

The requests, on the local stack's data (`infrastructure/local`: moto's server on 127.0.0.1, seeded with the
demo data, in this process; the children reach it through `AWS_ENDPOINT_URL`):

- WebFunction, `GET /`: the start page (the current claim window, no session);
- WebFunction, a school user's first page after signing in (Anne Wilson's school: session, user, school, page);
- SupportFunction, `GET /support` as the support persona (session, user, the Overview's counters and lists).

Each signed-in sample gets a session saved just before it, so no sample writes the session back (the shell
writes at most once a minute) and every sample does the same requests.

The floor is a handler written for the purpose with the same libraries and nothing of the service: Powertools'
Logger, Metrics and Tracer decorating it, a pydantic model of its settings read from the environment, one
PynamoDB model and one GetItem (a session), and one Jinja page (the service's "Page not found", through the same
layout and GOV.UK Frontend macros). The goal: each function's first response at most 1.3× the floor's.

Tracing, both ways. "tracing off" is the environment of the local stack and the tests (`POWERTOOLS_TRACE_DISABLED`,
not in Lambda); "as in AWS" is tracing on (`LAMBDA_TASK_ROOT` set, a sampled `_X_AMZN_TRACE_ID`), so Powertools'
Tracer imports the X-Ray SDK, patches botocore and sends a subsegment per AWS call to `AWS_XRAY_DAEMON_ADDRESS`,
here a UDP socket of this process that counts the datagrams (a proof that the child traced). The floor follows
the same rule as the service (ADR 0043): it builds Powertools' `Tracer` only where tracing is on. A third pass,
"restored from a SnapStart snapshot", is tracing on as in AWS with Lambda's runtime hooks (`snapshot_restore_py`)
stood in for: the import and the before-snapshot hooks are the init Lambda runs when it publishes a version (not
counted, shown apart), and what is judged is the first request after the after-restore hooks, against the floor
handler's first request restored the same way. Lambda's own restore of the snapshot is not measurable here.

The children may reach only the loopback (the local stack): any other connection is refused and reported.
Rounds are interleaved (every target once per round) after one untimed warm-up round that writes bytecode
caches; the median of at most `MAX_ROUNDS` rounds is reported, fewer when another round would end after the
mode's share of `DEADLINE_SECONDS` (at least one round always runs).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tests.bench import Benchmark, Options

__all__ = [
    "BENCHMARK",
    "FLOOR_STATEMENTS",
    "GOAL_RATIO",
    "Sample",
    "Scenario",
    "child_code",
    "format_table",
    "parse_sample",
    "verdict",
]

GOAL_RATIO = 1.3
MAX_ROUNDS = 5
DEADLINE_SECONDS = 150.0  # no new round starts after this: the whole benchmark stays under 3 minutes
TIMEOUT_SECONDS = 60
MARKER = "cold-first-response-bench: "
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

# The floor handler: the libraries, Powertools' three utilities, one GetItem and one Jinja page. `handler` is what
# the child calls. Its Tracer follows Powertools' own rule for when tracing is on, as shared.observability does.
FLOOR_STATEMENTS: tuple[str, ...] = (
    "import os",
    "import boto3",
    "import jinja2",
    "import pydantic",
    "from aws_lambda_powertools import Logger, Metrics, Tracer",
    "from pynamodb.attributes import UnicodeAttribute",
    "from pynamodb.models import Model",
    "class FloorSettings(pydantic.BaseModel):\n"
    "        sessions_table: str\n"
    "        aws_region: str\n"
    "        templates_path: str = 'templates'",
    "settings = FloorSettings(sessions_table=os.environ['SESSIONS_TABLE'], aws_region=os.environ['AWS_REGION'])",
    "class FloorSession(Model):\n"
    "        class Meta:\n"
    "            table_name = settings.sessions_table\n"
    "            region = settings.aws_region\n"
    "        session_id = UnicodeAttribute(hash_key=True)",
    "logger, metrics = Logger(), Metrics()",
    "tracer = None if Tracer._is_tracer_disabled() else Tracer()",
    "def floor_handler(event, context):\n"
    "        try:\n"
    "            found = FloorSession.get(event['path'])\n"
    "        except FloorSession.DoesNotExist:\n"
    "            found = None\n"
    "        environment = jinja2.Environment(\n"
    "            loader=jinja2.ChoiceLoader([\n"
    "                jinja2.FileSystemLoader(settings.templates_path),\n"
    "                jinja2.PrefixLoader({'govuk_frontend_jinja': jinja2.PackageLoader('govuk_frontend_jinja', "
    "'templates')}),\n"
    "            ]),\n"
    "            autoescape=True,\n"
    "        )\n"
    "        environment.globals['support_link'] = lambda: 'support'\n"
    "        body = environment.get_template('errors/not-found.html').render(\n"
    "            h1='Page not found', page_title='Page not found', csp_nonce='n', found=found\n"
    "        )\n"
    "        return {'statusCode': 404, 'headers': {'Content-Type': 'text/html'}, 'body': body}",
    "handler = logger.inject_lambda_context(metrics.log_metrics(\n"
    "        tracer.capture_lambda_handler(floor_handler, capture_response=False) if tracer else floor_handler\n"
    "    ))",
)


@dataclass(frozen=True)
class Scenario:
    """One first request: which handler serves it, the request, and who is signed in (a persona's role)."""

    name: str
    function: str | None  # the template's logical id; None for the floor
    module: str | None
    path: str
    role: str | None = None  # "school" or "support": a session for that persona is sent

    @property
    def statements(self) -> tuple[str, ...]:
        if self.module is None:
            return FLOOR_STATEMENTS
        return (f"import {self.module} as function_module", "handler = function_module.lambda_handler")


FLOOR = Scenario(name="floor", function=None, module=None, path="/floor-session")


@dataclass(frozen=True)
class Sample:
    """One interpreter: the import, the first request and both together, in seconds; what it answered."""

    import_seconds: float | None
    request_seconds: float | None
    status: int | None = None
    network: tuple[str, ...] = ()
    error: str | None = None
    location: str | None = None  # where a redirect pointed
    cpu_import_seconds: float | None = None  # time.process_time() over the same two steps
    cpu_request_seconds: float | None = None

    @property
    def answer(self) -> str | None:
        if self.status is None:
            return None
        return f"{self.status} to {self.location}" if self.location else str(self.status)

    @property
    def total_seconds(self) -> float | None:
        if self.import_seconds is None or self.request_seconds is None or self.error is not None:
            return None
        return self.import_seconds + self.request_seconds


@dataclass
class Measurement:
    scenario: Scenario
    samples: list[Sample] = field(default_factory=list)
    datagrams: int = 0  # X-Ray UDP datagrams its children sent
    init_cpu_seconds: list[float] = field(default_factory=list)  # restored: the init, done when publishing

    def _median(self, values: Sequence[float | None]) -> float | None:
        measured = [value for value in values if value is not None]
        if not measured or self.errors:
            return None
        return statistics.median(measured) * 1000

    @property
    def total_ms(self) -> float | None:
        return self._median([sample.total_seconds for sample in self.samples])

    @property
    def import_ms(self) -> float | None:
        return self._median([sample.import_seconds for sample in self.samples])

    @property
    def request_ms(self) -> float | None:
        return self._median([sample.request_seconds for sample in self.samples])

    def cpu_view(self) -> Measurement:
        """The same samples with their CPU times as their times (for the CPU table)."""
        return Measurement(
            self.scenario,
            [
                replace(sample, import_seconds=sample.cpu_import_seconds, request_seconds=sample.cpu_request_seconds)
                for sample in self.samples
            ],
            self.datagrams,
        )

    @property
    def totals(self) -> list[float]:
        return [total for sample in self.samples if (total := sample.total_seconds) is not None]

    @property
    def errors(self) -> list[str]:
        return sorted({sample.error for sample in self.samples if sample.error is not None})

    @property
    def answers(self) -> list[str]:
        return sorted({answer for sample in self.samples if (answer := sample.answer) is not None})

    @property
    def network(self) -> list[str]:
        return sorted({call for sample in self.samples for call in sample.network})


# -- pure parts --------------------------------------------------------------------------------------------------
def verdict(value_ms: float, floor_ms: float, goal: float = GOAL_RATIO) -> str:
    if floor_ms <= 0:
        raise ValueError(f"the floor must be positive, got {floor_ms}")
    if value_ms / floor_ms <= goal:
        return "meets"
    return f"MISSES (+{value_ms - goal * floor_ms:.0f} ms over)"


_CHILD_PREAMBLE = """\
import json
import socket
import sys
import time

_network = []
_LOOPBACK = ("127.0.0.1", "::1", "localhost")
_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _allowed(address):
    host = address[0] if isinstance(address, tuple) else address
    if host in _LOOPBACK or not isinstance(address, tuple):
        return True
    _network.append(repr(address))
    return False


def _guarded_connect(self, address, *args, **kwargs):
    if not _allowed(address):
        raise OSError(f"refused by the cold-first-response benchmark: connect {address!r}")
    return _connect(self, address, *args, **kwargs)


def _guarded_connect_ex(self, address, *args, **kwargs):
    if not _allowed(address):
        raise OSError(f"refused by the cold-first-response benchmark: connect {address!r}")
    return _connect_ex(self, address, *args, **kwargs)


def _guarded_getaddrinfo(host, port, *args, **kwargs):
    if not _allowed((host, port)):
        raise OSError(f"refused by the cold-first-response benchmark: getaddrinfo {host!r}")
    return _getaddrinfo(host, port, *args, **kwargs)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
socket.getaddrinfo = _guarded_getaddrinfo


class _Context:
    function_name = "{function_name}"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:{function_name}"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000000"

    def get_remaining_time_in_millis(self):
        return 30000


_event = json.loads(sys.stdin.read())
_imported = _answered = _cpu_imported = _cpu_answered = _status = _location = _error = None
"""


_SNAPSHOT_HOOKS = """\
import types

_before_snapshot, _after_restore = [], []
_hooks = types.ModuleType("snapshot_restore_py")
_hooks.register_before_snapshot = lambda function, *args, **kwargs: _before_snapshot.append((function, args, kwargs))
_hooks.register_after_restore = lambda function, *args, **kwargs: _after_restore.append((function, args, kwargs))
sys.modules["snapshot_restore_py"] = _hooks
"""

# Restored: the init (import, then the before-snapshot hooks, latest registered first) is what Lambda does when it
# publishes the version; the timed first request starts with the after-restore hooks, in their order.
_RESTORE = (
    "    for _function, _args, _kwargs in reversed(_before_snapshot):\n"
    "        _function(*_args, **_kwargs)\n"
    "    _imported, _cpu_imported = time.perf_counter() - _start, time.process_time() - _cpu_start\n"
    "    for _function, _args, _kwargs in _after_restore:\n"
    "        _function(*_args, **_kwargs)\n"
)


def child_code(statements: Sequence[str], function_name: str, restored: bool = False) -> str:
    """The program a fresh interpreter runs: refuse all but the loopback, time the import (the statements that
    define `handler`) and the first call, print one result line. `restored`: as from a SnapStart snapshot, with
    Lambda's runtime hooks (`snapshot_restore_py`) stood in for, the before-snapshot hooks run as part of the init
    and the after-restore hooks as part of the first request."""
    body = "".join(f"    {statement}\n" for statement in statements)
    preamble = _CHILD_PREAMBLE.replace("{function_name}", function_name) + (_SNAPSHOT_HOOKS if restored else "")
    initialised = (
        _RESTORE
        if restored
        else "    _imported, _cpu_imported = time.perf_counter() - _start, time.process_time() - _cpu_start\n"
    )
    return (
        preamble
        + "_start, _cpu_start = time.perf_counter(), time.process_time()\n"
        + "try:\n"
        + body
        + initialised
        + "    _response = handler(_event, _Context())\n"
        + "    _answered = time.perf_counter() - _start - _imported\n"
        + "    _cpu_answered = time.process_time() - _cpu_start - _cpu_imported\n"
        + "    _status = _response['statusCode']\n"
        + "    _headers = {**(_response.get('headers') or {}), **(_response.get('multiValueHeaders') or {})}\n"
        + "    _location = str(_headers.get('Location') or '') or None\n"
        + "except BaseException as exception:\n"
        + "    _error = f'{type(exception).__name__}: {exception}'\n"
        + f"print('\\n{MARKER}' + json.dumps({{'import': _imported, 'request': _answered, 'status': _status, "
        + "'location': _location, 'network': _network, 'error': _error, 'cpu_import': _cpu_imported, "
        + "'cpu_request': _cpu_answered}))\n"
    )


def parse_sample(stdout: str, stderr: str = "", returncode: int = 0) -> Sample:
    """The child's result line (the last line starting with the marker: handlers may log before it)."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARKER):
            data: dict[str, Any] = json.loads(line.removeprefix(MARKER))
            status = data.get("status")
            error = data.get("error")
            if error is None and isinstance(status, int) and status >= 500:
                error = f"answered {status}"
            return Sample(
                import_seconds=None if data.get("import") is None else float(data["import"]),
                request_seconds=None if data.get("request") is None else float(data["request"]),
                status=status if isinstance(status, int) else None,
                network=tuple(str(call) for call in data.get("network") or ()),
                error=error,
                location=data.get("location"),
                cpu_import_seconds=None if data.get("cpu_import") is None else float(data["cpu_import"]),
                cpu_request_seconds=None if data.get("cpu_request") is None else float(data["cpu_request"]),
            )
    last = (stderr.strip().splitlines() or ["no output"])[-1]
    return Sample(None, None, error=f"interpreter exited {returncode} without a result: {last}")


def format_table(measurements: Sequence[Measurement], floor: Measurement, goal: float = GOAL_RATIO) -> list[str]:
    """One row per scenario: medians of the import, the first request and both, and the ratio of both to the
    floor's, with the verdict against the goal."""
    width = max([len("first response"), *(len(m.scenario.name) for m in measurements)])
    header = (
        f"{'first response':<{width}}  {'import ms':>9}  {'request ms':>10}  {'total ms':>8}  {'min-max ms':>10}  "
        f"{'x floor':>7}  goal <= {goal:g}x"
    )
    lines = [header, "-" * len(header)]
    floor_ms = floor.total_ms
    for measurement in measurements:
        start = f"{measurement.scenario.name:<{width}}"
        total = measurement.total_ms
        if total is None or floor_ms is None:
            problem = "; ".join(measurement.errors or floor.errors) or "no samples"
            lines.append(f"{start}  {'-':>9}  {'-':>10}  {'-':>8}  {'-':>10}  {'-':>7}  FAILED: {problem}")
            continue
        spread = f"{min(measurement.totals) * 1000:.0f}-{max(measurement.totals) * 1000:.0f}"
        judged = "(the floor)" if measurement is floor else verdict(total, floor_ms, goal)
        lines.append(
            f"{start}  {measurement.import_ms or 0:9.1f}  {measurement.request_ms or 0:10.1f}  {total:8.1f}  "
            f"{spread:>10}  {total / floor_ms:6.2f}x  {judged}"
        )
    return lines


# -- the local stack and the events --------------------------------------------------------------------------
@dataclass(frozen=True)
class Mode:
    name: str
    environment: Callable[[Mapping[str, str], str, int], dict[str, str]]
    restored: bool = False  # as from a SnapStart snapshot: the first request alone is judged


def _lambda_runtime(function_name: str) -> dict[str, str]:
    from tests.bench.cold_start import lambda_environment

    runtime = lambda_environment(function_name)
    return {key: runtime[key] for key in ("LANG", "TZ", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE")} | {
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    }


def _tracing_off(stack_environment: Mapping[str, str], function_name: str, _daemon_port: int) -> dict[str, str]:
    return {**stack_environment, **_lambda_runtime(function_name), "POWERTOOLS_TRACE_DISABLED": "true"}


def _tracing_as_in_aws(stack_environment: Mapping[str, str], function_name: str, daemon_port: int) -> dict[str, str]:
    environment = {key: value for key, value in stack_environment.items() if key != "POWERTOOLS_TRACE_DISABLED"}
    return {
        **environment,
        **_lambda_runtime(function_name),
        "LAMBDA_TASK_ROOT": "/var/task",
        "_X_AMZN_TRACE_ID": TRACE_HEADER,
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon_port}",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    }


MODES: tuple[Mode, ...] = (
    Mode("tracing off", _tracing_off),
    Mode("as in AWS (tracing on)", _tracing_as_in_aws),
    Mode("as in AWS, restored from a SnapStart snapshot (tracing on)", _tracing_as_in_aws, restored=True),
)


class _XRayDaemon:
    """A UDP socket standing in for the X-Ray daemon: counts what the children send, answers nothing."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port: int = self.socket.getsockname()[1]
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while not self._stop.is_set():
            try:
                self.socket.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            self.count += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.socket.close()


def _session_cookie(user_id: str) -> str:
    """A signed-in session saved now for `user_id` (in the stack's tables), as the cookie the browser sends."""
    from shared.config import settings
    from shared.usecases.sessions import SessionStore, StoredSession
    from shared.web.app import session_cookie_name

    config = settings()
    now = dt.datetime.now(dt.UTC)
    store = SessionStore(
        dt.timedelta(minutes=config.session_idle_minutes), dt.timedelta(hours=config.session_lifetime_hours)
    )
    token = secrets.token_urlsafe(32)
    store.save(StoredSession(token=token, csrf_token=secrets.token_urlsafe(32), user_id=user_id, last_seen_at=now), now)
    return f"{session_cookie_name(config)}={token}"


def _persona(role: str, persona_ids: Sequence[str]) -> str:
    from shared.data.users import Users

    users = Users()
    for user_id in persona_ids:
        user = users.get(user_id)
        if user is not None and user.role.value == role:
            return user_id
    raise LookupError(f"no {role} persona in the demo data")


def _event(scenario: Scenario, service_url: str, cookie: str | None) -> dict[str, Any]:
    from infrastructure.local.api import proxy_event
    from infrastructure.local.template import Route

    headers = {"Host": service_url.split("//", 1)[-1], "Accept": "text/html", "User-Agent": "cold-first-response"}
    if cookie:
        headers["Cookie"] = cookie
    resource = "/" if scenario.path == "/" else "/{proxy+}"
    route = Route(function=scenario.function or "floor", path=resource, method="ANY")
    parameters = {} if resource == "/" else {"proxy": scenario.path.lstrip("/")}
    return proxy_event(route, scenario.path, "GET", "", headers, b"", parameters)


def _settled(path: str, cookie: str) -> str:
    """Where the page at `path` ends up for the signed-in user (following redirects through the web function),
    so that the measured request is a page, not a redirect."""
    import functions.web.app as web
    from infrastructure.local.api import proxy_event
    from infrastructure.local.lambda_adapter import LambdaContext
    from infrastructure.local.template import Route

    context = LambdaContext(function_name="WebFunction", invoked_function_arn="arn:aws:lambda:::function:WebFunction")

    for _ in range(3):
        event = proxy_event(Route("WebFunction", "/{proxy+}", "ANY"), path, "GET", "", {"Cookie": cookie}, b"", {})
        response = web.lambda_handler(event, context)
        location = {**(response.get("headers") or {}), **(response.get("multiValueHeaders") or {})}.get("Location")
        if response["statusCode"] != 303 or not location:
            return path
        path = str(location[0] if isinstance(location, list) else location)
    return path


def _scenarios(persona_ids: Sequence[str]) -> list[Scenario]:
    from infrastructure.local.template import function_handlers, load_template
    from shared.data.users import Users
    from shared.usecases.access import landing_for
    from tests.bench.cold_start import function_targets
    from tests.support import ROOT

    modules = {
        target.name: target.module
        for target in function_targets(function_handlers(load_template(ROOT / "template.yaml")))
    }
    school_user = Users().get(_persona("school", persona_ids))
    if school_user is None:
        raise LookupError("the school persona is not in the users table")
    landing = _settled(landing_for(school_user).location or "/organisations", _session_cookie(school_user.user_id))
    return [
        FLOOR,
        Scenario("WebFunction GET /", "WebFunction", modules["WebFunction"], "/"),
        Scenario(f"WebFunction {landing} (school user)", "WebFunction", modules["WebFunction"], landing, "school"),
        Scenario(
            "SupportFunction /support (support user)",
            "SupportFunction",
            modules["SupportFunction"],
            "/support",
            "support",
        ),
    ]


# -- measuring ---------------------------------------------------------------------------------------------------
def _sample(
    scenario: Scenario, environment: Mapping[str, str], event: Mapping[str, Any], restored: bool = False
) -> Sample:
    from tests.support import ROOT

    function_name = scenario.function or "FloorFunction"
    try:
        completed = subprocess.run(
            [sys.executable, "-c", child_code(scenario.statements, function_name, restored)],
            input=json.dumps(event),
            env=dict(environment),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Sample(None, None, error=f"no result within {TIMEOUT_SECONDS} s")
    return parse_sample(completed.stdout, completed.stderr, completed.returncode)


def _progress(text: str) -> None:
    if sys.stderr.isatty():
        print(text, end="", file=sys.stderr, flush=True)


def _measure_mode(
    mode: Mode,
    scenarios: Sequence[Scenario],
    stack_environment: Mapping[str, str],
    service_url: str,
    persona_ids: Sequence[str],
    rounds: int,
    deadline: float,
) -> list[Measurement]:
    daemon = _XRayDaemon()
    users = {role: _persona(role, persona_ids) for role in {s.role for s in scenarios if s.role}}
    measurements = [Measurement(scenario) for scenario in scenarios]
    try:
        last_round = 0.0
        for round_number in range(rounds + 1):  # round 0 is the untimed warm-up
            if round_number > 1 and time.monotonic() + last_round > deadline:
                break
            round_started = time.monotonic()
            _progress(f" {round_number or 'warm-up'}")
            for measurement in measurements:
                scenario = measurement.scenario
                cookie = _session_cookie(users[scenario.role]) if scenario.role else None
                environment = mode.environment(stack_environment, scenario.function or "FloorFunction", daemon.port)
                before = daemon.count
                sample = _sample(scenario, environment, _event(scenario, service_url, cookie), mode.restored)
                time.sleep(0.05)  # the last datagrams of the child reach the socket
                if round_number and mode.restored:
                    # The init (import and before-snapshot hooks) happened when the version was published
                    measurement.init_cpu_seconds.append(sample.cpu_import_seconds or 0.0)
                    sample = replace(sample, import_seconds=0.0, cpu_import_seconds=0.0)
                if round_number:
                    measurement.samples.append(sample)
                    measurement.datagrams += daemon.count - before
            last_round = time.monotonic() - round_started
    finally:
        daemon.close()
        _progress("\n")
    return measurements


def run(options: Options) -> None:
    from infrastructure.local.stack import LocalStack, free_port

    started = time.monotonic()
    rounds = min(options.runs, MAX_ROUNDS)
    options.print(
        f"Fresh interpreters import a handler and serve its first request, against the local stack; "
        f"{rounds} interleaved rounds per tracing mode (fewer if past {DEADLINE_SECONDS:.0f} s), after a warm-up"
    )
    saved_environment = dict(os.environ)
    stack = LocalStack(web_port=free_port(), log=lambda _line: None)
    try:
        stack.start()
        scenarios = _scenarios(stack.persona_user_ids)
        deadline_per_mode = (DEADLINE_SECONDS - (time.monotonic() - started)) / len(MODES)
        for mode in MODES:
            deadline = time.monotonic() + deadline_per_mode
            measurements = _measure_mode(
                mode, scenarios, stack.environment, stack.url, stack.persona_user_ids, rounds, deadline
            )
            _report(options, mode, measurements)
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved_environment)
    options.print(f"({time.monotonic() - started:.0f} s in all, the local stack's start included)")


def _report(options: Options, mode: Mode, measurements: Sequence[Measurement]) -> None:
    floor = measurements[0]
    options.print()
    samples = min((len(m.samples) for m in measurements), default=0)
    options.print(f"-- {mode.name}: median of {samples} samples each")
    for line in format_table(measurements, floor):
        options.print(line)
    cpu = [measurement.cpu_view() for measurement in measurements]
    options.print("  by CPU time of the child (time.process_time(); moto's work is this process's, not counted):")
    for line in format_table(cpu, cpu[0]):
        options.print(f"  {line}")
    if mode.restored:
        options.print(
            "  (restored: the import and the before-snapshot hooks ran when the version was published, not counted; "
            "the request includes the after-restore hooks; Lambda's own restore time is not measurable here)"
        )
        for measurement in measurements:
            if measurement.init_cpu_seconds:
                init_ms = statistics.median(measurement.init_cpu_seconds) * 1000
                options.print(f"  {measurement.scenario.name}: init at publish {init_ms:.0f} ms of CPU")
    for measurement in measurements:
        statuses = ", ".join(measurement.answers) or "none"
        traced = f"; {measurement.datagrams} X-Ray datagrams sent" if mode.environment is _tracing_as_in_aws else ""
        options.print(f"  {measurement.scenario.name}: answered {statuses}{traced}")
        if measurement.network:
            options.print(f"  FINDING: {measurement.scenario.name} tried to reach {', '.join(measurement.network)}")
    floor_ms = floor.total_ms
    judged = [m for m in measurements if m is not floor and m.total_ms is not None]
    if floor_ms is None:
        options.print(f"The floor failed: {'; '.join(floor.errors)}. Nothing to compare against.")
        return
    missing = [m.scenario.name for m in judged if (m.total_ms or 0) > GOAL_RATIO * floor_ms]
    if missing:
        options.print(f"MISS the goal (> {GOAL_RATIO:g}x the floor's {floor_ms:.0f} ms): {', '.join(missing)}")
    elif len(judged) == len(measurements) - 1:
        options.print(f"Every first response meets the goal (<= {GOAL_RATIO:g}x the floor's {floor_ms:.0f} ms).")


BENCHMARK = Benchmark(
    name="cold-first-response",
    summary=(
        "import + first request of WebFunction and SupportFunction in a fresh interpreter against the local stack, "
        f"vs a floor handler (goal <= {GOAL_RATIO:g}x)"
    ),
    run=run,
)
