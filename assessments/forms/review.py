"""Forms of the review, register, auditor and audit-log pages. They only validate and convert."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.forms import AnswerText
from assessments.labels import AI_KIND_CHOICES, PATHS, QUADRANT_CHOICES, VERDICT_CHOICES
from assessments.lifecycle import DECIDED_STATUSES
from assessments.models import Agency, Assessment
from assessments.queries import catalogue
from assessments.services import MATERIAL_CHANGE_KINDS, REVIEW_COMMENT_MAX_LENGTH, REVIEW_REASON_MAX_LENGTH
from assessments.services.catalogue_flags import DISMISS_REASON_MAX
from assessments.text import Form

ANY = [("", _("Alle"))]
# Every status: an assessment submitted once may since have been recalled to draft or withdrawn.
QUEUE_STATUSES = list(Assessment.Status.choices)


def _agency_field(queryset=None) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=queryset if queryset is not None else Agency.objects.all(),
        required=False,
        label=_("Virksomhet"),
        empty_label=_("Alle virksomheter"),
    )


class _DateRange(Form):
    date_from = forms.DateField(required=False, label=_("Fra dato"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label=_("Til dato"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Til-datoen kan ikke være før fra-datoen."))
        return data


class QueueFilterForm(Form):
    status = forms.ChoiceField(choices=ANY + QUEUE_STATUSES, required=False, label=_("Status"))
    agency = _agency_field()
    verdict = forms.ChoiceField(choices=ANY + VERDICT_CHOICES, required=False, label=_("Konklusjon"))
    quadrant = forms.ChoiceField(choices=ANY + QUADRANT_CHOICES, required=False, label=_("Kvadrant"))
    q = forms.CharField(required=False, max_length=100, label=_("Søk i tittel"))
    sort = forms.ChoiceField(
        choices=[("oldest", _("Eldste først")), ("newest", _("Nyeste først"))],
        required=False,
        label=_("Sortering"),
    )


class CommentForm(Form):
    question_key = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    text = AnswerText(  # a counter, no maxlength (see AnswerText)
        label=_("Kommentar"),
        max_length=REVIEW_COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Skriv en kommentar."),
            "max_length": _("Kommentaren kan ha høyst %(limit_value)d tegn (den har %(show_value)d)."),
        },
    )


class DecisionForm(Form):
    """Return and reject need a reason; approval takes an optional comment."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = AnswerText(
        label=_("Begrunnelse"),
        max_length=REVIEW_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Skriv en begrunnelse."),
            "max_length": _("Begrunnelsen kan ha høyst %(limit_value)d tegn (den har %(show_value)d)."),
        },
    )

    def __init__(self, *args, reason_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if not reason_required:
            self.fields["reason"].label = _("Kommentar til godkjenningen (valgfri)")


class FlagDismissForm(Form):
    """UKE closes a tool overview flag without a re-assessment, saying why (history and audit log)."""

    reason = AnswerText(
        label=_("Begrunnelse for å avslutte flagget uten ny vurdering"),
        max_length=DISMISS_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Skriv hvorfor flagget avsluttes."),
            "max_length": _("Begrunnelsen kan ha høyst %(limit_value)d tegn (den har %(show_value)d)."),
        },
    )

    def __init__(self, *args, flag_pk: int, **kwargs):
        # A page may show several open flags, each with this form: the ids name the flag (flag-reason-<pk>),
        # while the posted name stays `reason`.
        super().__init__(*args, auto_id=f"flag-%s-{flag_pk}", **kwargs)
        self.flag_pk = flag_pk


class MaterialChangeForm(Form):
    kinds = forms.MultipleChoiceField(
        choices=list(MATERIAL_CHANGE_KINDS.items()),
        widget=forms.CheckboxSelectMultiple,
        label=_("Hva er endret?"),
        error_messages={"required": _("Velg hva som er endret.")},
    )


class RegisterFilterForm(Form):
    agency = _agency_field()
    ai_kind = forms.ChoiceField(choices=ANY + AI_KIND_CHOICES, required=False, label=_("Type KI"))
    verdict = forms.ChoiceField(choices=ANY + VERDICT_CHOICES, required=False, label=_("Konklusjon"))
    path = forms.ChoiceField(choices=ANY + list(PATHS.items()), required=False, label=_("Type vurdering"))
    q = forms.CharField(required=False, max_length=100, label=_("Søk i tittel"))
    tool = forms.ChoiceField(required=False, label=_("Verktøy"))
    group = forms.ChoiceField(
        choices=[("", _("Ingen gruppering")), ("tool", _("Verktøy"))], required=False, label=_("Grupper etter")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tool"].choices = tool_choices()

    def tool_names(self) -> dict[str, str]:
        """{slug: the tool's current name}, from the choices already read (no second query)."""
        return {slug: str(name) for slug, name in self.fields["tool"].choices if slug}


def tool_choices() -> list[tuple[str, str]]:
    """The tool overview's entries by slug: every version of a tool is the same tool in the lists."""
    return ANY + [(v.entry.slug, v.name) for v in catalogue.current_versions()]


class OverviewForm(Form):
    group = forms.ChoiceField(
        choices=[("status", _("Status")), ("agency", _("Virksomhet")), ("tool", _("Verktøy"))],
        required=False,
        label=_("Grupper etter"),
    )
    agency = _agency_field()
    tool = forms.ChoiceField(required=False, label=_("Verktøy"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tool"].choices = tool_choices()


class AuditorSearchForm(_DateRange):
    q = forms.CharField(required=False, max_length=100, label=_("Søk i tittel"))
    agency = _agency_field()
    status = forms.ChoiceField(
        choices=ANY + [(s, Assessment.Status(s).label) for s in DECIDED_STATUSES],
        required=False,
        label=_("Status"),
    )
    verdict = forms.ChoiceField(choices=ANY + VERDICT_CHOICES, required=False, label=_("Konklusjon"))


class AuditLogFilterForm(_DateRange):
    actor = forms.CharField(required=False, max_length=150, label=_("Utført av (brukernavn eller navn)"))
    action = forms.ChoiceField(required=False, label=_("Hendelse"))
    agency = _agency_field()

    def __init__(self, *args, actions: list[tuple[str, str]], agencies, **kwargs):
        """`actions`: (code, label) pairs of the events there are to filter on."""
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = ANY + list(actions)
        self.fields["agency"].queryset = agencies
