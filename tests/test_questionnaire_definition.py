"""Loading and validating questionnaire definitions, and validating answers files (no database)."""

import copy
import json
from pathlib import Path

import pytest

from assessments.engine.answers import validate_answers, validate_answers_file
from assessments.engine.definition import DefinitionError
from assessments.engine.loader import (
    as_definition,
    load_definition,
    load_yaml,
    parse_definition,
    questions,
    read_definition_data,
)
from assessments.engine.validate import validate_definition
from assessments.engine.validate_common import RESERVED_SECTION_KEYS
from assessments.engine.visibility import missing_required, visible_answers, visible_section_keys
from assessments.presentation.links import SUMMARY

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "questionnaire" / "2026.1"

# --- the real fixture against the rules it must keep -----------------------------------------------------

YNU, YN = "yes_no_unknown", "yes_no"
BINDING_SECTIONS = {
    "intro": {
        "title": "text",
        "description": "text",
        "owner": "text",
        "ai_kind": "multi",
        "role": "choice",
        "is_ai": YNU,
        "tool_source": "choice",
        "stage": "choice",
        "citizen_facing": YN,
        "decision_role": "choice",
        "affected": "multi",
        "pd_any": YNU,
    },
    "need": {
        "problem": "text",
        "goals": "text",
        "benefit": "scale",
        "users_reached": "choice",
        "no_go": "choice",
        "alternatives": YN,
        "evidence": "choice",
        "mandate": YNU,
    },
    "prohibited": dict.fromkeys(
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
        YNU,
    ),
    "high_risk": {"hr_area": "multi", "hr_profiling": YNU, "hr_exempt": "choice", "hr_product": YNU},
    "personal_data": {
        "pd_special": YNU,
        "pd_children": YN,
        "pd_scale": "scale",
        "pd_profiling": YNU,
        "pd_monitoring": YNU,
        "pd_combine": YN,
        "pd_basis": YN,
        "pd_minimise": YN,
        "pd_vendor_train": YNU,
        "pd_transfer": YNU,
        "pd_dpa": YN,
        "pd_dpia": "choice",
    },
    "decisions": {
        "fv_individual_decisions": YN,
        "fv_discretion": YN,
        "fv_basis_auto": YN,
        "fv_explain": YN,
        "fv_document": YN,
        "fv_reversibility": "scale",
        "fv_duration": "scale",
        "fv_severity": "scale",
        "fv_error_cost": "scale",
    },
    "equality": {
        "eq_protected_attributes": YNU,
        "eq_proxy_checked": YN,
        "eq_groups_tested": "choice",
        "eq_representative_data": YNU,
        "eq_universal_design": YN,
        "eq_consulted": YN,
    },
    "transparency": {
        "tr_disclose": YN,
        "tr_label": YN,
        "tr_explain": "scale",
        "ho_human_review": YN,
        "ho_override": YN,
        "ho_training": YN,
        "ho_complaints": YN,
        "ho_owner": YN,
    },
    "security": {
        "sec_classification": "choice",
        "sec_hosting": "choice",
        "sec_abuse": YNU,
        "sec_access_control": YN,
        "arc_records_kept": YN,
        "arc_access_requests": YN,
        "sec_fallback": YN,
    },
    "generative": {
        "gen_sensitive_input": YNU,
        "gen_enterprise_agreement": YN,
        "gen_fact_check": YN,
        "gen_copyright": YN,
        "gen_pilot": YN,
        "gen_output_use": "choice",
    },
    "self_developed": {
        "dev_training_data_source": "choice",
        "dev_training_data_notes": "text",
        "dev_data_quality": YN,
        "dev_accuracy_known": YN,
        "dev_continuous_learning": YN,
        "dev_versioning": YN,
        "dev_ownership_agreed": YN,
    },
    "integrated": dict.fromkeys(
        [
            "int_central_control",
            "int_vendor_docs",
            "int_permissions_cleaned",
            "int_change_notice",
            "int_dpa_covers",
        ],
        YN,
    ),
    "fria": dict.fromkeys(
        [
            "fria_process",
            "fria_period",
            "fria_groups",
            "fria_harms",
            "fria_oversight",
            "fria_response",
            "fria_rights",
        ],
        "text",
    ),
}
BINDING_VALUES = {
    "ai_kind": {"integrated", "self_developed", "generative"},
    "role": {"build", "commission", "buy", "buy_modify"},
    "tool_source": {"procured", "employee_initiative", "not_decided"},
    "stage": {"idea", "pilot", "production"},
    "decision_role": {"none", "internal_support", "decision_support", "automated_decision"},
    "affected": {"employees", "residents", "children", "vulnerable_groups"},
    "users_reached": {"few", "unit", "agency", "many_residents"},
    "no_go": {"service_lost", "slow", "costly", "lower_quality", "little_change"},
    "evidence": {"none", "test", "pilot", "measured_in_production"},
    "hr_area": {
        "biometrics",
        "critical_infrastructure",
        "education",
        "employment",
        "public_services_benefits",
        "emergency_services",
        "law_enforcement",
        "migration",
        "justice_democracy",
        "none",
    },
    "hr_exempt": {
        "none",
        "narrow_procedural",
        "improves_human_work",
        "detects_patterns_no_replace",
        "preparatory",
    },
    "pd_dpia": {"not_started", "in_progress", "done_acceptable", "done_high_residual"},
    "eq_groups_tested": {"not_tested", "partly", "documented"},
    "sec_classification": {"open", "internal", "confidential", "classified"},
    "sec_hosting": {"municipal_platform", "cloud_eea", "outside_eea", "unknown"},
    "gen_output_use": {"internal_draft", "case_work_basis", "published"},
    "dev_training_data_source": {"own_registers", "public_data", "vendor_data", "mixed"},
}
BINDING_RULES = {
    "prohibited_practice": "stop",
    "classified_information": "stop",
    "sensitive_input_unmanaged_tool": "stop",
    "ai_act_high_risk": "high_risk",
    "automated_decision": "high_risk",
    "sensitive_input_managed_tool": "high_risk",
    "dpia_trigger": "high_risk",
    "high_residual_risk": "high_risk",
    "undisclosed_ai": "high_risk",
    "no_mandate": "high_risk",
}
BINDING_OBLIGATIONS = {
    "dpia",
    "fria",
    "prior_consultation",
    "data_processing_agreement",
    "ai_disclosure",
    "label_ai_content",
    "human_oversight",
    "keep_logs",
    "eu_database_registration",
    "inform_affected",
    "inform_employee_reps",
    "explain_decision",
    "human_review_right",
    "security_approval",
    "archive_records",
    "legal_review",
    "pilot_first",
    "ai_literacy_training",
    "ros_analysis",
}


