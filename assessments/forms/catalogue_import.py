"""Reading the tool overview UKE keeps today (CSV or Excel) into rows, and validating each row as an entry.

Only validation lives here; services/catalogue.tool_import makes the versions. The upload is read once, at the
preview, into plain text cells per row; the confirmation validates those cells again against the overview as it
is then (`validate`), so nothing the preview saw is trusted a second time.

- CSV: UTF-8 with or without a byte order mark, `;` or `,` between cells (the header line decides).
- Excel (.xlsx): the first sheet, read with openpyxl in read-only mode and `data_only=False`, so a formula
  is seen as a formula and refused for its row: formulas are never evaluated, and a cached result is not
  taken as the value either. The archive's table of contents is checked first (entries, unpacked size).
  openpyxl parses with the standard library's expat, which resolves no external entities and limits entity
  expansion.

Row numbers are the spreadsheet's: the header is row 1. Headers are listed in docs/catalogue-import.md.
"""

import csv
import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from assessments.forms.catalogue import RESERVED_SLUGS, ToolCreateForm, ToolVersionForm
from assessments.labels import HOSTINGS, INFO_CLASSES, TOOL_STATUSES
from assessments.models.catalogue import BOOL_FIELDS, DATE_FIELDS, VERSION_FIELDS, ToolEntryVersion
from assessments.presentation.display import quoted_list
from assessments.queries import catalogue as reads
from assessments.services.evidence import MAX_ZIP_ENTRIES, XLSX, sniff
from assessments.text import Form, clean_text, file_field

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_CELL_CHARS = 5000

# The file's column headers (Norwegian, as UKE's overview names them) -> the version field. The field names
# themselves are accepted too, so a file made by another system can use them.
COLUMNS = [
    ("kjennetegn", "slug"),
    ("navn", "name"),
    ("leverandør", "vendor"),
    ("utgave", "edition"),
    ("beskrivelse", "description"),
    ("lager innhold", "generates_content"),
    ("lagring og drift", "hosting"),
    ("databehandleravtale", "dpa"),
    ("avtalereferanse", "dpa_reference"),
    ("avtalen gjelder til", "dpa_valid_until"),
    ("leverandøren trener på innhold", "vendor_trains_on_inputs"),
    ("kommunens avtale", "enterprise_agreement"),
    ("høyeste informasjonsklasse", "max_class"),
    ("personopplysninger tillatt", "personal_data_allowed"),
    ("særlige kategorier tillatt", "special_categories_allowed"),
    ("retningslinje", "guideline_url"),
    ("status", "status"),
    ("status fra", "status_since"),
    ("godkjent til", "approved_until"),
    ("merknad", "note"),
]
HEADER_OF = {name: header for header, name in COLUMNS}
FIELD_OF = {**{header: name for header, name in COLUMNS}, **{name: name for _h, name in COLUMNS}}
# A new entry starts from the model's defaults; an empty checkbox would otherwise read as "no".
NEW_ROW = {name: "true" for name in BOOL_FIELDS if ToolEntryVersion._meta.get_field(name).default is True}
TRUE_WORDS = {"ja", "j", "yes", "y", "true", "sann", "1", "x"}
FALSE_WORDS = {"nei", "n", "no", "false", "usann", "0"}
CHOICES = {"status": TOOL_STATUSES, "max_class": INFO_CLASSES, "hosting": HOSTINGS}


def template_choices() -> dict[str, list[str]]:
    """Column header -> the values the template's drop-down offers: the bokmål labels for a column with choices (as
    UKE's file has them), ja/nei for a yes/no column."""
    with translation.override("nb"):
        offered = {HEADER_OF[name]: [str(label) for label in labels.values()] for name, labels in CHOICES.items()}
    return {**offered, **{HEADER_OF[name]: ["ja", "nei"] for name in BOOL_FIELDS if name in HEADER_OF}}


# The template's hint for a column with a format (in bokmål, as the file's headers are).
TEMPLATE_HINTS = {
    **{HEADER_OF[name]: "Dato som dd.mm.åååå, for eksempel 01.03.2026." for name in DATE_FIELDS if name in HEADER_OF},
    HEADER_OF["slug"]: "Kort, unikt kjennetegn med små bokstaver, tall og bindestrek, for eksempel «kommunechat».",
    HEADER_OF["guideline_url"]: "Lenke som begynner med https://.",
}


