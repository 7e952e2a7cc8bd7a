"""What the wizard shows around the questions, and where it opens.

- While UKE has returned the assessment: UKE's comments at their questions, and the leader's replies,
  which are saved together with the step's answers (so typed answers are never lost to a second form).
- For a step shown because of earlier answers: which answer added it.
- Answers that contradict each other: a warning at each of the questions, linking to the other.
- Where "Fortsett" / "Rett svarene" opens the draft: the first commented step after a return, otherwise the
  first step with required answers missing (or not yet visited), otherwise the summary.
- Before submitting: the conclusion being sent, and what happens next (who reviews, how long it usually takes,
  who is told).
"""

import statistics
from typing import Any

from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import services
from assessments.engine.conditions import referenced_keys, referenced_rules, triggered_by
from assessments.engine.loader import as_definition
from assessments.engine.scoring import score
from assessments.engine.visibility import (
    RuleEvaluator,
    is_required,
    missing_required,
    question_shown,
    visible_answers,
    visible_sections,
)
from assessments.lifecycle import STOP_VERDICT
from assessments.models import Assessment, AssessmentVersion
from assessments.permissions import get_assessment, is_leader_of, signed_in
from assessments.presentation.display import localized
from assessments.presentation.links import SUMMARY
from assessments.presentation.result_view import contradictions
from assessments.presentation.return_notes import return_notes
from assessments.text import UNSTORABLE_MESSAGE, unstorable

# How many recent decisions the usual review time is measured over.
REVIEW_TIME_SAMPLE = 50


