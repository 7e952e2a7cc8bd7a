"""The tool overview in the wizard's step forms, and the forms UKE keeps the catalogue with.

Step forms are built from the questionnaire (forms/__init__.py); three hooks there call this module, so the wizard
view needs no change:
- `initial_marker` adds to a step's initial data which of its answers the chosen entry locked;
- `adapt` turns `cat_ref` into a picker of the overview's entries (a plain <select>: works without JavaScript, by
  keyboard and on a narrow screen) and disables the locked fields (Django then keeps their stored value);
- `row` tells the template which questions to show as "fra verktøyoversikten", and which facts to leave out
  while no tool is chosen.
The service (services/catalogue.step_values) enforces the same rules on save.
"""

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments.choices import InfoClass, ToolStatus
from assessments.engine.catalogue import CHOICE_KEY, DEVIATION_KEY, LISTED
from assessments.engine.definition import Question, Section
from assessments.labels import TOOL_STATUSES
from assessments.models.catalogue import DATE_FIELDS, OPTIONAL_BOOL_FIELDS, VERSION_FIELDS, ToolEntry, ToolEntryVersion
from assessments.presentation.display import quoted_list
from assessments.queries import catalogue as reads
from assessments.text import DATE_INPUT, Form, LinkFormField, ModelForm, not_too_early

MARKER = "_catalogue"
# Slugs that are paths of their own under /verktoy/.
RESERVED_SLUGS = {"ny", "api-nokler", "importer"}
REF_KEY = reads.REF_KEY
PICK_FIRST = _("Velg verktøyet fra listen, eller svar at det ikke finnes i verktøyoversikten.")


def initial_marker(section: Section, answers: dict[str, Any]) -> dict[str, Any]:
    """What the form must know beyond its own answers: the locked keys of this step and the stored choice."""
    listed = answers.get(CHOICE_KEY) == LISTED
    locked = [q.key for q in section.questions if listed and q.catalogue_field and answers.get(q.key) not in (None, "")]
    return {MARKER: {"listed": listed, "locked": locked, "ref": answers.get(REF_KEY)}}


def _label(version: ToolEntryVersion) -> str:
    label = f"{version.name} – {TOOL_STATUSES.get(version.status, version.status)}"
    if version.entry.is_demo:
        label += " " + gettext("(demo)")
    return label


def entry_choices(stored_ref: str | None) -> list:
    """The picker's options, grouped by status (approved first); the stored version stays pickable."""
    versions = reads.current_versions()
    groups = []
    for status, name in ToolStatus.choices:
        options = [(v.ref, _label(v)) for v in versions if v.status == status]
        if options:
            groups.append((str(name), options))
    if stored_ref and stored_ref not in {v.ref for v in versions}:
        old = reads.resolve_ref(stored_ref)
        if old is not None:
            text = gettext("%(label)s (versjonen dere svarte med)") % {"label": _label(old)}
            groups.insert(0, (gettext("Valgt tidligere"), [(old.ref, text)]))
    return [("", gettext("– Velg verktøy –")), *groups]


def adapt(form) -> None:
    """Called at the end of SectionForm.__init__."""
    meta = form.initial.pop(MARKER, None) or {"listed": False, "locked": [], "ref": None}
    form.catalogue = meta
    for key in meta["locked"]:
        if key in form.fields and key != REF_KEY:
            form.fields[key].disabled = True
    if REF_KEY in form.fields and CHOICE_KEY in form.fields:
        old = form.fields[REF_KEY]
        form.fields[REF_KEY] = forms.ChoiceField(
            label=_("Velg verktøyet i verktøyoversikten"),
            choices=entry_choices(meta["ref"]),
            required=False,
            error_messages={"invalid_choice": PICK_FIRST},
            widget=forms.Select(attrs={"autocomplete": "off"}),
        )
        form.fields[REF_KEY].help_text = old.help_text


def check(form, cleaned: dict[str, Any]) -> None:
    """Called at the end of SectionForm.clean: a listed tool needs a pick; a pick means a listed tool."""
    if CHOICE_KEY not in form.fields or REF_KEY in form.errors:
        return
    if cleaned.get(REF_KEY) and not cleaned.get(CHOICE_KEY):
        cleaned[CHOICE_KEY] = LISTED
    if cleaned.get(CHOICE_KEY) == LISTED and not cleaned.get(REF_KEY):
        form.add_error(REF_KEY, PICK_FIRST)


