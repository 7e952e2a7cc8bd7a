"""Catalogue facts as answers (`engine.catalogue`, `engine.catalogue_fields`) and the format's new attributes.

Picking a tool from the tool overview fills ordinary answers: `cat_choice`, the entry's reference and facts, and
the existing hosting, agreement and training questions. The definition names the entry field of each with
`catalogue_field`, and `catalogue_values` maps the entry's values to answer values (docs/catalogue.md).
"""

import copy
import json
from pathlib import Path

import pytest

from assessments.engine import as_definition, load_definition, missing_required, score, visible_answers
from assessments.engine.answer_sets import scenario_answers
from assessments.engine.catalogue import apply_choice, catalogue_answers, catalogue_questions, entry_ref, locked_keys
from assessments.engine.catalogue_fields import ENTRY_FIELDS
from assessments.engine.interpolate import fill
from assessments.engine.validate import validate_definition
from tests.test_questionnaire_definition import _question, mini

ROOT = Path(__file__).resolve().parents[1]
V3 = as_definition(load_definition(ROOT / "fixtures" / "questionnaire" / "2026.3"))
ENTRY = {
    "slug": "microsoft-365-copilot",
    "version": 3,
    "name": "Microsoft 365 Copilot",
    "status": "approved",
    "max_class": "internal",
    "personal_data_allowed": True,
    "special_categories_allowed": False,
    "hosting": "cloud_eea",
    "dpa": True,
    "vendor_trains_on_inputs": False,
    "enterprise_agreement": True,
}
FILLED = {
    "cat_choice": "listed",
    "cat_ref": "microsoft-365-copilot@3",
    "cat_name": "Microsoft 365 Copilot",
    "cat_status": "approved",
    "cat_max_class": "internal",
    "cat_personal_data": "yes",
    "cat_special_categories": "no",
    "pd_vendor_train": "no",
    "pd_dpa": "yes",
    "sec_hosting": "cloud_eea",
    "gen_enterprise_agreement": "yes",
    "int_dpa_covers": "yes",
}
CAT_KEYS = [
    "cat_choice",
    "cat_ref",
    "cat_name",
    "cat_status",
    "cat_max_class",
    "cat_personal_data",
    "cat_special_categories",
    "cat_deviation",
]


# --- the 2026.3 definition --------------------------------------------------------------------------------


def test_the_tool_overview_questions_are_in_step_1_with_their_sources():
    intro = [q.key for q in V3.sections[0].questions]
    assert V3.sections[0].key == "intro"
    assert [k for k in intro if k.startswith("cat_")] == CAT_KEYS
    for key in CAT_KEYS:
        question = V3.questions[key]
        assert question.source and question.source_en, key
        assert not question.risk and not question.mitigation and not question.need, key
    assert V3.questions["cat_choice"].required and V3.questions["cat_choice"].values == ("listed", "not_listed")
    assert V3.questions["cat_max_class"].values == V3.questions["sec_classification"].values
    assert V3.questions["cat_status"].values == ("approved", "under_assessment", "not_approved", "withdrawn")


def test_the_questions_filled_from_an_entry_name_known_fields():
    fields = {q.key: q.catalogue_field for q in catalogue_questions(V3)}
    assert fields == {
        "cat_ref": "ref",
        "cat_name": "name",
        "cat_status": "status",
        "cat_max_class": "max_class",
        "cat_personal_data": "personal_data_allowed",
        "cat_special_categories": "special_categories_allowed",
        "pd_vendor_train": "vendor_trains_on_inputs",
        "pd_dpa": "dpa",
        "sec_hosting": "hosting",
        "gen_enterprise_agreement": "enterprise_agreement",
        "int_dpa_covers": "dpa",
    }
    assert set(fields.values()) <= set(ENTRY_FIELDS)


def test_the_stored_form_keeps_the_mapping_through_json():
    stored = json.loads(json.dumps(V3.data))
    again = as_definition(stored)
    assert dict(again.questions["pd_dpa"].catalogue_values) == {"true": "yes", "false": "no"}
    assert again.questions["sec_hosting"].catalogue_field == "hosting"


# --- filling answers from an entry ------------------------------------------------------------------------


def test_an_entry_fills_ordinary_answers():
    answers, problems = catalogue_answers(V3, ENTRY)
    assert problems == {}
    assert answers == FILLED


def test_the_reference_is_slug_at_version_unless_the_entry_gives_it():
    assert entry_ref({"slug": "x", "version": 2}) == "x@2"
    assert entry_ref({"ref": "y@7", "slug": "x", "version": 2}) == "y@7"
    assert entry_ref({"slug": "x"}) is None


