"""What every CSV upload has in common (payer and clawback responses, eligible schools, audit samples, providers'
audit files): reading the file's text, its records, the file-level error and how many row errors a page shows.

A CSV is read as UTF-8 (a BOM is fine) or, failing that, as Windows-1252: "CSV (Comma delimited)" from Excel on
Windows is written in the ANSI code page, so "café" or an en dash arrives as one byte that is not UTF-8. A file
with control characters no text CSV has (a spreadsheet, an image) is refused as not a CSV.

Pure: no AWS, HTTP or templates.
"""

from __future__ import annotations

import csv
import io
import re

MAX_ERRORS_SHOWN = 50  # a page lists the first 50 row errors and says how many there are
# Control characters that never appear in a text CSV (tab, CR and LF do); a PNG or a spreadsheet has them.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

NO_FILE = "Select a CSV file to upload"
NOT_CSV = "The selected file must be a CSV"
EMPTY = "The selected file is empty"


class InvalidFile(Exception):
    """The file cannot be read at all (the first stage of an upload's checks); `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def csv_text(content: bytes) -> str:
    """An uploaded CSV's text: UTF-8 (a BOM is fine) or, failing that, Windows-1252; InvalidFile if binary."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # The five bytes Windows-1252 leaves undefined become U+FFFD rather than refusing the whole file
        text = content.decode("cp1252", "replace")
    if _BINARY.search(text):
        raise InvalidFile(NOT_CSV)
    return text


def csv_records(text: str) -> list[tuple[int, list[str]]]:
    """Every non-blank record with its row number (blank lines count as rows, as in a spreadsheet)."""
    try:
        records = list(enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), start=1))
    except csv.Error:
        raise InvalidFile(NOT_CSV) from None
    return [(number, cells) for number, cells in records if any(cell.strip() for cell in cells)]
