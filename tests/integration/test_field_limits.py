"""Every text field of every form has a limit, and going past it is a GOV.UK error on that field.

The pages each persona can reach are crawled from their start pages by following links (GET only, at most
`MAX_PAGES` each). Every form found with a field a person types into (text, email, search, tel, number, date
parts, a textarea) is sent once per such field: the field holds `LONG` characters, the other fields what the
page gave them (hidden values, the first of each radio group, the first option of a select). The answer must
be the form again with an error on that field (the error summary links to it); a redirect means the long
value was taken, and any 5xx fails. Nothing is saved: every one of these submissions is refused.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from infrastructure.local.seed_data import ANNE_WILSON_SCHOOL_URN
from tests.support import Client

LONG = 5_000
MAX_PAGES = 200
PER_PATTERN = 2  # pages opened of each shape of path (every school's page is the same page)
TYPED = {"text", "email", "search", "tel", "number", "", None}
# Where each persona's crawl starts. A provider's pages take files, not typed values (the upload tests cover them).
START = {
    "Anne Wilson": [
        "/",
        f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims",
        f"/schools/{ANNE_WILSON_SCHOOL_URN}/claims/new",
        f"/schools/{ANNE_WILSON_SCHOOL_URN}/mentors/new",
        f"/schools/{ANNE_WILSON_SCHOOL_URN}/users/new",
    ],
    "Colin Chapman": [
        "/support",
        "/support/claims/77991001",  # the fixture's claim
        "/support/claims?filtered=yes",
        "/support/organisations",
        "/support/users",
    ],
}
# A date's other parts hold a real date, so the error is the long part's own.
DATE_PARTS = {"day": "1", "month": "1", "year": "2000"}
# Links not followed: they end the session, leave the service, or start a file download.
SKIP = ("/sign-out", "/sign-in", "/auth/", "/download", ".csv", "/files/")


@dataclass(frozen=True)
class Form:
    page: str
    action: str
    method: str
    fields: tuple[tuple[str, str], ...]  # (name, value) as the page gives them
    typed: tuple[tuple[str, str], ...]  # (name, id) of each field a person types into


def _form(page: str, form: Tag) -> Form:
    fields: list[tuple[str, str]] = []
    typed: list[tuple[str, str]] = []
    radios: set[str] = set()
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name:
            continue
        kind = (element.get("type") or "").lower() if element.name == "input" else element.name
        if element.name == "textarea" or (element.name == "input" and kind in TYPED):
            typed.append((name, element.get("id") or name))
            fields.append((name, element.get_text() if element.name == "textarea" else element.get("value", "")))
        elif kind == "radio":
            if name not in radios:
                radios.add(name)
                fields.append((name, element.get("value", "")))
        elif kind == "checkbox":
            if element.has_attr("checked"):
                fields.append((name, element.get("value", "on")))
        elif kind == "select":
            option = element.find("option", selected=True) or element.find("option")
            fields.append((name, option.get("value", option.get_text()) if option else ""))
        elif kind in ("hidden", "submit"):
            fields.append((name, element.get("value", "")))
    action = urljoin(page, str(form.get("action") or page))
    return Form(page, action, (form.get("method") or "get").lower(), tuple(fields), tuple(typed))


def _pattern(path: str) -> str:
    """A path's shape: each segment holding a digit (an id, a URN, a reference, a code) is `*`, the query goes."""
    return "/".join("*" if any(c.isdigit() for c in segment) else segment for segment in urlsplit(path).path.split("/"))


def _crawl(client: Client, starts: list[str]) -> tuple[list[Form], int]:
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue = deque(starts)
    forms: dict[tuple[str, str, tuple[str, ...]], Form] = {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen or shapes[_pattern(path)] >= PER_PATTERN:
            continue
        seen.add(path)
        shapes[_pattern(path)] += 1
        page = client.get(path, check=False)
        if page.status in (302, 303) and page.location.startswith("/"):
            queue.appendleft(page.location)  # a journey's start makes the journey, then shows its first step
            continue
        if page.status != 200 or not page.headers.get("Content-Type", [""])[0].startswith("text/html"):
            continue
        soup = BeautifulSoup(page.body, "html.parser")
        for form in soup.find_all("form"):
            found = _form(path, form)
            if found.typed:
                forms.setdefault((_pattern(found.action), found.method, tuple(n for n, _ in found.typed)), found)
        for link in soup.find_all("a", href=True):
            href = urljoin(path, str(link["href"]))
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or any(s in href for s in SKIP):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)
    return list(forms.values()), len(seen)


