"""Title search (assessments/queries/search.py): Norwegian stemming on PostgreSQL and, where nothing matches,
titles like the search (trigram typos); a substring everywhere; the same in the queue, the register and the
auditor search."""

import io
import json
import re

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import AssessmentVersion
from assessments.queries import search
from assessments.queries.search import searched, title_like, title_matches
from tests import review_helpers as h
from tests.conftest import require_service
from tests.responses import table_body


def postgresql():
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for full-text and trigram search")


def found(q: str) -> set[str]:
    # The lists search the versions' copies of the title; the titles shown are the assessments' own.
    return set(searched(AssessmentVersion.objects.all(), q).values_list("assessment__title", flat=True))


@pytest.fixture
def titles(world):
    h.questionnaire()
    for title in ("Chatboter for innbyggere", "Chatbot for renovasjon", "Oversettelse av brev", "Kodeassistent"):
        h.approved(world, title)


def test_a_substring_is_found_on_every_database(titles):
    assert found("bot") == {"Chatboter for innbyggere", "Chatbot for renovasjon"}
    assert found("BREV") == {"Oversettelse av brev"}
    assert found("ingenting slikt") == set()


def test_norwegian_stemming_finds_other_forms_of_a_word(titles):
    postgresql()
    assert "Chatboter for innbyggere" in found("chatbot")
    assert found("oversettelsene") == {"Oversettelse av brev"}  # no substring: the definite plural's stem
    assert found("innbyggerne") == {"Chatboter for innbyggere"}
    # The full-text part alone (no substring, no trigrams): the stemmer makes "Chatboter" "chatbot".
    stemmed = AssessmentVersion.objects.filter(title_search=SearchQuery("chatbot", config=search.SEARCH_CONFIG))
    titles = set(stemmed.values_list("assessment__title", flat=True))
    assert titles == {"Chatboter for innbyggere", "Chatbot for renovasjon"}


def test_a_typo_is_forgiven_by_trigrams(titles):
    postgresql()
    assert found("renovasjno") == {"Chatbot for renovasjon"}
    assert found("kodeasistent") == {"Kodeassistent"}
    assert found("renovasjno") == found("renovasjon")
    assert search.similar_only(searched(AssessmentVersion.objects.all(), "renovasjno"))
    assert not search.similar_only(searched(AssessmentVersion.objects.all(), "renovasjon"))


def test_titles_like_the_search_are_left_out_when_one_has_the_word(world, titles):
    """A title with the word searched for wins: one with a word merely like it ("Kodeasistent", a typo in
    the data) is not mixed in, though the similarity alone would find it."""
    postgresql()
    h.approved(world, "Kodeasistent for skolen")
    like = set(
        AssessmentVersion.objects.filter(title_like("kodeassistent")).values_list("assessment__title", flat=True)
    )
    assert like == {"Kodeassistent", "Kodeasistent for skolen"}
    assert found("kodeassistent") == {"Kodeassistent"}
    assert found("ingenting slikt") == set()  # nothing alike either


def test_the_search_uses_the_indexes(titles):
    """The filter's expressions are the indexes' expressions: if one drifts, PostgreSQL reads the table. They
    are the version's own columns: no join to the assessments."""
    postgresql()
    versions = AssessmentVersion.objects.filter(title_matches("chatbot")).order_by().values("pk")
    sql, params = versions.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "version_title_search" in plan
    assert "version_title_trigram" in plan
    assert not re.search(r"assessments_assessment\b", plan)  # no join to the assessments


# The three lists with a title search: URL name, who looks, the filters that show every status.
LISTS = [
    ("assessments:review_queue", "reviewer", {"status": ""}),
    ("assessments:register", "leader_b", {}),
    ("assessments:auditor_search", "auditor", {}),
]


def _listed(response) -> str:
    return table_body(response)


@pytest.mark.parametrize("url_name, role, params", LISTS)
def test_every_list_searches_titles_the_same_way(world, titles, url_name, role, params):
    client = world.client(role)
    stemmed = "chatbot" if connection.vendor == "postgresql" else "chatbo"
    body = _listed(client.get(reverse(url_name), {**params, "q": stemmed}))
    assert "Chatboter for innbyggere" in body and "Chatbot for renovasjon" in body
    assert "Oversettelse av brev" not in body and "Kodeassistent" not in body
    assert re.search(r"\(?2 treff", client.get(reverse(url_name), {**params, "q": stemmed}).content.decode())
    assert "similar-notice" not in client.get(reverse(url_name), {**params, "q": stemmed}).content.decode()


@pytest.mark.parametrize("url_name, role, params", LISTS)
def test_every_list_says_when_it_shows_titles_like_the_search(world, titles, url_name, role, params):
    postgresql()
    response = world.client(role).get(reverse(url_name), {**params, "q": "renovasjno"})
    assert "Chatbot for renovasjon" in _listed(response)
    body = response.content.decode()
    assert "similar-notice" in body and "Ingen titler inneholder «renovasjno»" in body


def test_the_notice_is_in_english_and_escapes_the_search(world, titles):
    postgresql()
    client = world.client("auditor")
    body = client.get(
        reverse("assessments:auditor_search"), {"q": "<b>renovasjno"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "No title contains “&lt;b&gt;renovasjno”" in body


# The searchable lists' downloads: URL names of the JSON and the CSV, who downloads.
EXPORTS = [
    ("assessments:register_json", "assessments:register_csv", "leader_b"),
    ("assessments:auditor_export_json", "assessments:auditor_export", "auditor"),
]


@pytest.mark.parametrize("json_name, csv_name, role", EXPORTS)
def test_a_download_says_when_it_holds_titles_like_the_search(world, titles, json_name, csv_name, role):
    """A file has no notice above it: its name, and JSON's `similar_titles_only`, say it instead."""
    postgresql()
    client = world.client(role)
    typo = client.get(reverse(json_name), {"q": "renovasjno"})
    data = json.loads(b"".join(typo.streaming_content))
    assert data["similar_titles_only"] is True
    assert [entry["title"] for entry in next(v for v in data.values() if isinstance(v, list))] == [
        "Chatbot for renovasjon"
    ]
    assert "-lignende-titler.json" in typo["Content-Disposition"]
    assert "-lignende-titler.csv" in client.get(reverse(csv_name), {"q": "renovasjno"})["Content-Disposition"]
    exact = client.get(reverse(json_name), {"q": "renovasjon"})
    assert json.loads(b"".join(exact.streaming_content))["similar_titles_only"] is False
    assert "lignende" not in exact["Content-Disposition"]


def test_the_excel_sheet_names_titles_like_the_search_in_the_users_language(world, titles):
    postgresql()
    response = world.client("auditor").get(
        reverse("assessments:auditor_export_xlsx"), {"q": "renovasjno"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["Assessments (similar titles)"]
