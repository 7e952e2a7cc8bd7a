"""The action plan's forms (assessments/forms/plans.py): dates a plan can hold."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from assessments.forms.plans import InUseForm, ItemForm, StatusReportForm
from assessments.text import EARLIEST_DATE


@pytest.mark.parametrize("form_class, field", [(InUseForm, "since"), (StatusReportForm, "as_of")])
def test_a_date_before_2000_or_in_the_future_is_refused_in_the_users_language(form_class, field):
    assert form_class({field: timezone.localdate().isoformat()}).is_valid()
    assert form_class({field: EARLIEST_DATE.isoformat()}).is_valid()
    assert form_class({field: "0001-01-01"}).errors[field] == ["Datoen kan ikke være før år 2000."]
    with translation.override("en"):
        assert form_class({field: "1999-12-31"}).errors[field] == ["The date cannot be before the year 2000."]
    tomorrow = timezone.localdate().toordinal() + 1
    assert not form_class({field: timezone.localdate().fromordinal(tomorrow).isoformat()}).is_valid()


def test_an_item_due_date_before_2000_is_refused():
    due = ItemForm.base_fields["due_date"]
    with pytest.raises(ValidationError):
        due.clean("0001-01-01")
    assert due.clean("2031-06-30").year == 2031
    assert due.widget.attrs["min"] == "2000-01-01"
