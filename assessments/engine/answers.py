"""Answer checking: one answer (`clean_value`), a set of answers (`validate_answers`) and the top level of an
answers file (`validate_answers_file`).

Problems come back as `AnswerError(code, params)`, never as sentences: the engine does not know the
reader's language. The Django layer words each code (`assessments.forms.answer_messages`), naming choices by
their label in the user's language. The codes:

- `wrong_type` {expected: question type, got: json type}, `list_item_not_text` {value},
  `text_too_long` {length, limit}, `scale_out_of_range` {value}, `invalid_value` {value, valid},
  `none_not_alone` {value}, `too_few` {min_items}: one answer (`clean_value`);
- `not_an_object`, `unknown_question` {key}: a set of answers; the warning `hidden_answer` {key};
- `file_not_object`, `unknown_field` {key, allowed}, `answers_missing`, `answers_not_object`,
  `version_not_text`, `meta_not_object`: the top level of a file.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

from assessments.engine.definition import DEFAULT_TEXT_MAX_LENGTH, EXCLUSIVE_VALUE, SCALE_VALUES, Definition, Question
from assessments.engine.loader import as_definition
from assessments.engine.visibility import visibility

ANSWERS_FILE_FIELDS = ("questionnaire", "answers", "meta")


class AnswerError(NamedTuple):
    """A problem with an answer: a code and the values its message needs."""

    code: str
    params: Mapping[str, Any] = {}


def json_type(value: Any) -> str:
    """The JSON type of a value as the `got` of a `wrong_type` error."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _clean_multi(question: Question, value: Any, wrong_type: AnswerError) -> tuple[Any, AnswerError | None]:
    if not isinstance(value, list):
        return None, wrong_type
    bad = [v for v in value if not isinstance(v, str)]
    if bad:
        return None, AnswerError("list_item_not_text", {"value": bad[0]})
    unknown = [v for v in value if v not in question.values]
    if unknown:
        return None, AnswerError("invalid_value", {"value": unknown[0], "valid": list(question.values)})
    selected = [v for v in question.values if v in value]
    if EXCLUSIVE_VALUE in selected and len(selected) > 1:
        return None, AnswerError("none_not_alone", {"value": EXCLUSIVE_VALUE})
    if selected and len(selected) < question.min_items:
        return None, AnswerError("too_few", {"min_items": question.min_items})
    return selected, None


def clean_value(question: Question, value: Any) -> tuple[Any, AnswerError | None]:
    """Check and normalise one answer. Returns `(cleaned, None)` or `(None, AnswerError)`.

    A blank text cleans to None (not answered); multi values are de-duplicated into choice order.
    """
    qtype = question.type
    wrong_type = AnswerError("wrong_type", {"expected": qtype, "got": json_type(value)})
    if qtype == "text":
        if not isinstance(value, str):
            return None, wrong_type
        text = value.strip()
        limit = question.max_length or DEFAULT_TEXT_MAX_LENGTH
        if len(text) > limit:
            return None, AnswerError("text_too_long", {"length": len(text), "limit": limit})
        return (text or None), None
    if qtype == "scale":
        if not isinstance(value, int) or isinstance(value, bool):
            return None, wrong_type
        if value not in SCALE_VALUES:
            return None, AnswerError("scale_out_of_range", {"value": value})
        return value, None
    if qtype == "multi":
        return _clean_multi(question, value, wrong_type)
    if not isinstance(value, str):
        return None, wrong_type
    if value not in question.values:
        return None, AnswerError("invalid_value", {"value": value, "valid": list(question.values)})
    return value, None


def validate_answers(
    defn: Definition | Mapping[str, Any], answers: Any
) -> tuple[dict[str, Any], dict[str, AnswerError], list[AnswerError]]:
    """Check answers in the answers-file format.

    Returns `(cleaned, errors, warnings)`: `cleaned` holds the valid answers of shown questions in
    questionnaire order (texts trimmed; blank texts and nulls dropped as unanswered); `errors` maps each
    offending key to its `AnswerError` (unknown key, wrong type, value outside the list, text too long,
    `none` combined, scale outside 0..4): any error makes the file invalid. `warnings` (`hidden_answer`)
    name answers to questions that these answers hide; those are dropped. Missing answers are not errors.
    """
    d = as_definition(defn)
    if not isinstance(answers, Mapping):
        return {}, {"answers": AnswerError("not_an_object")}, []
    cleaned: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    for key, value in answers.items():
        question = d.questions.get(key) if isinstance(key, str) else None
        if question is None:
            errors[str(key)] = AnswerError("unknown_question", {"key": key})
            continue
        if value is None:
            continue
        value, error = clean_value(question, value)
        if error:
            errors[key] = error
        elif value is not None:
            cleaned[key] = value
    visible = visibility(d, cleaned)[1]
    warnings = [AnswerError("hidden_answer", {"key": key}) for key in cleaned if key not in visible]
    return visible, errors, warnings


def validate_answers_file(data: Any) -> dict[str, AnswerError]:
    """Problems with the top level of an answers file, keyed by top-level key (empty dict: fine).

    `answers` (object) is required; `questionnaire` (string) and `meta` (object) are optional; nothing else.
    """
    if not isinstance(data, Mapping):
        return {"fil": AnswerError("file_not_object")}
    errors: dict[str, AnswerError] = {}
    for key in data:
        if key not in ANSWERS_FILE_FIELDS:
            errors[str(key)] = AnswerError("unknown_field", {"key": key, "allowed": list(ANSWERS_FILE_FIELDS)})
    if "answers" not in data:
        errors["answers"] = AnswerError("answers_missing")
    elif not isinstance(data["answers"], Mapping):
        errors["answers"] = AnswerError("answers_not_object")
    if "questionnaire" in data and not (isinstance(data["questionnaire"], str) and data["questionnaire"].strip()):
        errors["questionnaire"] = AnswerError("version_not_text")
    if "meta" in data and not isinstance(data["meta"], Mapping):
        errors["meta"] = AnswerError("meta_not_object")
    return errors
