"""Tool overview entries for tests, made through the service as UKE would."""

import datetime as dt

from assessments import services
from assessments.engine.answer_sets import scenario_answers
from assessments.engine.loader import as_definition
from assessments.engine.screening import screening_for
from assessments.services import catalogue as service
from assessments.services import quickpath
from tests.assessment_helpers import fixture_definition, published_questionnaire

APPROVED_CHAT = {
    "name": "Kommunechat",
    "vendor": "Eksempel AS",
    "edition": "Enterprise",
    "description": "Chat-assistent med kommunens innlogging.",
    "generates_content": True,
    "hosting": "cloud_eea",
    "dpa": True,
    "dpa_reference": "AVT-1",
    "dpa_valid_until": dt.date(2030, 1, 1),
    "vendor_trains_on_inputs": False,
    "enterprise_agreement": True,
    "max_class": "internal",
    "personal_data_allowed": False,
    "special_categories_allowed": False,
    "guideline_url": "https://example.org/retningslinje",
    "status": "approved",
    "status_since": dt.date(2026, 1, 1),
    "note": "",
}


def make_tool(world, *, slug: str = "kommunechat", **changes):
    """An approved entry (version 1), made by the world's reviewer."""
    return service.tool_create(slug=slug, data={**APPROVED_CHAT, **changes}, actor=world.users["reviewer"])


# Answers the catalogue fills on other steps than the first (the mapping in docs/catalogue.md).
FILLED_ELSEWHERE = ["sec_hosting", "pd_dpa", "pd_vendor_train", "int_dpa_covers", "gen_enterprise_agreement"]


def v3_definition() -> dict:
    return fixture_definition("2026.3")


def published_v3():
    return published_questionnaire("2026.3")


# The screening's own example: a drafting assistant from the overview, used by one unit for internal drafts;
# without the facts the chosen tool fills in (cat_*, sec_hosting).
DRAFTING = {
    key: value
    for key, value in screening_for(as_definition(v3_definition())).examples[0].answers.items()
    if not key.startswith("cat_") and key != "sec_hosting"
}


def screened(world, title: str, *, tool: str | None = None, **changes):
    """A quick-path draft of agency A for DRAFTING (with `changes`), on an approved overview tool unless `tool`
    names another choice ("not_listed", a ref); returns (assessment, screening result)."""
    published_v3()
    return quickpath.screening_start(
        agency=world.agency_a,
        user=world.users["leader_a"],
        title=title,
        answers={**DRAFTING, **changes},
        tool=tool or make_tool(world).ref,
    )


def unlisted_answers() -> dict:
    """A complete 2026.3 answer set for a tool not in the overview, minus what the overview would fill."""
    answers = scenario_answers("v2026_3/copilot_listed_within_class")
    for key in [k for k in answers if k.startswith("cat_")] + FILLED_ELSEWHERE:
        answers.pop(key, None)
    return {**answers, "cat_choice": "not_listed"}


def v3_assessment(world, title: str = "Chat for saksbehandlere", answers: dict | None = None):
    """A 2026.3 draft of agency A with every step visited."""
    from assessments import services
    from assessments.engine.visibility import visible_section_keys

    published_v3()
    assessment = services.assessment_create(agency=world.agency_a, user=world.users["leader_a"], title=title)
    answers = {**(answers if answers is not None else unlisted_answers()), "title": title}
    defn = v3_definition()
    assessment.answers = answers
    assessment.visited_steps = list(visible_section_keys(defn, answers))
    assessment.save(update_fields=["answers", "visited_steps"])
    return assessment


def pick(world, assessment, ref: str | None, **extra):
    """Save step 1 through the service with the tool `ref` chosen (None: not in the overview)."""
    from assessments import services

    intro = as_definition(assessment.questionnaire.definition).section("intro")
    values = {q.key: assessment.answers.get(q.key) for q in intro.questions}
    values.update({"cat_choice": "listed" if ref else "not_listed", "cat_ref": ref, **extra})
    saved = services.assessment_save_step(
        assessment=assessment,
        section="intro",
        values=values,
        expected_revision=assessment.revision,
        user=world.users["leader_a"],
    )
    return saved.assessment


def approved_with(world, version_or_ref, title: str = "Godkjent chat"):
    """A 2026.3 assessment of agency A that picked the tool (a version or its reference), sent in and approved."""
    ref = getattr(version_or_ref, "ref", version_or_ref)
    assessment = pick(world, v3_assessment(world, title=title), ref)
    services.assessment_submit(assessment=assessment, user=world.users["leader_a"])
    services.assessment_approve(assessment=assessment, user=world.users["reviewer"])
    assessment.refresh_from_db()
    return assessment
