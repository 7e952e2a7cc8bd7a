"""Migrations 0025-0032 in one (squashed on 2026-12-06): eight files, of which three generated ones only
changed labels, read more easily as one. A database that applied all eight is marked as having applied this
one (`replaces`); one at 0024 runs it. The operations are those of the eight files, in their order, the data
steps included, because a database at 0024 has rows they must carry over. Each part below is what its file
said.

On PostgreSQL the whole migration is one transaction, and a table with pending trigger events (such as the
deferred foreign key checks of rows written in it) cannot be altered or indexed in it. The eight files each
ran in a transaction of their own; here a row can be updated twice, and PostgreSQL queues the deferred checks
of a row updated again in the transaction that wrote it, so the change of its table that follows would fail: a
version gets its title copy, then its review date (before 0027's indexes), and a plan item carried to a
replacement assessment gets texts from its own results, then those of the item it was copied from (before 0030's
new field). `run_deferred_checks` runs the queued checks after each of those fills.
tests/test_migration_squash_0025_0032.py brings a database at 0024 with such rows through it.

0025 (the overview's sums and the title copy). The overview's sums per agency and its cells per tool, kept by PostgreSQL, the versions' copy of their
assessment's title with its stored search vector, and an index for the register by one tool (one migration:
they came out in one release).

The overview by agency summed every cell the user may see, twice (per agency and quadrant for the table, per
agency and spot for the markers): about 10,900 cells at 100,000 assessments, against a few dozen at 100. Two
tables now hold those sums, each for two scopes, the approved assessments (what everyone sees) and all of
them (what reviewers and the auditors of every agency see):

- OverviewAgencyQuadrant: per agency, quadrant and whether the scores place the assessment (table, legend);
- OverviewAgencySpot: per agency and spot (at most agencies × spots rows, about 2,800, whatever the number
  of assessments); the overview sums them per spot when it is drawn.

Every row belongs to one agency, as the cells do, so a change in one agency never waits on another agency's
transaction. A kept row per spot shared by all agencies was tried and dropped: two reviewers deciding in
different agencies would have taken turns on it, and could deadlock when one decision moved two assessments
across two spots in the opposite order of the other.

Grouped by tool or filtered by a tool, the overview aggregated the latest versions themselves, reading the
tool's reference out of each one's answers (about 13 kB of JSON a row): at 100,000 assessments that took 16
times as long as at 100. OverviewToolCell holds the overview cells (models.OverviewCell, OVERVIEW_CELLS in the
first migration) with the tool's slug as one more key: the part of the answer `cat_ref` ("slug@number")
before the last "@", "" where there is none, so the versions of one tool share a cell.

Both are kept as the cells are: statement triggers pass every change on as a difference (`count = count + d`)
in the same transaction, so concurrent changes add up instead of one overwriting the other's recount. The
sums' triggers are on the cells; the tool cells' on versions inserted and deleted and on assessments whose
status or agency changes, with a row trigger on a deleted assessment. Each set has a function that recounts
its tables from scratch (kiv_overview_sums_rebuild(), kiv_overview_tools_rebuild()), which fills them here
and which the tests compare the kept counts with. SQLite keeps these tables empty: the overview aggregates
the versions there.

The register filtered by one tool read each version's tool out of its answers, walking every approved version;
the index version_tool_decided holds the tool's slug (an expression of the answers, which never change) with
the status and decision time, so the filtered list is a range scan.

The title. The queue, the register and the auditor search list latest versions (assessments/queries/lists.py)
and search them by title. With the title only on the assessment, each version walked newest first was joined
to its assessment and its title's search vector computed again (the expression index cannot answer a filter
on rows reached through another index): at 100,000 assessments the register's search walked about 450
versions for a page of 50. Copied onto the version, the title is tested on the version row itself, before any
join, its vector read instead of computed, and the version's own GIN indexes can answer a rare word without a
walk. Nothing searches the assessments' own titles any more, so their two title indexes go (and come back
when the migration is unapplied). The copy is kept as the status and agency copies of 0019_squashed_0024 are,
by the same triggers, which this migration replaces: a version takes its assessment's status, agency and
title when inserted (or when anything tries to write a copy), and an assessment whose status, agency or title
changes passes them on. On PostgreSQL the version's trigger also sets the search vector from the title, with
the configuration of queries.search.SEARCH_CONFIG. On SQLite the vector column stays empty (the search there
is a substring of the title copy). Note for later migrations: on SQLite, a migration that remakes the
assessment or version table drops these triggers; run `version_listed_triggers` of this migration again
after it (since part 0027, the triggers that also keep the review date and the tool).

0026. Evidence refused by the virus scan gets its own status ("refused").

0027 (the register by tool). The register grouped by tool at scale: the version's tool and a copy of its assessment's review date, kept by
the triggers of part 0025, and two partial indexes on the approved versions.

Grouped by tool, the register (/register/?group=tool) read every approved version's answers twice: once to
count the uses and overdue reviews per tool for its summary, once to sort the whole register by the tool's
name as answered for a page of 50 (about 17 times as long at 100,000 assessments as at 100). Now, on
PostgreSQL (queries/lists.py, register and register_tools):

- the page is an index walk: version_register_by_tool holds the approved versions in the page's order (the
  answered `cat_name`, newest decision first), so the page stops after 50 rows;
- the summary's uses come from the counts kept per tool (OverviewToolCell, 0025), and its overdue reviews
  (review date before today, which no kept count can hold: today moves) from an index-only count of
  version_overdue_by_tool. That index needs the tool and the review date as columns of the version: an
  expression of the answers makes PostgreSQL read the row (and its answers) for each overdue version.

`tool` is the slug the kept counts group by, the part of the answer `cat_ref` ("slug@number") before the last
"@" ("" without one), set by the version's trigger from its answers; `assessment_review_by` is copied from the
assessment like its status, agency and title and passed on when it changes (on both backends). SQLite leaves
`tool` empty: its register groups from the answers, as before. Note for later migrations, as in 0025: on
SQLite, a migration that remakes the assessment or version table drops these triggers; run this migration's
`version_listed_triggers` again after it.

0028 (plan items in English). Plan items get their texts in English (`title_en`, `why_en`, `source_en`; blank shows the bokmål).

The items there already are get them from the stored results: an obligation from the newest version of its
assessment whose result lists that obligation, a measure its why (the what-if's English note) from the newest
version whose what-if names it, and the what-if's source. A measure's English title needs the questionnaire's
labels and is left blank (the page shows the bokmål title); the next submission fills it. An item carried to a
replacement that has no version yet gets the texts of the item it was copied from.

0029. The reassignment flag gets bokmål names in the admin.

0030 (the question of a plan item's measure). Plan items name the question of their measure (`measure_key`), so the re-assessment reads it from one field for
a measure and for an obligation that is done by a measure (2026.7 on) alike.

The measures there already are get it from their key ("measure:<question key>"); obligations made before had none.

0031 (the overview's spots placed by the conclusion). The overview's spots per agency are placed by the assessment's conclusion, not only by its scores.

A hard rule can hold the risk high while the score is below the line; the assessment's quadrant then says
"high risk", and the overview's table counts it there. Its marker was drawn at the score, in the field of
another conclusion (a "Kun med tiltak" in the green "Anbefalt" field). The markers drawn from the overview
cells are moved into the quadrant's field when drawn (presentation/overview.py, `placed_cells`); the spots
summed per agency (OverviewAgencySpot) have no quadrant to move them by, so their triggers place each cell
as they add it, by the same rule: a high axis at cell 27 (score 54) or more, a low one at cell 23 or
less. The triggers are made anew with the placed cells, and the sums rebuilt; unapplied, the old
triggers and sums come back.

0032. Memberships and roles name their user and agency fields in the admin (verbose names only).
"""

