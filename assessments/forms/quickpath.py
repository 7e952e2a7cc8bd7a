"""The screening form (hurtigsjekk), generated from the version's screening: radio buttons, «Usikker» always.

The tool question lists the tool overview's current entries instead of a yes/no: picking one fills the entry's
facts, as the wizard's tool picker does (services/quickpath.tool_answers). The form only validates; the
engine's checks of the answers are in the service.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.engine.catalogue import CHOICE_KEY, NOT_LISTED
from assessments.engine.screening import UNSURE
from assessments.forms import NewAssessmentForm
from assessments.presentation.display import localized

REQUIRED = _("Velg et svar, eller «Usikker».")


def _tool_choices(question, tools) -> list[tuple[str, str]]:
    labels = {choice.value: localized(choice, "label") for choice in question.choices}
    return [
        *((tool.ref, tool.name) for tool in tools),
        (NOT_LISTED, labels.get(NOT_LISTED) or _("Verktøyet finnes ikke i oversikten")),
        (UNSURE, labels.get(UNSURE) or _("Usikker")),
    ]


class ScreeningForm(NewAssessmentForm):
    """Name, agency and the screening's questions. Each question's field is named by its key."""

    def __init__(self, *args, screening, tools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.screening = screening
        self.question_keys = []
        for question in screening.questions:
            if question.key == CHOICE_KEY:
                choices = _tool_choices(question, tools)
            else:
                choices = [(str(choice.value), localized(choice, "label")) for choice in question.choices]
            self.fields[question.key] = forms.ChoiceField(
                label=localized(question, "label"),
                help_text=localized(question, "help"),
                choices=choices,
                widget=forms.RadioSelect,
                initial=UNSURE,
                error_messages={"required": REQUIRED, "invalid_choice": REQUIRED},
            )
            self.question_keys.append(question.key)

    def question_fields(self):
        return [self[key] for key in self.question_keys]

    def answers(self) -> dict[str, str]:
        """The screening answers without the tool (a cleaned form only)."""
        return {key: self.cleaned_data[key] for key in self.question_keys if key != CHOICE_KEY}

    def tool(self) -> str | None:
        return self.cleaned_data.get(CHOICE_KEY)
