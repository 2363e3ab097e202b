"""Deadline day: 50 school users adding mentors and submitting claims at once against the local stack, for 60 s.

The stack is the one `make run` starts (`infrastructure.local.stack.LocalStack`: moto on loopback, the real
handlers in-process behind the local API Gateway, the fakes, the demo data), started by this module in a child
process (`python -m tests.bench.deadline_day --serve`) on free loopback ports, so that the load (this process) and
the service (that one) do not share an interpreter. The child adds to the demo data, through the project's
repositories, the bench's own users: one new school user at each of 50 eligible demo schools (not the personas').
It counts, with botocore hooks on every client it creates (as `tests/bench/requests_per_page.py` does), every AWS
call by phase, by the function whose handler made it and by the page it served, the DynamoDB request units each one
consumed (`tests.bench.cost_model.dynamodb_units`), and each handler invocation's
duration: what `tests/bench/cost_model.py` prices.

The load: each simulated user is a thread with its own cookies (a session cookie is Secure, so a hand-kept jar, as a
browser on localhost would keep it). Before the day (written by the child through the repositories) each school
accepted its grant conditions and added `MENTORS_BEFORE` mentors, and each user has a signed-in session as DfE
Sign-in's callback leaves one (persona sign-in reads every persona on each sign-in: 50 more would measure that). On
the day each user opens the school's claims (the landing page), adds a mentor (TRN and date of birth, looked up in
the fake Teaching Record: the form, the check page, "Confirm and add mentor"; half the users do that after their
first claim) and submits claims (provider, mentors, hours, confirm, check, "Accept and submit"), one after another,
until the time is up (no journey starts after `LAST_CLAIM_STARTS`, no request in the last `CUTOFF` seconds). Five
users' schools share one mentor; before the clock each walks a claim of more than half the mentor's hours with the
same provider to its check page, and at the clock's start a barrier releases the five submissions at the same
instant: the hours cap (ADR 10) lets at most one through, the others see the "recently changed" page (409,
expected). Two more schools share another mentor and submit a claim within the cap with that provider at the start,
which the payment run flags ("claimed by several schools") for support to review.

After the load the allowances are read back (every allowance item against its cap, and its `used` against the
hours of the claims that hold hours), and then, outside the 60 s, support closes the window ("Close window now"),
the payment run validates every claim, support approves each flagged claim (Review → the claim → "Approve") and the
run writes, checks and sends the file: what one review and one claim in a payment run cost.

The child is one process on a 2-CPU machine shared with other work: moto, the API and every handler share one
interpreter (the GIL), and the local API runs one request per function at a time, as one Lambda container does.
So requests per second is this stack's on this machine (a floor for AWS, where each concurrent request has its own
container); the latencies include the queue for the web function.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import math
import os
import queue
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlencode

from tests.bench import Benchmark, Options

__all__ = [
    "BENCHMARK",
    "DeadlineDay",
    "Hit",
    "cap_violations",
    "map_transitions",
    "measure",
    "percentile",
    "route_pattern",
    "run",
    "shared_result",
]

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
USERS = 50
SECONDS = 60.0  # the whole load, from the first request to the last response
LAST_CLAIM_STARTS = 50.0  # no new claim journey starts after this; one in progress stops at SECONDS
MENTORS_BEFORE = 2  # each school's mentors added on earlier days (through the repositories)
MENTORS_ON_THE_DAY = 1  # each user adds this many during the load (TRN and date of birth)
CONTENDERS = 5  # schools sharing one mentor, submitting for the same provider at the same instant
PAIR = 2  # schools sharing another mentor, each claiming within the cap: flagged by the payment run
CUTOFF = 5.0  # no request starts in the last seconds: the last responses arrive within SECONDS
READY_TIMEOUT = 180.0
RUN_TIMEOUT = 300.0
PREFIX = "BENCH "
BENCH_USER = "user-bench-{n:02d}"
SESSION_COOKIE = "__Host-session"  # Secure cookies, as the local stack sets them (ADR 40)
RETRIES = 5


# -- pure parts ------------------------------------------------------------------------------------------------
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/schools/[^/]+"), "/schools/{urn}"),
    (re.compile(r"/claims/new/[^/]+"), "/claims/new/{journey}"),
    (re.compile(r"/hours/[^/]+"), "/hours/{trn}"),
    (re.compile(r"/mentors/check/[^/]+"), "/mentors/check/{lookup}"),
    (re.compile(r"/claims/(\d+)(?=/|$)"), "/claims/{reference}"),
    (re.compile(r"/claim-windows/(?!new)[^/]+"), "/claim-windows/{window}"),
)


def route_pattern(method: str, path: str) -> str:
    """`POST /schools/{urn}/claims/new/{journey}/hours/{trn}`: a request's page, whatever ids it names."""
    path = path.split("?", 1)[0]
    for pattern, replacement in _PATTERNS:
        path = pattern.sub(replacement, path)
    return f"{method} {path}"


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Hit:
    """One request the load made: its page, status, time, and whether its status was a form's expected answer."""

    route: str
    status: int
    seconds: float
    expected: bool = False
    started: float = 0.0

    @property
    def error(self) -> bool:
        return self.status >= 500 or (self.status >= 400 and not self.expected)


def map_transitions(events: Sequence[Mapping[str, Any]]) -> dict[str, tuple[int, int]]:
    """Per Map state: (iterations, states entered inside it), from an execution history in order. A Map's
    iterations' events all come between its `MapStateEntered` and `MapStateExited`; Maps are not nested here."""
    found: dict[str, list[int]] = {}
    current: str | None = None
    for event in events:
        kind = str(event.get("type", ""))
        if kind == "MapStateEntered":
            current = str(event["stateEnteredEventDetails"]["name"])
            found.setdefault(current, [0, 0])
        elif kind == "MapStateExited":
            current = None
        elif current is not None and kind == "MapIterationStarted":
            found[current][0] += 1
        elif current is not None and kind.endswith("StateEntered"):
            found[current][1] += 1
    return {name: (values[0], values[1]) for name, values in found.items()}


