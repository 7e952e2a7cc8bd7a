"""The sealed status report of an action plan as of a date: the decision report's pipeline (WeasyPrint
PDF/A-3b with a JSON attachment, the PDF/UA repairs of pdf_structure, the PAdES seal of signing), over the
item history, never the audit log. The file is stored under plan-reports/<agency>/<assessment>/ and its
checksum in a PlanStatusReport row, which the verification page looks up as it looks up decision reports.

The report is made in the request: it is one or two pages, and the auditor asking for it waits for it.
"""

import datetime as dt
import hashlib

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from assessments.audit import chain as audit
from assessments.models import Assessment
from assessments.models.plans import PlanItem, PlanItemHistory, PlanStatusReport
from assessments.reports import pdf_structure, signing
from assessments.reports import render as reports
from assessments.text import clean_text

KIND = "plan_status"


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def state_as_of(assessment: Assessment, as_of: dt.date) -> list[dict]:
    """Each item as its history had it at the end of `as_of` (items made later are left out)."""
    end = _end_of(as_of)
    latest: dict[int, PlanItemHistory] = {}
    rows = PlanItemHistory.objects.filter(item__assessment=assessment, at__lt=end).order_by("item_id", "at", "id")
    for row in rows:
        latest[row.item_id] = row
    people = {
        u.pk: u for u in get_user_model().objects.filter(pk__in={h.state.get("owner_id") for h in latest.values()})
    }
    labels = dict(PlanItem.Status.choices)
    items = []
    for item_id, row in sorted(latest.items()):
        state = dict(row.state)
        owner = people.get(state.get("owner_id"))
        state["owner"] = (owner.get_full_name() or owner.get_username()) if owner else ""
        state["status_label"] = str(labels.get(state.get("status"), state.get("status")))
        state["item_id"] = item_id
        state["changed_at"] = row.at
        items.append(state)
    items.sort(key=lambda s: (not s.get("required", True), not s.get("before_use"), s.get("kind", ""), s["item_id"]))
    return items


def _attachment(assessment: Assessment, as_of: dt.date, items: list[dict]) -> dict:
    """The embedded JSON: the plan's state as data, with the `meta` the verification page reads."""
    return {
        "plan": [{k: v for k, v in item.items() if k not in ("changed_at", "owner_id")} for item in items],
        "meta": {
            "kind": KIND,
            "agency": assessment.agency.name,
            "assessment": str(assessment.uuid),
            "version": None,
            "as_of": as_of.isoformat(),
            "exported_at": timezone.now().isoformat(timespec="seconds"),
        },
    }


def build_pdf(assessment: Assessment, as_of: dt.date) -> bytes:
    items = state_as_of(assessment, as_of)
    lang = assessment.language or "nb"
    with translation.override(lang):
        context = {
            "assessment": assessment,
            "agency": assessment.agency,
            "as_of": as_of,
            "items": items,
            "lang": lang,
            "generated_at": timezone.now(),
            "running_footer": f"{gettext('KI-veileder')} · {gettext('tiltaksplan')} {assessment.uuid} · {as_of}",
        }
        html = clean_text(render_to_string("plans/status_report.html", context))
        pdf = reports.write_pdf(html, _attachment(assessment, as_of, items), title=assessment.title)
        pdf = pdf_structure.finish(
            pdf,
            producer=pdf_structure.producer(sealed=True),
            signature_field=signing.FIELD_NAME,
            signature_label=gettext("Oslo kommunes elektroniske segl på rapporten"),
        )
    reason = f"KI-veileder: tiltaksplan for vurdering {assessment.uuid} per {as_of.isoformat()}"
    return signing.sign_pdf(pdf, reason=reason)


def make(*, assessment: Assessment, user, as_of: dt.date) -> PlanStatusReport:
    """Render, seal and store the report, and record it (row and audit event)."""
    pdf = build_pdf(assessment, as_of)
    sha256 = hashlib.sha256(pdf).hexdigest()
    name = f"plan-reports/{assessment.agency.slug}/{assessment.uuid}/{as_of.isoformat()}-{sha256[:12]}.pdf"
    stored = default_storage.save(name, ContentFile(pdf))
    try:
        with transaction.atomic():
            report = PlanStatusReport.objects.create(
                assessment=assessment,
                as_of=as_of,
                sha256=sha256,
                size=len(pdf),
                storage_name=stored,
                signer=signing.seal_identity().common_name,
                requested_by=user,
            )
            audit.record(user, "plan.status_report_made", assessment, assessment.agency_id,
                         {"report": str(report.uuid), "as_of": as_of.isoformat(), "sha256": sha256})  # fmt: skip
    except Exception:
        default_storage.delete(stored)
        raise
    return report


def find_by_checksum(sha256: str) -> PlanStatusReport | None:
    """For the verification page: the stored status report with exactly these bytes."""
    return PlanStatusReport.objects.filter(sha256=sha256).select_related("assessment__agency").first()
