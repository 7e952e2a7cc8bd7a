"""assessments/engine/whatif.py: which measures the what-if names, for answers a leader can give."""

from assessments.engine import validate_answers
from tests import advice_helpers as advice

V11 = advice.version("2026.11")


def scored(name: str, **changes):
    return advice.scored(advice.SCENARIOS / name, V11, advice.NOT_LISTED, **changes)


def changes_of(result) -> dict:
    return {change["key"]: change["to"] for change in result.what_if["changes"]}


def test_a_set_that_ends_a_stop_is_chosen_over_one_that_only_lowers_the_points():
    """Special categories without a basis stop the use: the basis, not a test of groups, is what helps."""
    result = scored("child_welfare_prioritisation.json", pd_dpia="done_acceptable")
    assert result.verdict == "stop" and result.what_if["possible"]
    proposed = changes_of(result)
    assert proposed.get("pd_basis") == "yes"
    after = scored("child_welfare_prioritisation.json", pd_dpia="done_acceptable", **proposed)
    assert after.verdict != "stop" and after.risk["level"] == result.what_if["level"]


def test_no_change_is_proposed_to_a_question_the_leader_is_not_shown():
    """A consistency check scores the worse reading of a contradiction (profiling without personal data): the
    personal-data step it reads is hidden for the answers as given, so its measures are not proposed."""
    name = "building_maintenance_forecast_continuous_learning.json"
    result = scored(name, hr_profiling="yes")
    assert result.risk["level"] != "low" and "pd_dpia" not in changes_of(result)
    given = advice.answers_of(advice.SCENARIOS / name, advice.NOT_LISTED, hr_profiling="yes")
    _answers, _errors, warnings = validate_answers(V11, {**given, "pd_dpia": "done_acceptable"})
    assert [w.code for w in warnings] == ["hidden_answer"]  # what the what-if proposed before
    for key, value in changes_of(result).items():
        _answers, errors, warnings = validate_answers(V11, {**given, key: value})
        assert not errors and not warnings, key


def test_a_documented_transfer_basis_is_proposed_where_its_rule_holds_the_risk_high():
    """pd_transfer_basis carries no points; «Ja» ends transfer_without_basis, so it is a measure to name."""
    result = scored("copilot_word_outlook.json", pd_transfer_basis="unknown")
    assert "transfer_without_basis" in [rule["id"] for rule in result.hard_rules]
    assert changes_of(result).get("pd_transfer_basis") == "yes"
    done = scored("copilot_word_outlook.json", **changes_of(result))
    assert "transfer_without_basis" not in [rule["id"] for rule in done.hard_rules]
    assert done.risk["level"] == result.what_if["level"]


def test_the_note_names_the_rule_the_change_ends_and_no_rule_when_none_ends():
    """A rule that ends lowers the level while the score may stay the same; the note says which rule that is, so
    "from «Betydelig» to «Moderat»" beside an unchanged score does not read as a contradiction."""
    result = scored("copilot_word_outlook.json", pd_transfer_basis="unknown")
    title = next(rule["title"] for rule in result.hard_rules if rule["id"] == "transfer_without_basis")
    ended = result.what_if["note"].split(" fordi ", 1)[1]
    assert f"«{title}»" in ended and "ikke lenger slår til" in ended
    assert " because the rule" in result.what_if["note_en"] and "no longer fire" in result.what_if["note_en"]
    points_only = scored("benefit_fraud_detection.json", bio_recognition="verification")
    assert points_only.what_if["possible"] and points_only.what_if["changes"]
    assert "går risikonivået fra «Svært høy» til «Betydelig»." in points_only.what_if["note"]
    assert "ikke lenger" not in points_only.what_if["note"] and "no longer" not in points_only.what_if["note_en"]
