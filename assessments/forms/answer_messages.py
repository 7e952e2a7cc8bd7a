"""Answer problems in the user's language: the engine reports codes (`engine.answers.AnswerError`), this
module words them with gettext (bokmål msgids, English in the catalogue).

Used by the wizard's forms, the import and `score_answers`, so a problem reads the same everywhere. A choice
is named by its label in the active language, never by its internal value.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy

from assessments.engine.answers import AnswerError
from assessments.engine.definition import Definition, Question
from assessments.presentation.display import language

TYPE_NAMES = {
    "yes_no": gettext_lazy("«yes» eller «no»"),
    "yes_no_unknown": gettext_lazy("«yes», «no» eller «unknown»"),
    "choice": gettext_lazy("én verdi (tekst)"),
    "multi": gettext_lazy("en liste med verdier"),
    "scale": gettext_lazy("et heltall fra 0 til 4"),
    "text": gettext_lazy("en tekst"),
}
JSON_TYPE_NAMES = {
    "boolean": "true/false",
    "number": gettext_lazy("et tall"),
    "text": gettext_lazy("en tekst"),
    "list": gettext_lazy("en liste"),
    "object": gettext_lazy("et objekt"),
}
MESSAGES = {
    "wrong_type": gettext_lazy("Feil type: forventet %(expected)s, fikk %(got)s."),
    "list_item_not_text": gettext_lazy("Feil type: listen må bare inneholde tekstverdier, fikk %(value)s."),
    "text_too_long": gettext_lazy("Teksten er for lang (%(length)s tegn, maks %(limit)s)."),
    "scale_out_of_range": gettext_lazy("Verdien %(value)s er utenfor skalaen; den må være et heltall fra 0 til 4."),
    "invalid_value": gettext_lazy("Ugyldig verdi «%(value)s». Gyldige verdier: %(valid)s."),
    "none_not_alone": gettext_lazy("«%(label)s» kan ikke kombineres med andre valg."),
    "too_few": gettext_lazy("Velg minst %(min_items)s."),
    "not_an_object": gettext_lazy("Svarene må være et objekt (nøkkel: svar)."),
    "unknown_question": gettext_lazy("Ukjent spørsmål «%(key)s»."),
    "hidden_answer": gettext_lazy(
        "Svaret på «%(key)s» er ignorert: spørsmålet vises ikke med de andre svarene i filen."
    ),
    "file_not_object": gettext_lazy("Filen må inneholde ett JSON-objekt."),
    "unknown_field": gettext_lazy("Ukjent toppnøkkel «%(key)s» (tillatt: %(allowed)s)."),
    "answers_missing": gettext_lazy("Mangler «answers»."),
    "answers_not_object": gettext_lazy("«answers» må være et objekt (nøkkel: svar)."),
    "version_not_text": gettext_lazy('«questionnaire» må være en versjon som tekst, f.eks. "2026.1".'),
    "meta_not_object": gettext_lazy("«meta» må være et objekt."),
}


def _active_lang() -> str:
    return language()


def _params(error: AnswerError, question: Question | None, lang: str) -> dict[str, Any]:
    params = dict(error.params)
    if error.code == "wrong_type":
        params["expected"] = TYPE_NAMES.get(params["expected"], params["expected"])
        params["got"] = JSON_TYPE_NAMES.get(params["got"], params["got"])
    elif error.code == "list_item_not_text":
        params["value"] = repr(params["value"])
    elif error.code in ("invalid_value", "unknown_field"):
        listed = params.get("valid", params.get("allowed", ()))
        params["valid" if error.code == "invalid_value" else "allowed"] = ", ".join(str(v) for v in listed)
    elif error.code == "none_not_alone":
        value = params["value"]
        params["label"] = question.choice_label(value, lang) if question is not None else value
    return params


def answer_error_text(error: AnswerError, question: Question | None = None, lang: str | None = None) -> str:
    """One problem as a sentence in `lang` (default: the active language); `question` names choices by label."""
    lang = lang or _active_lang()
    with translation.override(lang):
        return str(MESSAGES[error.code]) % _params(error, question, lang)


def answer_errors_text(defn: Definition | None, errors: Mapping[str, AnswerError]) -> dict[str, str]:
    """`{key: sentence}` for the errors of `validate_answers` or `validate_answers_file`."""
    questions = defn.questions if defn is not None else {}
    return {key: answer_error_text(error, questions.get(key)) for key, error in errors.items()}


def answer_warnings_text(warnings: Iterable[AnswerError]) -> list[str]:
    return [answer_error_text(warning) for warning in warnings]
