"""Title search for the queue, the register and the auditor search.

The lists walk latest versions, so they search the versions' copies of the assessment's title
(models.AssessmentVersion.assessment_title and, on PostgreSQL, its stored search vector `title_search`):
each test reads the version row the list walks, newest first, before the join to the assessment, and
the version's own GIN indexes can answer a rare word. On PostgreSQL a title matches when any of three
things holds, each answered by a GIN index on the versions:

- a plain case-insensitive substring, as before ("bot" finds "Chatbot"), which the trigram index also
  answers;
- full-text search with Norwegian stemming: "chatbot" finds "Chatboter for innbyggere", "vurdering"
  finds "vurderingene";
- trigram word similarity (pg_trgm): a typo such as "renovasjno" still finds "renovasjon".

They are written cheapest first: PostgreSQL stops at the first that holds.

SQLite has neither, so there a title matches by substring only (what the app always did): correct, not
forgiving.
"""

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Upper

SEARCH_CONFIG = "norwegian"


def title_trigrams() -> Upper:
    """The expression of the trigram index `version_title_trigram`. Upper-case, because Django's
    `icontains` compares UPPER(title); pg_trgm itself ignores case, so the similarity is unchanged."""
    return Upper("assessment_title")


def title_matches(q: str) -> Q:
    """A filter of versions whose assessment's title matches the search text `q`. The stored vector is
    `to_tsvector(SEARCH_CONFIG, title)`, set by the versions' trigger (migration
    0025_overview_sums_and_title_search)."""
    q = q.strip()
    substring = Q(assessment_title__icontains=q)
    if connection.vendor != "postgresql":
        return substring
    stemmed = Q(title_search=SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch"))
    similar = Q(TrigramWordSimilar(title_trigrams(), q.upper()))
    return substring | stemmed | similar
