"""Which actions a page offers, by the assessment's status and the reader's role: one table, so no page
offers what the state or the role does not allow (a draft preview of an approved assessment, "Rett
svarene" to a contributor who may not edit a returned one).

The services check the same rules again when the action is taken; this decides only what is shown.
"""

from dataclasses import dataclass

from assessments import lifecycle
from assessments.models import Assessment
from assessments.permissions import can_see_draft, is_leader_of

S = Assessment.Status


@dataclass(frozen=True)
class Actions:
    edit: bool = False  # "Fortsett utfyllingen" / "Rett svarene"
    preview: bool = False  # a PDF preview of the draft
    recall: bool = False  # back to draft before UKE has decided
    withdraw: bool = False
    contributors: bool = False
    language: bool = False  # the language of the report and the e-mails
    material_change: bool = False
    reply: bool = False  # answer UKE's comments

    @property
    def any(self) -> bool:
        return any(vars(self).values())


def available_actions(user, assessment: Assessment, *, undecided: bool = True) -> Actions:
    """`undecided`: the latest version has no decision yet (only then can a submission be recalled)."""
    status = assessment.status
    leader = is_leader_of(user, assessment)
    drafts = can_see_draft(user, assessment)
    editable = status in lifecycle.EDITABLE_STATUSES
    return Actions(
        edit=editable and drafts,
        preview=editable and drafts,
        recall=leader and lifecycle.allowed("recall", status) and undecided,
        withdraw=leader and lifecycle.allowed("withdraw", status),
        contributors=leader and editable,
        language=leader and editable,
        material_change=leader and lifecycle.allowed("report_material_change", status),
        reply=leader and status == S.RETURNED,
    )
