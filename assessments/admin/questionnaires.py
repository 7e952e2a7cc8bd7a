"""Questionnaire versions in Django admin: publish by uploading a YAML or JSON definition.

The upload is validated by `engine.loader.parse_definition`, and every problem is listed at once. A version
that any assessment uses is immutable: admin shows it read-only and refuses changes and deletion.
"""

import json
from pathlib import PurePath

import yaml
from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from assessments import services
from assessments.admin.audited import AuditedAdmin
from assessments.engine.definition import DefinitionError
from assessments.engine.loader import as_definition, load_yaml, parse_definition
from assessments.models import Questionnaire
from assessments.text import ModelForm, file_field


def read_upload(upload) -> object:
    """The raw definition in an uploaded file, parsed by its suffix (.json, .yaml or .yml)."""
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise forms.ValidationError(_("Filen må være .yaml, .yml eller .json."), code="suffix")
    if upload.size > settings.KIV_MAX_UPLOAD_BYTES:
        raise forms.ValidationError(_("Filen er for stor."), code="too_large")
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(_("Filen er ikke UTF-8-tekst."), code="encoding") from None
    try:
        return json.loads(text) if suffix == ".json" else load_yaml(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise forms.ValidationError(_("Filen kan ikke leses: %(error)s"), params={"error": exc}) from None
    except RecursionError:  # brackets nested thousands deep: no definition looks like that
        raise forms.ValidationError(_("Filen kan ikke leses: den er nestet for dypt."), code="nesting") from None


class QuestionnaireUploadForm(ModelForm):
    upload = file_field(
        _("Definisjon (YAML eller JSON)"),
        choose=_("Velg filen med definisjonen (YAML eller JSON)."),
        help_text=_(
            "Én fil med alle toppnøklene (version, title, sections, scoring, need_caps, rules, "
            "obligations), se docs/questionnaire-format.md."
        ),
    )

    class Meta:
        model = Questionnaire
        fields = []

    def clean_upload(self) -> dict:
        raw = read_upload(self.cleaned_data["upload"])
        try:
            definition = parse_definition(raw)
        except DefinitionError as exc:
            raise forms.ValidationError(exc.errors, code="invalid_definition") from None
        except RecursionError:  # conditions nested hundreds deep parse, but no definition needs them
            raise forms.ValidationError(_("Definisjonen er nestet for dypt."), code="nesting") from None
        clash = Questionnaire.objects.filter(version=definition["version"]).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("Versjonen «%(version)s» finnes allerede. Gi den nye definisjonen et nytt versjonsnummer."),
                params={"version": definition["version"]},
                code="duplicate_version",
            )
        return definition


@admin.register(Questionnaire)
class QuestionnaireAdmin(AuditedAdmin):
    form = QuestionnaireUploadForm
    list_display = ["version", "title", "published_at", "assessment_count"]
    readonly_fields = ["version", "title", "published_at", "in_use_note", "contents"]
    search_fields = ["version", "title"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(assessment_total=Count("assessments"))

    @admin.display(description=_("vurderinger"), ordering="assessment_total")
    def assessment_count(self, obj) -> int:
        return getattr(obj, "assessment_total", None) or obj.assessments.count()

    @admin.display(description=_("i bruk"))
    def in_use_note(self, obj) -> str:
        if obj.pk and obj.in_use:
            return _("Ja: versjonen brukes av vurderinger og kan ikke endres eller slettes.")
        return _("Nei: versjonen kan erstattes med en ny opplasting eller slettes.")

    @admin.display(description=_("innhold"))
    def contents(self, obj) -> str:
        if not obj.pk:
            return "–"
        defn = as_definition(obj.definition)
        return format_html_join(
            "",
            "<p>{}: {}</p>",
            [(s.title, ", ".join(q.key for q in s.questions)) for s in defn.sections],
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["upload"]
        if obj.in_use:
            return self.readonly_fields
        return [*self.readonly_fields, "upload"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # Without change permission admin shows the version read-only and refuses a POST.
        if obj is not None and obj.in_use:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.in_use:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        definition = form.cleaned_data["upload"]
        if change:
            saved = services.questionnaire_replace(questionnaire=obj, definition=definition, actor=request.user)
        else:
            saved = services.questionnaire_publish(definition=definition, actor=request.user)
        # Admin goes on with `obj` (messages, redirect): make it the saved row.
        obj.pk, obj.version, obj.title = saved.pk, saved.version, saved.title
        obj.definition, obj.published_at = saved.definition, saved.published_at
        obj._state.adding = False
