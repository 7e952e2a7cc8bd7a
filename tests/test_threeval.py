"""Three-valued conditions (`engine.threeval`): TRUE or FALSE only when every completion agrees."""

from assessments.engine.definition import Choice, Question
from assessments.engine.threeval import ABSENT, Domain, Tri, eval3, known, open_domain


def q(key, qtype, values=()):
    return Question(key=key, type=qtype, section="s", order=0, label=key, choices=tuple(Choice(v, v) for v in values))


YES_NO = q("a", "yes_no", ["yes", "no"])
AREAS = q("areas", "multi", ["none", "education", "employment"])
TEXT = q("text", "text")


def tri(condition, state, rules=None):
    return eval3(condition, state, rules or {})[0]


def test_a_known_answer_decides_and_an_open_one_does_not():
    assert tri({"q": "a", "eq": "yes"}, {"a": known("yes")}) is Tri.TRUE
    assert tri({"q": "a", "eq": "yes"}, {"a": known("no")}) is Tri.FALSE
    assert tri({"q": "a", "eq": "yes"}, {"a": open_domain(YES_NO)}) is Tri.UNKNOWN
    # An absent answer fires nothing, as in the full engine; `ne` included.
    assert tri({"q": "a", "ne": "yes"}, {}) is Tri.FALSE
    assert tri({"q": "a", "empty": True}, {"a": ABSENT}) is Tri.TRUE


def test_kleene_combinators_and_the_keys_that_decide():
    state = {"a": known("yes"), "b": open_domain(YES_NO)}
    either = {"any": [{"q": "a", "eq": "yes"}, {"q": "b", "eq": "yes"}]}
    assert eval3(either, state, {}) == (Tri.TRUE, frozenset({"a"}))
    both = {"all": [{"q": "a", "eq": "yes"}, {"q": "b", "eq": "yes"}]}
    assert eval3(both, state, {}) == (Tri.UNKNOWN, frozenset({"a", "b"}))
    assert tri({"not": both}, state) is Tri.UNKNOWN
    assert tri({"all": [{"q": "a", "eq": "no"}, {"q": "b", "eq": "yes"}]}, state) is Tri.FALSE
    assert tri({"rule": "r"}, state, {"r": (Tri.TRUE, frozenset())}) is Tri.TRUE
    assert tri({"rule": "missing"}, state) is Tri.FALSE


def test_selections_and_texts_are_reasoned_about_without_enumerating():
    areas = {"areas": open_domain(AREAS)}
    assert tri({"q": "areas", "has": "education"}, areas) is Tri.UNKNOWN
    assert tri({"q": "areas", "has": "police"}, areas) is Tri.FALSE
    assert tri({"q": "areas", "has_other_than": ["none"]}, {"areas": known(["none"])}) is Tri.FALSE
    assert tri({"q": "areas", "has_other_than": ["none"]}, areas) is Tri.UNKNOWN
    assert tri({"q": "text", "empty": False}, {"text": open_domain(TEXT)}) is Tri.UNKNOWN
    assert tri({"q": "text", "empty": False}, {"text": Domain(frozenset(), any_text=True)}) is Tri.TRUE


def test_a_comparison_of_two_answers_ranges_over_both():
    order = ["open", "internal", "confidential"]
    above = {"q": "planned", "above": {"q": "allowed", "order": order}}
    assert tri(above, {"planned": known("confidential"), "allowed": known("internal")}) is Tri.TRUE
    assert tri(above, {"planned": known("open"), "allowed": known("internal")}) is Tri.FALSE
    open_allowed = Domain(frozenset({None, *order}))
    verdict = eval3(above, {"planned": known("internal"), "allowed": open_allowed}, {})
    assert verdict == (Tri.UNKNOWN, frozenset({"planned", "allowed"}))
