"""Forms for the wizard and the pages around it. Forms only validate and convert; writes go through services.

A wizard step's form is generated from the questionnaire definition (`section_form_class`): one field per
question, with the same value checks as the import and the scoring (`engine.answers.clean_value`, worded in
the user's language by `answer_messages`). Fields are never `required` in the HTML sense: a draft may be
saved half-filled, and completeness is checked on submit.
"""

import json
import uuid
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessments.engine.answers import clean_value
from assessments.engine.conditions import is_empty
from assessments.engine.definition import DEFAULT_TEXT_MAX_LENGTH, Definition, Question, Section
from assessments.forms import catalogue, safe_input
from assessments.forms.answer_messages import answer_error_text
from assessments.models import Agency
from assessments.text import INVALID_CHOICE, Form, file_field

# Texts up to this many characters get a one-line input; longer ones a text area.
SHORT_TEXT = 200
MAX_ANSWERS_FILE_BYTES = 1024 * 1024

SCALE_DEFAULT_LABELS = {
    0: pgettext_lazy("scale", "0 – ingen eller svært lav"),
    1: pgettext_lazy("scale", "1 – lav"),
    2: pgettext_lazy("scale", "2 – middels"),
    3: pgettext_lazy("scale", "3 – høy"),
    4: pgettext_lazy("scale", "4 – svært høy"),
}

# The comparisons app.js evaluates for a question shown by another's answer on the same step; each compares
# the answer (a list for checkboxes) with a list of values.
CLIENT_OPERATORS = ("eq", "ne", "in", "not_in", "has", "has_any")

TEXT_TOO_LONG = _("Teksten er for lang: %(show_value)d tegn, men høyst %(limit_value)d er tillatt.")