import importlib
from collections.abc import Callable
from typing import NamedTuple

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models
from django.db.models.fields.json import KT

initial = importlib.import_module("assessments.migrations.0001_squashed_0018_assessment_path")
listed = importlib.import_module("assessments.migrations.0019_squashed_0024_catalogue_flag_closing")
on_postgresql = initial.on_postgresql

VERSIONS = "assessments_assessmentversion"
ASSESSMENTS = "assessments_assessment"
CELLS = "assessments_overviewcell"


class Trigger(NamedTuple):
    """A PostgreSQL trigger on table `on` and its function of the same name, which runs `body`. With
    `transition` tables it fires once per statement, without them once per row (where `condition` holds)."""

    name: str
    on: str
    event: str
    body: str
    transition: str = ""
    timing: str = "AFTER"
    returns: str = "NULL"
    condition: str = ""

    def create(self) -> str:
        level = f"REFERENCING {self.transition} FOR EACH STATEMENT" if self.transition else "FOR EACH ROW"  # nosec B608 - built from this migration's own constants, no input
        when = f" WHEN ({self.condition})" if self.condition else ""  # nosec B608 - built from this migration's own constants, no input
        return f"""
CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {self.body}; RETURN {self.returns}; END $$;
CREATE TRIGGER {self.name} {self.timing} {self.event} ON {self.on}
    {level}{when} EXECUTE FUNCTION {self.name}();
"""  # nosec B608 - built from this migration's own constants, no input

    def drop(self) -> str:
        return f"DROP TRIGGER IF EXISTS {self.name} ON {self.on};\nDROP FUNCTION IF EXISTS {self.name}();\n"  # nosec B608 - built from this migration's own constants, no input


