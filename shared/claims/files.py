"""CSV files exchanged with the payer, providers and support: headers and safe cells.

Every cell that a spreadsheet would treat as a formula (starting with =, +, -, @, tab or CR) is
prefixed with a single quote, so a school called `=HYPERLINK(...)` stays text. A plain negative number
(`-43.80`) is left alone: a spreadsheet reads it as a number, never a formula, and an amount must stay one.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

PAYMENT_FILE_HEADERS = (
    "claim_reference",
    "school_urn",
    "vendor_number",
    "school_name",
    "school_local_authority",
    "provider_name",
    "claim_amount",
    "school_type_of_establishment",
    "school_group",
    "claim_submission_date",
    "claim_status",
    "claim_unpaid_reason",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) and not _NEGATIVE_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """UTF-8 CSV, one encoded line at a time (so a file of any size streams in constant memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in headers])
    yield buffer.getvalue().encode("utf-8")
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(cell) for cell in row])
        yield buffer.getvalue().encode("utf-8")


# The claims a payment run paid, for support (the run page's "included claims"): no personal data.
INCLUDED_CLAIMS_HEADERS = (
    "claim_reference",
    "school_urn",
    "school_name",
    "provider_name",
    "claim_amount",
    "claim_status",
)
