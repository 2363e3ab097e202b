"""Money is integer pence everywhere; these only format it."""

from __future__ import annotations


def format_pounds(pence: int) -> str:
    """`87600` → `£876.00`; `107200` → `£1,072.00` (GOV.UK style)."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def format_csv_amount(pence: int) -> str:
    """`87600` → `876.00`: the payer's CSV format (no symbol, no thousands separator)."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}{pounds}.{rest:02d}"
