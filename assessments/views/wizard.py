"""The assessment wizard: one step per shown section of the questionnaire, then a summary that submits.

Built on django-formtools' NamedUrlWizardView, with one change that matters: its storage is fed from the
database draft (`Assessment.answers`), never from the session. Every step is saved to the database through
`services.assessment_save_step`, checked against the draft revision the form was shown with, so two tabs or
two people never overwrite each other silently, and a draft can be continued tomorrow on another device.

Branching is `engine.visibility.visible_sections` over the saved answers: the same code the scoring runs.
Navigation (next, previous, a jump in the progress list) is a submit of the current step's form, so what was
typed is saved first; when it does not validate, the step is shown again with the input kept and the errors
linked. Everything works without JavaScript.
"""

from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from formtools.wizard.forms import ManagementForm
from formtools.wizard.storage.base import BaseStorage
from formtools.wizard.views import NamedUrlWizardView, StepsHelper

from assessments import services
from assessments.engine.loader import as_definition
from assessments.engine.scoring import score
from assessments.engine.visibility import missing_required, visible_answers, visible_sections
from assessments.forms import RevisionForm, SummaryForm, encode_answers, initial_for, section_form_class
from assessments.lifecycle import StateConflict
from assessments.models import Assessment
from assessments.permissions import conflict_is_409, get_assessment, is_leader_of, signed_in
from assessments.presentation.display import format_time, language, localized, quoted_list
from assessments.presentation.result_view import answer_sections, present
from assessments.presentation.return_notes import return_notes
from assessments.services import StaleDraft
from assessments.views.wizard_notes import SUMMARY, WizardNotesMixin, submission_facts


class DraftStorage(BaseStorage):
    """Wizard storage whose step data is the database draft, encoded as the forms would post it.

    Nothing is written to the session: `load()` fills it per request from the assessment, and saving is the
    view's job (through the service), so the database draft stays the only source of truth.
    """

    def __init__(self, prefix, request=None, file_storage=None):
        super().__init__(prefix, request, file_storage)
        self.init_data()

    def load(self, assessment: Assessment, defn) -> None:
        current = self.current_step
        self.init_data()
        self.current_step = current
        for section in defn.sections:
            self.set_step_data(section.key, encode_answers(section, assessment.answers, section.key))
        self.extra_data = {"revision": assessment.revision}


