"""The fields of a tool overview version, held together: every place a field must be added is checked against the
model and `models/catalogue.VERSION_FIELDS`.

A field added to the model or to VERSION_FIELDS fails here until it has a column in the import (and a line in
docs/catalogue-import.md), a key in the JSON (and a line in docs/catalogue.md), a line in the facts list, and a
decision for the engine's entry fields and for the fields UKE may exempt from public access: in the list, or in one
of the commented exclusions below. The places are listed in docs/catalogue.md ("Adding a field to the tool
overview"). No database: the checks read the code.
"""

import re
from pathlib import Path

import pytest
from django.db import models

from assessments.engine.catalogue_fields import BOOL, ENTRY_FIELDS, TEXT
from assessments.forms.catalogue import ToolVersionForm
from assessments.forms.catalogue_import import CHOICES, COLUMNS
from assessments.labels import TOOL_EXEMPT_FIELDS
from assessments.models.catalogue import VERSION_FIELDS, ToolEntry, ToolEntryVersion
from assessments.presentation.catalogue import version_json

ROOT = Path(__file__).resolve().parent.parent
FIELDS = set(VERSION_FIELDS)

# The model's bookkeeping: who made a version, when, its number and why; a change never copies these forward.
BOOKKEEPING = {"id", "entry", "number", "change_note", "created_at", "created_by"}
# Facts no question is answered from (engine/catalogue_fields.ENTRY_FIELDS): they describe the tool to people,
# and the rules read none of them.
NOT_ANSWERS = {
    "vendor",
    "edition",
    "description",
    "generates_content",
    "dpa_reference",
    "dpa_valid_until",
    "guideline_url",
    "status_since",
    "approved_until",
    "note",
}
# Facts UKE may not exempt from public access (labels.TOOL_EXEMPT_FIELD_CHOICES): the name, the status and what
# the tool is approved for are the decision itself and stay public (docs/public-access.md).
NEVER_EXEMPT = {
    "name",
    "generates_content",
    "dpa",
    "vendor_trains_on_inputs",
    "enterprise_agreement",
    "max_class",
    "personal_data_allowed",
    "special_categories_allowed",
    "status",
    "status_since",
    "approved_until",
}
# Not in templates/catalogue/_facts.html: the entry's page shows the name as its heading.
NOT_IN_FACTS = {"name"}


def _field(name: str) -> models.Field:
    return ToolEntryVersion._meta.get_field(name)


def _version() -> ToolEntryVersion:
    """An unsaved version: version_json and as_entry read attributes only."""
    return ToolEntryVersion(entry=ToolEntry(slug="verktoy"), number=1)


def _choice_values(name: str) -> set[str]:
    return {value for value, _label in _field(name).choices}


def _same(found: set, expected: set, where: str) -> None:
    assert found == expected, f"{where}: missing {sorted(expected - found)}, not expected {sorted(found - expected)}"


def test_the_version_fields_are_the_models_facts():
    concrete = {field.name for field in ToolEntryVersion._meta.concrete_fields}
    assert BOOKKEEPING <= concrete, "a bookkeeping field named here is gone from the model"
    assert len(VERSION_FIELDS) == len(FIELDS)
    _same(FIELDS, concrete - BOOKKEEPING, "VERSION_FIELDS against the model's fields")
    _same(set(ToolVersionForm.base_fields), FIELDS, "ToolVersionForm")


def test_the_import_has_one_column_for_each_field_and_knows_each_fields_choices():
    names = [name for _header, name in COLUMNS]
    assert len(set(names)) == len(names)
    _same(set(names), {"slug", *FIELDS}, "forms/catalogue_import.COLUMNS")
    headers = [header.casefold() for header, _name in COLUMNS]
    assert len(set(headers)) == len(headers)
    docs = (ROOT / "docs" / "catalogue-import.md").read_text(encoding="utf-8")
    assert not [h for h, name in COLUMNS if f"| `{h}` | `{name}` |" not in docs], "a column is missing in the docs"
    with_choices = {name for name in VERSION_FIELDS if _field(name).choices}
    _same(set(CHOICES), with_choices, "forms/catalogue_import.CHOICES")
    for name in with_choices:
        assert set(CHOICES[name]) == _choice_values(name), name


@pytest.mark.parametrize("public_only", [False, True])
def test_the_json_shows_every_field_and_docs_catalogue_md_names_every_key(public_only):
    keys = set(version_json(_version(), public_only=public_only))
    if not public_only:
        _same(keys & FIELDS, FIELDS, "presentation/catalogue.version_json")
        assert set(TOOL_EXEMPT_FIELDS) <= keys, "an exempt field must be in the innsyn copy to be left out of it"
    docs = (ROOT / "docs" / "catalogue.md").read_text(encoding="utf-8")
    section = docs.split("### The JSON", 1)[1].split("\n### ", 1)[0]
    assert not [key for key in keys if f"`{key}`" not in section], "a key is missing in docs/catalogue.md"


def test_each_field_is_filled_into_answers_or_deliberately_not():
    answered = FIELDS & set(ENTRY_FIELDS)
    assert not answered & NOT_ANSWERS, "a field is both in ENTRY_FIELDS and in NOT_ANSWERS"
    _same(answered | NOT_ANSWERS, FIELDS, "engine/catalogue_fields.ENTRY_FIELDS or NOT_ANSWERS")
    assert set(_version().as_entry()) == set(ENTRY_FIELDS) - {"ref"}
    for name in answered:
        kind, field = ENTRY_FIELDS[name], _field(name)
        if kind == BOOL:
            assert isinstance(field, models.BooleanField), name
        elif kind == TEXT:
            assert isinstance(field, models.CharField) and not field.choices, name
        else:
            assert set(kind) == _choice_values(name), name


def test_each_field_may_be_exempted_from_public_access_or_deliberately_not():
    exemptable = set(TOOL_EXEMPT_FIELDS)
    assert exemptable <= FIELDS
    assert not exemptable & NEVER_EXEMPT, "a field is both exemptable and in NEVER_EXEMPT"
    _same(exemptable | NEVER_EXEMPT, FIELDS, "labels.TOOL_EXEMPT_FIELD_CHOICES or NEVER_EXEMPT")


def test_the_facts_list_shows_every_field():
    template = (ROOT / "templates" / "catalogue" / "_facts.html").read_text(encoding="utf-8")
    shown = {name for name in VERSION_FIELDS if re.search(rf"version\.(get_{name}_display|{name})\b", template)}
    assert not NOT_IN_FACTS & shown, "a field is both in the facts list and in NOT_IN_FACTS"
    _same(shown | NOT_IN_FACTS, FIELDS, "templates/catalogue/_facts.html or NOT_IN_FACTS")
