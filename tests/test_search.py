"""Title search (assessments/queries/search.py): Norwegian stemming and trigram typos on PostgreSQL, a substring
everywhere; the same in the queue, the register and the auditor search."""

import re

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.urls import reverse

from assessments.models import AssessmentVersion
from assessments.queries import search
from assessments.queries.search import title_matches
from tests import review_helpers as h
from tests.conftest import require_service
from tests.responses import table_body


def postgresql():
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for full-text and trigram search")


def found(q: str) -> set[str]:
    # The lists search the versions' copies of the title; the titles shown are the assessments' own.
    return set(AssessmentVersion.objects.filter(title_matches(q)).values_list("assessment__title", flat=True))


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


def _listed(response) -> str:
    return table_body(response)


@pytest.mark.parametrize(
    "url_name, role, params",
    [
        ("assessments:review_queue", "reviewer", {"status": ""}),
        ("assessments:register", "leader_b", {}),
        ("assessments:auditor_search", "auditor", {}),
    ],
)
def test_every_list_searches_titles_the_same_way(world, titles, url_name, role, params):
    client = world.client(role)
    stemmed = "chatbot" if connection.vendor == "postgresql" else "chatbo"
    body = _listed(client.get(reverse(url_name), {**params, "q": stemmed}))
    assert "Chatboter for innbyggere" in body and "Chatbot for renovasjon" in body
    assert "Oversettelse av brev" not in body and "Kodeassistent" not in body
    assert re.search(r"\(?2 treff", client.get(reverse(url_name), {**params, "q": stemmed}).content.decode())
