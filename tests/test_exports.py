"""Every list download goes through assessments.exports: CSV, Excel and JSON of the same columns, with text
a spreadsheet would run as a formula defused, in whatever way the file is split."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from assessments.exports import Column, csv_cell, csv_lines, csv_response, neutralise
from tests import review_helpers as h

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_TITLE = "Chatbot;=cmd|' /C calc'!A0;x, +SUM(1)\n@A1;\"=HYPERLINK(1)\""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+47 99 99 99 99", "'+47 99 99 99 99"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Chatbot;=cmd|' /C calc'!A0;x", "Chatbot;'=cmd|' /C calc'!A0;x"),
        ("a, -1", "a,' -1"),
        ('x;"=cmd"', 'x;\'"=cmd"'),
        ("line\n=cmd", "line\n'=cmd"),
        ("Copilot i Word", "Copilot i Word"),
        ("a=b; c-d", "a=b; c-d"),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (42, "42"),
        (-3.5, "-3.5"),  # numbers are numbers, not text
        (True, "Ja"),
        (False, "Nei"),
        (date(2026, 5, 17), "2026-05-17"),
        (["integrated", "generative"], "integrated, generative"),
        (["=evil", "x"], "'=evil, x"),
        ("abc\u202egnp.exe\u200b", "abcgnp.exe"),
    ],
)
def test_csv_cell(value, expected):
    assert csv_cell(value) == expected


def test_a_yes_or_no_follows_the_language():
    with translation.override("en"):
        assert (csv_cell(True), csv_cell(False)) == ("Yes", "No")


def test_an_aware_datetime_is_written_in_oslo_time():
    assert csv_cell(datetime(2026, 1, 1, 12, 0, tzinfo=UTC)) == "2026-01-01 13:00"


def test_every_field_is_quoted_and_the_header_defused():
    lines = list(csv_lines([Column("a", "=header"), Column("n", "n", "int")], [["x", 1]]))
    assert lines[0] == '\ufeff"\'=header","n"\r\n'
    assert lines[1] == '"x","1"\r\n'


def test_csv_response_is_a_private_attachment():
    response = csv_response("x.csv", [Column("a", "a")], iter([[1], [2]]))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content).decode("utf-8-sig") == '"a"\r\n"1"\r\n"2"\r\n'


def _pieces(text: str) -> list[str]:
    """Every piece a spreadsheet could make of the file: split on ; or , regardless of quotes, or read as
    proper CSV with either delimiter; quotes around a piece are what a reader strips."""
    pieces = []
    for line in text.replace("\r", "\n").split("\n"):
        for separator in (";", ","):
            pieces += [piece.strip().strip('"').strip() for piece in line.split(separator)]
    for delimiter in (";", ","):
        pieces += [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
    return pieces


DOWNLOADS = [
    "assessments:register_csv",
    "assessments:public_register_csv",
    "assessments:auditor_export",
    "assessments:audit_log_export",
]


@pytest.mark.parametrize("name", DOWNLOADS)
@override_settings(KIV_PUBLIC_REGISTER=True)
def test_no_split_of_an_exported_csv_yields_a_formula(world, name):
    h.approved(world, HOSTILE_TITLE)
    response = world.client("reviewer").get(reverse(name))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    pieces = _pieces(text)
    assert not [p for p in pieces if p.startswith(FORMULA_START)]
    if name != "assessments:audit_log_export":  # the log holds ids, not titles
        assert "Chatbot" in text and "=cmd|" in text  # the text is kept, only defused


@pytest.mark.parametrize(
    ("name", "date_column"),
    [
        ("assessments:register_xlsx", "Godkjent"),
        ("assessments:auditor_export_xlsx", "Avgjort"),
        ("assessments:audit_log_export_xlsx", "created_at"),
    ],
)
def test_excel_exports_are_typed_filtered_frozen_and_formula_free(world, name, date_column):
    h.approved(world, '=HYPERLINK("http://evil.example")')
    response = world.client("reviewer").get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"].startswith("no-store")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{rows[0][-1].column_letter}{len(rows)}"
    assert len(rows) >= 2
    assert all(cell.data_type != "f" for row in rows for cell in row)
    dates = [row[header.index(date_column)].value for row in rows[1:]]
    assert all(isinstance(value, datetime | date) for value in dates)
    if name != "assessments:audit_log_export_xlsx":
        titles = [row[header.index("Tittel")].value for row in rows[1:]]
        assert '=HYPERLINK("http://evil.example")' in titles  # kept as text, never a formula


@pytest.mark.parametrize(
    "name", ["assessments:register_json", "assessments:auditor_export_json", "assessments:audit_log_export_json"]
)
def test_json_exports_list_the_same_columns(world, name):
    h.approved(world, "Tittel med \u202eskjult\u200b tekst")
    response = world.client("reviewer").get(reverse(name))
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))
    items = next(value for value in data.values() if isinstance(value, list))
    assert items
    text = json.dumps(data, ensure_ascii=False)
    assert "\u202e" not in text and "\u200b" not in text


def test_the_pages_link_to_every_format(world):
    client = world.client("reviewer")
    for page, names in {
        "assessments:register": ["assessments:register_csv", "assessments:register_xlsx", "assessments:register_json"],
        "assessments:auditor_search": [
            "assessments:auditor_export",
            "assessments:auditor_export_xlsx",
            "assessments:auditor_export_json",
        ],
        "assessments:audit_log": [
            "assessments:audit_log_export",
            "assessments:audit_log_export_xlsx",
            "assessments:audit_log_export_json",
        ],
    }.items():
        html = client.get(reverse(page)).content.decode()
        for name in names:
            assert reverse(name) in html, (page, name)
        assert "Last ned som Excel" in html or "Last ned listen som Excel" in html
