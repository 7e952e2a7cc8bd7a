"""English explanations in a result: obligations' `why_en`, rules' `explanation_en` and the what-if
`note_en`, built from the definition's English texts, and `result_view.present` choosing them in the
English UI. Results stored before these fields existed still render (in bokmål). No database."""

import pytest
from django.utils import translation

from assessments.engine.loader import as_definition
from assessments.engine.scoring import score, summary_json
from assessments.presentation.result_view import present
from tests.test_scoring import DEFN, PROHIBITED, SCENARIOS, answers


def yes_no(key, label, label_en="", **points):
    question = {"key": key, "type": "yes_no", "label": label, **points}
    if label_en:
        question["label_en"] = label_en
    return question


# 11 of 20 risk points = 55 (significant); setting m1 to yes applies mitigation: 46.8 (moderate, low axis).
SMALL = as_definition(
    {
        "version": "e.1",
        "title": "E",
        "sections": [
            {
                "key": "s",
                "title": "Seksjon",
                "title_en": "Section",
                "questions": [
                    yes_no("r1", "Risiko én", "Risk one", risk={"yes": 11}),
                    yes_no("r2", "Risiko to", "Risk two", risk={"yes": 9}),
                    yes_no("m1", "Varsler dere brukerne?", "Do you tell the users?", mitigation={"yes": 4}),
                    yes_no("m2", "Har dere en eier?", mitigation={"yes": 1}),  # no label_en
                    yes_no("n1", "Behov", "Need", need={"yes": 5}),
                ],
            }
        ],
        "rules": [
            {
                "id": "watch",
                "effect": "high_risk",
                "title": "Overvåking",
                "title_en": "Monitoring",
                "explanation": "Regelen finnes fordi overvåking er inngripende.",
                "explanation_en": "The rule exists because monitoring is intrusive.",
                "source": "Kilde",
                "when": {"q": "r2", "eq": "yes"},
            }
        ],
        "obligations": [
            {
                "code": "tell",
                "title": "Fortell brukerne",
                "title_en": "Tell the users",
                "why": "Brukerne skal vite det.",
                "why_en": "Users must know.",
                "source": "Kilde",
                "when": {"q": "m1", "eq": "no"},
            },
            {
                "code": "review",
                "title": "Gjennomgang",
                "why": "Må gjennomgås.",  # no why_en: the bokmål text, with the reason in English
                "source": "Kilde",
                "when": {"rule": "watch"},
            },
        ],
    }
)


def rendered(result, language):
    with translation.override(language):
        return present(SMALL, result)


def test_english_why_and_note_come_from_the_english_texts():
    result = score(SMALL, {"r1": "yes", "r2": "no", "m1": "no"}).to_dict()
    english = rendered(result, "en")
    assert [o["why"] for o in english["obligations"]] == [
        "Users must know. Applies here because the answer “Do you tell the users?”: No."
    ]
    assert english["obligations"][0]["title"] == "Tell the users"
    assert english["what_if"]["note"] == (
        "With this change the risk level goes from “Significant” to “Moderate”, and the risk becomes low in the matrix."
    )
    assert english["what_if"]["changes"] == [
        {"key": "m1", "label": "Do you tell the users?", "from": "No", "to": "Yes"}
    ]

    norwegian = rendered(result, "nb")
    assert [o["why"] for o in norwegian["obligations"]] == [
        "Brukerne skal vite det. Gjelder her fordi svaret «Varsler dere brukerne?»: Nei."
    ]
    assert norwegian["what_if"]["note"].startswith("Med denne endringen går risikonivået fra «Betydelig»")
    assert norwegian["what_if"]["changes"] == [
        {"key": "m1", "label": "Varsler dere brukerne?", "from": "Nei", "to": "Ja"}
    ]


def test_english_rule_texts_and_a_note_naming_the_rule_that_holds():
    result = score(SMALL, {"r1": "yes", "r2": "yes", "m1": "yes", "m2": "no"}).to_dict()
    english = rendered(result, "en")
    assert [r["explanation"] for r in english["hard_rules"]] == ["The rule exists because monitoring is intrusive."]
    assert [o["why"] for o in english["obligations"]] == [
        "Må gjennomgås. Applies here because the rule “Monitoring” fired."
    ]
    assert english["what_if"]["note"] == (
        # English quotation marks, and the rule by its title only: no internal id such as "(watch)".
        "No safeguard lowers the risk level: the rule “Monitoring” holds the risk high whatever safeguards are in "
        "place. The risk can only go down once what triggers the rule has been changed or cleared up."
    )
    norwegian = rendered(result, "nb")
    assert norwegian["hard_rules"][0]["explanation"] == "Regelen finnes fordi overvåking er inngripende."
    assert norwegian["what_if"]["note"].startswith("Ingen tiltak senker risikonivået: Regelen «Overvåking» holder")
    # A stop such as a missing legal basis ends once the basis is documented, not only by changing the use.
    assert norwegian["what_if"]["note"].endswith("når det som utløser regelen, er endret eller avklart.")