@pytest.fixture(scope="module")
def defn():
    return as_definition(load_definition(FIXTURE))


def test_the_fixture_is_valid(defn):
    assert validate_definition(read_definition_data(FIXTURE)) == []
    assert defn.version == "2026.1"


def test_the_sections_come_in_the_designed_order(defn):
    assert [s.key for s in defn.sections] == list(BINDING_SECTIONS)


@pytest.mark.parametrize("section_key", list(BINDING_SECTIONS))
def test_every_binding_key_is_in_its_section_with_its_type(defn, section_key):
    section = defn.section(section_key)
    have = {q.key: q.type for q in section.questions}
    for key, qtype in BINDING_SECTIONS[section_key].items():
        assert have.get(key) == qtype, f"{key} in {section_key}"


@pytest.mark.parametrize("key", sorted(BINDING_VALUES))
def test_every_binding_value_is_offered(defn, key):
    assert BINDING_VALUES[key] <= set(defn.questions[key].values)


def test_the_hard_rules_and_obligations_are_the_designed_ones(defn):
    assert {r.id: r.effect for r in defn.rules} == BINDING_RULES
    assert {o.code for o in defn.obligations} == BINDING_OBLIGATIONS
    assert {c.id for c in defn.need_caps} == {"no_problem", "no_alternatives", "no_evidence_in_production"}
    for item in [*defn.rules, *defn.obligations]:
        assert item.title and item.source
    for obligation in defn.obligations:
        assert obligation.why.strip()


