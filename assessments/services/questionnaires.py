"""Questionnaire versions: publish a new one, replace one no assessment uses yet."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.audit import chain as audit
from assessments.engine.loader import parse_definition
from assessments.models import (
    Assessment,
    Questionnaire,
)
from assessments.services.locking import lock


def questionnaire_publish(*, definition: dict, actor) -> Questionnaire:
    """Validate and store a new questionnaire version (raises DefinitionError listing every problem)."""
    parsed = parse_definition(definition)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            version=parsed["version"], title=parsed.get("title", parsed["version"]), definition=parsed
        )
        audit.record(actor, "questionnaire.published", questionnaire, details={"version": questionnaire.version})
    return questionnaire


def questionnaire_replace(*, questionnaire: Questionnaire, definition: dict, actor) -> Questionnaire:
    """Replace the definition of a version no assessment uses yet (a version in use is immutable)."""
    parsed = parse_definition(definition)
    with transaction.atomic():
        locked = lock(Questionnaire, questionnaire.pk)
        if locked.in_use:
            raise ValidationError(_("Versjonen brukes av vurderinger og kan ikke endres."))
        old_version = locked.version
        locked.version, locked.title, locked.definition = (
            parsed["version"],
            parsed.get("title", parsed["version"]),
            parsed,
        )
        locked.save(update_fields=["version", "title", "definition"])
        audit.record(
            actor,
            "questionnaire.replaced",
            locked,
            details={"version": locked.version, "replaced_version": old_version},
        )
    return locked


def newer_questionnaire(assessment: Assessment) -> Questionnaire | None:
    """The newest published version, when an editable draft is on an older one (else None)."""
    if not assessment.is_editable:
        return None
    newest = Questionnaire.latest()
    if newest is None or newest.pk == assessment.questionnaire_id:
        return None
    return newest if newest.published_at > assessment.questionnaire.published_at else None
