"""CSV downloads every service offers the same way: streamed, and safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

_FORMULA_STARTS = ("=", "+", "-", "@")


def spreadsheet_safe(row: Sequence) -> list:
    """A text cell starting with = + - @ is a formula to a spreadsheet: people typed these, so defuse them."""
    return [f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value for value in row]


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """Streamed line by line; `rows` must not need the request (read them before calling)."""
    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow(spreadsheet_safe(row))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = Response(lines(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response
