"""Questionnaire versions: publish a new one, publish the released ones the database lacks, replace one no assessment
uses yet."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.audit import chain as audit
from assessments.engine.definition import DefinitionError
from assessments.engine.loader import load_definition, parse_definition
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


# The versions released with the code, one folder each (a released version never changes).
RELEASED = Path(settings.BASE_DIR) / "fixtures" / "questionnaire"


def version_order(version: str) -> list[tuple]:
    """A version name's sort key: 2026.2 before 2026.10 (the last one published is the one new drafts get)."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in version.split(".")]


def publish_released(folder: Path | None = None) -> list[str]:
    """Publish every version folder under `folder` that the database does not have yet, oldest first (the upgrade
    step after new code, and the first step of the demo data). Returns the versions published.

    New drafts get the version published last, so a lacking version older than one already stored (a database where
    a newer version was published by hand) is dated just before the oldest stored version that follows it: the
    newest version stays the newest. A folder that is not a valid definition raises DefinitionError naming it; the
    versions before it stay published."""
    published = []
    folders = [path for path in (folder or RELEASED).iterdir() if path.is_dir()]
    for version in sorted(folders, key=lambda path: version_order(path.name)):
        if Questionnaire.objects.filter(version=version.name).exists():
            continue
        try:
            definition = load_definition(version)
        except DefinitionError as exc:
            raise DefinitionError([f"{version.name}: {error}" for error in exc.errors]) from exc
        with transaction.atomic():  # never seen undated, so drafts never get it in between
            _date_before_newer(questionnaire_publish(definition=definition, actor=None))
        published.append(version.name)
    return published


def _date_before_newer(questionnaire: Questionnaire) -> None:
    order = version_order(questionnaire.version)
    stored = Questionnaire.objects.exclude(pk=questionnaire.pk).values_list("version", "published_at")
    later = [published_at for version, published_at in stored if version_order(version) > order]
    if later:
        published_at = min(later) - timedelta(microseconds=1)
        Questionnaire.objects.filter(pk=questionnaire.pk).update(published_at=published_at)
        questionnaire.published_at = published_at


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
