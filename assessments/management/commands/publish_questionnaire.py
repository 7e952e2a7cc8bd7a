"""Publish a questionnaire version: `python manage.py publish_questionnaire PATH`.

PATH is a version folder (sections.yaml + rules.yaml) or one YAML/JSON file. On success one JSON object is
printed (version, title, counts) and the exit status is 0; an invalid definition, or a version that is
already published, lists every problem on stderr and exits with status 2. Nothing is stored then.

`publish_questionnaire --released` publishes instead every version released with the code (fixtures/questionnaire/)
that the database does not have yet, and prints `{"published": [versions]}`: the upgrade step (deploy/upgrade.sh).
A released folder that is not a valid definition lists its problems and exits with status 2; the versions before it
stay published, so the step can be run again once the folder is fixed.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from assessments import services
from assessments.engine.definition import DefinitionError
from assessments.engine.loader import as_definition, parse_definition, read_definition_data
from assessments.models import Questionnaire


class Command(BaseCommand):
    help = "Validate and publish a questionnaire version from a folder or a YAML/JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="version folder (sections.yaml + rules.yaml) or a .yaml/.json file")
        parser.add_argument(
            "--released", action="store_true", help="publish the versions under fixtures/questionnaire/ not yet stored"
        )

    def handle(self, *args, path: str | None, released: bool, **options):
        if released == bool(path):
            raise CommandError("Give either PATH or --released.")
        if released:
            try:
                published = services.publish_released()
            except DefinitionError as exc:
                self._fail(exc.errors)
            self.stdout.write(json.dumps({"published": published}))
            return
        try:
            definition = parse_definition(read_definition_data(path))
        except DefinitionError as exc:
            self._fail(exc.errors)
        if Questionnaire.objects.filter(version=definition["version"]).exists():
            self._fail([f"versjonen «{definition['version']}» er allerede publisert; gi filen et nytt versjonsnummer"])
        questionnaire = services.questionnaire_publish(definition=definition, actor=None)
        parsed = as_definition(questionnaire.definition)
        self.stdout.write(
            json.dumps(
                {
                    "version": questionnaire.version,
                    "title": questionnaire.title,
                    "sections": len(parsed.sections),
                    "questions": len(parsed.questions),
                    "rules": len(parsed.rules),
                    "obligations": len(parsed.obligations),
                },
                ensure_ascii=False,
            )
        )

    def _fail(self, problems: list[str]) -> None:
        for problem in problems:
            self.stderr.write(f"- {problem}")
        raise CommandError(f"Spørreskjemaet ble ikke publisert ({len(problems)} feil).", returncode=2)
