"""The assessment wizard: one step per shown section of the questionnaire, then a summary that submits.

Built on django-formtools' `NamedUrlWizardView` through its own hooks; `dispatch`, `get` and `post` are
formtools' unchanged:

- Permission first, in the function view `assessment_wizard`, before formtools runs: contributors and leaders
  of the agency only (other agencies get 404). It also checks the request against the draft (an unknown
  step is 404; a step that is hidden or not yet reachable, a management form naming another step, a missing
  revision are refused or redirected with a message) and binds the draft to the request for the storage.
- Storage: `views.wizard_draft.DraftStorage`, bound to the database draft (`Assessment.answers`); it reads
  the saved answers as step data and writes a validated step through `services.assessment_save_step`,
  checked against the revision the form was shown with. Nothing is kept in the session.
- Branching: `form_list` and `condition_dict` are set per request in `setup()`, one condition per section from
  `engine.visibility` over the saved answers (the code the scoring runs). formtools' `get_form_list` evaluates
  them, and its `post` drops its cached list after a save, so the next step follows the new answers.
- `get_form_initial` fills a step from the draft; `process_step` hands the step's answers to the storage;
  `render_next_step` answers the save (next, back, stay, or the conflict); `render_goto_step` serves the
  jumps in the progress list; `render_done` / `done` submit from the summary.

Where this differs from what formtools would do, and why:

- formtools expects `condition_dict` branching over a class-level `form_list`; but the step forms are built
  from each assessment's questionnaire version, so both are per request (set in `setup()`), not class
  attributes.
- formtools' `post` raises SuspiciousOperation (a bare 400) on a bad management form and silently switches to
  the step the management form names; the function view refuses both with a message before any form is read.
- formtools' `render_goto_step` jumps without saving. Here a jump (and "back") is a submit of the current
  step: what was typed is saved first, and a step that does not validate is shown again with the input kept.
- formtools' named-URL `render_done` redirects to a "done" step and would submit on a GET; here the summary's
  POST submits (the leader confirms first), and formtools' own re-validation of every step runs before `done`.
- A step opens unbound with initial values (see DraftStorage), so unanswered required questions show no
  errors until the step is saved.
- A reply to UKE's comment that is too long no longer blocks saving the step's answers: the answers are
  saved and the reply is shown again with its error.
"""

from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import NamedUrlWizardView, WizardView

from assessments import services
from assessments.engine.loader import as_definition
from assessments.engine.scoring import score
from assessments.engine.visibility import missing_required, visible_answers, visible_section_keys
from assessments.forms import RevisionForm, SummaryForm, initial_for, section_form_class
from assessments.lifecycle import StateConflict
from assessments.permissions import conflict_is_409, get_assessment, is_leader_of, signed_in
from assessments.presentation.display import format_time, html_message, language, localized, quoted_list
from assessments.presentation.links import SUMMARY, step_url
from assessments.presentation.result_view import answer_sections, present
from assessments.presentation.return_notes import return_notes
from assessments.services import StaleDraft
from assessments.views.wizard_draft import (
    DRAFT_ATTR,
    WizardDraft,
    first_open_step,
    reachable_steps,
    refuse,
    shown_steps,
)
from assessments.views.wizard_navigation import WizardNavigationMixin
from assessments.views.wizard_notes import WizardNotesMixin, submission_facts

PREFIX = "assessment_wizard"
# How many unanswered questions the message after a step names; more are left to the step's own page.
MISSING_NAMED = 3


