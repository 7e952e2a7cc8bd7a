"""Demo drafts and submitted assessments across agencies, for `seed_demo` (a step in `DEMO_STEPS`).

Made as a leader would make them: `assessment_create`, one `assessment_save_step` per wizard step in the
order the wizard shows them (so branching and `visited_steps` are real), then `assessment_submit` for the
submitted ones. Idempotent by agency and title. The cases are invented but realistic.
"""

from assessments import services
from assessments.engine.answer_sets import scenario_answers
from assessments.engine.loader import as_definition
from assessments.engine.visibility import visible_section_keys
from assessments.models import Agency, Assessment, Questionnaire

# Planned uses from the scenario suite (fixtures/scenarios/), answered as a careful leader would.
# A chatbot on the agency's web pages answering residents about waste collection.
WASTE_CHATBOT = scenario_answers("waste_chatbot")
# A self-developed model flagging benefit applications for control: Annex III high risk, so FRIA and DPIA.
BENEFIT_RANKING = scenario_answers("benefit_fraud_detection")
# Information letters translated with a tool the municipality has an agreement for.
LETTER_TRANSLATION = scenario_answers("translation_case_letters")
# Meeting minutes with a procured transcription tool: started, two steps filled in, a contributor invited.
# The recordings are of the staff's own meetings, so the personal data concerns employees (2026.12).
TEAMS_MINUTES = scenario_answers("meeting_transcription_procured", pd_employees="yes")

# (agency, leader's username, answers, how many steps to fill (None: all), submit, invite the contributor)
DEMO_ASSESSMENTS = [
    ("Renovasjons- og gjenvinningsetaten", "leder.renovasjon", WASTE_CHATBOT, None, True, False),
    ("Bydel Grorud", "leder.grorud", BENEFIT_RANKING, None, True, False),
    ("Bydel Grorud", "leder.grorud", LETTER_TRANSLATION, None, False, False),
    ("Bydel Frogner", "leder", TEAMS_MINUTES, 2, False, True),
]


def with_tool_choice(definition, answers: dict) -> dict:
    """The demo's answer sets, on a questionnaire that asks which tool it is (2026.3): "not in the tool overview"
    unless the set says otherwise (demo/catalogue.py picks tools from it). On one that asks whether caseworkers assess
    each case themselves (2026.9), the demo's decision-support cases (the housing ranking, the benefit control) say
    that they do, as their answers on human review and oversight describe. On one that asks whether the personal data
    concerns employees (2026.12), a set with personal data says it does not unless it says otherwise: the demo's
    other cases process residents' data. On one that asks whether the solution sorts people by biometric features
    (2026.9; required from 2026.15), the demo's cases say that it does not: none of them has a camera or a
    microphone. On one that asks whether special categories are only national ID numbers (2026.15), a set with
    special categories says they are not: its health notes and social-assistance cases hold more than the ID number."""
    questions = as_definition(definition).questions
    out = dict(answers)
    if "cat_choice" in questions and "cat_choice" not in out:
        out["cat_choice"] = "not_listed"
    if "fv_human_assessment" in questions and out.get("decision_role") == "decision_support":
        out.setdefault("fv_human_assessment", "independent")
    if "pd_employees" in questions and out.get("pd_any", "no") != "no":
        out.setdefault("pd_employees", "no")
    if "bio_categorisation" in questions:
        out.setdefault("bio_categorisation", "no")
    if "pd_special_only_id" in questions and out.get("pd_special") == "yes":
        out.setdefault("pd_special_only_id", "no")
    return out


def fill_steps(assessment: Assessment, user, answers: dict, steps: int | None = None) -> Assessment:
    """Save `answers` one wizard step at a time, in the order the wizard shows the steps."""
    defn = as_definition(assessment.questionnaire.definition)
    answers = with_tool_choice(defn, answers)
    saved: list[str] = []
    while steps is None or len(saved) < steps:
        pending = [k for k in visible_section_keys(defn, assessment.answers) if k not in saved]
        if not pending:
            break
        section = pending[0]
        values = {q.key: answers.get(q.key) for q in defn.section(section).questions}
        assessment = services.assessment_save_step(
            assessment=assessment,
            section=section,
            values=values,
            expected_revision=assessment.revision,
            user=user,
        ).assessment
        saved.append(section)
    return assessment


def seed_demo_assessments(users: dict) -> dict:
    made = {"created": 0, "submitted": 0}
    if Questionnaire.latest() is None:
        return made
    for agency_name, username, answers, steps, submit, invite in DEMO_ASSESSMENTS:
        agency = Agency.objects.get(name=agency_name)
        if Assessment.objects.filter(agency=agency, title=answers["title"]).exists():
            continue
        leader = users[username]
        assessment = services.assessment_create(agency=agency, user=leader, title=answers["title"], source="demo")
        if invite:
            services.assessment_invite_contributor(assessment=assessment, user=leader, contributor=users["bidragsyter"])
        assessment = fill_steps(assessment, leader, answers, steps)
        made["created"] += 1
        if submit:
            services.assessment_submit(assessment=assessment, user=leader)
            made["submitted"] += 1
    return made
