"""The Noark 5 package of one decision: a case file (saksmappe) with one registry entry (journalpost) whose
document descriptions (dokumentbeskrivelse) each hold one document object (dokumentobjekt) with its SHA-256
checksum. The metadata file validates against Arkivverket's arkivstruktur.xsd v5.0 (schema.py) or the package
is not built. The mapping is in docs/archive.md. Nothing here talks to an archive."""

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from assessments.archive.schema import schema_errors
from assessments.models import AssessmentVersion, Report, ReviewComment
from assessments.reports.render import answers_file

METADATA_NAME = "noark5-arkivstruktur.xml"
FOLDER = "dokumenter"
# Who did what the system did on its own (made the files, closed the package): Noark wants a name every time.
SYSTEM = "KI-veileder"
# systemID must be a UUID. Derived ones (uuid5) keep a rebuilt package's ids the same as the first build's.
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:kiveileder:noark5")
# Characters XML 1.0 does not allow at all; free text could carry them, and the archive would reject the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class NotArchivable(Exception):
    """The version has no decision, or its sealed report is not ready yet."""


class InvalidPackage(NotArchivable):
    """The metadata file does not validate against the Noark 5 schema (the message says where)."""


@dataclass
class Package:
    case_id: str
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """The checksum of the metadata file, which itself lists every document's checksum."""
        return hashlib.sha256(self.files[METADATA_NAME]).hexdigest()


def build_package(version: AssessmentVersion) -> Package:
    """The package of a decided version: sealed report, decision with reasons, review comments, answers file."""
    if not version.decision or version.decided_at is None:
        raise NotArchivable("the version has no decision")
    report = Report.objects.filter(version=version, kind=Report.Kind.SIGNED, status=Report.Status.READY).first()
    if report is None:
        raise NotArchivable("the sealed report is not ready")
    assessment = version.assessment
    with default_storage.open(report.storage_name, "rb") as handle:
        pdf = handle.read()
    comments = (
        ReviewComment.objects.filter(version=version)
        .select_related("author", "replied_by")
        .order_by("created_at", "pk")
    )
    answers = answers_file(
        assessment,
        questionnaire_version=version.questionnaire.version,
        answers=version.answers,
        version=version,
        report=report,
    )
    sealed = report.finished_at or report.updated_at
    decided_by = _person(version.decided_by) or SYSTEM
    decision, remarks = _json(_decision(version)), _json(_comments(comments))
    # (role, title, file, PRONOM id, content, when the content was fixed, by whom). fmt/480 is PDF/A-3b, what
    # reports/render.py writes; JSON has no PRONOM id we rely on.
    documents = [
        ("hoveddokument", "Signert rapport", "rapport.pdf", "fmt/480", pdf, sealed, SYSTEM),
        ("vedlegg", "Vedtak med begrunnelse", "vedtak.json", "", decision, version.decided_at, decided_by),
        ("vedlegg", "Kommentarer fra UKE", "kommentarer.json", "", remarks, version.decided_at, SYSTEM),
        ("vedlegg", "Svarfil", "svar.json", "", _json(answers), version.submitted_at, SYSTEM),
    ]
    package = Package(case_id=f"kiv-{assessment.uuid}-v{version.number}")
    described = _add_documents(package, version, documents)
    metadata = _metadata(version, package.case_id, described, sealed).encode("utf-8")
    errors = schema_errors(metadata)
    if errors:
        raise InvalidPackage(f"{METADATA_NAME} does not validate against Noark 5 arkivstruktur.xsd: {errors[0]}")
    package.files[METADATA_NAME] = metadata
    return package