def cap_violations(
    allowances: Sequence[Mapping[str, Any]], claims: Sequence[Mapping[str, Any]], caps: Callable[[str, str], int]
) -> list[str]:
    """Every allowance over its cap, or whose `used` is not the hours of the claims holding hours for it.

    `allowances`: `{"allowance_id", "used"}`; `claims`: `{"reference", "provider_code", "academic_year",
    "holds_hours", "mentors": [{"trn", "hours", "training_type"}]}`; `caps(academic_year, training_type)`.
    """
    held: Counter[str] = Counter()
    kinds: dict[str, str] = {}
    years: dict[str, str] = {}
    for claim in claims:
        start = str(claim["academic_year"])[:4]
        for mentor in claim["mentors"]:
            key = f"{mentor['trn']}#{claim['provider_code']}#{start}"
            kinds.setdefault(key, str(mentor.get("training_type") or "initial"))
            years.setdefault(key, str(claim["academic_year"]))
            if claim["holds_hours"]:
                held[key] += int(mentor["hours"])
    problems = []
    seen = set()
    for allowance in allowances:
        key = str(allowance["allowance_id"])
        seen.add(key)
        used = int(allowance.get("used") or 0)
        if key in years:
            limit = caps(years[key], kinds[key])
            if used > limit:
                problems.append(f"{key}: {used} hours used, over the cap of {limit}")
        if used != held[key]:
            problems.append(f"{key}: used {used}, but its claims hold {held[key]} hours")
    for key, hours in held.items():
        if key not in seen and hours:
            problems.append(f"{key}: claims hold {hours} hours but there is no allowance item")
    return problems


# -- the child: the stack, seeded and metered --------------------------------------------------------------------
@dataclass(eq=False)
class _Meter:
    """AWS calls by (phase, function, page, service, operation): how many, and the DynamoDB units; handler
    invocations by (phase, function, page): how many and their seconds (each rounded up to the millisecond, as
    Lambda bills)."""

    phase: str = "setup"
    calls: dict[tuple[str, str, str, str, str], list[float]] = field(default_factory=dict)
    invocations: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)  # function name → logical id
    tables: dict[str, Any] = field(default_factory=dict)  # table name → cost_model.TableSpec (its indexes)
    _local: threading.local = field(default_factory=threading.local)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _function(self) -> str:
        return str(getattr(self._local, "function", "-"))

    def _route(self) -> str:
        return str(getattr(self._local, "route", "-"))

    def before(self, *args: Any, context: Any = None, event_name: str = "", params: Any = None, **kw: Any) -> None:
        if isinstance(context, dict):
            context["_bench_params"] = params

    def after(self, *args: Any, context: Any = None, parsed: Any = None, event_name: str = "", **kw: Any) -> None:
        from tests.bench.cost_model import dynamodb_units

        _, service, operation = [*event_name.split("."), "?", "?"][:3]
        rru = wru = 0.0
        if service == "dynamodb" and isinstance(context, dict) and isinstance(parsed, dict):
            params = context.get("_bench_params")
            body = params.get("body") if isinstance(params, dict) else None
            try:
                request = json.loads(body or b"{}")
            except (TypeError, ValueError):
                request = {}
            if isinstance(request, dict) and "Error" not in parsed:
                rru, wru = dynamodb_units(operation, request, parsed, self.tables)
        key = (self.phase, self._function(), self._route(), service, operation)
        with self._lock:
            row = self.calls.setdefault(key, [0, 0.0, 0.0])
            row[0] += 1
            row[1] += rru
            row[2] += wru

    def timed(self, name: str, handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        def invoke(event: Any, context: Any) -> Any:
            outer = getattr(self._local, "function", "-"), getattr(self._local, "route", "-")
            self._local.function = self.functions.get(name, name)
            api = isinstance(event, dict) and "httpMethod" in event
            self._local.route = route_pattern(str(event["httpMethod"]), str(event["path"])) if api else "-"
            started = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                seconds = math.ceil((time.perf_counter() - started) * 1000) / 1000
                key = (self.phase, self._function(), self._route())
                with self._lock:
                    row = self.invocations.setdefault(key, [0, 0.0])
                    row[0] += 1
                    row[1] += seconds
                self._local.function, self._local.route = outer

        return invoke

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": [[*key, *values] for key, values in self.calls.items()],
                "invocations": [[*key, *values] for key, values in self.invocations.items()],
            }


@contextlib.contextmanager
def _metered(meter: _Meter) -> Iterator[None]:
    """The meter on every botocore session created inside (boto3's and PynamoDB's), and on every handler the
    registry hands out (the API's, the queue pollers', the state machines' tasks)."""
    from botocore import handlers

    from infrastructure.local.lambda_adapter import HandlerRegistry

    specs = [
        ("before-call.*.*", meter.before, handlers.REGISTER_FIRST),
        ("after-call.*.*", meter.after, handlers.REGISTER_LAST),
    ]
    handlers.BUILTIN_HANDLERS.extend(specs)
    original = HandlerRegistry.handler

    def handler(self: HandlerRegistry, function_name: str) -> Any:
        return meter.timed(function_name, original(self, function_name))

    HandlerRegistry.handler = handler  # type: ignore[method-assign]
    try:
        yield
    finally:
        HandlerRegistry.handler = original  # type: ignore[method-assign]
        handlers.BUILTIN_HANDLERS[:] = [e for e in handlers.BUILTIN_HANDLERS if not any(e is s for s in specs)]


def _bench_schools(data: Any, today: dt.date) -> list[Any]:
    """Eligible demo schools no persona belongs to, in URN order: one per simulated user."""
    taken = {org for user in data.users for org in user.organisation_ids}
    eligible = set(data.eligible_school_urns)
    return sorted((s for s in data.schools if s.urn in eligible and s.urn not in taken), key=lambda s: s.urn)


