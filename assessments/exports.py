"""List downloads: CSV, Excel (.xlsx) and JSON of the same columns. Every export goes through this module.

An export is a list of `Column`s (key, header, kind) and rows of values in that order; each format
writes them its own way:

- CSV: every field quoted, UTF-8 with a byte order mark (Excel opens UTF-8 without one as Latin-1). A
  spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return) as a
  formula. Norwegian Excel splits a CSV on `;`, other programs on `,` (or a line break), whatever the
  quotes say, so a title such as `Chatbot;=cmd|' /C calc'!A0` would become a live formula cell after the
  split. Text gets an apostrophe (which spreadsheets show as text and never evaluate, the OWASP advice)
  at its start and after every `;`, `,`, tab or line break that a formula character follows.
- Excel: typed cells (numbers, dates as dates; an exact moment in UTC to the second), a header row, frozen
  panes and filters. Every text cell is written as a string cell, so a value starting with `=` is stored as
  text and never becomes a formula.
- JSON: `{"generated_at": ..., "<key>": [{column: value}, ...]}`, dates in ISO 8601.

An empty Excel template for an import (`xlsx_template_response`) has the header row, a drop-down list for each
column with fixed values (from a second sheet that lists them), and a hint for columns with a format.

A list searched by title that found no title with the words shows titles *like* them (queries.search); a
page says so above the list, and its download says so too: in the file name (`-lignende-titler`), the Excel
sheet's name, and JSON's `"similar_titles_only"` (given, true or false, for every list that can be searched).

Free text in every format passes through `text.clean_text` again (bidi overrides and zero-width characters
out), so old rows stored before the normaliser existed are exported clean too.
"""

import csv
import json
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assessments.text import clean_text

BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A formula character at the start of the text or of any piece a split on ; , tab or a line break makes,
# after optional spaces or quotes (`;"=cmd"` is a formula once the quotes are read).
_FORMULA_PIECE = re.compile(r'(^|[;,\t\r\n])([\s"]*[=+\-@\t\r])')


@dataclass(frozen=True)
class Column:
    key: str
    header: str | Promise  # a lazily translated header is worded when the file is written
    kind: str = "text"  # text, int, date, datetime (local, to the minute), utc_datetime (to the second), bool, list
    width: int = 18


def _text(value) -> str:
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    return clean_text(str(value))


def neutralise(text: str) -> str:
    """Text that no split on ; , tab or line break can turn into a formula."""
    return _FORMULA_PIECE.sub(lambda m: m.group(1) + "'" + m.group(2), text)


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def csv_cell(value) -> str:
    """One CSV cell as text: numbers as numbers, dates in ISO form, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")  # in the language of the rest of the file
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(_text(value))


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[Column], rows: Iterable[Sequence]) -> Iterable[str]:
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield BOM + writer.writerow([csv_cell(str(c.header)) for c in columns])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def csv_response(filename: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """Stream a CSV download: large exports never sit in memory as a whole."""
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)


def _xlsx_cell(sheet, column: Column, value):
    if value is None or value == "":
        return WriteOnlyCell(sheet, value=None)
    if column.kind == "datetime" and isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_local(value).replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if column.kind == "utc_datetime" and isinstance(value, datetime):
        # An exact moment (the audit log's, as it was chained): Excel has no time zones, so the cell holds UTC
        # and says so, to the second, as the CSV's ISO time does.
        cell = WriteOnlyCell(sheet, value=value.astimezone(UTC).replace(tzinfo=None))
        cell.number_format = 'yyyy-mm-dd hh:mm:ss "UTC"'
        return cell
    if column.kind in ("date", "datetime") and isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if column.kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    if column.kind == "bool" and isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", _text(value))[:32767])
    cell.data_type = "s"  # text, always: openpyxl would otherwise store "=..." as a formula
    return cell


def xlsx_response(filename: str, columns: Sequence[Column], rows: Iterable[Sequence], *, sheet: str) -> FileResponse:
    """An Excel workbook written row by row (openpyxl's write-only mode) into a temporary file."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(worksheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(column.header)))
        cell.data_type, cell.font = "s", bold
        header.append(cell)
    worksheet.append(header)
    count = 0
    for row in rows:
        worksheet.append([_xlsx_cell(worksheet, column, value) for column, value in zip(columns, row, strict=True)])
        count += 1
    worksheet.auto_filter.ref = f"A1:{get_column_letter(max(1, len(columns)))}{count + 1}"
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_TYPE)
    return _attachment(response, filename)


