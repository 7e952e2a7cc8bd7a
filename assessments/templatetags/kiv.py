"""Template filters for what a person reads: `when` / `day` (dates in the active language, one format
each), `ago` (how long ago, "just now" under a minute), `quoted` (a text in the active language's quotation
marks), `localized` (a definition text in the active language) and `label` (a coded value by its label); the
tags `nb` and `nb_unless_en` mark Norwegian content on pages in another language; `step_back_to_summary` links
a missing answer to its wizard step, whose "save and continue" then returns to the summary; `error_prefix`
starts the title of a page that shows an error."""

from datetime import datetime, timedelta

from django import template
from django.forms import BaseForm, BaseFormSet
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from assessments import labels
from assessments.presentation import display
from assessments.presentation.links import step_url

register = template.Library()


@register.filter
def when(value) -> str:
    return display.format_datetime(value)


@register.filter
def day(value) -> str:
    return display.format_date(value)


@register.filter
def ago(value) -> str:
    """How long ago `value` was, as "3 dager siden"; under a minute "akkurat nå", not "0 minutter siden"."""
    if value is None:
        return ""
    if not isinstance(value, datetime):  # a day: as `timesince` reads it, from its midnight
        value = datetime(value.year, value.month, value.day)
    now = timezone.now() if timezone.is_aware(value) else datetime.now()
    if now - value < timedelta(minutes=1):
        return _("akkurat nå")
    return _("%(age)s siden") % {"age": timesince(value, now)}


@register.filter
def quoted(text) -> str:
    """{{ label|quoted }}: «label» in bokmål, “label” in English."""
    return display.quoted(text)


@register.filter
def localized(obj, field: str) -> str:
    return display.localized(obj, field)


@register.filter
def label(code, kind: str) -> str:
    """`{{ version.verdict|label:"verdicts" }}`: the label of a code from one of the lists in labels.py."""
    return labels.label(getattr(labels, kind.upper()), code)


@register.simple_tag
def nb() -> str:
    """` lang="nb"` on an element holding Norwegian content (titles, typed answers, comments, agency names)
    when the page is in another language, so screen readers switch voice (WCAG 3.1.2)."""
    return "" if display.language() == "nb" else mark_safe(' lang="nb"')  # noqa: S308  # nosec B308, B703 - a constant attribute


@register.simple_tag
def nb_unless_en(obj, field: str) -> str:
    """{% nb_unless_en item "title" %}: ` lang="nb"` beside `{{ item|localized:"title" }}` when the page is in
    another language and what it shows is the bokmål text (English pages: when `title_en` is blank)."""
    return "" if display.english() and display.has_english(obj, field) else nb()


@register.simple_tag
def step_back_to_summary(assessment, step: str) -> str:
    return step_url(assessment, step, back_to_summary=True)


# Lists of errors that a view builds itself rather than leaving them on a form.
ERROR_LISTS = ("error_list", "submit_error", "file_errors")


@register.simple_tag(takes_context=True)
def error_prefix(context) -> str:
    """ "Feil: " before the title of a page that shows an error, so that a screen reader says so first (WCAG 3.3.1):
    any bound form or formset in the context that has errors, whatever the view named it, or a view's own list."""
    for name, value in context.flatten().items():
        if isinstance(value, BaseForm | BaseFormSet) and value.is_bound and not value.is_valid():
            return _("Feil:") + " "
        if name in ERROR_LISTS and value:
            return _("Feil:") + " "
    return ""
