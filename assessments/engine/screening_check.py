"""The publish-time check of a screening: `screening_problems` lists why a version's screening must be refused.

Run by the definition validator, so `publish_questionnaire`, the admin upload and every other path that parses a
definition refuse a version whose screening is broken. Besides the structure (`screening_spec`), a screening is
refused, with the rule named, when

- an example marked `opens: true` does not open the quick path: the message names every rule that the
  screening cannot rule out and the questions that decide it (typically a rule over a question the screening
  neither asks nor implies, so the quick path could never open);
- an example marked `opens: false` opens it;
- an answer's implications contradict each other in the full engine: one of the definition's own consistency
  checks holds on them, so the full engine would read one of the implied answers the worse way, and the rules
  that the worse reading can make fire are named (the implication claims something the full questionnaire
  itself calls contradictory).

The quick path itself cannot hide a rule from answers consistent with the carried answers: `partial` is sound
by construction, and the property tests (tests/test_screening_properties.py) check it against the full engine.
What "could hide a rule" means precisely is in docs/quick-path.md. Pure: no Django, no I/O.
"""

from typing import Any

from assessments.engine.definition import Definition
from assessments.engine.partial import evaluate_partial, initial_state
from assessments.engine.screening_eval import assess
from assessments.engine.screening_spec import Screening, parse_screening, screening_to_data
from assessments.engine.threeval import Tri, eval3


def _names(defn: Definition, rule_ids: list[str]) -> str:
    titles = {r.id: r.title for r in defn.rules}
    return ", ".join(f"«{r}» ({titles[r]})" if r in titles else f"«{r}»" for r in rule_ids)


def example_problems(defn: Definition, screening: Screening) -> list[str]:
    problems: list[str] = []
    for example in screening.examples:
        result = assess(defn, screening, example.answers)
        where = f"screening: eksempel «{example.name}»"
        if example.opens and not result.opens_quick_path:
            for finding in result.blocking:
                if finding.kind == "rule":
                    deciding = ", ".join(finding.keys) or "ingen svar"
                    unasked = f"; hurtigsjekken spør ikke om {', '.join(finding.unasked)}" if finding.unasked else ""
                    problems.append(
                        f"{where} skal åpne hurtigsporet, men hurtigsjekken kan ikke utelukke regelen "
                        f"{_names(defn, [finding.id])} (avgjøres av {deciding}{unasked})"
                    )
                else:
                    problems.append(f"{where} skal åpne hurtigsporet, men «{finding.id}» sender til hele skjemaet")
        elif not example.opens and result.opens_quick_path:
            problems.append(f"{where} skal ikke åpne hurtigsporet, men gjør det")
    return problems


def implication_problems(defn: Definition, screening: Screening) -> list[str]:
    """Answers whose implications the definition's own consistency checks call contradictory."""
    problems: list[str] = []
    for question in screening.questions:
        for choice in question.choices:
            carried = dict(choice.implies)
            if question.direct:
                carried[question.key] = choice.value
            if len(carried) < 2:
                continue
            state = initial_state(defn, carried)
            for check in defn.consistency:
                if eval3(check.when, state, {})[0] is not Tri.TRUE:
                    continue
                worse = evaluate_partial(defn, {**carried, **check.worse}).rules
                at_risk = [rule_id for rule_id, (tri, _) in worse.items() if tri is not Tri.FALSE]
                problems.append(
                    f"screening: svaret {choice.value!r} på «{question.key}» betyr svar som motsigelsen "
                    f"«{check.id}» sier ikke kan stemme sammen; den verste lesningen kan utløse "
                    f"{_names(defn, at_risk) or 'ingen regler'}"
                )
    return problems


def screening_problems(defn: Definition, raw: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """The JSON-ready screening to store with `defn`, or None and every problem found."""
    screening, errors = parse_screening(defn, raw)
    if screening is None:
        return None, errors
    errors = implication_problems(defn, screening) + example_problems(defn, screening)
    return (None, errors) if errors else (screening_to_data(screening), [])