def xlsx_template_response(
    filename: str, headers: Sequence[str], *, sheet: str, values_sheet: str, choices: dict, hints: dict, rows: int
) -> FileResponse:
    """An empty workbook to fill in for an import: `headers` on the first sheet, which the import reads. A column in
    `choices` (header -> allowed values) offers them in a drop-down list, read from `values_sheet`, which lists
    them; a column in `hints` (header -> a sentence) shows its hint when a cell is selected. Both warn rather than
    refuse, since the import reads more spellings than the list shows (it names any value it does not know)."""
    workbook = Workbook()
    first = workbook.active
    first.title = sheet[:31]
    first.append(list(headers))
    first.freeze_panes = "A2"
    listed = workbook.create_sheet(title=values_sheet[:31])
    listed_columns = 0
    for index, header in enumerate(headers, start=1):
        first.cell(row=1, column=index).font = Font(bold=True)
        first.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 2)
        cells = f"{get_column_letter(index)}2:{get_column_letter(index)}{rows + 1}"
        if header in choices:
            listed_columns += 1
            column = get_column_letter(listed_columns)
            values = [str(value) for value in choices[header]]
            for row, value in enumerate([header, *values], start=1):
                listed[f"{column}{row}"] = value
            listed[f"{column}1"].font = Font(bold=True)
            listed.column_dimensions[column].width = max(len(v) for v in [header, *values]) + 2
            source = f"'{listed.title}'!${column}$2:${column}${len(values) + 1}"
            check = DataValidation(type="list", formula1=source, allow_blank=True, errorStyle="warning")
        elif header in hints:
            check = DataValidation(allow_blank=True)
        else:
            continue
        if header in hints:
            check.promptTitle, check.prompt, check.showInputMessage = header[:32], str(hints[header])[:255], True
        check.add(cells)
        first.add_data_validation(check)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return _attachment(FileResponse(handle, content_type=XLSX_TYPE), filename)


def _json_value(column: Column, value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | Promise):  # a lazily translated label is text too
        return clean_text(str(value))
    if isinstance(value, list | tuple):
        return [_json_value(column, item) for item in value]
    if isinstance(value, dict):
        return json.loads(clean_text(json.dumps(value, ensure_ascii=False)))
    return value


def json_response(
    filename: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    key: str = "entries",
    about: dict | None = None,
):
    """Stream `{"generated_at": ..., **about, key: [{column: value}, ...]}`."""

    def stream():
        head = {"generated_at": timezone.now().isoformat(timespec="seconds"), **(about or {})}
        yield json.dumps(head, ensure_ascii=False)[:-1] + ", " + json.dumps(key) + ": ["
        for i, row in enumerate(rows):
            data = {c.key: _json_value(c, v) for c, v in zip(columns, row, strict=True)}
            yield ("," if i else "") + json.dumps(data, ensure_ascii=False)
        yield "]}"

    response = StreamingHttpResponse(stream(), content_type="application/json; charset=utf-8")
    return _attachment(response, filename)


def response(
    fmt: str,
    stem: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    sheet: str,
    key: str,
    similar_titles: bool | None = None,
):
    """The download in one of the three formats, named `<stem>.<fmt>`. `similar_titles`: for a list that can
    be searched by title, whether the search showed titles like the words rather than ones with them."""
    about = {} if similar_titles is None else {"similar_titles_only": similar_titles}
    if similar_titles:
        stem = f"{stem}-lignende-titler"
        sheet = f"{sheet} ({_('lignende titler')})"
    if fmt == "csv":
        return csv_response(f"{stem}.csv", columns, rows)
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", columns, rows, sheet=sheet)
    if fmt == "json":
        return json_response(f"{stem}.json", columns, rows, key=key, about=about)
    raise ValueError(f"unknown export format {fmt!r}")
