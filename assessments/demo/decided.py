"""Demo assessments with decisions and ready reports, for `seed_demo` (a step in `DEMO_STEPS`).

Everything goes through the services users go through (create, submit, approve/reject) and the report
task runs in-process (no broker), so `make run` shows signed reports right away. The answer sets are
realistic cases (a recommended use, a stopped one and a high-risk one); the tests use them too.
"""

from django.db import transaction

from assessments import services
from assessments.demo.drafts import with_tool_choice
from assessments.engine import as_definition
from assessments.engine.answer_sets import scenario_answers
from assessments.models import Agency, Assessment, Questionnaire, Report
from assessments.tasks import render_report

# Planned uses from the scenario suite (fixtures/scenarios/); the tests use them too.
# Machine translation of the web pages: integrated and generative, no personal data, procured -> recommended.
COPILOT_LETTERS = scenario_answers("machine_translation_web")
# Health notes transcribed in a free service staff found themselves -> stop.
FREE_CHATBOT = scenario_answers("free_transcription_health_generative")
# Ranking applicants for municipal housing: Annex III public services -> high risk, FRIA.
HOUSING_RANKING = scenario_answers("housing_ranking_dpia_acceptable")

# title -> (answers, decision, reason)
DEMO_DECISIONS = [
    (
        COPILOT_LETTERS,
        "approved",
        "Godt beskrevet pilot med tydelig menneskelig kontroll. Husk opplæring før bredere utrulling.",
    ),
    (
        # 2026.11 asks whether a transfer out of the EU/EEA has a documented basis (required where data may leave).
        {**FREE_CHATBOT, "pd_transfer_basis": "unknown"},
        "rejected",
        "Saksnotater med personopplysninger kan ikke legges inn i et verktøy kommunen ikke har avtale om. "
        "Bruken må stanses; se veilederens «Du skal aldri».",
    ),
]


def known_to(questionnaire, answers: dict) -> dict:
    """`answers` less those of questions `questionnaire` does not have (an older version, in tests)."""
    questions = as_definition(questionnaire.definition).questions
    return {key: value for key, value in answers.items() if key in questions}


def seed_reports(users: dict) -> dict:
    """Approved and rejected demo assessments in Bydel Frogner, each with a ready report (idempotent)."""
    leader, reviewer = users["leder"], users["uke"]
    agency = Agency.objects.get(name="Bydel Frogner")
    questionnaire = Questionnaire.latest()
    made = {"created": 0, "reports_ready": 0}
    if questionnaire is None:
        return made
    for answers, decision, reason in DEMO_DECISIONS:
        assessment = Assessment.objects.filter(agency=agency, title=answers["title"]).first()
        if assessment is None:
            with transaction.atomic():
                assessment = services.assessment_create(
                    agency=agency,
                    user=leader,
                    title=answers["title"],
                    questionnaire=questionnaire,
                    answers=with_tool_choice(questionnaire.definition, known_to(questionnaire, answers)),
                    source="demo",
                )
            services.assessment_submit(assessment=assessment, user=leader)
            if decision == "approved":
                services.assessment_approve(assessment=assessment, user=reviewer, comment=reason)
            else:
                services.assessment_reject(assessment=assessment, user=reviewer, reason=reason)
            made["created"] += 1
        # In-process even when a broker is configured: a worker that also gets the task finds it done.
        for report in Report.objects.filter(assessment=assessment, kind=Report.Kind.SIGNED).exclude(
            status=Report.Status.READY
        ):
            render_report.apply(args=(report.pk,))
        made["reports_ready"] += Report.objects.filter(
            assessment=assessment, kind=Report.Kind.SIGNED, status=Report.Status.READY
        ).count()
    return made
