"""Closing the loop with the score: a measure the what-if said would lower the risk (its own item, or an obligation
that is done by it), once done with evidence, may start a re-assessment. It is a new draft that replaces the
approved assessment (the material change path, kind "measure"), with the measure's answer set, which the leader
reads, submits and UKE reviews as usual. Nothing is scored or approved silently.

Only views import this module; it builds on the lifecycle services in the package's __init__."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments import services
from assessments.audit import chain as audit
from assessments.models import Assessment
from assessments.models.plans import PlanItem
from assessments.permissions import authorize


def may_reassess(item: PlanItem) -> bool:
    """A done measure with evidence, on an approved assessment whose approved answer differs from it. The measure
    is the item's `measure_key` and `measure_value`: a measure's own, or the one an obligation is done by."""
    assessment = item.assessment
    if not item.measure_key or item.status != PlanItem.Status.DONE or item.measure_value is None:
        return False
    if assessment.status != Assessment.Status.APPROVED:
        return False
    if not item.evidence.filter(removed_at__isnull=True).exists():
        return False
    version = assessment.latest_version()
    return version is not None and version.answers.get(item.measure_key) != item.measure_value


def start_reassessment(*, item: PlanItem, user) -> Assessment:
    """The new draft, with the measure answered; the leader submits it through the usual review."""
    authorize(user, item.assessment, "lead")
    if not may_reassess(item):
        raise ValidationError(_("Tiltaket må være ferdig og dokumentert før det kan gi en ny vurdering."))
    with transaction.atomic():
        new = services.assessment_report_material_change(assessment=item.assessment, user=user, kinds=["measure"])
        key = item.measure_key
        answers = {**new.answers, key: item.measure_value}
        Assessment.objects.filter(pk=new.pk).update(
            answers=answers, revision=new.revision + 1, answer_revisions={**new.answer_revisions, key: new.revision + 1}
        )
        audit.record(
            user,
            "plan.reassessment_started",
            item.assessment,
            item.assessment.agency_id,
            {"item": item.pk, "question": key, "new_assessment": str(new.uuid)},
        )
    new.refresh_from_db()
    return new