def _seed_users(data: Any, users: int, today: dt.date) -> dict[str, Any]:
    """One new school user at each of `users` schools, written through the repositories, with what happened before
    deadline day (the grant conditions accepted, `MENTORS_BEFORE` mentors added; a contender's or a pair's shared
    mentor too); and what each one does on the day."""
    from shared.claims.organisations import OrganisationType
    from shared.claims.people import Membership, Role, User
    from shared.data.mentors import Mentor, Mentors
    from shared.data.organisations import Organisations
    from shared.data.users import Users

    schools = _bench_schools(data, today)[:users]
    if len(schools) < users:
        raise RuntimeError(f"only {len(schools)} eligible schools without personas, {users} wanted")
    repository, organisations, mentors_repository = Users(), Organisations(), Mentors()
    earlier = dt.datetime.combine(today, dt.time(0), dt.UTC) - dt.timedelta(days=1)
    teachers = [t for t in data.teachers if t.trn not in {"1000001", "1000002", "1000003"}]
    providers = [p.code for p in data.providers if p.accredited]
    contended, paired = teachers[0], teachers[1]
    own = iter(teachers[2:])
    plan = []
    for n, school in enumerate(schools):
        user_id = BENCH_USER.format(n=n)
        repository.put(
            User(
                user_id=user_id,
                first_name="Bench",
                last_name=f"User {n:02d}",
                email=f"bench.user.{n:02d}@school.example.org",
                role=Role.SCHOOL,
            )
        )
        repository.add_membership(
            Membership(
                user_id=user_id,
                organisation_id=school.urn,
                organisation_type=OrganisationType.SCHOOL,
                organisation_name=school.name,
            )
        )
        organisations.accept_grant_conditions(school.urn, user_id, earlier)
        role = "contender" if n < CONTENDERS else "pair" if n < CONTENDERS + PAIR else "school"
        before = [next(own) for _ in range(MENTORS_BEFORE)]
        shared = contended if role == "contender" else paired if role == "pair" else None
        for teacher in [*before, *([shared] if shared else [])]:
            mentor = Mentor(trn=teacher.trn, first_name=teacher.first_name, last_name=teacher.last_name)
            mentors_repository.add(school.urn, mentor, user_id, earlier)
        on_the_day = [next(own) for _ in range(MENTORS_ON_THE_DAY)]
        token, csrf = _signed_in_session(user_id)
        plan.append(
            {
                "user_id": user_id,
                "session": token,
                "csrf": csrf,
                "urn": school.urn,
                "role": role,
                "mentors_before": [t.trn for t in before],
                "mentors": [[t.trn, t.date_of_birth.isoformat()] for t in on_the_day],
                "shared_trn": shared.trn if shared else None,
            }
        )
    return {"providers": providers, "users": plan}


def _signed_in_session(user_id: str) -> tuple[str, str]:
    """A signed-in session written as DfE Sign-in's callback leaves one (a new token, its CSRF token, the user):
    persona sign-in reads every persona on each sign-in, so 50 more personas would measure that instead."""
    import secrets

    from shared.config import settings
    from shared.data.sessions import Sessions, StoredSession

    config = settings()
    now = dt.datetime.now(dt.UTC)
    session = StoredSession(
        token=secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(32), user_id=user_id, last_seen_at=now
    )
    Sessions(dt.timedelta(minutes=config.session_idle_minutes), dt.timedelta(hours=config.session_lifetime_hours)).save(
        session, now
    )
    return session.token, session.csrf_token


def _serve(port: int, users: int) -> None:
    """The child: the stack with the bench's users, metered; commands on stdin (`phase NAME`, `stats`, `quit`)."""
    protocol = sys.stdout
    sys.stdout = sys.stderr  # anything the stack or a handler prints stays off the protocol
    from infrastructure.local.stack import resource_name
    from infrastructure.local.template import load_template, table_definitions
    from tests.bench.cost_model import table_specs

    definitions = table_definitions(load_template(TEMPLATE), resource_name).values()
    meter = _Meter(tables=dict(table_specs(spec.create_kwargs for spec in definitions)))

    def say(kind: str, body: Any) -> None:
        protocol.write(PREFIX + json.dumps({"kind": kind, "body": body}) + "\n")
        protocol.flush()

    from infrastructure.local.seed_data import build_seed_data
    from infrastructure.local.stack import LocalStack

    with _metered(meter):
        stack = LocalStack(web_port=port, log=lambda _line: None).start()
        try:
            meter.functions = {name: logical for logical, name in stack.function_names.items()}
            today = dt.datetime.now(dt.UTC).date()
            data = build_seed_data(today)
            plan = _seed_users(data, users, today)
            year = next(w for w in data.claim_windows if w.opens_on <= today <= w.closes_on)
            plan["window_id"] = year.window_id
            plan["environment"] = dict(stack.environment)
            plan["url"] = stack.url
            plan["state_machine_arn"] = stack.state_machine_arns.get("ClaimWindowStateMachine")
            say("ready", plan)
            for line in sys.stdin:
                command, _, argument = line.strip().partition(" ")
                if command == "phase":
                    meter.phase = argument
                elif command == "stats":
                    say("stats", meter.snapshot())
                elif command == "quit":
                    break
        finally:
            stack.stop()


@dataclass
class _Child:
    """The child process and its protocol."""

    process: subprocess.Popen[str]
    replies: queue.Queue[dict[str, Any]]

    @classmethod
    def start(cls, port: int, users: int) -> _Child:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.deadline_day", "--serve", "--port", str(port), "--users", str(users)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "LOG_LEVEL": "ERROR"},
        )
        replies: queue.Queue[dict[str, Any]] = queue.Queue()

        def read(stream: TextIO) -> None:
            for line in stream:
                if line.startswith(PREFIX):
                    replies.put(json.loads(line[len(PREFIX) :]))
            replies.put({"kind": "exit", "body": None})

        assert process.stdout is not None
        threading.Thread(target=read, args=(process.stdout,), daemon=True).start()
        return cls(process, replies)

    def expect(self, kind: str, timeout: float) -> Any:
        reply = self.replies.get(timeout=timeout)
        if reply["kind"] != kind:
            raise RuntimeError(f"the stack's process said {reply['kind']!r}, expected {kind!r}")
        return reply["body"]

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stats(self) -> dict[str, Any]:
        self.send("stats")
        return dict(self.expect("stats", 30))

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.send("quit")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# -- the load: a browser-like client ----------------------------------------------------------------------------
class _Stop(Exception):
    """The load's time is up."""


