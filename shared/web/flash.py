"""One-time messages ("… has been added", or why something could not be done) carried in the session to
the next page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.web.request import Request

_KEY = "flash"


@dataclass(frozen=True)
class Flash:
    text: str
    kind: Literal["success", "important"]  # the GOV.UK notification banner's type (important: nothing done)


def set_flash(request: Request, text: str, path: str, kind: Literal["success", "important"] = "success") -> None:
    """Show `text` once, on the next view of `path` (the page the POST redirects to)."""
    request.ensure_session().data[_KEY] = {"path": path, "text": text, "kind": kind}
    request.session_dirty = True


def take_flash_message(request: Request) -> Flash | None:
    """The message for this page, removed so that it shows once; None when there is none."""
    if request.session is None:
        return None
    message = request.session.data.get(_KEY)
    if not isinstance(message, dict) or message.get("path") != request.path:
        return None
    del request.session.data[_KEY]
    request.session_dirty = True
    text = str(message.get("text") or "")
    if not text:
        return None
    return Flash(text, "important" if message.get("kind") == "important" else "success")


def take_flash(request: Request) -> str | None:
    """The text of this page's message (pages whose messages are all successes)."""
    found = take_flash_message(request)
    return found.text if found else None
