"""Writes: every change that spans models or starts a job goes through a service here.

One module per area. The assessment core's services are gathered here, so callers use `services.<name>`:
`questionnaires` (publish, replace), `assessments` (drafts, the wizard's saves, submission and the leader's
transitions), `draft_settings` (a draft's contributors and report language), `review` (comments, replies, material
change), `decisions` (return, approve, reject; the signed report), `reports` (previews), `purge` (a departed user).
The other areas are called through their module (`services.plans.<name>`): `quickpath` (start from a screening,
submit as simplified), `plans` (the action plan) with `plan_reassess`, `plan_reminders`, `plan_report` (the sealed
status report) and `go_live`, `evidence` (what an uploaded file is) with `evidence_scan` (its virus scan),
`catalogue` (the tool overview) with `catalogue_flags`, `public_access` (exemptions, innsyn copies), `officers` (the
officers' advice), `archive` (hand-over to the archive), `retention`, `people` (leavers). `locking` holds the one
way a service locks a row.

One rule for permissions: a service that acts for a user asks the permission layer itself
(`permissions.authorize`), before it writes, whoever called it; views ask first as well, so a page answers
403/404 before it does any work. Services run by administrators through Django admin or by management
commands (questionnaire versions, purge) take an `actor` and leave the check to admin's own permissions.
"""

from assessments.services.assessments import (
    AlreadyCreated,
    AnswersFileError,
    StaleDraft,
    StepSaved,
    assessment_create,
    assessment_export,
    assessment_import,
    assessment_move_questionnaire,
    assessment_recall,
    assessment_save_step,
    assessment_submit,
    assessment_withdraw,
    changed_since,
)
from assessments.services.decisions import (
    REVIEW_MONTHS,
    REVIEW_MONTHS_HIGH_RISK,
    assessment_approve,
    assessment_reject,
    assessment_return,
    review_by_for,
)
from assessments.services.draft_settings import (
    assessment_invite_contributor,
    assessment_remove_contributor,
    assessment_set_language,
)
from assessments.services.purge import (
    NAME_REMOVED,
    PURGED_PREFIX,
    user_purge,
)
from assessments.services.questionnaires import (
    newer_questionnaire,
    publish_released,
    questionnaire_publish,
    questionnaire_replace,
)
from assessments.services.reports import (
    report_request_preview,
)
from assessments.services.review import (
    MATERIAL_CHANGE_KINDS,
    REVIEW_COMMENT_MAX_LENGTH,
    REVIEW_REASON_MAX_LENGTH,
    assessment_report_material_change,
    review_comment_add,
    review_comment_reply,
)

__all__ = [
    "publish_released",
    "questionnaire_publish",
    "questionnaire_replace",
    "newer_questionnaire",
    "REVIEW_COMMENT_MAX_LENGTH",
    "REVIEW_REASON_MAX_LENGTH",
    "MATERIAL_CHANGE_KINDS",
    "review_comment_add",
    "review_comment_reply",
    "assessment_report_material_change",
    "StaleDraft",
    "AlreadyCreated",
    "AnswersFileError",
    "StepSaved",
    "changed_since",
    "assessment_create",
    "assessment_import",
    "assessment_move_questionnaire",
    "assessment_save_step",
    "assessment_submit",
    "assessment_recall",
    "assessment_withdraw",
    "assessment_invite_contributor",
    "assessment_set_language",
    "assessment_remove_contributor",
    "assessment_export",
    "REVIEW_MONTHS",
    "REVIEW_MONTHS_HIGH_RISK",
    "review_by_for",
    "assessment_return",
    "assessment_approve",
    "assessment_reject",
    "report_request_preview",
    "PURGED_PREFIX",
    "NAME_REMOVED",
    "user_purge",
]
