"""The sealed status report of an action plan as of a date: the decision report's pipeline (WeasyPrint
PDF/A-3b with a JSON attachment, the PDF/UA repairs of pdf_structure, the PAdES seal of signing), over the
item history, never the audit log. A `Report` of kind "plan" (`as_of` set) made by the report worker like
the decision report (jobs.py claims, retries and sweeps it); stored under plan-reports/<agency>/<assessment>/.
"""

import datetime as dt
import time

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from assessments.models import Assessment, PlanItem, PlanItemHistory, Report
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


def _attachment(report: Report, items: list[dict]) -> dict:
    """The embedded JSON: the plan's state as data, with the `meta` the verification page reads."""
    assessment = report.assessment
    return {
        "plan": [{k: v for k, v in item.items() if k not in ("changed_at", "owner_id")} for item in items],
        "meta": {
            "kind": KIND,
            "agency": assessment.agency.name,
            "assessment": str(assessment.uuid),
            "version": None,
            "as_of": report.as_of.isoformat(),
            "report": str(report.uuid),
            "exported_at": timezone.now().isoformat(timespec="seconds"),
        },
    }


def build_pdf(report: Report) -> dict:
    """Render and seal the status report; the same result as render.build_pdf, for jobs.py."""
    started = time.perf_counter()
    assessment, as_of = report.assessment, report.as_of
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
        pdf = reports.write_pdf(html, _attachment(report, items), title=assessment.title)
        pdf = pdf_structure.finish(
            pdf,
            producer=pdf_structure.producer(sealed=True),
            signature_field=signing.FIELD_NAME,
            signature_label=gettext("Oslo kommunes elektroniske segl på rapporten"),
        )
    render_ms = round((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    reason = f"KI-veileder: tiltaksplan for vurdering {assessment.uuid} per {as_of.isoformat()}"
    pdf = signing.sign_pdf(pdf, reason=reason)
    sign_ms = round((time.perf_counter() - started) * 1000)
    return {"pdf": pdf, "render_ms": render_ms, "sign_ms": sign_ms, "signer": signing.seal_identity().common_name}
