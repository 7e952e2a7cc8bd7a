"""UKE's forms for public access: what to exempt, on which legal basis, and why. They only validate; the
service (services/public_access.py) checks the target against the questionnaire again and records."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.engine.definition import Definition
from assessments.labels import EXEMPT_FIELD_CHOICES, EXEMPTION_BASIS_CHOICES, TOOL_EXEMPT_FIELD_CHOICES
from assessments.models import Agency
from assessments.models.public_access import FIELD, QUESTION, SECTION, Exemption
from assessments.presentation.display import localized
from assessments.services.public_access import REASON_MAX_LENGTH
from assessments.text import Form

# The section UKE exempts most often (security measures, offentleglova § 24 third paragraph): the form's default.
DEFAULT_SECTION = "security"
DEFAULT_BASIS = "oftl24_3"


def target_choices(defn: Definition) -> list:
    """Whole sections first, then each answer under its section, then the free texts outside the answers."""
    whole = [(f"{SECTION}:{s.key}", _("Hele delen «%(title)s»") % {"title": localized(s, "title")})
             for s in defn.sections]  # fmt: skip
    choices = [(_("Hele deler av spørreskjemaet"), whole)]
    for section in defn.sections:
        answers = [(f"{QUESTION}:{q.key}", localized(q, "label")) for q in section.questions]
        if answers:
            choices.append((_("Enkeltsvar: %(title)s") % {"title": localized(section, "title")}, answers))
    choices.append((_("Annen tekst"), [(f"{FIELD}:{code}", text) for code, text in EXEMPT_FIELD_CHOICES]))
    return choices


def _reason_field():
    return forms.CharField(
        label=_("Begrunnelse"),
        help_text=_("Hvorfor unntak er nødvendig her. Vises i revisjonsloggen og for UKE, ikke offentlig."),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv en kort begrunnelse for unntaket.")},
    )


class DescribedForm(Form):
    """Each field names its hint and, after a refused POST, its error (aria-describedby), as the wizard does."""

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            described = [f"{self[name].auto_id}_helptext"] if field.help_text else []
            if name in self.errors:
                described.append(f"{self[name].auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


class ExemptionForm(DescribedForm):
    target = forms.ChoiceField(label=_("Hva skal unntas offentlighet?"))
    basis = forms.ChoiceField(label=_("Hjemmel"), choices=EXEMPTION_BASIS_CHOICES)
    reason = _reason_field()

    def __init__(self, *args, definition: Definition, exempt: frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = target_choices(definition)
        default = f"{SECTION}:{DEFAULT_SECTION}"
        if default not in exempt and any(s.key == DEFAULT_SECTION for s in definition.sections):
            self.fields["target"].initial = default
            self.fields["basis"].initial = DEFAULT_BASIS


class ToolExemptionForm(DescribedForm):
    field = forms.ChoiceField(label=_("Hvilket felt skal unntas offentlighet?"), choices=TOOL_EXEMPT_FIELD_CHOICES)
    basis = forms.ChoiceField(label=_("Hjemmel"), choices=EXEMPTION_BASIS_CHOICES)
    reason = _reason_field()


class LiftForm(Form):
    """The exemption a lift button names: an assessment's target, or a tool entry's field (the shorter of the
    two). A name no stored exemption can have (too long, or holding a NUL, which PostgreSQL refuses in a query)
    does not validate, and so names nothing to lift."""

    target = forms.CharField(max_length=Exemption._meta.get_field("target").max_length)

    def named(self) -> str:
        return self.cleaned_data["target"] if self.is_valid() else ""


class PublicAccessFilterForm(Form):
    """The list of submitted assessments to work on: by title and agency."""

    q = forms.CharField(required=False, max_length=100, label=_("Søk i tittel"))
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.all(), required=False, label=_("Virksomhet"), empty_label=_("Alle virksomheter")
    )
