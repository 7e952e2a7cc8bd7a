"""The register grouped by tool at scale: the version's tool and a copy of its assessment's review date, kept by
the triggers of 0025_overview_sums_and_title_search, and two partial indexes on the approved versions.

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
"""

import importlib

from django.db import migrations, models
from django.db.models.fields.json import KT

initial = importlib.import_module("assessments.migrations.0001_squashed_0018_assessment_path")
listed = importlib.import_module("assessments.migrations.0019_squashed_0024_catalogue_flag_closing")
titled = importlib.import_module("assessments.migrations.0025_overview_sums_and_title_search")

VERSIONS = titled.VERSIONS
ASSESSMENTS = titled.ASSESSMENTS

# The tool as the kept counts per tool read it (0025's version_of): greedy, up to the last "@".
TOOL = "COALESCE(substring(NEW.answers ->> 'cat_ref' from '^(.*)@'), '')"

COPIES = {**titled.COPIES, "assessment_review_by": "review_by"}
# 0025's two triggers with the review date, and the version's tool set from its answers.
version_listed_triggers = titled.listed_triggers(COPIES, watched=", answers, tool", then=f";\n    NEW.tool := {TOOL}")


# Writing the copy runs the version's trigger, which also sets the tool on PostgreSQL.
fill_review_dates = listed.fill_version_copies(assessment_review_by="review_by")

# The register's rows: the latest version of an approved assessment is its approving one, decided.
APPROVED = models.Q(assessment_status="approved", decision="approved", decided_at__isnull=False)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0026_evidence_scan_refused"),
    ]

    operations = [
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
        migrations.RunPython(version_listed_triggers, titled.version_listed_triggers),
        migrations.RunPython(fill_review_dates, migrations.RunPython.noop),
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
    ]
