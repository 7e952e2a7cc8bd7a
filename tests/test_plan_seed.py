"""The demo action plans: one in use with everything done, one with an overdue item, one waiting for its
before-use item; seeding twice changes nothing."""

import pytest
from django.utils import timezone

from assessments import demo
from assessments.demo import plans as demo_plans
from assessments.models import Assessment
from assessments.services import go_live
from tests.report_helpers import use_test_seal


@pytest.fixture(autouse=True)
def seal_file(settings, tmp_path_factory):
    return use_test_seal(settings, tmp_path_factory)


@pytest.mark.django_db
def test_three_plans_in_different_states():
    demo.seed_agencies()
    users = demo.seed_users()
    demo.seed_questionnaires()
    assert demo_plans.seed_plans(users) == {"created": 3}
    assert demo_plans.seed_plans(users) == {"created": 0}
    in_use = Assessment.objects.get(title=demo_plans.IN_USE)
    assert in_use.in_use_since and all(i.status == "done" for i in in_use.plan_items.all())
    overdue = Assessment.objects.get(title=demo_plans.OVERDUE)
    today = timezone.localdate()
    assert any(i.due_date and i.due_date < today and i.is_open for i in overdue.plan_items.all())
    waiting = Assessment.objects.get(title=demo_plans.WAITING)
    assert waiting.in_use_since is None and go_live.blocking_items(waiting)
