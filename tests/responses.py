"""Reading what a view answered: the rows of a list page's table and their cells, streamed CSV and JSON
downloads, and the page's forms."""

import csv
import io
import json
import re


def table_body(response) -> str:
    """The HTML of the page's last <tbody> (its list; a summary table may come first), or "" when it lists
    nothing."""
    body = response.content.decode()
    return body[body.rindex("<tbody>") : body.rindex("</tbody>")] if "<tbody>" in body else ""


def table_cells(response, pattern: str) -> list[str]:
    """What `pattern` (one group: a cell's text) finds in the page's list table, row by row."""
    return re.findall(pattern, table_body(response))


def read_csv(response) -> list[dict]:
    """A streamed CSV download (UTF-8 with BOM, for Excel) as one dict a row."""
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def read_json(response) -> dict:
    return json.loads(b"".join(response.streaming_content))


def forms_left_to_the_browser(response) -> list[str]:
    """The page's forms that mark a field required without `novalidate`: the browser would stop them with its
    own bubble, in its own language, before the app's error summary could say what is missing."""
    body = response.content.decode()
    forms = re.findall(r"(<form\b[^>]*>)(.*?)</form>", body, re.S)
    return [
        tag
        for tag, inner in forms
        if re.search(r"<(input|textarea|select)\b[^>]*\srequired\b", inner) and "novalidate" not in tag
    ]