def test_the_fria_section_is_shown_by_the_high_risk_rule(defn):
    assert defn.section("fria").shown_when == {"rule": "ai_act_high_risk"}


def test_questions_are_listed_in_order_with_their_section(defn):
    listed = questions(defn)
    assert [q.key for q in listed[:3]] == ["title", "description", "owner"]
    assert listed[-1].section == "fria"
    assert [q.order for q in listed] == list(range(len(listed)))


def test_the_stored_form_round_trips_through_json():
    data = load_definition(FIXTURE)
    stored = json.loads(json.dumps(data))
    assert stored == data  # already JSON-ready: scale points keys are strings
    assert parse_definition(stored) == data
    reparsed = as_definition(stored)
    assert reparsed.questions["pd_scale"].risk == as_definition(data).questions["pd_scale"].risk
    assert 4 in reparsed.questions["pd_scale"].risk


def test_as_definition_caches_by_content():
    data = load_definition(FIXTURE)
    first = as_definition(json.loads(json.dumps(data)))
    assert as_definition(json.loads(json.dumps(data))) is first


# --- loading files --------------------------------------------------------------------------------------


def test_unquoted_yes_and_no_stay_answer_values():
    data = load_yaml("risk: {yes: 3, no: 0}\nwhen: {q: x, ne: no}\nrequired: true\n")
    assert data == {"risk": {"yes": 3, "no": 0}, "when": {"q": "x", "ne": "no"}, "required": True}


def test_it_loads_a_single_json_or_yaml_file(tmp_path):
    data = load_definition(FIXTURE)
    json_file = tmp_path / "q.json"
    json_file.write_text(json.dumps(data), encoding="utf-8")
    assert load_definition(json_file) == data
    merged = {
        **load_yaml((FIXTURE / "sections.yaml").read_text()),
        **load_yaml((FIXTURE / "rules.yaml").read_text()),
    }
    yaml_file = tmp_path / "q.yaml"
    yaml_file.write_text(json.dumps(merged), encoding="utf-8")  # JSON is YAML
    assert load_definition(yaml_file) == data


def test_a_folder_must_not_define_a_top_level_key_twice(tmp_path):
    (tmp_path / "sections.yaml").write_text(_dump(mini()), encoding="utf-8")
    (tmp_path / "rules.yaml").write_text('version: "x.2"\n', encoding="utf-8")
    with pytest.raises(DefinitionError) as excinfo:
        load_definition(tmp_path)
    assert any("«version»" in e for e in excinfo.value.errors)


