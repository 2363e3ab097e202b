"""The files behind /assets: GOV.UK Frontend and accessible-autocomplete from npm, and our own.

The same mapping fills the assets bucket on deployment (`make deploy-assets`) and is served by the
local stack at /assets, so pages reference identical URLs in both places.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOVUK = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
AUTOCOMPLETE = ROOT / "node_modules" / "accessible-autocomplete" / "dist"
OWN = ROOT / "templates" / "assets"

CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".map": "application/json",
    ".json": "application/manifest+json",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}


def asset_files() -> dict[str, Path]:
    """URL path under /assets → file on disk."""
    files: dict[str, Path] = {}
    for name in ("govuk-frontend.min.css", "govuk-frontend.min.js"):
        files[name] = GOVUK / name
    for path in (GOVUK / "assets").rglob("*"):
        if path.is_file():
            files[path.relative_to(GOVUK / "assets").as_posix()] = path
    for name in ("accessible-autocomplete.min.js", "accessible-autocomplete.min.css"):
        files[name] = AUTOCOMPLETE / name
    for path in OWN.glob("*"):
        if path.is_file():
            files[path.name] = path
    return files


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix, "application/octet-stream")
