"""Score an answers file: `python manage.py score_answers FILE` (`-` reads standard input).

The file is an answers file (`{"questionnaire": "2026.1", "answers": {...}, "meta": {...}}`;
`questionnaire` absent: the newest published version). For every valid file, whatever the verdict, exactly
one JSON object is printed on stdout (`engine.scoring.summary_json`: questionnaire, risk, need, quadrant, verdict,
complete, hard_rules, obligations, contributions, what_if) and the exit status is 0; warnings (answers to
questions the other answers hide, which are ignored) and contradictions between answers (scored by their
worse reading) go to stderr. An invalid file — not JSON, the wrong
shape, an unknown questionnaire version, unknown keys, wrong types, values outside the lists — prints one
line per offending key on stderr and exits with status 2. Missing answers are not an error: the result
then says `"complete": false`. `--questionnaire VERSION` scores on another version than the file names: every
version keeps the keys and values of the ones before it, so a 2026.1 file scores on 2026.2.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from assessments.engine.answers import validate_answers, validate_answers_file
from assessments.engine.loader import as_definition
from assessments.engine.scoring import score, summary_json
from assessments.forms import safe_input
from assessments.forms.answer_messages import answer_errors_text, answer_warnings_text
from assessments.models import Questionnaire

INVALID = 2


class Command(BaseCommand):
    help = "Score an answers file (JSON) and print the result as one JSON object."

    def add_arguments(self, parser):
        parser.add_argument("file", help="answers file (JSON), or - for standard input")
        parser.add_argument(
            "--questionnaire",
            metavar="VERSION",
            help="score on this version instead of the file's own (e.g. a 2026.1 file on 2026.2)",
        )

    def handle(self, *args, file: str, questionnaire: str | None = None, **options):
        data = self._read(file)
        errors = validate_answers_file(data)
        if errors:
            self._fail(answer_errors_text(None, errors))
        version = questionnaire or data.get("questionnaire")
        if version is not None:
            questionnaire = Questionnaire.objects.filter(version=version.strip()).first()
            if questionnaire is None:
                self._fail({"questionnaire": f"Ukjent versjon av spørreskjemaet: «{version}»."})
        else:
            questionnaire = Questionnaire.latest()
            if questionnaire is None:
                self._fail({"questionnaire": "Ingen versjon av spørreskjemaet er publisert."})
        definition = as_definition(questionnaire.definition)
        answers, errors, warnings = validate_answers(definition, data["answers"])
        if errors:
            self._fail({f"answers.{key}": message for key, message in answer_errors_text(definition, errors).items()})
        for warning in answer_warnings_text(warnings):
            self.stderr.write(f"Advarsel: {warning}")
        result = score(definition, answers)
        # Contradictions go with the warnings: stdout keeps exactly the keys of docs/scoring.md section 9.
        for check in result.consistency:
            self.stderr.write(f"Motsigelse: {check['title']}. {check['message']}")
        self.stdout.write(json.dumps(summary_json(result), ensure_ascii=False))

    def _read(self, file: str):
        try:
            if file == "-":
                # Bytes when there are any (a pipe), text otherwise (a replaced stdin in tests).
                stream = getattr(sys.stdin, "buffer", sys.stdin)
                raw = stream.read(safe_input.MAX_JSON_BYTES + 1)
            else:
                with open(file, "rb") as handle:
                    raw = handle.read(safe_input.MAX_JSON_BYTES + 1)
        except OSError as exc:
            self._fail({"fil": f"Kan ikke lese «{file}»: {exc.strerror or exc}."})
        # The same parser as the web import: same limits, a byte order mark accepted, one line per problem.
        try:
            return safe_input.parse_json(raw)
        except safe_input.InputError as exc:
            self._fail({"fil": str(exc)})

    def _fail(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            self.stderr.write(f"{key}: {message}")
        raise CommandError(f"Ugyldig svarfil ({len(errors)} feil).", returncode=INVALID)
