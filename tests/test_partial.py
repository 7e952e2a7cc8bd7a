"""The full engine's steps on partly known answers (`engine.partial`), on 2026.2."""

from assessments.engine import as_definition, load_definition, score
from assessments.engine.partial import evaluate_partial
from assessments.engine.threeval import ABSENT, Tri
from tests.screening_helpers import FIXTURES

V2 = as_definition(load_definition(FIXTURES / "2026.2"))


def test_nothing_known_decides_no_rule_but_the_obligations_for_everyone():
    result = evaluate_partial(V2, {})
    assert all(tri is Tri.UNKNOWN for tri, _ in result.rules.values())
    assert result.obligations["ai_literacy_training"][0] is Tri.TRUE


def test_a_hidden_section_has_no_answers():
    # No personal data: the personal-data step is hidden, so its questions cannot fire the rule on them.
    result = evaluate_partial(V2, {"pd_any": "no", "bio_recognition": "none", "hr_profiling": "no"})
    assert result.rules["personal_data_without_basis"][0] is Tri.FALSE
    assert result.state.get("pd_basis", ABSENT).values == {None}


def test_a_contradiction_in_the_completion_is_read_the_worse_way():
    # "No personal data" alone does not rule out the rule on personal data in generative AI: a full answer that
    # the solution profiles people makes the engine read personal data in. A naive reading would miss it.
    known = {"pd_any": "no", "tool_source": "procured", "generates_content": "yes"}
    verdict = evaluate_partial(V2, known).rules["sensitive_input_managed_tool"]
    assert verdict[0] is Tri.UNKNOWN and {"hr_profiling", "pd_any"} <= verdict[1]
    completion = {**known, "hr_profiling": "yes", "gen_sensitive_input": "no"}
    assert "sensitive_input_managed_tool" in score(V2, completion).rule_ids
    assert "sensitive_input_managed_tool" not in score(V2, known).rule_ids
