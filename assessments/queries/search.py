"""Title search for the queue, the register and the auditor search.

On PostgreSQL a title matches when any of three things holds, each answered by a GIN index (see the
models' indexes):

- a plain case-insensitive substring, as before ("bot" finds "Chatbot"), which the trigram index also
  answers;
- full-text search with Norwegian stemming: "chatbot" finds "Chatboter for innbyggere", "vurdering"
  finds "vurderingene";
- trigram word similarity (pg_trgm): a typo such as "renovasjno" still finds "renovasjon".

The lists search their versions' copies of the title (`version_title_matches`): the stored search vector
and the copied title are tested on the version row the list walks, newest first, before the join to the
assessment, and the version's own GIN indexes can answer a rare word. The three tests are written
cheapest first: PostgreSQL stops at the first that holds.

SQLite has neither, so there a title matches by substring only (what the app always did): correct, not
forgiving.
"""

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Upper

SEARCH_CONFIG = "norwegian"


def title_vector(field: str = "title") -> SearchVector:
    """The search vector of a title. The index `assessment_title_search` is built on exactly this
    expression, and the versions' stored vector holds its value (migration 0025); a query must use the
    same one for PostgreSQL to use the index."""
    return SearchVector(field, config=SEARCH_CONFIG)


def title_trigrams(field: str = "title") -> Upper:
    """The expression of the trigram indexes `assessment_title_trigram` and `version_title_trigram`.
    Upper-case, because Django's `icontains` compares UPPER(title); pg_trgm itself ignores case, so the
    similarity is unchanged."""
    return Upper(field)


def title_matches(q: str) -> Q:
    """A filter of assessments whose title matches the search text `q`."""
    return _matches(q, "title", title_vector())


def version_title_matches(q: str) -> Q:
    """A filter of versions whose assessment's title matches `q`, by the versions' copies of the title and
    its search vector (models.AssessmentVersion.assessment_title, title_search)."""
    return _matches(q, "assessment_title", F("title_search"))


def _matches(q: str, field: str, vector: SearchVector | F) -> Q:
    """`field` the title, `vector` its search vector (an expression, or a column that stores it)."""
    q = q.strip()
    substring = Q(**{f"{field}__icontains": q})
    if connection.vendor != "postgresql":
        return substring
    words = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
    similar = Q(TrigramWordSimilar(title_trigrams(field), q.upper()))
    stemmed = Q(SearchVectorExact(vector, words))
    return substring | stemmed | similar
