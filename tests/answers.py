"""Answer sets for the tests of the wizard, the services and import/export (questionnaire 2026.1).

`complete(**sections)` is a complete, low-risk answer set for an integrated tool with no personal data;
the branch dicts below add what a branch needs. `step_post()` turns one section's answers into the POST a
browser sends for that wizard step.
"""

from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "questionnaire" / "2026.1"
PREFIX = "assessment_wizard"

INTRO = {
    "title": "Copilot i Word for saksbehandlere",
    "description": "Stavekontroll og språkforslag i Word for saksbehandlere i bydelen.",
    "owner": "Seksjonsleder for saksbehandling",
    "ai_kind": ["integrated"],
    "role": "buy",
    "is_ai": "yes",
    "tool_source": "procured",
    "stage": "pilot",
    "citizen_facing": "no",
    "decision_role": "none",
    "affected": ["employees"],
    "pd_any": "no",
}
NEED = {
    "problem": "Mye tid går med til språkvask av brev.",
    "goals": "Halvere tiden til språkvask, målt før og etter.",
    "benefit": 3,
    "users_reached": "agency",
    "no_go": "slow",
    "alternatives": "yes",
    "evidence": "test",
    "mandate": "yes",
}
PROHIBITED = dict.fromkeys(
    [
        "p_manipulation",
        "p_exploit_vulnerability",
        "p_social_scoring",
        "p_crime_prediction",
        "p_face_scraping",
        "p_emotion_workplace_school",
        "p_biometric_categorisation",
        "p_intimate_imagery",
    ],
    "no",
)
HIGH_RISK = {"hr_area": ["none"], "hr_profiling": "no", "hr_exempt": "none", "hr_product": "no"}
EQUALITY = {
    "eq_protected_attributes": "no",
    "eq_proxy_checked": "yes",
    "eq_groups_tested": "documented",
    "eq_representative_data": "yes",
    "eq_universal_design": "yes",
    "eq_consulted": "yes",
}
TRANSPARENCY = {
    "tr_disclose": "yes",
    "tr_label": "yes",
    "tr_explain": 3,
    "ho_human_review": "yes",
    "ho_override": "yes",
    "ho_training": "yes",
    "ho_complaints": "yes",
    "ho_owner": "yes",
}
SECURITY = {
    "sec_classification": "internal",
    "sec_hosting": "cloud_eea",
    "sec_abuse": "no",
    "sec_access_control": "yes",
    "arc_records_kept": "yes",
    "arc_access_requests": "yes",
    "sec_fallback": "yes",
}
INTEGRATED = {
    "int_central_control": "yes",
    "int_vendor_docs": "yes",
    "int_permissions_cleaned": "yes",
    "int_change_notice": "yes",
    "int_dpa_covers": "yes",
}
PERSONAL_DATA = {
    "pd_special": "no",
    "pd_children": "no",
    "pd_scale": 1,
    "pd_profiling": "no",
    "pd_monitoring": "no",
    "pd_combine": "no",
    "pd_basis": "yes",
    "pd_minimise": "yes",
    "pd_vendor_train": "no",
    "pd_transfer": "no",
    "pd_dpa": "yes",
    "pd_dpia": "done_acceptable",
}
DECISIONS = {
    "fv_individual_decisions": "yes",
    "fv_basis_auto": "yes",
    "fv_discretion": "no",
    "fv_explain": "yes",
    "fv_document": "yes",
    "fv_reversibility": 1,
    "fv_duration": 1,
    "fv_severity": 2,
    "fv_error_cost": 2,
}
GENERATIVE = {
    "gen_sensitive_input": "no",
    "gen_enterprise_agreement": "yes",
    "gen_fact_check": "yes",
    "gen_copyright": "yes",
    "gen_pilot": "yes",
    "gen_output_use": "internal_draft",
}
SELF_DEVELOPED = {
    "dev_training_data_source": "own_registers",
    "dev_data_quality": "yes",
    "dev_accuracy_known": "yes",
    "dev_continuous_learning": "no",
    "dev_versioning": "yes",
    "dev_ownership_agreed": "yes",
}
FRIA = {
    key: f"Beskrivelse for {key}."
    for key in [
        "fria_process",
        "fria_period",
        "fria_groups",
        "fria_harms",
        "fria_oversight",
        "fria_response",
        "fria_rights",
    ]
}

SECTIONS = {
    "intro": INTRO,
    "need": NEED,
    "prohibited": PROHIBITED,
    "high_risk": HIGH_RISK,
    "personal_data": PERSONAL_DATA,
    "decisions": DECISIONS,
    "equality": EQUALITY,
    "transparency": TRANSPARENCY,
    "security": SECURITY,
    "generative": GENERATIVE,
    "self_developed": SELF_DEVELOPED,
    "integrated": INTEGRATED,
    "fria": FRIA,
}
BASE_STEPS = [
    "intro",
    "need",
    "prohibited",
    "high_risk",
    "equality",
    "transparency",
    "security",
    "integrated",
]


def complete(**overrides) -> dict:
    """The base answers (every section of the base branch), then `overrides` (key -> value)."""
    answers = {}
    for key in BASE_STEPS:
        answers.update(SECTIONS[key])
    answers.update(overrides)
    return answers


def section_of(step: str, answers: dict) -> dict:
    """The answers in `answers` to the questions of section `step` (as the definition lists them)."""
    from assessments.engine.loader import as_definition
    from tests.objects import fixture_definition

    keys = [q.key for q in as_definition(fixture_definition()).section(step).questions]
    return {key: answers[key] for key in keys if key in answers}


def step_post(step: str, values: dict, revision: int, *, action: str = "next", **extra) -> dict:
    """What a browser posts for one wizard step."""
    data = {f"{PREFIX}-current_step": step, "revision": str(revision), "action": action, **extra}
    for key, value in values.items():
        data[f"{step}-{key}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data
