"""The wizard's binding to the database draft: formtools storage, which steps may be opened, refusals.

`DraftStorage` is a formtools storage backend whose step data is the assessment's saved answers (encoded as a
browser would post them) and whose writes go through `services.assessment_save_step`. Nothing is kept in the
session or a cookie, so the draft in the database stays the only store: a draft can be continued on another
device, and two tabs or two writers are caught by the revision check in the service.

formtools builds its storage from `(prefix, request, file_storage)` only, so the assessment reaches the
storage on the request: the wizard's function view checks permission first and then sets
`request.wizard_draft` (a `WizardDraft`) before it calls the formtools view.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.shortcuts import render
from formtools.wizard.storage.base import BaseStorage

from assessments import services
from assessments.engine.definition import Definition
from assessments.engine.visibility import visible_section_keys
from assessments.forms import encode_answers
from assessments.models import Assessment
from assessments.presentation.links import SUMMARY, step_url
from assessments.services import StaleDraft

DRAFT_ATTR = "wizard_draft"


@dataclass
class WizardDraft:
    """What the function view checked before formtools runs: the draft, its questionnaire, the step asked
    for, the revision the posted form was shown with (None on GET), and a step the saved answers hide but
    which is let through once because someone else hid it while the form was open (its input is shown again)."""

    assessment: Assessment
    defn: Definition
    step: str
    revision: int | None = None
    kept_step: str | None = None


class DraftStorage(BaseStorage):
    """formtools storage bound to the database draft.

    - `get_step_data(step)`: the saved answers of the step as form data, so formtools' own `render_done`
      re-validates the whole draft through the step forms before submitting.
    - `set_step_data(step, answers)`: saves the step through the service; `outcome` then holds the
      `StepSaved`, or the `StaleDraft` / `ValidationError` the service refused with (nothing saved), and the
      storage is re-bound to the draft as it is now.
    - `current_step_data` is None: a step opens unbound with the saved answers as initial values
      (`get_form_initial`), so a step whose required answers are still missing opens without errors.
    - `reset()` keeps the draft: formtools calls it after `done()`, and the draft is not the wizard's to drop.
    """

    def __init__(self, prefix, request=None, file_storage=None):
        super().__init__(prefix, request, file_storage)
        self.draft: WizardDraft = getattr(request, DRAFT_ATTR)
        self.outcome = None
        self.init_data()
        self.current_step = self.draft.step
        self.bind(self.draft.assessment)

    def bind(self, assessment: Assessment) -> None:
        self.assessment = assessment
        data = {s.key: encode_answers(s, assessment.answers, s.key) for s in self.draft.defn.sections}
        data[SUMMARY] = {}
        self.data[self.step_data_key] = data

    def set_step_data(self, step, cleaned_data):
        if step == SUMMARY:
            return
        try:
            self.outcome = services.assessment_save_step(
                assessment=self.assessment,
                section=step,
                values=cleaned_data,
                expected_revision=self.draft.revision,
                user=self.request.user,
            )
        except StaleDraft as stale:
            self.outcome = stale
            self.bind(stale.assessment)
            return
        except ValidationError as exc:
            self.outcome = exc
            self.bind(Assessment.objects.select_related("agency", "questionnaire").get(pk=self.assessment.pk))
            return
        self.bind(self.outcome.assessment)

    @property
    def current_step_data(self):
        return None

    def reset(self):
        pass


# --- which steps may be opened -------------------------------------------------------------------------


def shown_steps(defn: Definition, answers: dict) -> list[str]:
    """The steps the saved answers show (branching by the engine, as the scoring sees it), then the summary."""
    return [*visible_section_keys(defn, answers), SUMMARY]


def reachable_steps(assessment: Assessment, keys: list[str]) -> list[str]:
    """Visited steps, and the step after a visited one: no skipping ahead over unanswered steps; the summary
    once every shown step is visited. Any of these can be jumped to."""
    sections = [key for key in keys if key != SUMMARY]
    visited = set(assessment.visited_steps)
    reachable = [k for i, k in enumerate(sections) if i == 0 or k in visited or sections[i - 1] in visited]
    if all(k in visited for k in sections):
        reachable.append(SUMMARY)
    return reachable


def first_open_step(assessment: Assessment, keys: list[str]) -> str:
    visited = set(assessment.visited_steps)
    return next((k for k in keys if k != SUMMARY and k not in visited), SUMMARY)


def refuse(request, assessment: Assessment, defn: Definition, message: str, status: int = 400):
    """A request the wizard will not act on: the reason, nothing saved, and a link to where work goes on."""
    step = first_open_step(assessment, shown_steps(defn, assessment.answers))
    return render(
        request,
        "assessments/wizard_refused.html",
        {
            "assessment": assessment,
            "message": message,
            "step_url": step_url(assessment, step) if assessment.is_editable else None,
        },
        status=status,
    )
