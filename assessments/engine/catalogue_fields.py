"""The fields of an entry in the tool overview (UKE's catalogue of AI tools) that answers can be filled from.

A question names one with `catalogue_field` (and, where the entry's value is not itself an answer value,
`catalogue_values`: entry value -> answer value). This module holds the field list and checks a question's
mapping; `catalogue.catalogue_answers` applies it. The format is documented in docs/catalogue.md. Pure: no
Django, no I/O, and no imports from the rest of the engine but the definition's constants.
"""

from collections.abc import Mapping
from typing import Any

TEXT = "text"
BOOL = "bool"
CLASSES = ("open", "internal", "confidential", "classified")

# Entry field -> the kind of value it holds: TEXT, BOOL, or the tuple of its values.
ENTRY_FIELDS: dict[str, Any] = {
    "ref": TEXT,  # "slug@version", made from the two fields below when the entry has no `ref`
    "slug": TEXT,
    "version": TEXT,
    "name": TEXT,
    "status": ("approved", "under_assessment", "not_approved", "withdrawn"),
    "max_class": CLASSES,
    "personal_data_allowed": BOOL,
    "special_categories_allowed": BOOL,
    "hosting": ("municipal_platform", "cloud_eea", "outside_eea", "unknown"),
    "dpa": BOOL,
    "vendor_trains_on_inputs": BOOL,
    "enterprise_agreement": BOOL,
}
BOOL_KEYS = ("true", "false")


def bool_word(value: Any, words: tuple[str, str]) -> Any:
    """`value` with the booleans as words (True as the first, False as the second); any other value as it is."""
    if value is True:
        return words[0]
    if value is False:
        return words[1]
    return value


def entry_key(value: Any) -> Any:
    """An entry value as a `catalogue_values` key: booleans become "true"/"false" (as JSON writes them)."""
    return bool_word(value, BOOL_KEYS)


def check_mapping(
    raw: Mapping[str, Any], qtype: Any, values: tuple[Any, ...], where: str
) -> tuple[str | None, dict[Any, Any], list[str]]:
    """A question's `catalogue_field` and normalised `catalogue_values`, with the problems found."""
    field = raw.get("catalogue_field")
    mapping_raw = raw.get("catalogue_values")
    if field is None:
        if mapping_raw is not None:
            return None, {}, [f"{where}: catalogue_values krever catalogue_field"]
        return None, {}, []
    if not isinstance(field, str) or field not in ENTRY_FIELDS:
        known = ", ".join(ENTRY_FIELDS)
        return None, {}, [f"{where}: catalogue_field {field!r} er ikke et felt i verktøyoversikten (gyldige: {known})"]
    kind = ENTRY_FIELDS[field]
    if kind == TEXT:
        errors = []
        if qtype != "text":
            errors.append(f"{where}: catalogue_field «{field}» er tekst og passer bare tekstspørsmål")
        if mapping_raw is not None:
            errors.append(f"{where}: catalogue_values gjelder ikke tekstfeltet «{field}»")
        return field, {}, errors
    if qtype == "text":
        return field, {}, [f"{where}: catalogue_field «{field}» passer ikke et tekstspørsmål"]
    field_values = BOOL_KEYS if kind == BOOL else kind
    if mapping_raw is None:
        if kind == BOOL:
            return field, {}, [f"{where}: catalogue_values mangler (feltet «{field}» er ja/nei: true og false)"]
        missing = [v for v in field_values if v not in values]
        if missing:
            problem = f"{where}: {', '.join(missing)} fra «{field}» er ikke svarverdier; bruk catalogue_values"
            return field, {}, [problem]
        return field, {}, []
    return field, *_parse_values(mapping_raw, field, field_values, values, where)


def _parse_values(
    mapping_raw: Any, field: str, field_values: tuple[Any, ...], values: tuple[Any, ...], where: str
) -> tuple[dict[Any, Any], list[str]]:
    if not isinstance(mapping_raw, Mapping):
        return {}, [f"{where}: catalogue_values må være et objekt (verdi i oppføringen -> svarverdi)"]
    errors = []
    mapping: dict[Any, Any] = {}
    for key, answer in mapping_raw.items():
        key = entry_key(key)
        if key not in field_values:
            errors.append(f"{where}: catalogue_values: «{key}» er ikke en verdi av «{field}»")
        elif answer not in values or isinstance(answer, bool):
            errors.append(f"{where}: catalogue_values: {answer!r} er ikke en svarverdi for spørsmålet")
        else:
            mapping[key] = answer
    unmapped = [v for v in field_values if v not in mapping]
    if unmapped and not errors:
        errors.append(f"{where}: catalogue_values mangler {', '.join(map(str, unmapped))} fra «{field}»")
    return mapping, errors
