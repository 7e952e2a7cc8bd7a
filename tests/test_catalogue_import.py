"""Importing UKE's existing tool overview (views/catalogue_import.py, forms/catalogue_import.py): CSV with ; or ,
and with or without a BOM, Excel without evaluating formulas, a preview that names every unreadable row, and an
import that makes versions through the service (never changing the version an assessment uses)."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from assessments.forms import catalogue_import
from assessments.models import AuditEvent, ToolEntry, ToolEntryVersion
from tests.catalogue_helpers import make_tool

URL = reverse("assessments:catalogue_import")
CONFIRM = reverse("assessments:catalogue_import_confirm")
HEADER = ["kjennetegn", "navn", "leverandør", "høyeste informasjonsklasse", "status", "status fra",
          "databehandleravtale"]  # fmt: skip
GOOD = ["transkribering", "Transkribering", "Lyd AS", "Intern informasjon", "Godkjent", "2026-02-01", "ja"]


def csv_bytes(rows, delimiter=";", bom=True) -> bytes:
    text = "\r\n".join(delimiter.join(cells) for cells in rows)
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview(world, name, data, role="reviewer"):
    client = world.client(role)
    return client, client.post(URL, {"file": SimpleUploadedFile(name, data)}, follow=True)


def test_no_file_is_refused_in_the_tasks_own_words(world):
    response = world.client("reviewer").post(URL, {})
    assert response.status_code == 400
    assert "Velg filen med verktøyoversikten (CSV eller Excel) du vil importere." in response.content.decode()


@pytest.mark.parametrize(("delimiter", "bom"), [(";", True), (",", False), (";", False)])
def test_a_csv_file_previews_and_imports_new_entries(world, delimiter, bom):
    data = csv_bytes([HEADER, GOOD], delimiter=delimiter, bom=bom)
    client, response = preview(world, "oversikt.csv", data)
    page = response.content.decode()
    assert response.status_code == 200 and "transkribering" in page and "Nytt verktøy" in page
    assert not ToolEntry.objects.exists()  # nothing before the confirmation
    sha = catalogue_import.hashlib.sha256(data).hexdigest()
    done = client.post(CONFIRM, {"sha256": sha}, follow=True)
    assert done.redirect_chain[-1][1] == 302
    # Each count gets its own singular or plural.
    assert "Importert: 1 nytt verktøy. 0 nye versjoner av verktøy som fantes fra før." in done.content.decode()
    version = ToolEntry.objects.get(slug="transkribering").current()
    assert (version.name, version.vendor, version.max_class, version.status, version.dpa) == (
        "Transkribering", "Lyd AS", "internal", "approved", True)  # fmt: skip
    assert version.generates_content is True  # the model's default, not an empty cell read as "no"
    event = AuditEvent.objects.get(action="catalogue.imported")
    assert event.details["sha256"] == sha and event.details["created"] == 1


def test_the_preview_names_every_row_it_cannot_read(world):
    rows = [
        HEADER,
        GOOD,
        ["", "Uten kjennetegn", "", "Intern informasjon", "Godkjent", "2026-02-01", "tja"],
        ["ugyldig dato", "X", "", "Intern informasjon", "Godkjent", "31.13.2026", ""],
        ["klasse", "Y", "", "Hemmelig", "Godkjent", "2026-02-01", "kanskje"],
        ["transkribering", "Dobbel", "", "Intern informasjon", "Godkjent", "2026-02-01", ""],
        ["ny", "Reservert", "", "Intern informasjon", "Godkjent", "2026-02-01", ""],
        ["navnlos", "", "", "Intern informasjon", "Godkjent", "2026-02-01", ""],
        ["", "Bare uten kjennetegn", "", "Intern informasjon", "Godkjent", "2026-02-01", ""],
    ]
    _client, response = preview(world, "oversikt.csv", csv_bytes(rows))
    page = response.content.decode()
    errors = catalogue_import.validate(catalogue_import.read_upload(SimpleUploadedFile("o.csv", csv_bytes(rows))))
    assert [row for row, _m in errors.errors] == [3, 3, 4, 4, 5, 5, 6, 7, 8, 9]  # row 3: no identifier, and «tja»
    assert len(errors.creates) == 1
    for text in ("Rad 3", "Kjennetegn mangler", "«tja»", "Rad 4", "kjennetegn", "Rad 5", "«Hemmelig»", "«kanskje»",
                 "står også i rad 2", "Rad 7", "reservert", "Rad 8", "«navn»"):  # fmt: skip
        assert text in page, text
    assert "«31.13.2026» i kolonnen «status fra» er ikke en dato. Skriv den som dd.mm.åååå." in page
    # A value that is not one of the choices names those the file may hold.
    assert "er ikke et av valgene: «Åpen informasjon», «Intern informasjon»" in page


def test_the_errors_are_in_the_users_language_and_dates_are_not(world):
    client = world.client("reviewer")
    client.cookies["django_language"] = "en"
    rows = [HEADER, ["x", "X", "", "Intern informasjon", "Godkjent", "01.02.2026", "kanskje"],
            ["y", "Y", "", "Intern informasjon", "Godkjent", "01.02.2026", "ja"]]  # fmt: skip
    response = client.post(URL, {"file": SimpleUploadedFile("o.csv", csv_bytes(rows))}, follow=True)
    page = response.content.decode()
    assert "Row 2" in page and "is not yes or no" in page and "Row 3" not in page and "New tool" in page


def test_an_existing_entry_gets_a_new_version_and_the_used_one_stays(world):
    old = make_tool(world, slug="kommunechat")
    rows = [["kjennetegn", "navn", "status"], ["kommunechat", "Kommunechat 2", ""], ["kommunechat2", "", ""]]
    data = csv_bytes(rows)
    client, response = preview(world, "oversikt.csv", data)
    page = response.content.decode()
    assert "Ny versjon etter kommunechat@1" in page and "Rad 3" in page
    done = client.post(CONFIRM, {"sha256": catalogue_import.hashlib.sha256(data).hexdigest()}, follow=True)
    assert "Importert: 0 nye verktøy. 1 ny versjon av et verktøy som fantes fra før." in done.content.decode()
    versions = list(ToolEntryVersion.objects.filter(entry=old.entry).order_by("number"))
    assert [v.name for v in versions] == ["Kommunechat", "Kommunechat 2"]
    assert versions[1].vendor == old.vendor and versions[1].status == old.status  # empty cells keep today's value
    assert "Importert fra «oversikt.csv»" in versions[1].change_note


def test_an_unchanged_row_makes_no_version(world):
    make_tool(world, slug="kommunechat")
    preview_ = catalogue_import.validate(catalogue_import.read_upload(
        SimpleUploadedFile("o.csv", csv_bytes([["kjennetegn", "navn"], ["kommunechat", "Kommunechat"]]))))  # fmt: skip
    assert preview_.unchanged == [(2, "kommunechat")] and not preview_.importable


def test_xlsx_formulas_are_refused_never_evaluated(world):
    data = xlsx_bytes([HEADER, GOOD, ["formel", "=1+1", "", "Intern informasjon", "Godkjent", "2026-02-01", ""]])
    client, response = preview(world, "oversikt.xlsx", data)
    page = response.content.decode()
    assert response.status_code == 200 and "Rad 3" in page and "er en formel" in page
    # The formula is the row's one problem: no second "required" error for the same cell.
    errors = catalogue_import.validate(catalogue_import.read_upload(SimpleUploadedFile("o.xlsx", data))).errors
    row_3 = [message for row, message in errors if row == 3]
    assert len(row_3) == 1 and "er en formel" in row_3[0]
    client.post(CONFIRM, {"sha256": catalogue_import.hashlib.sha256(data).hexdigest()})
    assert list(ToolEntry.objects.values_list("slug", flat=True)) == ["transkribering"]


def test_xlsx_dates_and_booleans_are_read(world):
    import datetime as dt

    rows = [HEADER, ["dato", "Dato", "", "internal", "approved", dt.datetime(2026, 3, 4), True]]
    table = catalogue_import.read_upload(SimpleUploadedFile("o.xlsx", xlsx_bytes(rows)))
    planned = catalogue_import.validate(table).creates[0]
    assert planned.data["status_since"] == dt.date(2026, 3, 4) and planned.data["dpa"] is True


def test_free_text_is_escaped_in_the_preview(world):
    rows = [HEADER, ["xss", "<script>alert(1)</script>", "", "Intern informasjon", "Godkjent", "2026-02-01", ""]]
    _client, response = preview(world, "o.csv", csv_bytes(rows))
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("o.csv", "kjennetegn;navn\nå;b".encode("latin-1"), "UTF-8"),
        ("o.csv", csv_bytes([["kjennetegn", "farge"], ["a", "b"]]), "Ukjente kolonner"),
        ("o.csv", csv_bytes([["navn"], ["a"]]), "«kjennetegn» mangler"),
        ("o.pdf", b"%PDF-1.7", "CSV-fil"),
        ("o.xlsx", b"kjennetegn;navn", "CSV-fil"),
        ("o.csv", b"", "Filen er tom"),
        ("o.csv", b"\r\n\r\n", "«kjennetegn» mangler"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_clear_error(world, name, data, message):
    _client, response = preview(world, name, data)
    assert response.status_code == 400 and message in response.content.decode()


def test_uploads_are_capped(world, settings):
    settings.KIV_MAX_UPLOAD_BYTES = 1024
    _client, response = preview(world, "o.csv", csv_bytes([HEADER] + [GOOD] * 100))
    assert response.status_code == 400 and "for stor" in response.content.decode()


def test_the_preview_survives_a_reload_and_a_switch_of_language(world):
    client, response = preview(world, "o.csv", csv_bytes([HEADER, GOOD]))
    assert response.redirect_chain == [(CONFIRM, 302)]  # the upload is not re-sent on a reload
    client.cookies["django_language"] = "en"
    again = client.get(CONFIRM)
    page = again.content.decode()
    assert again.status_code == 200 and "transkribering" in page and "New tool" in page
    assert not ToolEntry.objects.exists()


def test_the_preview_without_an_upload_leads_to_the_upload_page(world):
    response = world.client("reviewer").get(CONFIRM)
    assert response.status_code == 302 and response["Location"] == URL


SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData></worksheet>'
)


def with_sheet(rows_xml: str) -> bytes:
    """A real .xlsx whose first sheet is replaced: Excel's own checks are bypassed, as an edited file would."""
    source, target = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, GOOD]))), io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = SHEET.format(rows_xml).encode()
            archive.writestr(info, body)
    return target.getvalue()