class AssessmentWizard(WizardNotesMixin, NamedUrlWizardView):
    storage_name = "assessments.views.wizard.DraftStorage"
    template_name = "assessments/wizard_step.html"
    # The real steps depend on the assessment's questionnaire version and answers: see get_form_list().
    form_list = [(SUMMARY, SummaryForm)]

    # --- set-up: permission first, then the draft -----------------------------------------------------

    def dispatch(self, request, *args, **kwargs):
        action = "view_draft" if request.method in ("GET", "HEAD") else "edit"
        self.assessment = get_assessment(request, kwargs["uuid"], action)
        self.lang = language()
        self.defn = as_definition(self.assessment.questionnaire.definition)
        self._steps_cache = None
        self.prefix = self.get_prefix(request, *args, **kwargs)
        self.storage = DraftStorage(self.prefix, request)
        self.storage.load(self.assessment, self.defn)
        self.steps = StepsHelper(self)
        return TemplateView.dispatch(self, request, *args, **kwargs)

    def _reload(self, assessment: Assessment) -> None:
        self.assessment = assessment
        self._steps_cache = None
        self.storage.load(assessment, self.defn)

    def get_form_list(self):
        if self._steps_cache is None:
            steps = OrderedDict(
                (section.key, section_form_class(self.defn, section.key, self.lang))
                for section in visible_sections(self.defn, self.assessment.answers)
            )
            steps[SUMMARY] = SummaryForm
            self._steps_cache = steps
        return self._steps_cache.copy()

    def get_form_initial(self, step):
        if step == SUMMARY:
            return {}
        return initial_for(self.defn.section(step), self.assessment.answers)

    def get_step_url(self, step):
        return reverse("assessments:assessment_step", kwargs={"uuid": self.assessment.uuid, "step": step})

    # --- which steps may be opened ------------------------------------------------------------------

    def section_steps(self) -> list[str]:
        return [key for key in self.get_form_list() if key != SUMMARY]

    def reachable_steps(self) -> list[str]:
        """Visited steps, and the step after a visited one: no skipping ahead over unanswered steps."""
        keys = self.section_steps()
        visited = set(self.assessment.visited_steps)
        reachable = [k for i, k in enumerate(keys) if i == 0 or k in visited or keys[i - 1] in visited]
        if all(k in visited for k in keys):
            reachable.append(SUMMARY)
        return reachable

    def first_open_step(self) -> str:
        visited = set(self.assessment.visited_steps)
        return next((k for k in self.section_steps() if k not in visited), SUMMARY)

    # --- GET -----------------------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        step = kwargs["step"]
        if not self.assessment.is_editable:
            messages.info(
                request,
                _("Vurderingen har status «%(status)s» og kan ikke endres nå.")
                % {"status": self.assessment.get_status_display()},
            )
            return redirect(self.assessment)
        if step not in self.get_form_list():
            if step not in {s.key for s in self.defn.sections}:
                raise Http404
            messages.info(
                request,
                _("Steget «%(step)s» vises ikke med svarene som er gitt.")
                % {"step": localized(self.defn.section(step), "title")},
            )
            return redirect(self.get_step_url(self.first_open_step()))
        if step not in self.reachable_steps():
            messages.info(
                request, _("Stegene besvares i rekkefølge. Du er sendt til det første steget som ikke er besvart ennå.")
            )
            return redirect(self.get_step_url(self.first_open_step()))
        self.storage.current_step = step
        if step == SUMMARY:
            return self.render_summary()
        return self.render(self.get_form(step))

    # --- POST ----------------------------------------------------------------------------------------

    def post(self, request, *args, **kwargs):
        step = kwargs["step"]
        management = ManagementForm(request.POST, prefix=self.prefix)
        if not management.is_valid():
            return self.refuse(
                _(
                    "Skjemaet mangler feltet som forteller hvilket steg det hører til, eller "
                    "feltet er endret. Ingenting ble lagret."
                )
            )
        if management.cleaned_data["current_step"] != step:
            return self.refuse(
                _("Skjemaet hører til et annet steg enn adressen det ble sendt til. Ingenting ble lagret.")
            )
        revision_form = RevisionForm(request.POST)
        if not revision_form.is_valid():
            return self.refuse(
                _("Skjemaet mangler revisjonsnummeret til utkastet, eller det er ugyldig. Ingenting ble lagret.")
            )
        revision = revision_form.cleaned_data["revision"]
        if step not in self.get_form_list():
            if step not in {s.key for s in self.defn.sections}:
                raise Http404
            return self.refuse_hidden(step, revision)
        if step not in self.reachable_steps():
            return self.refuse(_("Steg kan ikke hoppes over: svar på stegene i rekkefølge. Ingenting ble lagret."))
        self.storage.current_step = step
        if step == SUMMARY:
            return self.post_summary(revision)
        return self.post_step(step, revision)

    def navigation(self) -> tuple[str, str | None]:
        target = self.request.POST.get("wizard_goto_step")
        if target:
            return "goto", target
        action = self.request.POST.get("action")
        return (action if action in ("prev", "save") else "next"), None

    def post_step(self, step: str, revision: int):
        form = self.get_form(step, data=self.request.POST)
        nav, target = self.navigation()
        replies = self._posted_replies(step)
        if not form.is_valid() or any(errors for _comment, _text, errors in replies):
            return self.render(form, revision=revision, blocked_target=self._target_url(step, nav, target))
        try:
            saved = services.assessment_save_step(
                assessment=self.assessment,
                section=step,
                values=form.answers(),
                expected_revision=revision,
                user=self.request.user,
            )
        except StaleDraft as stale:
            self._reload(stale.assessment)
            return self.render(form, revision=stale.assessment.revision, conflict=self._conflict(stale), status=409)
        except ValidationError as exc:
            self._reload(Assessment.objects.get(pk=self.assessment.pk))
            return self.refuse(" ".join(exc.messages), status=409)
        self._reload(saved.assessment)
        for comment, text, _errors in replies:
            try:
                services.review_comment_reply(comment=comment, user=self.request.user, text=text)
            except StateConflict as exc:
                messages.error(self.request, str(exc))
        self._saved_messages(step, saved)
        return redirect(self.get_step_url(self._destination(step, nav, target)))

    def _destination(self, step: str, nav: str, target: str | None) -> str:
        keys = list(self.get_form_list())
        index = keys.index(step)
        if nav == "next":
            return keys[index + 1]
        if nav == "prev":
            return keys[max(0, index - 1)]
        if nav == "goto" and target in self.reachable_steps():
            return target
        return step

    def _target_url(self, step: str, nav: str, target: str | None) -> str | None:
        """Where the user wanted to go when the step did not validate (offered as 'go without saving')."""
        if nav in ("save",):
            return None
        keys = list(self.get_form_list())
        index = keys.index(step)
        if nav == "next":
            destination = keys[index + 1]
        elif nav == "prev":
            destination = keys[max(0, index - 1)]
        else:
            destination = target
        if destination == step or destination not in self.reachable_steps():
            return None
        return self.get_step_url(destination)

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
            messages.warning(
                self.request,
                ngettext(
                    "%(count)s påkrevd spørsmål på steget er ikke besvart. Du kan svare senere, men vurderingen "
                    "kan ikke sendes inn før alt er besvart.",
                    "%(count)s påkrevde spørsmål på steget er ikke besvart. Du kan svare senere, men vurderingen "
                    "kan ikke sendes inn før alt er besvart.",
                    len(missing),
                )
                % {"count": len(missing)},
            )

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

    # --- refusals ------------------------------------------------------------------------------------

    def refuse(self, message: str, status: int = 400):
        step = self.first_open_step() if self.assessment.is_editable else None
        return render(
            self.request,
            "assessments/wizard_refused.html",
            {
                "assessment": self.assessment,
                "message": message,
                "step_url": self.get_step_url(step) if step else None,
            },
            status=status,
        )

    def refuse_hidden(self, step: str, revision: int):
        message = _("Steget «%(step)s» vises ikke med svarene som er lagret, så svarene ble ikke lagret.") % {
            "step": localized(self.defn.section(step), "title")
        }
        if revision >= self.assessment.revision:
            return self.refuse(message)
        # Someone changed the answers that decide branching while this form was open: keep the input on
        # screen so nothing typed is lost, and say what changed.
        form = section_form_class(self.defn, step, self.lang)(data=self.request.POST, prefix=step)
        form.is_valid()
        changed = services.changed_since(self.assessment, revision, self.defn)
        stale = StaleDraft(self.assessment, changed, [])
        self.storage.current_step = step
        return self.render(
            form, revision=self.assessment.revision, conflict=self._conflict(stale), hidden_message=message, status=409
        )

    # --- rendering -----------------------------------------------------------------------------------

    def render(self, form=None, status: int = 200, **kwargs):
        form = form or self.get_form()
        if hasattr(form, "mark_errors"):
            form.mark_errors()
        context = self.get_context_data(form=form, **kwargs)
        return self.render_to_response(context, status=status)

    def progress(self) -> list[dict[str, Any]]:
        current = self.storage.current_step
        reachable = set(self.reachable_steps())
        visited = set(self.assessment.visited_steps)
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
                "revision": self.assessment.revision if revision is None else revision,
                "is_leader": is_leader_of(self.request.user, self.assessment),
                "returned": notes,
                "comment_max": services.REVIEW_COMMENT_MAX_LENGTH,
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

    def post_summary(self, revision: int):
        action = self.request.POST.get("action")
        if action not in ("confirm", "submit"):
            return redirect(self.get_step_url(SUMMARY))
        if not is_leader_of(self.request.user, self.assessment):
            raise PermissionDenied(_("Bare virksomhetslederen kan sende inn vurderingen."))
        if action == "confirm":
            # First what happens next, then the real submit (a second, deliberate press).
            context = self.get_context_data(form=SummaryForm(prefix=SUMMARY), revision=revision)
            context.update(submission_facts(self.assessment))
            return render(self.request, "assessments/submit_confirm.html", context)
        return self.render_done(None, revision=revision)

    def render_done(self, form, revision: int = 0, **kwargs):
        """Re-validate every shown step from the stored draft through its form, then submit."""
        final_forms = OrderedDict()
        for key in self.section_steps():
            form_obj = self.get_form(step=key, data=self.storage.get_step_data(key))
            if not form_obj.is_valid():
                return self.render_summary(
                    status=400,
                    revision=revision,
                    error=_("Svarene på steget «%(step)s» er ikke gyldige. Åpne steget og rett dem før du sender inn.")
                    % {"step": localized(self.defn.section(key), "title")},
                )
            final_forms[key] = form_obj
        return self.done(list(final_forms.values()), form_dict=final_forms, revision=revision)

    def done(self, form_list, revision: int = 0, **kwargs):
        try:
            version = services.assessment_submit(
                assessment=self.assessment, user=self.request.user, expected_revision=revision
            )
        except StaleDraft as stale:
            self._reload(stale.assessment)
            return self.render_summary(status=409, conflict=self._conflict(stale))
        except ValidationError as exc:
            return self.render_summary(status=400, revision=revision, error=" ".join(exc.messages))
        messages.success(
            self.request, _("Vurderingen er sendt inn til UKE som versjon %(number)s.") % {"number": version.number}
        )
        return redirect(self.assessment)


assessment_wizard = signed_in(conflict_is_409(AssessmentWizard.as_view(url_name="assessments:assessment_step")))
