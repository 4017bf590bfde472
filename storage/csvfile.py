"""The one CSV writer for every CSV the product emits (dashboard downloads, exports).

Feed text is untrusted: a title such as ``=HYPERLINK("http://evil/", "x")``
becomes a live formula when an analyst opens the file in a spreadsheet. Following
OWASP's CSV-injection advice, any text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is prefixed with a single quote, which
spreadsheets show as text; quoting and embedded quotes are the csv module's. Rows
end in CRLF (RFC 4180), which also makes the csv module quote a cell holding a bare
carriage return — with pandas' default "\n" such a cell split its row in two.
Numbers stay numbers (a score of -3.5 is data, not a formula); only text cells
are touched, headers included.
"""

from __future__ import annotations

from typing import BinaryIO

import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "csv_bytes", "neutralise", "write_csv"]

# OWASP "CSV Injection": the characters a spreadsheet reads as the start of a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CSV: dict = {"index": False, "lineterminator": "\r\n"}


def neutralise(value: object) -> object:
    """A text value that cannot start a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_string_dtype(column) or pd.api.types.is_object_dtype(column):
            out[name] = column.map(neutralise, na_action="ignore").astype(object)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, out: BinaryIO, *, header: bool = True) -> None:
    """Write ``frame`` as formula-safe UTF-8 CSV to ``out`` (call again without header to
    append the next chunk of a streamed export)."""
    out.write(_safe(frame).to_csv(**_CSV, header=header).encode("utf-8"))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as formula-safe UTF-8 CSV, with a byte-order mark so spreadsheet programs
    read Cyrillic."""
    return "\ufeff".encode() + _safe(frame).to_csv(**_CSV).encode("utf-8")
