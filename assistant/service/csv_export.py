"""CSV for spreadsheet programs: semicolon-separated (as German Excel expects), formula-safe.

A cell starting with = + - @ (or a tab or carriage return) would be read as a formula by
Excel and LibreOffice; such cells get a leading apostrophe. Write the text with the
``utf-8-sig`` encoding (a BOM) so that Excel reads it as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def safe_cell(value: str) -> str:
    """Defuse spreadsheet formulas: a cell starting with = + - @ is read as one by Excel."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The header and rows as CSV text; every text cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return buffer.getvalue()