@pytest.mark.parametrize(
    "rows_xml",
    [
        '<row r="1"><c r="A1" t="n"><v>abc</v></c></row>',  # a number cell holding text
        '<row r="1"><c r="A1" t="s"><v>999</v></c></row>',  # a shared string that is not there
        '<row r="1"><c r="A1" t="d"><v>2026-02-30</v></c></row>',  # 30 February
        '<row r="1"><c r="!!"><v>1</v></c></row>',  # no cell reference
        '<row r="1"><c r="A1"><v>1</v></row>',  # a tag left open
    ],
)
def test_an_xlsx_whose_sheet_cannot_be_parsed_is_a_clear_error(world, rows_xml):
    """Read-only mode parses the sheet only while the rows are read, so the error comes late, not as a 500."""
    _client, response = preview(world, "o.xlsx", with_sheet(rows_xml))
    assert response.status_code == 400 and "Excel-filen kan ikke leses" in response.content.decode()


def test_the_confirmation_needs_the_previewed_file(world):
    data = csv_bytes([HEADER, GOOD])
    client, _response = preview(world, "o.csv", data)
    wrong = client.post(CONFIRM, {"sha256": "0" * 64}, follow=True)
    assert "gjelder ikke lenger" in wrong.content.decode() and not ToolEntry.objects.exists()
    fresh = world.client("reviewer").post(CONFIRM, {"sha256": catalogue_import.hashlib.sha256(data).hexdigest()})
    assert fresh.status_code == 302 and not ToolEntry.objects.exists()  # another session has no preview


