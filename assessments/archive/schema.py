"""Validation of a package's metadata file against Arkivverket's Noark 5 schema (v5.0, vendored verbatim in
schemas/noark5/ with its source). A package that the archive's own validator would reject is never handed
over: it is better to keep the hand-over pending with the schema's complaint than to deliver it."""

from functools import cache
from pathlib import Path

from lxml import etree  # nosec B410 - parses only the XML this package itself generated, with entities off

SCHEMA = Path(__file__).resolve().parent / "schemas" / "noark5" / "arkivstruktur.xsd"


@cache
def _schema() -> etree.XMLSchema:
    # The schema imports metadatakatalog.xsd beside it; the parser reads local files only, never the network.
    return etree.XMLSchema(etree.parse(str(SCHEMA), _parser()))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def schema_errors(xml: bytes) -> list[str]:
    """Every way `xml` breaks the schema, one line each with its line number; empty when it validates."""
    try:
        document = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    try:
        _schema().assertValid(document)
    except etree.DocumentInvalid as exc:  # carries its own error log, not the shared schema's last one
        return [f"line {error.line}: {error.message}" for error in exc.error_log]
    return []
