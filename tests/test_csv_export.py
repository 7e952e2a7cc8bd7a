"""Every CSV goes through assessments.csv_export: text a spreadsheet would run as a formula is defused."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from assessments.csv_export import csv_lines, csv_response, safe_cell
from tests import review_helpers as h


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+47 99 99 99 99", "'+47 99 99 99 99"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("Copilot i Word", "Copilot i Word"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, 42),
        (-3.5, -3.5),  # numbers are numbers, not text
        (True, "ja"),
        (date(2026, 5, 17), "2026-05-17"),
        (["integrated", "generative"], "integrated, generative"),
        (["=evil", "x"], "'=evil, x"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_an_aware_datetime_is_written_in_oslo_time():
    assert safe_cell(datetime(2026, 1, 1, 12, 0, tzinfo=UTC)) == "2026-01-01 13:00"


def test_lines_start_with_a_bom_and_quote_properly():
    lines = list(csv_lines(["Tittel", "Virksomhet"], [["=evil, with comma", 'quote "x"']]))
    assert lines[0].startswith("\ufeff")
    rows = list(csv.reader(io.StringIO("".join(lines).lstrip("\ufeff"))))
    assert rows == [["Tittel", "Virksomhet"], ["'=evil, with comma", 'quote "x"']]


def test_the_header_is_defused_too():
    lines = list(csv_lines(["=header"], []))
    assert lines[0] == "\ufeff'=header\r\n"


def test_csv_response_streams_an_attachment():
    response = csv_response("x.csv", ["a"], iter([[1], [2]]))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert b"".join(response.streaming_content).decode("utf-8-sig") == "a\r\n1\r\n2\r\n"


@pytest.mark.parametrize("name", ["register_csv", "auditor_export", "audit_log_export"])
def test_every_csv_download_defuses_user_text(world, name):
    title = "=2+5+cmd|' /C calc'!A0"
    h.approved(world, title)
    response = world.client("reviewer").get(reverse(name))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    if name != "audit_log_export":  # the log holds ids, not titles
        assert "'" + title in cells