def row(form, question: Question) -> dict[str, Any]:
    """Template hints for one question of a step form."""
    meta = getattr(form, "catalogue", None) or {"listed": False, "locked": []}
    if question.key == REF_KEY and CHOICE_KEY in form.fields:
        return {"catalogue_pick": True, "catalogue_entry": reads.resolve_ref(meta.get("ref"))}
    if question.key in meta["locked"]:
        return {
            "catalogue_locked": True,
            "catalogue_value": question.value_label(form.initial.get(question.key), form.lang),
        }
    if question.catalogue_field and CHOICE_KEY in form.fields and not meta["listed"]:
        return {"catalogue_hidden": True}
    if question.key == DEVIATION_KEY and not meta["listed"]:
        return {"catalogue_hidden": True}
    return {}


def group_locked(rows: list[dict[str, Any]]) -> None:
    """Mark where each run of locked facts starts and ends: the step shows a run as one list, with one note on
    where to explain a deviation (the field further down on the step that has it, else the first step)."""
    deviation = next((r for r in rows if r["question"].key == DEVIATION_KEY and not r.get("catalogue_hidden")), None)
    for i, r in enumerate(rows):
        if not r.get("catalogue_locked"):
            continue
        r["locked_first"] = i == 0 or not rows[i - 1].get("catalogue_locked")
        r["locked_last"] = i == len(rows) - 1 or not rows[i + 1].get("catalogue_locked")
        if r["locked_first"] and deviation is not None:
            r["deviation"] = {"anchor": deviation["anchor"], "label": deviation["field"].label}


# --- UKE's forms ---------------------------------------------------------------------------------------------

YES_NO_UNKNOWN = [("", _("Ikke oppgitt")), ("true", _("Ja")), ("false", _("Nei"))]


def _bool_field(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO_UNKNOWN,
        coerce=lambda v: v == "true",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class ToolVersionForm(ModelForm):
    """One version's facts: creating an entry and changing it use the same fields."""

    dpa = _bool_field(_("Finnes det en databehandleravtale som dekker bruken?"))
    vendor_trains_on_inputs = _bool_field(_("Kan leverandøren bruke det som legges inn, til å trene modeller?"))
    enterprise_agreement = _bool_field(_("Brukes verktøyet med kommunens avtale og jobbkonto?"))
    guideline_url = LinkFormField(
        label=_("Lenke til retningslinje for verktøyet"),
        required=False,
        max_length=ToolEntryVersion._meta.get_field("guideline_url").max_length,  # the form says it, with a counter
    )

    class Meta:
        model = ToolEntryVersion
        fields = [*VERSION_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "note": forms.Textarea(attrs={"rows": 4}),
            **dict.fromkeys(DATE_FIELDS, DATE_INPUT),
            "max_class": forms.RadioSelect,
            "status": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_class"].choices = list(InfoClass.choices)
        self.fields["status"].choices = list(ToolStatus.choices)
        for name in OPTIONAL_BOOL_FIELDS:
            value = self.initial.get(name)
            if isinstance(value, bool):
                self.initial[name] = "true" if value else "false"
        for name in DATE_FIELDS:
            self.fields[name].validators.append(not_too_early)

    def clean(self):
        """Dates that contradict each other or the agreement are refused at the field that is wrong (the import
        reads its rows through this form, so a file is held to the same). What the daily check leaves is not a
        contradiction: a withdrawn approval keeps the day it ran to (its status date is the withdrawal's), and an
        agreement gone keeps the day it ended."""
        data = super().clean()
        since, until = data.get("status_since"), data.get("approved_until")
        if data.get("status") == ToolStatus.APPROVED and since and until and until < since:
            self.add_error("approved_until", _("«Godkjent til» kan ikke være før «Status fra»."))
        agreement_until = data.get("dpa_valid_until")
        if agreement_until and agreement_until >= timezone.localdate() and data.get("dpa") is not True:
            message = _("Velg «Ja» for databehandleravtalen, eller la «Avtalen gjelder til» stå tom.")
            self.add_error("dpa_valid_until", message)
        return data

    def _post_clean(self):
        # The form only validates: the service makes the version (an instance is never saved from here).
        pass

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in VERSION_FIELDS}


class ToolCreateForm(ToolVersionForm):
    slug = forms.CharField(
        label=capfirst(ToolEntry._meta.get_field("slug").verbose_name),
        max_length=80,
        help_text=_("Små bokstaver, tall og bindestrek, f.eks. «copilot-chat». Kan ikke endres senere."),
        # Stricter than a slug (no capitals, no underscore), as the help says: an address nobody mistypes.
        validators=[RegexValidator(r"^[a-z0-9-]+\Z", code="invalid")],
        error_messages={
            "invalid": _(
                "Bruk bare små bokstaver a–z, tall og bindestrek (ikke mellomrom eller æ, ø, å), f.eks. «copilot-chat»."
            ),
        },
    )

    field_order = ["slug", "name"]

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("Kjennetegnet er reservert. Velg et annet."), code="reserved")
        return slug