@dataclass
class _Response:
    status: int
    location: str
    body: str


@dataclass
class _Browser:
    """One simulated user: its own cookies and CSRF token, a new loopback connection per request."""

    host: str
    port: int
    hits: list[Hit]
    ends: float
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    resets: int = 0

    def request(self, method: str, path: str, data: Mapping[str, Any] | None = None, expect: int = 0) -> _Response:
        if time.monotonic() >= self.ends:
            raise _Stop
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            values = {"csrf_token": self.csrf, **(data or {})}
            body = urlencode(values, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        for attempt in range(RETRIES + 1):
            connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                cookies = response.headers.get_all("Set-Cookie") or []
                location = response.headers.get("Location", "")
                break
            except (ConnectionResetError, ConnectionRefusedError, http.client.RemoteDisconnected):
                self.resets += 1  # the local API's listen backlog overflowed: counted, and tried again
                if attempt == RETRIES:
                    raise
                time.sleep(0.05 * (attempt + 1))
            finally:
                connection.close()
        seconds = time.monotonic() - started
        self.hits.append(Hit(route_pattern(method, path), response.status, seconds, response.status == expect, started))
        for raw in cookies:
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        found = re.search(r'name="csrf_token" value="([^"]+)"', text)
        if found:
            self.csrf = found.group(1)
        return _Response(response.status, location, text)

    def get(self, path: str) -> _Response:
        return self.request("GET", path)

    def post(self, path: str, data: Mapping[str, Any] | None = None, expect: int = 0) -> _Response:
        return self.request("POST", path, data, expect)

    def follow(self, response: _Response) -> _Response:
        if response.status not in (302, 303):
            raise RuntimeError(f"expected a redirect, got {response.status}")
        return self.get(response.location)


@dataclass
class _Outcome:
    user_id: str
    submitted: list[str] = field(default_factory=list)
    refused: int = 0  # contended submissions the cap refused (409, expected)
    contended: bool | None = None  # a contender's contended claim: accepted (True) or refused (False)
    mentors_added: int = 0
    problems: list[str] = field(default_factory=list)


def _sign_in(browser: _Browser, user_id: str) -> _Response:
    """Persona sign-in, then the redirects to the landing page (for a new school, its grant conditions)."""
    browser.get("/sign-in")
    response = browser.post("/sign-in/persona", {"user_id": user_id})
    for _ in range(5):
        if response.status not in (302, 303):
            return response
        response = browser.get(response.location)
    raise RuntimeError("too many redirects after signing in")


def _add_mentor(browser: _Browser, urn: str, trn: str, born: dt.date) -> None:
    base = f"/schools/{urn}/mentors"
    browser.get(f"{base}/new")
    found = browser.post(
        f"{base}/new",
        {
            "trn": trn,
            "date_of_birth-day": str(born.day),
            "date_of_birth-month": str(born.month),
            "date_of_birth-year": str(born.year),
        },
    )
    if found.status != 303 or "/check/" not in found.location:
        raise RuntimeError(f"looking up {trn}: {found.status} {found.location}")
    browser.get(found.location)
    added = browser.post(found.location, {"privacy_notice": "yes"})
    browser.follow(added)


def _journey_to_check(browser: _Browser, urn: str, provider: str, hours: Mapping[str, int]) -> str:
    """Add claim → provider → mentors → hours → confirm → check your answers; the journey's base URL."""
    browser.get(f"/schools/{urn}/claims")
    started = browser.post(f"/schools/{urn}/claims/new")
    found = re.match(r"(/schools/[^/]+/claims/new/[^/]+)/provider$", started.location)
    if started.status != 303 or not found:
        raise RuntimeError(f"Add claim: {started.status} {started.location}")
    base = found.group(1)
    browser.get(f"{base}/provider")
    step = browser.post(f"{base}/provider", {"provider_code": provider, "provider_search": ""})
    browser.get(step.location)
    step = browser.post(f"{base}/mentors", {"mentor_trns": list(hours)})
    for _ in hours:  # in the service's order of the mentors
        asked = re.search(r"/hours/([^/]+)$", step.location)
        if step.status != 303 or not asked or asked.group(1) not in hours:
            raise RuntimeError(f"expected the hours of one of {sorted(hours)}, went to {step.status} {step.location}")
        browser.get(step.location)
        value = hours[asked.group(1)]
        step = browser.post(step.location, {"hours_choice": "custom", "custom_hours": str(value)})
    if not step.location.endswith("/confirm"):
        raise RuntimeError(f"expected confirm, went to {step.status} {step.location}")
    browser.get(step.location)
    step = browser.post(f"{base}/confirm", {"hours_confirmed": "yes"})
    check = browser.follow(step)
    if check.status != 200 or "Check your answers" not in check.body:
        raise RuntimeError(f"check your answers: {check.status}")
    return base


def _submit(browser: _Browser, base: str, outcome: _Outcome, expect: int = 0) -> bool:
    done = browser.post(f"{base}/submit", expect=expect)
    if done.status == 409 and expect == 409:
        outcome.refused += 1
        return False
    reference = re.search(r"/claims/(\d+)/submitted$", done.location)
    if done.status != 303 or not reference:
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", done.body, re.S)
        raise RuntimeError(f"submit {base}: {done.status} {' '.join((heading.group(1) if heading else '').split())}")
    outcome.submitted.append(reference.group(1))
    browser.follow(done)
    return True


@dataclass
class _Load:
    url: str
    plan: dict[str, Any]
    seconds: float = SECONDS
    last_claim_starts: float = LAST_CLAIM_STARTS
    hits: list[Hit] = field(default_factory=list)
    outcomes: list[_Outcome] = field(default_factory=list)
    wall: float = 0.0
    contention: dict[str, Any] = field(default_factory=dict)
    prepared: list[Hit] = field(default_factory=list)
    resets: int = 0

    def run(self) -> None:
        """The contenders first walk to their check page (off the clock), then every user starts at once: the
        contenders submit together as the others sign in."""
        users = self.plan["users"]
        host, port = self.url.removeprefix("http://").split(":")
        contenders = [u for u in users if u["role"] == "contender"]
        early = [u for u in users if u["role"] in ("contender", "pair")]
        browsers = {u["user_id"]: _Browser(host, int(port), [], time.monotonic() + READY_TIMEOUT) for u in users}
        outcomes = {u["user_id"]: _Outcome(u["user_id"]) for u in users}
        ready: dict[str, str] = {}

        for user in users:
            browsers[user["user_id"]].cookies[SESSION_COOKIE] = user["session"]
            browsers[user["user_id"]].csrf = user["csrf"]

        def prepare(user: dict[str, Any]) -> None:
            browser = browsers[user["user_id"]]
            try:
                provider = self.plan["providers"][0]
                hours = CONTENDED_HOURS if user["role"] == "contender" else PAIRED_HOURS
                ready[user["user_id"]] = _journey_to_check(browser, user["urn"], provider, {user["shared_trn"]: hours})
            except Exception as error:  # noqa: BLE001 - reported with the results
                outcomes[user["user_id"]].problems.append(f"preparing the contended claim: {error}")

        preparing = [threading.Thread(target=prepare, args=(u,), daemon=True) for u in early]
        for thread in preparing:
            thread.start()
        for thread in preparing:
            thread.join(READY_TIMEOUT)
        self.prepared = [h for u in early for h in browsers[u["user_id"]].hits]
        barrier = threading.Barrier(len(contenders), timeout=self.seconds)
        begun = time.monotonic()
        ends = begun + self.seconds
        threads = []
        for n, user in enumerate(users):
            browser = browsers[user["user_id"]]
            browser.hits, browser.ends = [], ends - CUTOFF
            self.outcomes.append(outcomes[user["user_id"]])
            thread = threading.Thread(
                target=self._user,
                args=(browser, user, outcomes[user["user_id"]], barrier, ready.get(user["user_id"]), begun, n),
                name=user["user_id"],
                daemon=True,
            )
            threads.append((thread, browser))
        for thread, _ in threads:
            thread.start()
        for thread, browser in threads:
            thread.join(max(0.0, ends - time.monotonic()) + 150)
            self.hits.extend(browser.hits)
            self.resets += browser.resets
        self.wall = max((h.started + h.seconds for h in self.hits), default=begun) - begun

    def _user(
        self,
        browser: _Browser,
        user: dict[str, Any],
        outcome: _Outcome,
        barrier: threading.Barrier,
        contended: str | None,
        begun: float,
        n: int,
    ) -> None:
        rng = random.Random(n)  # reproducible choices, not secrets
        urn = user["urn"]
        contended_provider = self.plan["providers"][0]
        providers = [p for p in self.plan["providers"] if p != contended_provider]
        rng.shuffle(providers)
        try:
            if user["role"] == "contender":
                barrier.wait()
                self.contention.setdefault("released", time.monotonic() - begun)
                if contended is None:
                    raise RuntimeError("no contended claim to submit")
                outcome.contended = _submit(browser, contended, outcome, expect=409)
            elif user["role"] == "pair":
                if contended is None:
                    raise RuntimeError("no paired claim to submit")
                _submit(browser, contended, outcome)
            else:
                landing = browser.get(f"/schools/{urn}/claims")  # where signing in lands a school's user
                if landing.status != 200:
                    raise RuntimeError(f"signed in to a {landing.status}")
            own = list(user["mentors_before"])
            adds_at = n % 2  # half the users add their mentor first, the others after their first claim
            for number, provider in enumerate(providers):
                if number == adds_at:
                    for trn, born in user["mentors"]:
                        _add_mentor(browser, urn, trn, dt.date.fromisoformat(born))
                        outcome.mentors_added += 1
                        own.append(trn)
                if time.monotonic() - begun >= self.last_claim_starts:
                    break
                chosen = rng.sample(own, rng.randint(1, len(own)))
                base = _journey_to_check(browser, urn, provider, {trn: rng.randint(1, 8) for trn in chosen})
                _submit(browser, base, outcome)
        except _Stop:
            pass
        except threading.BrokenBarrierError:
            outcome.problems.append("the contention barrier broke (a contender did not get there)")
        except Exception as error:  # noqa: BLE001 - reported with the results
            outcome.problems.append(f"{type(error).__name__}: {error}")


CONTENDED_HOURS = 10  # more than half of 16: two of these never fit one mentor's cap
PAIRED_HOURS = (
    3  # two of these fit (even a refresher's 6 hours): the payment run flags the mentor claimed by two schools
)


# -- after the load: reading back, the payment run ---------------------------------------------------------------
@contextlib.contextmanager
def _stack_environment(environment: Mapping[str, str]) -> Iterator[None]:
    """This process's repositories pointed at the child's moto (its endpoint and table names)."""
    saved = dict(os.environ)
    os.environ.update(environment)
    from shared.config import settings
    from shared.data.items import bind_tables
    from tests.support import forget_aws_clients

    forget_aws_clients()
    settings.cache_clear()
    bind_tables(settings())
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        forget_aws_clients()
        settings.cache_clear()


def _read_back() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every allowance item and every claim (a Scan each: the bench reads the whole tables, the service never does)."""
    from shared.claims.statuses import ClaimStatus, holds_hours
    from shared.data.items import AllowanceItem, ClaimItem, map_as_dict

    allowances = [{"allowance_id": a.allowance_id, "used": int(a.used or 0)} for a in AllowanceItem.scan()]
    claims = []
    for item in ClaimItem.scan():
        mentors = [map_as_dict(m) if not isinstance(m, dict) else m for m in (item.mentors or [])]
        claims.append(
            {
                "reference": item.reference,
                "provider_code": item.provider_code,
                "academic_year": item.academic_year,
                "holds_hours": holds_hours(ClaimStatus(item.status)),
                "status": item.status,
                "window_id": item.window_id,
                "school_id": item.school_id,
                "review_token": getattr(item, "review_token", None),
                "validated_run": getattr(item, "validated_run", None),
                "mentors": [
                    {"trn": m["trn"], "hours": int(m["hours"]), "training_type": m.get("training_type")}
                    for m in mentors
                ],
            }
        )
    return allowances, claims


def _cap(academic_year: str, kind: str) -> int:
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType, cap

    return cap(AcademicYear.parse(academic_year), TrainingType(kind))


@dataclass
class _Run:
    """The payment run after the load: how long, its transitions, the claims in it, the reviews."""

    seconds: float = 0.0
    status: str = ""
    transitions: int = 0
    claims: int = 0
    reviewed: int = 0
    support_pages: int = 0
    problems: list[str] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)
    maps: dict[str, tuple[int, int]] = field(default_factory=dict)


def _wait_for_reviews(window_id: str, deadline: float, running: Callable[[], bool]) -> list[str]:
    """Wait until every claim of the window has been validated or waits for a review with its token (or the run
    has ended): the references of those waiting."""
    counts: Counter[str] = Counter()
    while time.monotonic() < deadline:
        _, claims = _read_back()
        mine = [c for c in claims if c["window_id"] == window_id and c["holds_hours"]]
        if not mine:
            raise RuntimeError("the window has no claims to pay")
        waiting = [c["reference"] for c in mine if c["status"] == "support_review" and c["review_token"]]
        unvalidated = [c for c in mine if c["status"] == "submitted" and not c["validated_run"]]
        untokened = [c for c in mine if c["status"] == "support_review" and not c["review_token"]]
        if not (unvalidated or untokened) or not running():
            return waiting
        counts = Counter(
            f"{c['status']}{' token' if c['review_token'] else ''}{' validated' if c['validated_run'] else ''}"
            for c in mine
        )
        time.sleep(1.0)
    raise RuntimeError(f"the payment run did not finish validating in time: {dict(counts)}")


def _payment_run(child: _Child, url: str, plan: dict[str, Any]) -> _Run:
    """Close the window as support, approve the flagged claims, wait for the run: phases `run` and `review`."""
    import boto3

    from infrastructure.local.seed_data import COLIN_CHAPMAN_USER_ID

    host, port = url.removeprefix("http://").split(":")
    hits: list[Hit] = []
    browser = _Browser(host, int(port), hits, time.monotonic() + RUN_TIMEOUT)
    window = plan["window_id"]
    found = _Run()
    started = time.monotonic()
    deadline = started + RUN_TIMEOUT
    child.send("phase support")
    _sign_in(browser, COLIN_CHAPMAN_USER_ID)
    browser.get(f"/support/claim-windows/{window}/close")
    child.send("phase run")
    closed = browser.post(f"/support/claim-windows/{window}/close")
    if closed.status != 303:
        raise RuntimeError(f"Close window now: {closed.status}")
    sfn = boto3.client("stepfunctions")
    arn = plan["state_machine_arn"]

    def running() -> bool:
        executions = sfn.list_executions(stateMachineArn=arn)["executions"]
        return not executions or executions[0]["status"] == "RUNNING"

    waiting = _wait_for_reviews(window, deadline, running)
    child.send("phase review")
    before = len(hits)
    for reference in waiting:
        browser.get("/support/claims/review")
        browser.get(f"/support/claims/{reference}")
        decided = browser.post(f"/support/claims/{reference}/review", {"decision": "approve"})
        browser.follow(decided)
        found.reviewed += 1
    found.support_pages = len(hits) - before
    child.send("phase run")
    execution = None
    while time.monotonic() < deadline:
        executions = sfn.list_executions(stateMachineArn=arn)["executions"]
        execution = executions[0] if executions else None
        if execution and execution["status"] != "RUNNING":
            break
        time.sleep(1.0)
    if execution is None:
        raise RuntimeError("no payment run execution")
    found.status = execution["status"]
    if found.status != "SUCCEEDED":
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        found.problems.append(f"the run {found.status}: {described.get('error')} {described.get('cause', '')[:300]}")
    found.seconds = time.monotonic() - started
    history: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution["executionArn"]):
        history.extend(page["events"])
    found.transitions = sum(1 for event in history if str(event.get("type", "")).endswith("StateEntered"))
    found.events = Counter(str(event.get("type", "")) for event in history)
    found.maps = map_transitions(history)
    _, claims = _read_back()
    found.claims = sum(1 for c in claims if c["window_id"] == window and c["status"] == "payment_in_progress")
    found.problems += [f"{h.route}: {h.status}" for h in hits if h.error]
    return found


# -- the whole measurement ---------------------------------------------------------------------------------------
@dataclass
class DeadlineDay:
    """What one deadline day measured: the load's requests, the outcomes, the read-back, the child's counts."""

    users: int
    seconds: float
    hits: list[Hit]
    outcomes: list[_Outcome]
    cap_problems: list[str]
    allowances_checked: int
    claims_checked: int
    stats: dict[str, Any]
    contention: dict[str, Any]
    payment_run: _Run | None
    problems: list[str] = field(default_factory=list)
    setup_seconds: float = 0.0
    prepared: list[Hit] = field(default_factory=list)  # the contenders' walk to their check page, before the clock
    demo_cap_problems: list[str] = field(default_factory=list)  # found before the load: the demo data's own
    resets: int = 0  # connections the local API reset or refused (tried again)
    mentors_per_claim: float = 0.0  # the bench's submitted claims'

    @property
    def submitted(self) -> int:
        return sum(len(o.submitted) for o in self.outcomes)

    @property
    def errors(self) -> list[Hit]:
        return [h for h in self.hits if h.error]

    def calls(self, phase: str, keep: Callable[[str, str], bool]) -> list[tuple[str, str, int, float, float]]:
        """(service, operation, count, RRU, WRU) of one phase, of the (function, page)s `keep` keeps."""
        rows: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        for row_phase, function, route, service, operation, count, rru, wru in self.stats.get("calls", []):
            if row_phase == phase and keep(function, route):
                row = rows[(service, operation)]
                row[0] += count
                row[1] += rru
                row[2] += wru
        return [(s, o, int(v[0]), v[1], v[2]) for (s, o), v in rows.items()]

    def invocations(self, phase: str, keep: Callable[[str, str], bool]) -> list[tuple[str, int, float]]:
        """(function, invocations, seconds) of one phase, of the (function, page)s `keep` keeps."""
        return [
            (function, int(count), float(seconds))
            for row_phase, function, route, count, seconds in self.stats.get("invocations", [])
            if row_phase == phase and keep(function, route)
        ]

    def routes(self, phase: str) -> Counter[str]:
        """Invocations per page (API requests) in one phase."""
        found: Counter[str] = Counter()
        for row_phase, _function, route, count, _seconds in self.stats.get("invocations", []):
            if row_phase == phase and route != "-":
                found[route] += int(count)
        return found

    def cost_units(self, memory: Mapping[str, int], default: int) -> Any:
        """`cost_model.CostUnits` from what was measured, or None if the run or the load did not get far enough.

        A page's unit is everything its requests made in the load (the web function's calls and duration) divided
        by its requests; the emails' and other queued functions' work in the load is divided by the claims
        submitted; a review is the support function's work while support approved the flagged claims, divided by
        them; the run is every other function's work from "Close window now" to its end, divided by the claims it
        paid, and its transitions split into each Map's iterations and the rest (from the execution history)."""
        from tests.bench.cost_model import CostUnits, Usage, usage_of

        run = self.payment_run
        if run is None or not run.claims or not self.submitted:
            return None

        def usage(phase: str, keep: Callable[[str, str], bool]) -> Usage:
            return usage_of(self.calls(phase, keep), self.invocations(phase, keep), memory, default)

        def on_page(route: str) -> Callable[[str, str], bool]:
            return lambda _function, page: page == route

        pages = {route: usage("load", on_page(route)).scaled(1 / count) for route, count in self.routes("load").items()}
        queued = usage("load", lambda _f, r: r == "-").scaled(1 / self.submitted)
        reviewing = usage("review", lambda f, _r: f == "SupportFunction")
        review = reviewing.scaled(1 / run.reviewed) if run.reviewed else Usage()
        support_page = reviewing.scaled(1 / max(run.support_pages, 1))
        in_run = usage("run", lambda f, _r: f != "SupportFunction") + usage(
            "review", lambda f, _r: f != "SupportFunction"
        )
        per_claim = in_run.scaled(1 / run.claims)
        validation = run.maps.get("ValidateClaims", (0, 0))
        reviews = run.maps.get("SupportReview", (0, 0))
        inside = sum(entered for _, entered in run.maps.values())
        notes = [
            f"pages: each page's requests in the load ({len(self.hits):,} requests by {self.users} users, and "
            f"{len(self.prepared)} before the clock), averaged per request",
            f"emails and queued work: the load's non-API invocations over its {self.submitted} submitted claims",
            f"review: {run.reviewed} flagged claims approved in {run.support_pages} support requests",
            f"payment run: {run.claims} claims paid, {run.transitions} state transitions "
            f"({', '.join(f'{name}: {n} iterations, {e} transitions' for name, (n, e) in run.maps.items())}), "
            f"{run.status} in {run.seconds:.1f} s",
        ]
        return CostUnits(
            pages=pages,
            queued_per_claim=queued,
            review=review,
            support_page=support_page,
            run_per_claim=per_claim,
            run_fixed_transitions=float(run.transitions - inside),
            validation_page_transitions=validation[1] / validation[0] if validation[0] else 0.0,
            review_transitions=reviews[1] / reviews[0] if reviews[0] else 0.0,
            mentors_per_claim=self.mentors_per_claim or 1.0,
            notes=notes,
        )