# Problems of a row found while reading the file, stored as codes so the preview words them in the user's
# language: (row, code, column header). Every problem of a row is kept; the row's other cells are still checked
# (validate), so the preview names all that is wrong with it at once, and the row is not imported.
FORMULA, EXTRA_CELLS, TOO_LONG = "formula", "extra_cells", "too_long"


def _read_problem(code: str, column: str) -> str:
    if code == FORMULA:
        return _("Cellen i kolonnen «%(column)s» er en formel. Formler regnes ikke ut; skriv inn verdien.") % {
            "column": column}  # fmt: skip
    if code == TOO_LONG:
        return _("Cellen i kolonnen «%(column)s» er for lang: en celle kan ha høyst %(limit)s tegn.") % {
            "column": column, "limit": MAX_CELL_CHARS}  # fmt: skip
    return _("Raden har flere celler enn det er overskrifter.")


@dataclass
class Table:
    """What the file holds: text cells by field name per row, and the rows that could not be read."""

    name: str
    sha256: str
    rows: list = field(default_factory=list)  # [(row number, {field: text})]
    problems: list = field(default_factory=list)  # [(row number, code, column)]

    def as_session(self) -> dict:
        return {"name": self.name, "sha256": self.sha256, "rows": self.rows, "problems": self.problems}

    @classmethod
    def from_session(cls, data: dict) -> "Table":
        rows = [(int(n), {str(k): str(v) for k, v in cells.items()}) for n, cells in data["rows"]]
        return cls(data["name"], data["sha256"], rows, [tuple(p) for p in data["problems"]])


def _file_error(message: str) -> forms.ValidationError:
    return forms.ValidationError(message, code="file")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)).strip()


def _fields_of(header: list[str]) -> list[str]:
    """The field of each column; raises for an unknown, repeated or missing column."""
    names = [clean_text(h or "").strip().rstrip("*").strip().casefold() for h in header]
    while names and not names[-1]:
        names.pop()
    unknown = [h for h in names if h not in FIELD_OF]
    if unknown:
        raise _file_error(_("Ukjente kolonner i første rad: %(columns)s. Bruk overskriftene i malen.")
                          % {"columns": ", ".join(f"«{h[:40]}»" for h in unknown[:10])})  # fmt: skip
    fields = [FIELD_OF[h] for h in names]
    if len(set(fields)) != len(fields):
        raise _file_error(_("En kolonne står to ganger i første rad."))
    if "slug" not in fields:
        raise _file_error(_("Kolonnen «kjennetegn» mangler i første rad."))
    return fields


def _table(name: str, data: bytes, lines) -> Table:
    """Rows of cells (an iterator of lists of (value, is_formula)) into a Table."""
    table = Table(name=name, sha256=hashlib.sha256(data).hexdigest())
    header = next(lines, None)
    if header is None:
        raise _file_error(_("Filen er tom."))
    fields = _fields_of([_cell_text(value) for value, _f in header])
    for number, cells in enumerate(lines, start=2):
        if number > MAX_ROWS + 1:
            raise _file_error(_("Filen har mer enn %(n)s rader. Del den opp.") % {"n": MAX_ROWS})
        if all(_cell_text(value) == "" for value, _f in cells):
            continue
        row, problems = _row(number, cells, fields)
        table.problems.extend(problems)
        table.rows.append((number, row))
    return table


def _row(number: int, cells: list, fields: list[str]) -> tuple[dict, list]:
    """A row's readable cells by field, and every problem of the row (a cell with one is left out)."""
    row, problems = {}, []
    for index, (value, formula) in enumerate(cells):
        text = _cell_text(value)
        if index >= len(fields):
            if text and (number, EXTRA_CELLS, "") not in problems:
                problems.append((number, EXTRA_CELLS, ""))
        elif formula:
            problems.append((number, FORMULA, HEADER_OF[fields[index]]))
        elif len(text) > MAX_CELL_CHARS:
            problems.append((number, TOO_LONG, HEADER_OF[fields[index]]))
        else:
            row[fields[index]] = text
    return row, problems