class WizardNotesMixin:
    """UKE's comments and the leader's replies on a step, and why a step is shown (AssessmentWizard)."""

    def _posted_replies(self, step: str) -> list[tuple[Any, str, list[str]]]:
        """The leader's new or changed replies to UKE's comments on this step: (comment, text, errors)."""
        self._reply_input = {}
        notes = return_notes(self.assessment, self.defn)
        if notes is None or not is_leader_of(self.request.user, self.assessment):
            return []
        keys = {q.key for q in self.defn.section(step).questions}
        limit = services.REVIEW_COMMENT_MAX_LENGTH
        replies = []
        for key in keys & set(notes.by_key):
            for comment in notes.by_key[key]:
                text = (self.request.POST.get(f"reply-{comment.pk}") or "").replace("\r\n", "\n").strip()
                if not text or text == comment.reply:
                    continue
                errors = [str(UNSTORABLE_MESSAGE)] if unstorable(text) else []
                if len(text) > limit:
                    errors.append(
                        _("Svaret er for langt: %(length)s tegn, men høyst %(limit)s er tillatt.")
                        % {"length": len(text), "limit": limit}
                    )
                self._reply_input[comment.pk] = (text, errors)
                replies.append((comment, text, errors))
        return replies

    def _items(self, form, notes) -> list[dict[str, Any]]:
        """The step's questions, each with whether it must be answered now and UKE's comments on it while the
        assessment is returned."""
        items = form.items()
        typed = getattr(self, "_reply_input", {})
        answers = visible_answers(self.defn, self.assessment.answers)
        rules = RuleEvaluator(self.defn, answers)
        _hide_by_earlier_answers(form, items, answers)
        for row in items:
            # A required_when question is marked by the saved answers: the marker follows a change once it is saved.
            row["required"] = is_required(self.defn, row["question"], answers, rules)
            # Required exactly when shown: app.js shows the marker when it shows the question before a save.
            question = row["question"]
            row["required_when_shown"] = (
                question.shown_when is not None and question.required_when == question.shown_when
            )
            row["comments"] = notes.by_key.get(row["question"].key, []) if notes else []
            for comment in row["comments"]:
                comment.reply_draft, comment.reply_errors = typed.get(comment.pk, (None, []))
        return items

    def _with_contradictions(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each question's contradictions with other answers, linking to the other question where it is shown."""
        if not self.defn.consistency:
            return items
        result = score(self.defn, visible_answers(self.defn, self.assessment.answers)).to_dict()
        checks = contradictions(self.defn, result)
        shown = {section.key for section in visible_sections(self.defn, self.assessment.answers)}
        for item in items:
            key = item["question"].key
            item["contradictions"] = [
                {
                    "title": check["title"],
                    "message": check["message"],
                    "others": [
                        {"label": q["label"], "url": f"{self.get_step_url(q['section'])}#q-{q['key']}"}
                        for q in check["questions"]
                        if q["key"] != key and q["section"] in shown
                    ],
                }
                for check in checks
                if any(q["key"] == key for q in check["questions"])
            ]
        return items

    def _added_by(self, section) -> list[dict[str, str]]:
        """For a step shown because of earlier answers: the answers that added it. Only the branches of its
        condition that hold count, so a question named only in a branch that does not hold is left out; under a
        `not`, the answers that make the negated part fail (the same reading as a rule's "applies here because",
        `conditions.explain`)."""
        if section.shown_when is None:
            return []
        answers = visible_answers(self.defn, self.assessment.answers)
        rules = RuleEvaluator(self.defn, answers)  # a step may follow a rule, as the FRIA step follows high risk
        by_id = {rule.id: rule for rule in self.defn.rules}
        rule_triggers = {
            rule_id: triggered_by(by_id[rule_id].when, answers, rules)
            for rule_id in referenced_rules(section.shown_when)
            if rule_id in by_id and rules(rule_id)
        }
        found = triggered_by(section.shown_when, answers, rules, rule_triggers)
        keys = sorted((k for k in found if k in self.defn.questions and k in answers),
                      key=lambda k: self.defn.questions[k].order)  # fmt: skip
        return [
            {
                "label": localized(self.defn.questions[k], "label"),
                "value": self.defn.questions[k].value_label(answers[k], self.lang),
            }
            for k in keys
        ]


def _hide_by_earlier_answers(form, items: list[dict[str, Any]], answers: dict[str, Any]) -> None:
    """A question whose condition reads answers of earlier steps only: hidden when those answers rule it out (how
    the caseworker uses the proposal, on the decisions step, when no people are affected). A hidden question is
    still in the form, so what was typed in it is kept, as when app.js hides one; the engine counts no answer to
    it either way. A condition on this step's own answers is left to the browser (`SectionForm._shown_when_attr`).
    The saved answers of earlier steps are all the condition reads, so the engine's own test decides."""
    own = {question.key for question in form.section.questions}
    for row in items:
        question = row["question"]
        if question.shown_when is None or referenced_keys(question.shown_when) & own:
            continue
        if not question_shown(question, answers):
            row["hidden"] = True


def resume_step(assessment: Assessment) -> str:
    """Where work remains: the first commented step after a return, else the first step that is not yet
    visited or has required answers missing, else the summary."""
    defn = as_definition(assessment.questionnaire.definition)
    notes = return_notes(assessment, defn)
    if notes and notes.first_step:
        return notes.first_step
    visited = set(assessment.visited_steps)
    missing = set(missing_required(defn, assessment.answers))
    for section in visible_sections(defn, assessment.answers):
        if section.key not in visited or any(q.key in missing for q in section.questions):
            return section.key
    return SUMMARY


@signed_in
def assessment_continue(request, uuid):
    """Open the draft where work remains (see resume_step)."""
    assessment = get_assessment(request, uuid, "view_draft")
    if not assessment.is_editable:
        return redirect(assessment)
    return redirect("assessments:assessment_step", uuid=assessment.uuid, step=resume_step(assessment))


def usual_review_days() -> int | None:
    """The median number of days from submission to UKE's decision over the latest decisions; None
    while there are too few to say."""
    recent = (
        AssessmentVersion.objects.exclude(decided_at=None)
        .order_by("-decided_at")
        .values_list("submitted_at", "decided_at")[:REVIEW_TIME_SAMPLE]
    )
    days = [max(0, (decided - submitted).days) for submitted, decided in recent]
    return round(statistics.median(days)) if len(days) >= 3 else None


def submission_facts(assessment: Assessment) -> dict[str, Any]:
    """What the confirmation page says is sent, and what happens after submitting."""
    defn = as_definition(assessment.questionnaire.definition)
    result = score(defn, visible_answers(defn, assessment.answers))
    return {
        # The conclusion the leader sends, so a "Stopp" is not sent without being seen once more.
        "complete": result.complete,
        "verdict": result.verdict,
        "stopped": result.verdict == STOP_VERDICT,
        "usual_days": usual_review_days(),
        "now": timezone.now(),
        "resubmission": assessment.status == Assessment.Status.RETURNED,
    }