class AssessmentWizard(WizardNavigationMixin, WizardNotesMixin, NamedUrlWizardView):
    storage_name = "assessments.views.wizard_draft.DraftStorage"
    template_name = "assessments/wizard_step.html"
    # Replaced per request in setup(): the steps come from the assessment's questionnaire version.
    form_list = [(SUMMARY, SummaryForm)]

    # --- set-up: the steps of this draft ----------------------------------------------------------------

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.draft: WizardDraft = getattr(request, DRAFT_ATTR)
        self.defn = self.draft.defn
        self.lang = language()
        self.form_list = OrderedDict(
            (section.key, section_form_class(self.defn, section.key, self.lang)) for section in self.defn.sections
        )
        self.form_list[SUMMARY] = SummaryForm
        self.condition_dict = {section.key: self._condition(section.key) for section in self.defn.sections}
        self._shown_for = None

    @staticmethod
    def _condition(key: str):
        return lambda wizard: wizard.is_shown(key)

    def is_shown(self, key: str) -> bool:
        """Shown by the saved answers, or the one hidden step let through (see WizardDraft.kept_step)."""
        if self._shown_for is not self.assessment:
            self._shown = set(visible_section_keys(self.defn, self.assessment.answers))
            self._shown_for = self.assessment
        return key in self._shown or key == self.draft.kept_step

    @property
    def assessment(self):
        return self.storage.assessment

    def get_prefix(self, request, *args, **kwargs):
        return PREFIX

    def get_form_initial(self, step):
        if step == SUMMARY:
            return {}
        return initial_for(self.defn.section(step), self.assessment.answers)

    def get_step_url(self, step):
        return step_url(self.assessment, step)

    def reachable_steps(self) -> list[str]:
        return reachable_steps(self.assessment, list(self.get_form_list()))

    def _forget_steps(self) -> None:
        # formtools caches the resolved form list; after a save the answers (and so the branching) changed.
        self.__dict__.pop("_resolved_form_list", None)

    # --- after a step is validated and saved ---------------------------------------------------------

    def process_step(self, form):
        """The step's answers, as the storage saves them through the service (the summary has none)."""
        return form.answers() if hasattr(form, "answers") else {}

    def render_goto_step(self, goto_step, **kwargs):
        """A jump in the progress list submits the current step: save it first, then go."""
        step = self.steps.current
        if step == SUMMARY:
            return redirect(self.get_step_url(goto_step if goto_step in self.reachable_steps() else step))
        form = self.get_form(data=self.request.POST, files=self.request.FILES)
        if not form.is_valid():
            return self.render(form)
        self.storage.set_step_data(step, self.process_step(form))
        self._forget_steps()
        return self.render_next_step(form)

    def render_next_step(self, form, **kwargs):
        """The storage has tried to save the step: answer with where to go, or with what stopped the save."""
        step = self.steps.current
        outcome = self.storage.outcome
        if isinstance(outcome, StaleDraft):
            return self.render(form, revision=self.assessment.revision, conflict=self._conflict(outcome), status=409)
        if isinstance(outcome, ValidationError):
            if step == self.draft.kept_step:
                return self._render_hidden(form)
            return refuse(self.request, self.assessment, self.defn, " ".join(outcome.messages), status=409)
        replies = self._posted_replies(step)
        self._saved_messages(step, outcome)
        if any(errors for _comment, _text, errors in replies):
            return self.render(self.get_form(step, data=self.request.POST), revision=self.assessment.revision)
        for comment, text, _errors in replies:
            try:
                services.review_comment_reply(comment=comment, user=self.request.user, text=text)
            except StateConflict as exc:
                messages.error(self.request, str(exc))
        return redirect(self.destination_url(step, *self.navigation()))

    def _render_hidden(self, form):
        """Someone changed the answers that decide branching while this form was open: keep the input on
        screen so nothing typed is lost, and say what changed."""
        message = hidden_step_message(self.defn, self.steps.current)
        changed = services.changed_since(self.assessment, self.draft.revision, self.defn)
        stale = StaleDraft(self.assessment, changed, [])
        return self.render(
            form, revision=self.assessment.revision, conflict=self._conflict(stale), hidden_message=message, status=409
        )

    def _saved_messages(self, step: str, saved: services.StepSaved) -> None:
        when = format_time(saved.assessment.updated_at)
        messages.success(self.request, _("Lagret kl. %(time)s.") % {"time": when})
        if saved.merged:
            labels = quoted_list(self._label(k) for k in saved.merged)
            messages.info(
                self.request,
                _("Mens du fylte ut, lagret noen andre svar på: %(labels)s. Svarene deres er beholdt sammen med dine.")
                % {"labels": labels},
            )
        section_keys = {q.key for q in self.defn.section(step).questions}
        missing = [k for k in missing_required(self.defn, saved.assessment.answers) if k in section_keys]
        if missing:
            messages.warning(self.request, self._missing_message(step, saved.assessment, missing))

    def _missing_message(self, step: str, assessment, missing: list[str]) -> str:
        """Shown on the next step's page, so it names the step, as a link back to it, and up to
        MISSING_NAMED questions: a sentence quoting thirteen questions is read out whole by a screen reader and
        says less than the step's own page, where each one is marked."""
        link = format_html(
            '<a href="{}">{}</a>', step_url(assessment, step), localized(self.defn.section(step), "title")
        )
        if len(missing) > MISSING_NAMED:
            text = _(
                "Steget «%(step)s» har %(count)s påkrevde spørsmål uten svar. Du kan svare senere, men vurderingen kan "
                "ikke sendes inn før alt er besvart."
            )
            return html_message(text, step=link, count=len(missing))
        text = ngettext(
            "Steget «%(step)s» har %(count)s påkrevd spørsmål uten svar: %(labels)s. Du kan svare senere, "
            "men vurderingen kan ikke sendes inn før alt er besvart.",
            "Steget «%(step)s» har %(count)s påkrevde spørsmål uten svar: %(labels)s. Du kan svare senere, "
            "men vurderingen kan ikke sendes inn før alt er besvart.",
            len(missing),
        )
        labels = quoted_list(self._label(k) for k in missing)
        return html_message(text, step=link, count=len(missing), labels=labels)

    def _section_of(self, key: str) -> str:
        return localized(self.defn.section(self.defn.questions[key].section), "title")

    def _label(self, key: str) -> str:
        question = self.defn.questions.get(key)
        if question is None:
            return key
        return localized(question, "label")

    def _conflict(self, stale: StaleDraft) -> list[dict[str, Any]]:
        answers = stale.assessment.answers
        rows = []
        for key in stale.changed:
            question = self.defn.questions.get(key)
            rows.append(
                {
                    "key": key,
                    "label": self._label(key),
                    "section": localized(self.defn.section(question.section), "title") if question else "",
                    "value": question.value_label(answers.get(key), self.lang) if question else answers.get(key),
                    "conflict": key in stale.conflicts,
                }
            )
        return rows

    # --- rendering -----------------------------------------------------------------------------------

    def render(self, form=None, status: int = 200, **kwargs):
        kwargs.pop("uuid", None)  # the URL's arguments, which formtools passes on
        kwargs.pop("step", None)
        step = self.steps.current
        if step == SUMMARY:
            return self.render_summary(status=status, **kwargs)
        form = form or self.get_form()
        if self.request.method == "POST":
            if step == self.draft.kept_step and "hidden_message" not in kwargs:
                return self._render_hidden(form)
            if not hasattr(self, "_reply_input"):
                self._posted_replies(step)  # typed replies stay on screen with the step's input
            if form.is_bound and form.errors:
                kwargs.setdefault("blocked_target", self._target_url(step, *self.navigation()))
                status = 400 if status == 200 else status  # as every other form answers input it refuses
        form.mark_errors()
        context = self.get_context_data(form=form, **kwargs)
        return self.render_to_response(context, status=status)

    def _revision(self) -> int:
        """The revision a posted form was shown with (kept when it is shown again), else the draft's."""
        return self.assessment.revision if self.draft.revision is None else self.draft.revision

    def progress(self) -> list[dict[str, Any]]:
        current = self.storage.current_step
        reachable = set(self.reachable_steps())
        visited = set(self.assessment.visited_steps)
        # A visited step with required answers missing says so, so the leader sees where to go back to.
        unfinished = {self.defn.questions[k].section for k in missing_required(self.defn, self.assessment.answers)}
        rows = []
        for number, key in enumerate(self.get_form_list(), start=1):
            title = _("Oppsummering") if key == SUMMARY else localized(self.defn.section(key), "title")
            rows.append(
                {
                    "key": key,
                    "number": number,
                    "title": title,
                    "current": key == current,
                    "reachable": key in reachable,
                    "visited": key in visited,
                    "unfinished": key in visited and key in unfinished,
                    "url": self.get_step_url(key),
                }
            )
        return rows

    def get_context_data(self, form, revision: int | None = None, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        step = self.storage.current_step
        progress = self.progress()
        notes = return_notes(self.assessment, self.defn, self.get_step_url)
        current = next((row for row in progress if row["current"]), progress[0])
        context.update(
            {
                "assessment": self.assessment,
                "step": step,
                "progress": progress,
                "step_number": current["number"],
                "step_count": len(progress),
                "step_title": current["title"],
                "revision": self._revision() if revision is None else revision,
                "is_leader": is_leader_of(self.request.user, self.assessment),
                "returned": notes,
                "comment_max": services.REVIEW_COMMENT_MAX_LENGTH,
                "return_to_summary": step != SUMMARY and self._returns_to_summary(),
                "summary_url": self.get_step_url(SUMMARY),
            }
        )
        if step != SUMMARY and hasattr(form, "items"):
            section = self.defn.section(step)
            context.update(
                {
                    "section": section,
                    "section_description": localized(section, "description"),
                    "items": self._with_contradictions(self._items(form, notes)),
                    "added_by": self._added_by(section),
                    "error_list": [
                        {"label": row["field"].label, "anchor": row["anchor"], "message": error}
                        for row in form.items()
                        for error in row["field"].errors
                    ]
                    + [
                        {"label": _("Svar til UKE"), "anchor": f"reply-{pk}", "message": error}
                        for pk, (_text, errors) in getattr(self, "_reply_input", {}).items()
                        for error in errors
                    ]
                    + [{"label": "", "anchor": "", "message": e} for e in form.non_field_errors()],
                    "prev_step": self.get_prev_step(step) if step in self.get_form_list() else None,
                }
            )
        return context

    # --- the summary and submitting ------------------------------------------------------------------

    def render_summary(self, *, status: int = 200, error: str = "", conflict=None, revision: int | None = None):
        answers = self.assessment.answers
        visible = visible_answers(self.defn, answers)
        result = score(self.defn, visible).to_dict()
        dropped = [k for k in answers if k not in visible and k in self.defn.questions]
        sections = answer_sections(self.defn, visible, step_url=self.get_step_url, missing=set(result["missing"]))
        context = self.get_context_data(form=SummaryForm(prefix=SUMMARY), revision=revision)
        context.update(
            {
                "sections": sections,
                "dropped": [{"label": self._label(k), "section": self._section_of(k)} for k in dropped],
                "result": present(self.defn, result),
                "complete": result["complete"],
                "missing_count": len(result["missing"]),
                "submit_error": error,
                "conflict": conflict,
            }
        )
        return self.response_class(
            request=self.request,
            template="assessments/wizard_summary.html",
            context=context,
            status=status,
            using=self.template_engine,
        )

    def render_done(self, form, **kwargs):
        """The summary was posted: "confirm" shows what happens next, "submit" (a second, deliberate press)
        re-validates every step through formtools, then `done` submits."""
        action = self.request.POST.get("action")
        if action not in ("confirm", "submit"):
            return redirect(self.get_step_url(SUMMARY))
        if not is_leader_of(self.request.user, self.assessment):
            raise PermissionDenied(_("Bare virksomhetslederen kan sende inn vurderingen."))
        if action == "confirm":
            facts = submission_facts(self.assessment)
            if not facts["complete"]:  # the summary's button is not there; a hand-made post gets the summary
                return redirect(self.get_step_url(SUMMARY))
            return render(
                self.request, "assessments/submit_confirm.html", {**self.get_context_data(form=form), **facts}
            )
        # WizardView's, not NamedUrlWizardView's: that one redirects to a "done" URL to submit on a GET.
        return WizardView.render_done(self, form, **kwargs)

    def render_revalidation_failure(self, step, form, **kwargs):
        return self.render_summary(
            status=400,
            error=_("Svarene på steget «%(step)s» er ikke gyldige. Åpne steget og rett dem før du sender inn.")
            % {"step": localized(self.defn.section(step), "title")},
        )

    def done(self, form_list, **kwargs):
        try:
            version = services.assessment_submit(
                assessment=self.assessment, user=self.request.user, expected_revision=self.draft.revision
            )
        except StaleDraft as stale:
            self.storage.bind(stale.assessment)
            return self.render_summary(status=409, conflict=self._conflict(stale), revision=stale.assessment.revision)
        except ValidationError as exc:
            return self.render_summary(status=400, error=" ".join(exc.messages))
        messages.success(
            self.request, _("Vurderingen er sendt inn til UKE som versjon %(number)s.") % {"number": version.number}
        )
        return redirect(self.assessment)


# --- the function view: permission first, then the request checked against the draft -------------------

_formtools_view = AssessmentWizard.as_view(url_name="assessments:assessment_step")


@signed_in
@conflict_is_409
def assessment_wizard(request, uuid, step):
    action = "view_draft" if request.method in ("GET", "HEAD") else "edit"
    assessment = get_assessment(request, uuid, action)
    if request.method in ("GET", "HEAD") and not assessment.is_editable:
        messages.info(
            request,
            _("Vurderingen har status «%(status)s» og kan ikke endres nå.")
            % {"status": assessment.get_status_display()},
        )
        return redirect(assessment)
    defn = as_definition(assessment.questionnaire.definition)
    if step != SUMMARY and step not in {section.key for section in defn.sections}:
        raise Http404
    draft = WizardDraft(assessment, defn, step)
    check = _check_post if request.method == "POST" else _check_get
    answer = check(request, draft)
    if answer is not None:
        return answer
    setattr(request, DRAFT_ATTR, draft)
    return _formtools_view(request, uuid=uuid, step=step)


def _check_get(request, draft: WizardDraft):
    """A hidden step, or one ahead of the answered steps, opens the first step with work left instead."""
    assessment, defn, step = draft.assessment, draft.defn, draft.step
    keys = shown_steps(defn, assessment.answers)
    if step not in keys:
        message = _("Steget «%(step)s» vises ikke med svarene som er gitt.") % {
            "step": localized(defn.section(step), "title")
        }
    elif step not in reachable_steps(assessment, keys):
        # "Not answered" would be wrong: a visited step may still lack answers (the summary lists those), and the
        # user is sent on past it to the first step not yet opened.
        message = _("Stegene gås gjennom i rekkefølge. Du er sendt til det første steget du ikke har åpnet ennå.")
    else:
        return None
    messages.info(request, message)
    return redirect(step_url(assessment, first_open_step(assessment, keys)))


def _check_post(request, draft: WizardDraft):
    """Refuse, before any form is read, a post formtools would misread; note the revision it was shown with."""
    assessment, defn, step = draft.assessment, draft.defn, draft.step
    management = ManagementForm(request.POST, prefix=PREFIX)
    revision_form = RevisionForm(request.POST)
    if not management.is_valid():
        message = _(
            "Skjemaet mangler feltet som forteller hvilket steg det hører til, eller feltet er endret. "
            "Ingenting ble lagret."
        )
    elif management.cleaned_data["current_step"] != step:
        message = _("Skjemaet hører til et annet steg enn adressen det ble sendt til. Ingenting ble lagret.")
    elif not revision_form.is_valid():
        message = _("Skjemaet mangler revisjonsnummeret til utkastet, eller det er ugyldig. Ingenting ble lagret.")
    else:
        draft.revision = revision_form.cleaned_data["revision"]
        message = _hidden_or_skipped(draft)
    return None if message is None else refuse(request, assessment, defn, message)


def _hidden_or_skipped(draft: WizardDraft) -> str | None:
    assessment, defn, step = draft.assessment, draft.defn, draft.step
    keys = shown_steps(defn, assessment.answers)
    if step not in keys:
        if draft.revision < assessment.revision:
            # Hidden by someone else's save while the form was open: formtools shows the input again.
            draft.kept_step = step
            return None
        return hidden_step_message(defn, step)
    if step not in reachable_steps(assessment, keys):
        return _("Steg kan ikke hoppes over: svar på stegene i rekkefølge. Ingenting ble lagret.")
    return None


def hidden_step_message(defn, step: str) -> str:
    """A step the saved answers do not show: why nothing was saved."""
    return _("Steget «%(step)s» vises ikke med svarene som er lagret, så svarene ble ikke lagret.") % {
        "step": localized(defn.section(step), "title")
    }
