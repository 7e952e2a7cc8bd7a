"""presentation/display.py: dates written in the active language, remembered without carrying one
language's words into another."""

import datetime as dt

from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

from assessments.presentation.display import format_date, html_message

DAY = dt.date(2026, 3, 5)


def test_a_day_is_written_in_each_language_in_turn():
    with translation.override("nb"):
        norwegian = format_date(DAY)
    with translation.override("en"):
        english = format_date(DAY)
    with translation.override("nb"):
        again = format_date(DAY)
    assert "mars" in norwegian and "March" in english
    assert again == norwegian


def test_with_translation_off_the_month_is_not_remembered_as_bokmal():
    with translation.override(None):
        untranslated = format_date(DAY)
    with translation.override("nb"):
        norwegian = format_date(DAY)
    assert "mars" in norwegian
    assert "mars" not in untranslated


def test_nothing_is_written_for_no_day():
    assert format_date(None) == ""


def test_an_html_message_escapes_the_sentence_and_plain_values_but_keeps_a_built_link():
    link = format_html('<a href="{}">{}</a>', "/steg/intro/", "Om <tiltaket>")
    shown = html_message("«%(step)s» & %(labels)s", step=link, labels="<script>x</script>")
    assert shown == '«<a href="/steg/intro/">Om &lt;tiltaket&gt;</a>» &amp; &lt;script&gt;x&lt;/script&gt;'
    assert isinstance(shown, SafeString)