def kept_counts(
    prefix: str, tables: list[str], add: Callable[[str], str], triggers: list[Trigger], every: str
) -> tuple[str, str]:
    """The SQL that creates, and the SQL that drops, triggers that keep counts in `tables`: each of `triggers`
    (named after `prefix`) adds add(its body), the differences its change makes, to them. `{prefix}_rebuild()`
    empties the tables and adds add(every), all there is to count; it is run here to fill them."""
    triggers = [t._replace(name=f"{prefix}_{t.name}", body=add(t.body)) for t in triggers]
    emptied = "".join(f"DELETE FROM {table}; " for table in tables)  # nosec B608 - table names from this migration, no input
    rebuild = f"""
CREATE OR REPLACE FUNCTION {prefix}_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN {emptied}{add(every)}; END $$;
SELECT {prefix}_rebuild();
"""  # nosec B608 - built from this migration's own constants, no input
    create = "".join(t.create() for t in triggers) + rebuild
    drop = "".join(t.drop() for t in triggers) + f"DROP FUNCTION IF EXISTS {prefix}_rebuild();"  # nosec B608 - built from this migration's own constants, no input
    return create, drop


# The sums per agency. Adds each changed cell's difference to the sums, in both scopes where the cell is
# approved. changes: the cells' differences, (status, agency_id, quadrant, need_cell, risk_cell, delta).
def add_to_sums(changes: str, need: str = "need_cell", risk: str = "risk_cell") -> str:
    """`need` and `risk`: the spot's cells, as expressions of a cell's columns (0031 places them by quadrant)."""
    return f"""
WITH changes (status, agency_id, quadrant, need_cell, risk_cell, delta) AS ({changes}
), scoped AS (
    SELECT 'all' AS scope, c.* FROM changes c
    UNION ALL
    SELECT 'approved', c.* FROM changes c WHERE c.status = 'approved'
), quadrants AS (
    INSERT INTO assessments_overviewagencyquadrant AS q (scope, agency_id, quadrant, scored, count)
    SELECT scope, agency_id, quadrant, need_cell >= 0 AND risk_cell >= 0, SUM(delta) FROM scoped
    GROUP BY 1, 2, 3, 4 HAVING SUM(delta) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (scope, agency_id, quadrant, scored) DO UPDATE SET count = q.count + EXCLUDED.count
), spot_deltas AS (
    SELECT scope, agency_id, {need}, {risk}, SUM(delta) AS delta FROM scoped
    WHERE need_cell >= 0 AND risk_cell >= 0 GROUP BY 1, 2, 3, 4 HAVING SUM(delta) <> 0
)
INSERT INTO assessments_overviewagencyspot AS s (scope, agency_id, need_cell, risk_cell, count)
SELECT * FROM spot_deltas ORDER BY 1, 2, 3, 4
ON CONFLICT (scope, agency_id, need_cell, risk_cell) DO UPDATE SET count = s.count + EXCLUDED.count
"""  # nosec B608 - built from this migration's own constants, no input


def cells(table: str, sign: str = "") -> str:
    return f"SELECT status, agency_id, quadrant, need_cell, risk_cell, {sign}count FROM {table}"  # nosec B608 - built from this migration's own constants, no input


# An updated cell adds its new count and takes away its old one.
def sums_kept_by(add: Callable[[str], str]) -> tuple[str, str]:
    """The triggers that keep the sums per agency, adding with `add` (add_to_sums, or 0031's placed spots)."""
    return kept_counts(
        "kiv_overview_sums",
        ["assessments_overviewagencyquadrant", "assessments_overviewagencyspot"],
        add,
        [
            Trigger("added", CELLS, "INSERT", cells("new_cells"), "NEW TABLE AS new_cells"),
            Trigger(
                "updated",
                CELLS,
                "UPDATE",
                f"{cells('new_cells')} UNION ALL {cells('old_cells', '-')}",  # nosec B608 - built from this migration's own constants, no input
                "OLD TABLE AS old_cells NEW TABLE AS new_cells",
            ),
            Trigger("removed", CELLS, "DELETE", cells("old_cells", "-"), "OLD TABLE AS old_cells"),
        ],
        cells(CELLS),
    )


