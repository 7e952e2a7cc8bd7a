"""The questionnaire engine: definitions, visibility, answer checking, conditions, scoring and what-if.

Pure Python: nothing in this package imports Django (a test checks it), so the same code runs in the web
app, the management commands, the benchmarks and anywhere else. The modules:

- `definition`: the parsed data classes; `loader`: reading, parsing and caching definitions;
- `validate` (with `validate_sections`, `validate_common`): the definition validator;
- `conditions`: the condition grammar; `visibility`: shown sections, visible answers, required questions;
- `answers`: answer checking with error codes; `scoring`, `risk`, `wording`, `whatif`: the result;
<<<<<<< HEAD
- `screening` (with `screening_spec`, `screening_eval`, `screening_check`, `partial`, `threeval`): the quick path,
  a short screening evaluated three-valued over every way of completing it (docs/quick-path.md).
=======
- `catalogue` (with `catalogue_fields`): a tool-overview entry as answers; `interpolate`: answers in rule texts.
>>>>>>> catengine

The names below are the main public API; import anything else from its module.
"""

from assessments.engine.answers import AnswerError, clean_value, validate_answers, validate_answers_file
from assessments.engine.definition import Definition, DefinitionError, Question, Section
from assessments.engine.loader import as_definition, load_definition, parse_definition, read_definition_data
from assessments.engine.scoring import Result, score, summary_json
from assessments.engine.validate import validate_definition
from assessments.engine.visibility import missing_required, visible_answers, visible_section_keys, visible_sections

__all__ = [
    "AnswerError",
    "Definition",
    "DefinitionError",
    "Question",
    "Result",
    "Section",
    "as_definition",
    "clean_value",
    "load_definition",
    "missing_required",
    "parse_definition",
    "read_definition_data",
    "score",
    "summary_json",
    "validate_answers",
    "validate_answers_file",
    "validate_definition",
    "visible_answers",
    "visible_section_keys",
    "visible_sections",
]