def test_bad_files_give_a_definition_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("sections: [\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="ugyldig YAML"):
        load_definition(bad)
    with pytest.raises(DefinitionError, match="mangler sections.yaml"):
        load_definition(tmp_path)
    with pytest.raises(DefinitionError, match="kan ikke leses"):
        load_definition(tmp_path / "missing.json")


def _dump(data):
    return json.dumps(data)


# --- validation: every kind of error, and all of them at once -----------------------------------------------


def mini():
    """A small valid definition to break in many ways."""
    return {
        "version": "t.1",
        "title": "Test",
        "sections": [
            {
                "key": "a",
                "title": "A",
                "questions": [
                    {
                        "key": "kind",
                        "type": "multi",
                        "label": "Kind",
                        "choices": [
                            {"value": "gen", "label": "Generativ"},
                            {"value": "none", "label": "Ingen"},
                        ],
                    },
                    {
                        "key": "flag",
                        "type": "yes_no_unknown",
                        "label": "Flag",
                        "risk": {"yes": 2, "unknown": 2},
                    },
                    {"key": "size", "type": "scale", "label": "Size", "risk": {3: 1, 4: 2}},
                    {"key": "name", "type": "text", "label": "Name", "max_length": 10, "required": True},
                ],
            },
            {
                "key": "b",
                "title": "B",
                "shown_when": {"q": "kind", "has": "gen"},
                "questions": [
                    {"key": "mit", "type": "yes_no", "label": "Mit", "mitigation": {"yes": 2}},
                    {
                        "key": "pick",
                        "type": "choice",
                        "label": "Pick",
                        "choices": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}],
                        "required_when": {"q": "flag", "eq": "yes"},
                        "need": {"x": 3},
                    },
                ],
            },
            {
                "key": "c",
                "title": "C",
                "shown_when": {"rule": "r_flag"},
                "questions": [{"key": "why", "type": "text", "label": "Why", "required": True}],
            },
        ],
        "scoring": {"risk_levels": [[0, "low"], [50, "high"]], "risk_high_at": 50},
        "need_caps": [{"id": "no_name", "title": "No name", "when": {"q": "name", "empty": True}}],
        "rules": [
            {
                "id": "r_flag",
                "effect": "high_risk",
                "title": "Flag",
                "source": "S",
                "when": {"q": "flag", "ne": "no"},
            },
            {
                "id": "r_stop",
                "effect": "stop",
                "title": "Stop",
                "source": "S",
                "when": {"all": [{"rule": "r_flag"}, {"q": "size", "gte": 4}]},
            },
        ],
        "obligations": [
            {"code": "o1", "title": "O", "why": "W", "source": "S", "when": {"rule": "r_flag"}},
            {"code": "always", "title": "A", "why": "W", "source": "S", "when": {"all": []}},
        ],
    }


def _question(data, key):
    for section in data["sections"]:
        for q in section["questions"]:
            if q["key"] == key:
                return q
    raise KeyError(key)


def _section(data, key):
    return next(s for s in data["sections"] if s["key"] == key)


def m_unknown_top_level(d):
    d["colour"] = "blue"


def m_duplicate_question_key(d):
    _section(d, "b")["questions"].append({"key": "flag", "type": "yes_no", "label": "Again"})


def m_duplicate_section_key(d):
    d["sections"].append({"key": "c", "title": "C2", "questions": [{"key": "z", "type": "text", "label": "Z"}]})


def m_section_named_like_the_summary_step(d):
    d["sections"].append({"key": "summary", "title": "S", "questions": [{"key": "z", "type": "text", "label": "Z"}]})


def m_unknown_question_type(d):
    _section(d, "a")["questions"].append({"key": "odd", "type": "yesno", "label": "Odd"})


def m_choice_without_label(d):
    _question(d, "kind")["choices"].append({"value": "z"})


def m_condition_names_missing_key(d):
    _section(d, "b")["shown_when"] = {"q": "ghost", "eq": "yes"}


def m_condition_names_missing_rule(d):
    d["obligations"][0]["when"] = {"rule": "ghost_rule"}


def m_shown_when_names_later_key(d):
    _section(d, "b")["shown_when"] = {"q": "why", "empty": False}


def m_shown_when_names_own_section_key(d):
    _section(d, "b")["shown_when"] = {"q": "mit", "eq": "yes"}


def m_shown_when_rule_on_later_key(d):
    d["rules"].append(
        {"id": "r_late", "effect": "high_risk", "title": "L", "source": "S", "when": {"q": "mit", "eq": "no"}}
    )
    _section(d, "b")["shown_when"] = {"rule": "r_late"}


def m_rule_names_later_rule(d):
    d["rules"][0]["when"] = {"rule": "r_stop"}


def m_precaution_risk(d):
    _question(d, "flag")["risk"] = {"yes": 3, "unknown": 1}


def m_precaution_mitigation(d):
    _section(d, "a")["questions"].append(
        {"key": "ynu_mit", "type": "yes_no_unknown", "label": "M", "mitigation": {"yes": 2, "unknown": 1}}
    )


def m_unknown_question_field(d):
    _question(d, "name")["colour"] = "red"


def m_points_for_missing_value(d):
    _question(d, "mit")["mitigation"] = {"maybe": 1}


def m_negative_points(d):
    _question(d, "size")["risk"] = {4: -1}