def test_a_result_stored_without_the_english_fields_still_renders():
    result = score(SMALL, {"r1": "yes", "r2": "yes", "m1": "no"}).to_dict()
    old = {**result, "what_if": {k: v for k, v in result["what_if"].items() if k != "note_en"}}
    old["obligations"] = [{k: v for k, v in o.items() if k != "why_en"} for o in result["obligations"]]
    old["hard_rules"] = [{k: v for k, v in r.items() if k != "explanation_en"} for r in result["hard_rules"]]
    # Results stored before the engine dropped rule ids from its notes name the rule with its id.
    assert "«Overvåking»" in result["what_if"]["note"] and "(watch)" not in result["what_if"]["note"]
    old["what_if"]["note"] = result["what_if"]["note"].replace("«Overvåking»", "«Overvåking» (watch)")
    english = rendered(old, "en")
    assert [o["why"] for o in english["obligations"]] == [o["why"] for o in result["obligations"]]
    # The stored bokmål note, with the rule named by its title only (no internal id).
    assert english["what_if"]["note"] == result["what_if"]["note"]
    assert english["hard_rules"][0]["explanation"] == "Regelen finnes fordi overvåking er inngripende."
    assert english["hard_rules"][0]["title"] == "Monitoring"  # title_en was stored from the start


def test_an_old_what_if_change_without_values_keeps_its_stored_labels():
    result = score(SMALL, {"r1": "yes", "r2": "no", "m1": "no"}).to_dict()
    change = {k: v for k, v in result["what_if"]["changes"][0].items() if k not in ("from", "to")}
    old = {**result, "what_if": {**result["what_if"], "changes": [change]}}
    assert rendered(old, "en")["what_if"]["changes"] == [
        {"key": "m1", "label": "Do you tell the users?", "from": "Nei", "to": "Ja"}
    ]


def test_summary_json_leaves_the_english_note_out():
    result = score(SMALL, {"r1": "yes", "r2": "no", "m1": "no"})
    assert "note_en" in result.what_if
    assert set(summary_json(result)["what_if"]) == {"possible", "changes", "score", "level", "axis", "note"}


@pytest.mark.parametrize("overrides", [p.values[0] for p in SCENARIOS], ids=[p.id for p in SCENARIOS])
def test_the_fixture_explains_every_scenario_in_english(overrides):
    result = score(DEFN, answers(**overrides))
    rules = {r.id: r for r in DEFN.rules}
    for item in result.obligations:
        assert item["why_en"] and "Gjelder" not in item["why_en"]
        why = item["why_en"]
        assert why.endswith((" fired.", "Applies to every AI initiative.")) or " the answer" in why
        for rule_id in item["rules"]:
            assert f"«{rules[rule_id].title_en}»" in item["why_en"]
    note = result.what_if["note_en"]
    assert note and "risikonivå" not in note and "Regelen" not in note
    for rule_id in result.rule_ids:
        if rule_id in note:
            assert rules[rule_id].title_en in note


def test_the_mitigation_note_states_the_versions_own_share_and_cut():
    """SMALL uses the default scoring (80 % of the mitigation points, 15 % off); another version's numbers show."""
    result = score(SMALL, {"r1": "yes", "r2": "no", "m1": "yes", "m2": "yes", "n1": "yes"}).to_dict()
    assert result["risk"]["mitigation"]["applied"]
    assert rendered(result, "en")["risk"]["mitigation_note"] == (
        "The measures in place cover at least 80 per cent of what is possible, so the risk points are reduced by "
        "15 per cent."
    )
    stricter = as_definition({**SMALL.data, "scoring": {**SMALL.data.get("scoring", {}), "mitigation_factor": 0.7}})
    with translation.override("nb"):
        assert "redusert med 30 prosent" in present(stricter, result)["risk"]["mitigation_note"]
    unmitigated = score(SMALL, {"r1": "yes", "r2": "no", "m1": "no", "m2": "no", "n1": "yes"}).to_dict()
    assert rendered(unmitigated, "nb")["risk"]["mitigation_note"] == ""


def test_a_stopped_result_says_its_field_in_the_matrix_is_not_the_conclusion():
    result = score(DEFN, answers(**{PROHIBITED[0]: "yes"})).to_dict()
    assert result["verdict"] == "stop"
    with translation.override("nb"):
        shown = present(DEFN, result)
    assert "stopper tiltaket, så konklusjonen er «Stopp»" in shown["position"]
    with translation.override("nb"):
        assert "stopper tiltaket" not in present(DEFN, score(DEFN, answers()).to_dict())["position"]


def test_a_provisional_stop_is_not_called_the_conclusion_and_the_figure_says_what_the_caption_says():
    provisional = score(DEFN, answers(**{PROHIBITED[0]: "yes"})).to_dict()
    provisional["complete"] = False  # as with a required answer missing
    with translation.override("nb"):
        assert "stopper tiltaket" not in present(DEFN, provisional)["position"]
        complete = present(DEFN, score(DEFN, answers(**{PROHIBITED[0]: "yes"})).to_dict())
    assert "stopper tiltaket" in complete["svg"]  # the figure's description, read by screen readers
