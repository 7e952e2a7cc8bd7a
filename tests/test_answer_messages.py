"""Answer problems worded in the user's language: every code the engine reports has a sentence in bokmål and
in English, and a choice is named by its label, never by its internal value."""

from dataclasses import replace

import pytest
from django.utils import translation

from assessments import services
from assessments.engine.answers import AnswerError, clean_value, validate_answers, validate_answers_file
from assessments.engine.loader import as_definition, load_definition
from assessments.forms.answer_messages import MESSAGES, answer_error_text, answer_errors_text
from tests.test_scoring import FIXTURE

DEFN = as_definition(load_definition(FIXTURE))
HR_AREA = DEFN.questions["hr_area"]

# One error of every code, as the engine reports them for real input.
ERRORS = {
    "wrong_type": clean_value(DEFN.questions["benefit"], "3")[1],
    "list_item_not_text": clean_value(HR_AREA, [1])[1],
    "text_too_long": clean_value(DEFN.questions["title"], "x" * 201)[1],
    "scale_out_of_range": clean_value(DEFN.questions["benefit"], 7)[1],
    "invalid_value": clean_value(DEFN.questions["mandate"], "maybe")[1],
    "none_not_alone": clean_value(HR_AREA, ["none", "education"])[1],
    "too_few": clean_value(replace(HR_AREA, min_items=3), ["education"])[1],
    "not_an_object": validate_answers(DEFN, [])[1]["answers"],
    "unknown_question": validate_answers(DEFN, {"colour": "blue"})[1]["colour"],
    "hidden_answer": validate_answers(DEFN, {"pd_any": "no", "pd_special": "yes"})[2][0],
    "file_not_object": validate_answers_file([])["fil"],
    "unknown_field": validate_answers_file({"answers": {}, "extra": 1})["extra"],
    "answers_missing": validate_answers_file({})["answers"],
    "answers_not_object": validate_answers_file({"answers": []})["answers"],
    "version_not_text": validate_answers_file({"answers": {}, "questionnaire": 1})["questionnaire"],
    "meta_not_object": validate_answers_file({"answers": {}, "meta": 1})["meta"],
}


def test_the_examples_cover_every_code():
    assert {error.code for error in ERRORS.values()} == set(ERRORS) == set(MESSAGES)


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_every_code_is_worded_in_both_languages(code):
    error = ERRORS[code]
    question = HR_AREA if code == "none_not_alone" else None
    with translation.override("nb"):
        norwegian = answer_error_text(error, question)
    with translation.override("en"):
        english = answer_error_text(error, question)
    assert norwegian and english and norwegian != english
    assert "%(" not in norwegian and "%(" not in english


def test_the_too_few_code_is_worded_with_its_number():
    assert ERRORS["too_few"] == AnswerError("too_few", {"min_items": 3})
    with translation.override("en"):
        assert answer_error_text(ERRORS["too_few"]) == "Choose at least 3."
    with translation.override("nb"):
        assert answer_error_text(ERRORS["too_few"]) == "Velg minst 3."


def test_none_combined_names_the_choice_label_of_the_language():
    error = ERRORS["none_not_alone"]
    assert error == ("none_not_alone", {"value": "none"})
    label_nb, label_en = HR_AREA.choice_label("none", "nb"), HR_AREA.choice_label("none", "en")
    assert label_nb != label_en
    assert answer_error_text(error, HR_AREA, "nb") == f"«{label_nb}» kan ikke kombineres med andre valg."
    assert answer_error_text(error, HR_AREA, "en") == f"“{label_en}” cannot be combined with other choices."


def test_a_wrong_type_names_both_types_in_the_language():
    error = ERRORS["wrong_type"]
    with translation.override("en"):
        assert answer_error_text(error) == "Wrong type: expected a whole number from 0 to 4, got a text."
    with translation.override("nb"):
        assert answer_error_text(error) == "Feil type: forventet et heltall fra 0 til 4, fikk en tekst."


def test_errors_are_worded_per_key_with_their_question():
    errors = validate_answers(DEFN, {"hr_area": ["none", "education"], "colour": "x"})[1]
    with translation.override("en"):
        worded = answer_errors_text(DEFN, errors)
    assert worded == {
        "hr_area": f"“{HR_AREA.choice_label('none', 'en')}” cannot be combined with other choices.",
        "colour": "Unknown question “colour”.",
    }


def test_the_import_words_a_refused_file_in_the_active_language(world, questionnaire):
    data = {"answers": {"title": "x", "hr_area": ["none", "education"]}}
    with translation.override("en"), pytest.raises(services.AnswersFileError) as caught:
        services.assessment_import(agency=world.agency_a, user=world.users["leader_a"], data=data)
    assert caught.value.errors == {
        "hr_area": f"“{HR_AREA.choice_label('none', 'en')}” cannot be combined with other choices."
    }
