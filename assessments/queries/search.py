"""Title search for the queue, the register and the auditor search.

The lists walk latest versions, so they search the versions' copies of the assessment's title
(models.AssessmentVersion.assessment_title and, on PostgreSQL, its stored search vector `title_search`):
each test reads the version row the list walks, newest first, before the join to the assessment, and
the version's own GIN indexes can answer a rare word. On PostgreSQL a title matches

- by a plain case-insensitive substring, as before ("bot" finds "Chatbot"), which the trigram index also
  answers;
- or by full-text search with Norwegian stemming: "chatbot" finds "Chatboter for innbyggere", "vurdering"
  finds "vurderingene".

Only when no title in the list matches either way does the search forgive a typo, by trigram word
similarity (pg_trgm): "renovasjno" then finds "renovasjon", and the page says that it shows titles that
are like the search rather than ones that contain it. Two reasons for the order:

- a user who typed the word right wants the titles with that word, not a mix with other words that
  happen to share most of its letters ("Copilot" is like "Kopilot");
- the similarity is the costly test: a list walked newest first computes it for every title it passes,
  which at 100,000 assessments was most of the search's time. The check for an exact match first is one
  short query: it stops at the first title that matches. When none does (a typo), it reads the list once
  without computing any similarity, and the similar titles then come from the trigram index
  (docs/benchmarks.md has the figures at 100,000).

SQLite has neither, so there a title matches by substring only (what the app always did): correct, not
forgiving.
"""

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet, Value
from django.db.models.functions import Upper

SEARCH_CONFIG = "norwegian"
# The alias a list searched by similarity carries: it survives ordering, paging and the exports' batches.
SIMILAR_ONLY = "title_similar_only"


def title_trigrams() -> Upper:
    """The expression of the trigram index `version_title_trigram`. Upper-case, because Django's
    `icontains` compares UPPER(title); pg_trgm itself ignores case, so the similarity is unchanged."""
    return Upper("assessment_title")


def title_matches(q: str) -> Q:
    """A filter of versions whose assessment's title contains the search text `q` (as a substring or, on
    PostgreSQL, as a word in any of its forms). The stored vector is `to_tsvector(SEARCH_CONFIG, title)`,
    set by the versions' trigger (migration 0025_squashed_0032, part 0025)."""
    q = q.strip()
    substring = Q(assessment_title__icontains=q)
    if connection.vendor != "postgresql":
        return substring
    return substring | Q(title_search=SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch"))


def title_like(q: str) -> Q:
    """A filter of versions whose assessment's title has a word like `q` (PostgreSQL only): a typo
    forgiven."""
    return Q(TrigramWordSimilar(title_trigrams(), q.strip().upper()))


def searched(versions: QuerySet, q: str) -> QuerySet:
    """The `versions` whose title matches `q`; where none does and the database can tell, those whose
    title has a word like it, marked so (`similar_only`)."""
    matching = versions.filter(title_matches(q))
    if connection.vendor != "postgresql" or matching.exists():
        return matching
    return versions.filter(title_like(q)).alias(**{SIMILAR_ONLY: Value(True, output_field=BooleanField())})


def similar_only(versions: QuerySet) -> bool:
    """Whether `versions` is a search that found no title with the search text, only titles like it."""
    return SIMILAR_ONLY in versions.query.annotations
