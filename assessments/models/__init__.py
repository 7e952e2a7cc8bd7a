"""The app's models, by area; every model is importable from here (`from assessments.models import X`),
which is also how Django finds them (`models` must import every module that defines one).

`agencies` (agencies, memberships, municipal roles), `assessments` (questionnaire versions, assessments, their
versions, review comments, sent reminders, overview cells), `reports`, `audit` (the append-only chain, its
head and write caps), `accounts` (Entra ID group mapping and the roles a sign-in brought), `people` (work flagged
for reassignment when someone leaves), `plans` (action plan items, their history, evidence, sent reminders),
`catalogue` (the tool overview: entries, their versions, flags, API tokens), `public_access` (exemptions),
`officers` (the officers' advice), `archive` (hand-overs to the archive), `outbox` (e-mail). `fields` holds the
field factories they share, `base` the abstract bases (a row written once).
"""

from assessments.choices import PATH_CHOICES, OfficerRole
from assessments.models.accounts import (
    GroupMapping,
    GroupRoles,
)
from assessments.models.agencies import (
    Agency,
    Membership,
    MunicipalRole,
    norwegian_slugify,
    validate_org_number,
)
from assessments.models.archive import ArchiveHandover
from assessments.models.assessments import (
    Assessment,
    AssessmentVersion,
    OverviewAgencyQuadrant,
    OverviewAgencySpot,
    OverviewCell,
    OverviewScope,
    OverviewToolCell,
    Questionnaire,
    ReviewComment,
    SentReminder,
)
from assessments.models.audit import (
    AppendOnlyQuerySet,
    AuditEvent,
    AuditHead,
    AuditWriteCap,
)
from assessments.models.catalogue import (
    ApiToken,
    CatalogueFlag,
    ToolEntry,
    ToolEntryVersion,
)
from assessments.models.officers import OfficerAdvice
from assessments.models.outbox import (
    OutboxMessage,
)
from assessments.models.people import ReassignmentFlag
from assessments.models.plans import (
    Evidence,
    PlanItem,
    PlanItemHistory,
    ReminderSent,
)
from assessments.models.public_access import Exemption, ToolExemption
from assessments.models.reports import (
    Report,
)

__all__ = [
    "Exemption",
    "ToolExemption",
    "PATH_CHOICES",
    "ArchiveHandover",
    "OfficerAdvice",
    "OfficerRole",
    "ReassignmentFlag",
    "ApiToken",
    "CatalogueFlag",
    "ToolEntry",
    "ToolEntryVersion",
    "Evidence",
    "PlanItem",
    "PlanItemHistory",
    "ReminderSent",
    "norwegian_slugify",
    "validate_org_number",
    "Agency",
    "Membership",
    "MunicipalRole",
    "Questionnaire",
    "Assessment",
    "AssessmentVersion",
    "OverviewCell",
    "OverviewScope",
    "OverviewAgencyQuadrant",
    "OverviewAgencySpot",
    "OverviewToolCell",
    "ReviewComment",
    "SentReminder",
    "Report",
    "AppendOnlyQuerySet",
    "AuditEvent",
    "AuditHead",
    "AuditWriteCap",
    "GroupMapping",
    "GroupRoles",
    "OutboxMessage",
]
