"""A draft's settings that are not answers: who may edit it besides the leader, and the language its report and
e-mails are written in. Only the leader changes them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.audit import chain as audit
from assessments.lifecycle import StateConflict
from assessments.models import Assessment, Membership
from assessments.permissions import authorize
from assessments.services.locking import lock


def assessment_invite_contributor(*, assessment: Assessment, user, contributor) -> None:
    """Let a contributor of the same agency edit the draft."""
    authorize(user, assessment, "lead")
    if not Membership.objects.filter(
        user=contributor, agency_id=assessment.agency_id, role=Membership.Role.CONTRIBUTOR
    ).exists():
        raise ValidationError(_("Bare bidragsytere i samme virksomhet kan inviteres."))
    with transaction.atomic():
        if assessment.contributors.filter(pk=contributor.pk).exists():
            return
        assessment.contributors.add(contributor)
        audit.record(
            user, "assessment.contributor_added", assessment, assessment.agency_id, {"user_id": contributor.pk}
        )


def assessment_remove_contributor(*, assessment: Assessment, user, contributor) -> None:
    authorize(user, assessment, "lead")
    with transaction.atomic():
        if not assessment.contributors.filter(pk=contributor.pk).exists():
            return
        assessment.contributors.remove(contributor)
        audit.record(
            user, "assessment.contributor_removed", assessment, assessment.agency_id, {"user_id": contributor.pk}
        )


def assessment_set_language(*, assessment: Assessment, user, language: str) -> Assessment:
    """The language of the report and the e-mails, while the assessment is a draft (a submitted version's e-mails
    to UKE and its report are already written in it)."""
    authorize(user, assessment, "lead")
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Velg bokmål eller engelsk."), code="invalid_language")
    with transaction.atomic():
        current = lock(Assessment, assessment.pk)
        if not current.is_editable:
            raise StateConflict(_("Språket kan bare endres mens vurderingen er et utkast."), current)
        if current.language != language:
            previous, current.language = current.language, language
            current.save(update_fields=["language"])
            audit.record(
                user, "assessment.language_changed", current, current.agency_id, {"from": previous, "to": language}
            )
    return current