def measure(users: int = USERS, seconds: float = SECONDS, payment_run: bool = True) -> DeadlineDay:
    """Start the stack, run the load, read back, then (unless told not to) the payment run; stop the stack."""
    from infrastructure.local.stack import free_port

    begun = time.monotonic()
    child = _Child.start(free_port(), users)
    try:
        plan = child.expect("ready", READY_TIMEOUT)
        setup = time.monotonic() - begun
        with _stack_environment(plan["environment"]):
            before = set(cap_violations(*_read_back(), _cap))  # the demo data's own, before the bench's claims
        child.send("phase load")
        load = _Load(plan["url"], plan, seconds=seconds, last_claim_starts=min(LAST_CLAIM_STARTS, seconds * 5 / 6))
        load.run()
        child.send("phase check")
        problems = [f"{o.user_id}: {p}" for o in load.outcomes for p in o.problems]
        with _stack_environment(plan["environment"]):
            allowances, claims = _read_back()
            violations = [v for v in cap_violations(allowances, claims, _cap) if v not in before]
            bench_urns = {u["urn"] for u in plan["users"]}
            named = [
                len(c["mentors"])
                for c in claims
                if c["window_id"] == plan["window_id"] and c["school_id"] in bench_urns
            ]
            found_run = None
            if payment_run:
                try:
                    found_run = _payment_run(child, plan["url"], plan)
                except Exception as error:  # noqa: BLE001 - reported with the results
                    problems.append(f"payment run: {type(error).__name__}: {error}")
                child.send("phase after")
        stats = child.stats()
    finally:
        child.stop()
    return DeadlineDay(
        users=users,
        seconds=load.wall,
        hits=load.hits,
        outcomes=load.outcomes,
        cap_problems=violations,
        allowances_checked=len(allowances),
        claims_checked=len(claims),
        stats=stats,
        contention=load.contention,
        payment_run=found_run,
        problems=problems,
        setup_seconds=setup,
        prepared=load.prepared,
        resets=load.resets,
        mentors_per_claim=statistics.mean(named) if named else 0.0,
        demo_cap_problems=sorted(before),
    )