SUMS, SUMS_DROP = sums_kept_by(add_to_sums)


# The cells per tool.
def version_of(alias: str) -> str:
    """A version's columns that place it: quadrant, scores and its tool's slug (greedy: up to the last "@")."""
    tool = f"COALESCE(substring({alias}.answers ->> 'cat_ref' from '^(.*)@'), '')"
    return f"{alias}.quadrant, {alias}.need_score, {alias}.risk_score, {tool} AS tool"


def latest(assessment_id: str, before: str = "") -> str:
    """The assessment's latest version (`before`: of those numbered below it) as `v`."""
    return (
        f"JOIN LATERAL (SELECT {version_of('x')} FROM {VERSIONS} x "
        f"WHERE x.assessment_id = {assessment_id}{before} ORDER BY x.number DESC LIMIT 1) v ON TRUE"  # nosec B608 - built from this migration's own constants, no input
    )


PLACED = "v.tool, v.quadrant, v.need_score, v.risk_score"
TOUCHED = f"FROM touched t JOIN {ASSESSMENTS} a ON a.id = t.assessment_id"  # nosec B608 - built from this migration's own constants, no input


# Adds deltas, rows of (status, agency_id, tool, quadrant, need score, risk score, delta), to the kept
# counts, the scores rounded to cells of 2 points as the overview cells round them (ties to even).
def add_to_tool_cells(deltas: str) -> str:
    return f"""
INSERT INTO assessments_overviewtoolcell AS c (status, agency_id, tool, quadrant, need_cell, risk_cell, count)
SELECT status, agency_id, tool, quadrant, COALESCE(ROUND(need_score / 2)::int, -1),
       COALESCE(ROUND(risk_score / 2)::int, -1), SUM(delta)
FROM ({deltas}) AS d (status, agency_id, tool, quadrant, need_score, risk_score, delta)
GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(delta) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (status, agency_id, tool, quadrant, need_cell, risk_cell) DO UPDATE SET count = c.count + EXCLUDED.count
"""  # nosec B608 - built from this migration's own constants, no input


# New versions: each touched assessment leaves the cell of its latest version before them for its newest's.
ADDED = f"""
WITH touched AS (SELECT assessment_id, MIN(number) AS first_new FROM added GROUP BY assessment_id)
SELECT a.status, a.agency_id, {PLACED}, -1 {TOUCHED} {latest("t.assessment_id", " AND x.number < t.first_new")}
UNION ALL
SELECT a.status, a.agency_id, {PLACED}, 1 {TOUCHED} {latest("t.assessment_id")}
"""  # nosec B608 - built from this migration's own constants, no input

# Deleted versions: the latest one before the delete is the newest of those left and those removed.
REMOVED = f"""
WITH touched AS (SELECT DISTINCT assessment_id FROM removed)
SELECT a.status, a.agency_id, {PLACED}, -1 {TOUCHED}
    JOIN LATERAL (
        SELECT u.* FROM (
            SELECT x.number, {version_of("x")} FROM {VERSIONS} x WHERE x.assessment_id = t.assessment_id
            UNION ALL
            SELECT r.number, {version_of("r")} FROM removed r WHERE r.assessment_id = t.assessment_id
        ) u ORDER BY u.number DESC LIMIT 1
    ) v ON TRUE
UNION ALL
SELECT a.status, a.agency_id, {PLACED}, 1 {TOUCHED} {latest("t.assessment_id")}
"""  # nosec B608 - built from this migration's own constants, no input

MOVED = f"""
WITH moved AS (
    SELECT b.id, b.status AS old_status, b.agency_id AS old_agency, n.status AS new_status, n.agency_id AS new_agency
    FROM before b JOIN after n ON n.id = b.id
    WHERE b.status IS DISTINCT FROM n.status OR b.agency_id IS DISTINCT FROM n.agency_id
)
SELECT m.old_status, m.old_agency, {PLACED}, -1 FROM moved m {latest("m.id")}
UNION ALL
SELECT m.new_status, m.new_agency, {PLACED}, 1 FROM moved m {latest("m.id")}
"""  # nosec B608 - built from this migration's own constants, no input

