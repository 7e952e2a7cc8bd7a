"""Hypothesis strategies for answers, shared by the property tests of the scoring and the rules."""

from hypothesis import strategies as st


def any_value(question, texts) -> st.SearchStrategy:
    """Any valid answer to `question` (an engine Question); free text drawn from `texts`."""
    if question.type == "text":
        return st.sampled_from(texts)
    if question.type == "scale":
        return st.integers(0, 4)
    if question.type == "multi":
        others = [v for v in question.values if v != "none"]
        lists = st.lists(st.sampled_from(others), unique=True)
        return st.one_of(lists, st.just(["none"])) if "none" in question.values else lists
    return st.sampled_from(question.values)