_RESULT: dict[str, DeadlineDay] = {}


def shared_result(options: Options) -> DeadlineDay:
    """The run this process already measured (the deadline-day bench, then the cost one), or a new one."""
    if "result" not in _RESULT:
        _RESULT["result"] = measure()
    return _RESULT["result"]


# -- reporting -------------------------------------------------------------------------------------------------
def format_pages(hits: Sequence[Hit]) -> list[str]:
    """Per page (method and route pattern): requests, p50 and p95 in ms, errors; busiest first."""
    by_route: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_route[hit.route].append(hit)
    width = max([len("page"), *(len(r) for r in by_route)])
    header = f"{'page':<{width}}  {'requests':>8}  {'p50 ms':>7}  {'p95 ms':>7}  {'errors':>6}"
    lines = [header, "-" * len(header)]
    for route, group in sorted(by_route.items(), key=lambda item: -len(item[1])):
        times = [h.seconds * 1000 for h in group]
        lines.append(
            f"{route:<{width}}  {len(group):>8}  {percentile(times, 0.5):>7.0f}  {percentile(times, 0.95):>7.0f}  "
            f"{sum(1 for h in group if h.error):>6}"
        )
    return lines


def report(options: Options, result: DeadlineDay) -> None:
    hits = result.hits
    options.print(
        f"  stack up with the demo data and {result.users} bench users in {result.setup_seconds:.1f} s "
        "(not in the load's time)"
    )
    options.print(
        f"{result.users} users, {len(hits):,} requests in {result.seconds:.1f} s: "
        f"{len(hits) / result.seconds:.1f} requests per second; {result.submitted} claims submitted, "
        f"{sum(o.mentors_added for o in result.outcomes)} mentors added"
    )
    all_times = [h.seconds * 1000 for h in hits]
    options.print(f"all requests: p50 {percentile(all_times, 0.5):.0f} ms, p95 {percentile(all_times, 0.95):.0f} ms")
    options.print()
    for line in format_pages(hits):
        options.print(line)
    options.print()
    errors = result.errors
    stopped = sum(1 for o in result.outcomes if o.problems)
    options.print(
        f"errors (5xx, or 4xx that is not an expected form answer): {len(errors)} (goal 0); users stopped by "
        f"something else (a page not as expected, a connection that failed {RETRIES + 1} times): {stopped} (goal 0)"
    )
    for route, count in Counter(f"{h.route} {h.status}" for h in errors).most_common(10):
        options.print(f"  {count} x {route}")
    options.print(
        f"connections the local API reset or refused, tried again: {result.resets} (its ThreadingHTTPServer's listen "
        "backlog is socketserver's default of 5; API Gateway has none)"
    )
    expected = sum(1 for h in hits if h.expected and h.status == 409)
    accepted = sum(1 for o in result.outcomes if o.contended is True)
    options.print(
        f"contention: {CONTENDERS} schools submitted {CONTENDED_HOURS} of one mentor's hours with one provider at the "
        f"same instant (released {result.contention.get('released', float('nan')):.1f} s in): "
        f"{accepted} accepted, {expected} refused by the cap (409, expected)"
    )
    options.print(
        f"cap violations: {len(result.cap_problems)} (goal 0), over {result.allowances_checked} allowances and "
        f"{result.claims_checked} claims read back (each allowance within its cap, its used = its claims' hours)"
    )
    for problem in result.cap_problems[:10]:
        options.print(f"  {problem}")
    if result.demo_cap_problems:
        options.print(
            f"  (not counted: {len(result.demo_cap_problems)} allowances of the demo data's paid claims were already "
            f"inconsistent before the load, e.g. {result.demo_cap_problems[0]})"
        )
    for problem in result.problems[:10]:
        options.print(f"  PROBLEM: {problem}")
    run = result.payment_run
    if run is not None:
        options.print(
            f"after the load: support closed the window; the payment run {run.status} in {run.seconds:.1f} s "
            f"({run.claims} claims in payment, {run.transitions} state transitions; {run.reviewed} flagged claims "
            f"approved by support)"
        )
        options.print(
            "  the execution's history: " + ", ".join(f"{kind} {count}" for kind, count in sorted(run.events.items()))
        )
        for problem in run.problems[:5]:
            options.print(f"  PROBLEM in the run: {problem}")
    options.print(
        "One process serves everything on this 2-CPU machine (moto, the API, every handler; one request per function "
        "at a time, as one Lambda container): requests per second is this stack's here, and each latency includes "
        "the queue for the web function."
    )


def run(options: Options) -> None:
    try:
        result = shared_result(options)
    except Exception as error:  # noqa: BLE001 - a benchmark reports what stopped it and exits 0
        options.print(f"NOT MEASURED: {type(error).__name__}: {error}")
        return
    report(options, result)


BENCHMARK = Benchmark(
    name="deadline-day",
    summary=(
        f"{USERS} school users adding mentors and submitting claims for {SECONDS:.0f} s on loopback: requests per "
        "second, p50/p95 per page, errors and cap violations (goals 0)"
    ),
    run=run,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.deadline_day", description=__doc__)
    parser.add_argument("--serve", action="store_true", help="(the child) run the metered stack")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--no-payment-run", action="store_true")
    arguments = parser.parse_args(argv)
    if arguments.serve:
        _serve(arguments.port, arguments.users)
        return 0
    options = Options(runs=1, out=sys.stdout)
    result = measure(arguments.users, arguments.seconds, not arguments.no_payment_run)
    _RESULT["result"] = result
    report(options, result)
    from tests.bench.cost_model import print_cost

    options.print()
    print_cost(options, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