TOOL_CELLS, TOOL_CELLS_DROP = kept_counts(
    "kiv_overview_tools",
    ["assessments_overviewtoolcell"],
    add_to_tool_cells,
    [
        Trigger("added", VERSIONS, "INSERT", ADDED, "NEW TABLE AS added"),
        Trigger("removed", VERSIONS, "DELETE", REMOVED, "OLD TABLE AS removed"),
        Trigger("moved", ASSESSMENTS, "UPDATE", MOVED, "OLD TABLE AS before NEW TABLE AS after"),
        Trigger(
            "deleted",
            ASSESSMENTS,
            "DELETE",
            f"SELECT OLD.status, OLD.agency_id, {PLACED}, -1 FROM (SELECT 1) AS one {latest('OLD.id')}",  # nosec B608 - built from this migration's own constants, no input
            timing="BEFORE",
            returns="OLD",
        ),
    ],
    f"SELECT a.status, a.agency_id, {PLACED}, 1 FROM {ASSESSMENTS} a {latest('a.id')}",  # nosec B608 - built from this migration's own constants, no input
)

# The copies that 0019_squashed_0024 keeps, and the title.
TITLE_COPIES = {**listed.LISTED_COPIES, "assessment_title": "title"}


def version_listed_postgresql(copies: dict[str, str], *, watched: str = "", then: str = "") -> str:
    """The two triggers that keep the versions' `copies` of their assessment ({version column: assessment
    column}) and the stored title vector: the version's, on its insert and on a change of a copy (or of the
    columns `watched`, with `then` run after), and the assessment's, which passes a change on to its versions.
    They have the same names as those of 0019_squashed_0024, so its statements drop either; 0027 adds a copy."""
    ours, theirs = list(copies), list(copies.values())
    return "".join(
        trigger.create()
        for trigger in [
            Trigger(
                "kiv_version_listed",
                VERSIONS,
                f"INSERT OR UPDATE OF assessment_id, {', '.join(ours)}, title_search{watched}",
                f"""
    SELECT {", ".join(f"a.{column}" for column in theirs)} INTO {", ".join(f"NEW.{column}" for column in ours)}
    FROM {ASSESSMENTS} a WHERE a.id = NEW.assessment_id;
    NEW.title_search := to_tsvector('norwegian'::regconfig, COALESCE(NEW.assessment_title, '')){then}""",  # nosec B608 - built from the migrations' own constants, no input
                timing="BEFORE",
                returns="NEW",
            ),
            Trigger(
                "kiv_assessment_listed",
                ASSESSMENTS,
                f"UPDATE OF {', '.join(theirs)}",
                f"""
    UPDATE {VERSIONS}
    SET {", ".join(f"{copy} = NEW.{column}" for copy, column in copies.items())}
    WHERE assessment_id = NEW.id""",  # nosec B608 - built from the migrations' own constants, no input
                condition=" OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in theirs),
            ),
        ]
    )


_DROP = listed.on_each_backend([listed.VERSION_LISTED_POSTGRESQL_DROP], listed.VERSION_LISTED_SQLITE_DROP)


def listed_triggers(copies: dict[str, str], **postgresql):
    """A RunPython function that replaces the triggers keeping the versions' copies with those keeping
    `copies`, on either backend (`postgresql`: version_listed_postgresql's other arguments)."""
    create = listed.on_each_backend(
        [version_listed_postgresql(copies, **postgresql)], listed.version_listed_sqlite(copies)
    )

    def replace(apps, schema_editor):
        _DROP(apps, schema_editor)
        create(apps, schema_editor)

    return replace


title_listed_triggers = listed_triggers(TITLE_COPIES)


def previous_version_listed_triggers(apps, schema_editor):
    _DROP(apps, schema_editor)
    listed.version_listed_triggers(apps, schema_editor)


class RemoveIndexOnPostgreSQL(initial.OnPostgreSQL, migrations.RemoveIndex):
    """RemoveIndex for the indexes that AddIndexOnPostgreSQL made on PostgreSQL only."""


# Writing the title runs the version's trigger, which sets the vector (and the other copies, again).
fill_version_titles = listed.fill_version_copies(assessment_title="title")


# 0027
# The tool as the kept counts per tool read it (0025's version_of): greedy, up to the last "@".
TOOL = "COALESCE(substring(NEW.answers ->> 'cat_ref' from '^(.*)@'), '')"

