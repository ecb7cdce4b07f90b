"""Text that ends up in a spreadsheet cell must stay text: a cell starting with =, +, -, @ (or a tab or carriage
return) is run as a formula by Excel, WPS and LibreOffice when a CSV is opened (CSV/formula injection, OWASP).
Scraped job titles, school names and user comments all reach exports, so every writer passes text through here."""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# the mark :func:`defuse` adds, as readers find it (a regex whose group 1 is the text as it was)
DEFUSED_PATTERN = "^'([" + re.escape("".join(FORMULA_STARTS)) + "])"


def defuse(value: Any) -> Any:
    """A text value that starts like a formula, with a leading ' (Excel's own "this is text" mark); anything else
    unchanged. Numbers are left alone (−5 is a number, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def defused_row(row: Any) -> list[Any]:
    return [defuse(v) for v in row]