def test_the_confirmation_validates_again(world):
    data = csv_bytes([HEADER, GOOD])
    client, _response = preview(world, "o.csv", data)
    make_tool(world, slug="transkribering", name="Laget i mellomtiden")  # the overview changed since the preview
    client.post(CONFIRM, {"sha256": catalogue_import.hashlib.sha256(data).hexdigest()})
    versions = ToolEntry.objects.get(slug="transkribering").versions.order_by("number")
    names = list(versions.values_list("name", flat=True))
    assert names == ["Laget i mellomtiden", "Transkribering"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_has_the_documented_headers(world, fmt):
    response = world.client("reviewer").get(reverse("assessments:catalogue_import_template", args=[fmt]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        header = body.decode("utf-8-sig").splitlines()[0].replace('"', "").split(",")
    else:
        header = [c.value for c in next(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows())]
    assert header == [h for h, _n in catalogue_import.COLUMNS]
    table = catalogue_import.read_upload(SimpleUploadedFile(f"mal.{fmt}", body))
    assert table.rows == [] and table.problems == []


def test_a_too_long_cell_names_the_limit_and_the_rows_other_problems(world):
    long_note = "x" * (catalogue_import.MAX_CELL_CHARS + 1)
    rows = [HEADER + ["merknad"], ["lang", "Lang", "", "Hemmelig", "Godkjent", "2026-02-01", "kanskje", long_note]]
    client, response = preview(world, "oversikt.csv", csv_bytes(rows))
    page = response.content.decode()
    limit = f"{catalogue_import.MAX_CELL_CHARS}"
    assert "Cellen i kolonnen «merknad» er for lang: en celle kan ha høyst " + limit + " tegn." in page
    assert "«Hemmelig»" in page and "«kanskje»" in page  # the row's other errors too
    assert "Kjennetegn mangler" not in page
    table = catalogue_import.read_upload(SimpleUploadedFile("o.csv", csv_bytes(rows)))
    assert [row for row, _m in catalogue_import.validate(table).errors] == [2, 2, 2]


def test_a_row_with_an_unreadable_cell_is_not_imported_even_if_the_rest_is_valid(world):
    rows = [HEADER + ["merknad"], [*GOOD, "x" * (catalogue_import.MAX_CELL_CHARS + 1)]]
    table = catalogue_import.read_upload(SimpleUploadedFile("o.csv", csv_bytes(rows)))
    result = catalogue_import.validate(table)
    assert not result.importable and [row for row, _m in result.errors] == [2]


def test_the_excel_template_offers_each_columns_values_and_formats(world):
    response = world.client("reviewer").get(reverse("assessments:catalogue_import_template", args=["xlsx"]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    first, listed = workbook.worksheets
    assert (first.title, listed.title) == ("Verktøyoversikten", "Gyldige verdier")
    offered = {column[0].value: [c.value for c in column[1:] if c.value] for column in listed.iter_cols()}
    assert offered["status"] == ["Godkjent", "Under vurdering", "Ikke godkjent", "Trukket tilbake"]
    assert offered["databehandleravtale"] == ["ja", "nei"]
    headers = [cell.value for cell in first[1]]
    checks = {str(check.sqref).split(":")[0]: check for check in first.data_validations.dataValidation}
    status = checks[f"{get_column_letter(headers.index('status') + 1)}2"]
    listed_at = get_column_letter(list(offered).index("status") + 1)
    assert status.type == "list" and status.formula1 == f"'Gyldige verdier'!${listed_at}$2:${listed_at}$5"
    assert status.errorStyle == "warning"  # the import reads more spellings than the list shows
    date = checks[f"{get_column_letter(headers.index('godkjent til') + 1)}2"]
    assert "dd.mm.åååå" in date.prompt and date.showInputMessage
    # Every value the list offers is one the import accepts.
    for header, values in offered.items():
        name = catalogue_import.FIELD_OF[header]
        assert all(catalogue_import._normalise(name, value)[1] is None for value in values), header


def test_a_csv_cell_over_the_readers_limit_is_named_as_too_long_not_as_a_quoting_mistake(world):
    data = csv_bytes([HEADER, [*GOOD[:2], "x" * 200_000, *GOOD[3:]]])
    with pytest.raises(ValidationError) as refused:
        catalogue_import.read_upload(SimpleUploadedFile("o.csv", data))
    assert refused.value.messages == ["En celle i CSV-filen er for lang (over 131\u00a0072 tegn)."]