class AnswerText(forms.CharField):
    """Text with line breaks counted once: browsers send CRLF, but the limit is about what people wrote."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n")
        return super().to_python(value)

    def widget_attrs(self, widget):
        """No `maxlength`: it cuts pasted text silently. The page shows a counter (data-max-length) and
        the form says how much is too long, keeping what was typed."""
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        if self.max_length is not None:
            attrs["data-max-length"] = str(self.max_length)
        return attrs


def _text(question: Question, attr: str, lang: str) -> str:
    english = getattr(question, f"{attr}_en", "") if lang == "en" else ""
    return english or getattr(question, attr)


def _choice_label(choice, lang: str) -> str:
    return (choice.label_en or choice.label) if lang == "en" else choice.label


def _field_for(question: Question, lang: str) -> forms.Field:
    label = _text(question, "label", lang)
    common = {"label": label, "required": False}
    if question.type == "text":
        limit = question.max_length or DEFAULT_TEXT_MAX_LENGTH
        widget = forms.TextInput if limit <= SHORT_TEXT else forms.Textarea(attrs={"rows": 5})
        return AnswerText(
            max_length=limit, strip=True, widget=widget, error_messages={"max_length": TEXT_TOO_LONG}, **common
        )
    if question.type == "scale":
        labels = {c.value: _choice_label(c, lang) for c in question.choices}
        choices = [(v, f"{v} – {labels[v]}" if v in labels else SCALE_DEFAULT_LABELS[v]) for v in range(5)]
        return forms.TypedChoiceField(
            choices=choices,
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": INVALID_CHOICE},
            **common,
        )
    choices = [(c.value, _choice_label(c, lang)) for c in question.choices]
    if question.type == "multi":
        messages = {"invalid_choice": INVALID_CHOICE, "invalid_list": _("Velg ett eller flere alternativer.")}
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, error_messages=messages, **common
        )
    return forms.ChoiceField(
        choices=choices, widget=forms.RadioSelect, error_messages={"invalid_choice": INVALID_CHOICE}, **common
    )


class SectionForm(Form):
    """One wizard step. Subclasses made by `section_form_class` set `section` and `lang`."""

    section: Section
    lang: str = "nb"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        catalogue.adapt(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for question in self.section.questions:
            if question.key in self.errors:
                continue
            value = cleaned.get(question.key)
            if is_empty(value):
                cleaned[question.key] = None
                continue
            value, error = clean_value(question, value)
            if error:
                self.add_error(question.key, answer_error_text(error, question, self.lang))
            else:
                cleaned[question.key] = value
        catalogue.check(self, cleaned)
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The step's answers (None for unanswered), ready for `services.assessment_save_step`."""
        return {q.key: self.cleaned_data.get(q.key) for q in self.section.questions}

    def items(self) -> list[dict[str, Any]]:
        """Question, bound field and display texts, in order: what the step template renders."""
        rows = []
        for question in self.section.questions:
            bound = self[question.key]
            rows.append(
                {
                    "question": question,
                    "field": bound,
                    "help": _text(question, "help", self.lang),
                    "is_choice": question.type != "text",
                    "anchor": f"{bound.auto_id}_0" if question.type != "text" else bound.auto_id,
                    "error_id": f"{bound.auto_id}_error",
                    "shown_when": self._shown_when_attr(question),
                    **catalogue.row(self, question),
                }
            )
        catalogue.group_locked(rows)
        return rows

    def _shown_when_attr(self, question: Question) -> str:
        """A question shown only for some answer to another question of this step, as JSON that app.js reads
        to hide it while that answer is not given: `{"name": <the input's name>, "<op>": [values as text]}`.

        Only a single comparison that the browser can read off the inputs is passed on; any other condition
        leaves the question shown, as it is without JavaScript. Either way the engine decides: it leaves an
        answer to a hidden question out of everything it evaluates (engine/visibility.py), so the page hides only
        what would count for nothing. The draft keeps what was typed, so switching back loses nothing."""
        condition = question.shown_when or {}
        key = condition.get("q")
        operators = [op for op in CLIENT_OPERATORS if op in condition]
        # A fact locked from the tool overview has no input on the page to read: the question stays shown.
        locked = (getattr(self, "catalogue", None) or {}).get("locked", [])
        if key not in self.fields or key in locked or len(condition) != 2 or len(operators) != 1:
            return ""
        value = condition[operators[0]]
        values = value if isinstance(value, list) else [value]
        return json.dumps({"name": self.add_prefix(key), operators[0]: [str(v) for v in values]})

    def mark_errors(self) -> None:
        """Tie each text input to its character counter, and each error message to its input
        (aria-describedby), flagging the input invalid."""
        for name, field in self.fields.items():
            described = [f"{self[name].auto_id}_count"] if isinstance(field, AnswerText) else []
            if name in self.errors:
                described.append(f"{self[name].auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


@lru_cache(maxsize=256)
def _form_class(defn: Definition, section_key: str, lang: str) -> type[SectionForm]:
    # A parsed Definition hashes by identity, and as_definition() hands out one object per content.
    section = defn.section(section_key)
    fields = {q.key: _field_for(q, lang) for q in section.questions}
    name = f"{section_key.title().replace('_', '')}Form"
    return type(name, (SectionForm,), {**fields, "section": section, "lang": lang})


def section_form_class(defn: Definition, section_key: str, lang: str = "nb") -> type[SectionForm]:
    """The form class of one section (cached per parsed definition, section and language)."""
    return _form_class(defn, section_key, "en" if lang == "en" else "nb")


def encode_answers(section: Section, answers: dict[str, Any], prefix: str) -> dict[str, list[str]]:
    """A section's stored answers as form data (what a browser would post), for re-validating the draft."""
    data: dict[str, list[str]] = {}
    for question in section.questions:
        value = answers.get(question.key)
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        data[f"{prefix}-{question.key}"] = [str(v) for v in values]
    return data


def initial_for(section: Section, answers: dict[str, Any]) -> dict[str, Any]:
    initial = {q.key: answers[q.key] for q in section.questions if q.key in answers}
    return {**initial, **catalogue.initial_marker(section, answers)}


class RevisionForm(Form):
    """The draft revision a form was shown with: the optimistic lock."""

    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class SummaryForm(Form):
    """The summary step has no questions; submitting is the button."""


def report_language_field(required: bool) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Språk i rapporten og e-postene"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=required,
        help_text=_(
            "Den signerte rapporten og e-postene om vurderingen skrives på dette språket, uansett hvilket språk du "
            "bruker på sidene."
        ),
        error_messages={"invalid_choice": _("Velg bokmål eller engelsk."), "required": _("Velg bokmål eller engelsk.")},
    )


