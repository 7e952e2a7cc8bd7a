"""The template tags of templatetags/kiv.py that pages share: here the "Feil:" that starts the title of a page
showing an error, whatever the view named its form."""

from datetime import datetime, timedelta

from django import forms
from django.template import Context, Template
from django.utils import timezone, translation

from assessments.templatetags.kiv import ago

TITLE = Template("{% error_prefix %}Side")


class NameForm(forms.Form):
    name = forms.CharField()
    age = forms.IntegerField(required=False)


NameFormSet = forms.formset_factory(NameForm)


def title(**context) -> str:
    return TITLE.render(Context(context))


def test_a_form_with_errors_under_any_name_marks_the_title():
    assert title(withdraw_form=NameForm(data={"name": ""})) == "Feil: Side"
    assert title(items=NameFormSet(data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0",
                                         "form-0-age": "x"})) == "Feil: Side"  # fmt: skip


def test_unbound_and_valid_forms_do_not():
    assert title(form=NameForm(), other=NameForm(data={"name": "x"})) == "Side"


def test_a_views_own_error_list_marks_it_and_an_empty_one_does_not():
    assert title(error_list=[{"message": "Mangler"}]) == "Feil: Side"
    assert title(error_list=[], submit_error="", file_errors=[]) == "Side"


def test_the_prefix_is_in_the_users_language():
    with translation.override("en"):
        assert title(form=NameForm(data={})) == "Error: Side"


def test_ago_says_just_now_under_a_minute_and_how_long_after():
    with translation.override("nb"):
        assert ago(timezone.now() - timedelta(seconds=20)) == "akkurat nå"
        assert ago(timezone.now() - timedelta(days=3, minutes=1)) == "3\xa0dager siden"
    with translation.override("en"):
        assert ago(timezone.now()) == "just now"
        assert ago(timezone.now() - timedelta(hours=2, seconds=5)) == "2\xa0hours ago"
    assert ago(None) == ""


def test_ago_reads_naive_datetimes_and_days_as_timesince_did():
    with translation.override("nb"):
        assert ago(datetime.now() - timedelta(seconds=5)) == "akkurat nå"
        assert ago(timezone.localdate() - timedelta(days=2)).endswith("siden")
