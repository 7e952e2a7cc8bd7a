"""Writes for public access (offentleglova): UKE marks parts of an assessment or fields of a tool overview entry
as exempt, lifts such exemptions, and makes innsyn copies. Each write is in one transaction with its permission
check, its lock and its audit event; the audit event holds what was exempted and the legal basis, never the
exempt content.
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.audit import chain as audit
from assessments.engine.definition import Definition
from assessments.engine.loader import as_definition
from assessments.labels import EXEMPT_FIELDS, EXEMPTION_BASES, TOOL_EXEMPT_FIELDS
from assessments.models import Assessment, AssessmentVersion, Exemption, ToolEntry, ToolExemption
from assessments.models.public_access import FIELD, QUESTION, SECTION
from assessments.permissions import authorize, may_edit_catalogue, roles_for
from assessments.reports import innsyn
from assessments.services.locking import lock
from assessments.services.review import required_text

REASON_MAX_LENGTH = 500


def latest_version(assessment: Assessment) -> AssessmentVersion | None:
    return assessment.versions.select_related("questionnaire").order_by("-number").first()


def definition_of(assessment: Assessment) -> Definition | None:
    """The questionnaire of the newest submitted version: what the register and the innsyn copy show."""
    version = latest_version(assessment)
    return as_definition(version.questionnaire.definition) if version is not None else None


def target_exists(defn: Definition, target: str) -> bool:
    kind, _sep, key = target.partition(":")
    if kind == SECTION:
        return any(section.key == key for section in defn.sections)
    if kind == QUESTION:
        return key in defn.questions
    return kind == FIELD and key in EXEMPT_FIELDS


def _checked(basis: str, reason: str) -> str:
    if basis not in EXEMPTION_BASES:
        raise ValidationError({"basis": _("Velg en hjemmel fra listen.")}, code="invalid")
    return required_text(
        reason, field="reason", limit=REASON_MAX_LENGTH, required_message=_("Skriv en kort begrunnelse for unntaket.")
    )


def exemption_mark(*, assessment: Assessment, user, target: str, basis: str, reason: str) -> Exemption:
    """Exempt one part of an assessment (a section, an answer or a free text); marking it again changes the
    basis and the reason."""
    authorize(user, assessment, "exempt")
    reason = _checked(basis, reason)
    with transaction.atomic():
        locked = lock(Assessment, assessment.pk)
        defn = definition_of(locked)
        if defn is None or not target_exists(defn, target):
            raise ValidationError({"target": _("Velg hva som skal unntas offentlighet.")}, code="invalid")
        exemption, created = Exemption.objects.update_or_create(
            assessment=locked, target=target, defaults={"basis": basis, "reason": reason, "created_by": user}
        )
        audit.record(user, "public_access.exempted", locked, locked.agency_id,
                     {"target": target, "basis": basis, "changed": not created})  # fmt: skip
    return exemption


def exemption_lift(*, assessment: Assessment, user, target: str) -> bool:
    """Lift one exemption; False when there was none (a second click, or another user was first)."""
    authorize(user, assessment, "exempt")
    with transaction.atomic():
        locked = lock(Assessment, assessment.pk)
        rows = Exemption.objects.filter(assessment=locked, target=target)
        return _lift(rows, user, "public_access.exemption_lifted", locked, locked.agency_id, {"target": target})


def _lift(rows, user, action: str, obj, agency_id, details: dict) -> bool:
    """Delete the one exemption in `rows` and record it; False when there is none (a second click, or another
    user was first). Called inside the caller's transaction, with the owner locked."""
    exemption = rows.first()
    if exemption is None:
        return False
    exemption.delete()
    audit.record(user, action, obj, agency_id, {**details, "basis": exemption.basis})
    return True


def innsyn_copy_make(*, assessment: Assessment, user) -> tuple[AssessmentVersion, bytes]:
    """The innsyn copy of the newest submitted version, with today's exemptions (reports/innsyn.py), audited
    with its checksum. Made in the request: it is the report's few pages, and UKE waits for it."""
    authorize(user, assessment, "exempt")
    version = latest_version(assessment)
    exemptions = list(Exemption.objects.filter(assessment=assessment))
    pdf = innsyn.build_pdf(version, exemptions)
    sha256 = hashlib.sha256(pdf).hexdigest()
    audit.record(
        user,
        "public_access.innsyn_copy_made",
        assessment,
        assessment.agency_id,
        {"version": version.number, "sha256": sha256, "exempt": {e.target: e.basis for e in exemptions}},
    )
    return version, pdf


def _tool_editor(actor) -> None:
    if not may_edit_catalogue(roles_for(actor)):
        raise PermissionDenied


def tool_exemption_mark(*, entry: ToolEntry, actor, field: str, basis: str, reason: str) -> ToolExemption:
    """Exempt one field of a tool overview entry, in every version of it."""
    _tool_editor(actor)
    if field not in TOOL_EXEMPT_FIELDS:
        raise ValidationError({"field": _("Velg hvilket felt som skal unntas offentlighet.")}, code="invalid")
    reason = _checked(basis, reason)
    with transaction.atomic():
        locked = lock(ToolEntry, entry.pk)
        exemption, created = ToolExemption.objects.update_or_create(
            entry=locked, field=field, defaults={"basis": basis, "reason": reason, "created_by": actor}
        )
        audit.record(actor, "public_access.tool_exempted", locked, None,
                     {"field": field, "basis": basis, "changed": not created})  # fmt: skip
    return exemption


def tool_exemption_lift(*, entry: ToolEntry, actor, field: str) -> bool:
    _tool_editor(actor)
    with transaction.atomic():
        locked = lock(ToolEntry, entry.pk)
        rows = ToolExemption.objects.filter(entry=locked, field=field)
        return _lift(rows, actor, "public_access.tool_exemption_lifted", locked, None, {"field": field})
