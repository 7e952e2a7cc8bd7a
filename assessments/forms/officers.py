"""The officer's advice form: it only validates; the service records."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.services.officers import ADVICE_MAX_LENGTH
from assessments.text import Form


class OfficerAdviceForm(Form):
    text = forms.CharField(
        label=_("Rådet ditt"),
        max_length=ADVICE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Skriv rådet ditt.")},
    )