def m_choice_question_without_choices(d):
    del _question(d, "pick")["choices"]


def m_eq_on_multi(d):
    d["obligations"][1]["when"] = {"q": "kind", "eq": "gen"}


def m_bad_value_in_condition(d):
    d["rules"][0]["when"] = {"q": "flag", "eq": "maybe"}


def m_bad_operator(d):
    d["rules"][0]["when"] = {"q": "flag", "equals": "yes"}


def m_version_not_text(d):
    d["version"] = 2026.1


def m_risk_high_at_not_a_threshold(d):
    d["scoring"]["risk_high_at"] = 40


def m_duplicate_rule_id(d):
    d["rules"][1]["id"] = "r_flag"


def m_bad_effect(d):
    d["rules"][0]["effect"] = "warn"


def m_obligation_without_why(d):
    del d["obligations"][0]["why"]


def m_need_cap_without_when(d):
    del d["need_caps"][0]["when"]


def m_scored_when_on_risk_question(d):
    _question(d, "flag")["scored_when"] = {"q": "kind", "empty": False}


def m_max_length_on_choice(d):
    _question(d, "pick")["max_length"] = 10


MUTATIONS = [
    (m_unknown_top_level, "ukjent toppnøkkel «colour»"),
    (m_duplicate_question_key, "spørsmål «flag»: dobbel spørsmålsnøkkel"),
    (m_duplicate_section_key, "seksjon «c»: dobbel seksjonsnøkkel"),
    (m_section_named_like_the_summary_step, "seksjon «summary»: nøkkelen er reservert"),
    (m_unknown_question_type, "ukjent spørsmålstype 'yesno'"),
    (m_choice_without_label, "valget «z» mangler label"),
    (m_condition_names_missing_key, "ukjent spørsmål «ghost»"),
    (m_condition_names_missing_rule, "ukjent regel «ghost_rule»"),
    (
        m_shown_when_names_later_key,
        "«why» hører til seksjon «c»; shown_when kan bare bruke svar fra tidligere",
    ),
    (
        m_shown_when_names_own_section_key,
        "«mit» hører til seksjon «b»; shown_when kan bare bruke svar fra tidligere",
    ),
    (m_shown_when_rule_on_later_key, "regelen «r_late» bruker «mit»"),
    (m_rule_names_later_rule, "regelen «r_stop» er ikke definert før denne"),
    (m_precaution_risk, "risk.unknown (1) må være minst like høy"),
    (m_precaution_mitigation, "mitigation.unknown må være 0"),
    (m_unknown_question_field, "spørsmål «name»: ukjente felt colour"),
    (m_points_for_missing_value, "«maybe» er ikke en svarverdi"),
    (m_negative_points, "må være et tall ≥ 0"),
    (m_choice_question_without_choices, "choices må være en ikke-tom liste for choice"),
    (m_eq_on_multi, "eq passer ikke for flervalget «kind»"),
    (m_bad_value_in_condition, "'maybe' er ikke en svarverdi for «flag»"),
    (m_bad_operator, "ukjent operator equals"),
    (m_version_not_text, "version mangler eller er ikke en tekst"),
    (m_risk_high_at_not_a_threshold, "risk_high_at må være en av tersklene"),
    (m_duplicate_rule_id, "regel «r_flag»: dobbel regel-id"),
    (m_bad_effect, "effect må være en av stop, high_risk"),
    (m_obligation_without_why, "plikt «o1»: why mangler"),
    (m_need_cap_without_when, "behovstak «no_name»: when mangler"),
    (m_scored_when_on_risk_question, "scored_when kan bare brukes på spørsmål uten risk-poeng"),
    (m_max_length_on_choice, "max_length gjelder bare tekstspørsmål"),
]


def test_the_small_definition_is_valid():
    assert validate_definition(mini()) == []


@pytest.mark.parametrize(("mutate", "fragment"), MUTATIONS, ids=[m.__name__[2:] for m, _ in MUTATIONS])
def test_each_kind_of_error_is_reported(mutate, fragment):
    data = mini()
    mutate(data)
    with pytest.raises(DefinitionError) as excinfo:
        parse_definition(data)
    assert any(fragment in e for e in excinfo.value.errors), excinfo.value.errors


