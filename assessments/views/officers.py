"""The data protection officer's and the security officer's pages: what they read, and their advice.

They read submitted assessments only (the DPO those with personal data, the security officer the security
sections of all) and record advice; they never change answers or decide.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assessments.choices import OfficerRole
from assessments.engine.loader import as_definition
from assessments.engine.visibility import visible_sections
from assessments.forms.officers import OfficerAdviceForm
from assessments.models import OfficerAdvice
from assessments.permissions import (
    SECURITY_SECTIONS,
    get_assessment_as_officer,
    is_officer,
    officer_assessments,
    officer_roles_for,
    require,
)
from assessments.presentation.display import language, localized
from assessments.services.officers import officer_advice_record

QUEUE_LIMIT = 200


@require(is_officer)
def officer_queue(request):
    lists = []
    for role in officer_roles_for(request.user):
        assessments = list(
            officer_assessments(request.user, role).select_related("agency").order_by("-updated_at")[:QUEUE_LIMIT]
        )
        advised = set(
            OfficerAdvice.objects.filter(role=role, assessment__in=assessments).values_list("assessment_id", flat=True)
        )
        rows = [{"assessment": a, "advised": a.pk in advised} for a in assessments]
        lists.append({"role": role, "label": OfficerRole(role).label, "rows": rows, "limit": QUEUE_LIMIT})
    return render(request, "officers/queue.html", {"lists": lists})


@require(is_officer)
def officer_detail(request, uuid, role):
    if role not in officer_roles_for(request.user):
        raise Http404
    assessment = get_assessment_as_officer(request, uuid, role)
    form = OfficerAdviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            officer_advice_record(assessment=assessment, user=request.user, role=role, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", exc.messages[0])
        else:
            messages.success(request, _("Rådet er lagret. UKE ser det ved svarene."))
            return redirect("assessments:officer_detail", uuid=assessment.uuid, role=role)
    version = assessment.versions.select_related("questionnaire").order_by("-number").first()
    context = {
        "assessment": assessment,
        "version": version,
        "role": role,
        "role_label": OfficerRole(role).label,
        "sections": _sections(version, only=SECURITY_SECTIONS if role == OfficerRole.SECURITY else None),
        "advice": OfficerAdvice.objects.filter(assessment=assessment, role=role).select_related("author", "version"),
        "form": form,
        "error_list": [
            {"label": form.fields["text"].label, "anchor": "id_text", "message": message}
            for message in form.errors.get("text", [])
        ],
    }
    return render(request, "officers/detail.html", context, status=400 if form.errors else 200)


def _sections(version, only: frozenset[str] | None) -> list[dict]:
    """The version's shown answers by section; `only` limits them to those sections."""
    defn = as_definition(version.questionnaire.definition)
    lang = language()
    sections = []
    for section in visible_sections(defn, version.answers):
        if only is not None and section.key not in only:
            continue
        rows = [
            {
                "label": localized(question, "label"),
                "value": question.value_label(version.answers.get(question.key), lang),
                "is_text": question.type == "text",
            }
            for question in section.questions
            if question.key in version.answers
        ]
        sections.append({"key": section.key, "title": localized(section, "title"), "rows": rows})
    return sections