def _add_documents(package: Package, version: AssessmentVersion, documents: list[tuple]) -> list[dict]:
    """Puts each document in the package's folder and returns what the metadata file says of it."""
    described = []
    for number, (role, title, name, puid, data, created, created_by) in enumerate(documents, start=1):
        path = f"{FOLDER}/{name}"
        package.files[path] = data
        described.append(
            {
                "number": number,
                "system_id": _derived_id(version, f"dokument/{number}"),
                "object_id": _derived_id(version, f"dokument/{number}/objekt/1"),
                "role": role,
                "title": title,
                "path": path,
                "mime": "application/pdf" if name.endswith(".pdf") else "application/json",
                "puid": puid,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "created": _datetime(created),
                "created_by": _text(created_by),
            }
        )
    return described


def _metadata(version: AssessmentVersion, case_id: str, documents: list[dict], sealed: datetime) -> str:
    """The arkivstruktur file, elements in the schema's order. The package closes (case file, series, archive)
    when the sealed report, the last of its documents, is ready; ids and dates come from the version and its
    report, never from the clock, so a rebuilt package describes the case the same way."""
    assessment, agency = version.assessment, version.assessment.agency
    series = settings.KIV_ARCHIVE_SERIES
    years = settings.KIV_ARCHIVE_RETENTION_YEARS
    decided = timezone.localtime(version.decided_at)
    opened = timezone.localtime(assessment.created_at)
    context = {
        "system": SYSTEM,
        "sealed": _datetime(sealed),
        "archive": {"id": uuid.uuid5(ID_NAMESPACE, "arkiv")},
        "creator": {"id": _text(agency.org_number or agency.slug or agency.name), "name": _text(agency.name)},
        "series": {"id": uuid.uuid5(ID_NAMESPACE, f"arkivdel/{series}"), "title": _text(series)},
        "case": {
            "id": assessment.uuid,
            "number": case_id,
            "title": _text(assessment.title),
            "created": _datetime(opened),
            "created_by": _text(_person(assessment.created_by) or SYSTEM),
            "year": opened.year,
            "sequence": assessment.pk,
            "date": opened.date().isoformat(),
            "unit": _text(agency.name),
            "responsible": _text(_person(version.decided_by) or SYSTEM),
        },
        "retention": {
            "decision": _text(settings.KIV_ARCHIVE_DISPOSAL_DECISION),
            "authority": _text(settings.KIV_ARCHIVE_DISPOSAL_AUTHORITY),
            "years": years,
            "date": _years_after(timezone.localtime(sealed).date(), years).isoformat(),
        },
        "entry": {
            "id": _derived_id(version, "journalpost"),
            "created": _datetime(decided),
            "created_by": _text(_person(version.decided_by) or SYSTEM),
            "title": _text(f"Vedtak: {assessment.title} (versjon {version.number})"),
            "year": decided.year,
            "sequence": version.pk,
            "number": version.number,
            "date": decided.date().isoformat(),
        },
        "documents": documents,
    }
    with translation.override("nb"):
        return render_to_string("archive/noark5-arkivstruktur.xml", context)


def _derived_id(version: AssessmentVersion, name: str) -> uuid.UUID:
    return uuid.uuid5(version.assessment.uuid, f"v{version.number}/{name}")


def _datetime(value: datetime) -> str:
    """xs:dateTime in the municipality's time zone, to the second (2026-03-01T14:05:09+01:00)."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _decision(version: AssessmentVersion) -> dict:
    return {
        "assessment": str(version.assessment.uuid),
        "title": version.assessment.title,
        "agency": version.assessment.agency.name,
        "version": version.number,
        "decision": version.decision,
        "reason": version.decision_reason,
        "decided_at": version.decided_at.isoformat(timespec="seconds"),
        "decided_by": _person(version.decided_by),
        "verdict": version.verdict,
        "review_by": version.assessment.review_by.isoformat() if version.assessment.review_by else None,
    }


def _comments(comments) -> list[dict]:
    return [
        {
            "question": c.question_key,
            "author": _person(c.author),
            "at": c.created_at.isoformat(timespec="seconds"),
            "text": c.text,
            "reply": c.reply,
            "replied_by": _person(c.replied_by),
            "replied_at": c.replied_at.isoformat(timespec="seconds") if c.replied_at else None,
        }
        for c in comments
    ]


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