def test_every_error_is_reported_at_once():
    data = mini()
    # Mutations that replace the same condition would hide each other; apply the rest together.
    overlapping = {
        m_shown_when_names_own_section_key,
        m_condition_names_missing_key,
        m_shown_when_rule_on_later_key,
        m_bad_operator,
        m_rule_names_later_rule,
        m_duplicate_rule_id,
    }
    together = [m for m in MUTATIONS if m[0] not in overlapping]
    for mutate, _ in together:
        mutate(data)
    errors = validate_definition(data)
    missing = [fragment for _, fragment in together if not any(fragment in e for e in errors)]
    assert missing == [], "\n".join(errors)
    message = str(DefinitionError(errors))
    assert message.count("\n- ") == len(errors)


def test_a_definition_must_be_an_object():
    assert validate_definition(["not", "a", "mapping"]) == ["Definisjonen må være et objekt (mapping) på toppnivå"]


def test_yaml_booleans_are_read_as_yes_and_no():
    data = mini()
    _question(data, "flag")["risk"] = {True: 2, "unknown": 2}
    data["rules"][0]["when"] = {"q": "flag", "ne": False}
    parsed = parse_definition(data)
    assert _question(parsed, "flag")["risk"] == {"yes": 2, "unknown": 2}
    assert parsed["rules"][0]["when"] == {"q": "flag", "ne": "no"}


# --- visibility and required answers --------------------------------------------------------------------


def test_sections_are_shown_in_order_and_by_rules():
    d = mini()
    assert visible_section_keys(d, {}) == ["a"]
    assert visible_section_keys(d, {"kind": ["gen"]}) == ["a", "b"]
    assert visible_section_keys(d, {"flag": "unknown"}) == ["a", "c"]


def test_answers_of_hidden_sections_are_dropped():
    d = mini()
    assert visible_answers(d, {"kind": ["none"], "mit": "yes", "why": "x", "name": "n", "ghost": 1}) == {
        "kind": ["none"],
        "name": "n",
    }


def test_missing_required_follows_branching_and_required_when():
    d = mini()
    assert missing_required(d, {}) == ["name"]
    assert missing_required(d, {"name": "n", "kind": ["gen"], "flag": "yes"}) == ["pick", "why"]
    assert missing_required(d, {"name": "n", "kind": ["gen"], "flag": "no"}) == []
    assert missing_required(d, {"name": "   ", "kind": ["gen"], "flag": "no"}) == ["name"]


def test_fixture_requires_the_automation_basis_only_for_automated_decisions(defn):
    assert "fv_basis_auto" in missing_required(defn, {"decision_role": "automated_decision"})
    assert "fv_basis_auto" not in missing_required(defn, {"decision_role": "decision_support"})
    assert "fv_explain" in missing_required(defn, {"decision_role": "decision_support"})
    assert "fv_explain" not in missing_required(defn, {"decision_role": "none"})


def test_fixture_requires_ai_kind_as_a_non_empty_list(defn):
    assert "ai_kind" in missing_required(defn, {"ai_kind": []})
    assert "ai_kind" not in missing_required(defn, {"ai_kind": ["generative"]})


# --- answers -------------------------------------------------------------------------------------------


def test_valid_answers_are_cleaned():
    cleaned, errors, warnings = validate_answers(
        mini(), {"name": "  Navn  ", "kind": ["none"], "flag": "unknown", "size": 0, "why": "fordi"}
    )
    assert errors == {}
    assert warnings == []
    assert cleaned == {"kind": ["none"], "flag": "unknown", "size": 0, "name": "Navn", "why": "fordi"}


def test_blank_texts_and_nulls_count_as_unanswered():
    cleaned, errors, _ = validate_answers(mini(), {"name": "   ", "flag": None})
    assert cleaned == {}
    assert errors == {}