def _refusals(client: Client, form: Form) -> list[str]:
    """What is wrong with how the form answers each of its typed fields holding `LONG` characters."""
    problems = []
    for name, field_id in form.typed:
        values = [(n, _value(n, v, long=n == name)) for n, v in form.fields]
        client.get(form.page, check=False)  # the form's own page first, as a person would (and its CSRF token)
        if form.method == "post":
            values = [(n, client.csrf_token() if n == "csrf_token" else v) for n, v in values]
            answer = client.request("POST", form.action, dict(_grouped(values)), check=False)
        else:
            answer = client.get(f"{urlsplit(form.action).path}?{urlencode(values)}", check=False)
        where = f"{form.method.upper()} {form.action} (from {form.page}) field {name!r}"
        if answer.status >= 500:
            problems.append(f"{where}: {answer.status}")
            continue
        if answer.status in (301, 302, 303):
            problems.append(f"{where}: taken (redirected to {answer.location[:80]}…)")
            continue
        summary = BeautifulSoup(answer.body, "html.parser").select_one(".govuk-error-summary")
        links = [a.get("href", "") for a in summary.find_all("a")] if summary else []
        if not any(_targets(href.lstrip("#"), field_id) for href in links):
            problems.append(f"{where}: no error on the field (error summary links: {links})")
    return problems


def _targets(target: str, field_id: str) -> bool:
    """Whether an error summary link is the field's: its id, or for a part of a date the date (a date's error
    links to its first part, as the GOV.UK date input asks)."""
    group, _, part = field_id.rpartition("-")
    if group and part in DATE_PARTS:
        return target.startswith(f"{group}-")
    return target == field_id or target.startswith(field_id)


def _value(name: str, given: str, *, long: bool) -> str:
    part = name.rsplit("-", 1)[-1]
    if long:
        return ("9" if "hour" in name or part in DATE_PARTS else "a") * LONG
    return given or DATE_PARTS.get(part, "") if "-" in name else given


def _grouped(values: list[tuple[str, str]]) -> dict[str, Any]:
    grouped: dict[str, list[str]] = {}
    for name, value in values:
        grouped.setdefault(name, []).append(value)
    return {name: found[0] if len(found) == 1 else found for name, found in grouped.items()}


@pytest.fixture
def a_claim(seed: Any) -> Iterator[str]:
    """A submitted claim of Anne's school, so the claim's pages and its actions' forms are crawled too."""
    from shared.claims.academic_years import AcademicYear
    from shared.claims.allowance import TrainingType
    from shared.claims.claim import Claim, ClaimMentor
    from shared.claims.statuses import ClaimStatus
    from shared.data.claim_windows import ClaimWindows
    from shared.data.claims import _to_item
    from shared.data.items import ClaimItem
    from tests.support import NOW

    window = next(w for w in ClaimWindows().all() if w.academic_year == AcademicYear(2026))
    mentor = ClaimMentor(
        trn="3000991", first_name="Lena", last_name="Limit", hours=3, training_type=TrainingType.INITIAL
    )
    claim = Claim(
        reference="77991001",
        school_id=ANNE_WILSON_SCHOOL_URN,
        school_name="Field Limits School",
        provider_code="N97",
        provider_name="Field Limits Provider",
        window_id=window.window_id,
        academic_year=window.academic_year,
        status=ClaimStatus.SUBMITTED,
        mentors=(mentor,),
        region="Rest of England",
        hourly_rate_pence=4380,
        amount_pence=3 * 4380,
        created_at=NOW,
        submitted_at=NOW,
        submitted_by="user-test",
        submitted_by_name="Lena Limit",
    )
    _to_item(claim).save()
    yield claim.reference
    ClaimItem(claim_id=claim.reference).delete()


@pytest.mark.parametrize("persona", sorted(START))
def test_every_typed_field_refuses_a_value_past_its_limit(client: Client, persona: str, a_claim: str) -> None:
    from tests.support import set_grant_conditions

    set_grant_conditions(ANNE_WILSON_SCHOOL_URN, accepted=True)
    client.sign_in(persona)
    forms, pages = _crawl(client, START[persona])
    assert forms, f"{persona}: no form with a typed field in {pages} pages"
    problems = [problem for form in forms for problem in _refusals(client, form)]
    assert not problems, f"{persona}: {len(forms)} forms in {pages} pages:\n" + "\n".join(problems)
