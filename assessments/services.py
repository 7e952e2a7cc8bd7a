"""Writes that span models or start jobs. Each validates, saves in a transaction and records an audit event."""

from django.db import transaction

from . import audit
from .models import Questionnaire
from .questionnaire import parse_definition


def questionnaire_publish(*, definition: dict, actor) -> Questionnaire:
    """Validate and store a new questionnaire version (raises DefinitionError listing every problem)."""
    parsed = parse_definition(definition)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            version=parsed["version"], title=parsed.get("title", parsed["version"]), definition=parsed
        )
        audit.record(actor, "questionnaire.published", questionnaire, details={"version": questionnaire.version})
    return questionnaire
