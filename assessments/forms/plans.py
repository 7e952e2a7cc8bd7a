"""Forms of the action plan. They only validate and convert; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Agency, Membership
from assessments.models.plans import PlanItem
from assessments.presentation.display import format_date, localized
from assessments.services import evidence as evidence_files
from assessments.services.plans import COMMENT_MAX_LENGTH, ITEM_FIELDS
from assessments.text import DATE_INPUT, Form, LinkFormField, not_too_early


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _person(obj)


class ItemForm(Form):
    """The item's fields carry the values the page showed (show_hidden_initial), so `changed_data` names what this
    person changed and the service writes only that (two people with the item open do not undo each other)."""

    owner = OwnerField(queryset=get_user_model().objects.none(), required=False, label=_("Ansvarlig"),
                       empty_label=_("Ingen valgt"), show_hidden_initial=True)  # fmt: skip
    due_date = forms.DateField(
        required=False, label=_("Frist"), widget=DATE_INPUT, validators=[not_too_early], show_hidden_initial=True
    )
    status = forms.ChoiceField(choices=PlanItem.Status.choices, label=_("Status"), show_hidden_initial=True)
    status_reason = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Begrunnelse (når tiltaket ikke er relevant)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        show_hidden_initial=True,
    )
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        label=_("Kommentar (valgfri)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def changed_fields(self) -> list[str] | None:
        """The item's fields this person changed; None when the post lacks the values the page showed (a page from
        before they were sent, a script), so every field counts as given, as it did then."""
        shown = [self[name].html_initial_name for name in ITEM_FIELDS]
        return self.changed_data if all(name in self.data for name in shown) else None

    def __init__(self, *args, agency_id: int, condition_due=None, **kwargs):
        super().__init__(*args, **kwargs)
        if condition_due:  # the plan lists the earlier of the two dates: the field is the agency's own
            self.fields["due_date"].help_text = _(
                "UKE har satt fristen til %(day)s. Skriv en egen frist her bare hvis dere vil bli ferdige før."
            ) % {"day": format_date(condition_due)}
        members = Membership.objects.filter(agency_id=agency_id).values("user_id")
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(pk__in=members, is_active=True)
            .order_by("first_name", "last_name", "username")
        )

    def clean(self):
        data = super().clean()
        if data.get("status") == PlanItem.Status.NOT_RELEVANT and not (data.get("status_reason") or "").strip():
            self.add_error("status_reason", _("Skriv hvorfor tiltaket ikke er relevant."))
        return data


class EvidenceForm(Form):
    file = forms.FileField(
        required=False,
        label=_("Fil"),
        help_text=_("PDF, DOCX, XLSX eller PNG."),
    )
    url = LinkFormField(  # an intranet address too (assessments/text.py)
        required=False,
        max_length=1000,
        label=_("Lenke"),  # a whole name: the error summary names the field by it
        help_text=_("I stedet for en fil, for eksempel til personvernkonsekvensvurderingen (DPIA) i arkivsystemet."),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        # Checked here for the message; the service checks again before it stores anything.
        checked = evidence_files.check_upload(upload)
        upload.seek(0)
        return upload if checked else None

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("file") and not data.get("url"):
            raise ValidationError(_("Velg en fil eller skriv inn en lenke."))
        if data.get("file") and data.get("url"):
            raise ValidationError(_("Legg til enten en fil eller en lenke, ikke begge."))
        return data


def _not_in_future(day) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("Datoen kan ikke være fram i tid."))


class NotInFutureForm(Form):
    """A form of one day up to today: the date picker offers no later day (the check stays on the server)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField) and not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs["max"] = timezone.localdate().isoformat()


class InUseForm(NotInFutureForm):
    since = forms.DateField(label=_("Tatt i bruk fra"), widget=DATE_INPUT, validators=[not_too_early, _not_in_future])


class InUseCorrectionForm(NotInFutureForm):
    # The day the page showed, so that a correction made meanwhile by someone else is not overwritten unseen.
    shown = forms.DateField(widget=forms.HiddenInput)
    since = forms.DateField(label=_("Riktig dato"), widget=DATE_INPUT, validators=[not_too_early, _not_in_future])
    reason = forms.CharField(
        max_length=COMMENT_MAX_LENGTH,
        label=_("Hvorfor datoen rettes"),
        help_text=_("Begrunnelsen lagres i loggen sammen med datoen som rettes."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StatusReportForm(NotInFutureForm):
    as_of = forms.DateField(label=_("Status per dato"), widget=DATE_INPUT, validators=[not_too_early, _not_in_future])


class ConditionsForm(Form):
    """UKE's conditions on approval: the items done before use, and those done within a deadline."""

    before_use = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Må være ferdig før løsningen tas i bruk")
    )
    deadline = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Må være ferdig innen en frist")
    )
    deadline_date = forms.DateField(
        required=False, label=_("Frist for disse tiltakene"), widget=DATE_INPUT, validators=[not_too_early]
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(item.pk), localized(item, "title")) for item in items]
        self.fields["before_use"].choices = choices
        self.fields["deadline"].choices = choices

    def rows(self) -> list[tuple]:
        """One row per plan item for the template's table: its title, its before-use box and its deadline box."""
        return [(box.choice_label, box, due) for box, due in zip(self["before_use"], self["deadline"], strict=True)]

    def clean(self):
        data = super().clean()
        if data.get("deadline") and not data.get("deadline_date"):
            self.add_error("deadline_date", _("Velg en frist for tiltakene som skal være gjort innen en frist."))
        if set(data.get("before_use") or ()) & set(data.get("deadline") or ()):
            self.add_error("deadline", _("Et tiltak kan ikke både være et krav før bruk og ha en frist."))
        return data

    def chosen_titles(self) -> dict[str, list[str]]:
        """The titles of the items ticked in each column, for the page that asks UKE to confirm."""
        titles = dict(self.fields["before_use"].choices)
        return {name: [titles[pk] for pk in self.cleaned_data.get(name) or []] for name in ("before_use", "deadline")}

    def conditions(self) -> dict:
        data = self.cleaned_data
        return {
            "before_use": [int(i) for i in data.get("before_use") or []],
            "deadline": [int(i) for i in data.get("deadline") or []],
            "deadline_date": data.get("deadline_date"),
        }


class OverdueFilterForm(Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.all(), required=False, label=_("Virksomhet"), empty_label=_("Alle virksomheter")
    )
    before_use = forms.BooleanField(required=False, label=_("Bare krav før bruk"))
    kind = forms.ChoiceField(
        choices=[("", _("Alle"))] + list(PlanItem.Kind.choices),
        required=False,
        label=_("Type"),
        help_text=_("En plikt som gjøres med et tiltak for lavere risiko, regnes med under begge."),
    )
