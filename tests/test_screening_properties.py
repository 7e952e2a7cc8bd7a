"""Properties of the quick path over whole definitions: 2026.2 (with the test screening) and every later version
that ships a screening. They are the proof the quick path rests on (docs/quick-path.md):

- soundness: for any screening answers and any completion of the full questionnaire that agrees with the answers
  they carry over, every hard rule the full engine fires was listed as blocking (so a screening that opened the
  quick path fires none), and every obligation it finds was listed as certain or possible;
- `unsure`: a question whose answer can close the quick path closes it when answered `unsure`;
- a version without a screening has no quick path at all.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.engine import as_definition, load_definition, score
from assessments.engine.screening import UNSURE, evaluate_screening, has_quick_path, screening_for
from tests.screening_helpers import FIXTURES, screened_definitions

DEFINITIONS = screened_definitions()
IDS = [
    f"{d.version}{'' if (FIXTURES / d.version / 'screening.yaml').exists() else '+test-screening'}" for d in DEFINITIONS
]
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def value_strategy(question):
    if question.type == "text":
        return st.just("Tekst")
    if question.type == "multi":
        return st.lists(st.sampled_from([v for v in question.values if v != "none"]), min_size=1, unique=True)
    return st.sampled_from(question.values)


def random_value(question, rng):
    """A valid answer to `question`, or None (left out) about one time in five."""
    if rng.random() < 0.2:
        return None
    if question.type == "text":
        return "Tekst"
    if question.type == "multi":
        others = [v for v in question.values if v != "none"]
        if "none" in question.values and rng.random() < 0.3:
            return ["none"]
        return [v for v in others if rng.random() < 0.3] or None
    return rng.choice(question.values)


@st.composite
def screening_answers(draw, definition):
    """Answers near one of the screening's examples (most random answers close the quick path at once): up to
    four screening questions answered otherwise, and up to two `given` answers changed or left out."""
    screening = screening_for(definition)
    answers = dict(draw(st.sampled_from(screening.examples)).answers)
    for question in draw(st.lists(st.sampled_from(screening.questions), max_size=4, unique_by=lambda q: q.key)):
        answers[question.key] = draw(st.sampled_from(question.values))
    if screening.given:
        for key in draw(st.lists(st.sampled_from(screening.given), max_size=2, unique=True)):
            question = definition.questions[key]
            answers[key] = draw(st.one_of(st.none(), value_strategy(question)))
    return {key: value for key, value in answers.items() if value is not None}


@st.composite
def completions(draw, definition, carried):
    """Full answers that agree with `carried`; every other question answered at random or left out.

    Drawn from one seeded `Random` rather than key by key: drawing a hundred optional keys through Hypothesis
    costs more than the scoring it feeds.
    """
    rng = draw(st.randoms(use_true_random=False))
    free = {k: random_value(q, rng) for k, q in definition.questions.items() if k not in carried}
    return {**{k: v for k, v in free.items() if v is not None}, **carried}


@pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)
@PROPERTY
@given(data=st.data())
def test_the_full_engine_never_finds_more_than_the_screening_listed(definition, data):
    answers = data.draw(screening_answers(definition))
    result = evaluate_screening(definition, answers)
    full = score(definition, data.draw(completions(definition, result.carried_answers)))
    blocking = {f.id for f in result.blocking if f.kind == "rule"}
    assert set(full.rule_ids) <= blocking
    if result.opens_quick_path:
        assert not full.hard_rules
    listed = {f.id for f in result.obligations_certain + result.obligations_possible}
    assert set(full.obligation_codes) <= listed
    certain = {f.id for f in result.obligations_certain}
    assert certain <= set(full.obligation_codes)


@pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_unsure_on_a_question_that_matters_never_opens_the_quick_path(definition, data):
    answers = data.draw(screening_answers(definition))
    question = data.draw(st.sampled_from(screening_for(definition).questions))
    closes = [
        v for v in question.values if not evaluate_screening(definition, {**answers, question.key: v}).opens_quick_path
    ]
    if closes:
        assert not evaluate_screening(definition, {**answers, question.key: UNSURE}).opens_quick_path
        assert not evaluate_screening(
            definition, {k: v for k, v in answers.items() if k != question.key}
        ).opens_quick_path


@pytest.mark.parametrize("definition", DEFINITIONS, ids=IDS)
def test_every_example_behaves_as_declared(definition):
    for example in screening_for(definition).examples:
        assert evaluate_screening(definition, example.answers).opens_quick_path is example.opens, example.name


@pytest.mark.parametrize("folder", sorted(p.name for p in FIXTURES.iterdir() if not (p / "screening.yaml").exists()))
def test_a_version_without_a_screening_has_no_quick_path(folder):
    assert not has_quick_path(as_definition(load_definition(FIXTURES / folder)))