COPIES = {**TITLE_COPIES, "assessment_review_by": "review_by"}
# 0025's two triggers with the review date, and the version's tool set from its answers: the triggers kept
# since (a later migration that remakes the assessment or version table on SQLite runs this again).
version_listed_triggers = listed_triggers(COPIES, watched=", answers, tool", then=f";\n    NEW.tool := {TOOL}")


# Writing the copy runs the version's trigger, which also sets the tool on PostgreSQL.
fill_review_dates = listed.fill_version_copies(assessment_review_by="review_by")


def run_deferred_checks(apps, schema_editor):
    """Run the foreign key checks queued in this transaction (they pass: no fill changes a key), so that the
    table they were queued on can be indexed or altered next (see the module's docstring)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.connection.check_constraints()


# The register's rows: the latest version of an approved assessment is its approving one, decided.
APPROVED = models.Q(assessment_status="approved", decision="approved", decided_at__isnull=False)


# 0028
WHAT_IF_SOURCE_EN = "The what-if analysis in KI-veileder"
ENGLISH_QUOTES = str.maketrans({"«": "“", "»": "”"})
CHUNK = 500


def _english_texts(versions) -> dict[str, dict]:
    """key -> English texts, from (obligations, what_if) of the versions, newest first."""
    texts: dict[str, dict] = {}
    for obligations, what_if in versions:
        for obligation in obligations or []:
            key = f"obligation:{obligation.get('code')}"
            texts.setdefault(key, {
                "title_en": (obligation.get("title_en") or "")[:300],
                "why_en": (obligation.get("why_en") or "").translate(ENGLISH_QUOTES),
                "source_en": (obligation.get("source_en") or "")[:300],
            })  # fmt: skip
        what_if = what_if or {}
        for change in what_if.get("changes") or []:
            key = f"measure:{change.get('key')}"
            note = (what_if.get("note_en") or "").translate(ENGLISH_QUOTES)
            texts.setdefault(key, {"title_en": "", "why_en": note, "source_en": WHAT_IF_SOURCE_EN})
    return texts


def fill_english(apps, schema_editor):
    PlanItem = apps.get_model("assessments", "PlanItem")
    AssessmentVersion = apps.get_model("assessments", "AssessmentVersion")
    pending = PlanItem.objects.filter(title_en="", why_en="", source_en="")
    assessment_ids = sorted(set(pending.values_list("assessment_id", flat=True)))
    for start in range(0, len(assessment_ids), CHUNK):
        changed = []
        for assessment_id in assessment_ids[start : start + CHUNK]:
            versions = (
                AssessmentVersion.objects.filter(assessment_id=assessment_id)
                .order_by("-number")
                .values_list("result__obligations", "result__what_if")
            )
            texts = _english_texts(versions)
            for item in pending.filter(assessment_id=assessment_id):
                found = texts.get(item.key)
                if found:
                    item.title_en, item.why_en, item.source_en = found["title_en"], found["why_en"], found["source_en"]
                    changed.append(item)
        PlanItem.objects.bulk_update(changed, ["title_en", "why_en", "source_en"], batch_size=CHUNK)
    _copy_to_carried(PlanItem)


def _copy_to_carried(PlanItem) -> None:
    """An item carried to a replacement assessment (a material change) that has no version yet gets the texts of
    the item it was copied from; oldest first, so a copy of a copy finds its source filled."""
    filled: dict[int, tuple] = {}
    changed = []
    carried = PlanItem.objects.filter(title_en="", why_en="", source_en="", carried_from__isnull=False)
    for item in carried.select_related("carried_from").order_by("pk").iterator(chunk_size=CHUNK):
        source = item.carried_from
        texts = filled.get(source.pk) or (source.title_en, source.why_en, source.source_en)
        if any(texts):
            item.title_en, item.why_en, item.source_en = texts
            filled[item.pk] = texts
            changed.append(item)
    PlanItem.objects.bulk_update(changed, ["title_en", "why_en", "source_en"], batch_size=CHUNK)


# 0030
def fill_measure_keys(apps, schema_editor):
    PlanItem = apps.get_model("assessments", "PlanItem")
    changed = []
    for item in PlanItem.objects.filter(kind="measure", measure_key="").iterator(chunk_size=CHUNK):
        item.measure_key = item.key.split(":", 1)[1][:100]
        changed.append(item)
    PlanItem.objects.bulk_update(changed, ["measure_key"], batch_size=CHUNK)


# 0031
def _placed(axis: str, high: str, low: str) -> str:
    """A cell's column `axis`, moved into the field its quadrant names (the quadrant's values listed)."""
    return (
        f"CASE WHEN quadrant IN ({high}) THEN GREATEST({axis}, 27) "
        f"WHEN quadrant IN ({low}) THEN LEAST({axis}, 23) ELSE {axis} END"
    )


NEED = _placed("need_cell", "'low_risk_high_need', 'high_risk_high_need'", "'low_risk_low_need', 'high_risk_low_need'")
RISK = _placed("risk_cell", "'high_risk_low_need', 'high_risk_high_need'", "'low_risk_low_need', 'low_risk_high_need'")


def add_to_placed_sums(changes: str) -> str:
    return add_to_sums(changes, need=NEED, risk=RISK)


PLACED_SUMS, PLACED_SUMS_DROP = sums_kept_by(add_to_placed_sums)


def agency(**options) -> models.ForeignKey:
    """The agency key of a table of kept counts: no constraint, so a count never waits on the agency's row."""
    return models.ForeignKey(
        db_constraint=False,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to="assessments.agency",
        **options,
    )