class ToolChangeForm(ToolVersionForm):
    change_note = forms.CharField(
        label=_("Hva er endret, og hvorfor?"),
        max_length=500,
        error_messages={"required": _("Skriv kort hva som er endret.")},
    )
    # The version the form showed: the service refuses the save when another has come since (left out by a client
    # that never showed a form, which then changes whatever is current).
    seen_number = forms.IntegerField(label=_("Versjon"), min_value=1, required=False, widget=forms.HiddenInput)

    def take_newer(self, seen: ToolEntryVersion | None, current: ToolEntryVersion) -> None:
        """After ChangedMeanwhile: the form shows the newer version's value where only the other save changed a
        field, keeps this person's value where both did (named in the error), and lets the next save build on the
        newer version, so saving again undoes nothing this person did not choose to change."""
        posted, data, both = self.data_for_service(), self.data.copy(), []
        for name in VERSION_FIELDS:
            theirs = getattr(current, name)
            shown = getattr(seen, name) if seen is not None else theirs
            if shown == theirs or posted[name] == theirs:
                continue
            if seen is not None and posted[name] == shown:
                _post(data, self.add_prefix(name), self.fields[name], theirs)
            else:
                both.append(name)
        data[self.add_prefix("seen_number")] = str(current.number)
        self.data = data
        if both:
            message = _(
                "Noen andre lagret en ny versjon mens du hadde skjemaet åpent. Endringene deres står nå i skjemaet, "
                "bortsett fra der dere begge har endret: %(fields)s. Der står din verdi. Se over, og lagre på nytt."
            ) % {"fields": quoted_list(self.fields[name].label for name in both)}
        else:
            message = _(
                "Noen andre lagret en ny versjon mens du hadde skjemaet åpent. Endringene deres står nå i skjemaet "
                "sammen med dine. Se over, og lagre på nytt."
            )
        self.add_error(None, message)


def _post(data, key: str, field: forms.Field, value) -> None:
    """Put a stored value into posted form data, as the field's widget would have sent it."""
    if isinstance(field.widget, forms.CheckboxInput):
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
    elif isinstance(value, bool):
        data[key] = "true" if value else "false"
    elif isinstance(value, dt.date):
        data[key] = value.isoformat()
    else:
        data[key] = "" if value is None else str(value)


class ApiTokenForm(Form):
    name = forms.CharField(
        label=_("Hvilket system skal bruke nøkkelen?"),
        max_length=200,
        error_messages={"required": _("Gi nøkkelen et navn.")},
    )


class WithdrawForm(Form):
    """Withdrawing a tool's approval: a reason for the version history, and the consequence confirmed."""

    note = forms.CharField(
        label=_("Begrunnelse for å trekke tilbake godkjenningen"),
        max_length=500,
        help_text=_("Begrunnelsen lagres i versjonshistorikken."),
        error_messages={"required": _("Skriv hvorfor godkjenningen trekkes tilbake.")},
    )
    confirm = forms.BooleanField(
        label=_("Jeg forstår at vurderinger som bruker verktøyet, merkes for ny vurdering og lederne varsles."),
        error_messages={"required": _("Bekreft at du forstår hva som skjer når godkjenningen trekkes tilbake.")},
    )