def _csv_lines(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(_("CSV-filen er ikke lagret som UTF-8. Lagre den som «CSV UTF-8» og prøv igjen.")) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield [(cell, False) for cell in cells]
    except csv.Error as error:
        # The csv module says only this in words; a cell over its limit is no quoting mistake. No field of an
        # entry holds more than a few thousand characters, so the limit is not raised.
        if "field larger than field limit" in str(error):
            limit = number_format(csv.field_size_limit(), force_grouping=True)
            raise _file_error(_("En celle i CSV-filen er for lang (over %(limit)s tegn).") % {"limit": limit}) from None
        raise _file_error(_("CSV-filen kan ikke leses (feil bruk av anførselstegn?).")) from None


UNREADABLE_XLSX = gettext_lazy("Excel-filen kan ikke leses. Lagre den på nytt som .xlsx og prøv igjen.")


def _xlsx_lines(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise _file_error(UNREADABLE_XLSX) from None
    if len(infos) > MAX_ZIP_ENTRIES or sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise _file_error(_("Excel-filen er for stor når den pakkes ut."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, zipfile and XML errors) for a bad file
        raise _file_error(UNREADABLE_XLSX) from None
    try:
        # Bounded in both directions: a sheet may declare a huge size that read-only mode would pad out.
        rows = workbook.worksheets[0].iter_rows(max_row=MAX_ROWS + 2, max_col=len(COLUMNS) + 1)
        while (cells := _next_row(rows)) is not None:
            yield [(cell.value, getattr(cell, "data_type", "") == "f") for cell in cells]
    finally:
        workbook.close()


def _next_row(rows):
    """The next row, or None at the end. Read-only mode parses the sheet's XML only now, row by row, so a broken
    sheet (a bad tag, a number cell holding text, 30 February, a missing shared string) fails here, not on load."""
    try:
        return next(rows, None)
    except Exception:  # as on load: many kinds (ValueError, IndexError, XML errors)
        raise _file_error(UNREADABLE_XLSX) from None


def read_upload(upload) -> Table:
    """Read an uploaded CSV or .xlsx file. Raises ValidationError for a file that cannot be read at all."""
    limit = min(MAX_BYTES, settings.KIV_MAX_UPLOAD_BYTES)
    if upload.size is None or upload.size > limit:
        raise _file_error(_("Filen er for stor. Største tillatte størrelse er %(limit)s.")
                          % {"limit": filesizeformat(limit)})  # fmt: skip
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _file_error(_("Filen er for stor."))
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    is_xlsx = sniff(data) == XLSX
    if extension == "xlsx" and is_xlsx:
        return _table(name, data, _xlsx_lines(data))
    if extension == "csv" and not data.startswith(b"PK\x03\x04"):
        return _table(name, data, _csv_lines(data))
    raise _file_error(_("Filen må være en CSV-fil (.csv) eller en Excel-fil (.xlsx)."))


class ImportUploadForm(Form):
    file = file_field(
        gettext_lazy("Fil med verktøyoversikten (CSV eller Excel)"),
        choose=gettext_lazy("Velg filen med verktøyoversikten (CSV eller Excel) du vil importere."),
        help_text=gettext_lazy("Første rad er overskriftene i malen. Største filstørrelse er 2 MB."),
    )

    def clean_file(self):
        return read_upload(self.cleaned_data["file"])


class ImportConfirmForm(Form):
    sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)


# --- Each row as an entry ----------------------------------------------------------------------------------


@dataclass
class Planned:
    row: int
    slug: str
    data: dict
    current: ToolEntryVersion | None = None
    changed: list = field(default_factory=list)  # headers of the columns that change


@dataclass
class Preview:
    creates: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)  # [(row, slug)]
    errors: list = field(default_factory=list)  # [(row, message)], by row

    @property
    def importable(self) -> bool:
        return bool(self.creates or self.changes)


def _form_value(name: str, value: Any) -> str:
    """A stored value as the form reads it from a POST."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _norwegian_date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d.%m.%Y").date()


def _normalise(name: str, text: str) -> tuple[str, str | None]:
    """The cell as the form's value, or an error message."""
    if name in DATE_FIELDS and text:
        # The file's dates must not depend on the reader's language: 01.03.2026 is read the same in English.
        for parse in (_norwegian_date, dt.date.fromisoformat):
            try:
                return parse(text).isoformat(), None
            except ValueError:
                continue
        return "", _("«%(value)s» i kolonnen «%(column)s» er ikke en dato. Skriv den som dd.mm.åååå.") % {
            "value": text[:40], "column": HEADER_OF[name]}  # fmt: skip
    if name in BOOL_FIELDS and text:
        word = text.casefold()
        if word in TRUE_WORDS:
            return "true", None
        if word in FALSE_WORDS:
            return "false", None
        return "", _("«%(value)s» i kolonnen «%(column)s» er ikke ja eller nei.") % {
            "value": text[:40], "column": HEADER_OF[name]}  # fmt: skip
    if name in CHOICES and text:
        wanted = text.casefold()
        for code, label in CHOICES[name].items():
            # UKE's file has the bokmål labels whatever language the reader has chosen.
            with translation.override("nb"):
                bokmal = str(label)
            if wanted in (code.casefold(), str(label).casefold(), bokmal.casefold()):
                return code, None
        with translation.override("nb"):  # the values the file may hold are the bokmål labels
            allowed = [str(label) for label in CHOICES[name].values()]
        return "", _("«%(value)s» i kolonnen «%(column)s» er ikke et av valgene: %(allowed)s.") % {
            "value": text[:40], "column": HEADER_OF[name], "allowed": quoted_list(allowed)}  # fmt: skip
    return text, None


def _row_data(cells: dict, current: ToolEntryVersion | None) -> tuple[dict, dict[str, str]]:
    """The form data of a row: the current version's values, with every non-empty cell over them."""
    data = {name: _form_value(name, getattr(current, name)) for name in VERSION_FIELDS} if current else {**NEW_ROW}
    errors = {}
    for name, text in cells.items():
        if name == "slug" or (current is not None and text == ""):
            continue
        value, error = _normalise(name, text)
        if error:
            errors[name] = error
        data[name] = value
    return data, errors


def _form_errors(form, known: dict, unreadable: set[str]) -> list[str]:
    """The form's errors worded with the column they are in; one message per column (`known` are said already, and
    an `unreadable` cell was reported when the table was read: the form only misses its value)."""
    messages = list(known.values())
    for name, errors in form.errors.items():
        if name in known or name in unreadable:
            continue
        column = HEADER_OF.get(name)
        for error in errors:
            messages.append(_("Kolonnen «%(column)s»: %(error)s") % {"column": column, "error": error}
                            if column else error)  # fmt: skip
    return messages


def _plan_row(number: int, cells: dict, current: ToolEntryVersion | None, unreadable: set[str]) -> Planned | list[str]:
    slug = cells.get("slug", "").strip()
    data, errors = _row_data(cells, current)
    # One row is validated as UKE's own form validates an entry: the same fields, rules and messages.
    form = (ToolCreateForm if current is None else ToolVersionForm)({**data, "slug": slug})
    if not form.is_valid() or errors:
        return _form_errors(form, errors, unreadable)
    values = form.data_for_service()
    planned = Planned(row=number, slug=slug, data=values, current=current)
    if current is not None:
        planned.changed = [HEADER_OF[n] for n in VERSION_FIELDS if values.get(n) != getattr(current, n)]
    return planned


def validate(table: Table) -> Preview:
    """What importing `table` would do now: each row an entry to create or change, unchanged, or an error."""
    preview = Preview(errors=[(n, _read_problem(code, column)) for n, code, column in table.problems])
    # Rows with a cell that could not be read: checked for more errors, never imported; the field names of those cells
    unreadable: dict[int, set[str]] = {}
    for n, _code, column in table.problems:
        unreadable.setdefault(n, set()).add(FIELD_OF.get(column, column))
    current = {v.entry.slug: v for v in reads.current_versions()}
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        slug = cells.get("slug", "").strip()
        if not slug:
            if "slug" not in unreadable.get(number, ()):
                preview.errors.append((number, _("Kjennetegn mangler.")))
            # The row's other faults too, so that one correction of the file is enough.
            others = _plan_row(number, cells, None, unreadable.get(number, set()) | {"slug"})
            if isinstance(others, list):
                preview.errors.extend((number, message) for message in others)
            continue
        if slug in seen:
            preview.errors.append((number, _("Kjennetegnet «%(slug)s» står også i rad %(row)s.")
                                   % {"slug": slug[:80], "row": seen[slug]}))  # fmt: skip
            continue
        seen[slug] = number
        if slug in RESERVED_SLUGS:
            preview.errors.append((number, _("Kjennetegnet er reservert. Velg et annet.")))
            continue
        planned = _plan_row(number, cells, current.get(slug), unreadable.get(number, set()))
        if isinstance(planned, list):
            preview.errors.extend((number, message) for message in planned)
        elif number in unreadable:
            continue
        elif planned.current is None:
            preview.creates.append(planned)
        elif planned.changed:
            preview.changes.append(planned)
        else:
            preview.unchanged.append((number, slug))
    preview.errors.sort(key=lambda error: error[0])
    return preview
