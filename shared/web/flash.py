"""One-time success messages ("… has been added") carried in the session to the next page."""

from __future__ import annotations

from shared.web.request import Request

_KEY = "flash"


def set_flash(request: Request, text: str, path: str) -> None:
    """Show `text` once, on the next view of `path` (the page the POST redirects to)."""
    request.ensure_session().data[_KEY] = {"path": path, "text": text}
    request.session_dirty = True


def take_flash(request: Request) -> str | None:
    """The message for this page, removed so that it shows once; None when there is none."""
    if request.session is None:
        return None
    message = request.session.data.get(_KEY)
    if not isinstance(message, dict) or message.get("path") != request.path:
        return None
    del request.session.data[_KEY]
    request.session_dirty = True
    return str(message.get("text") or "") or None
