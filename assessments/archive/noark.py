"""The Noark 5 package of one decision: a case file (saksmappe) with one registry entry (journalpost) whose
document descriptions (dokumentbeskrivelse) each hold one document object (dokumentobjekt) with its SHA-256
checksum. The mapping is in docs/archive.md. Nothing here talks to an archive."""

import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from assessments.models import AssessmentVersion, Report, ReviewComment
from assessments.reports.render import answers_file

METADATA_NAME = "noark5-arkivstruktur.xml"
FOLDER = "dokumenter"


class NotArchivable(Exception):
    """The version has no decision, or its sealed report is not ready yet."""


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
    documents = [
        ("hoveddokument", "Signert rapport", "rapport.pdf", "application/pdf", "fmt/95", pdf),
        ("vedlegg", "Vedtak med begrunnelse", "vedtak.json", "application/json", "", _json(_decision(version))),
        ("vedlegg", "Kommentarer fra UKE", "kommentarer.json", "application/json", "", _json(_comments(comments))),
        ("vedlegg", "Svarfil", "svar.json", "application/json", "", _json(answers)),
    ]
    package = Package(case_id=f"kiv-{assessment.uuid}-v{version.number}")
    described = []
    for number, (role, title, name, mime, puid, data) in enumerate(documents, start=1):
        path = f"{FOLDER}/{name}"
        package.files[path] = data
        described.append(
            {
                "number": number,
                "role": role,
                "title": title,
                "path": path,
                "mime": mime,
                "puid": puid,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    package.files[METADATA_NAME] = _metadata(version, package.case_id, described).encode("utf-8")
    return package


def _metadata(version: AssessmentVersion, case_id: str, documents: list[dict]) -> str:
    assessment = version.assessment
    context = {
        "case_id": case_id,
        "assessment": assessment,
        "version": version,
        "agency": assessment.agency,
        "documents": documents,
        "created": timezone.now(),
        "retention": {
            "decision": settings.KIV_ARCHIVE_DISPOSAL_DECISION,
            "authority": settings.KIV_ARCHIVE_DISPOSAL_AUTHORITY,
            "years": settings.KIV_ARCHIVE_RETENTION_YEARS,
        },
        "series": settings.KIV_ARCHIVE_SERIES,
    }
    with translation.override("nb"):
        return render_to_string("archive/noark5-arkivstruktur.xml", context)


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
