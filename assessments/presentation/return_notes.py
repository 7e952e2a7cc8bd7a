"""UKE's return, where the leader works: the reason and the comments of the returned version, each comment
tied to its question and the wizard step that shows it.

The wizard shows these on every step while the assessment is returned (a banner with the reason and links
to the commented questions, and each comment at its question); "Rett svarene" opens the first commented step.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assessments.engine.definition import Definition
from assessments.engine.visibility import visible_sections
from assessments.models import Assessment, AssessmentVersion, ReviewComment
from assessments.presentation.display import localized


@dataclass
class ReturnNotes:
    version: AssessmentVersion
    reason: str
    by_key: dict[str, list[ReviewComment]] = field(default_factory=dict)
    general: list[ReviewComment] = field(default_factory=list)
    # The commented questions in questionnaire order: label, step and link.
    questions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def first_step(self) -> str | None:
        return self.questions[0]["step"] if self.questions else None


def return_notes(
    assessment: Assessment, defn: Definition, step_url: Callable[[str], str] | None = None
) -> ReturnNotes | None:
    """The returned version's reason and comments, or None when the assessment is not returned."""
    if assessment.status != Assessment.Status.RETURNED:
        return None
    version = assessment.versions.order_by("-number").first()
    if version is None or version.decision != AssessmentVersion.Decision.RETURNED:
        return None
    notes = ReturnNotes(version=version, reason=version.decision_reason)
    for comment in version.comments.select_related("author", "replied_by"):
        if comment.question_key:
            notes.by_key.setdefault(comment.question_key, []).append(comment)
        else:
            notes.general.append(comment)
    for section in visible_sections(defn, assessment.answers):
        for question in section.questions:
            if question.key in notes.by_key:
                url = step_url(section.key) if step_url else ""
                notes.questions.append(
                    {
                        "key": question.key,
                        "label": localized(question, "label"),
                        "step": section.key,
                        "step_title": localized(section, "title"),
                        "url": f"{url}#q-{question.key}" if url else "",
                        "count": len(notes.by_key[question.key]),
                    }
                )
    return notes
