"""Demo assessments in review, for `seed_demo` (a step in `DEMO_STEPS`): one returned to its agency
with UKE's comments, and one revised and resubmitted after a return, so the review page shows what
changed beside the earlier comments. Made through the same services as the screens; idempotent by
agency and title.
"""

from assessments import services
from assessments.demo.drafts import fill_steps
from assessments.engine.answer_sets import scenario_answers
from assessments.engine.loader import as_definition
from assessments.models import Agency, Assessment, Questionnaire

# A chatbot for parking questions that does not say it is an AI.
PARKING_CHATBOT = scenario_answers("chatbot_parking_undisclosed", cat_choice="not_listed")
# The waste chatbot, a year's pilot later: the agency wants internal case summaries too, read by no one first.
SUMMARY_ASSISTANT = scenario_answers(
    "waste_chatbot",
    cat_choice="not_listed",
    title="KI-assistent for oppsummering av innbyggerhenvendelser",
    description="En språkmodell oppsummerer henvendelser fra innbyggere før saksbehandler svarer.",
    citizen_facing="no",
    ho_human_review="no",
    gen_output_use="case_work_basis",
)

# (answers, comments {question key or "" for general: text}, reason for returning, revision after return)
DEMO_REVIEWS = [
    (
        PARKING_CHATBOT,
        {
            "tr_disclose": "Innbyggerne må få vite at de snakker med en chatbot (KI-forordningen art. 50). "
            "Legg inn en tydelig merking før piloten starter.",
            "sec_abuse": "Beskriv hvordan dere stopper forsøk på å lure chatboten til å gi feil svar.",
            "": "Ellers en godt beskrevet pilot.",
        },
        "Chatboten sier ikke at den er KI, og misbruk er ikke håndtert. Rett svarene og send inn på nytt.",
        None,
    ),
    (
        SUMMARY_ASSISTANT,
        {
            "ho_human_review": "Oppsummeringene brukes som grunnlag i saker: en saksbehandler må lese "
            "dem før de brukes. Hvordan sikres det?",
            "": "Se kommentaren om menneskelig kontroll.",
        },
        "Menneskelig kontroll mangler for oppsummeringer som brukes i saksbehandlingen.",
        {"transparency": {"ho_human_review": "yes"}},
    ),
]


def _revise(assessment: Assessment, user, changes: dict) -> Assessment:
    """Change some answers the way the wizard does: one step (section) at a time."""
    defn = as_definition(assessment.questionnaire.definition)
    for section, values in changes.items():
        current = {q.key: assessment.answers.get(q.key) for q in defn.section(section).questions}
        assessment = services.assessment_save_step(
            assessment=assessment,
            section=section,
            values={**current, **values},
            expected_revision=assessment.revision,
            user=user,
        ).assessment
    return assessment


def seed_review_demo(users: dict) -> dict:
    made = {"returned": 0, "resubmitted": 0}
    if Questionnaire.latest() is None:
        return made
    leader, reviewer = users["leder"], users["uke"]
    agency = Agency.objects.get(name="Bydel Frogner")
    for answers, comments, reason, revision in DEMO_REVIEWS:
        if Assessment.objects.filter(agency=agency, title=answers["title"]).exists():
            continue
        assessment = services.assessment_create(agency=agency, user=leader, title=answers["title"], source="demo")
        assessment = fill_steps(assessment, leader, answers)
        version = services.assessment_submit(assessment=assessment, user=leader)
        for key, text in comments.items():
            services.review_comment_add(
                assessment=assessment,
                user=reviewer,
                text=text,
                question_key=key,
                version_number=version.number,
            )
        services.assessment_return(assessment=assessment, user=reviewer, reason=reason,
                                   version_number=version.number)  # fmt: skip
        if revision is None:
            made["returned"] += 1
            continue
        assessment.refresh_from_db()
        assessment = _revise(assessment, leader, revision)
        services.assessment_submit(assessment=assessment, user=leader)
        made["resubmitted"] += 1
    return made
