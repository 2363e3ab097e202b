"""Browser fixtures: `make run`'s local stack in a subprocess, Debian's Chromium through Playwright,
and axe-core (from npm) in every page."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from infrastructure.local.stack import free_port
from tests.support import ROOT, check_page, isolated_suite

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package", autouse=True)
def isolated() -> Iterator[None]:
    """The stacks run in subprocesses with this process's environment: none of another suite's (tests.support)."""
    with isolated_suite():
        yield


@pytest.fixture(scope="package")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _local_stack(tmp_path_factory)


@pytest.fixture
def fresh_base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A stack of its own, for journeys that change the demo data."""
    yield from _local_stack(tmp_path_factory)


STACK_LOGS: dict[str, Path] = {}  # base URL → the stack's output (it names the fake Notify's URL)


def notify_url(base_url: str, timeout: float = 10) -> str:
    """The fake GOV.UK Notify of the stack at `base_url` (from what `make run` prints)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in STACK_LOGS[base_url].read_text().splitlines():
            if line.startswith("Emails sent (fake GOV.UK Notify): "):
                return line.split(": ", 1)[1].strip().rstrip("/")
        time.sleep(0.2)
    raise AssertionError("the stack did not say where its fake Notify is")


def _local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("stack") / "stack.log"
    env = {key: value for key, value in os.environ.items() if not key.endswith("_TABLE") and key != "AWS_ENDPOINT_URL"}
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "infrastructure.local", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    STACK_LOGS[url] = log
    try:
        _wait_for(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the local stack exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the local stack did not answer within {timeout}s:\n{log.read_text()}")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    yield from _page(browser, base_url, javascript=True)


def _page(browser: Browser, base_url: str, javascript: bool) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, java_script_enabled=javascript)
    context.add_init_script(path=str(AXE))
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    # A page may be a 404 on purpose; a stylesheet, script, font or image that fails to load never is.
    opened.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    opened.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    yield opened
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core over the page once it has loaded. A form's POST answers with a redirect: when the check
    starts while the browser is between the two documents, axe finds no document; it runs again on the
    page the browser lands on (never on a half-loaded one, never skipped)."""
    for attempt in range(5):
        page.wait_for_load_state("load")
        try:
            violations: list[dict[str, Any]] = page.evaluate("async () => (await axe.run(document)).violations")
        except PlaywrightError as error:
            if attempt == 4 or ("documentElement" not in str(error) and "navigat" not in str(error)):
                raise
            page.wait_for_timeout(250)
            continue
        return violations
    raise AssertionError("unreachable")


def assert_good_page(page: Page) -> None:
    """Zero axe-core violations, and the page invariants every page keeps."""
    violations = axe_violations(page)
    assert violations == [], "\n".join(
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}" for v in violations
    )
    check_page(page.content())


@dataclass(frozen=True)
class Journey:
    page: Page
    javascript: bool


@pytest.fixture
def journey(browser: Browser, fresh_base_url: str, request: pytest.FixtureRequest) -> Iterator[Journey]:
    """A page on a fresh stack; `@pytest.mark.parametrize("journey", [True, False], indirect=True)`
    chooses JavaScript on or off."""
    for opened in _page(browser, fresh_base_url, javascript=bool(request.param)):
        yield Journey(opened, bool(request.param))


@pytest.fixture
def checker(browser: Browser, fresh_base_url: str) -> Iterator[Page]:
    """A JavaScript-enabled page used to run axe-core over what a JavaScript-off page showed."""
    context = browser.new_context(base_url=fresh_base_url)
    context.add_init_script(path=str(AXE))
    opened = context.new_page()
    opened.goto("/accessibility")
    yield opened
    context.close()


def assert_good_static_page(page: Page, checker: Page) -> None:
    """axe-core over a JavaScript-off page: its HTML, at the same origin, in a page that can run axe."""
    html = page.content()
    checker.set_content(html, wait_until="load")
    assert_good_page(checker)