def test_an_entry_that_is_silent_fills_nothing_and_a_bad_value_is_named():
    answers, problems = catalogue_answers(V3, {**ENTRY, "hosting": None, "status": "retired", "dpa": "maybe"})
    assert "sec_hosting" not in answers and "cat_status" not in answers and "pd_dpa" not in answers
    assert set(problems) == {"cat_status", "pd_dpa", "int_dpa_covers"}
    assert "status" in problems["cat_status"]


def test_a_long_name_is_refused_rather_than_cut():
    _answers, problems = catalogue_answers(V3, {**ENTRY, "name": "x" * 201})
    assert "cat_name" in problems


def test_picking_another_entry_or_none_leaves_no_stale_facts():
    base = {"title": "T", "sec_hosting": "outside_eea"}
    listed = apply_choice(V3, {**base, "cat_deviation": "Egen avtale"}, ENTRY)
    assert {k: listed[k] for k in FILLED} == FILLED
    assert listed["title"] == "T" and listed["cat_deviation"] == "Egen avtale"
    other = apply_choice(V3, listed, {"slug": "other", "version": 1, "name": "Other", "status": "approved"})
    assert other["cat_ref"] == "other@1" and "sec_hosting" not in other and "cat_max_class" not in other
    assert "cat_deviation" not in other
    gone = apply_choice(V3, listed, None)
    assert gone == {"title": "T", "cat_choice": "not_listed"}


def test_not_listed_keeps_the_leaders_own_answers():
    own = {"title": "T", "sec_hosting": "outside_eea", "pd_dpa": "no", "cat_choice": "not_listed"}
    assert apply_choice(V3, own, None) == own


def test_the_facts_are_locked_only_while_a_listed_tool_is_chosen():
    assert locked_keys(V3, FILLED) == {q.key for q in catalogue_questions(V3)}
    assert locked_keys(V3, {**FILLED, "cat_choice": "not_listed"}) == set()
    assert "cat_deviation" not in locked_keys(V3, FILLED) and "cat_choice" not in locked_keys(V3, FILLED)


def test_a_leader_who_picks_an_approved_tool_answers_fewer_questions():
    own = {k: v for k, v in scenario_answers("copilot_word_outlook").items() if k not in FILLED}
    not_listed = missing_required(V3, apply_choice(V3, own, None))
    listed = missing_required(V3, apply_choice(V3, own, ENTRY))
    assert listed == []
    assert set(not_listed) == {"pd_vendor_train", "pd_dpa", "sec_hosting", "gen_enterprise_agreement", "int_dpa_covers"}


def test_the_what_if_never_suggests_changing_a_fact_from_the_overview():
    # Without a tool from the overview, the what-if for this use names the data processing agreement.
    own = {**scenario_answers("mail_sorting_hosting_unknown"), "cat_choice": "not_listed"}
    own.update({key: "no" for key in ("pd_dpa", "int_dpa_covers", "gen_enterprise_agreement") if key in own})
    assert "pd_dpa" in {change["key"] for change in score(V3, own).what_if["changes"]}
    listed = apply_choice(V3, own, {**ENTRY, "dpa": False, "hosting": own["sec_hosting"]})
    listed["cat_max_class"] = "classified"
    result = score(V3, listed)
    assert listed["pd_dpa"] == "no" and result.what_if["changes"]
    assert not {change["key"] for change in result.what_if["changes"]} & locked_keys(V3, listed)


# --- the format: catalogue_field and catalogue_values -----------------------------------------------------


def with_question_fields(**fields):
    data = mini()
    _question(data, "flag").update(fields)
    return data


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        pytest.param({"catalogue_field": "colour"}, "er ikke et felt i verktøyoversikten", id="unknown-field"),
        pytest.param({"catalogue_field": 3}, "er ikke et felt i verktøyoversikten", id="not-a-name"),
        pytest.param({"catalogue_values": {True: "yes"}}, "catalogue_values krever catalogue_field", id="no-field"),
        pytest.param({"catalogue_field": "dpa"}, "catalogue_values mangler", id="bool-without-values"),
        pytest.param({"catalogue_field": "name"}, "passer bare tekstspørsmål", id="text-field-on-choice"),
        pytest.param(
            {"catalogue_field": "dpa", "catalogue_values": {True: "yes"}}, "mangler false", id="value-not-mapped"
        ),
        pytest.param(
            {"catalogue_field": "dpa", "catalogue_values": {True: "maybe", False: "no"}},
            "'maybe' er ikke en svarverdi",
            id="not-an-answer",
        ),
        pytest.param(
            {"catalogue_field": "dpa", "catalogue_values": {"often": "yes", False: "no"}},
            "«often» er ikke en verdi av «dpa»",
            id="not-an-entry-value",
        ),
        pytest.param({"catalogue_field": "status"}, "er ikke svarverdier; bruk catalogue_values", id="values-differ"),
    ],
)
def test_the_validator_refuses_a_bad_mapping_with_a_clear_message(fields, fragment):
    errors = validate_definition(with_question_fields(**fields))
    assert any("«flag»" in e and fragment in e for e in errors), errors


