"""Reads of the tool overview (Verktøyoversikten): current versions, a version by its reference, flags.

Used by the forms, the pages and the services; writes are in services/catalogue.py.
"""

from typing import Any

from django.db.models import Exists, OuterRef

from assessments.engine.catalogue import CHOICE_KEY, DEVIATION_KEY, LISTED
from assessments.labels import INFO_CLASSES, TOOL_STATUSES
from assessments.models import Assessment
from assessments.models.catalogue import CatalogueFlag, ToolEntry, ToolEntryVersion
from assessments.text import whole_number

REF_KEY = "cat_ref"
# Assessments whose tool matters now: in force, or waiting for UKE.
FLAGGED_STATUSES = (Assessment.Status.APPROVED, Assessment.Status.SUBMITTED)


def current_versions(statuses=None) -> list[ToolEntryVersion]:
    """The newest version of every entry, by name (optionally only those with a status in `statuses`). One query."""
    newer = ToolEntryVersion.objects.filter(entry_id=OuterRef("entry_id"), number__gt=OuterRef("number"))
    rows = ToolEntryVersion.objects.filter(~Exists(newer)).select_related("entry").order_by("name", "pk")
    if statuses is not None:
        rows = rows.filter(status__in=list(statuses))
    return list(rows)


def resolve_ref(ref: Any) -> ToolEntryVersion | None:
    """The version a `cat_ref` answer names ("slug@number"), or None."""
    if not isinstance(ref, str) or "@" not in ref:
        return None
    slug, _sep, digits = ref.rpartition("@")
    number = whole_number(digits)
    if number is None:
        return None
    return ToolEntryVersion.objects.select_related("entry").filter(entry__slug=slug, number=number).first()


def entry_number(ref: Any, slug: str) -> int | None:
    """The version number in `ref` when it names an entry `slug` ("slug@3" -> 3), else None."""
    if not isinstance(ref, str) or not ref.startswith(f"{slug}@"):
        return None
    number = ref.rpartition("@")[2]
    return whole_number(number)


def newer_version(answers: dict[str, Any] | None) -> ToolEntryVersion | None:
    """The entry's current version when `answers` chose a tool from the overview and name an older version of it."""
    answers = answers or {}
    if answers.get(CHOICE_KEY) != LISTED:
        return None
    used = resolve_ref(answers.get(REF_KEY))
    if used is None:
        return None
    current = used.entry.current()
    return current if current is not None and current.number > used.number else None


def uses_of(entry: ToolEntry) -> int:
    """How many assessments (drafts included) were answered with any version of `entry`."""
    return Assessment.objects.filter(answers__cat_ref__startswith=f"{entry.slug}@").count()


def open_flags(agency_ids=None):
    """Flags on assessments still in force or waiting for UKE: what UKE's queue and the register show."""
    flags = CatalogueFlag.objects.filter(assessment__status__in=FLAGGED_STATUSES, closed_at__isnull=True)
    flags = flags.select_related("assessment", "assessment__agency", "new_version", "new_version__entry")
    if agency_ids is not None:
        flags = flags.filter(assessment__agency_id__in=agency_ids)
    return flags


def closed_flags(assessment) -> list[CatalogueFlag]:
    """The assessment's closed flags, newest first: its history, never shown as open."""
    flags = CatalogueFlag.objects.filter(assessment=assessment, closed_at__isnull=False)
    return list(flags.select_related("new_version", "new_version__entry", "closed_by").order_by("-closed_at"))


def tool_summary(answers: dict[str, Any] | None) -> dict[str, Any] | None:
    """The tool an answer set names, as it was when answered (its answers, which never change), or None."""
    answers = answers or {}
    if answers.get(CHOICE_KEY) != LISTED or not answers.get(REF_KEY):
        return None
    return {
        "name": answers.get("cat_name") or "",
        "ref": answers[REF_KEY],
        "slug": str(answers[REF_KEY]).rpartition("@")[0],
        "status": answers.get("cat_status") or "",
        "status_label": str(TOOL_STATUSES.get(answers.get("cat_status"), "")),
        "max_class_label": str(INFO_CLASSES.get(answers.get("cat_max_class"), "")),
        "personal_data": answers.get("cat_personal_data"),
        "deviation": answers.get(DEVIATION_KEY) or "",
    }


def flagged_ids(assessment_ids) -> set[int]:
    """Which of these assessments are flagged for re-assessment (one query, for a page of a list)."""
    return set(open_flags().filter(assessment_id__in=list(assessment_ids)).values_list("assessment_id", flat=True))
