"""Title search for the queue, the register and the auditor search.

On PostgreSQL a title matches when any of three things holds, each answered by a GIN index on the
assessments (see the model's indexes):

- full-text search with Norwegian stemming: "chatbot" finds "Chatboter for innbyggere", "vurdering"
  finds "vurderingene";
- trigram word similarity (pg_trgm): a typo such as "renovasjno" still finds "renovasjon";
- a plain case-insensitive substring, as before ("bot" finds "Chatbot"), which the trigram index also
  answers.

SQLite has neither, so there a title matches by substring only (what the app always did): correct, not
forgiving.
"""

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Upper

SEARCH_CONFIG = "norwegian"


def title_vector(field: str = "title") -> SearchVector:
    """The search vector of a title. The index `assessment_title_search` is built on exactly this
    expression; a query must use the same one for PostgreSQL to use the index."""
    return SearchVector(field, config=SEARCH_CONFIG)


def title_trigrams(field: str = "title") -> Upper:
    """The expression of the trigram index `assessment_title_trigram`. Upper-case, because Django's
    `icontains` compares UPPER(title); pg_trgm itself ignores case, so the similarity is unchanged."""
    return Upper(field)


def title_matches(q: str, *, prefix: str = "") -> Q:
    """A filter for titles that match the search text `q` (`prefix` reaches the assessment from a
    related model, e.g. "assessment__")."""
    field = f"{prefix}title"
    q = q.strip()
    substring = Q(**{f"{field}__icontains": q})
    if connection.vendor != "postgresql":
        return substring
    words = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
    stemmed = Q(SearchVectorExact(title_vector(field), words))
    similar = Q(TrigramWordSimilar(title_trigrams(field), q.upper()))
    return stemmed | similar | substring