def test_the_validator_accepts_a_good_mapping():
    data = with_question_fields(catalogue_field="dpa", catalogue_values={True: "yes", False: "unknown"})
    assert validate_definition(data) == []
    _question(data, "name")["catalogue_field"] = "name"
    assert validate_definition(data) == []


def test_a_text_field_takes_no_values_and_a_choice_field_needs_no_values_when_they_agree():
    data = mini()
    _question(data, "name").update(catalogue_field="name", catalogue_values={"a": "b"})
    assert any("catalogue_values gjelder ikke tekstfeltet" in e for e in validate_definition(data))
    data = copy.deepcopy(mini())
    _question(data, "pick").update(
        choices=[{"value": v, "label": v} for v in ("open", "internal", "confidential", "classified")],
        catalogue_field="max_class",
        need={},
    )
    assert validate_definition(data) == []


# --- answers in rule texts --------------------------------------------------------------------------------


def test_a_rule_title_may_only_name_questions():
    data = mini()
    data["rules"][0]["title"] = "Flagget {flag} for {nothing}"
    errors = validate_definition(data)
    assert errors == ["regel «r_flag»: title nevner {nothing}, men det finnes ikke noe spørsmål «nothing»"]


def test_filling_uses_labels_in_the_language_and_expands_once():
    answers = {"cat_name": "Verktøy {sec_classification}", "sec_classification": "confidential"}
    title = "{cat_name}: «{sec_classification}» {cat_max_class}"
    assert fill(title, V3, answers) == (
        "Verktøy {sec_classification}: «Taushetsbelagt eller unntatt offentlighet» (ikke oppgitt)"
    )
    assert fill(title, V3, answers, "en").endswith("«Confidential or exempt from public access» (not given)")
    assert fill("{unknown_key} and {}", V3, answers) == "{unknown_key} and {}"


def test_a_long_or_multiline_text_answer_is_shortened_to_one_line():
    text = fill("{cat_name}", V3, {"cat_name": "a\nb " + "x" * 300})
    assert "\n" not in text and len(text) == 120 and text.endswith("…")


# --- the `above` operator against the questions it compares -----------------------------------------------

CLASSES = [{"value": v, "label": v} for v in ("open", "internal", "confidential", "classified")]


def with_classes():
    data = mini()
    data["sections"][0]["questions"] += [
        {"key": "planned", "type": "choice", "label": "P", "choices": CLASSES},
        {"key": "approved", "type": "choice", "label": "A", "choices": CLASSES},
    ]
    return data


def above_rule(data, operand):
    data["rules"].append({"id": "r_above", "effect": "stop", "title": "T", "source": "S", "when": operand})
    return validate_definition(data)


def test_the_validator_accepts_above_over_two_choices_with_the_full_order():
    order = ["open", "internal", "confidential", "classified"]
    assert above_rule(with_classes(), {"q": "planned", "above": {"q": "approved", "order": order}}) == []


@pytest.mark.parametrize(
    ("operand", "fragment"),
    [
        pytest.param({"q": "nope", "order": ["open", "internal"]}, "ukjent spørsmål «nope»", id="unknown-question"),
        pytest.param(
            {"q": "approved", "order": ["open", "internal"]}, "mangler: ['classified', 'confidential']", id="partial"
        ),
        pytest.param(
            {"q": "approved", "order": ["open", "internal", "confidential", "classified", "x"]},
            "ukjente: ['x']",
            id="extra-value",
        ),
        pytest.param({"q": "kind", "order": ["gen", "none"]}, "«kind» er multi", id="multi"),
    ],
)
def test_the_validator_refuses_a_bad_above(operand, fragment):
    errors = above_rule(with_classes(), {"q": "planned", "above": operand})
    assert any(fragment in e for e in errors), errors


def test_the_entry_facts_are_shown_only_for_a_listed_tool():
    stale = {**FILLED, "cat_choice": "not_listed", "cat_deviation": "Gammel begrunnelse"}
    kept = visible_answers(V3, stale)
    assert not [key for key in kept if key.startswith("cat_") and key != "cat_choice"]
    assert kept["sec_hosting"] == "cloud_eea"  # an ordinary question: the leader's answer now
    assert not [key for key in missing_required(V3, {"cat_choice": "not_listed"}) if key.startswith("cat_")]
    listed_missing = missing_required(V3, {"cat_choice": "listed"})
    assert {"cat_ref", "cat_name", "cat_status", "cat_max_class"} <= set(listed_missing)
    assert "cat_deviation" not in listed_missing