def scope() -> models.CharField:
    return models.CharField(choices=[("approved", "Approved"), ("all", "All")], max_length=10)


def kept_count_table(name: str, unique: str, keys: tuple[str, ...], **fields) -> migrations.CreateModel:
    """A table of kept counts: an id and `fields` in their column order, one row per value of the `keys`."""
    return migrations.CreateModel(
        name=name,
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            *fields.items(),
        ],
        options={"constraints": [models.UniqueConstraint(fields=keys, name=unique)]},
    )


class Migration(migrations.Migration):
    replaces = [
        ("assessments", "0025_overview_sums_and_title_search"),
        ("assessments", "0026_evidence_scan_refused"),
        ("assessments", "0027_register_by_tool"),
        ("assessments", "0028_plan_item_english"),
        ("assessments", "0029_reassignmentflag_verbose_name"),
        ("assessments", "0030_plan_item_measure_key"),
        ("assessments", "0031_overview_spots_by_conclusion"),
        ("assessments", "0032_user_and_agency_verbose_names"),
    ]

    dependencies = [
        ("assessments", "0019_squashed_0024_catalogue_flag_closing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # 0025: the sums per agency
        kept_count_table(
            "OverviewAgencyQuadrant",
            "one_overview_agency_quadrant",
            ("scope", "agency", "quadrant", "scored"),
            scope=scope(),
            agency=agency(db_index=False),
            count=models.IntegerField(default=0),
            quadrant=models.CharField(max_length=30),
            scored=models.BooleanField(),
        ),
        kept_count_table(
            "OverviewAgencySpot",
            "one_overview_agency_spot",
            ("scope", "agency", "need_cell", "risk_cell"),
            scope=scope(),
            agency=agency(db_index=False),
            count=models.IntegerField(default=0),
            need_cell=models.IntegerField(),
            risk_cell=models.IntegerField(),
        ),
        migrations.RunPython(on_postgresql(SUMS), on_postgresql(SUMS_DROP)),
        # The title copy
        migrations.AddField(
            model_name="assessmentversion",
            name="assessment_title",
            field=models.CharField(editable=False, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name="assessmentversion",
            name="title_search",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(title_listed_triggers, previous_version_listed_triggers),
        migrations.RunPython(fill_version_titles, migrations.RunPython.noop),
        # After the fill: one build of each index instead of an update per row.
        initial.AddIndexOnPostgreSQL(
            model_name="assessmentversion",
            index=django.contrib.postgres.indexes.GinIndex(fields=["title_search"], name="version_title_search"),
        ),
        initial.AddIndexOnPostgreSQL(
            model_name="assessmentversion",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("assessment_title"), name="gin_trgm_ops"
                ),
                name="version_title_trigram",
            ),
        ),
        # The register filtered by one tool: the tool's slug out of the answers (models.assessments.TOOL_SLUG).
        migrations.AddIndex(
            model_name="assessmentversion",
            index=models.Index(
                models.Case(
                    models.When(
                        django.db.models.lookups.GreaterThan(
                            django.db.models.functions.text.StrIndex(KT("answers__cat_ref"), models.Value("@")), 0
                        ),
                        then=django.db.models.functions.text.Left(
                            KT("answers__cat_ref"),
                            django.db.models.functions.text.StrIndex(KT("answers__cat_ref"), models.Value("@")) - 1,
                        ),
                    ),
                    default=None,
                    output_field=models.CharField(),
                ),
                models.F("assessment_status"),
                models.F("decided_at"),
                models.F("id"),
                name="version_tool_decided",
            ),
        ),
        RemoveIndexOnPostgreSQL(model_name="assessment", name="assessment_title_search"),
        RemoveIndexOnPostgreSQL(model_name="assessment", name="assessment_title_trigram"),
        # The cells per tool
        kept_count_table(
            "OverviewToolCell",
            "one_overview_tool_cell",
            ("status", "agency", "tool", "quadrant", "need_cell", "risk_cell"),
            status=models.CharField(max_length=20),
            tool=models.TextField(),
            quadrant=models.CharField(max_length=30),
            need_cell=models.IntegerField(),
            risk_cell=models.IntegerField(),
            count=models.IntegerField(default=0),
            agency=agency(),
        ),
        migrations.RunPython(on_postgresql(TOOL_CELLS), on_postgresql(TOOL_CELLS_DROP)),
        # 0026: evidence refused by the virus scan
        migrations.AlterField(
            model_name="evidence",
            name="scan_status",
            field=models.CharField(
                choices=[
                    ("pending", "Venter på virussjekk"),
                    ("clean", "Virussjekket"),
                    ("not_scanned", "Ikke virussjekket"),
                    ("quarantined", "I karantene"),
                    ("refused", "Avvist av virussjekken"),
                ],
                default="not_scanned",
                max_length=20,
            ),
        ),
        # 0027: the register by tool
        migrations.AddField(
            model_name="assessmentversion",
            name="assessment_review_by",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="assessmentversion",
            name="tool",
            field=models.TextField(editable=False, null=True),
        ),
        migrations.RunPython(version_listed_triggers, title_listed_triggers),
        migrations.RunPython(fill_review_dates, migrations.RunPython.noop),
        migrations.RunPython(run_deferred_checks, migrations.RunPython.noop),
        # After the fill: one build of each index instead of an update per row.
        initial.AddIndexOnPostgreSQL(
            model_name="assessmentversion",
            index=models.Index(
                KT("answers__cat_name"),
                models.F("decided_at").desc(),
                models.F("id").desc(),
                condition=APPROVED,
                name="version_register_by_tool",
            ),
        ),
        initial.AddIndexOnPostgreSQL(
            model_name="assessmentversion",
            index=models.Index(
                fields=["assessment_review_by", "tool", "assessment_agency"],
                condition=APPROVED,
                name="version_overdue_by_tool",
            ),
        ),
        # 0028: plan items in English
        migrations.AddField(
            model_name="planitem",
            name="title_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="tittel på engelsk"),
        ),
        migrations.AddField(
            model_name="planitem",
            name="why_en",
            field=models.TextField(blank=True, verbose_name="hvorfor på engelsk"),
        ),
        migrations.AddField(
            model_name="planitem",
            name="source_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="kilde på engelsk"),
        ),
        migrations.RunPython(fill_english, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(run_deferred_checks, migrations.RunPython.noop),
        # 0029
        migrations.AlterModelOptions(
            name="reassignmentflag",
            options={
                "ordering": ["-created_at", "pk"],
                "verbose_name": "overføringsflagg",
                "verbose_name_plural": "overføringsflagg",
            },
        ),
        # 0030: the question of a plan item's measure
        migrations.AddField(
            model_name="planitem",
            name="measure_key",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.RunPython(fill_measure_keys, migrations.RunPython.noop, elidable=True),
        # 0031: the spots per agency placed by the conclusion
        migrations.RunPython(
            on_postgresql(SUMS_DROP, PLACED_SUMS),
            on_postgresql(PLACED_SUMS_DROP, SUMS),
        ),
        # 0032
        migrations.AlterField(
            model_name="membership",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="memberships",
                to="assessments.agency",
                verbose_name="virksomhet",
            ),
        ),
        migrations.AlterField(
            model_name="membership",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="memberships",
                to=settings.AUTH_USER_MODEL,
                verbose_name="bruker",
            ),
        ),
        migrations.AlterField(
            model_name="municipalrole",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="municipal_roles",
                to=settings.AUTH_USER_MODEL,
                verbose_name="bruker",
            ),
        ),
        migrations.AlterField(
            model_name="reassignmentflag",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="bruker",
            ),
        ),
    ]
