"""GOV.UK Notify's markdown, as support's email previews show it (Settings → Emails): the subset the service's
bodies use, rendered with GOV.UK Frontend's classes, everything else escaped.

Blocks are separated by blank lines: `# ` a heading, `^ ` inset text, lines of `* ` a bulleted list, anything else a
paragraph (its lines kept apart). Inline, `[text](https://…)` is a link (http and https only); a bare https URL is
linked too, as Notify does.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^\s)]+)\)|(https?://[^\s<>()]+)")


def _inline(text: str) -> Markup:
    parts: list[Markup] = []
    position = 0
    for match in _LINK.finditer(text):
        parts.append(escape(text[position : match.start()]))
        label, href, bare = match.group(1), match.group(2), match.group(3)
        url = href or bare
        parts.append(Markup('<a class="govuk-link" href="{}">{}</a>').format(url, label or url))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def _block(lines: list[str]) -> Markup:
    if all(line.startswith("* ") for line in lines):
        items = Markup("").join(Markup("<li>{}</li>").format(_inline(line[2:])) for line in lines)
        return Markup('<ul class="govuk-list govuk-list--bullet">{}</ul>').format(items)
    if len(lines) == 1 and lines[0].startswith("# "):
        return Markup('<h2 class="govuk-heading-m">{}</h2>').format(_inline(lines[0][2:]))
    if lines[0].startswith("^ "):
        text = Markup("<br>").join(_inline(line.removeprefix("^ ")) for line in lines)
        return Markup('<div class="govuk-inset-text">{}</div>').format(text)
    return Markup('<p class="govuk-body">{}</p>').format(Markup("<br>").join(_inline(line) for line in lines))


def render(body: str) -> Markup:
    """The body as HTML: safe to put in a page as it is."""
    blocks: list[list[str]] = [[]]
    for line in body.replace("\r\n", "\n").split("\n"):
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    return Markup("\n").join(_block(lines) for lines in blocks if lines)