def test_multi_answers_are_deduplicated_in_choice_order(defn):
    cleaned, errors, _ = validate_answers(defn, {"ai_kind": ["generative", "integrated", "generative"]})
    assert errors == {}
    assert cleaned["ai_kind"] == ["integrated", "generative"]


def test_every_bad_answer_is_named(defn):
    answers = {
        "colour": "blue",  # unknown key
        "benefit": "3",  # wrong type
        "pd_scale": 5,  # outside the scale
        "tr_explain": -1,  # outside the scale
        "fv_severity": True,  # a boolean is not a number
        "mandate": "maybe",  # outside the list
        "citizen_facing": ["yes"],  # wrong type
        "ai_kind": ["generative", "quantum"],  # outside the list
        "hr_area": ["none", "education"],  # none combined with others
        "affected": "employees",  # multi needs a list
        "title": "x" * 201,  # over max_length 200
        "description": "y" * 5001,  # over the default 5000
        "goals": 42,  # text needs a string
        "role": True,  # wrong type
        "problem": "Et problem",  # fine
    }
    cleaned, errors, _ = validate_answers(defn, answers)
    assert set(errors) == set(answers) - {"problem"}
    assert cleaned == {"problem": "Et problem"}
    assert errors["colour"] == ("unknown_question", {"key": "colour"})
    assert errors["benefit"] == ("wrong_type", {"expected": "scale", "got": "text"})
    assert errors["pd_scale"] == ("scale_out_of_range", {"value": 5})
    assert errors["fv_severity"] == ("wrong_type", {"expected": "scale", "got": "boolean"})
    assert errors["mandate"].code == "invalid_value" and errors["mandate"].params["value"] == "maybe"
    assert errors["ai_kind"].code == "invalid_value" and errors["ai_kind"].params["value"] == "quantum"
    assert errors["hr_area"] == ("none_not_alone", {"value": "none"})
    assert errors["title"] == ("text_too_long", {"length": 201, "limit": 200})
    assert errors["description"] == ("text_too_long", {"length": 5001, "limit": 5000})


def test_a_text_at_the_limit_is_accepted(defn):
    cleaned, errors, _ = validate_answers(defn, {"title": "x" * 200, "description": " " + "y" * 5000 + " "})
    assert errors == {}
    assert len(cleaned["description"]) == 5000


def test_answers_to_hidden_questions_are_dropped_with_a_warning(defn):
    cleaned, errors, warnings = validate_answers(defn, {"pd_any": "no", "pd_special": "yes", "gen_pilot": "yes"})
    assert errors == {}
    assert cleaned == {"pd_any": "no"}
    assert len(warnings) == 2
    assert ("hidden_answer", {"key": "pd_special"}) in warnings
    assert ("hidden_answer", {"key": "gen_pilot"}) in warnings


def test_answers_must_be_an_object(defn):
    assert validate_answers(defn, ["yes"])[1] == {"answers": ("not_an_object", {})}


@pytest.mark.parametrize(
    ("data", "bad_keys"),
    [
        pytest.param({"answers": {}}, set(), id="minimal"),
        pytest.param({"questionnaire": "2026.1", "answers": {}, "meta": {"agency": "x"}}, set(), id="full"),
        pytest.param({}, {"answers"}, id="answers-missing"),
        pytest.param({"answers": []}, {"answers"}, id="answers-not-object"),
        pytest.param({"answers": {}, "questionnaire": 2026.1}, {"questionnaire"}, id="version-not-text"),
        pytest.param({"answers": {}, "meta": "x"}, {"meta"}, id="meta-not-object"),
        pytest.param({"answers": {}, "result": {}, "extra": 1}, {"result", "extra"}, id="unknown-top-level"),
        pytest.param([], {"fil"}, id="not-an-object"),
    ],
)
def test_answers_file_shape(data, bad_keys):
    assert set(validate_answers_file(data)) == bad_keys


def test_definitions_are_not_mutated_by_parsing():
    data = mini()
    before = copy.deepcopy(data)
    parse_definition(data)
    assert data == before


# --- a question's own shown_when (2026.3 on) ------------------------------------------------------------------


