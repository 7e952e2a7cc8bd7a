"""seed_demo's tool overview: four entries marked as demo, and demo assessments that pick them in step 1."""

import pytest

from assessments import demo
from assessments.demo.catalogue import seed_catalogue
from assessments.models import Assessment
from assessments.models.catalogue import ToolEntry

pytestmark = pytest.mark.django_db


def test_the_demo_catalogue_is_marked_and_used(settings):
    demo.seed_agencies()
    users = demo.seed_users()
    demo.seed_questionnaires()
    assert seed_catalogue(users) == {"tools": 4, "assessments": 2}
    assert seed_catalogue(users) == {"tools": 0, "assessments": 0}  # idempotent
    entries = ToolEntry.objects.all()
    assert all(entry.is_demo and "(demo)" in entry.current().name for entry in entries)
    statuses = {entry.slug: entry.current().status for entry in entries}
    assert statuses == {
        "demo-kommunechat": "approved",
        "demo-gratis-chat": "not_approved",
        "demo-motetranskribering": "under_assessment",
        "demo-saksbehandling-ki": "approved",
    }
    notes = Assessment.objects.get(title="Kommunechat til utkast til interne notater")
    assert notes.status == "submitted"
    assert notes.latest_version().answers["cat_ref"] == "demo-kommunechat@1"
    assert notes.latest_version().answers["sec_hosting"] == "cloud_eea"
