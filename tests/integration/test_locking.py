"""Row locks that cannot deadlock with concurrent inserts (found by the load benchmark).

PostgreSQL checks Django's foreign keys at COMMIT (they are DEFERRABLE INITIALLY DEFERRED), taking a share
lock on the referenced row then. A service that locks an assessment with `select_for_update()` and
`select_related("questionnaire")` also locks the questionnaire row FOR UPDATE; with the audit log's head
row locked by each writer in turn, a concurrent `assessment_create` (head locked, questionnaire share lock
wanted at commit) and a wizard save (questionnaire locked, head wanted) deadlocked under 50 users. So: a
locking query that joins other tables must name the rows it locks (`of=("self",)`).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.assessment_helpers import make_assessment
from tests.conftest import require_service

pytestmark = [pytest.mark.integration]


def test_every_row_lock_of_the_services_covers_only_its_own_table(world, django_capture_on_commit_callbacks):
    from assessments import services
    from tests.answers import NEED, complete

    require_service(connection.vendor == "postgresql", "PostgreSQL (SELECT ... FOR UPDATE)")
    leader, reviewer = world.users["leader_a"], world.users["reviewer"]
    with CaptureQueriesContext(connection) as captured:
        draft = make_assessment(world, "Låsing", answers=complete())
        services.assessment_save_step(
            assessment=draft,
            section="need",
            values={**NEED, "goals": "Nye mål."},
            expected_revision=draft.revision,
            user=leader,
        )
        services.assessment_submit(assessment=draft, user=leader)
        services.review_comment_add(assessment=draft, user=reviewer, text="Hvordan?", question_key="goals")
        services.assessment_return(assessment=draft, user=reviewer, reason="Rett målene.")
        services.assessment_submit(assessment=draft, user=leader)
        services.assessment_approve(assessment=draft, user=reviewer)
        draft.refresh_from_db()
        services.assessment_report_material_change(assessment=draft, user=leader, kinds=["vendor"])
    locking = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]
    assert locking, "no locking query was captured: the test no longer exercises the services"
    too_wide = [sql for sql in locking if " JOIN " in sql and "FOR UPDATE OF" not in sql]
    assert not too_wide, "these lock joined rows too:\n" + "\n".join(sql[:300] for sql in too_wide)