def with_question_shown_when(cond, key="name"):
    data = mini()
    _question(data, key)["shown_when"] = cond
    return data


def test_a_question_hidden_by_its_shown_when_counts_for_nothing():
    d = as_definition(with_question_shown_when({"q": "flag", "eq": "yes"}))
    assert visible_answers(d, {"flag": "no", "name": "x"}) == {"flag": "no"}
    assert "name" not in missing_required(d, {"flag": "no"})
    assert visible_answers(d, {"flag": "yes", "name": "x"}) == {"flag": "yes", "name": "x"}
    assert "name" in missing_required(d, {"flag": "yes"})
    _cleaned, errors, warnings = validate_answers(d, {"flag": "no", "name": "x"})
    assert errors == {} and [w.code for w in warnings] == ["hidden_answer"]


@pytest.mark.parametrize(
    ("cond", "key", "fragment"),
    [
        pytest.param({"q": "size", "gte": 3}, "flag", "kommer ikke før dette spørsmålet", id="later-question"),
        pytest.param({"q": "flag", "eq": "yes"}, "flag", "kommer ikke før dette spørsmålet", id="itself"),
        pytest.param({"rule": "r_flag"}, "name", "kan ikke bruke regler", id="rule"),
        pytest.param({"q": "kind", "has": "gen"}, "flag", "uten poeng", id="scored-question"),
        pytest.param({"q": "nope", "eq": "x"}, "name", "ukjent spørsmål «nope»", id="unknown-key"),
    ],
)
def test_a_questions_shown_when_names_only_earlier_questions(cond, key, fragment):
    errors = validate_definition(with_question_shown_when(cond, key))
    assert any(f"«{key}»" in e and fragment in e for e in errors), errors


def test_the_reserved_section_key_is_the_wizards_summary_step():
    assert SUMMARY in RESERVED_SECTION_KEYS


# --- an obligation done by a measure (`measure:`, 2026.7) ------------------------------------------------------


def test_an_obligation_names_the_measure_it_is_done_by():
    data = mini()
    data["obligations"][0]["measure"] = "mit"
    stored = parse_definition(data)
    assert stored["obligations"][0]["measure"] == "mit"
    obligations = {o.code: o for o in as_definition(json.loads(json.dumps(stored))).obligations}
    assert obligations["o1"].measure == "mit" and obligations["always"].measure is None


@pytest.mark.parametrize(
    ("measures", "fragment"),
    [
        ({"o1": "ghost"}, "plikt «o1»: measure nevner «ghost», men det finnes ikke noe spørsmål"),
        ({"o1": ["mit"]}, "plikt «o1»: measure nevner «['mit']»"),
        # A fact (risk points only) and a multi question are never what the what-if suggests.
        ({"o1": "flag"}, "plikt «o1»: measure «flag» er ikke et tiltak hva om-analysen kan foreslå"),
        ({"o1": "kind"}, "plikt «o1»: measure «kind» er ikke et tiltak hva om-analysen kan foreslå"),
        ({"o1": "mit", "always": "mit"}, "plikt «always»: measure «mit» er allerede tiltaket til plikten «o1»"),
    ],
    ids=["unknown", "not_a_key", "fact", "multi", "twice"],
)
def test_an_obligations_measure_must_be_one_measure_question_the_what_if_may_name(measures, fragment):
    data = mini()
    for obligation in data["obligations"]:
        if obligation["code"] in measures:
            obligation["measure"] = measures[obligation["code"]]
    errors = validate_definition(data)
    assert any(fragment in e for e in errors), errors


def test_with_the_monotonic_method_only_a_question_marked_as_a_measure_may_be_named():
    data = mini()
    data["scoring"] = {**data["scoring"], "method": "monotonic", "risk_scale": 10}
    _question(data, "mit")["measure"] = False
    data["obligations"][0]["measure"] = "mit"
    assert any("measure «mit» er ikke et tiltak" in e for e in validate_definition(data))
    _question(data, "mit")["measure"] = True
    assert validate_definition(data) == []
