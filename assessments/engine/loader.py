"""Reading definitions: YAML/JSON files and version folders, and the cache of parsed definitions.

`load_definition` reads a version folder or a file, `parse_definition` checks a raw dict and returns the
JSON-ready form to store, raising `DefinitionError` with *every* problem at once, and `as_definition`
returns the parsed `Definition` for a stored dict (cached). The only I/O of the engine is here.
"""

import json
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from assessments.engine.definition import Definition, DefinitionError, Question
from assessments.engine.validate import compile_definition


class _Loader(yaml.SafeLoader):
    """YAML with YAML 1.2 booleans: `yes`, `no`, `on`, `off` stay strings (they are answer values)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str) -> Any:
    """Parse YAML the way definitions are parsed (`yes`/`no` are strings)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506  # nosec B506 - _Loader is a SafeLoader


def _read_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError([f"{path}: kan ikke leses ({exc.strerror or exc})"]) from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return load_yaml(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise DefinitionError([f"{path}: ugyldig {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}"]) from exc


def read_definition_data(path: str | Path) -> dict[str, Any]:
    """The raw definition dict from a version folder (sections.yaml + rules.yaml) or one YAML/JSON file."""
    path = Path(path)
    if not path.is_dir():
        data = _read_file(path)
        if not isinstance(data, dict):
            raise DefinitionError([f"{path}: filen må inneholde et objekt (mapping) på toppnivå"])
        return data
    sections_file = path / "sections.yaml"
    if not sections_file.exists():
        raise DefinitionError([f"{path}: mangler sections.yaml"])
    merged: dict[str, Any] = {}
    errors: list[str] = []
    for file in (sections_file, path / "rules.yaml", path / "screening.yaml"):
        if not file.exists():
            continue
        part = _read_file(file)
        if part is None:
            continue
        if not isinstance(part, dict):
            errors.append(f"{file}: filen må inneholde et objekt (mapping) på toppnivå")
            continue
        for key, value in part.items():
            if key in merged:
                errors.append(f"{file}: toppnøkkelen «{key}» finnes også i en annen fil")
            merged[key] = value
    if errors:
        raise DefinitionError(errors)
    return merged


def load_definition(path: str | Path) -> dict[str, Any]:
    """Read and validate a definition; returns the JSON-ready dict to store (see `parse_definition`)."""
    return parse_definition(read_definition_data(path))


def parse_definition(data: Any) -> dict[str, Any]:
    """Validate a raw definition and return its normalised, JSON-ready form: the dict to store.

    Raises `DefinitionError` listing every problem. Normalising turns points keys into strings (as JSON
    stores them) and unquoted YAML `yes`/`no` into the answer values. Use `as_definition` for the parsed
    object; the result of this call is already in its cache.
    """
    if isinstance(data, Definition):
        return data.data
    return _compile(data).data


def _compile(data: Any) -> Definition:
    definition, errors = compile_definition(data)
    if errors or definition is None:
        raise DefinitionError(errors)
    _remember(definition.data, definition)
    return definition


# Parsing costs a few milliseconds, scoring a fraction of one: keep parsed definitions, looked up first
# by the identity of the dict (the entry holds the dict, so its id cannot be reused) and then by content
# (a definition read again from the database is a new dict with the same content).
_BY_ID: dict[int, tuple[Any, Definition]] = {}
_BY_CONTENT: dict[str, Definition] = {}
_CACHE_SIZE = 32


def _content_key(data: Any) -> str | None:
    try:
        return json.dumps(data)
    except (TypeError, ValueError):
        return None


_CACHE_LOCK = threading.Lock()  # threaded servers: eviction iterates the dicts


def _remember(data: Any, definition: Definition, content_key: str | None = None) -> None:
    key = content_key or _content_key(data)
    with _CACHE_LOCK:
        if len(_BY_ID) >= _CACHE_SIZE:
            _BY_ID.pop(next(iter(_BY_ID)))
        _BY_ID[id(data)] = (data, definition)
        if key is not None:
            if len(_BY_CONTENT) >= _CACHE_SIZE:
                _BY_CONTENT.pop(next(iter(_BY_CONTENT)))
            _BY_CONTENT[key] = definition


def as_definition(defn: Definition | Mapping[str, Any]) -> Definition:
    """The parsed `Definition` for a stored (or raw) definition dict; raises `DefinitionError`.

    Cached, so call it freely. Stored definitions are immutable: do not mutate a dict after using it.
    """
    if isinstance(defn, Definition):
        return defn
    hit = _BY_ID.get(id(defn))
    if hit is not None and hit[0] is defn:
        return hit[1]
    key = _content_key(defn)
    definition = _BY_CONTENT.get(key) if key is not None else None
    if definition is None:
        definition = _compile(defn)
    _remember(defn, definition, key)
    return definition


def questions(defn: Definition | Mapping[str, Any]) -> list[Question]:
    """Every question in order; `question.section` is its section key."""
    return list(as_definition(defn).questions.values())
