"""Demo action plans for `seed_demo` (a step in `DEMO_STEPS`): three approved assessments in Bydel Frogner
whose plans are in different states, made through the services users use:

- one in use, every item done with evidence;
- one with an item past its due date;
- one approved with a before-use condition that is not done yet, so it cannot be taken into use.
"""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments import services
from assessments.demo.decided import COPILOT_LETTERS
from assessments.demo.drafts import with_tool_choice
from assessments.models import Agency, Assessment, Questionnaire
from assessments.services import go_live, plans

# A minimal PDF: the demo evidence only has to be a real PDF by its content.
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n%%EOF\n"
IN_USE = "Copilot i Word for referater fra bydelsutvalget"
OVERDUE = "Copilot i Word for svar på innbyggerhenvendelser"
WAITING = "Copilot i Word for informasjonsbrev til foresatte"


def _approved(title: str, users: dict, before_use: bool = False) -> tuple[Assessment, bool]:
    agency = Agency.objects.get(name="Bydel Frogner")
    found = Assessment.objects.filter(agency=agency, title=title).first()
    if found is not None:
        return found, False
    leader = users["leder"]
    answers = with_tool_choice(Questionnaire.latest().definition, {**COPILOT_LETTERS, "title": title})
    assessment = services.assessment_create(agency=agency, user=leader, title=title, answers=answers, source="demo")
    services.assessment_submit(assessment=assessment, user=leader)
    first = assessment.plan_items.order_by("pk").first()
    conditions = {"before_use": [first.pk]} if before_use and first else None
    services.assessment_approve(assessment=assessment, user=users["uke"], conditions=conditions)
    assessment.refresh_from_db()
    return assessment, True


def _finish(item, user, name: str) -> None:
    plans.evidence_add(item=item, user=user, upload=SimpleUploadedFile(name, DEMO_PDF))
    plans.item_update(item=item, user=user, owner=user, status="done", comment="Gjennomført.")


def seed_plans(users: dict) -> dict:
    made = {"created": 0}
    if Questionnaire.latest() is None:
        return made
    leader, contributor = users["leder"], users["bidragsyter"]
    today = timezone.localdate()
    assessment, created = _approved(IN_USE, users)
    if created:
        for index, item in enumerate(assessment.plan_items.order_by("pk"), start=1):
            _finish(item, leader, f"dokumentasjon-{index}.pdf")
        # Approved just now: the go-live cannot be dated before the approval.
        go_live.record_in_use(assessment=assessment, user=leader, since=today)
        made["created"] += 1
    assessment, created = _approved(OVERDUE, users)
    if created:
        items = list(assessment.plan_items.order_by("pk"))
        for item in items[:1]:
            plans.item_update(item=item, user=leader, owner=contributor, status="in_progress",
                              due_date=today - dt.timedelta(days=5))  # fmt: skip
        for item in items[1:]:
            plans.item_update(item=item, user=leader, owner=leader, status="not_started",
                              due_date=today + dt.timedelta(days=30))  # fmt: skip
        made["created"] += 1
    assessment, created = _approved(WAITING, users, before_use=True)
    made["created"] += created
    return made