class ReportLanguageForm(Form):
    """The leader changes the report's language on a draft's page."""

    language = report_language_field(required=True)


class LeaderAgencyForm(Form):
    """Starts with the agency a new assessment belongs to: one of `agencies` (the leader's), the only one
    already chosen."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label=_("Virksomhet"),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Velg en virksomhet du er leder for."),
            "required": _("Velg en virksomhet."),
        },
    )
    # A new value with every page shown (a callable initial), sent back with the form: the service creates one
    # draft per value, so a form sent twice (two tabs, a double click past the JavaScript guard, a retry) opens
    # the draft the first one made (services.assessment_create). Optional: a post without it creates as before.
    creation_token = forms.CharField(required=False, initial=uuid.uuid4, widget=forms.HiddenInput)
    # The language of what others read about the assessment (UKE's e-mails, the decision, the sealed report),
    # chosen once and shown: it followed the browser's language unseen, so a leader on an English Windows got an
    # English report in the archive. Bokmål unless chosen. Optional: a post without it takes the page's language.
    language = report_language_field(required=False)
    field_order = ["agency", "title", "file", "language"]

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = agencies if agencies is not None else Agency.objects.none()
        self.fields["agency"].queryset = agencies
        if agencies.count() == 1:
            self.initial.setdefault("agency", agencies.first())

    def clean_creation_token(self) -> uuid.UUID | None:
        """A value that is no UUID (nothing the page sent) is no token: the form is not refused for a field the
        user cannot see, it just creates without the guard."""
        try:
            return uuid.UUID(self.cleaned_data["creation_token"])
        except ValueError:
            return None

    def new_draft(self) -> dict:
        """The keyword arguments every service that creates a draft takes from this form."""
        return {name: self.cleaned_data[name] for name in ("agency", "creation_token", "language")}


class NewAssessmentForm(LeaderAgencyForm):
    title = AnswerText(
        label=_("Hva heter tiltaket?"),
        max_length=200,
        strip=True,
        help_text=_("Et kort navn som kolleger og UKE kjenner igjen, f.eks. «Copilot i Word for saksbehandlere»."),
        error_messages={"required": _("Gi vurderingen et navn."), "max_length": TEXT_TOO_LONG},
    )


class ImportForm(LeaderAgencyForm):
    title = AnswerText(
        label=_("Navn på vurderingen (valgfritt)"),
        max_length=200,
        required=False,
        strip=True,
        help_text=_("Tomt betyr navnet i filen (svaret på «title»)."),
        error_messages={"max_length": TEXT_TOO_LONG},
    )
    file = file_field(_("Svarfil (JSON)"), choose=_("Velg svarfilen (JSON) du vil importere."))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ANSWERS_FILE_BYTES:
            raise forms.ValidationError(
                _("Filen er for stor (%(size)s byte, høyst %(limit)s)."),
                params={"size": upload.size, "limit": MAX_ANSWERS_FILE_BYTES},
                code="too_large",
            )
        try:
            return safe_input.parse_json(upload.read(MAX_ANSWERS_FILE_BYTES + 1), max_bytes=MAX_ANSWERS_FILE_BYTES)
        except safe_input.InputError as exc:
            raise forms.ValidationError(str(exc), code="invalid_file") from None


class ContributorForm(Form):
    contributor = forms.ModelChoiceField(
        queryset=None,
        label=_("Bidragsyter"),
        empty_label=None,
        error_messages={"invalid_choice": _("Velg en bidragsyter i virksomheten.")},
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contributor"].queryset = candidates
        self.fields["contributor"].label_from_instance = lambda u: u.get_full_name() or u.username
