"""Rendering: one Jinja environment over our templates and govuk-frontend-jinja's macros.

Titles and the "Error: " prefix are set here, once: every page's <title> is
"{h1} - Claim funding for mentor training - GOV.UK".
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape
from markupsafe import Markup, escape

from shared.claims.academic_years import LONDON
from shared.claims.emails import SUPPORT_EMAIL
from shared.claims.money import format_pounds
from shared.claims.statuses import DISPLAY, ClaimStatus

SERVICE_NAME = "Claim funding for mentor training"


def format_date(value: dt.date | dt.datetime | None) -> str:
    """GOV.UK style: 1 January 2026."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: dt.datetime | None) -> str:
    """GOV.UK style: 1 January 2026 at 2:05pm."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{format_date(local)} at {hour}:{local.minute:02d}{suffix}"


def support_link() -> Markup:
    """The support team's address as a mailto link (one place for it: `shared.claims.emails.SUPPORT_EMAIL`)."""
    return Markup('<a class="govuk-link" href="mailto:{0}">{0}</a>').format(SUPPORT_EMAIL)


def lines(values: list[str]) -> Markup:
    """Values one per line, each escaped: for summary-list values that hold several things."""
    return Markup("<br>").join(escape(value) for value in values)


def status_tag(status: str) -> dict[str, str]:
    display = DISPLAY[ClaimStatus(status)]
    return {"text": display.label, "classes": f"govuk-tag--{display.colour}"}


@lru_cache(maxsize=4)
def environment(templates_path: Path) -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(str(templates_path)),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pounds"] = format_pounds
    env.filters["govuk_date"] = format_date
    env.filters["govuk_datetime"] = format_datetime
    env.filters["lines"] = lines
    env.globals["status_tag"] = status_tag
    env.globals["service_name"] = SERVICE_NAME
    env.globals["support_email"] = SUPPORT_EMAIL
    env.globals["support_link"] = support_link
    return env


def compile_pages(templates_path: Path) -> int:
    """Compile every page template (ours and GOV.UK Frontend's macros) into the environment's cache, so no request
    compiles one; how many. About a second of CPU: for a SnapStart function's before-snapshot hook (ADR 0043), where
    it is paid once per published version rather than by each restored environment's first requests."""
    env = environment(templates_path)
    names = env.list_templates(filter_func=lambda name: name.endswith(".html"))
    for name in names:
        env.get_template(name)
    return len(names)


def page_title(h1: str, has_errors: bool) -> str:
    prefix = "Error: " if has_errors else ""
    return f"{prefix}{h1} - {SERVICE_NAME} - GOV.UK"


def render_page(templates_path: Path, template: str, context: dict[str, Any]) -> str:
    env = environment(templates_path)
    errors = context.get("errors") or []
    context.setdefault("errors", errors)
    context["page_title"] = page_title(context["h1"], bool(errors))
    return env.get_template(template).render(context)
