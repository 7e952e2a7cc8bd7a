"""assessments/labels.py: the one table of words for coded values."""

import pytest
from django.utils import translation

from assessments import labels
from assessments.engine.scoring import LEVEL_LABELS, LEVEL_LABELS_EN


@pytest.mark.parametrize(("language", "engine_words"), [("nb", LEVEL_LABELS), ("en", LEVEL_LABELS_EN)])
def test_the_engines_level_words_are_the_labels(language, engine_words):
    """The what-if note the engine stores names levels in the words the pages use for them."""
    with translation.override(language):
        assert engine_words == {code: str(label) for code, label in labels.LEVELS.items()}


def test_an_unknown_code_never_shows_the_raw_code():
    with translation.override("nb"):
        assert labels.label(labels.VERDICTS, "no_such_verdict") == "(ukjent verdi)"
